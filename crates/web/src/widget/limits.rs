//! How often one visitor, and one network address, may write to the web
//! chat: enough for a person typing fast, far too little for a script
//! flooding an inbox. Counted in memory per process (governor's GCRA):
//! several replicas each allow as much.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// The web chat's rate limits (or none, for load tests).
#[derive(Clone)]
pub struct WidgetLimits {
    limiters: Option<Arc<Limiters>>,
}

struct Limiters {
    writes_per_visitor: DefaultKeyedRateLimiter<String>,
    writes_per_address: DefaultKeyedRateLimiter<IpAddr>,
    acks_per_visitor: DefaultKeyedRateLimiter<String>,
    streams_per_address: DefaultKeyedRateLimiter<IpAddr>,
}

fn per_minute(n: u32, burst: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).expect("a positive rate"))
        .allow_burst(NonZeroU32::new(burst).expect("a positive burst"))
}

impl Default for WidgetLimits {
    /// A visitor writes up to 20 messages a minute (10 at once); an
    /// address, shared by an office behind one router, 120 (60 at once),
    /// and opens up to 120 live streams a minute.
    fn default() -> Self {
        WidgetLimits {
            limiters: Some(Arc::new(Limiters {
                writes_per_visitor: RateLimiter::keyed(per_minute(20, 10)),
                writes_per_address: RateLimiter::keyed(per_minute(120, 60)),
                acks_per_visitor: RateLimiter::keyed(per_minute(120, 30)),
                streams_per_address: RateLimiter::keyed(per_minute(120, 60)),
            })),
        }
    }
}

/// The visitor's key in the limiters: the first characters of their
/// secret are theirs alone, and keep the map small.
fn visitor_key(secret: &str) -> String {
    secret.chars().take(16).collect()
}

fn wait_of(not_until: governor::NotUntil<<DefaultClock as Clock>::Instant>) -> Duration {
    not_until.wait_time_from(DefaultClock::default().now())
}

impl WidgetLimits {
    /// No limits: for load tests only.
    pub fn unlimited() -> Self {
        WidgetLimits { limiters: None }
    }

    /// `Err(wait)` when the visitor or the address wrote too much.
    pub fn check_write(&self, address: IpAddr, secret: &str) -> Result<(), Duration> {
        let Some(l) = &self.limiters else {
            return Ok(());
        };
        l.writes_per_address.check_key(&address).map_err(wait_of)?;
        l.writes_per_visitor
            .check_key(&visitor_key(secret))
            .map_err(wait_of)
    }

    pub fn check_ack(&self, _address: IpAddr, secret: &str) -> Result<(), Duration> {
        let Some(l) = &self.limiters else {
            return Ok(());
        };
        l.acks_per_visitor
            .check_key(&visitor_key(secret))
            .map_err(wait_of)
    }

    pub fn check_stream(&self, address: IpAddr) -> Result<(), Duration> {
        let Some(l) = &self.limiters else {
            return Ok(());
        };
        l.streams_per_address.check_key(&address).map_err(wait_of)
    }

    /// Forgets keys whose limits are back to full (call now and then, so
    /// that the maps hold only recent visitors).
    pub fn forget_idle(&self) {
        if let Some(l) = &self.limiters {
            l.writes_per_visitor.retain_recent();
            l.writes_per_address.retain_recent();
            l.acks_per_visitor.retain_recent();
            l.streams_per_address.retain_recent();
        }
    }
}

/// 429, with when to try again.
pub fn too_many(wait: Duration) -> Response {
    let seconds = wait.as_secs().max(1);
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        Json(serde_json::json!({
            "error": "rate_limited",
            "message": format!("Too many messages at once. Try again in {seconds} seconds."),
        })),
    )
        .into_response();
    if let Ok(value) = HeaderValue::try_from(seconds.to_string()) {
        response.headers_mut().insert("retry-after", value);
    }
    response
}
