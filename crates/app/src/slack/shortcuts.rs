//! The message shortcuts. "Create task from message" opens the task
//! dialog ([`create`](super::create)) prefilled with the message, who
//! wrote it and its permalink. "Log message to record" opens a dialog to
//! choose a record; its submission adds the note (prefilled the same way)
//! on it as the Slack user's hub user, writes "… via Slack" on the
//! record's timeline and shows the record's card to them only, in the
//! note's own transaction. Both open at once, while the `trigger_id` is
//! fresh; the permalink and the author's name are two Web API calls
//! before it.

use hubbub_hub::{HubError, ObjectType, RecordRef};
use hubbub_slack::blocks::{plain_text, plain_within};
use hubbub_slack::manifest::{CREATE_TASK_SHORTCUT, LOG_MESSAGE_SHORTCUT};
use hubbub_slack::{InteractionPayload, SlackMessageContent};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::actions::{done_from_slack, Reply};
use super::cards::card_shown;
use super::create::Asker;
use super::inbound::SlackReply;
use super::messages;
use super::views::{self, ASSOCIATE, MAX_NOTE, NOTE_BODY};
use crate::{links, App, Error, Result};

/// A task's title from a message: its first line, this long at most.
const TITLE_CHARS: usize = 100;

/// What the log dialog carries to its submission.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LogMetadata {
    response_url: Option<String>,
}

impl App {
    /// A message shortcut used in the workspace connected to `account_id`.
    pub(crate) async fn run_shortcut(
        &self,
        account_id: i64,
        payload: &InteractionPayload,
    ) -> Result<()> {
        let callback = payload.callback_id.as_deref().unwrap_or_default();
        if callback != CREATE_TASK_SHORTCUT && callback != LOG_MESSAGE_SHORTCUT {
            return Ok(());
        }
        let reply = Reply::to_press(self, account_id, payload);
        let asker = Asker {
            account_id,
            team_id: payload.team_id().unwrap_or_default(),
            slack_user_id: &payload.user.id,
            trigger_id: payload.trigger_id.as_deref().unwrap_or_default(),
            response_url: reply.response_url,
        };
        let from_message = self.quoted(account_id, &payload.payload).await?;
        let refusal = if callback == CREATE_TASK_SHORTCUT {
            let title = from_message.lines().next().unwrap_or_default();
            let initial = vec![
                ("hs_task_subject", plain_within(title, TITLE_CHARS)),
                ("hs_task_body", plain_within(&from_message, MAX_NOTE)),
            ];
            self.open_create_dialog(&asker, ObjectType::Task, initial)
                .await?
        } else {
            self.open_log_dialog(&asker, &from_message).await?
        };
        let Some(why) = refusal else {
            return Ok(());
        };
        self.answer(&reply, reply.shown_only_to_them(why)).await
    }

    /// The shortcut's message as a note quotes it: its text, then who
    /// wrote it in Slack and its permalink.
    async fn quoted(&self, account_id: i64, payload: &Value) -> Result<String> {
        let message = &payload["message"];
        let text = plain_text(message["text"].as_str().unwrap_or_default());
        let channel = payload["channel"]["id"].as_str().unwrap_or_default();
        let ts = message["ts"].as_str().unwrap_or_default();
        let Some(live) = self.live_workspace(account_id).await? else {
            return Ok(text);
        };
        let api = self.slack_api();
        let author = match message["user"].as_str() {
            Some(user) => match api.users_info(&live.token, user).await {
                Ok(info) => info.name,
                Err(_) => user.to_owned(),
            },
            None => message["username"].as_str().unwrap_or("an app").to_owned(),
        };
        let permalink = api.get_permalink(&live.token, channel, ts).await;
        let permalink = self.check_bot_call(account_id, permalink).await;
        let from = match permalink {
            Ok(link) => format!("From Slack, written by {author}: {link}"),
            Err(e) => {
                tracing::warn!(account_id, error = %e, "no permalink for a shortcut's message");
                format!("From Slack, written by {author}")
            }
        };
        Ok(format!("{text}\n\n{from}"))
    }

    /// "Log message to record"'s dialog, for a mapped asker.
    async fn open_log_dialog(
        &self,
        asker: &Asker<'_>,
        note: &str,
    ) -> Result<Option<SlackMessageContent>> {
        let mapped = self
            .slack_actor(asker.account_id, asker.team_id, asker.slack_user_id)
            .await?;
        if mapped.is_none() {
            let settings = self.config().parsed_url(links::NOTIFICATION_SETTINGS)?;
            return Ok(Some(messages::command_from_unmapped(&settings)));
        }
        let metadata = LogMetadata {
            response_url: asker.response_url.map(str::to_owned),
        };
        let metadata = serde_json::to_string(&metadata).expect("metadata serializes");
        let view = views::log_message(&plain_within(note, MAX_NOTE), metadata);
        self.open_dialog(asker.account_id, asker.trigger_id, view)
            .await
    }

    /// "Log message to record"'s dialog submitted.
    pub(crate) async fn take_logged(
        &self,
        account_id: i64,
        payload: &InteractionPayload,
    ) -> Result<SlackReply> {
        let view = &payload.payload["view"];
        let values = &view["state"]["values"];
        let metadata: LogMetadata =
            serde_json::from_str(view["private_metadata"].as_str().unwrap_or_default())
                .unwrap_or(LogMetadata { response_url: None });
        let chosen = values[ASSOCIATE][ASSOCIATE]["selected_option"]["value"]
            .as_str()
            .and_then(RecordRef::decode);
        let Some(record) = chosen else {
            return Ok(SlackReply::field_error(
                ASSOCIATE,
                "Choose a record from the list.",
            ));
        };
        let Some(actor) = self.slack_actor_of(account_id, payload).await? else {
            return Ok(SlackReply::field_error(
                ASSOCIATE,
                messages::UNMAPPED_DIALOG,
            ));
        };
        let note = values[NOTE_BODY][NOTE_BODY]["value"]
            .as_str()
            .unwrap_or_default();
        let response_url = self.slack_response_url(account_id, metadata.response_url.as_deref());
        let done = format!("{} logged a Slack message", actor.name());
        let RecordRef { object_type: t, id } = record;
        let logged = self
            .add_note_with(&actor, t, id, note, |_| {
                let card = card_shown(response_url, &actor, record, &done);
                done_from_slack(&actor, id, &done, card)
            })
            .await;
        match logged {
            Ok(_) => Ok(SlackReply::Nothing),
            Err(Error::Refused(why)) => {
                let about_note = matches!(&why, HubError::Validation { errors, .. }
                    if errors.iter().any(|e| e.field.as_deref() == Some("hs_note_body")));
                let field = if about_note { NOTE_BODY } else { ASSOCIATE };
                Ok(SlackReply::field_error(field, &why.to_string()))
            }
            Err(e) => Err(e),
        }
    }
}
