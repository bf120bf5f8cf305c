//! Injected faults and Slack's rate limits, seen over HTTP the way an app
//! sees them, including by Slack's own Python SDK.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

mod support;

use hubbub_sandbox::state::Fault;
use hubbub_sandbox::{faults, Sandbox, Seed};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Setup {
    sandbox: Sandbox,
    token: String,
    general: String,
    http: reqwest::Client,
}

async fn start(rate_limits: bool) -> Setup {
    let seed = Seed {
        rate_limits,
        ..Seed::demo()
    };
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let sandbox = Sandbox::start(addr, seed).await.unwrap();
    let (token, general) = {
        let mut state = sandbox.state();
        let team = state.teams[0].id.clone();
        let app = state.apps[0].app_id.clone();
        let olivia = state.user_in_team(&team, "olivia").unwrap().id.clone();
        let scopes = ["chat:write", "channels:read", "users:read"].map(String::from);
        let granted = state.install(&team, &app, &olivia, &scopes, &[]);
        let general = state
            .channels
            .iter()
            .find(|c| c.name == "general")
            .unwrap()
            .id
            .clone();
        // The bot joins #general so that it may post there.
        let bot = granted.bot_user_id.clone();
        state.channel_mut(&general).unwrap().members.push(bot);
        (granted.bot_token, general)
    };
    Setup {
        sandbox,
        token,
        general,
        http: reqwest::Client::new(),
    }
}

impl Setup {
    async fn call(
        &self,
        method: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Result<reqwest::Response> {
        self.http
            .post(format!("{}{method}", self.sandbox.api_url()))
            .bearer_auth(&self.token)
            .form(form)
            .send()
            .await
    }

    async fn json(&self, method: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let response = self.call(method, form).await.expect("an answer");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    fn fault(&self, fault: Fault) {
        faults::add_fault(&mut self.sandbox.state(), fault).unwrap();
    }
}

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

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

#[tokio::test]
async fn an_injected_error_is_answered_in_slacks_envelope() {
    let s = start(false).await;
    s.fault(Fault {
        error: Some("fatal_error".into()),
        ..fault("auth.test")
    });
    let (status, body) = s.json("auth.test", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        serde_json::json!({"ok": false, "error": "fatal_error"})
    );
    // Other methods are untouched.
    let (_, body) = s.json("api.test", &[]).await;
    assert_eq!(body["ok"], true, "{body}");
    // And the call is in the log, as failed.
    let state = s.sandbox.state();
    let call = state
        .calls
        .iter()
        .find(|c| c.method == "auth.test")
        .unwrap();
    assert_eq!(call.error.as_deref(), Some("fatal_error"));
}

#[tokio::test]
async fn an_injected_status_is_a_bare_5xx_and_times_counts_down() {
    let s = start(false).await;
    s.fault(Fault {
        status: Some(503),
        times: Some(2),
        ..fault("*")
    });
    for _ in 0..2 {
        let response = s.call("auth.test", &[]).await.unwrap();
        assert_eq!(response.status().as_u16(), 503);
        assert!(response.bytes().await.unwrap().is_empty());
    }
    let (status, body) = s.json("auth.test", &[]).await;
    assert_eq!((status, &body["ok"]), (200, &Value::Bool(true)), "{body}");
    assert!(s.sandbox.state().faults.is_empty());
}

#[tokio::test]
async fn an_injected_429_is_answered_as_slack_answers_over_a_limit() {
    let s = start(false).await;
    s.fault(Fault {
        retry_after: Some(7),
        times: Some(1),
        ..fault("auth.test")
    });
    let response = s.call("auth.test", &[]).await.unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"ok": false, "error": "ratelimited"})
    );
    let (status, body) = s.json("auth.test", &[]).await;
    assert_eq!((status, &body["ok"]), (200, &Value::Bool(true)), "{body}");
}

#[tokio::test]
async fn an_injected_delay_slows_the_call_down_and_then_answers() {
    let s = start(false).await;
    s.fault(Fault {
        delay_ms: Some(400),
        times: Some(1),
        ..fault("auth.test")
    });
    let started = Instant::now();
    let (_, body) = s.json("auth.test", &[]).await;
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(body["ok"], true, "{body}");
    // Used up: the fault is gone.
    assert!(s.sandbox.state().faults.is_empty());
}

#[tokio::test]
async fn a_delay_with_an_error_waits_then_fails() {
    let s = start(false).await;
    s.fault(Fault {
        delay_ms: Some(200),
        error: Some("internal_error".into()),
        ..fault("auth.test")
    });
    let started = Instant::now();
    let (_, body) = s.json("auth.test", &[]).await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(body["error"], "internal_error");
}

#[tokio::test]
async fn an_outage_drops_connections_until_it_ends() {
    let s = start(false).await;
    let until = now() + 2.0;
    s.fault(Fault {
        until: Some(until),
        ..fault("*")
    });
    let err = s
        .call("auth.test", &[])
        .await
        .expect_err("no answer during an outage");
    assert!(!err.is_status() && err.status().is_none(), "{err:?}");
    // Not a byte comes back: the connection is closed (or reset) unanswered.
    let mut raw = tokio::net::TcpStream::connect(s.sandbox.base_url.trim_start_matches("http://"))
        .await
        .unwrap();
    raw.write_all(b"POST /api/api.test HTTP/1.1\r\nhost: sandbox\r\ncontent-length: 0\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = raw.read_to_end(&mut answer).await;
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
    // The web page is down as well.
    let err = s
        .http
        .get(&s.sandbox.base_url)
        .send()
        .await
        .expect_err("the page is down");
    assert!(err.status().is_none(), "{err:?}");
    // The control API still answers (whatever it says), so a test can act.
    let control = s
        .http
        .get(format!("{}/control/state", s.sandbox.base_url))
        .send()
        .await;
    assert!(control.is_ok(), "{control:?}");
    // A fresh client, and it still fails.
    let err = reqwest::Client::new()
        .post(format!("{}api.test", s.sandbox.api_url()))
        .send()
        .await
        .expect_err("still down");
    assert!(err.status().is_none());
    tokio::time::sleep(Duration::from_secs_f64((until - now()).max(0.0) + 0.1)).await;
    let (status, body) = s.json("auth.test", &[]).await;
    assert_eq!((status, &body["ok"]), (200, &Value::Bool(true)), "{body}");
    assert!(s.sandbox.state().faults.is_empty());
}

#[tokio::test]
async fn a_lost_answer_closes_the_connection_after_the_call_took_effect() {
    let s = start(false).await;
    s.fault(Fault {
        lose_answer: true,
        times: Some(1),
        ..fault("chat.postMessage")
    });
    let form = [("channel", s.general.as_str()), ("text", "sent once")];
    let err = s
        .call("chat.postMessage", &form)
        .await
        .expect_err("no answer");
    assert!(err.status().is_none(), "{err:?}");
    // It was posted all the same, once; the next call is answered.
    let posted = |state: &hubbub_sandbox::state::State| {
        state
            .messages
            .iter()
            .filter(|m| m.text == "sent once")
            .count()
    };
    assert_eq!(posted(&s.sandbox.state()), 1);
    let (status, body) = s
        .json(
            "chat.postMessage",
            &[("channel", &s.general), ("text", "answered")],
        )
        .await;
    assert_eq!((status, &body["ok"]), (200, &Value::Bool(true)), "{body}");
    assert_eq!(posted(&s.sandbox.state()), 1);
}

#[tokio::test]
async fn an_outage_of_one_method_for_a_number_of_calls() {
    let s = start(false).await;
    s.fault(Fault {
        until: Some(now() + 60.0),
        times: Some(1),
        ..fault("auth.test")
    });
    let (_, body) = s.json("api.test", &[]).await;
    assert_eq!(body["ok"], true);
    assert!(s.call("auth.test", &[]).await.is_err());
    let (_, body) = s.json("auth.test", &[]).await;
    assert_eq!(body["ok"], true);
}

#[tokio::test]
async fn clearing_faults_restores_service() {
    let s = start(false).await;
    faults::outage(&mut s.sandbox.state(), Duration::from_secs(60));
    s.fault(Fault {
        error: Some("fatal_error".into()),
        ..fault("*")
    });
    assert!(s.call("auth.test", &[]).await.is_err());
    faults::clear_faults(&mut s.sandbox.state());
    let (_, body) = s.json("auth.test", &[]).await;
    assert_eq!(body["ok"], true);
}

#[tokio::test]
async fn a_tier_limit_answers_429_with_retry_after() {
    let s = start(true).await;
    // auth.test is Tier 4: a burst of 100 (plus what refills meanwhile,
    // 100 a minute), then 429.
    let mut passed = 0;
    let response = loop {
        let response = s.call("auth.test", &[]).await.unwrap();
        if response.status() != 200 {
            break response;
        }
        passed += 1;
        assert!(passed <= 150, "never limited");
    };
    assert!(passed >= 100, "{passed}");
    assert_eq!(response.status().as_u16(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"ok": false, "error": "ratelimited"})
    );
    // Turning limits off lets calls through again.
    faults::set_rate_limits(&mut s.sandbox.state(), false);
    let (status, _) = s.json("auth.test", &[]).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn posting_quickly_to_one_channel_is_rate_limited() {
    let s = start(true).await;
    let started = Instant::now();
    let mut passed = 0;
    let response = loop {
        let text = format!("message {passed}");
        let response = s
            .call(
                "chat.postMessage",
                &[("channel", &s.general), ("text", &text)],
            )
            .await
            .unwrap();
        if response.status() != 200 {
            break response;
        }
        passed += 1;
        assert!(passed <= 10, "never limited");
    };
    // A short burst of 3 goes through (plus one a second meanwhile).
    let elapsed = started.elapsed().as_secs_f64();
    assert!(
        passed >= 3 && passed as f64 <= 3.0 + elapsed,
        "{passed} in {elapsed}s"
    );
    assert_eq!(response.status().as_u16(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"ok": false, "error": "ratelimited"})
    );
    // By name it is the same channel; another channel is counted apart.
    let limited_at = Instant::now();
    let by_name = s
        .call(
            "chat.postMessage",
            &[("channel", "#general"), ("text", "again")],
        )
        .await
        .unwrap();
    if limited_at.elapsed() < Duration::from_millis(500) {
        assert_eq!(by_name.status().as_u16(), 429);
    }
    let sales = s
        .sandbox
        .state()
        .channels
        .iter()
        .find(|c| c.name == "sales")
        .unwrap()
        .id
        .clone();
    let bot = s
        .sandbox
        .state()
        .users
        .iter()
        .find(|u| u.is_bot)
        .unwrap()
        .id
        .clone();
    s.sandbox
        .state()
        .channel_mut(&sales)
        .unwrap()
        .members
        .push(bot);
    let (status, body) = s
        .json(
            "chat.postMessage",
            &[("channel", &sales), ("text", "elsewhere")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn with_limits_off_posting_is_unlimited() {
    let s = start(false).await;
    for i in 0..20 {
        let (status, body) = s
            .json(
                "chat.postMessage",
                &[("channel", &s.general), ("text", "quick")],
            )
            .await;
        assert_eq!(status, 200, "post {i}: {body}");
    }
}

fn run(cmd: &mut std::process::Command) -> std::process::Output {
    let out = cmd.output().expect("run a command");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Slack's official Python SDK, with no retry handlers, sees the 429 the
/// way it sees Slack's: an `SlackApiError` whose response has status 429,
/// `error` `ratelimited` and a `Retry-After` of at least a second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_sdk_sees_ratelimited() {
    let s = start(true).await;
    let python = tokio::task::spawn_blocking(|| support::python_with(&["slack_sdk==3.*"]))
        .await
        .unwrap();
    let script =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/slack_sdk_ratelimit.py");
    let api_url = s.sandbox.api_url();
    let (token, channel) = (s.token.clone(), s.general.clone());
    let out = tokio::task::spawn_blocking(move || {
        run(std::process::Command::new(python)
            .arg(script)
            .env("SANDBOX_API_URL", api_url)
            .env("SANDBOX_TOKEN", token)
            .env("SANDBOX_CHANNEL", channel))
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("ratelimited after"), "{stdout}");
}

/// Faults and outages are set and cleared over the control API, as the
/// demo and tests outside this crate do.
#[tokio::test]
async fn the_control_api_sets_and_clears_faults() {
    let s = start(false).await;
    let control = |path: &str| format!("{}/control/{path}", s.sandbox.base_url);

    let refused = s
        .http
        .post(control("faults"))
        .json(&serde_json::json!({"method": "chat.postMessage"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        400,
        "a fault that does nothing is refused"
    );

    let added = s
        .http
        .post(control("faults"))
        .json(
            &serde_json::json!({"method": "chat.postMessage", "error": "fatal_error", "times": 1}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 200);
    let listed: Value = s
        .http
        .get(control("faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["faults"][0]["error"], "fatal_error");

    let (_, body) = s
        .json(
            "chat.postMessage",
            &[("channel", &s.general), ("text", "hi")],
        )
        .await;
    assert_eq!(
        body,
        serde_json::json!({"ok": false, "error": "fatal_error"})
    );
    let (_, body) = s
        .json(
            "chat.postMessage",
            &[("channel", &s.general), ("text", "hi")],
        )
        .await;
    assert_eq!(body["ok"], true, "times: 1 is used up: {body}");

    s.http
        .post(control("faults"))
        .json(&serde_json::json!({"method": "*", "status": 503}))
        .send()
        .await
        .unwrap();
    assert_eq!(s.json("auth.test", &[]).await.0, 503);
    s.http.delete(control("faults")).send().await.unwrap();
    assert_eq!(s.json("auth.test", &[]).await.0, 200);

    let outage = s
        .http
        .post(control("outage"))
        .json(&serde_json::json!({"seconds": 30}))
        .send()
        .await
        .unwrap();
    assert_eq!(outage.status(), 200);
    assert!(
        s.call("auth.test", &[]).await.is_err(),
        "no answer during the outage"
    );
    s.http.delete(control("faults")).send().await.unwrap();
    assert_eq!(s.json("auth.test", &[]).await.0, 200, "back after clearing");
}
