//! A conversation's Slack thread, from the hub's side: the job that posts
//! the root message once, the messages not yet there, in order, redraws
//! the root with the conversation's status and shows each answer's
//! delivery as a reaction.
//!
//! Exactly once, whatever Slack does:
//! - One job at a time works on a conversation's thread (its Slack lock);
//!   another one that finds it held runs again shortly, so that a burst of
//!   first messages opens one thread and nothing queued meanwhile waits
//!   for a later message.
//! - Everything the hub posts carries Slack's message metadata
//!   ([`Stamp`]) naming the conversation and the message, and is marked as
//!   tried before it is sent. A post whose answer was lost (a timeout, a
//!   crash) is looked for by its stamp before it is sent again.
//! - Slack down or rate limiting fails or postpones the job with the rest
//!   still pending; the job's retry goes on from there.
//! - A channel the app lost (archived, the app removed) stops the job with
//!   the work left pending, and tells the admins once
//!   ([`super::slack_channel`]).

use std::time::Duration;

use hubbub_hub::conversation::{Author, Delivery, Status};
use hubbub_hub::timestamp::Millis;
use hubbub_hub::ObjectType;
use hubbub_slack::{PostedMessage, SlackApiError, SlackErrorCode, Stamp, StampedPost};
use hubbub_store::{ChannelLoss, Conversation, Message, RootTried, SlackThread, Visitor};

use crate::jobs::JobError;
use crate::slack::messages::{self, ConversationRoot, ThreadMessage, ThreadStatus};
use crate::slack::workspace::LiveWorkspace;
use crate::{App, Result};

/// How long a job holds a conversation's thread; renewed before each call
/// to Slack, so that it runs out only when the job died.
const LOCK_MS: Millis = 60_000;
/// How soon a job that found the thread held runs again.
const BUSY_WAIT: Duration = Duration::from_millis(500);
/// How far back a stamped message is looked for, before the time it was
/// sent (the hub's clock and Slack's may differ a little).
const LOOK_BACK_MS: Millis = 3_600_000;

/// The metadata event type of everything the hub posts for a conversation.
pub const STAMP_EVENT_TYPE: &str = "hubbub_conversation_message";

/// What part of a conversation a stamped message is.
fn stamp(conversation_id: i64, part: &str, message_id: Option<i64>) -> Stamp {
    let mut pairs = vec![
        ("conversation_id", conversation_id.to_string()),
        ("part", part.to_owned()),
    ];
    if let Some(id) = message_id {
        pairs.push(("message_id", id.to_string()));
    }
    Stamp::new(STAMP_EVENT_TYPE, pairs)
}

/// Whether a message (as an event carries it) is one the hub posted.
pub(crate) fn is_stamped_by_hub(message: &serde_json::Value) -> bool {
    Stamp::of(message).is_some_and(|s| s.event_type == STAMP_EVENT_TYPE)
}

/// A Slack `ts` no later than `at` minus [`LOOK_BACK_MS`].
fn oldest_ts(at: Millis) -> String {
    let ms = (at - LOOK_BACK_MS).max(0);
    format!("{}.{:06}", ms / 1000, (ms % 1000) * 1000)
}

/// The reaction that shows a delivery in the thread.
fn reaction(delivery: Delivery) -> Option<&'static str> {
    match delivery {
        Delivery::Sent => None,
        Delivery::Delivered => Some("white_check_mark"),
        Delivery::Seen => Some("eyes"),
        Delivery::Failed => Some("x"),
    }
}

/// The sync stops here: the channel is lost (recorded, admins told), and
/// what is left waits for the app to be back.
struct ChannelGone;

/// One sync of one conversation's thread.
struct Sync<'a> {
    app: &'a App,
    live: &'a LiveWorkspace,
    account_id: i64,
    conversation: Conversation,
    visitor: Visitor,
}

impl App {
    /// Job: brings the conversation's thread up to date.
    pub(crate) async fn sync_thread(
        &self,
        account_id: i64,
        conversation_id: i64,
    ) -> Result<(), JobError> {
        let store = self.store();
        let now = self.now();
        if !store
            .lock_conversation_for_slack(conversation_id, now, now + LOCK_MS)
            .await?
        {
            return Err(JobError::Busy { wait: BUSY_WAIT });
        }
        let synced = self.sync_locked(account_id, conversation_id).await;
        if let Err(e) = store.unlock_conversation_for_slack(conversation_id).await {
            // It runs out by itself.
            tracing::warn!(conversation_id, error = %e, "could not release a conversation's Slack lock");
        }
        synced
    }

    async fn sync_locked(&self, account_id: i64, conversation_id: i64) -> Result<(), JobError> {
        let Some(live) = self.live_workspace(account_id).await? else {
            // Disconnected: everything waits for the workspace to be back.
            return Ok(());
        };
        let store = self.store();
        let conversation = store.conversation(account_id, conversation_id).await?;
        let visitor = store.visitor(account_id, conversation.visitor_id).await?;
        let sync = Sync {
            app: self,
            live: &live,
            account_id,
            conversation,
            visitor,
        };
        match sync.run().await {
            Ok(Ok(())) | Ok(Err(ChannelGone)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The channel the inbox's new conversations go to, when its Slack
    /// switch is on and the workspace connected.
    async fn inbox_channel(&self, account_id: i64, inbox_id: i64) -> Result<Option<String>> {
        Ok(
            match self
                .store()
                .inbox_slack_status(account_id, inbox_id)
                .await?
            {
                hubbub_store::InboxSlackStatus::Live {
                    setting: Some(setting),
                    ..
                } if setting.choice.enabled => setting.choice.channel.map(|c| c.id),
                _ => None,
            },
        )
    }

    /// The conversation's root message as it stands.
    async fn root_content(
        &self,
        conversation: &Conversation,
        visitor: &Visitor,
    ) -> Result<hubbub_slack::SlackMessageContent> {
        let account_id = conversation.account_id;
        let store = self.store();
        let inbox = store.inbox(account_id, conversation.inbox_id).await?;
        let status = match (conversation.status, conversation.assignee_id) {
            (Status::Closed, _) => ThreadStatus::Closed,
            (Status::Open, Some(user_id)) => {
                ThreadStatus::AssignedTo(store.user(account_id, user_id).await?.display_name())
            }
            (Status::Open, None) => ThreadStatus::Unassigned,
        };
        let contact_url = match conversation.contact_id.or(visitor.contact_id) {
            Some(id) => Some(
                self.config()
                    .parsed_url(&ObjectType::Contact.record_path(id))?,
            ),
            None => None,
        };
        Ok(messages::conversation_root(&ConversationRoot {
            conversation_id: conversation.id,
            visitor: visitor
                .name
                .as_deref()
                .unwrap_or(messages::ANONYMOUS_VISITOR),
            email: visitor.email.as_deref(),
            page_url: conversation.page_url.as_deref(),
            inbox: &inbox.name,
            contact_url,
            status,
        }))
    }
}

type Step<T> = Result<Result<T, ChannelGone>, JobError>;

impl Sync<'_> {
    fn team_id(&self) -> &str {
        &self.live.connection.team_id
    }

    fn id(&self) -> i64 {
        self.conversation.id
    }

    async fn run(&self) -> Step<()> {
        let thread = match self.conversation.thread.clone() {
            Some(t) if t.team_id == self.team_id() => t,
            // No root yet, or one in a workspace the account left.
            _ => match self.open_thread().await? {
                Ok(Some(t)) => t,
                Ok(None) => return Ok(Ok(())),
                Err(gone) => return Ok(Err(gone)),
            },
        };
        if self.is_lost(&thread.channel_id).await? {
            return Ok(Err(ChannelGone));
        }
        if let Err(gone) = self.post_pending(&thread).await? {
            return Ok(Err(gone));
        }
        if let Err(gone) = self.redraw_root(&thread).await? {
            return Ok(Err(gone));
        }
        self.show_deliveries(&thread).await
    }

    async fn is_lost(&self, channel_id: &str) -> Result<bool> {
        Ok(self
            .app
            .store()
            .slack_channel_loss(self.account_id, self.team_id(), channel_id)
            .await?
            .is_some())
    }

    /// Keeps the thread's lock for the next call to Slack.
    async fn renew(&self) -> Result<()> {
        let until = self.app.now() + LOCK_MS;
        Ok(self
            .app
            .store()
            .renew_conversation_lock(self.id(), until)
            .await?)
    }

    /// A call to Slack in `channel`: its result, or [`ChannelGone`] when
    /// Slack says the app can no longer post there (recorded, the admins
    /// told once).
    async fn in_channel<T>(
        &self,
        channel_id: &str,
        result: std::result::Result<T, SlackApiError>,
    ) -> Step<T> {
        match self.app.check_bot_call(self.account_id, result).await {
            Ok(v) => Ok(Ok(v)),
            Err(SlackApiError::Slack(code)) if code.is_channel_lost() => {
                let loss = match code {
                    SlackErrorCode::IsArchived => ChannelLoss::Archived,
                    _ => ChannelLoss::Removed,
                };
                self.app
                    .slack_channel_lost(self.account_id, self.team_id(), channel_id, loss)
                    .await?;
                Ok(Err(ChannelGone))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The root message, posted once: found by its stamp when an earlier
    /// post's answer was lost, else posted to the inbox's channel.
    /// `Ok(None)`: the inbox posts nowhere now.
    async fn open_thread(&self) -> Step<Option<SlackThread>> {
        let store = self.app.store();
        let api = self.app.slack_api();
        let root = stamp(self.id(), "root", None);
        let tried = store
            .root_tried(self.id())
            .await?
            .filter(|t| t.team_id == self.team_id());
        if let Some(tried) = tried {
            if !self.is_lost(&tried.channel_id).await? {
                self.renew().await?;
                let oldest = oldest_ts(self.conversation.created_at);
                let found = api
                    .find_stamped(&self.live.token, &tried.channel_id, None, &oldest, &root)
                    .await;
                match self.in_channel(&tried.channel_id, found).await? {
                    Ok(Some(ts)) => {
                        let thread = SlackThread {
                            team_id: tried.team_id,
                            channel_id: tried.channel_id,
                            root_ts: ts,
                        };
                        // What it shows is not known: drawn again below.
                        store.set_slack_thread(self.id(), &thread, -1).await?;
                        return Ok(Ok(Some(thread)));
                    }
                    Ok(None) => {}
                    Err(gone) => return Ok(Err(gone)),
                }
            }
        }
        let Some(channel_id) = self
            .app
            .inbox_channel(self.account_id, self.conversation.inbox_id)
            .await?
        else {
            return Ok(Ok(None));
        };
        if self.is_lost(&channel_id).await? {
            return Ok(Err(ChannelGone));
        }
        let content = self
            .app
            .root_content(&self.conversation, &self.visitor)
            .await?;
        self.renew().await?;
        store
            .mark_root_tried(
                self.id(),
                &RootTried {
                    team_id: self.team_id().to_owned(),
                    channel_id: channel_id.clone(),
                },
            )
            .await?;
        let posted = api
            .post_stamped(
                &self.live.token,
                StampedPost {
                    channel: &channel_id,
                    thread_ts: None,
                    username: None,
                    content,
                    stamp: &root,
                },
            )
            .await;
        let posted = match self.in_channel(&channel_id, posted).await? {
            Ok(posted) => posted,
            Err(gone) => return Ok(Err(gone)),
        };
        let thread = SlackThread {
            team_id: self.team_id().to_owned(),
            channel_id: posted.channel,
            root_ts: posted.ts,
        };
        store
            .set_slack_thread(self.id(), &thread, self.conversation.version)
            .await?;
        Ok(Ok(Some(thread)))
    }

    /// Every message not yet in the thread, in order; one sent before
    /// without an answer is looked for first.
    async fn post_pending(&self, thread: &SlackThread) -> Step<()> {
        let store = self.app.store();
        let api = self.app.slack_api();
        for pending in store.pending_posts(self.id()).await? {
            let message = &pending.message;
            let stamp = stamp(self.id(), "message", Some(message.id));
            self.renew().await?;
            if let Some(tried_at) = pending.tried_at {
                let found = api
                    .find_stamped(
                        &self.live.token,
                        &thread.channel_id,
                        Some(&thread.root_ts),
                        &oldest_ts(tried_at),
                        &stamp,
                    )
                    .await;
                match self.in_channel(&thread.channel_id, found).await? {
                    Ok(Some(ts)) => {
                        store.mark_posted_to_slack(message.id, &ts).await?;
                        continue;
                    }
                    Ok(None) => {}
                    Err(gone) => return Ok(Err(gone)),
                }
            }
            let ThreadMessage { username, content } = self.in_thread(message).await?;
            store.mark_post_tried(message.id, self.app.now()).await?;
            let posted = api
                .post_stamped(
                    &self.live.token,
                    StampedPost {
                        channel: &thread.channel_id,
                        thread_ts: Some(&thread.root_ts),
                        username: Some(&username),
                        content,
                        stamp: &stamp,
                    },
                )
                .await;
            match self.in_channel(&thread.channel_id, posted).await? {
                Ok(posted) => store.mark_posted_to_slack(message.id, &posted.ts).await?,
                Err(gone) => return Ok(Err(gone)),
            }
        }
        Ok(Ok(()))
    }

    /// A message as the thread shows it: the visitor's under their name,
    /// an agent's under theirs, a note marked private.
    async fn in_thread(&self, message: &Message) -> Result<ThreadMessage> {
        let agent = match message.user_id {
            Some(id) => self
                .app
                .store()
                .user(self.account_id, id)
                .await?
                .display_name(),
            None => "The team".to_owned(),
        };
        Ok(match message.author {
            Author::Visitor => messages::visitor_said(
                self.visitor
                    .name
                    .as_deref()
                    .unwrap_or(messages::ANONYMOUS_VISITOR),
                &message.text,
            ),
            Author::Agent => messages::agent_said(&agent, &message.text),
            Author::Note => messages::private_note(&agent, &message.text),
        })
    }

    /// The root message drawn again when the conversation changed since
    /// it was drawn.
    async fn redraw_root(&self, thread: &SlackThread) -> Step<()> {
        let store = self.app.store();
        let now = store.conversation(self.account_id, self.id()).await?;
        if now.version <= now.slack_drawn_version {
            return Ok(Ok(()));
        }
        let content = self.app.root_content(&now, &self.visitor).await?;
        self.renew().await?;
        let root = PostedMessage {
            channel: thread.channel_id.clone(),
            ts: thread.root_ts.clone(),
        };
        let updated = self
            .app
            .slack_api()
            .update_message(&self.live.token, &root, content)
            .await;
        let updated = match updated {
            // Someone deleted the root: there is nothing to redraw.
            Err(SlackApiError::Slack(SlackErrorCode::Other(code)))
                if code == "message_not_found" =>
            {
                Ok(())
            }
            other => other,
        };
        match self.in_channel(&thread.channel_id, updated).await? {
            Ok(()) => {
                store
                    .set_slack_drawn_version(self.id(), now.version)
                    .await?
            }
            Err(gone) => return Ok(Err(gone)),
        }
        Ok(Ok(()))
    }

    /// Each answer's reaction moved to its delivery (delivered, seen,
    /// failed); a failure also says why in the thread.
    async fn show_deliveries(&self, thread: &SlackThread) -> Step<()> {
        let store = self.app.store();
        let api = self.app.slack_api();
        let token = &self.live.token;
        let channel = &thread.channel_id;
        for message in store.reactions_behind(self.id()).await? {
            let (Some(ts), Some(delivery)) = (message.slack_ts.as_deref(), message.delivery) else {
                continue;
            };
            self.renew().await?;
            if let Some(old) = message.slack_delivery_shown.and_then(reaction) {
                let removed = api.remove_reaction(token, channel, ts, old).await;
                if let Err(gone) = self.in_channel(channel, removed).await? {
                    return Ok(Err(gone));
                }
            }
            if let Some(new) = reaction(delivery) {
                let added = api.add_reaction(token, channel, ts, new).await;
                if let Err(gone) = self.in_channel(channel, added).await? {
                    return Ok(Err(gone));
                }
            }
            if delivery == Delivery::Failed {
                let reason = message
                    .delivery_reason
                    .as_deref()
                    .unwrap_or("no reason was given");
                let posted = api
                    .post_stamped(
                        token,
                        StampedPost {
                            channel,
                            thread_ts: Some(&thread.root_ts),
                            username: None,
                            content: messages::delivery_failed(reason),
                            stamp: &stamp(self.id(), "delivery_failed", Some(message.id)),
                        },
                    )
                    .await;
                if let Err(gone) = self.in_channel(channel, posted).await? {
                    return Ok(Err(gone));
                }
            }
            store.set_slack_delivery_shown(message.id, delivery).await?;
        }
        Ok(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_name_the_conversation_and_the_message() {
        let s = stamp(4, "message", Some(9));
        assert_eq!(s.event_type, STAMP_EVENT_TYPE);
        assert_eq!(s.payload["conversation_id"], "4");
        assert_eq!(s.payload["message_id"], "9");
        assert_ne!(s, stamp(4, "message", Some(10)));
        assert_ne!(stamp(4, "root", None), stamp(5, "root", None));
    }

    #[test]
    fn the_oldest_ts_looked_at_is_an_hour_before() {
        assert_eq!(oldest_ts(3_600_000 + 1_500), "1.500000");
        assert_eq!(oldest_ts(5), "0.000000");
    }
}
