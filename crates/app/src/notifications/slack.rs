//! Notifications as direct messages from the app: the job that sends one,
//! and the message as the record stands (also drawn again, with what was
//! done, after a button press).
//!
//! The first notification for a user the hub has not looked up in the
//! workspace yet runs the email lookup; when nobody matches, the user is
//! told once per workspace how to map their account (in the hub and by
//! email), and the notification still reached them there.

use hubbub_hub::property::PropertyType;
use hubbub_hub::{ObjectType, Record, Topic};
use hubbub_slack::SlackMessageContent;
use hubbub_store::{SlackLink, User};

use super::plan::{owner_of, TASK_COMPLETED, TASK_STATUS};
use crate::jobs::JobError;
use crate::slack::messages::{self, NotificationMessage, RecordPart};
use crate::slack::workspace::LiveWorkspace;
use crate::{App, Result};
use hubbub_hub::{Notice, RecordRef};

/// Key properties a notification shows at most.
const SHOWN_PROPERTIES: usize = 6;

impl App {
    /// Job: sends `notice` to its person's Slack account.
    pub(crate) async fn notify_in_slack(
        &self,
        account_id: i64,
        notice: Notice,
    ) -> Result<(), JobError> {
        let Some(live) = self.live_workspace(account_id).await? else {
            return Ok(());
        };
        let Some(user) = self
            .store()
            .users(account_id)
            .await?
            .into_iter()
            .find(|u| u.id == notice.user_id && !u.archived)
        else {
            return Ok(());
        };
        let Some(slack_user) = self.slack_user_of(&live, &user).await? else {
            return Ok(());
        };
        let content = self.notification_content(account_id, &notice, None).await?;
        let channel = self
            .direct_message_channel(&live, user.id, &slack_user)
            .await?;
        let posted = self
            .slack_api()
            .post_message(&live.token, &channel, content)
            .await;
        let posted = self.check_bot_call(account_id, posted).await?;
        let shown = serde_json::to_string(&notice).expect("a notice serialises to JSON");
        self.store()
            .remember_slack_notice_message(account_id, &posted.channel, &posted.ts, &shown)
            .await?;
        Ok(())
    }

    /// The notification a message of the app's shows, when the hub posted
    /// it.
    pub(crate) async fn notice_in_message(
        &self,
        account_id: i64,
        (channel, ts): (&str, &str),
    ) -> Result<Option<Notice>> {
        let stored = self
            .store()
            .slack_notice_message(account_id, channel, ts)
            .await?;
        Ok(stored.and_then(|json| serde_json::from_str(&json).ok()))
    }

    /// The user's Slack user in the live workspace, looked up by email the
    /// first time; `None` when nobody there has their email.
    pub(crate) async fn slack_user_of(
        &self,
        live: &LiveWorkspace,
        user: &User,
    ) -> Result<Option<String>, JobError> {
        let (account_id, team) = (live.connection.account_id, &live.connection.team_id);
        let link = match self.store().slack_link(account_id, team, user.id).await? {
            None => {
                self.map_one(live, user).await?;
                self.store().slack_link(account_id, team, user.id).await?
            }
            known => known,
        };
        Ok(match link {
            Some(SlackLink::Mapped { person, .. }) => Some(person.slack_user_id),
            _ => None,
        })
    }

    /// The app's direct-message channel with a mapped user, opened once
    /// and remembered.
    pub(crate) async fn direct_message_channel(
        &self,
        live: &LiveWorkspace,
        user_id: i64,
        slack_user: &str,
    ) -> Result<String, JobError> {
        let c = &live.connection;
        let store = self.store();
        if let Some(channel) = store
            .slack_dm_channel(c.account_id, &c.team_id, user_id)
            .await?
        {
            return Ok(channel);
        }
        let opened = self
            .slack_api()
            .open_direct_message(&live.token, slack_user)
            .await;
        let channel = self.check_bot_call(c.account_id, opened).await?;
        store
            .remember_slack_dm_channel(c.account_id, &c.team_id, user_id, slack_user, &channel)
            .await?;
        Ok(channel)
    }

    /// The message for `notice`, showing the record as it stands now, and
    /// `outcome` (what was just done from Slack) when there is one.
    pub(crate) async fn notification_content(
        &self,
        account_id: i64,
        notice: &Notice,
        outcome: Option<&str>,
    ) -> Result<SlackMessageContent> {
        let url = self.config().parsed_url(&notice.link)?;
        let part = match notice.record {
            Some(r) => self.record_part(account_id, notice, r).await?,
            None => None,
        };
        Ok(messages::notification(&NotificationMessage {
            headline: &notice.headline,
            detail: &notice.detail,
            actor: notice.actor.as_deref(),
            url: &url,
            record: part,
            outcome,
        }))
    }

    /// The record's part of the message, when the record still exists.
    async fn record_part(
        &self,
        account_id: i64,
        notice: &Notice,
        r: RecordRef,
    ) -> Result<Option<RecordPart>> {
        let store = self.store();
        let Some(record) = store
            .records_by_ids(account_id, r.object_type, &[r.id], false)
            .await?
            .pop()
        else {
            return Ok(None);
        };
        let lookups = self.lookups(account_id, r.object_type).await?;
        let props = store.property_set(account_id, r.object_type).await?;
        let title = record.title();
        let properties: Vec<(String, String)> = props
            .all()
            .iter()
            .filter(|d| d.default_shown && d.ptype != PropertyType::Bool)
            .map(|d| (d.label.clone(), lookups.display(d, &record)))
            // The headline names the record already.
            .filter(|(_, v)| !v.is_empty() && *v != title)
            .take(SHOWN_PROPERTIES)
            .collect();
        let is_task = r.object_type == ObjectType::Task;
        let done = record.properties.get(TASK_STATUS).map(String::as_str) == Some(TASK_COMPLETED);
        Ok(Some(RecordPart {
            value: r.encode(),
            properties,
            assignable: r.object_type != ObjectType::Note
                && owner_of(&record) != Some(notice.user_id),
            completable: is_task && !done,
            snoozable: is_task && !done && notice.topic == Topic::TaskReminder,
            stages: stages_of(&record, &lookups.pipelines),
            stage: record
                .object_type
                .pipeline_properties()
                .and_then(|(_, s)| record.properties.get(s).cloned()),
        }))
    }
}

/// The stages of the record's pipeline, `(label, id)`.
fn stages_of(
    record: &Record,
    pipelines: &[hubbub_hub::pipeline::Pipeline],
) -> Vec<(String, String)> {
    let Some((pipeline, _)) = record.object_type.pipeline_properties() else {
        return Vec::new();
    };
    let current = record.properties.get(pipeline);
    pipelines
        .iter()
        .find(|p| current.is_none_or(|id| &p.id == id))
        .map(|p| {
            p.stages
                .iter()
                .map(|s| (s.label.clone(), s.id.clone()))
                .collect()
        })
        .unwrap_or_default()
}
