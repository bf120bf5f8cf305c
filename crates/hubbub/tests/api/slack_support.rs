//! Shared by the Slack tests: the hub wired to an in-process Slack
//! sandbox, and a browser that connects it.

use hubbub_sandbox::state::{SeedTeam, SeedUser};
use hubbub_sandbox::{Sandbox, Seed};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{TestAccount, TestApp, TestSlack};
use crate::web_client::{Page, WebClient};

pub const ADMIN_PASSWORD: &str = "correct horse battery";

pub struct World {
    pub sandbox: Sandbox,
    pub app: TestApp,
    /// Follows no redirects: to read where the sandbox sends the browser.
    pub raw: reqwest::Client,
}

pub async fn world(seed: Seed) -> World {
    let sandbox = Sandbox::start(
        "127.0.0.1:0".parse().unwrap(),
        Seed {
            rate_limits: false,
            ..seed
        },
    )
    .await
    .unwrap();
    let config = sandbox.state().apps[0].clone();
    let app = TestApp::spawn_with_slack(TestSlack {
        signing_secret: Some(config.signing_secret.clone()),
        app: Some(hubbub_app::SlackAppConfig {
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            authorize_url: format!("{}/oauth/v2/authorize", sandbox.base_url),
        }),
        api_url: Some(sandbox.api_url()),
        hooks_url: Some(sandbox.response_url_base()),
    })
    .await;
    let raw = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = raw
        .post(format!(
            "{}/control/apps/{}/urls",
            sandbox.base_url, config.app_id
        ))
        .json(&json!({"redirect_urls": [format!("{}/slack/oauth/callback", app.base_url)]}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    World { sandbox, app, raw }
}

/// A second workspace, Globex, whose only person, Gina, owns it.
pub fn globex() -> SeedTeam {
    SeedTeam {
        id: None,
        name: "Globex".into(),
        domain: "globex".into(),
        users: vec![SeedUser {
            id: None,
            name: "gina".into(),
            real_name: "Gina Globex".into(),
            email: "gina@globex.example".into(),
            is_admin: true,
            is_owner: true,
        }],
        channels: vec![],
    }
}

pub fn slack_user(world: &World, handle: &str) -> (String, String) {
    let state = world.sandbox.state();
    let u = state
        .users
        .iter()
        .find(|u| u.name == handle)
        .unwrap_or_else(|| panic!("sandbox user {handle}"));
    (u.id.clone(), u.team_id.clone())
}

pub async fn admin(world: &World, account: &TestAccount) -> WebClient {
    WebClient::signed_in(
        &world.app,
        &account.admin_email,
        ADMIN_PASSWORD,
        "/settings/marketplace",
        "/settings/marketplace",
    )
    .await
}

/// The App Marketplace's "Connect app" button (its form's action).
pub const FROM_MARKETPLACE: &str = "/settings/marketplace/slack/connect";

/// An inbox's "Connect account" button under "Connect to Slack".
pub fn from_inbox(inbox_id: i64) -> String {
    format!("/settings/inbox/{inbox_id}/slack/connect")
}

/// Presses the connect button whose form posts to `start` (see
/// [`FROM_MARKETPLACE`], [`from_inbox`]), lands on the sandbox's consent
/// page, and answers it as `handle` (`allow` or `cancel`). Returns the
/// callback URL the sandbox sends the browser to (not yet followed).
pub async fn consent(
    world: &World,
    client: &mut WebClient,
    start: &str,
    handle: &str,
    decision: &str,
) -> String {
    let page = client.post(start, &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(page.path, "/oauth/v2/authorize", "{}", page.html);
    let query = page.query.clone().expect("authorize query");
    let params: Vec<(String, String)> = serde_urlencoded::from_str(&query).unwrap();
    let get = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        get("redirect_uri"),
        format!("{}/slack/oauth/callback", world.app.base_url)
    );
    assert_eq!(get("scope"), hubbub_slack::manifest::scope_list());
    assert_eq!(get("state").len(), 64);
    let (user_id, team_id) = slack_user(world, handle);
    let mut form = params.clone();
    form.push(("team".into(), team_id));
    form.push(("user".into(), user_id));
    form.push(("decision".into(), decision.into()));
    let res = world
        .raw
        .post(format!("{}/oauth/v2/authorize", world.sandbox.base_url))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    res.headers()["location"].to_str().unwrap().to_owned()
}

/// Follows a URL (the callback) in `client`'s browser session.
pub async fn open(client: &WebClient, url: &str) -> Page {
    let res = client.http.get(url).send().await.unwrap();
    let status = res.status();
    let url = res.url().clone();
    Page {
        status,
        path: url.path().to_owned(),
        query: url.query().map(str::to_owned),
        html: res.text().await.unwrap(),
    }
}

/// The live bot tokens the sandbox issued in a workspace.
pub async fn sandbox_bot_tokens(world: &World, team_id: &str) -> Vec<(String, bool)> {
    let body = sandbox_read(world, "/control/installations", &[]).await;
    body["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["team_id"] == team_id && t["token"].as_str().unwrap().starts_with("xoxb"))
        .map(|t| {
            (
                t["token"].as_str().unwrap().to_owned(),
                t["revoked"].as_bool().unwrap(),
            )
        })
        .collect()
}

pub async fn auth_test(world: &World, token: &str) -> Value {
    let url = format!("{}auth.test", world.sandbox.api_url());
    json_answer(world.raw.post(url).bearer_auth(token)).await
}

/// Calls the sandbox's Web API `method` with `token` and a JSON body, as
/// an app does; answers Slack's JSON.
pub async fn web_api(world: &World, token: &str, method: &str, body: Value) -> Value {
    let url = format!("{}{method}", world.sandbox.api_url());
    json_answer(world.raw.post(url).bearer_auth(token).json(&body)).await
}

/// What the app showed only to `handle` (`chat.postEphemeral`, an
/// ephemeral answer or `response_url` message), oldest first.
pub async fn ephemerals(world: &World, handle: &str) -> Vec<Value> {
    let (user_id, _) = slack_user(world, handle);
    let body = sandbox_read(world, "/control/ephemerals", &[("user", user_id.as_str())]).await;
    body["ephemerals"].as_array().unwrap().clone()
}

/// Sends a request to the sandbox and reads its JSON answer.
async fn json_answer(request: reqwest::RequestBuilder) -> Value {
    let answer = request.send().await.expect("the sandbox answers");
    answer.json().await.expect("a JSON answer")
}

/// Connects from the App Marketplace, allowing as `handle`, and returns
/// the page the browser lands on.
pub async fn connect(world: &World, client: &mut WebClient, handle: &str) -> Page {
    connect_from(world, client, FROM_MARKETPLACE, handle).await
}

/// Connects from the button posting to `start`, allowing as `handle`, and
/// returns the page the browser lands on.
pub async fn connect_from(
    world: &World,
    client: &mut WebClient,
    start: &str,
    handle: &str,
) -> Page {
    let callback = consent(world, client, start, handle, "allow").await;
    let page = open(client, &callback).await;
    // Connecting starts background work with the new token (finding users
    // in Slack): let it finish, so that tests go on from a settled state.
    jobs_settled(world).await;
    page
}

/// Presses the App Marketplace's "Disconnect" and returns the page the
/// browser lands on.
pub async fn disconnect(client: &mut WebClient) -> Page {
    client
        .submit(
            "/settings/marketplace",
            "/settings/marketplace/slack/disconnect",
            &[],
        )
        .await
}

/// Runs the hub's due background work until none is left.
pub async fn jobs_settled(world: &World) {
    world.app.settle().await;
}

/// Calls the sandbox's control API (what people do on the Slack side).
pub async fn sandbox_control(world: &World, path: &str, body: Value) -> (StatusCode, Value) {
    let res = world
        .raw
        .post(format!("{}{path}", world.sandbox.base_url))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Sends the hub an interaction payload signed as Slack signs it (a
/// press Slack would deliver, or a replay of one).
pub async fn signed_interaction(world: &World, payload: &Value) -> StatusCode {
    let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
    let secret = world.sandbox.state().apps[0].signing_secret.clone();
    let timestamp = hubbub_test_support::now_secs().to_string();
    world
        .raw
        .post(format!("{}/slack/interactions", world.app.base_url))
        .header("X-Slack-Request-Timestamp", &timestamp)
        .header(
            "X-Slack-Signature",
            hubbub_test_support::slack_signature(&secret, &timestamp, body.as_bytes()),
        )
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
}

/// Points the sandbox app's event and interactivity URLs and its `/hs`
/// command at the hub and gives it the manifest's shortcuts (as the
/// manifest does), so that events, button presses, commands and the
/// "More actions" menu reach it.
pub async fn subscribe_app(world: &World) {
    let (app_id, name) = {
        let state = world.sandbox.state();
        (state.apps[0].app_id.clone(), state.apps[0].name.clone())
    };
    let base = &world.app.base_url;
    let manifest = hubbub_slack::manifest::manifest(base, &name);
    let (status, body) = sandbox_control(
        world,
        &format!("/control/apps/{app_id}/urls"),
        json!({
            "events_url": format!("{base}/slack/events"),
            "interactivity_url": format!("{base}/slack/interactions"),
            "options_url": format!("{base}/slack/options"),
            "commands": [{"command": "/hs", "url": format!("{base}/slack/commands")}],
            "shortcuts": manifest["features"]["shortcuts"],
        }),
    )
    .await;
    assert!(status.is_success(), "{body}");
}

/// Waits until `check` holds (jobs run in the background), or fails
/// saying what was awaited.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// The account's Slack connection row, which must exist.
pub async fn connection_row(world: &World, account_id: i64) -> hubbub_store::SlackConnection {
    world
        .app
        .store
        .slack_connection(account_id)
        .await
        .unwrap()
        .expect("the account has a Slack connection")
}

/// The account a workspace is live on, if any.
pub async fn live_account_of(world: &World, team_id: &str) -> Option<i64> {
    world
        .app
        .store
        .account_for_slack_team(team_id)
        .await
        .unwrap()
}

/// A channel's id in the sandbox, by its name.
pub fn channel_id(world: &World, name: &str) -> String {
    let state = world.sandbox.state();
    let channel = state.channels.iter().find(|c| c.name == name).unwrap();
    channel.id.clone()
}

/// A person's click in the sandbox (`/control/click`), once the hub has
/// done what it caused; the sandbox's answer (with the press's
/// `response_url`).
pub async fn click(world: &World, click: Value) -> Value {
    let (status, body) = sandbox_control(world, "/control/click", click.clone()).await;
    assert!(status.is_success(), "{click}: {body}");
    world.app.settle().await;
    body
}

/// Does something on the Slack side, through the sandbox's control API.
pub async fn on_slack(world: &World, path: &str, body: Value) {
    let (status, answer) = sandbox_control(world, path, body).await;
    assert!(status.is_success(), "{path}: {answer}");
}

/// Adds the app to a channel, as a person typing `/invite @Hubbub` there.
pub async fn invite_app(world: &World, channel: &str) {
    let invite = json!({"channel": channel, "user": "Hubbub"});
    on_slack(world, "/control/invite", invite).await;
}

/// The top-level messages of a channel (by name or id), oldest first.
pub async fn channel_messages(world: &World, channel: &str) -> Vec<Value> {
    let body = sandbox_read(world, "/control/messages", &[("channel", channel)]).await;
    body["messages"]
        .as_array()
        .unwrap_or_else(|| panic!("no messages in {body}"))
        .clone()
}

/// Reads what the sandbox's control API shows at `path` (what happened on
/// the Slack side).
pub async fn sandbox_read(world: &World, path: &str, query: &[(&str, &str)]) -> Value {
    let url = format!("{}{path}", world.sandbox.base_url);
    json_answer(world.raw.get(url).query(query)).await
}
