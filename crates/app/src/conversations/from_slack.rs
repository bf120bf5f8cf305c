//! What the team writes in a conversation's Slack thread, on its way to
//! the visitor: a person's reply in a thread the hub knows becomes an
//! answer (or, beginning with `note:` or `private:`, a private note) from
//! the hub user they are mapped to, with that user's permissions, through
//! the same use case as the hub's reply box ([`App::reply_on`]), on the
//! event's transaction: the event's id and the answer commit together, so
//! that Slack's retry of the event sends nothing twice.
//!
//! Never taken: what the hub posted itself (stamped, and from its bot),
//! any bot's message, edits and other subtypes, messages outside the
//! threads the hub knows, the root itself, and a `ts` the conversation
//! holds already. A reply from someone the hub cannot tell is not sent;
//! they alone are told why, and how to map their Slack account.

use hubbub_hub::conversation::{classify_reply, Author};
use hubbub_slack::blocks::plain_text;
use hubbub_slack::{EventCallback, SlackMessageContent};
use hubbub_store::{conversation_by_thread_on, has_slack_message_on, AnyConnection};
use serde_json::Value;

use super::slack_thread::is_stamped_by_hub;
use super::{Reply, ReplySender};
use crate::jobs::{Job, JobError};
use crate::slack::messages;
use crate::{links, App, Error, Result};

/// A person's thread reply, as the event carries it.
struct ThreadReply<'e> {
    channel: &'e str,
    ts: &'e str,
    thread_ts: &'e str,
    user: &'e str,
    text: &'e str,
}

/// A person's new reply in a thread, from a `message` event: `None` for
/// anything else.
fn thread_reply(event: &Value) -> Option<ThreadReply<'_>> {
    let text_field = |key: &str| event.get(key).and_then(Value::as_str);
    // "Also send to channel" is still a reply; every other subtype is an
    // edit, a deletion, a join or a bot's post.
    let subtype = text_field("subtype");
    if subtype.is_some_and(|s| s != "thread_broadcast")
        || event.get("bot_id").is_some_and(|b| !b.is_null())
        || is_stamped_by_hub(event)
    {
        return None;
    }
    let reply = ThreadReply {
        channel: text_field("channel")?,
        ts: text_field("ts")?,
        thread_ts: text_field("thread_ts")?,
        user: text_field("user")?,
        text: text_field("text").unwrap_or_default(),
    };
    (reply.ts != reply.thread_ts).then_some(reply)
}

impl App {
    /// A `message` event, applied on `conn` (the event's transaction):
    /// answers the conversation whose thread it was written in, when it
    /// was.
    pub(crate) async fn on_thread_message(
        &self,
        conn: &mut AnyConnection,
        account_id: i64,
        callback: &EventCallback,
    ) -> Result<Option<i64>> {
        if callback.event.kind != "message" {
            return Ok(None);
        }
        let Some(reply) = thread_reply(&callback.event.body) else {
            return Ok(None);
        };
        let team_id = &callback.team_id;
        let Some(conversation) =
            conversation_by_thread_on(conn, account_id, team_id, reply.channel, reply.thread_ts)
                .await?
        else {
            return Ok(None);
        };
        let is_the_app = self
            .store()
            .slack_connection(account_id)
            .await?
            .is_some_and(|c| c.bot_user_id == reply.user);
        if is_the_app || has_slack_message_on(conn, conversation.id, reply.ts).await? {
            return Ok(None);
        }
        let Some(actor) = self.slack_actor(account_id, team_id, reply.user).await? else {
            let settings = self.config().parsed_url(links::NOTIFICATION_SETTINGS)?;
            self.tell_in_thread_on(
                conn,
                account_id,
                &reply,
                messages::reply_from_unmapped(&settings),
            )
            .await?;
            return Ok(None);
        };
        let text = plain_text(reply.text);
        let (author, text) = classify_reply(&text);
        let answer = Reply {
            text,
            private: author == Author::Note,
            sender: ReplySender::Actor,
            slack_ts: Some(reply.ts),
        };
        match self.reply_on(conn, &actor, conversation.id, &answer).await {
            Ok(_) => Ok(Some(conversation.id)),
            Err(Error::Refused(why)) => {
                let told = messages::reply_refused(&why.to_string());
                self.tell_in_thread_on(conn, account_id, &reply, told)
                    .await?;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Enqueues, on `conn`, a message only the reply's author sees, in its
    /// thread.
    async fn tell_in_thread_on(
        &self,
        conn: &mut AnyConnection,
        account_id: i64,
        reply: &ThreadReply<'_>,
        content: SlackMessageContent,
    ) -> Result<()> {
        Job::Ephemeral {
            channel: reply.channel.to_owned(),
            user: reply.user.to_owned(),
            thread_ts: Some(reply.thread_ts.to_owned()),
            content: Box::new(content),
        }
        .enqueue_on(conn, account_id)
        .await?;
        Ok(())
    }

    /// Job: shows `content` to one Slack user only, in a channel (in a
    /// thread when `thread_ts` is given).
    pub(crate) async fn post_ephemeral(
        &self,
        account_id: i64,
        channel: &str,
        user: &str,
        thread_ts: Option<&str>,
        content: SlackMessageContent,
    ) -> Result<(), JobError> {
        let Some(live) = self.live_workspace(account_id).await? else {
            return Ok(());
        };
        let posted = self
            .slack_api()
            .post_ephemeral(&live.token, channel, user, thread_ts, content)
            .await;
        self.check_bot_call(account_id, posted).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(extra: Value) -> Value {
        let mut e = json!({
            "type": "message", "channel": "C1", "user": "U1", "text": "hi",
            "ts": "2.0", "thread_ts": "1.0",
        });
        for (k, v) in extra.as_object().unwrap() {
            e[k] = v.clone();
        }
        e
    }

    #[test]
    fn only_peoples_new_replies_in_threads_are_taken() {
        assert!(thread_reply(&event(json!({}))).is_some());
        assert!(thread_reply(&event(json!({"subtype": "thread_broadcast"}))).is_some());
        for not_a_reply in [
            json!({"subtype": "message_changed"}),
            json!({"subtype": "bot_message"}),
            json!({"bot_id": "B1"}),
            json!({"metadata": {"event_type": "hubbub_conversation_message", "event_payload": {}}}),
            json!({"thread_ts": null}),
            json!({"thread_ts": "2.0"}),
            json!({"user": null}),
        ] {
            assert!(
                thread_reply(&event(not_a_reply.clone())).is_none(),
                "{not_a_reply}"
            );
        }
    }
}
