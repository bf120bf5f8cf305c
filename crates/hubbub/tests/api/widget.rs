//! The web chat's widget endpoints over HTTP: a visitor writes, reads the
//! conversation live and resumes it after a drop or a restart; origins,
//! secrets and rate limits keep visitors and websites apart.

use std::time::Duration;

use hubbub_app::Actor;
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{TestAccount, TestApp};
use crate::widget_support::{agent_sends, LiveStream, WidgetVisitor};

const QUIET: Duration = Duration::from_millis(300);

async fn admin(app: &TestApp, account_id: i64) -> Actor {
    let user = app.store.users(account_id).await.unwrap().remove(0);
    Actor::User(user)
}

/// An agent's answer, through the Conversations API.
async fn answer(app: &TestApp, account: &TestAccount, conversation: i64, text: &str) -> i64 {
    agent_sends(app, account, conversation, "MESSAGE", text).await
}

#[tokio::test]
async fn a_visitor_starts_a_conversation_that_is_stored_with_its_contact() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let known = app
        .create_contact(&account.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    let visitor = WidgetVisitor::new(&app, account.id).await;
    assert_eq!(visitor.conversation().await["conversation_id"], json!(null));

    let (conversation, _) = visitor
        .write_as("Do you ship to Mars?", "Ada Lovelace", "ADA@example.com")
        .await;
    let stored = app
        .store
        .conversation(account.id, conversation)
        .await
        .unwrap();
    assert_eq!(
        stored.contact_id.unwrap().to_string(),
        known,
        "found by email"
    );
    assert_eq!(
        visitor.conversation().await,
        json!({"conversation_id": conversation, "status": "open"})
    );

    // A visitor without an email gets a contact of their own.
    let anonymous = WidgetVisitor::new(&app, account.id).await;
    let (other, _) = anonymous.write("hello?").await;
    let contact = app
        .store
        .conversation(account.id, other)
        .await
        .unwrap()
        .contact_id
        .unwrap();
    let (status, body) = app
        .get(
            &account.token,
            &format!("/crm/v3/objects/contacts/{contact}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["properties"]["firstname"], "Website visitor");
}

#[tokio::test]
async fn the_stream_replays_the_conversation_and_carries_answers_live() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    // On a connection of its own, as a browser opens it after the
    // widget's answers closed theirs (served beside hyper, closed at its
    // end), and on one kept alive from a request outside the widget
    // (served by hyper).
    let own = WidgetVisitor::new(&app, account.id).await;
    replays_and_carries_answers_live(&app, &account, own, Some("close")).await;
    let reused = WidgetVisitor::new(&app, account.id).await;
    replays_and_carries_answers_live(&app, &account, reused, None).await;
}

async fn replays_and_carries_answers_live(
    app: &TestApp,
    account: &TestAccount,
    visitor: WidgetVisitor,
    connection: Option<&str>,
) {
    let agent = admin(app, account.id).await;
    let (conversation, first) = visitor.write("first").await;
    visitor.write("second").await;
    let visitor = match connection {
        Some(_) => visitor,
        None => visitor.on_a_kept_connection().await,
    };

    let opened = visitor.open_stream(conversation, 0, None).await;
    assert_eq!(opened.status(), StatusCode::OK);
    assert_eq!(opened.headers()["content-type"], "text/event-stream");
    assert_eq!(
        opened
            .headers()
            .get("connection")
            .map(|v| v.to_str().unwrap()),
        connection
    );
    let mut live = LiveStream::new(opened);
    let replayed = live.drain(QUIET).await;
    let texts: Vec<_> = replayed.iter().map(|e| e.data["text"].clone()).collect();
    assert_eq!(texts, [json!("first"), json!("second")]);
    assert_eq!(replayed[0].data["id"], first);

    app.hub.agent_typing(&agent, conversation).await.unwrap();
    let typing = live.next_of("typing").await;
    assert_eq!(typing.data["name"], "Ada Admin");

    let reply = answer(app, account, conversation, "Yes, we do.").await;
    let message = live.next_of("message").await;
    assert_eq!(message.data["author"], "agent");
    assert_eq!(message.data["name"], "Ada Admin");
    assert_eq!(message.data["text"], "Yes, we do.");
    assert_eq!(message.data["id"], reply);
    let seen = live.next_of("seen").await;
    assert!(seen.data["up_to"].as_i64().unwrap() >= first);

    // A private note never reaches the visitor.
    agent_sends(app, account, conversation, "COMMENT", "VIP, be nice").await;
    assert!(live
        .drain(QUIET)
        .await
        .iter()
        .all(|e| e.data["text"] != "VIP, be nice"));
}

#[tokio::test]
async fn a_dropped_stream_resumes_after_the_last_event_even_on_a_restarted_hub() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let visitor = WidgetVisitor::new(&app, account.id).await;
    let (conversation, _) = visitor.write("are you there?").await;
    let mut live = visitor.stream(conversation).await;
    let last = live.next().await.id.unwrap();
    drop(live);

    answer(&app, &account, conversation, "one").await;
    answer(&app, &account, conversation, "two").await;
    let restarted = app.restarted(|_| {}).await;
    let mut visitor_there = WidgetVisitor::of_inbox(
        &restarted,
        account.id,
        app.store.inboxes(account.id).await.unwrap()[0].id,
    )
    .await;
    visitor_there.secret = visitor.secret.clone();
    let res = visitor_there.open_stream(conversation, 0, Some(last)).await;
    let missed = LiveStream::new(res).drain(QUIET).await;
    let texts: Vec<_> = missed
        .iter()
        .filter(|e| e.event == "message")
        .map(|e| e.data["text"].clone())
        .collect();
    assert_eq!(
        texts,
        [json!("one"), json!("two")],
        "nothing before, nothing lost"
    );
}

#[tokio::test]
async fn a_message_sent_again_after_a_lost_answer_is_stored_once() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let visitor = WidgetVisitor::new(&app, account.id).await;
    let body = json!({"visitor": visitor.secret, "client_ref": "m-1", "text": "once"});
    let (first, a) = visitor.send(body.clone()).await;
    let (again, b) = visitor.send(body).await;
    assert_eq!((first, again), (StatusCode::CREATED, StatusCode::OK));
    assert_eq!(a, b);
    let conversation = a["conversation_id"].as_i64().unwrap();
    assert_eq!(
        app.store.messages(conversation, true).await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn one_visitor_cannot_read_another_visitors_conversation() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let ada = WidgetVisitor::new(&app, account.id).await;
    let (conversation, _) = ada.write("my order number is 42").await;
    let eve = WidgetVisitor::new(&app, account.id).await;
    eve.write("hi").await;
    let res = eve.open_stream(conversation, 0, None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        eve.ack(conversation, Some(1), None).await,
        StatusCode::NOT_FOUND
    );
    // Another account's inbox key does not open it either.
    let other = app.account("Other").await;
    let mut stranger = WidgetVisitor::new(&app, other.id).await;
    stranger.secret = ada.secret.clone();
    let res = stranger.open_stream(conversation, 0, None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_the_inboxs_allowed_websites_may_use_its_widget() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let mut visitor = WidgetVisitor::new(&app, account.id).await;
    visitor.origin = "https://evil.example".into();
    let (status, body) = visitor
        .send(json!({"visitor": visitor.secret, "text": "hi"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "origin_not_allowed");

    let inbox = app.store.inboxes(account.id).await.unwrap()[0].id;
    app.store
        .set_inbox_origins(account.id, inbox, &["https://acme.example".into()])
        .await
        .unwrap();
    visitor.origin = "https://acme.example".into();
    let res = reqwest::Client::new()
        .post(format!(
            "{}/widget/v1/{}/messages",
            visitor.base, visitor.key
        ))
        .header("origin", "https://acme.example")
        .json(&json!({"visitor": visitor.secret, "text": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://acme.example"
    );
    let preflight = reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/widget/v1/{}/messages", visitor.base, visitor.key),
        )
        .header("origin", "https://acme.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);

    let mut unknown = WidgetVisitor::new(&app, account.id).await;
    unknown.key = "not-a-key".into();
    let (status, _) = unknown
        .send(json!({"visitor": visitor.secret, "text": "hi"}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_input_is_refused_with_the_reason_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let visitor = WidgetVisitor::new(&app, account.id).await;
    for (body, why) in [
        (
            json!({"visitor": visitor.secret, "text": "  "}),
            "needs some text",
        ),
        (
            json!({"visitor": visitor.secret, "text": "x".repeat(5001)}),
            "at most 5000",
        ),
        (json!({"visitor": "short", "text": "hi"}), "visitor key"),
        (
            json!({"visitor": visitor.secret, "text": "hi", "email": "not an email"}),
            "email",
        ),
    ] {
        let (status, answer) = visitor.send(body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert!(
            answer["message"].as_str().unwrap().contains(why),
            "{answer}"
        );
    }
    assert_eq!(visitor.conversation().await["conversation_id"], json!(null));
}

#[tokio::test]
async fn a_visitor_writing_too_fast_is_told_to_wait() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let visitor = WidgetVisitor::new(&app, account.id).await;
    let mut statuses = Vec::new();
    for i in 0..15 {
        let (status, _) = visitor
            .send(json!({"visitor": visitor.secret, "text": format!("spam {i}")}))
            .await;
        statuses.push(status);
    }
    assert!(
        statuses[..10].iter().all(|s| s.is_success()),
        "{statuses:?}"
    );
    assert_eq!(statuses[14], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn an_answer_the_widget_does_not_pick_up_is_mailed_to_a_visitor_who_left_an_email() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let gone = WidgetVisitor::new(&app, account.id).await;
    let (left, _) = gone.write_as("call me back", "Bo", "bo@example.com").await;
    let here = WidgetVisitor::new(&app, account.id).await;
    let (stayed, _) = here.write_as("still here", "Cy", "cy@example.com").await;
    answer(&app, &account, left, "We will call you at noon.").await;
    let delivered = answer(&app, &account, stayed, "Great, thanks.").await;
    assert_eq!(
        here.ack(stayed, Some(delivered), Some(delivered)).await,
        StatusCode::NO_CONTENT
    );

    app.settle().await;
    app.hub.clock().advance(Duration::from_secs(3 * 60));
    app.settle().await;
    let mails = app.store.list_mail(account.id, None, 50).await.unwrap();
    let to: Vec<_> = mails.iter().map(|m| m.to_address.as_str()).collect();
    assert!(to.contains(&"bo@example.com"), "{to:?}");
    assert!(!to.contains(&"cy@example.com"), "{to:?}");
    let mail = mails
        .iter()
        .find(|m| m.to_address == "bo@example.com")
        .unwrap();
    assert!(mail.text_body.contains("We will call you at noon."));
}
