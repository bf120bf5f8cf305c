//! App unfurls as Slack's unfurling guide describes them: `chat.unfurl`
//! attaches blocks to a person's message (refusing rich text), and a
//! press of a button in them sends the app `block_actions` with a
//! `message_attachment` container and `app_unfurl` in place of the
//! message, whose `response_url` cannot replace the person's message.

mod support;

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::StatusCode;
use serde_json::{json, Value};
use support::{start, Env, ALL_BOT_SCOPES};

/// An app that keeps every interaction payload it is sent.
#[derive(Clone, Default)]
struct Interactions(Arc<Mutex<Vec<Value>>>);

async fn keep(AxumState(kept): AxumState<Interactions>, body: Bytes) -> StatusCode {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap();
    let payload = form.into_iter().find(|(k, _)| k == "payload").unwrap().1;
    kept.0
        .lock()
        .unwrap()
        .push(serde_json::from_str(&payload).unwrap());
    StatusCode::OK
}

async fn wired() -> (Env, Interactions) {
    let env = start(ALL_BOT_SCOPES).await;
    let kept = Interactions::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/interactive", listener.local_addr().unwrap());
    let router = axum::Router::new()
        .route("/interactive", axum::routing::post(keep))
        .with_state(kept.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let answer: Value = env
        .http
        .post(format!(
            "{}/control/apps/{}/urls",
            env.sandbox.base_url, env.app_id
        ))
        .json(&json!({"interactivity_url": url, "unfurl_domains": ["crm.example"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["ok"], true, "{answer}");
    (env, kept)
}

async fn control(env: &Env, path: &str, body: Value) -> (u16, Value) {
    let r = env
        .http
        .post(format!("{}/control/{path}", env.sandbox.base_url))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn a_button_in_an_unfurl_sends_the_app_its_unfurl_not_the_message() {
    let (env, kept) = wired().await;
    env.add_bot_to("general");
    let general = env.channel("general");
    let url = "https://crm.example/deals/42";
    let maria = env.user_token_for("maria", &["chat:write"]);
    let posted = env
        .call(
            "chat.postMessage",
            &maria,
            &[("channel", &general), ("text", &format!("see <{url}>"))],
        )
        .await;
    let ts = posted["ts"].as_str().unwrap().to_owned();

    let rich = json!({url: {"blocks": [{"type": "rich_text", "elements": []}]}});
    let refused = env
        .bot_json(
            "chat.unfurl",
            json!({"channel": general, "ts": ts, "unfurls": rich}),
        )
        .await;
    assert_eq!(refused["error"], "invalid_blocks", "{refused}");

    let blocks = json!([
        {"type": "section", "text": {"type": "mrkdwn", "text": "Deal 42"}},
        {"type": "actions", "block_id": "deal", "elements": [
            {"type": "button", "action_id": "assign", "text": {"type": "plain_text", "text": "Assign to me"}, "value": "deal:42"}
        ]}
    ]);
    let unfurled = env
        .bot_json(
            "chat.unfurl",
            json!({"channel": general, "ts": ts, "unfurls": {url: {"blocks": blocks}}}),
        )
        .await;
    assert_eq!(unfurled["ok"], true, "{unfurled}");

    let click = json!({"user": "adam", "channel": "general", "ts": ts, "action_id": "assign"});
    let (status, clicked) = control(&env, "click", click).await;
    assert_eq!(status, 200, "{clicked}");
    let payload = kept.0.lock().unwrap().pop().expect("the app got the press");
    assert_eq!(payload["type"], "block_actions");
    assert_eq!(payload["actions"][0]["block_id"], "deal");
    assert_eq!(payload["actions"][0]["value"], "deal:42");
    assert_eq!(
        payload["container"],
        json!({
            "type": "message_attachment", "message_ts": ts, "attachment_id": 1,
            "channel_id": general, "is_ephemeral": false, "is_app_unfurl": true,
            "app_unfurl_url": url,
        })
    );
    assert!(payload.get("message").is_none(), "{payload}");
    assert_eq!(payload["app_unfurl"]["app_unfurl_url"], url);
    assert_eq!(payload["app_unfurl"]["blocks"], blocks);
    assert_eq!(payload["channel"]["id"], general.as_str());
    assert!(payload["trigger_id"].is_string());

    // The message is Maria's: an answer that asks to replace it is a new
    // message only the presser sees, and the message stays as she wrote it.
    let answered = env
        .http
        .post(payload["response_url"].as_str().unwrap())
        .json(&json!({"replace_original": true, "text": "Assigned"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 200);
    let history = env
        .bot("conversations.history", &[("channel", &general)])
        .await;
    let message = &history["messages"][0];
    assert_eq!(message["text"], format!("see <{url}>"));
    assert_eq!(message["attachments"][0]["blocks"], blocks);
    let shown: Value = env
        .http
        .get(format!("{}/control/ephemerals", env.sandbox.base_url))
        .query(&[("user", env.user("adam"))])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["ephemerals"][0]["text"], "Assigned", "{shown}");

    // A second unfurl of the same link replaces the first.
    let again = json!({url: {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Deal 42, won"}}]}});
    let redrawn = env
        .bot_json(
            "chat.unfurl",
            json!({"channel": general, "ts": ts, "unfurls": again}),
        )
        .await;
    assert_eq!(redrawn["ok"], true, "{redrawn}");
    let history = env
        .bot("conversations.history", &[("channel", &general)])
        .await;
    let attachments = history["messages"][0]["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1, "{attachments:?}");
    assert_eq!(attachments[0]["blocks"][0]["text"]["text"], "Deal 42, won");
}
