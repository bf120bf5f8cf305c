//! Slack's built-in `/invite @name` and `/remove @name` (also `/kick`),
//! typed in a channel's message box on the web page or sent through the
//! control API: the channel's members change as the Web API then reports
//! them, the apps get the events Slack sends (`member_joined_channel`,
//! `member_left_channel`, `channel_left`/`group_left`), signed and only
//! with the scope each needs, and what Slack refuses is shown to the person
//! by Slackbot.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use hubbub_sandbox::outbound::sign;
use serde_json::{json, Value};
use support::{start, Env, ALL_BOT_SCOPES};

/// What the app's events URL received: the signature headers and the body.
#[derive(Clone)]
struct Delivered {
    timestamp: String,
    signature: String,
    body: String,
}

impl Delivered {
    fn envelope(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

type Inbox = Arc<Mutex<Vec<Delivered>>>;

/// Points the app's events URL at a receiver on loopback.
async fn receive_events(env: &Env) -> Inbox {
    use axum::routing::post;
    let inbox: Inbox = Arc::default();
    let sink = inbox.clone();
    let app = axum::Router::new().route(
        "/events",
        post(move |headers: HeaderMap, body: String| {
            let sink = sink.clone();
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                sink.lock().unwrap().push(Delivered {
                    timestamp: header("x-slack-request-timestamp"),
                    signature: header("x-slack-signature"),
                    body,
                });
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/events", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    env.sandbox.state().app_mut(&env.app_id).unwrap().events_url = Some(url);
    inbox
}

/// The first delivered event of `kind` about `channel`.
async fn event(inbox: &Inbox, kind: &str, channel: &str) -> Delivered {
    event_where(inbox, |e| e["type"] == kind && e["channel"] == channel).await
}

/// The first delivered event that `wanted` accepts, waiting for it.
async fn event_where(inbox: &Inbox, wanted: impl Fn(&Value) -> bool) -> Delivered {
    for _ in 0..100 {
        let found = inbox
            .lock()
            .unwrap()
            .iter()
            .find(|d| wanted(&d.envelope()["event"]))
            .cloned();
        if let Some(d) = found {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let events: Vec<Value> = inbox
        .lock()
        .unwrap()
        .iter()
        .map(|d| d.envelope()["event"].clone())
        .collect();
    panic!("no such event among {events:?}");
}

/// Waits a little, then the event types delivered so far.
async fn delivered_kinds(inbox: &Inbox) -> Vec<String> {
    tokio::time::sleep(Duration::from_millis(300)).await;
    inbox
        .lock()
        .unwrap()
        .iter()
        .map(|d| d.envelope()["event"]["type"].as_str().unwrap().to_owned())
        .collect()
}

/// A browser acting as `name` on the web page (cookie kept, redirects not
/// followed).
async fn browser_as(env: &Env, name: &str) -> reqwest::Client {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = http
        .post(format!("{}/as", env.sandbox.base_url))
        .form(&[("user", env.user(name).as_str()), ("back", "/")])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection());
    http
}

/// Types `text` in a channel's message box; returns where the page sent
/// the browser and the page found there.
async fn type_in(http: &reqwest::Client, env: &Env, channel: &str, text: &str) -> (String, String) {
    let back = format!("/channels/{channel}");
    let response = http
        .post(format!("{}{back}/messages", env.sandbox.base_url))
        .form(&[("text", text), ("back", back.as_str())])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let page = http
        .get(format!("{}{location}", env.sandbox.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "{location}");
    (location, page.text().await.unwrap())
}

async fn control(env: &Env, path: &str, body: Value) -> (u16, Value) {
    let response = env
        .http
        .post(format!("{}/control/{path}", env.sandbox.base_url))
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn is_member(env: &Env, channel: &str, user: &str) -> bool {
    env.sandbox.state().is_member(channel, user)
}

/// The channel ids `users.conversations` lists for `user`.
async fn conversations_of(env: &Env, user: &str) -> Vec<String> {
    let answer = env
        .bot(
            "users.conversations",
            &[("user", user), ("types", "public_channel,private_channel")],
        )
        .await;
    assert_eq!(answer["ok"], true, "{answer}");
    answer["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn typing_invite_adds_the_app_to_the_channel_and_tells_it() {
    let env = start(ALL_BOT_SCOPES).await;
    let inbox = receive_events(&env).await;
    let sales = env.channel("sales");
    let maria = env.user("maria");
    assert!(!conversations_of(&env, &env.bot_user_id)
        .await
        .contains(&sales));

    let http = browser_as(&env, "maria").await;
    let (location, page) = type_in(&http, &env, &sales, "/invite @Hubbub").await;
    assert!(location.contains("notice="), "{location}");
    assert!(!page.contains("command_not_found"), "{page}");

    // The Web API sees the bot in the channel.
    assert!(is_member(&env, &sales, &env.bot_user_id));
    let info = env.bot("conversations.info", &[("channel", &sales)]).await;
    assert_eq!(info["channel"]["is_member"], true, "{info}");
    let members = env
        .bot("conversations.members", &[("channel", &sales)])
        .await;
    assert!(members["members"]
        .as_array()
        .unwrap()
        .contains(&json!(env.bot_user_id)));
    assert!(conversations_of(&env, &env.bot_user_id)
        .await
        .contains(&sales));

    // The app hears of it as Slack tells it, signed with its secret.
    let joined = event(&inbox, "member_joined_channel", &sales).await;
    let envelope = joined.envelope();
    assert_eq!(envelope["type"], "event_callback");
    assert_eq!(envelope["api_app_id"], env.app_id.as_str());
    let e = &envelope["event"];
    assert_eq!(e["user"], env.bot_user_id.as_str());
    assert_eq!(e["channel_type"], "C");
    assert_eq!(e["team"], env.team_id.as_str());
    assert_eq!(e["inviter"], maria.as_str());
    assert!(e["event_ts"].is_string());
    let secret = env.sandbox.state().apps[0].signing_secret.clone();
    assert_eq!(
        joined.signature,
        sign(&secret, &joined.timestamp, &joined.body)
    );

    // Handles in any case, several at once; the app, now in the channel,
    // hears of each.
    let (_, _) = type_in(&http, &env, &sales, "/invite @MARK @Adam").await;
    for name in ["mark", "adam"] {
        let id = env.user(name);
        assert!(is_member(&env, &sales, &id), "{name}");
        event_where(&inbox, |e| {
            e["type"] == "member_joined_channel" && e["user"] == id.as_str()
        })
        .await;
    }
}

#[tokio::test]
async fn what_slack_refuses_is_said_by_slackbot_on_the_page() {
    let env = start(ALL_BOT_SCOPES).await;
    let sales = env.channel("sales");
    let private = env.channel("support-private");
    let http = browser_as(&env, "maria").await;

    let (location, page) = type_in(&http, &env, &sales, "/invite @nobody").await;
    assert!(!location.contains("error="), "{location}");
    assert!(page.contains("Slackbot"), "{page}");
    assert!(page.contains("only visible to you"), "{page}");
    assert!(page.contains("user_not_found"), "{page}");

    let (_, page) = type_in(&http, &env, &sales, "/invite @olivia").await;
    assert!(page.contains("already_in_channel"), "{page}");

    // Maria is not in the private channel, so she cannot add anyone to it.
    let (_, page) = type_in(&http, &env, &private, "/invite @Hubbub").await;
    assert!(page.contains("not_in_channel"), "{page}");
    assert!(!is_member(&env, &private, &env.bot_user_id));

    // Nor remove someone who is not there, nor (not an admin) a person
    // from a public channel.
    let (_, page) = type_in(&http, &env, &sales, "/remove @mark").await;
    assert!(page.contains("isn&#39;t in this channel"), "{page}");
    let (_, page) = type_in(&http, &env, &sales, "/kick @olivia").await;
    assert!(page.contains("restricted_action"), "{page}");
    assert!(is_member(&env, &sales, &env.user("olivia")));

    // Only Maria sees Slackbot's notes.
    let ephemerals = env.sandbox.state().ephemerals.clone();
    assert!(!ephemerals.is_empty());
    assert!(ephemerals.iter().all(|e| e.user == env.user("maria")));
}

#[tokio::test]
async fn removing_people_and_the_app_tells_the_apps() {
    let env = start(ALL_BOT_SCOPES).await;
    let inbox = receive_events(&env).await;
    let sales = env.channel("sales");

    // The control API, by handle, as a person would type them.
    let (status, body) = control(
        &env,
        &format!("channels/{sales}/invite"),
        json!({"user": "Hubbub", "by": "maria"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"], env.bot_user_id.as_str());
    let (status, body) = control(
        &env,
        "channels/sales/invite",
        json!({"user": "@mark", "by": env.user("maria")}),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // An admin removes a person: the app, still in the channel, hears it.
    let (status, body) = control(
        &env,
        &format!("channels/{sales}/remove"),
        json!({"user": "mark", "by": "olivia"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(!is_member(&env, &sales, &env.user("mark")));
    let left = event(&inbox, "member_left_channel", &sales)
        .await
        .envelope();
    assert_eq!(left["event"]["user"], env.user("mark").as_str());
    assert_eq!(left["event"]["channel_type"], "C");
    assert_eq!(left["event"]["team"], env.team_id.as_str());

    // Maria removes the app by typing it: its app gets channel_left.
    let http = browser_as(&env, "maria").await;
    let (location, _) = type_in(&http, &env, &sales, "/remove @hubbub").await;
    assert!(location.contains("notice="), "{location}");
    assert!(!is_member(&env, &sales, &env.bot_user_id));
    let gone = event(&inbox, "channel_left", &sales).await.envelope();
    assert_eq!(gone["event"]["actor_id"], env.user("maria").as_str());
    assert!(gone["event"]["event_ts"].is_string());
    let info = env.bot("conversations.info", &[("channel", &sales)]).await;
    assert_eq!(info["channel"]["is_member"], false, "{info}");
    assert!(!conversations_of(&env, &env.bot_user_id)
        .await
        .contains(&sales));

    // In a private channel the events say `G`, and removal is `group_left`.
    let private = env.channel("support-private");
    let (status, body) = control(
        &env,
        &format!("channels/{private}/invite"),
        json!({"user": env.app_id, "by": "adam"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let joined = event(&inbox, "member_joined_channel", &private)
        .await
        .envelope();
    assert_eq!(joined["event"]["channel_type"], "G");
    let (status, body) = control(
        &env,
        &format!("channels/{private}/remove"),
        json!({"user": "Hubbub", "by": "mark"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let gone = event(&inbox, "group_left", &private).await.envelope();
    assert_eq!(gone["event"]["actor_id"], env.user("mark").as_str());

    // Each went through the sandbox's recorded delivery path.
    let kinds: Vec<String> = env
        .sandbox
        .state()
        .deliveries
        .iter()
        .map(|d| d.kind.clone())
        .collect();
    for kind in [
        "member_joined_channel",
        "member_left_channel",
        "channel_left",
        "group_left",
    ] {
        assert!(
            kinds.contains(&format!("event:{kind}")),
            "{kind}: {kinds:?}"
        );
    }
}

#[tokio::test]
async fn the_control_api_answers_slacks_errors() {
    let env = start(ALL_BOT_SCOPES).await;
    let invite = |body: Value| control(&env, "channels/sales/invite", body);
    let (status, body) = invite(json!({"user": "nobody", "by": "maria"})).await;
    assert_eq!(
        (status, body["error"].clone()),
        (404, json!("user_not_found"))
    );
    let (status, body) = invite(json!({"user": "olivia", "by": "maria"})).await;
    assert_eq!(
        (status, body["error"].clone()),
        (400, json!("already_in_channel"))
    );
    let (status, body) = control(
        &env,
        "channels/support-private/invite",
        json!({"user": "Hubbub", "by": "maria"}),
    )
    .await;
    assert_eq!(
        (status, body["error"].clone()),
        (403, json!("not_in_channel"))
    );
    let (status, body) = control(
        &env,
        "channels/sales/remove",
        json!({"user": "mark", "by": "olivia"}),
    )
    .await;
    assert_eq!(
        (status, body["error"].clone()),
        (400, json!("not_in_channel"))
    );
    let (status, body) = control(
        &env,
        "channels/general/remove",
        json!({"user": "mark", "by": "olivia"}),
    )
    .await;
    assert_eq!(
        (status, body["error"].clone()),
        (403, json!("cant_kick_from_general"))
    );
    let (status, body) = control(&env, "channels/nowhere/invite", json!({"user": "mark"})).await;
    assert_eq!(
        (status, body["error"].clone()),
        (404, json!("channel_not_found"))
    );
}

#[tokio::test]
async fn events_need_their_scope() {
    // No groups:read: the app hears of public channels only.
    let env = start(&["channels:read", "chat:write"]).await;
    let inbox = receive_events(&env).await;
    for channel in ["support-private", "sales"] {
        let path = format!("channels/{channel}/invite");
        let (status, body) = control(&env, &path, json!({"user": "Hubbub", "by": "adam"})).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = control(
        &env,
        "channels/support-private/remove",
        json!({"user": "Hubbub", "by": "adam"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let kinds = delivered_kinds(&inbox).await;
    assert_eq!(kinds, vec!["member_joined_channel".to_owned()], "{kinds:?}");
    let sales = env.channel("sales");
    let joined = event(&inbox, "member_joined_channel", &sales).await;
    assert_eq!(joined.envelope()["event"]["channel"], sales.as_str());
}

#[tokio::test]
async fn archiving_a_channel_stops_posts_and_tells_the_apps() {
    let env = start(ALL_BOT_SCOPES).await;
    let inbox = receive_events(&env).await;
    let sales = env.channel("sales");
    let (status, body) = control(
        &env,
        &format!("channels/{sales}/invite"),
        json!({"user": "Hubbub", "by": "maria"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // Only a member archives it, and never #general.
    let (status, body) = control(&env, "channels/general/archive", json!({"by": "olivia"})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("cant_archive_general"))
    );
    let (status, body) = control(
        &env,
        &format!("channels/{sales}/archive"),
        json!({"by": "mark"}),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("not_in_channel"))
    );

    // Typed by Maria in the channel, as `/archive` in Slack.
    let http = browser_as(&env, "maria").await;
    let (location, _) = type_in(&http, &env, &sales, "/archive").await;
    assert!(!location.contains("error="), "{location}");
    let archived = event(&inbox, "channel_archive", &sales).await.envelope();
    assert_eq!(archived["event"]["user"], env.user("maria").as_str());
    assert_eq!(archived["event"]["is_moving"], 0);

    // Its members stay; nobody posts there any more.
    assert!(is_member(&env, &sales, &env.bot_user_id));
    let info = env.bot("conversations.info", &[("channel", &sales)]).await;
    assert_eq!(info["channel"]["is_archived"], true, "{info}");
    let post = env
        .bot(
            "chat.postMessage",
            &[("channel", &sales), ("text", "hello")],
        )
        .await;
    assert_eq!(post["error"], "is_archived", "{post}");
    let (status, body) = control(&env, &format!("channels/{sales}/archive"), json!({})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("already_archived"))
    );

    // A private channel's members hear `group_archive`.
    let private = env.channel("support-private");
    let (status, body) = control(
        &env,
        &format!("channels/{private}/invite"),
        json!({"user": "Hubbub"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = control(&env, &format!("channels/{private}/archive"), json!({})).await;
    assert_eq!(status, 200, "{body}");
    event(&inbox, "group_archive", &private).await;
}
