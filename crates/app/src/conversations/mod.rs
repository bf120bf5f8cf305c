//! Conversations: a website visitor chats through an inbox's widget
//! ([`widget`]), the team answers from the hub's inbox page, the API or
//! the conversation's Slack thread ([`inbox`]), and the visitor's open
//! widget is told at once ([`live`]).
//!
//! Every change commits, in one transaction, with what it causes: the
//! events the widget is told ([`events`], resumable by id), the job that
//! brings the Slack thread up to date ([`crate::jobs::Job::SyncThread`]),
//! the mail to a visitor who has gone away, and the live push to other
//! replicas.
//!
//! The Slack side: the job that keeps each conversation's thread
//! ([`slack_thread`]), replies written in the thread ([`from_slack`]), the
//! root message's buttons ([`slack_buttons`]), and the channel the app
//! lost and found again ([`slack_channel`]).

pub mod events;
mod from_slack;
mod inbox;
pub mod live;
mod slack_buttons;
mod slack_channel;
mod slack_thread;
mod widget;

pub use inbox::{Reply, ReplySender};
pub(crate) use slack_buttons::ThreadButton;
pub use slack_thread::STAMP_EVENT_TYPE;
pub use widget::{FirstContact, VisitorWrote, WidgetInbox, WidgetRefused};

use hubbub_store::{add_event_on, notify_live_on, AnyConnection, Conversation, InboxSlackStatus};

use crate::jobs::Job;
use crate::{App, Result};

/// How long an agent's reply waits for the visitor's widget before it is
/// mailed to the visitor (when they left an email).
pub const VISITOR_MAIL_DELAY_MS: i64 = 2 * 60 * 1000;

impl App {
    /// Whether the inbox's conversations go to Slack now: the switch is on,
    /// a channel is chosen and the workspace is connected.
    pub(crate) async fn inbox_posts_to_slack(
        &self,
        account_id: i64,
        inbox_id: i64,
    ) -> Result<bool> {
        Ok(
            match self
                .store()
                .inbox_slack_status(account_id, inbox_id)
                .await?
            {
                InboxSlackStatus::Live {
                    setting: Some(setting),
                    ..
                } => setting.choice.enabled && setting.choice.channel.is_some(),
                _ => false,
            },
        )
    }

    /// Tells the conversation's widget `event` (stored, so that a widget
    /// that reconnects gets it), on the change's transaction.
    pub(crate) async fn tell_widget_on(
        &self,
        conn: &mut AnyConnection,
        conversation_id: i64,
        event: &events::WidgetEvent,
    ) -> Result<()> {
        add_event_on(
            conn,
            conversation_id,
            event.kind(),
            &event.payload(),
            self.now(),
        )
        .await?;
        notify_live_on(conn, self.store().backend(), conversation_id).await?;
        Ok(())
    }

    /// Enqueues the job that brings the conversation's Slack thread up to
    /// date, when the conversation has or will have one, and no such job
    /// waits already (a burst of messages makes one job, not one each).
    pub(crate) async fn sync_thread_on(
        &self,
        conn: &mut AnyConnection,
        conversation: &Conversation,
        posts_to_slack: bool,
    ) -> Result<()> {
        if posts_to_slack || conversation.thread.is_some() {
            Job::SyncThread {
                conversation_id: conversation.id,
            }
            .enqueue_unless_queued_on(conn, conversation.account_id)
            .await?;
        }
        Ok(())
    }

    /// After a commit: wakes this process's open widgets and its worker.
    pub(crate) fn after_conversation_change(&self, conversation_id: i64) {
        self.live().push(conversation_id);
        self.wake_worker();
    }

    /// Relays other replicas' live pushes to this process's widgets
    /// (PostgreSQL; on SQLite there is one process, and this returns at
    /// once). Runs until the process ends, reconnecting after a failure.
    pub async fn relay_live_pushes(self) {
        loop {
            match self.store().listen_live().await {
                Ok(None) => return,
                Ok(Some(mut listener)) => loop {
                    match listener.recv().await {
                        Ok(n) => {
                            if let Ok(id) = n.payload().parse::<i64>() {
                                self.live().push(id);
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "live push listener lost; reconnecting");
                            break;
                        }
                    }
                },
                Err(e) => tracing::warn!(error = %e, "live push listener could not start"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    }
}
