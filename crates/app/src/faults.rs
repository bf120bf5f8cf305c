//! Failures injected on purpose, where a crash would hurt most, so that
//! tests can show nothing is lost or applied twice. Nothing sets them in
//! production; each is a counter of how many times to fail.

use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Default)]
pub struct Faults {
    before_event_commit: AtomicU32,
}

impl Faults {
    /// The next `times` Slack events fail after all their effects are
    /// written and before their transaction commits, as if the hub
    /// crashed there.
    pub fn fail_before_event_commit(&self, times: u32) {
        self.before_event_commit.store(times, Ordering::SeqCst);
    }

    /// Whether this event must fail now (and counts it).
    pub(crate) fn take_before_event_commit(&self) -> bool {
        self.before_event_commit
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }
}
