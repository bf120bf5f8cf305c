//! The time the use cases go by. It is the system clock, shifted by an
//! offset that only tests move: a test sees a 24-hour expiry pass, or a
//! day of Slack event ids pruned, without waiting or editing stored rows.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hubbub_hub::timestamp::{now_millis, Millis};
use hubbub_slack::client::PaceClock;

#[derive(Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> Millis {
        now_millis() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// This clock as the Slack client's pacer reads it.
    pub fn pace_clock(&self) -> PaceClock {
        let clock = self.clone();
        PaceClock::new(move || Duration::from_millis(u64::try_from(clock.now()).unwrap_or(0)))
    }

    /// Moves this clock `by` into the future (tests).
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}
