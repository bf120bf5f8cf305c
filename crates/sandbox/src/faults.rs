//! Injected faults: rules set through the control API (or by a test on
//! the state) that make the sandbox misbehave the way Slack sometimes does.
//!
//! A [`Fault`] applies to one Web API method, or to all with `*`:
//! - `error`: the call answers HTTP 200 `{"ok":false,"error":…}`;
//! - `status`: the call answers that bare HTTP status (500, 503, …) with no
//!   body; it wins over `error` when both are set;
//! - `retry_after`: the call answers Slack's 429 (`ratelimited`, with that
//!   `Retry-After` in seconds), as over a rate limit; it wins over both;
//! - `delay_ms`: the call waits that long first, then goes on normally (or
//!   answers the error/status above when one is set too);
//! - `lose_answer`: the call takes effect, then its connection is closed
//!   without the answer, as when the network fails after Slack did the
//!   work (the client cannot tell whether it happened);
//! - `until` (seconds since the epoch): an outage. Until then the sandbox is
//!   unreachable: every request (Web API, OAuth, the web page; with a
//!   method other than `*`, only that method's `/api/…` calls) has its
//!   connection closed without any answer, as when a host goes away. The
//!   control API (`/control/…`) stays usable so a test can end the outage.
//!   The fault is dropped once its time has passed.
//! - `times`: how many calls (or, for an outage, requests) it affects; it
//!   counts down and the fault is removed at zero. `None`: until cleared.
//!
//! When several faults match a call, the first one added decides.
//!
//! What a fault answers is said here in its own terms ([`Injected`]); the
//! Web API's dispatcher, above this module, turns it into Slack's answer.
//! Also here: [`set_rate_limits`], the other switch of misbehaviour a test
//! flips.
//!
//! How "unreachable" is done: [`drop_when_unreachable`] is a middleware
//! around the whole router that answers with a response whose body fails on
//! its first read. Hyper then aborts the connection before it has flushed
//! anything, so the client sees the connection closed (or reset) with no
//! HTTP response at all, like a server that went away mid-request. A fresh
//! connection is accepted, as a load balancer would, and dropped the same
//! way.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State as AxumState};
use axum::middleware::Next;
use axum::response::Response;

use crate::ids::now_secs;
use crate::sandbox::Sandbox;
use crate::state::{Fault, State};

/// Paths that keep answering during an outage: the control API, so tests
/// can clear it.
const ALWAYS_REACHABLE: &[&str] = &["/control"];

/// How a fault makes a call fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Injected {
    /// HTTP 200 with `{"ok":false,"error":…}`.
    Error(String),
    /// A bare HTTP status.
    Status(u16),
    /// Slack's 429 with `Retry-After` (seconds).
    RateLimited(u64),
    /// Not a failure of the call: it goes on, and its answer is lost.
    AnswerLost,
}

/// Turns Slack's rate limits on or off (the control API's switch). Turning
/// them on starts every bucket full.
pub fn set_rate_limits(state: &mut State, on: bool) {
    if on && !state.rate_limits {
        state.rate_limiter.reset();
    }
    state.rate_limits = on;
}

/// Adds a fault, after checking it does something: it needs one of
/// `error`, `status` (an HTTP status 100-599), `delay_ms` or `until`.
pub fn add_fault(state: &mut State, fault: Fault) -> Result<(), String> {
    if fault.method.is_empty() {
        return Err("a fault needs a method, or `*` for all".into());
    }
    if let Some(status) = fault.status {
        if !(100..=599).contains(&status) {
            return Err(format!("{status} is not an HTTP status"));
        }
    }
    if fault.error.is_none()
        && fault.status.is_none()
        && fault.retry_after.is_none()
        && fault.delay_ms.is_none()
        && fault.until.is_none()
        && !fault.lose_answer
    {
        return Err(
            "a fault needs one of error, status, retry_after, delay_ms, until or lose_answer"
                .into(),
        );
    }
    if fault.times == Some(0) {
        return Err("times must be at least 1".into());
    }
    state.faults.push(fault);
    Ok(())
}

/// Removes every fault (rate limits are left as they are).
pub fn clear_faults(state: &mut State) {
    state.faults.clear();
}

/// Makes the whole sandbox unreachable for `duration` from now.
pub fn outage(state: &mut State, duration: Duration) {
    state.faults.push(Fault {
        method: "*".into(),
        error: None,
        status: None,
        retry_after: None,
        delay_ms: None,
        until: Some(now_secs() + duration.as_secs_f64()),
        times: None,
        lose_answer: false,
    });
}

fn matches(fault: &Fault, method: &str) -> bool {
    fault.method == "*" || fault.method == method
}

/// Counts one use of the fault at `index`, removing it when used up.
fn use_fault(state: &mut State, index: usize) {
    let fault = &mut state.faults[index];
    if let Some(times) = fault.times.as_mut() {
        *times = times.saturating_sub(1);
        if *times == 0 {
            state.faults.remove(index);
        }
    }
}

/// Drops outages that are over.
fn expire(state: &mut State, now: f64) {
    state
        .faults
        .retain(|f| f.until.is_none_or(|until| until > now));
}

/// What a call of `method` runs into at `now`: how long to wait first, and
/// the error to answer with (none: carry on). Outages are not handled here
/// but by [`drop_when_unreachable`].
pub fn decide(state: &mut State, method: &str, now: f64) -> (Option<Duration>, Option<Injected>) {
    expire(state, now);
    let Some(index) = state
        .faults
        .iter()
        .position(|f| f.until.is_none() && matches(f, method))
    else {
        return (None, None);
    };
    let fault = state.faults[index].clone();
    use_fault(state, index);
    let delay = fault.delay_ms.map(Duration::from_millis);
    let error = match (fault.retry_after, fault.status, fault.error) {
        (Some(secs), _, _) => Some(Injected::RateLimited(secs)),
        (None, Some(status), _) => Some(Injected::Status(status)),
        (None, None, Some(error)) => Some(Injected::Error(error)),
        (None, None, None) if fault.lose_answer => Some(Injected::AnswerLost),
        (None, None, None) => None,
    };
    (delay, error)
}

/// The fault to answer a call of `method` with, if one applies; waits
/// first when a delay is set.
pub async fn check(sandbox: &Sandbox, method: &str) -> Option<Injected> {
    let (delay, error) = decide(&mut sandbox.state(), method, now_secs());
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    error
}

/// Whether a request for `path` finds the sandbox unreachable at `now`
/// (counting it against the outage's `times`).
pub fn unreachable(state: &mut State, path: &str, now: f64) -> bool {
    if ALWAYS_REACHABLE
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
    {
        return false;
    }
    expire(state, now);
    let method = path.strip_prefix("/api/");
    let Some(index) = state
        .faults
        .iter()
        .position(|f| f.until.is_some() && (f.method == "*" || Some(f.method.as_str()) == method))
    else {
        return false;
    };
    use_fault(state, index);
    true
}

/// Middleware: closes the connection without an answer while an outage
/// applies to the request (see the module's notes).
pub async fn drop_when_unreachable(
    AxumState(sandbox): AxumState<Sandbox>,
    request: Request,
    next: Next,
) -> Response {
    let down = unreachable(&mut sandbox.state(), request.uri().path(), now_secs());
    if !down {
        return next.run(request).await;
    }
    tracing::debug!(path = %request.uri().path(), "sandbox unreachable: dropping the connection");
    no_answer()
}

/// A response whose body fails on its first read: the client sees its
/// connection closed with no answer at all.
pub fn no_answer() -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "sandbox fault: no answer",
        ))
    });
    let mut response = Response::new(Body::from_stream(failing));
    // Never reuse this connection, should any of it get out.
    response.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Seed;

    fn fault(method: &str) -> Fault {
        Fault {
            method: method.into(),
            error: None,
            status: None,
            retry_after: None,
            delay_ms: None,
            until: None,
            times: None,
            lose_answer: false,
        }
    }

    fn state() -> State {
        State::from_seed(Seed::default(), "http://sandbox.test")
    }

    #[test]
    fn a_fault_that_does_nothing_is_refused() {
        let mut s = state();
        assert!(add_fault(&mut s, fault("chat.postMessage")).is_err());
        assert!(add_fault(
            &mut s,
            Fault {
                status: Some(42),
                ..fault("*")
            }
        )
        .is_err());
        assert!(add_fault(
            &mut s,
            Fault {
                error: Some("x".into()),
                times: Some(0),
                ..fault("*")
            }
        )
        .is_err());
        assert!(s.faults.is_empty());
    }

    #[test]
    fn the_first_matching_fault_decides_and_times_count_down() {
        let mut s = state();
        add_fault(
            &mut s,
            Fault {
                error: Some("fatal_error".into()),
                times: Some(2),
                ..fault("chat.postMessage")
            },
        )
        .unwrap();
        add_fault(
            &mut s,
            Fault {
                status: Some(503),
                ..fault("*")
            },
        )
        .unwrap();
        let answer = |s: &mut State, m: &str| match decide(s, m, 0.0).1 {
            Some(Injected::Error(error)) => error,
            Some(Injected::Status(code)) => code.to_string(),
            Some(Injected::RateLimited(secs)) => format!("429 after {secs}"),
            other => format!("{other:?}"),
        };
        assert_eq!(answer(&mut s, "chat.postMessage"), "fatal_error");
        assert_eq!(answer(&mut s, "users.list"), "503");
        assert_eq!(answer(&mut s, "chat.postMessage"), "fatal_error");
        assert_eq!(answer(&mut s, "chat.postMessage"), "503");
        assert_eq!(s.faults.len(), 1);
        clear_faults(&mut s);
        assert!(decide(&mut s, "chat.postMessage", 0.0).1.is_none());
    }

    #[test]
    fn a_delay_alone_lets_the_call_through() {
        let mut s = state();
        add_fault(
            &mut s,
            Fault {
                delay_ms: Some(250),
                ..fault("*")
            },
        )
        .unwrap();
        let (delay, error) = decide(&mut s, "auth.test", 0.0);
        assert_eq!(delay, Some(Duration::from_millis(250)));
        assert!(error.is_none());
    }

    #[test]
    fn an_outage_spares_the_control_api_and_ends_on_time() {
        let mut s = state();
        add_fault(
            &mut s,
            Fault {
                until: Some(100.0),
                ..fault("*")
            },
        )
        .unwrap();
        assert!(unreachable(&mut s, "/api/auth.test", 50.0));
        assert!(unreachable(&mut s, "/oauth/v2/authorize", 50.0));
        assert!(unreachable(&mut s, "/", 50.0));
        assert!(!unreachable(&mut s, "/control/faults", 50.0));
        // Outages are not answered as method faults.
        assert!(decide(&mut s, "auth.test", 50.0).1.is_none());
        assert!(!unreachable(&mut s, "/api/auth.test", 100.5));
        assert!(s.faults.is_empty());
    }

    #[test]
    fn an_outage_of_one_method_leaves_the_rest_up() {
        let mut s = state();
        add_fault(
            &mut s,
            Fault {
                until: Some(100.0),
                times: Some(1),
                ..fault("chat.postMessage")
            },
        )
        .unwrap();
        assert!(!unreachable(&mut s, "/api/auth.test", 1.0));
        assert!(!unreachable(&mut s, "/", 1.0));
        assert!(unreachable(&mut s, "/api/chat.postMessage", 1.0));
        assert!(!unreachable(&mut s, "/api/chat.postMessage", 1.0));
    }
}
