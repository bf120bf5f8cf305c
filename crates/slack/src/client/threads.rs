//! Threads the app keeps up: posting in a thread under a name of the
//! app's choosing (`chat:write.customize`), every post stamped with
//! Slack's message metadata ([`Stamp`]), so that the app knows its own
//! messages when they come back as events and finds one again when
//! Slack's answer to the post was lost; messages only one person sees
//! (`chat.postEphemeral`); reactions on messages.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;
use slack_morphism::prelude::*;

use super::pace::{Call, Pace};
use super::{token, PostedMessage, SlackApi, SlackApiError, SlackErrorCode};

/// At most this many pages (of Slack's 200 messages) are read looking for
/// a stamped message: it was posted moments before, so it is near the
/// newest end.
const MAX_PAGES: usize = 3;
const PAGE_SIZE: &str = "200";

/// Slack's message metadata as the app stamps it: an event type and a
/// payload of string values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub event_type: String,
    pub payload: BTreeMap<String, String>,
}

impl Stamp {
    pub fn new<'a>(
        event_type: &str,
        payload: impl IntoIterator<Item = (&'a str, String)>,
    ) -> Stamp {
        Stamp {
            event_type: event_type.to_owned(),
            payload: payload
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        }
    }

    /// The stamp a message object carries (as history, replies and events
    /// show it), if any; payload values that are not strings are left out.
    pub fn of(message: &Value) -> Option<Stamp> {
        let metadata = message.get("metadata")?;
        let event_type = metadata.get("event_type")?.as_str()?;
        let payload = metadata
            .get("event_payload")
            .and_then(Value::as_object)
            .map(|p| {
                p.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        Some(Stamp {
            event_type: event_type.to_owned(),
            payload,
        })
    }

    fn metadata(&self) -> SlackMessageMetadata {
        SlackMessageMetadata::new(self.event_type.clone()).with_event_payload(
            self.payload
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<HashMap<_, _>>(),
        )
    }
}

/// A message to post in a channel, or in a thread of it.
#[derive(Debug, Clone)]
pub struct StampedPost<'a> {
    pub channel: &'a str,
    /// The thread's root; `None` posts at the top of the channel.
    pub thread_ts: Option<&'a str>,
    /// The name shown instead of the app's.
    pub username: Option<&'a str>,
    pub content: SlackMessageContent,
    pub stamp: &'a Stamp,
}

impl SlackApi {
    /// `chat.postMessage`, stamped, paced per channel.
    pub async fn post_stamped(
        &self,
        bot_token: &str,
        post: StampedPost<'_>,
    ) -> Result<PostedMessage, SlackApiError> {
        let token = token(bot_token);
        let session = self.client.open_session(&token);
        let mut content = post.content;
        content.metadata = Some(post.stamp.metadata());
        let mut request = SlackApiChatPostMessageRequest::new(
            SlackChannelId::new(post.channel.to_owned()),
            content,
        );
        request.thread_ts = post.thread_ts.map(|ts| SlackTs::new(ts.to_owned()));
        request.username = post.username.map(str::to_owned);
        let call = Call::Post {
            channel: post.channel,
        };
        let r = self
            .paced(bot_token, call, session.chat_post_message(&request))
            .await?;
        Ok(PostedMessage {
            channel: r.channel.value().clone(),
            ts: r.ts.value().clone(),
        })
    }

    /// The `ts` of the message carrying `stamp` among the channel's
    /// messages since `oldest` (the thread's replies when `thread_ts` is
    /// given), read with their metadata (`include_all_metadata`), newest
    /// pages first for the channel, oldest first for a thread.
    pub async fn find_stamped(
        &self,
        bot_token: &str,
        channel: &str,
        thread_ts: Option<&str>,
        oldest: &str,
        stamp: &Stamp,
    ) -> Result<Option<String>, SlackApiError> {
        let token = token(bot_token);
        let session = self.client.open_session(&token);
        let (method, call) = match thread_ts {
            Some(_) => (
                "conversations.replies",
                Call::Method("conversations.replies", Pace::Tier3),
            ),
            None => (
                "conversations.history",
                Call::Method("conversations.history", Pace::Tier3),
            ),
        };
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut params: Vec<(&str, Option<String>)> = vec![
                ("channel", Some(channel.to_owned())),
                ("oldest", Some(oldest.to_owned())),
                ("include_all_metadata", Some("true".to_owned())),
                ("limit", Some(PAGE_SIZE.to_owned())),
            ];
            if let Some(ts) = thread_ts {
                params.push(("ts", Some(ts.to_owned())));
            }
            if let Some(c) = cursor.take() {
                params.push(("cursor", Some(c)));
            }
            let page: Value = self
                .paced(
                    bot_token,
                    call,
                    session.http_session_api.http_get(method, &params, None),
                )
                .await?;
            let messages = page["messages"].as_array().cloned().unwrap_or_default();
            if let Some(found) = messages
                .iter()
                .find(|m| Stamp::of(m).as_ref() == Some(stamp))
            {
                return Ok(found["ts"].as_str().map(str::to_owned));
            }
            match page
                .pointer("/response_metadata/next_cursor")
                .and_then(Value::as_str)
            {
                Some(next) if !next.is_empty() => cursor = Some(next.to_owned()),
                _ => return Ok(None),
            }
        }
        Ok(None)
    }

    /// `chat.postEphemeral`: a message only `user` sees, in the channel
    /// (in a thread when `thread_ts` is given).
    pub async fn post_ephemeral(
        &self,
        bot_token: &str,
        channel: &str,
        user: &str,
        thread_ts: Option<&str>,
        content: SlackMessageContent,
    ) -> Result<(), SlackApiError> {
        let token = token(bot_token);
        let session = self.client.open_session(&token);
        let mut request = SlackApiChatPostEphemeralRequest::new(
            SlackChannelId::new(channel.to_owned()),
            SlackUserId::new(user.to_owned()),
            content,
        );
        request.thread_ts = thread_ts.map(|ts| SlackTs::new(ts.to_owned()));
        let call = Call::Method("chat.postEphemeral", Pace::Tier4);
        self.paced(bot_token, call, session.chat_post_ephemeral(&request))
            .await?;
        Ok(())
    }

    /// `reactions.add` as the app; a reaction the app has there already
    /// (`already_reacted`, a retry after a lost answer) counts as added.
    pub async fn add_reaction(
        &self,
        bot_token: &str,
        channel: &str,
        ts: &str,
        name: &str,
    ) -> Result<(), SlackApiError> {
        let token = token(bot_token);
        let session = self.client.open_session(&token);
        let request = SlackApiReactionsAddRequest::new(
            SlackChannelId::new(channel.to_owned()),
            SlackReactionName::new(name.to_owned()),
            SlackTs::new(ts.to_owned()),
        );
        let call = Call::Method("reactions.add", Pace::Tier3);
        let done = self
            .paced(bot_token, call, session.reactions_add(&request))
            .await;
        already(done, "already_reacted")
    }

    /// `reactions.remove` as the app; a reaction that is not there
    /// (`no_reaction`) counts as removed.
    pub async fn remove_reaction(
        &self,
        bot_token: &str,
        channel: &str,
        ts: &str,
        name: &str,
    ) -> Result<(), SlackApiError> {
        let token = token(bot_token);
        let session = self.client.open_session(&token);
        let request = SlackApiReactionsRemoveRequest::new(SlackReactionName::new(name.to_owned()))
            .with_channel(SlackChannelId::new(channel.to_owned()))
            .with_timestamp(SlackTs::new(ts.to_owned()));
        let call = Call::Method("reactions.remove", Pace::Tier2);
        let done = self
            .paced(bot_token, call, session.reactions_remove(&request))
            .await;
        already(done, "no_reaction")
    }
}

/// `done`, with Slack's answer `code` (the change held already) as success.
fn already<T>(done: Result<T, SlackApiError>, code: &str) -> Result<(), SlackApiError> {
    match done {
        Ok(_) => Ok(()),
        Err(SlackApiError::Slack(SlackErrorCode::Other(c))) if c == code => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_stamp_reads_back_from_a_message_and_others_do_not_match() {
        let stamp = Stamp::new(
            "hubbub_conversation_message",
            [
                ("conversation_id", "7".to_owned()),
                ("part", "root".to_owned()),
            ],
        );
        let message = json!({
            "ts": "1.2",
            "metadata": serde_json::to_value(stamp.metadata()).unwrap(),
        });
        assert_eq!(Stamp::of(&message), Some(stamp.clone()));
        let other = json!({"metadata": {"event_type": "hubbub_conversation_message",
            "event_payload": {"conversation_id": "8", "part": "root"}}});
        assert_ne!(Stamp::of(&other), Some(stamp));
        assert_eq!(Stamp::of(&json!({"ts": "1.2"})), None);
        let numbers = json!({"metadata": {"event_type": "x", "event_payload": {"n": 1}}});
        assert_eq!(Stamp::of(&numbers).unwrap().payload.len(), 0);
    }
}
