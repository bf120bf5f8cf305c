//! OAuth v2 over HTTP, and the calls the sandbox makes to an app the way
//! Slack does: signed events (checked with Slack's own `slack_sdk`
//! SignatureVerifier), retries, slash commands with `response_url`,
//! buttons and modals, and removing the app. A tiny axum "app" on a
//! loopback port receives the sandbox's calls.

mod support;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hubbub_sandbox::{Sandbox, Seed};
use serde_json::{json, Value};
use support::{start, Env, ALL_BOT_SCOPES};

// ---------------------------------------------------------------------------
// The test app

#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: HashMap<String, String>,
    body: String,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// The `payload=` of an interaction, or the pairs of a form.
    fn form(&self) -> HashMap<String, String> {
        serde_urlencoded::from_str(&self.body).unwrap()
    }

    fn payload(&self) -> Value {
        serde_json::from_str(&self.form()["payload"]).unwrap()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum EventMode {
    Ok,
    /// Every event answers 500.
    Fail,
    /// First attempts sleep this long; retries answer at once.
    SlowFirst(Duration),
}

#[derive(Clone)]
struct TestApp {
    received: Arc<Mutex<Vec<Received>>>,
    mode: Arc<Mutex<EventMode>>,
    base: String,
}

impl TestApp {
    async fn start() -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = TestApp {
            received: Arc::default(),
            mode: Arc::new(Mutex::new(EventMode::Ok)),
            base,
        };
        let router = axum::Router::new().fallback(handle).with_state(app.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        app
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn received(&self, path: &str) -> Vec<Received> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// Event envelopes received (first attempts and retries).
    fn events(&self) -> Vec<Received> {
        self.received("/events")
            .into_iter()
            .filter(|r| r.json()["type"] == "event_callback")
            .collect()
    }

    fn events_of(&self, kind: &str) -> Vec<Received> {
        self.events()
            .into_iter()
            .filter(|r| r.json()["event"]["type"] == kind)
            .collect()
    }

    fn interactions_of(&self, kind: &str) -> Vec<Value> {
        self.received("/interactive")
            .iter()
            .map(Received::payload)
            .filter(|p| p["type"] == kind)
            .collect()
    }
}

async fn handle(
    AxumState(app): AxumState<TestApp>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let received = Received {
        path: uri.path().to_owned(),
        headers: headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    app.received.lock().unwrap().push(received.clone());
    match uri.path() {
        "/events" => {
            let v = received.json();
            if v["type"] == "url_verification" {
                return axum::Json(json!({"challenge": v["challenge"]})).into_response();
            }
            let mode = *app.mode.lock().unwrap();
            match mode {
                EventMode::Ok => StatusCode::OK.into_response(),
                EventMode::Fail => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                EventMode::SlowFirst(d) => {
                    if !received.headers.contains_key("x-slack-retry-num") {
                        tokio::time::sleep(d).await;
                    }
                    StatusCode::OK.into_response()
                }
            }
        }
        "/commands" => {
            let form = received.form();
            axum::Json(json!({"response_type": "ephemeral", "text": format!("Searching for {}", form["text"])}))
                .into_response()
        }
        "/interactive" => {
            let payload = received.payload();
            if payload["type"] == "view_submission" {
                let values = payload["view"]["state"]["values"].to_string();
                if values.contains("\"bad\"") {
                    return axum::Json(json!({
                        "response_action": "errors",
                        "errors": {"deal_name": "That name is taken"},
                    }))
                    .into_response();
                }
            }
            StatusCode::OK.into_response()
        }
        "/options" => axum::Json(json!({
            "options": [{"text": {"type": "plain_text", "text": "Acme Corp"}, "value": "acme"}],
        }))
        .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

// ---------------------------------------------------------------------------
// Helpers

async fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    for _ in 0..200 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn control(
    env_http: &reqwest::Client,
    sandbox: &Sandbox,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let response = env_http
        .post(format!("{}/control/{path}", sandbox.base_url))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn control_get(http: &reqwest::Client, sandbox: &Sandbox, path: &str) -> Value {
    http.get(format!("{}/control/{path}", sandbox.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn ok(v: &Value) -> &Value {
    assert_eq!(v["ok"], true, "{v}");
    v
}

/// The demo workspace with the app installed, its URLs pointing at a test
/// app, and short delivery timings.
async fn wired() -> (Env, TestApp) {
    let mut scopes = ALL_BOT_SCOPES.to_vec();
    scopes.extend(["app_mentions:read", "links:read", "commands"]);
    let env = start(&scopes).await;
    let app = TestApp::start().await;
    {
        let mut state = env.sandbox.state();
        state.retry_delays = vec![Duration::from_millis(50); 3];
        state.request_timeout = Duration::from_millis(500);
    }
    let (status, body) = control(
        &env.http,
        &env.sandbox,
        &format!("apps/{}/urls", env.app_id),
        json!({
            "events_url": app.url("/events"),
            "interactivity_url": app.url("/interactive"),
            "options_url": app.url("/options"),
            "commands": [{"command": "/hs", "url": app.url("/commands")}],
            "unfurl_domains": ["example.com"],
            "verify": true,
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.received("/events").len(), 1, "url_verification first");
    (env, app)
}

// ---------------------------------------------------------------------------
// OAuth

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn query_of(location: &str) -> HashMap<String, String> {
    serde_urlencoded::from_str(location.split_once('?').unwrap().1).unwrap()
}

#[tokio::test]
async fn oauth_v2_flow_over_http() {
    let seed = Seed {
        rate_limits: false,
        ..Seed::demo()
    };
    let sandbox = Sandbox::start("127.0.0.1:0".parse::<SocketAddr>().unwrap(), seed)
        .await
        .unwrap();
    let redirect = "https://hubbub.example/slack/oauth/callback";
    let (client_id, client_secret, app_id, team_id, adam, maria) = {
        let mut state = sandbox.state();
        state.apps[0].redirect_urls = vec![redirect.into()];
        let app = state.apps[0].clone();
        let team_id = state.teams[0].id.clone();
        let adam = state.user_in_team(&team_id, "adam").unwrap().id.clone();
        let maria = state.user_in_team(&team_id, "maria").unwrap().id.clone();
        (
            app.client_id,
            app.client_secret,
            app.app_id,
            team_id,
            adam,
            maria,
        )
    };
    let http = no_redirects();
    let authorize = format!("{}/oauth/v2/authorize", sandbox.base_url);
    let params = |extra: &[(&str, &str)]| -> Vec<(String, String)> {
        let mut p = vec![
            ("client_id", client_id.as_str()),
            ("scope", "chat:write,channels:history"),
            ("user_scope", "search:read"),
            ("redirect_uri", redirect),
            ("state", "st-123"),
        ];
        p.extend_from_slice(extra);
        p.into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    };

    // The consent page.
    let page = http
        .get(&authorize)
        .query(&params(&[("user", "adam")]))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for needle in [
        "Hubbub",
        "Acme",
        "chat:write",
        "channels:history",
        "search:read",
        "Allow",
        "Cancel",
    ] {
        assert!(html.contains(needle), "page lacks {needle}: {html}");
    }
    assert!(
        html.contains(&format!("value=\"{adam}\" selected")),
        "adam preselected"
    );

    // Unknown client, mismatched redirect: error pages, no redirect.
    let bad_client = http
        .get(&authorize)
        .query(&[("client_id", "123.456"), ("scope", "chat:write")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad_client.status(), 400);
    assert!(bad_client
        .text()
        .await
        .unwrap()
        .contains("invalid_client_id"));
    let mut p = params(&[]);
    p[3].1 = "https://evil.example/cb".into();
    let bad_redirect = http.get(&authorize).query(&p).send().await.unwrap();
    assert_eq!(bad_redirect.status(), 400);
    assert!(bad_redirect
        .text()
        .await
        .unwrap()
        .contains("bad_redirect_uri"));

    // Cancel.
    let cancel = http
        .post(&authorize)
        .form(&params(&[("user", &adam), ("decision", "cancel")]))
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), 302);
    let location = cancel.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(redirect), "{location}");
    let q = query_of(&location);
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["state"], "st-123");

    // With approved apps only, a member cannot install.
    sandbox.state().teams[0].approved_apps_only = true;
    let refused = http
        .post(&authorize)
        .form(&params(&[("user", &maria), ("decision", "allow")]))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    sandbox.state().teams[0].approved_apps_only = false;

    // Allow as an admin.
    let allow = |user: String| {
        let http = http.clone();
        let authorize = authorize.clone();
        let form: Vec<(String, String)> = params(&[("decision", "allow")])
            .into_iter()
            .chain([("user".to_owned(), user)])
            .collect();
        async move {
            let r = http.post(&authorize).form(&form).send().await.unwrap();
            assert_eq!(r.status(), 302);
            let q = query_of(r.headers()["location"].to_str().unwrap());
            assert_eq!(q["state"], "st-123");
            q["code"].clone()
        }
    };
    let code = allow(adam.clone()).await;

    let access = |form: Vec<(&'static str, String)>, basic: bool| {
        let http = http.clone();
        let url = format!("{}/api/oauth.v2.access", sandbox.base_url);
        let (id, secret) = (client_id.clone(), client_secret.clone());
        async move {
            let mut r = http.post(url).form(&form);
            if basic {
                r = r.basic_auth(id, Some(secret));
            }
            r.send().await.unwrap().json::<Value>().await.unwrap()
        }
    };
    let wrong_secret = access(
        vec![
            ("client_id", client_id.clone()),
            ("client_secret", "nope".into()),
            ("code", code.clone()),
            ("redirect_uri", redirect.into()),
        ],
        false,
    )
    .await;
    assert_eq!(wrong_secret["error"], "bad_client_secret", "{wrong_secret}");
    let wrong_redirect = access(
        vec![
            ("code", code.clone()),
            ("redirect_uri", "https://hubbub.example/other".into()),
        ],
        true,
    )
    .await;
    assert_eq!(
        wrong_redirect["error"], "bad_redirect_uri",
        "{wrong_redirect}"
    );

    // The exchange, with HTTP Basic client credentials.
    let granted = access(
        vec![("code", code.clone()), ("redirect_uri", redirect.into())],
        true,
    )
    .await;
    ok(&granted);
    assert_eq!(granted["token_type"], "bot");
    assert!(granted["access_token"]
        .as_str()
        .unwrap()
        .starts_with("xoxb-"));
    assert_eq!(granted["scope"], "chat:write,channels:history");
    assert_eq!(granted["app_id"], app_id.as_str());
    assert_eq!(granted["team"]["id"], team_id.as_str());
    assert_eq!(granted["team"]["name"], "Acme");
    assert_eq!(granted["enterprise"], Value::Null);
    assert_eq!(granted["is_enterprise_install"], false);
    assert_eq!(granted["authed_user"]["id"], adam.as_str());
    assert_eq!(granted["authed_user"]["scope"], "search:read");
    assert_eq!(granted["authed_user"]["token_type"], "user");
    assert!(granted["authed_user"]["access_token"]
        .as_str()
        .unwrap()
        .starts_with("xoxp-"));
    let bot_user_id = granted["bot_user_id"].as_str().unwrap();

    // Single use.
    let again = access(
        vec![("code", code.clone()), ("redirect_uri", redirect.into())],
        true,
    )
    .await;
    assert_eq!(again["error"], "code_already_used", "{again}");

    // Expiry after 10 minutes.
    let late = allow(adam.clone()).await;
    {
        let mut state = sandbox.state();
        let c = state
            .oauth_codes
            .iter_mut()
            .find(|c| c.code == late)
            .unwrap();
        assert!((c.expires_at - hubbub_sandbox::ids::now_secs() - 600.0).abs() < 5.0);
        c.expires_at -= 601.0;
    }
    let expired = access(
        vec![
            ("client_id", client_id.clone()),
            ("client_secret", client_secret.clone()),
            ("code", late),
            ("redirect_uri", redirect.into()),
        ],
        false,
    )
    .await;
    assert_eq!(expired["error"], "invalid_code", "{expired}");

    // The tokens work; auth.revoke in test mode does nothing, then revokes.
    let api = |method: &str, token: &str| {
        let http = http.clone();
        let url = format!("{}/api/{method}", sandbox.base_url);
        let token = token.to_owned();
        async move {
            http.post(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let bot_token = granted["access_token"].as_str().unwrap();
    let me = api("auth.test", bot_token).await;
    assert_eq!(ok(&me)["user_id"], bot_user_id);
    let user_token = granted["authed_user"]["access_token"].as_str().unwrap();
    let test_mode = http
        .post(format!("{}/api/auth.revoke", sandbox.base_url))
        .bearer_auth(user_token)
        .form(&[("test", "1")])
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(test_mode, json!({"ok": true, "revoked": false}));
    assert_eq!(
        api("auth.revoke", user_token).await,
        json!({"ok": true, "revoked": true})
    );
    assert_eq!(api("auth.test", user_token).await["error"], "token_revoked");
    ok(&api("auth.test", bot_token).await);
}

// ---------------------------------------------------------------------------
// Events

#[tokio::test]
async fn events_are_shaped_and_signed_as_slack_does() {
    let (env, app) = wired().await;
    let general = env.channel("general");

    // Maria adds the app to #general.
    let (status, body) = control(
        &env.http,
        &env.sandbox,
        "invite",
        json!({"channel": "general", "user": env.app_id, "inviter": "maria"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    wait_for("member_joined_channel", || {
        !app.events_of("member_joined_channel").is_empty()
    })
    .await;
    let joined = app.events_of("member_joined_channel")[0].json();
    assert_eq!(joined["event"]["user"], env.bot_user_id.as_str());
    assert_eq!(joined["event"]["channel"], general.as_str());
    assert_eq!(joined["event"]["inviter"], env.user("maria").as_str());

    // A message that mentions the bot and links to an unfurl domain.
    let text = format!(
        "<@{}> have a look at <https://www.example.com/deals/42|the deal>",
        env.bot_user_id
    );
    let (status, posted) = control(
        &env.http,
        &env.sandbox,
        "messages",
        json!({"user": "maria", "channel": "general", "text": text}),
    )
    .await;
    assert_eq!(status, 200, "{posted}");
    let ts = posted["ts"].as_str().unwrap().to_owned();
    wait_for("message, app_mention, link_shared", || {
        !app.events_of("message").is_empty()
            && !app.events_of("app_mention").is_empty()
            && !app.events_of("link_shared").is_empty()
    })
    .await;

    let envelope = app.events_of("message")[0].json();
    assert_eq!(envelope["type"], "event_callback");
    assert_eq!(envelope["team_id"], env.team_id.as_str());
    assert_eq!(envelope["api_app_id"], env.app_id.as_str());
    assert!(envelope["event_id"].as_str().unwrap().starts_with("Ev"));
    assert!(envelope["event_time"].as_u64().unwrap() > 1_600_000_000);
    assert!(envelope["token"].is_string());
    assert_eq!(envelope["is_ext_shared_channel"], false);
    assert!(envelope["event_context"].is_string());
    assert_eq!(
        envelope["authorizations"],
        json!([{"enterprise_id": null, "team_id": env.team_id, "user_id": env.bot_user_id, "is_bot": true, "is_enterprise_install": false}])
    );
    let event = &envelope["event"];
    assert_eq!(event["channel"], general.as_str());
    assert_eq!(event["user"], env.user("maria").as_str());
    assert_eq!(event["ts"], ts.as_str());
    assert_eq!(event["channel_type"], "channel");
    assert_eq!(event["text"], text.as_str());

    let mention = app.events_of("app_mention")[0].json();
    assert_eq!(mention["event"]["ts"], ts.as_str());
    assert_eq!(mention["event"]["text"], text.as_str());
    let shared = app.events_of("link_shared")[0].json();
    assert_eq!(
        shared["event"]["links"],
        json!([{"domain": "example.com", "url": "https://www.example.com/deals/42"}])
    );
    assert_eq!(shared["event"]["message_ts"], ts.as_str());

    // No app_mention for a message that does not mention the bot.
    control(
        &env.http,
        &env.sandbox,
        "messages",
        json!({"user": "mark", "channel": "general", "text": "hello all"}),
    )
    .await;
    wait_for("second message", || app.events_of("message").len() == 2).await;
    assert_eq!(app.events_of("app_mention").len(), 1);

    // A reaction.
    let (status, _) = control(
        &env.http,
        &env.sandbox,
        "reactions",
        json!({"user": "mark", "channel": "general", "ts": ts, "name": "eyes"}),
    )
    .await;
    assert_eq!(status, 200);
    wait_for("reaction_added", || {
        !app.events_of("reaction_added").is_empty()
    })
    .await;
    let reaction = app.events_of("reaction_added")[0].json();
    assert_eq!(
        reaction["event"]["item"],
        json!({"type": "message", "channel": general, "ts": ts})
    );
    assert_eq!(reaction["event"]["item_user"], env.user("maria").as_str());

    // Events in a channel without the bot are not sent.
    control(
        &env.http,
        &env.sandbox,
        "messages",
        json!({"user": "maria", "channel": "sales", "text": "quiet"}),
    )
    .await;
    // A slash command and a shortcut, to have their signatures checked too.
    ok(&control(
        &env.http,
        &env.sandbox,
        "commands",
        json!({"user": "maria", "channel": "sales", "command": "/hs", "text": "acme"}),
    )
    .await
    .1);
    ok(&control(
        &env.http,
        &env.sandbox,
        "shortcut",
        json!({"user": "maria", "callback_id": "new_deal"}),
    )
    .await
    .1);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(app
        .events_of("message")
        .iter()
        .all(|e| e.json()["event"]["channel"] == general.as_str()));

    // Slack's own SignatureVerifier accepts every request, and rejects a
    // tampered one.
    let signing_secret = env.sandbox.state().apps[0].signing_secret.clone();
    let requests: Vec<Value> = app
        .received
        .lock()
        .unwrap()
        .iter()
        .map(|r| {
            json!({
                "path": r.path,
                "body": r.body,
                "timestamp": r.headers["x-slack-request-timestamp"],
                "signature": r.headers["x-slack-signature"],
            })
        })
        .collect();
    assert!(requests.len() >= 7, "{requests:?}");
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("requests.json");
    std::fs::write(&dump, serde_json::to_string(&requests).unwrap()).unwrap();
    let script = dir.path().join("verify.py");
    std::fs::write(
        &script,
        r#"
import json, sys
from slack_sdk.signature import SignatureVerifier

verifier = SignatureVerifier(signing_secret=sys.argv[2])
requests = json.load(open(sys.argv[1]))
for r in requests:
    assert verifier.is_valid(body=r["body"], timestamp=r["timestamp"], signature=r["signature"]), r["path"]
    headers = {"x-slack-request-timestamp": r["timestamp"], "x-slack-signature": r["signature"]}
    assert verifier.is_valid_request(r["body"], headers), r["path"]
    assert not verifier.is_valid(body=r["body"] + " ", timestamp=r["timestamp"], signature=r["signature"])
print(len(requests), "verified")
"#,
    )
    .unwrap();
    let python = support::python_with(&["slack_sdk"]);
    let out = support::run(
        std::process::Command::new(python)
            .arg(&script)
            .arg(&dump)
            .arg(&signing_secret),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("{} verified", requests.len())),
        "{stdout}"
    );
    assert!(requests.iter().any(|r| r["path"] == "/commands"));
    assert!(requests.iter().any(|r| r["path"] == "/interactive"));
}

#[tokio::test]
async fn failed_deliveries_are_retried_three_times_with_reasons() {
    let (env, app) = wired().await;
    env.add_bot_to("general");
    *app.mode.lock().unwrap() = EventMode::Fail;
    control(
        &env.http,
        &env.sandbox,
        "messages",
        json!({"user": "maria", "channel": "general", "text": "one"}),
    )
    .await;
    wait_for("4 attempts", || app.events_of("message").len() == 4).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let attempts = app.events_of("message");
    assert_eq!(attempts.len(), 4, "1 attempt + 3 retries, no more");
    assert!(!attempts[0].headers.contains_key("x-slack-retry-num"));
    for (i, a) in attempts.iter().enumerate().skip(1) {
        assert_eq!(a.headers["x-slack-retry-num"], i.to_string());
        assert_eq!(a.headers["x-slack-retry-reason"], "http_error");
        assert_eq!(
            a.json()["event_id"],
            attempts[0].json()["event_id"],
            "same event"
        );
    }
    let recorded: Vec<_> = env
        .sandbox
        .state()
        .deliveries
        .iter()
        .filter(|d| d.kind == "event:message")
        .map(|d| (d.attempt, d.status))
        .collect();
    assert_eq!(
        recorded,
        vec![
            (0, Some(500)),
            (1, Some(500)),
            (2, Some(500)),
            (3, Some(500))
        ]
    );

    // A slow app (past the timeout) gets a retry with http_timeout.
    *app.mode.lock().unwrap() = EventMode::SlowFirst(Duration::from_millis(1500));
    control(
        &env.http,
        &env.sandbox,
        "messages",
        json!({"user": "maria", "channel": "general", "text": "two"}),
    )
    .await;
    let two = || {
        app.events_of("message")
            .into_iter()
            .filter(|e| e.json()["event"]["text"] == "two")
            .collect::<Vec<_>>()
    };
    wait_for("a retry", || two().len() == 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let attempts = two();
    assert_eq!(attempts.len(), 2, "the retry succeeded");
    assert_eq!(attempts[1].headers["x-slack-retry-num"], "1");
    assert_eq!(attempts[1].headers["x-slack-retry-reason"], "http_timeout");

    // The read-back over the control API.
    let listed = control_get(&env.http, &env.sandbox, "deliveries?kind=event").await;
    assert_eq!(ok(&listed)["deliveries"].as_array().unwrap().len(), 6);
}

// ---------------------------------------------------------------------------
// Slash commands, buttons, modals

#[tokio::test]
async fn slash_command_and_its_response_url() {
    let (env, app) = wired().await;
    let (status, typed) = control(
        &env.http,
        &env.sandbox,
        "commands",
        json!({"user": "maria", "channel": "general", "command": "/hs", "text": "find acme"}),
    )
    .await;
    assert_eq!(status, 200, "{typed}");
    let sent = app.received("/commands");
    assert_eq!(sent.len(), 1);
    let form = sent[0].form();
    assert_eq!(
        sent[0].headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    for (k, v) in [
        ("command", "/hs"),
        ("text", "find acme"),
        ("team_id", env.team_id.as_str()),
        ("team_domain", "acme"),
        ("channel_id", env.channel("general").as_str()),
        ("channel_name", "general"),
        ("user_id", env.user("maria").as_str()),
        ("user_name", "maria"),
        ("api_app_id", env.app_id.as_str()),
    ] {
        assert_eq!(form[k], v, "{k}");
    }
    assert!(form.contains_key("token"));
    let response_url = form["response_url"].clone();
    assert_eq!(typed["response_url"], response_url.as_str());

    // The immediate answer shows as an ephemeral message for Maria.
    let eph = control_get(&env.http, &env.sandbox, "ephemerals?user=maria").await;
    assert_eq!(eph["ephemerals"][0]["text"], "Searching for find acme");

    // The trigger opens a modal within 3 seconds.
    let opened = env
        .bot_json(
            "views.open",
            json!({"trigger_id": form["trigger_id"], "view": {"type": "modal", "title": {"type": "plain_text", "text": "Deals"}, "blocks": []}}),
        )
        .await;
    ok(&opened);

    // Up to 5 posts to the response_url.
    let post = |body: Value| {
        let http = env.http.clone();
        let url = response_url.clone();
        async move {
            let r = http.post(url).json(&body).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    assert_eq!(
        post(json!({"text": "Found 3 deals", "response_type": "in_channel"})).await,
        (200, "{\"ok\":true}".into())
    );
    let messages = control_get(&env.http, &env.sandbox, "messages?channel=general").await;
    let last = messages["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["text"], "Found 3 deals");
    assert_eq!(last["user"], env.bot_user_id.as_str());
    assert_eq!(post(json!({"text": "only you"})).await.0, 200);
    assert_eq!(
        post(json!({"text": "third", "replace_original": true}))
            .await
            .0,
        200
    );
    assert_eq!(post(json!({})).await, (400, "no_text".into()));
    assert_eq!(post(json!({"text": "fifth"})).await.0, 200);
    assert_eq!(
        post(json!({"text": "sixth"})).await,
        (404, "used_url".into())
    );

    // Expired after 30 minutes.
    ok(&control(
        &env.http,
        &env.sandbox,
        "commands",
        json!({"user": "maria", "channel": "general", "command": "hs"}),
    )
    .await
    .1);
    let url2 = app.received("/commands")[1].form()["response_url"].clone();
    let id = url2.rsplit('/').next().unwrap().to_owned();
    env.sandbox
        .state()
        .response_urls
        .iter_mut()
        .find(|r| r.id == id)
        .unwrap()
        .expires_at -= 1801.0;
    let r = env
        .http
        .post(&url2)
        .json(&json!({"text": "late"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.text().await.unwrap(), "expired_url");

    // An unknown command is refused.
    let (status, body) = control(
        &env.http,
        &env.sandbox,
        "commands",
        json!({"user": "maria", "channel": "general", "command": "/nope"}),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "command_not_found");
}

#[tokio::test]
async fn button_click_and_modal_submission_round_trip() {
    let (env, app) = wired().await;
    env.add_bot_to("general");
    let posted = env
        .bot_json(
            "chat.postMessage",
            json!({
                "channel": env.channel("general"),
                "text": "New deal?",
                "blocks": [{"type": "actions", "block_id": "deal_actions", "elements": [
                    {"type": "button", "action_id": "create_deal", "text": {"type": "plain_text", "text": "Create"}, "value": "acme"}
                ]}],
            }),
        )
        .await;
    let ts = ok(&posted)["ts"].as_str().unwrap().to_owned();

    let (status, clicked) = control(
        &env.http,
        &env.sandbox,
        "click",
        json!({"user": "adam", "channel": "general", "ts": ts, "action_id": "create_deal"}),
    )
    .await;
    assert_eq!(status, 200, "{clicked}");
    let actions = app.interactions_of("block_actions");
    assert_eq!(actions.len(), 1);
    let payload = &actions[0];
    assert_eq!(payload["actions"][0]["action_id"], "create_deal");
    assert_eq!(payload["actions"][0]["block_id"], "deal_actions");
    assert_eq!(payload["actions"][0]["value"], "acme");
    assert_eq!(payload["actions"][0]["type"], "button");
    assert_eq!(payload["container"]["type"], "message");
    assert_eq!(payload["container"]["message_ts"], ts.as_str());
    assert_eq!(payload["message"]["ts"], ts.as_str());
    assert_eq!(payload["user"]["id"], env.user("adam").as_str());
    assert_eq!(payload["channel"]["id"], env.channel("general").as_str());
    assert!(payload["response_url"]
        .as_str()
        .unwrap()
        .contains("/response/"));

    // The app replaces the original message through the response_url.
    let r = env
        .http
        .post(payload["response_url"].as_str().unwrap())
        .json(&json!({"replace_original": true, "text": "Deal being created"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let messages = control_get(&env.http, &env.sandbox, "messages?channel=general").await;
    assert_eq!(
        messages["messages"].as_array().unwrap().last().unwrap()["text"],
        "Deal being created"
    );

    // The app opens a modal with the click's trigger.
    let opened = env
        .bot_json(
            "views.open",
            json!({"trigger_id": payload["trigger_id"], "view": {
                "type": "modal",
                "callback_id": "new_deal",
                "title": {"type": "plain_text", "text": "New deal"},
                "submit": {"type": "plain_text", "text": "Create"},
                "notify_on_close": true,
                "blocks": [
                    {"type": "input", "block_id": "deal_name", "label": {"type": "plain_text", "text": "Name"},
                     "element": {"type": "plain_text_input", "action_id": "name"}},
                    {"type": "input", "block_id": "stage", "label": {"type": "plain_text", "text": "Stage"},
                     "element": {"type": "static_select", "action_id": "pick", "options": [
                        {"text": {"type": "plain_text", "text": "Won"}, "value": "won"},
                        {"text": {"type": "plain_text", "text": "Lost"}, "value": "lost"}]}},
                    {"type": "input", "block_id": "company", "optional": true, "label": {"type": "plain_text", "text": "Company"},
                     "element": {"type": "external_select", "action_id": "company"}}
                ]}}),
        )
        .await;
    let view_id = ok(&opened)["view"]["id"].as_str().unwrap().to_owned();

    // External select options come from the options URL.
    let (status, options) = control(
        &env.http,
        &env.sandbox,
        "options",
        json!({"user": "adam", "in_view": true, "action_id": "company", "value": "ac"}),
    )
    .await;
    assert_eq!(status, 200, "{options}");
    assert_eq!(options["options"][0]["value"], "acme");
    let suggestion = app.received("/options")[0].payload();
    assert_eq!(suggestion["type"], "block_suggestion");
    assert_eq!(suggestion["value"], "ac");
    assert_eq!(suggestion["block_id"], "company");

    // A required input left empty cannot be submitted.
    let (status, refused) = control(
        &env.http,
        &env.sandbox,
        "submit",
        json!({"user": "adam", "values": {"stage": "won"}}),
    )
    .await;
    assert_eq!(status, 400, "{refused}");

    // The app answers errors: the view stays open with them.
    let (status, first) = control(
        &env.http,
        &env.sandbox,
        "submit",
        json!({"user": "adam", "values": {"deal_name": "bad", "stage": "won"}}),
    )
    .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["result"], "errors");
    assert_eq!(first["errors"]["deal_name"], "That name is taken");
    let open = control_get(&env.http, &env.sandbox, "views?user=adam").await;
    assert_eq!(open["views"][0]["id"], view_id.as_str());
    assert_eq!(
        open["views"][0]["errors"]["deal_name"],
        "That name is taken"
    );

    // A good submission: state.values as Slack fills them; an empty 200 closes.
    let (_, second) = control(
        &env.http,
        &env.sandbox,
        "submit",
        json!({"user": "adam", "view_id": view_id, "values": {"deal_name": {"name": "Acme renewal"}, "stage": "won", "company": "acme"}}),
    )
    .await;
    assert_eq!(second["result"], "closed", "{second}");
    let submissions = app.interactions_of("view_submission");
    let view = &submissions[1]["view"];
    assert_eq!(view["id"], view_id.as_str());
    assert_eq!(view["callback_id"], "new_deal");
    assert_eq!(
        view["state"]["values"]["deal_name"]["name"],
        json!({"type": "plain_text_input", "value": "Acme renewal"})
    );
    assert_eq!(
        view["state"]["values"]["stage"]["pick"],
        json!({"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "Won"}, "value": "won"}})
    );
    assert_eq!(
        view["state"]["values"]["company"]["company"]["selected_option"]["value"],
        "acme"
    );
    assert_eq!(submissions[1]["user"]["id"], env.user("adam").as_str());
    assert!(submissions[1]["trigger_id"].is_string());
    let open = control_get(&env.http, &env.sandbox, "views?user=adam").await;
    assert_eq!(open["views"], json!([]));

    // Closing a modal that asked for notify_on_close sends view_closed.
    let reopened = env
        .bot_json(
            "views.open",
            json!({"trigger_id": env.trigger_for("adam"), "view": {"type": "modal", "notify_on_close": true,
                "title": {"type": "plain_text", "text": "Again"}, "blocks": []}}),
        )
        .await;
    ok(&reopened);
    let (status, closed) = control(&env.http, &env.sandbox, "close", json!({"user": "adam"})).await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["notified"], true);
    let closed = app.interactions_of("view_closed");
    assert_eq!(closed[0]["view"]["id"], reopened["view"]["id"]);
    assert_eq!(closed[0]["is_cleared"], false);
}

#[tokio::test]
async fn removing_the_app_revokes_tokens_and_tells_it() {
    let (env, app) = wired().await;
    env.add_bot_to("general");
    ok(&env.bot("auth.test", &[]).await);

    // With approved apps only, a member cannot remove it.
    ok(&control(
        &env.http,
        &env.sandbox,
        "approved_apps_only",
        json!({"enabled": true}),
    )
    .await
    .1);
    let (status, refused) = control(
        &env.http,
        &env.sandbox,
        "uninstall",
        json!({"user": "maria"}),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(refused["error"], "restricted_action");
    ok(&env.bot("auth.test", &[]).await);

    // An admin can.
    let (status, removed) = control(
        &env.http,
        &env.sandbox,
        "uninstall",
        json!({"user": "adam"}),
    )
    .await;
    assert_eq!(status, 200, "{removed}");
    wait_for("app_uninstalled and tokens_revoked", || {
        !app.events_of("app_uninstalled").is_empty() && !app.events_of("tokens_revoked").is_empty()
    })
    .await;
    let revoked = app.events_of("tokens_revoked")[0].json();
    assert_eq!(revoked["event"]["tokens"]["bot"], json!([env.bot_user_id]));
    assert_eq!(
        revoked["event"]["tokens"]["oauth"],
        json!([env.user("olivia")])
    );
    assert_eq!(
        app.events_of("app_uninstalled")[0].json()["api_app_id"],
        env.app_id.as_str()
    );

    let answer = env.bot("auth.test", &[]).await;
    assert_eq!(answer["error"], "token_revoked", "{answer}");
    let answer = env.call("auth.test", &env.user_token, &[]).await;
    assert_eq!(answer["error"], "token_revoked", "{answer}");
    let installs = control_get(&env.http, &env.sandbox, "installations").await;
    assert_eq!(installs["installations"][0]["active"], false);

    // No more events for the removed app.
    control(
        &env.http,
        &env.sandbox,
        "messages",
        json!({"user": "maria", "channel": "general", "text": "anyone?"}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(app.events_of("message").is_empty());
}
