//! Live pushes to open widgets, in this process: each open widget holds a
//! [`Subscription`] to its conversation and wakes when the conversation
//! has news, then reads the news from the store (so that a push can never
//! carry what the store does not hold, and a missed wake loses nothing:
//! the next read finds it). Other replicas' news arrives through the
//! store's listener ([`crate::App::relay_live_pushes`]).
//!
//! The typing indicator is the one thing not stored: it is only worth
//! showing while it is true.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hubbub_hub::timestamp::Millis;
use tokio::sync::watch;

/// What wakes a widget: a count of pushes, and who is typing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pulse {
    pub pushes: u64,
    pub typing: Option<Typing>,
}

/// An agent typing in the hub, shown until `until`.
#[derive(Debug, Clone, PartialEq)]
pub struct Typing {
    pub name: String,
    pub until: Millis,
}

/// The open widgets of this process, by conversation.
#[derive(Default)]
pub struct Live {
    conversations: Mutex<HashMap<i64, watch::Sender<Pulse>>>,
}

/// One open widget's wake-ups; dropping it forgets the conversation when
/// no other widget has it open.
pub struct Subscription {
    live: Arc<Live>,
    conversation_id: i64,
    pub receiver: watch::Receiver<Pulse>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut conversations = self.live.lock();
        if let Some(sender) = conversations.get(&self.conversation_id) {
            // This subscription's receiver is still counted while it drops.
            if sender.receiver_count() <= 1 {
                conversations.remove(&self.conversation_id);
            }
        }
    }
}

impl Live {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, watch::Sender<Pulse>>> {
        self.conversations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn subscribe(self: &Arc<Self>, conversation_id: i64) -> Subscription {
        let receiver = self
            .lock()
            .entry(conversation_id)
            .or_insert_with(|| watch::channel(Pulse::default()).0)
            .subscribe();
        Subscription {
            live: self.clone(),
            conversation_id,
            receiver,
        }
    }

    /// Wakes the conversation's open widgets, if any.
    pub fn push(&self, conversation_id: i64) {
        if let Some(sender) = self.lock().get(&conversation_id) {
            sender.send_modify(|p| p.pushes += 1);
        }
    }

    /// Shows (or, with `None`, hides) who is typing.
    pub fn typing(&self, conversation_id: i64, typing: Option<Typing>) {
        if let Some(sender) = self.lock().get(&conversation_id) {
            sender.send_if_modified(|p| {
                let changed = p.typing != typing;
                p.typing = typing;
                changed
            });
        }
    }

    /// Ends every open widget's stream (the process is stopping; the
    /// widgets reconnect and resume where they were).
    pub fn close_all(&self) {
        self.lock().clear();
    }

    /// How many conversations have an open widget here.
    pub fn open_conversations(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_push_wakes_the_subscribers_and_the_last_one_out_forgets() {
        let live = Arc::new(Live::default());
        let mut a = live.subscribe(7);
        let b = live.subscribe(7);
        live.push(7);
        a.receiver.changed().await.unwrap();
        assert_eq!(a.receiver.borrow_and_update().pushes, 1);
        drop(b);
        assert_eq!(live.open_conversations(), 1);
        drop(a);
        assert_eq!(live.open_conversations(), 0);
        live.push(7);
    }
}
