//! Slack's inbound endpoints: only requests signed the way Slack documents
//! ("Verifying requests from Slack") get in; url_verification is answered;
//! Slack's retries of an event already taken cause nothing twice; unknown
//! workspaces touch no account. Requests are signed here, independently
//! of the hub's own verifier.

use std::time::Duration;

use hubbub_sandbox::Seed;
use hubbub_test_support::{now_secs, slack_signature};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{TestApp, SLACK_SIGNING_SECRET};
use crate::slack_support::{admin, connect, connection_row, globex, slack_user, world, World};

/// A request as Slack sends it.
struct SlackRequest<'a> {
    path: &'a str,
    content_type: &'a str,
    body: Vec<u8>,
    /// Seconds from now for the timestamp header.
    age: i64,
    secret: &'a str,
    timestamp_header: bool,
    signature_header: bool,
    retry_num: Option<u32>,
}

impl<'a> SlackRequest<'a> {
    fn json(path: &'a str, body: &Value) -> SlackRequest<'a> {
        SlackRequest::raw(path, "application/json", body.to_string().into_bytes())
    }

    fn form(path: &'a str, fields: &[(&str, &str)]) -> SlackRequest<'a> {
        let body = serde_urlencoded::to_string(fields).unwrap();
        SlackRequest::raw(path, "application/x-www-form-urlencoded", body.into_bytes())
    }

    fn raw(path: &'a str, content_type: &'a str, body: Vec<u8>) -> SlackRequest<'a> {
        SlackRequest {
            path,
            content_type,
            body,
            age: 0,
            secret: SLACK_SIGNING_SECRET,
            timestamp_header: true,
            signature_header: true,
            retry_num: None,
        }
    }

    async fn send(self, app: &TestApp) -> (StatusCode, String) {
        let timestamp = (now_secs() - self.age).to_string();
        let mut req = app
            .http
            .post(format!("{}{}", app.base_url, self.path))
            .header("content-type", self.content_type);
        if self.timestamp_header {
            req = req.header("x-slack-request-timestamp", &timestamp);
        }
        if self.signature_header {
            req = req.header(
                "x-slack-signature",
                slack_signature(self.secret, &timestamp, &self.body),
            );
        }
        if let Some(n) = self.retry_num {
            req = req
                .header("x-slack-retry-num", n.to_string())
                .header("x-slack-retry-reason", "http_timeout");
        }
        let res = req.body(self.body).send().await.expect("the app answers");
        let status = res.status();
        (status, res.text().await.unwrap())
    }
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        uuid::Uuid::new_v4().simple().to_string()[..10].to_uppercase()
    )
}

fn event_callback(team_id: &str, event_id: &str) -> Value {
    json!({
        "token": "ignored-verification-token",
        "team_id": team_id,
        "api_app_id": "A0HUBBUB",
        "event": {
            "type": "message",
            "channel": "C0GENERAL",
            "user": "U0MARIA",
            "text": "Hello from Slack",
            "ts": "1700000000.000100",
            "event_ts": "1700000000.000100",
            "channel_type": "channel"
        },
        "type": "event_callback",
        "event_id": event_id,
        "event_time": now_secs(),
        "authorizations": [{"enterprise_id": null, "team_id": team_id, "user_id": "U0BOT", "is_bot": true, "is_enterprise_install": false}]
    })
}

/// The hub beside the sandbox, whose app signs with the secret these
/// requests are signed with, and which has a second workspace (Globex,
/// owned by Gina) beside Acme.
async fn slack_world() -> World {
    let mut seed = Seed::demo();
    seed.apps[0].signing_secret = SLACK_SIGNING_SECRET.to_owned();
    seed.teams.push(globex());
    world(seed).await
}

/// Connects the workspace of `handle` (who approves, as its owner) to a
/// new account, through the App Marketplace; returns (account, team).
async fn connected_team(world: &World, handle: &str) -> (i64, String) {
    let account = world.app.account("Slack Co").await;
    let mut client = admin(world, &account).await;
    connect(world, &mut client, handle).await.assert_ok();
    let (_, team_id) = slack_user(world, handle);
    (account.id, team_id)
}

#[tokio::test]
async fn url_verification_is_answered_with_the_challenge() {
    let app = TestApp::spawn().await;
    let challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P";
    let (status, body) = SlackRequest::json(
        "/slack/events",
        &json!({"token": "Jhj5dZrVaK7ZwHHjRyZWjbDl", "challenge": challenge, "type": "url_verification"}),
    )
    .send(&app)
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, challenge);

    // Unsigned, the same handshake gets nothing.
    let mut forged = SlackRequest::json(
        "/slack/events",
        &json!({"challenge": challenge, "type": "url_verification"}),
    );
    forged.secret = "not our secret";
    let (status, body) = forged.send(&app).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!body.contains(challenge));
}

#[tokio::test]
async fn a_forged_signature_is_refused_and_nothing_recorded() {
    let world = slack_world().await;
    let app = &world.app;
    let (_, team_id) = connected_team(&world, "olivia").await;
    let event_id = unique("Ev");
    let mut request = SlackRequest::json("/slack/events", &event_callback(&team_id, &event_id));
    request.secret = "an attacker's guess";
    let (status, body) = request.send(app).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(app.store.slack_event_seen(&event_id).await.unwrap(), None);

    // A body changed after signing fails the same way.
    let timestamp = now_secs().to_string();
    let signed = event_callback(&team_id, &event_id).to_string();
    let signature = slack_signature(SLACK_SIGNING_SECRET, &timestamp, signed.as_bytes());
    let tampered = signed.replace("Hello from Slack", "Hello from Mallory");
    let res = app
        .http
        .post(format!("{}/slack/events", app.base_url))
        .header("x-slack-request-timestamp", &timestamp)
        .header("x-slack-signature", signature)
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.store.slack_events_seen_count(&team_id).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn a_stale_timestamp_is_refused() {
    let world = slack_world().await;
    let app = &world.app;
    let (_, team_id) = connected_team(&world, "olivia").await;
    for age in [6 * 60, -6 * 60] {
        let event_id = unique("Ev");
        let mut request = SlackRequest::json("/slack/events", &event_callback(&team_id, &event_id));
        request.age = age;
        let (status, body) = request.send(app).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "age {age}: {body}");
        assert!(body.contains("five minutes"), "{body}");
        assert_eq!(app.store.slack_event_seen(&event_id).await.unwrap(), None);
    }
    // Inside the window is fine.
    let event_id = unique("Ev");
    let mut request = SlackRequest::json("/slack/events", &event_callback(&team_id, &event_id));
    request.age = 4 * 60;
    assert_eq!(request.send(app).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused() {
    let world = slack_world().await;
    let app = &world.app;
    let (_, team_id) = connected_team(&world, "olivia").await;
    let event_id = unique("Ev");
    let mut event = event_callback(&team_id, &event_id);
    event["event"]["text"] = json!("x".repeat(1024 * 1024));
    let (status, _) = SlackRequest::json("/slack/events", &event).send(app).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.store.slack_event_seen(&event_id).await.unwrap(), None);

    // Also without a Content-Length: a chunked body is cut off at the limit.
    let timestamp = now_secs().to_string();
    let body = event.to_string().into_bytes();
    let signature = slack_signature(SLACK_SIGNING_SECRET, &timestamp, &body);
    let status = post_chunked(app, "/slack/events", &timestamp, &signature, &body).await;
    assert_eq!(status, 413);
    assert_eq!(app.store.slack_event_seen(&event_id).await.unwrap(), None);
}

/// POSTs `body` with `Transfer-Encoding: chunked` (no Content-Length);
/// returns the answer's status code.
async fn post_chunked(
    app: &TestApp,
    path: &str,
    timestamp: &str,
    signature: &str,
    body: &[u8],
) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base_url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         X-Slack-Request-Timestamp: {timestamp}\r\nX-Slack-Signature: {signature}\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in body.chunks(64 * 1024) {
        let sent = async {
            stream
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            stream.write_all(chunk).await?;
            stream.write_all(b"\r\n").await
        };
        // The server may answer and close before the whole body is sent.
        if sent.await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {answer:?}"))
}

#[tokio::test]
async fn slacks_retries_of_an_event_are_acknowledged_and_taken_once() {
    let world = slack_world().await;
    let app = &world.app;
    let (_, team_id) = connected_team(&world, "olivia").await;
    let event_id = unique("Ev");
    let event = event_callback(&team_id, &event_id);
    for retry_num in [None, Some(1), Some(2)] {
        let mut request = SlackRequest::json("/slack/events", &event);
        request.retry_num = retry_num;
        let (status, body) = request.send(app).await;
        assert_eq!(status, StatusCode::OK, "retry {retry_num:?}: {body}");
        assert_eq!(body, "");
    }
    assert_eq!(
        app.store.slack_event_seen(&event_id).await.unwrap(),
        Some(team_id.clone())
    );
    assert_eq!(
        app.store.slack_events_seen_count(&team_id).await.unwrap(),
        1
    );

    // A replay without the retry header is no different.
    let (status, _) = SlackRequest::json("/slack/events", &event).send(app).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.store.slack_events_seen_count(&team_id).await.unwrap(),
        1
    );
}

#[tokio::test]
async fn an_unknown_team_is_acknowledged_and_nothing_touched() {
    let world = slack_world().await;
    let app = &world.app;
    let (_, connected) = connected_team(&world, "olivia").await;
    let stranger = unique("T");
    let event_id = unique("Ev");
    let (status, body) = SlackRequest::json("/slack/events", &event_callback(&stranger, &event_id))
        .send(app)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.store.slack_event_seen(&event_id).await.unwrap(), None);
    assert_eq!(
        app.store.slack_events_seen_count(&stranger).await.unwrap(),
        0
    );
    assert_eq!(
        app.store.slack_events_seen_count(&connected).await.unwrap(),
        0
    );
    assert_eq!(
        app.store.account_for_slack_team(&stranger).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn events_are_kept_to_their_own_workspace() {
    let world = slack_world().await;
    let app = &world.app;
    let (account_a, team_a) = connected_team(&world, "olivia").await;
    let (account_b, team_b) = connected_team(&world, "gina").await;
    assert_ne!(account_a, account_b);
    assert_eq!(
        app.store.account_for_slack_team(&team_a).await.unwrap(),
        Some(account_a)
    );
    assert_eq!(
        app.store.account_for_slack_team(&team_b).await.unwrap(),
        Some(account_b)
    );
    let event_id = unique("Ev");
    let (status, _) = SlackRequest::json("/slack/events", &event_callback(&team_a, &event_id))
        .send(app)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.store.slack_event_seen(&event_id).await.unwrap(),
        Some(team_a.clone())
    );
    assert_eq!(app.store.slack_events_seen_count(&team_b).await.unwrap(), 0);
}

#[tokio::test]
async fn missing_headers_are_refused() {
    let world = slack_world().await;
    let app = &world.app;
    let (_, team_id) = connected_team(&world, "olivia").await;
    for (timestamp, signature) in [(false, true), (true, false), (false, false)] {
        let event_id = unique("Ev");
        let mut request = SlackRequest::json("/slack/events", &event_callback(&team_id, &event_id));
        request.timestamp_header = timestamp;
        request.signature_header = signature;
        let (status, body) = request.send(app).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "timestamp {timestamp}, signature {signature}: {body}"
        );
        assert!(body.contains("missing"), "{body}");
        assert_eq!(app.store.slack_event_seen(&event_id).await.unwrap(), None);
    }
    for path in ["/slack/commands", "/slack/interactions", "/slack/options"] {
        let mut request = SlackRequest::form(path, &[("team_id", &team_id)]);
        request.signature_header = false;
        assert_eq!(
            request.send(app).await.0,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
}

#[tokio::test]
async fn slack_not_configured_answers_503() {
    let app = TestApp::spawn_with_slack_secret(None).await;
    for path in [
        "/slack/events",
        "/slack/commands",
        "/slack/interactions",
        "/slack/options",
    ] {
        let (status, body) =
            SlackRequest::json(path, &json!({"type": "url_verification", "challenge": "c"}))
                .send(&app)
                .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(body.contains("Slack is not configured"), "{body}");
    }
}

#[tokio::test]
async fn commands_interactions_and_options_are_verified_then_acknowledged() {
    let world = slack_world().await;
    let app = &world.app;
    let (_, team_id) = connected_team(&world, "olivia").await;
    let command = [
        ("token", "ignored"),
        ("team_id", team_id.as_str()),
        ("team_domain", "slackco"),
        ("channel_id", "C0GENERAL"),
        ("channel_name", "general"),
        ("user_id", "U0MARIA"),
        ("user_name", "maria"),
        ("command", "/hs"),
        ("text", "help"),
        ("api_app_id", "A0HUBBUB"),
        ("response_url", "https://hooks.slack.com/commands/T/1/x"),
        ("trigger_id", "1.2.3"),
    ];
    let (status, body) = SlackRequest::form("/slack/commands", &command)
        .send(app)
        .await;
    // Verified, it is answered at once, to the caller only.
    assert_eq!(status, StatusCode::OK, "{body}");
    let help: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(help["response_type"], "ephemeral", "{body}");
    assert!(help["text"].as_str().unwrap().contains("/hs -feedback"));

    let action = json!({
        "type": "block_actions",
        "team": {"id": team_id, "domain": "slackco"},
        "user": {"id": "U0MARIA", "team_id": team_id},
        "api_app_id": "A0HUBBUB",
        "trigger_id": "1.2.3",
        "response_url": "https://hooks.slack.com/actions/T/1/x",
        "actions": [{"action_id": "assign_to_me", "type": "button", "value": "1"}]
    })
    .to_string();
    let (status, body) = SlackRequest::form("/slack/interactions", &[("payload", &action)])
        .send(app)
        .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));

    let suggestion = json!({
        "type": "block_suggestion",
        "team": {"id": team_id},
        "user": {"id": "U0MARIA"},
        "action_id": "pick_record",
        "value": "ac"
    })
    .to_string();
    let (status, _) = SlackRequest::form("/slack/options", &[("payload", &suggestion)])
        .send(app)
        .await;
    assert_eq!(status, StatusCode::OK);

    // Malformed but signed: a clear 400, and Slack is told not to retry.
    let (status, body) = SlackRequest::form("/slack/interactions", &[("nopayload", "1")])
        .send(app)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = SlackRequest::raw("/slack/events", "application/json", b"{not json".to_vec())
        .send(app)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Forged: refused.
    let mut forged = SlackRequest::form("/slack/commands", &command);
    forged.secret = "guess";
    assert_eq!(forged.send(app).await.0, StatusCode::UNAUTHORIZED);
}

/// The Slack sandbox, playing Slack, delivers real signed requests.
#[tokio::test]
async fn the_sandbox_delivers_a_signed_event_that_is_accepted() {
    let world = slack_world().await;
    let (app, sandbox) = (&world.app, &world.sandbox);
    let app_id = sandbox.state().apps[0].app_id.clone();
    let control = |path: &str| format!("{}/control/{path}", sandbox.base_url);
    let http = reqwest::Client::new();
    let call = |path: String, body: Value| {
        let http = http.clone();
        async move {
            let res = http.post(&path).json(&body).send().await.unwrap();
            let status = res.status();
            let json: Value = res.json().await.unwrap();
            assert!(status.is_success(), "{path}: {json}");
            json
        }
    };

    // Slack's settings page checks the URL with url_verification first.
    call(
        control(&format!("apps/{app_id}/urls")),
        json!({
            "events_url": format!("{}/slack/events", app.base_url),
            "commands": [{"command": "/hs", "url": format!("{}/slack/commands", app.base_url)}],
            "verify": true
        }),
    )
    .await;
    let (account_id, team_id) = connected_team(&world, "olivia").await;
    let bot_user_id = connection_row(&world, account_id).await.bot_user_id;

    call(
        control("invite"),
        json!({"channel": "general", "user": bot_user_id, "inviter": "adam"}),
    )
    .await;
    call(
        control("messages"),
        json!({"user": "maria", "channel": "general", "text": "Can someone call Ada back?"}),
    )
    .await;

    // Wait for the message event's delivery and check the hub took it.
    let mut delivered = None;
    for _ in 0..100 {
        let res: Value = http
            .get(control("deliveries?kind=event:message"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if let Some(d) = res["deliveries"].as_array().and_then(|d| d.first()) {
            delivered = Some(d.clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let delivery = delivered.expect("the sandbox delivered the message event");
    assert_eq!(delivery["status"], 200, "{delivery}");
    assert_eq!(delivery["attempt"], 0, "{delivery}");
    let envelope: Value = serde_json::from_str(delivery["body"].as_str().unwrap()).unwrap();
    let event_id = envelope["event_id"].as_str().unwrap();
    assert_eq!(envelope["event"]["text"], "Can someone call Ada back?");
    assert_eq!(
        app.store.slack_event_seen(event_id).await.unwrap(),
        Some(team_id.clone())
    );

    // A slash command typed in the sandbox is verified and acknowledged.
    call(
        control("commands"),
        json!({"user": "maria", "channel": "general", "command": "/hs", "text": "help"}),
    )
    .await;
    let res: Value = http
        .get(control("deliveries?kind=slash_command"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(res["deliveries"][0]["status"], 200, "{res}");
}

/// `app_uninstalled` from a workspace, as Slack sends it when an admin
/// removes the app: the one event whose effect (the hub disconnects and
/// tells every super admin) shows whether it was taken.
fn app_uninstalled(team_id: &str, event_id: &str) -> Value {
    let mut event = event_callback(team_id, event_id);
    event["event"] = json!({"type": "app_uninstalled", "event_ts": "1700000000.000200"});
    event
}

/// How many times the account's super admin was told Slack disconnected.
async fn disconnect_notices(app: &TestApp, account_id: i64) -> usize {
    let admin = app.store.users(account_id).await.unwrap()[0].clone();
    let notes = app.store.notifications(admin.id, 100).await.unwrap();
    notes
        .iter()
        .filter(|n| n.topic == "slack_disconnected")
        .count()
}

#[tokio::test]
async fn a_failure_before_the_events_commit_leaves_nothing_and_slacks_retry_takes_it_once() {
    let world = slack_world().await;
    let app = &world.app;
    let (account_id, team_id) = connected_team(&world, "olivia").await;
    let event_id = unique("Ev");
    let event = app_uninstalled(&team_id, &event_id);

    // The hub fails after writing the event's effects, before committing.
    app.hub.faults().fail_before_event_commit(1);
    let (status, body) = SlackRequest::json("/slack/events", &event).send(app).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(body.contains("Slack will retry"), "{body}");
    // Nothing of it is left: not the event id, not its effects.
    assert_eq!(app.store.slack_event_seen(&event_id).await.unwrap(), None);
    assert!(connection_row(&world, account_id).await.is_live());
    assert_eq!(disconnect_notices(app, account_id).await, 0);

    // Slack's retry is taken, once; a later one changes nothing more.
    for retry_num in [1, 2] {
        let mut retry = SlackRequest::json("/slack/events", &event);
        retry.retry_num = Some(retry_num);
        let (status, body) = retry.send(app).await;
        assert_eq!(status, StatusCode::OK, "retry {retry_num}: {body}");
    }
    assert!(!connection_row(&world, account_id).await.is_live());
    assert_eq!(disconnect_notices(app, account_id).await, 1);
    app.settle().await;
    let mails = app.store.list_mail(account_id, None, 50).await.unwrap();
    let told = mails
        .iter()
        .filter(|m| m.subject.contains("was disconnected from the hub"))
        .count();
    assert_eq!(told, 1, "one email to the one super admin");
}

#[tokio::test]
async fn the_same_event_delivered_three_times_at_once_is_taken_once() {
    let world = slack_world().await;
    let app = &world.app;
    let (account_id, team_id) = connected_team(&world, "olivia").await;
    let event = app_uninstalled(&team_id, &unique("Ev"));
    // The first delivery to be taken fails before its commit: one of the
    // others, waiting on it, must take the event instead of losing it.
    app.hub.faults().fail_before_event_commit(1);
    let send = || SlackRequest::json("/slack/events", &event).send(app);
    let (a, b, c) = tokio::join!(send(), send(), send());
    let mut statuses = [a.0, b.0, c.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::INTERNAL_SERVER_ERROR
        ],
        "{a:?} {b:?} {c:?}"
    );
    assert!(!connection_row(&world, account_id).await.is_live());
    assert_eq!(disconnect_notices(app, account_id).await, 1);
    let disconnects = app
        .store
        .audit_log(account_id, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "slack.disconnected")
        .count();
    assert_eq!(disconnects, 1);
}

#[tokio::test]
async fn event_ids_are_forgotten_after_a_day() {
    let world = slack_world().await;
    let app = &world.app;
    let (_, team_id) = connected_team(&world, "olivia").await;
    let event_id = unique("Ev");
    let (status, _) = SlackRequest::json("/slack/events", &event_callback(&team_id, &event_id))
        .send(app)
        .await;
    assert_eq!(status, StatusCode::OK);
    app.settle().await;
    assert_eq!(
        app.store.slack_event_seen(&event_id).await.unwrap(),
        Some(team_id.clone()),
        "kept while Slack may still retry it"
    );
    app.hub.clock().advance(Duration::from_secs(24 * 3600 + 60));
    app.settle().await;
    assert_eq!(app.store.slack_event_seen(&event_id).await.unwrap(), None);
}
