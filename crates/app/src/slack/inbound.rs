//! What Slack sends the hub, once the front-end has verified and parsed
//! it: Events API events, slash commands, interactions, options loads.
//!
//! Rules for whoever adds to these:
//! - Slack wants an answer within 3 seconds: do no slow work here. Enqueue
//!   a job in the same transaction as any change, and return.
//! - `account_id` is the account connected to the request's own workspace
//!   (resolved from the signed `team_id`). Read and write that account's
//!   data only; never look a record, user or channel up across accounts.
//! - `None` means the workspace is connected to no account: answer without
//!   touching any account's data.
//! - An event is taken exactly once: its `event_id` and everything it
//!   changes and enqueues commit in one transaction ([`App::take_slack_event`]).

use bytes::Bytes;
use hubbub_hub::RecordRef;
use hubbub_slack::blocks::{self, OptionGroup};
use hubbub_slack::{EventCallback, InteractionPayload, SlackMessageContent, SlashCommand};
use hubbub_store::{take_slack_event_on, AnyConnection, StoreError};

use super::actions::Press;
use super::messages::previews::OPEN_PREVIEW;
use super::messages::{record_actions, MAPPING_CONFIRM};
use super::user_mapping::SlackIdentity;
use super::views;
use crate::conversations::ThreadButton;
use crate::feedback::{form_of, SubmittedFeedback};
use crate::{App, Error, Result};

/// What became of an Events API delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventTaken {
    /// Taken now: its effects are committed.
    Applied,
    /// Taken before (a Slack retry or a replay): nothing was done.
    Duplicate,
}

/// What the hub answers Slack, as the front-end sends it.
#[derive(Debug, Clone, PartialEq)]
pub enum SlackReply {
    /// 200 with an empty body: taken, nothing to show.
    Nothing,
    /// A message shown at once, only to the person who typed the command:
    /// the answer's JSON body, written once (`/hs help`'s is written once
    /// per process).
    Ephemeral(Bytes),
    /// A modal's submission refused: `(block_id, what to fix)` shown
    /// beside each field, the modal left open.
    FieldErrors(Vec<(String, String)>),
    /// An external select's options, in labelled groups.
    Options(Vec<OptionGroup>),
}

impl SlackReply {
    pub(crate) fn ephemeral(content: SlackMessageContent) -> SlackReply {
        SlackReply::Ephemeral(blocks::ephemeral_answer(&content).into())
    }

    /// The modal stays open with `why` beside `field`.
    pub(crate) fn field_error(field: &str, why: &str) -> SlackReply {
        SlackReply::FieldErrors(vec![(field.to_owned(), why.to_owned())])
    }
}

impl App {
    /// The account a workspace is connected to, if any.
    pub async fn account_for_slack_team(&self, team_id: &str) -> Result<Option<i64>> {
        Ok(self.store().account_for_slack_team(team_id).await?)
    }

    /// An Events API event from the workspace connected to `account_id`.
    /// Its `event_id` is recorded in the transaction that applies it: a
    /// failure before the commit leaves nothing behind (Slack's retry is
    /// taken afresh), and a delivery after the commit is a duplicate. On
    /// PostgreSQL a concurrent delivery of the same event waits for the
    /// first one's transaction, then finds it taken.
    pub async fn take_slack_event(
        &self,
        account_id: i64,
        callback: &EventCallback,
    ) -> Result<EventTaken> {
        let mut tx = self.store().begin_write().await?;
        if !take_slack_event_on(&mut tx, &callback.event_id, &callback.team_id, self.now()).await? {
            return Ok(EventTaken::Duplicate);
        }
        tracing::debug!(
            account_id,
            team_id = %callback.team_id,
            event_id = %callback.event_id,
            event_type = %callback.event.kind,
            "Slack event taken"
        );
        let answered = self.apply_event(&mut tx, account_id, callback).await?;
        if self.faults().take_before_event_commit() {
            return Err(Error::Store(StoreError::Commit(
                "a fault injected before the Slack event's commit".to_owned(),
            )));
        }
        tx.commit().await?;
        match answered {
            Some(conversation_id) => self.after_conversation_change(conversation_id),
            None => self.wake_worker(),
        }
        Ok(EventTaken::Applied)
    }

    /// The event's effects, on the event's transaction; the conversation
    /// a thread reply answered, if one did.
    async fn apply_event(
        &self,
        conn: &mut AnyConnection,
        account_id: i64,
        callback: &EventCallback,
    ) -> Result<Option<i64>> {
        self.on_removal_event(conn, account_id, callback).await?;
        self.on_channel_event(conn, account_id, callback).await?;
        self.on_link_shared(conn, account_id, callback).await?;
        self.on_thread_message(conn, account_id, callback).await
    }

    /// A slash command (`/hs …`). The answer is shown to the person who
    /// typed it. Unlike the other requests, the front-end does not resolve
    /// the workspace's account first: only the sub-commands that act on
    /// it do (a read per command; `/hs help` needs none).
    pub async fn slack_command(&self, command: &SlashCommand) -> Result<SlackReply> {
        tracing::debug!(
            team_id = %command.team_id,
            command = %command.command,
            "Slack slash command"
        );
        self.run_hs(command).await
    }

    /// An interaction: a button or select in a message or view, a view
    /// submitted or closed, a shortcut.
    pub async fn slack_interaction(
        &self,
        account_id: Option<i64>,
        payload: &InteractionPayload,
    ) -> Result<SlackReply> {
        tracing::debug!(
            ?account_id,
            team_id = ?payload.team_id(),
            kind = %payload.kind,
            "Slack interaction"
        );
        let Some(account_id) = account_id else {
            return Ok(SlackReply::Nothing);
        };
        match payload.kind.as_str() {
            "view_submission" => return self.submit_view(account_id, payload).await,
            "message_action" => {
                self.run_shortcut(account_id, payload).await?;
                return Ok(SlackReply::Nothing);
            }
            _ => {}
        }
        let action = match payload.kind.as_str() {
            "block_actions" => payload.first_action(),
            _ => None,
        };
        if let Some((record_actions::ADD_NOTE, value)) = action {
            if let Some(record) = RecordRef::decode(value) {
                self.open_note_dialog(account_id, payload, record).await?;
            }
        } else if let Some((OPEN_PREVIEW, value)) = action {
            if let Some(record) = RecordRef::decode(value) {
                self.open_preview(account_id, payload, record).await?;
            }
        } else if let Some(press) = action.and_then(|(id, value)| Press::parse(id, value)) {
            self.press_notification_button(account_id, payload, press)
                .await?;
        } else if let Some((button, id)) =
            action.and_then(|(action_id, value)| ThreadButton::parse(action_id, value))
        {
            self.press_thread_button(account_id, payload, button, id)
                .await?;
        } else if let Some((MAPPING_CONFIRM, value)) = action {
            if let Ok(request_id) = value.parse::<i64>() {
                let who = SlackIdentity {
                    team_id: payload.team_id().unwrap_or_default().to_owned(),
                    user_id: payload.user.id.clone(),
                };
                self.confirm_slack_mapping(
                    account_id,
                    &who,
                    request_id,
                    payload.response_url.as_deref(),
                )
                .await?;
            }
        }
        Ok(SlackReply::Nothing)
    }

    /// A modal submitted: the use case that opened it takes it.
    async fn submit_view(
        &self,
        account_id: i64,
        payload: &InteractionPayload,
    ) -> Result<SlackReply> {
        match payload.payload["view"]["callback_id"].as_str() {
            Some(views::FEEDBACK) => self.submit_feedback(account_id, payload).await,
            Some(views::NOTE) => self.take_note(account_id, payload).await,
            Some(views::CREATE) => self.take_created(account_id, payload).await,
            Some(views::LOG_MESSAGE) => self.take_logged(account_id, payload).await,
            _ => Ok(SlackReply::Nothing),
        }
    }

    async fn submit_feedback(
        &self,
        account_id: i64,
        payload: &InteractionPayload,
    ) -> Result<SlackReply> {
        let view = &payload.payload["view"];
        let submitted = SubmittedFeedback {
            team_id: payload.team_id().unwrap_or_default(),
            slack_user_id: &payload.user.id,
            slack_username: payload.user.username.as_deref(),
            view_id: view["id"].as_str().unwrap_or_default(),
            response_url: view["private_metadata"].as_str(),
            form: form_of(&view["state"]["values"]),
        };
        Ok(match self.take_feedback(account_id, submitted).await? {
            Ok(()) => SlackReply::Nothing,
            Err(errors) => SlackReply::FieldErrors(
                errors
                    .into_iter()
                    .map(|(field, why)| (field.as_str().to_owned(), why))
                    .collect(),
            ),
        })
    }

    /// An interaction's `response_url` when it is one of Slack's: the hub
    /// answers nowhere else.
    pub(crate) fn slack_response_url<'u>(
        &self,
        account_id: i64,
        response_url: Option<&'u str>,
    ) -> Option<&'u str> {
        response_url.filter(|url| {
            let slacks = self.config().is_slack_response_url(url);
            if !slacks {
                tracing::warn!(account_id, "ignored a response_url that is not Slack's");
            }
            slacks
        })
    }

    /// An options load for an external select (`block_suggestion`).
    pub async fn slack_options(
        &self,
        account_id: Option<i64>,
        payload: &InteractionPayload,
    ) -> Result<SlackReply> {
        tracing::debug!(
            ?account_id,
            team_id = ?payload.team_id(),
            action_id = ?payload.action_id,
            "Slack options load"
        );
        match (account_id, payload.action_id.as_deref()) {
            (Some(account_id), Some(views::ASSOCIATE)) => {
                self.suggest_records(account_id, payload).await
            }
            _ => Ok(SlackReply::Options(Vec::new())),
        }
    }
}
