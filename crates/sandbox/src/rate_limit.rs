//! Slack's rate limits, as its docs describe them: each Web API method has
//! a tier, counted per method per workspace per app (Tier 1: 1+ a minute,
//! Tier 2: 20+, Tier 3: 50+, Tier 4: 100+, with bursts), and
//! `chat.postMessage` is special: about one message per second per channel,
//! short bursts allowed. Over the limit a call is answered HTTP 429 with
//! `Retry-After` (whole seconds) and `{"ok":false,"error":"ratelimited"}`.
//!
//! Each limit is a token bucket: it holds up to `burst` tokens, refills at
//! `per_minute / 60` tokens a second, and a call takes one. `Retry-After`
//! is the number of seconds until the next token frees, at least 1.
//!
//! This module is only the arithmetic, beneath the state that holds a
//! [`Limiter`] (`State::rate_limiter`): the Web API's dispatcher decides
//! what a call is counted for, and `faults::set_rate_limits` (through
//! `State::rate_limits`) switches all of it off for functional tests.

use std::collections::HashMap;
use std::time::Instant;

/// Slack's rate-limit tiers, per method per workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// 1+ per minute.
    One,
    /// 20+ per minute.
    Two,
    /// 50+ per minute.
    Three,
    /// 100+ per minute.
    Four,
    /// Method-specific: `chat.postMessage` allows 1 per second per channel.
    Special,
}

/// One limit: how many calls a minute, and how many may come at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    pub per_minute: f64,
    pub burst: f64,
}

/// `chat.postMessage` per channel: 1 a second, a burst of a few.
pub const POST_MESSAGE_PER_CHANNEL: Limit = Limit {
    per_minute: 60.0,
    burst: 3.0,
};

/// The limit of a tier, per method per workspace per app. The burst is
/// the per-minute figure (the docs' "occasional bursts"), except Tier 1,
/// which tolerates "a small amount" of burst: 3 calls.
pub fn tier_limit(tier: Tier) -> Limit {
    let (per_minute, burst) = match tier {
        Tier::One => (1.0, 3.0),
        Tier::Two => (20.0, 20.0),
        Tier::Three => (50.0, 50.0),
        Tier::Four => (100.0, 100.0),
        // Special methods other than a channel post: counted like Tier 4.
        Tier::Special => (100.0, 100.0),
    };
    Limit { per_minute, burst }
}

/// What a bucket is counted for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// A method, for one app in one workspace.
    Method {
        team: String,
        app: String,
        method: String,
    },
    /// Posts to one channel of a workspace.
    Channel { team: String, channel: String },
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    /// When `tokens` was last brought up to date, in seconds on the
    /// limiter's clock.
    at: f64,
}

/// The buckets of every limit, on a monotonic clock of seconds since the
/// limiter was made. The `*_at` functions take the time so tests can run
/// the clock themselves.
#[derive(Debug)]
pub struct Limiter {
    origin: Instant,
    buckets: HashMap<Key, Bucket>,
}

impl Default for Limiter {
    fn default() -> Self {
        Limiter {
            origin: Instant::now(),
            buckets: HashMap::new(),
        }
    }
}

impl Limiter {
    /// Seconds on this limiter's clock.
    pub fn now(&self) -> f64 {
        self.origin.elapsed().as_secs_f64()
    }

    /// Takes a token from `key`'s bucket at time `now`, or tells how many
    /// whole seconds until one frees (at least 1).
    pub fn take_at(&mut self, key: Key, limit: Limit, now: f64) -> Result<(), u64> {
        let rate = limit.per_minute / 60.0;
        let bucket = self.buckets.entry(key).or_insert(Bucket {
            tokens: limit.burst,
            at: now,
        });
        let elapsed = (now - bucket.at).max(0.0);
        bucket.tokens = (bucket.tokens + elapsed * rate).min(limit.burst);
        bucket.at = bucket.at.max(now);
        // A hair of tolerance: refills are sums of floats.
        if bucket.tokens >= 1.0 - 1e-9 {
            bucket.tokens = (bucket.tokens - 1.0).max(0.0);
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / rate;
            // Round up, tolerating float noise just past a whole second.
            Err(((wait - 1e-9).ceil() as u64).max(1))
        }
    }

    /// Checks a call of `method` by `team`/`app` (and, for a channel post,
    /// to `channel`) at time `now`.
    pub fn check_at(
        &mut self,
        tier: Tier,
        method: &str,
        team: &str,
        app: &str,
        channel: Option<&str>,
        now: f64,
    ) -> Result<(), u64> {
        match (tier, channel) {
            (Tier::Special, Some(channel)) => self.take_at(
                Key::Channel {
                    team: team.to_owned(),
                    channel: channel.to_owned(),
                },
                POST_MESSAGE_PER_CHANNEL,
                now,
            ),
            _ => self.take_at(
                Key::Method {
                    team: team.to_owned(),
                    app: app.to_owned(),
                    method: method.to_owned(),
                },
                tier_limit(tier),
                now,
            ),
        }
    }

    /// Forgets every bucket (limits start afresh).
    pub fn reset(&mut self) {
        self.buckets.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method_key(team: &str, method: &str) -> Key {
        Key::Method {
            team: team.into(),
            app: "A1".into(),
            method: method.into(),
        }
    }

    #[test]
    fn a_channel_allows_a_short_burst_then_one_a_second() {
        let mut l = Limiter::default();
        let post = |l: &mut Limiter, ch: &str, now: f64| {
            l.check_at(Tier::Special, "chat.postMessage", "T1", "A1", Some(ch), now)
        };
        for _ in 0..3 {
            assert_eq!(post(&mut l, "C1", 0.0), Ok(()));
        }
        assert_eq!(post(&mut l, "C1", 0.0), Err(1));
        // Another channel has its own bucket.
        assert_eq!(post(&mut l, "C2", 0.0), Ok(()));
        // A second later one token has freed, and only one.
        assert_eq!(post(&mut l, "C1", 1.0), Ok(()));
        assert_eq!(post(&mut l, "C1", 1.0), Err(1));
        assert_eq!(post(&mut l, "C1", 1.5), Err(1));
        assert_eq!(post(&mut l, "C1", 2.0), Ok(()));
        // After a quiet spell the burst is back, but no more than it.
        for _ in 0..3 {
            assert_eq!(post(&mut l, "C1", 60.0), Ok(()));
        }
        assert_eq!(post(&mut l, "C1", 60.0), Err(1));
    }

    #[test]
    fn the_same_channel_in_another_workspace_is_counted_apart() {
        let mut l = Limiter::default();
        for _ in 0..3 {
            l.check_at(
                Tier::Special,
                "chat.postMessage",
                "T1",
                "A1",
                Some("C1"),
                0.0,
            )
            .unwrap();
        }
        assert!(l
            .check_at(
                Tier::Special,
                "chat.postMessage",
                "T1",
                "A1",
                Some("C1"),
                0.0
            )
            .is_err());
        assert!(l
            .check_at(
                Tier::Special,
                "chat.postMessage",
                "T2",
                "A1",
                Some("C1"),
                0.0
            )
            .is_ok());
    }

    #[test]
    fn tier_two_allows_twenty_then_waits_for_the_refill() {
        let mut l = Limiter::default();
        for i in 0..20 {
            assert_eq!(
                l.check_at(Tier::Two, "users.list", "T1", "A1", None, 0.0),
                Ok(()),
                "call {i}"
            );
        }
        // 20 a minute: a token every 3 seconds.
        assert_eq!(
            l.check_at(Tier::Two, "users.list", "T1", "A1", None, 0.0),
            Err(3)
        );
        assert_eq!(
            l.check_at(Tier::Two, "users.list", "T1", "A1", None, 2.5),
            Err(1)
        );
        assert_eq!(
            l.check_at(Tier::Two, "users.list", "T1", "A1", None, 3.0),
            Ok(())
        );
        // Other methods, workspaces and apps are counted apart.
        assert_eq!(
            l.check_at(Tier::Two, "conversations.list", "T1", "A1", None, 3.0),
            Ok(())
        );
        assert_eq!(
            l.check_at(Tier::Two, "users.list", "T2", "A1", None, 3.0),
            Ok(())
        );
        assert_eq!(
            l.check_at(Tier::Two, "users.list", "T1", "A2", None, 3.0),
            Ok(())
        );
    }

    #[test]
    fn each_tier_has_its_documented_rate() {
        for (tier, per_minute) in [
            (Tier::One, 1.0),
            (Tier::Two, 20.0),
            (Tier::Three, 50.0),
            (Tier::Four, 100.0),
        ] {
            let limit = tier_limit(tier);
            assert_eq!(limit.per_minute, per_minute);
            let mut l = Limiter::default();
            let burst = limit.burst as usize;
            for _ in 0..burst {
                l.take_at(method_key("T1", "m"), limit, 0.0).unwrap();
            }
            let wait = l.take_at(method_key("T1", "m"), limit, 0.0).unwrap_err();
            assert_eq!(wait, (60.0 / per_minute).ceil() as u64, "{tier:?}");
            // Over a minute of steady use, about the per-minute figure gets through.
            let mut passed = 0;
            for s in 1..=60 {
                while l.take_at(method_key("T1", "m"), limit, s as f64).is_ok() {
                    passed += 1;
                }
            }
            let per_minute = per_minute as i64;
            assert!(
                (per_minute - 1..=per_minute).contains(&passed),
                "{tier:?}: {passed}"
            );
        }
    }

    #[test]
    fn tier_one_asks_for_up_to_a_minute() {
        let mut l = Limiter::default();
        let limit = tier_limit(Tier::One);
        for _ in 0..3 {
            l.take_at(method_key("T1", "m"), limit, 0.0).unwrap();
        }
        assert_eq!(l.take_at(method_key("T1", "m"), limit, 0.0), Err(60));
        assert_eq!(l.take_at(method_key("T1", "m"), limit, 59.2), Err(1));
        assert_eq!(l.take_at(method_key("T1", "m"), limit, 60.0), Ok(()));
    }

    #[test]
    fn a_clock_going_backwards_does_not_refill() {
        let mut l = Limiter::default();
        for _ in 0..3 {
            l.take_at(method_key("T1", "m"), POST_MESSAGE_PER_CHANNEL, 10.0)
                .unwrap();
        }
        assert!(l
            .take_at(method_key("T1", "m"), POST_MESSAGE_PER_CHANNEL, 5.0)
            .is_err());
        assert!(l
            .take_at(method_key("T1", "m"), POST_MESSAGE_PER_CHANNEL, 10.5)
            .is_err());
        assert!(l
            .take_at(method_key("T1", "m"), POST_MESSAGE_PER_CHANNEL, 11.0)
            .is_ok());
    }
}
