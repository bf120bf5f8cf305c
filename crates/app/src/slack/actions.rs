//! The buttons of a notification's direct message: assign to me, complete
//! the task, snooze its reminder, move a deal or ticket to another stage
//! (a select). "Open in hub" is a link: Slack opens it and the hub only
//! answers the press.
//!
//! A press acts as the hub user the Slack user is mapped to, through the
//! same use case and checks as the web forms ([`App::records`]). What it
//! did is written on the record's timeline ("… via Slack") and the message
//! is drawn again through the press's `response_url`, showing the outcome,
//! in the change's own transaction. A press whose effect already holds
//! (a second press, a replayed payload) changes nothing and only draws the
//! message again. A refusal (not mapped, not allowed, not possible) is
//! shown only to the one who pressed, and nothing changes.

use hubbub_hub::auth::Access;
use hubbub_hub::pipeline::stage_label;
use hubbub_hub::timestamp::{format_instant, parse_instant, to_iso, Millis};
use hubbub_hub::{HubError, ObjectType, Record};
use hubbub_slack::{InteractionPayload, SlackMessageContent};
use hubbub_store::{Consequences, Happened, NewActivity, User};

use crate::history::via_code;
use serde_json::{Map, Value};

use super::cards::{CardPlace, CardRedraw};
use super::messages::{self, record_actions as ids};
use crate::actor::SlackActor;
use crate::jobs::{Job, JobError};
use crate::notifications::plan::{capitalised, OWNER, TASK_COMPLETED, TASK_REMINDER, TASK_STATUS};
use crate::{links, Actor, App, Error, Result};
use hubbub_hub::RecordRef;

const HOUR: Millis = 3_600_000;
const DAY: Millis = 24 * HOUR;
/// "Snooze until tomorrow" reminds at this hour (UTC) of the next day.
const TOMORROW_AT_HOUR: Millis = 9;

/// What a notification's button asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ButtonAction {
    AssignToMe,
    CompleteTask,
    SnoozeHour,
    SnoozeTomorrow,
    /// To the stage with this id.
    MoveStage(String),
}

/// A press of one of a notification's buttons, on one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Press {
    pub record: RecordRef,
    pub action: ButtonAction,
}

impl Press {
    /// From a block action's id and value (`deal:12`; a stage option's
    /// `deal:12:<stage id>`); `None` for anything else, "Open in hub"
    /// included.
    pub fn parse(action_id: &str, value: &str) -> Option<Press> {
        let action = match action_id {
            ids::ASSIGN_TO_ME => ButtonAction::AssignToMe,
            ids::COMPLETE_TASK => ButtonAction::CompleteTask,
            ids::SNOOZE_HOUR => ButtonAction::SnoozeHour,
            ids::SNOOZE_TOMORROW => ButtonAction::SnoozeTomorrow,
            ids::MOVE_STAGE => {
                let mut parts = value.splitn(3, ':');
                let (t, id, stage) = (parts.next()?, parts.next()?, parts.next()?);
                return Some(Press {
                    record: RecordRef::decode(&format!("{t}:{id}"))?,
                    action: ButtonAction::MoveStage(stage.to_owned()),
                });
            }
            _ => return None,
        };
        Some(Press {
            record: RecordRef::decode(value)?,
            action,
        })
    }
}

/// What a press sets: one property to one value; the press's effect holds
/// when the property has it (or, for a snooze, a reminder at least as
/// late as `later_than`).
struct Effect {
    property: &'static str,
    value: String,
    later_than: Option<Millis>,
    /// "Ada Admin completed the task".
    done: String,
    /// What the message says when it held already.
    already: String,
}

impl Effect {
    fn holds(&self, record: &Record) -> bool {
        let current = record.properties.get(self.property);
        match self.later_than {
            None => current == Some(&self.value),
            Some(t) => current
                .and_then(|v| parse_instant(v))
                .is_some_and(|at| at > t),
        }
    }
}

/// Where the answer to a press goes.
pub(crate) struct Reply<'p> {
    pub account_id: i64,
    pub response_url: Option<&'p str>,
    pub place: Place<'p>,
}

/// What a press was made in, to draw it again.
pub(crate) enum Place<'p> {
    /// A notification's direct message: its channel and `ts`.
    Notice(&'p str, &'p str),
    /// A record card.
    Card(CardPlace),
    /// Nothing the hub draws again.
    Elsewhere,
}

impl<'p> Reply<'p> {
    /// For a press in `payload`, made in the workspace of `account_id`.
    pub(crate) fn to_press(app: &App, account_id: i64, payload: &'p InteractionPayload) -> Self {
        let card = payload
            .first_action_block()
            .and_then(CardPlace::parse)
            .map(|card| card.pressed_in(payload));
        let place = match (card, payload.message_location()) {
            (Some(card), _) => Place::Card(card),
            (None, Some((channel, ts))) => Place::Notice(channel, ts),
            (None, None) => Place::Elsewhere,
        };
        Reply {
            account_id,
            response_url: app.slack_response_url(account_id, payload.response_url.as_deref()),
            place,
        }
    }

    /// The message drawn again with `outcome`, for the hub user `who`
    /// after a press on `record`.
    pub(crate) fn redraw(&self, who: Option<i64>, record: RecordRef, outcome: &str) -> Option<Job> {
        let url = self.response_url?;
        Some(match (&self.place, who) {
            (Place::Notice(channel, ts), _) => Job::RedrawNotice {
                response_url: url.to_owned(),
                channel: (*channel).to_owned(),
                ts: (*ts).to_owned(),
                outcome: outcome.to_owned(),
            },
            (Place::Card(place), Some(user_id)) => Job::RedrawCards(CardRedraw {
                response_url: url.to_owned(),
                user_id,
                place: place.clone(),
                record,
                outcome: outcome.to_owned(),
                replace_original: true,
            }),
            _ => self.only_to_them(outcome)?,
        })
    }

    /// `text`, shown only to the one who pressed.
    pub(crate) fn only_to_them(&self, text: &str) -> Option<Job> {
        self.shown_only_to_them(messages::plain(text))
    }

    /// `content`, shown only to the one who pressed.
    pub(crate) fn shown_only_to_them(&self, content: SlackMessageContent) -> Option<Job> {
        Some(Job::RespondInSlack {
            response_url: self.response_url?.to_owned(),
            content: Box::new(content),
            replace_original: false,
        })
    }
}

/// What a change made from Slack adds in its transaction: "`done` via
/// Slack" on the timeline of record `object_id`, and the answer that
/// shows it (a job), if any.
pub(crate) fn done_from_slack(
    actor: &Actor,
    object_id: i64,
    done: &str,
    answer: Option<Job>,
) -> Consequences {
    let mut out = Consequences::default();
    out.activity.push(NewActivity {
        object_id,
        user_id: actor.user_id(),
        via: via_code(actor.via()),
        happened: Happened::Said(format!("{done} {}", actor.via().as_str())),
    });
    out.jobs.extend(answer.map(|job| job.to_new(None)));
    out
}

impl App {
    /// A notification's button, pressed in the workspace connected to
    /// `account_id`.
    pub(crate) async fn press_notification_button(
        &self,
        account_id: i64,
        payload: &InteractionPayload,
        press: Press,
    ) -> Result<()> {
        let reply = Reply::to_press(self, account_id, payload);
        let Some(actor) = self.presser(&reply, payload).await? else {
            return Ok(());
        };
        match self.act(&actor, &press, &reply).await {
            Ok(None) => Ok(()),
            Ok(Some(already)) => {
                let job = reply.redraw(actor.user_id(), press.record, &already);
                self.answer(&reply, job).await
            }
            Err(Error::Refused(why)) => self.refuse(&reply, &why.to_string()).await,
            Err(e) => Err(e),
        }
    }

    /// The hub user who pressed a button in `payload`; `None` when the
    /// Slack user is mapped to none, who is told so (only they see it).
    pub(crate) async fn presser(
        &self,
        reply: &Reply<'_>,
        payload: &InteractionPayload,
    ) -> Result<Option<Actor>> {
        let actor = self.slack_actor_of(reply.account_id, payload).await?;
        if actor.is_none() {
            let settings = self.config().url(links::NOTIFICATION_SETTINGS);
            let text = format!(
                "Your Slack account is not mapped to a Hubbub user, so the hub cannot tell who pressed the button. Nothing was changed. Map your Slack account at {settings}"
            );
            self.answer(reply, reply.only_to_them(&text)).await?;
        }
        Ok(actor)
    }

    /// Tells only the presser why nothing changed.
    pub(crate) async fn refuse(&self, reply: &Reply<'_>, why: &str) -> Result<()> {
        let text = format!("{why} Nothing was changed.");
        self.answer(reply, reply.only_to_them(&text)).await
    }

    /// The hub user behind the Slack user of an interaction.
    pub(crate) async fn slack_actor_of(
        &self,
        account_id: i64,
        payload: &InteractionPayload,
    ) -> Result<Option<Actor>> {
        let team_id = payload.team_id().unwrap_or_default();
        self.slack_actor(account_id, team_id, &payload.user.id)
            .await
    }

    /// The mapped, active hub user behind a Slack user, as an actor.
    pub(crate) async fn slack_actor(
        &self,
        account_id: i64,
        team_id: &str,
        slack_user_id: &str,
    ) -> Result<Option<Actor>> {
        let store = self.store();
        let Some(user_id) = store
            .hub_user_for_slack_user(account_id, team_id, slack_user_id)
            .await?
        else {
            return Ok(None);
        };
        let user: User = store.user(account_id, user_id).await?;
        Ok((!user.archived).then(|| {
            Actor::Slack(SlackActor {
                user,
                team_id: team_id.to_owned(),
                slack_user_id: slack_user_id.to_owned(),
            })
        }))
    }

    /// Runs the press as `actor`. `Ok(None)`: done, and the answer was
    /// enqueued with the change; `Ok(Some(what))`: the effect held
    /// already, nothing was written.
    async fn act(&self, actor: &Actor, press: &Press, reply: &Reply<'_>) -> Result<Option<String>> {
        let RecordRef { object_type: t, id } = press.record;
        let records = self.records(actor, t, Access::Write).await?;
        let record = self.record(actor, t, id).await?;
        let effect = self.effect(actor, &record, &press.action).await?;
        if effect.holds(&record) {
            return Ok(Some(effect.already));
        }
        let mut change = Map::new();
        change.insert(
            effect.property.to_owned(),
            Value::String(effect.value.clone()),
        );
        records
            .update_with(vec![(id, change)], |pairs| {
                // Decided again inside the transaction: of two presses at
                // once, only the first writes its line.
                match pairs.first() {
                    Some((before, _)) if effect.holds(before) => {
                        let answer = reply.redraw(actor.user_id(), press.record, &effect.already);
                        let mut out = Consequences::default();
                        out.jobs.extend(answer.map(|job| job.to_new(None)));
                        out
                    }
                    _ => {
                        let answer = reply.redraw(actor.user_id(), press.record, &effect.done);
                        done_from_slack(actor, id, &effect.done, answer)
                    }
                }
            })
            .await?;
        Ok(None)
    }

    /// What `action` sets on `record`, or why it cannot.
    async fn effect(
        &self,
        actor: &Actor,
        record: &Record,
        action: &ButtonAction,
    ) -> Result<Effect> {
        let name = actor.name();
        let t = record.object_type;
        let the = format!("the {}", t.label().to_lowercase());
        let is_task = t == ObjectType::Task;
        let done = record.properties.get(TASK_STATUS).map(String::as_str) == Some(TASK_COMPLETED);
        let effect = match action {
            ButtonAction::AssignToMe => {
                let me = actor.user_id().unwrap_or_default();
                Effect {
                    property: OWNER,
                    value: me.to_string(),
                    later_than: None,
                    done: format!("{name} assigned {the} to themselves"),
                    already: format!("{name} is the owner of {the}"),
                }
            }
            ButtonAction::CompleteTask if is_task => Effect {
                property: TASK_STATUS,
                value: TASK_COMPLETED.to_owned(),
                later_than: None,
                done: format!("{name} completed the task"),
                already: "The task is completed".to_owned(),
            },
            ButtonAction::SnoozeHour | ButtonAction::SnoozeTomorrow if is_task && done => {
                return Err(HubError::Conflict(
                    "The task is completed: there is no reminder to snooze.".to_owned(),
                )
                .into())
            }
            ButtonAction::SnoozeHour | ButtonAction::SnoozeTomorrow if is_task => {
                let now = self.now();
                let (at, later_than) = match action {
                    // Any reminder still to come is a snooze already.
                    ButtonAction::SnoozeHour => (now + HOUR, now),
                    _ => {
                        let at = (now / DAY + 1) * DAY + TOMORROW_AT_HOUR * HOUR;
                        (at, at - 1)
                    }
                };
                let current = record
                    .properties
                    .get(TASK_REMINDER)
                    .and_then(|v| parse_instant(v))
                    .unwrap_or(at);
                Effect {
                    property: TASK_REMINDER,
                    value: to_iso(at),
                    later_than: Some(later_than),
                    done: format!("{name} snoozed the reminder until {}", format_instant(at)),
                    already: format!("The reminder is set for {}", format_instant(current)),
                }
            }
            ButtonAction::MoveStage(stage) => {
                let Some((_, property)) = t.pipeline_properties() else {
                    return Err(
                        HubError::invalid(format!("A {} has no stages.", t.singular())).into(),
                    );
                };
                let pipelines = self.store().pipelines(actor.account_id(), t).await?;
                let label = stage_label(&pipelines, stage);
                Effect {
                    property,
                    value: stage.clone(),
                    later_than: None,
                    done: format!("{name} moved {the} to {label}"),
                    already: format!("{} is in {label}", capitalised(&the)),
                }
            }
            ButtonAction::CompleteTask
            | ButtonAction::SnoozeHour
            | ButtonAction::SnoozeTomorrow => {
                return Err(HubError::invalid(format!(
                    "Only tasks can be completed or snoozed, and this is a {}.",
                    t.singular()
                ))
                .into())
            }
        };
        Ok(effect)
    }

    /// Enqueues an answer that comes with no change.
    pub(crate) async fn answer(&self, reply: &Reply<'_>, job: Option<Job>) -> Result<()> {
        let Some(job) = job else {
            return Ok(());
        };
        let mut tx = self.store().begin_write().await?;
        job.enqueue_on(&mut tx, reply.account_id).await?;
        tx.commit().await?;
        self.wake_worker();
        Ok(())
    }

    /// Job: draws the notification of message `(channel, ts)` again, as
    /// its record stands, with `outcome`; a message the hub does not know
    /// gets `outcome` as an answer only the presser sees.
    pub(crate) async fn redraw_notice(
        &self,
        account_id: i64,
        response_url: &str,
        message: (&str, &str),
        outcome: &str,
    ) -> Result<(), JobError> {
        let Some(notice) = self.notice_in_message(account_id, message).await? else {
            return self
                .respond_in_slack(response_url, messages::plain(outcome), false)
                .await;
        };
        let content = self
            .notification_content(account_id, &notice, Some(outcome))
            .await?;
        self.respond_in_slack(response_url, content, true).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presses_read_from_action_ids_and_values() {
        let deal = RecordRef::new(ObjectType::Deal, 12);
        assert_eq!(
            Press::parse(ids::ASSIGN_TO_ME, "deal:12"),
            Some(Press {
                record: deal,
                action: ButtonAction::AssignToMe
            })
        );
        assert_eq!(
            Press::parse(ids::MOVE_STAGE, "deal:12:closed:won"),
            Some(Press {
                record: deal,
                action: ButtonAction::MoveStage("closed:won".into())
            })
        );
        assert_eq!(Press::parse(ids::MOVE_STAGE, "deal:12"), None);
        assert_eq!(Press::parse(ids::OPEN, ""), None);
        assert_eq!(Press::parse(ids::COMPLETE_TASK, "task:x"), None);
        assert_eq!(Press::parse("other", "deal:12"), None);
    }

    #[test]
    fn a_snooze_holds_while_a_later_reminder_waits() {
        let effect = Effect {
            property: TASK_REMINDER,
            value: to_iso(5 * HOUR),
            later_than: Some(2 * HOUR),
            done: String::new(),
            already: String::new(),
        };
        let mut task = Record {
            id: 1,
            object_type: ObjectType::Task,
            properties: Default::default(),
            created_at: 0,
            updated_at: 0,
            archived: false,
            archived_at: None,
        };
        assert!(!effect.holds(&task));
        task.properties.insert(TASK_REMINDER.into(), to_iso(HOUR));
        assert!(!effect.holds(&task));
        task.properties
            .insert(TASK_REMINDER.into(), to_iso(3 * HOUR));
        assert!(effect.holds(&task));
    }
}
