//! The buttons of a conversation's root message in Slack: "Assign to me",
//! "Close" and "Reopen" act as the hub user the Slack user is mapped to,
//! through the same use cases and checks as the hub's inbox page. The
//! change redraws the root through the conversation's sync job, as a
//! change made in the hub does. A refusal (not mapped, a view-only seat,
//! another account's conversation) is shown only to the one who pressed,
//! and nothing changes.

use hubbub_slack::{InteractionPayload, SlackMessageContent};

use crate::jobs::Job;
use crate::slack::messages::{self, conversation_actions as ids};
use crate::{links, App, Error, Result};

/// What a root message's button asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ThreadButton {
    AssignToMe,
    Close,
    Reopen,
}

impl ThreadButton {
    /// From a block action's id and value (the conversation's id); `None`
    /// for anything else, "Open contact in hub" included.
    pub(crate) fn parse(action_id: &str, value: &str) -> Option<(ThreadButton, i64)> {
        let button = match action_id {
            ids::ASSIGN_TO_ME => ThreadButton::AssignToMe,
            ids::CLOSE => ThreadButton::Close,
            ids::REOPEN => ThreadButton::Reopen,
            _ => return None,
        };
        Some((button, value.parse().ok()?))
    }
}

impl App {
    /// A root message's button, pressed in the workspace connected to
    /// `account_id`.
    pub(crate) async fn press_thread_button(
        &self,
        account_id: i64,
        payload: &InteractionPayload,
        button: ThreadButton,
        conversation_id: i64,
    ) -> Result<()> {
        let team_id = payload.team_id().unwrap_or_default();
        let Some(actor) = self
            .slack_actor(account_id, team_id, &payload.user.id)
            .await?
        else {
            let settings = self.config().parsed_url(links::NOTIFICATION_SETTINGS)?;
            return self
                .only_to_presser(
                    account_id,
                    payload,
                    messages::press_from_unmapped(&settings),
                )
                .await;
        };
        let done = match button {
            ThreadButton::AssignToMe => {
                self.assign_conversation(&actor, conversation_id, actor.user_id())
                    .await
            }
            ThreadButton::Close => self.close_conversation(&actor, conversation_id).await,
            ThreadButton::Reopen => self.reopen_conversation(&actor, conversation_id).await,
        };
        match done {
            Ok(_) => Ok(()),
            Err(Error::Refused(why)) => {
                let told = messages::plain(&format!("{why} Nothing was changed."));
                self.only_to_presser(account_id, payload, told).await
            }
            Err(e) => Err(e),
        }
    }

    /// Enqueues `content` for the presser's eyes only: through the press's
    /// `response_url`, or as an ephemeral message where it was pressed.
    async fn only_to_presser(
        &self,
        account_id: i64,
        payload: &InteractionPayload,
        content: SlackMessageContent,
    ) -> Result<()> {
        let job = match (
            self.slack_response_url(account_id, payload.response_url.as_deref()),
            payload.message_location(),
        ) {
            (Some(url), _) => Job::RespondInSlack {
                response_url: url.to_owned(),
                content: Box::new(content),
                replace_original: false,
            },
            (None, Some((channel, _))) => Job::Ephemeral {
                channel: channel.to_owned(),
                user: payload.user.id.clone(),
                thread_ts: None,
                content: Box::new(content),
            },
            (None, None) => return Ok(()),
        };
        let mut tx = self.store().begin_write().await?;
        job.enqueue_on(&mut tx, account_id).await?;
        tx.commit().await?;
        self.wake_worker();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_read_from_action_ids_and_values() {
        assert_eq!(
            ThreadButton::parse(ids::CLOSE, "12"),
            Some((ThreadButton::Close, 12))
        );
        assert_eq!(
            ThreadButton::parse(ids::ASSIGN_TO_ME, "3"),
            Some((ThreadButton::AssignToMe, 3))
        );
        assert_eq!(ThreadButton::parse(ids::REOPEN, "x"), None);
        assert_eq!(ThreadButton::parse(ids::OPEN_CONTACT, "3"), None);
    }
}
