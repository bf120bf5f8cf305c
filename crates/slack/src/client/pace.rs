//! Pacing: the client keeps under Slack's published rate limits instead of
//! discovering them through 429s. Slack counts each Web API method per
//! workspace per app, by tier (Tier 2: 20+ a minute, Tier 3: 50+, Tier 4:
//! 100+, "occasional bursts" allowed), and `chat.postMessage` is special:
//! about one message per second per channel, with short bursts.
//!
//! Each limit is a [`governor`] rate limiter (GCRA, a token bucket) keyed
//! by workspace and method, or by workspace and channel for a post. The
//! workspace is the bot token's keyed hash: a token belongs to one app in
//! one workspace, which is what Slack counts, and the token itself is
//! never kept as a key. Rates are a twentieth under Slack's, so that a
//! call sent on time does not arrive early after a slower one. A tier's
//! burst is a minute's worth (Slack: "N+ per minute", bursts allowed; a
//! page that lists channels must not find them refused after four views),
//! a channel's is 3, Slack's "short bursts".
//!
//! A call that may not go yet waits, when the wait is short (up to
//! [`MAX_INLINE_WAIT`] in all); otherwise it fails at once with
//! [`SlackApiError::Paced`] carrying the wait, so that the worker postpones
//! the job instead of holding one of its slots.
//!
//! The pacer goes by the caller's clock ([`PaceClock`]), so that a test
//! that moves the hub's clock moves its pacing too. It holds per process:
//! replicas pace apart (Slack's 429s, honoured, catch the rest).

use std::hash::{BuildHasher, RandomState};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};

use super::SlackApiError;

/// The longest a call waits for the pacer before giving up with
/// [`SlackApiError::Paced`]. Above Tier 3's spacing (1.2 s), so that one
/// job making Tier 3 calls in a row goes on at Tier 3's pace.
pub const MAX_INLINE_WAIT: Duration = Duration::from_millis(1_500);

/// How many checks between two sweeps of buckets that are full again
/// (keys seen once do not pile up).
const SWEEP_EVERY: u64 = 4_096;

/// A rate limit: the spacing between calls, and how many may come at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub every: Duration,
    pub burst: u32,
}

impl Limit {
    /// `per_minute` calls a minute (paced a twentieth slower), `burst` at
    /// once.
    const fn per_minute(per_minute: u64, burst: u32) -> Limit {
        Limit {
            every: Duration::from_millis(60_000 * 21 / 20 / per_minute),
            burst,
        }
    }

    fn quota(self) -> Quota {
        let burst = NonZeroU32::new(self.burst.max(1)).expect("at least 1");
        Quota::with_period(self.every)
            .expect("a non-zero period")
            .allow_burst(burst)
    }
}

/// What a call is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// 20+ a minute (`conversations.list`, `reactions.remove`).
    Tier2,
    /// 50+ a minute (`conversations.open`, `chat.update`,
    /// `users.lookupByEmail`, `conversations.info`, `auth.revoke`,
    /// `conversations.history`, `conversations.replies`, `reactions.add`).
    Tier3,
    /// 100+ a minute (`users.info`, `chat.postEphemeral`).
    Tier4,
    /// `chat.postMessage`: one a second per channel.
    Post,
}

impl Pace {
    /// The limit the hub keeps to.
    pub const fn limit(self) -> Limit {
        match self {
            Pace::Tier2 => Limit::per_minute(20, 20),
            Pace::Tier3 => Limit::per_minute(50, 50),
            Pace::Tier4 => Limit::per_minute(100, 100),
            Pace::Post => Limit::per_minute(60, 3),
        }
    }

    const ALL: [Pace; 4] = [Pace::Tier2, Pace::Tier3, Pace::Tier4, Pace::Post];

    fn index(self) -> usize {
        self as usize
    }
}

/// One paced call: a method of a tier, or a post to a channel.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Call<'a> {
    Method(&'static str, Pace),
    Post { channel: &'a str },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Method {
        workspace: u64,
        method: &'static str,
    },
    Channel {
        workspace: u64,
        channel: String,
    },
}

/// The time the pacer goes by, since the Unix epoch.
#[derive(Clone)]
pub struct PaceClock(Arc<dyn Fn() -> Duration + Send + Sync>);

impl PaceClock {
    pub fn new(now: impl Fn() -> Duration + Send + Sync + 'static) -> PaceClock {
        PaceClock(Arc::new(now))
    }

    /// The system clock.
    pub fn system() -> PaceClock {
        PaceClock::new(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
        })
    }
}

impl Clock for PaceClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        (self.0)()
    }
}

type Limiter = RateLimiter<Key, HashMapStateStore<Key>, PaceClock, NoOpMiddleware<Duration>>;

/// Slack's limits, kept by this process.
pub struct Pacer {
    limiters: [Limiter; 4],
    clock: PaceClock,
    /// Keys the workspace hash (random per process).
    hasher: RandomState,
    checks: AtomicU64,
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer").finish_non_exhaustive()
    }
}

impl Pacer {
    pub fn new(clock: PaceClock) -> Pacer {
        let limiter =
            |pace: Pace| RateLimiter::hashmap_with_clock(pace.limit().quota(), clock.clone());
        Pacer {
            limiters: Pace::ALL.map(limiter),
            clock,
            hasher: RandomState::new(),
            checks: AtomicU64::new(0),
        }
    }

    fn key(&self, bot_token: &str, call: Call<'_>) -> (Pace, Key) {
        let workspace = self.hasher.hash_one(bot_token);
        match call {
            Call::Method(method, pace) => (pace, Key::Method { workspace, method }),
            Call::Post { channel } => (
                Pace::Post,
                Key::Channel {
                    workspace,
                    channel: channel.to_owned(),
                },
            ),
        }
    }

    /// Takes the call's place if it may go now; otherwise says how long
    /// until it may (nothing is taken).
    pub(crate) fn check(&self, bot_token: &str, call: Call<'_>) -> Result<(), Duration> {
        let (pace, key) = self.key(bot_token, call);
        let limiter = &self.limiters[pace.index()];
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            for limiter in &self.limiters {
                limiter.retain_recent();
            }
        }
        limiter
            .check_key(&key)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Waits for the call's turn when it comes within
    /// [`MAX_INLINE_WAIT`] (in all, across turns taken by other calls
    /// meanwhile); otherwise fails with [`SlackApiError::Paced`].
    pub(crate) async fn ready(&self, bot_token: &str, call: Call<'_>) -> Result<(), SlackApiError> {
        let mut waited = Duration::ZERO;
        loop {
            let wait = match self.check(bot_token, call) {
                Ok(()) => return Ok(()),
                Err(wait) => wait,
            };
            if waited + wait > MAX_INLINE_WAIT {
                return Err(SlackApiError::Paced { wait });
            }
            // At least a millisecond: the clock may be that coarse.
            let wait = wait.max(Duration::from_millis(1));
            tokio::time::sleep(wait).await;
            waited += wait;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;

    /// A pacer on a clock the test moves, in milliseconds.
    fn pacer() -> (Pacer, Arc<AtomicU64>) {
        let ms = Arc::new(AtomicU64::new(1_000_000));
        let now = ms.clone();
        let clock = PaceClock::new(move || Duration::from_millis(now.load(Ordering::Relaxed)));
        (Pacer::new(clock), ms)
    }

    fn post(channel: &str) -> Call<'_> {
        Call::Post { channel }
    }

    #[test]
    fn a_channel_takes_a_burst_of_three_then_one_a_little_over_a_second() {
        let (p, ms) = pacer();
        for _ in 0..3 {
            assert_eq!(p.check("xoxb-1", post("C1")), Ok(()));
        }
        assert_eq!(
            p.check("xoxb-1", post("C1")),
            Err(Duration::from_millis(1_050))
        );
        // Other channels, and the same channel in another workspace, are
        // counted apart.
        assert_eq!(p.check("xoxb-1", post("C2")), Ok(()));
        assert_eq!(p.check("xoxb-2", post("C1")), Ok(()));
        ms.fetch_add(1_000, Ordering::Relaxed);
        assert_eq!(
            p.check("xoxb-1", post("C1")),
            Err(Duration::from_millis(50))
        );
        ms.fetch_add(50, Ordering::Relaxed);
        assert_eq!(p.check("xoxb-1", post("C1")), Ok(()));
        assert!(p.check("xoxb-1", post("C1")).is_err());
    }

    #[test]
    fn each_tier_keeps_just_under_its_published_rate() {
        for (pace, published) in [
            (Pace::Tier2, 20),
            (Pace::Tier3, 50),
            (Pace::Tier4, 100),
            (Pace::Post, 60),
        ] {
            let (p, ms) = pacer();
            let call = match pace {
                Pace::Post => post("C1"),
                _ => Call::Method("some.method", pace),
            };
            // Over ten minutes of steady demand, checked every 10 ms.
            let mut passed = 0;
            for _ in 0..60_000 {
                if p.check("xoxb-1", call).is_ok() {
                    passed += 1;
                }
                ms.fetch_add(10, Ordering::Relaxed);
            }
            let allowed = published * 10 + pace.limit().burst as i64;
            assert!(
                passed <= allowed && passed * 100 >= allowed * 93,
                "{pace:?}: {passed} of {allowed}"
            );
        }
    }

    #[test]
    fn methods_are_counted_apart() {
        let (p, _) = pacer();
        let open = Call::Method("conversations.open", Pace::Tier3);
        let lookup = Call::Method("users.lookupByEmail", Pace::Tier3);
        for _ in 0..Pace::Tier3.limit().burst {
            p.check("xoxb-1", open).unwrap();
        }
        assert!(p.check("xoxb-1", open).is_err());
        assert_eq!(p.check("xoxb-1", lookup), Ok(()));
    }

    #[tokio::test]
    async fn a_long_wait_is_not_awaited_but_said() {
        let (p, _) = pacer();
        let list = Call::Method("conversations.list", Pace::Tier2);
        for _ in 0..Pace::Tier2.limit().burst {
            p.ready("xoxb-1", list).await.unwrap();
        }
        match p.ready("xoxb-1", list).await {
            Err(SlackApiError::Paced { wait }) => assert_eq!(wait, Duration::from_millis(3_150)),
            other => panic!("{other:?}"),
        }
    }
}
