//! HubSpot's Conversations API (`/conversations/v3/conversations/threads`)
//! over HTTP with the account's Bearer tokens: visitors write through the
//! widget's API, and the API reads the threads and their messages,
//! answers, leaves comments, closes and reopens, in HubSpot's shapes and
//! errors.

use std::time::Duration;

use hubbub_app::Actor;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::{TestAccount, TestApp};
use crate::support::{assert_error, assert_names_property, millis};
use crate::widget_support::WidgetVisitor;

const THREADS: &str = "/conversations/v3/conversations/threads";
const QUIET: Duration = Duration::from_millis(300);

fn thread_path(id: impl std::fmt::Display) -> String {
    format!("{THREADS}/{id}")
}

fn messages_path(id: impl std::fmt::Display) -> String {
    format!("{THREADS}/{id}/messages")
}

fn ids(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap_or_else(|| panic!("results: {body}"))
        .iter()
        .map(|r| r["id"].as_str().expect("string ids").to_owned())
        .collect()
}

async fn admin_id(app: &TestApp, account: &TestAccount) -> i64 {
    app.store.users(account.id).await.unwrap()[0].id
}

/// A token of the account with only these scopes.
async fn token_with(app: &TestApp, account: &TestAccount, scopes: &[&str]) -> String {
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    let operator = Actor::Operator {
        account_id: account.id,
    };
    app.hub.create_token(&operator, &scopes).await.unwrap().0
}

/// Sends the agent's answer through the API; the message as answered.
async fn send(app: &TestApp, account: &TestAccount, thread: i64, body: Value) -> Value {
    let (status, message) = app.post(&account.token, &messages_path(thread), body).await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    message
}

#[tokio::test]
async fn threads_have_hubspots_shape_and_page_by_id_with_filters() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let inbox = app.store.inboxes(account.id).await.unwrap()[0].id;
    let contact = app
        .create_contact(&account.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    let (a, _) = WidgetVisitor::new(&app, account.id)
        .await
        .write_as("Do you ship to Mars?", "Ada Lovelace", "ada@example.com")
        .await;
    let (b, _) = WidgetVisitor::new(&app, account.id)
        .await
        .write("hello?")
        .await;
    let (c, _) = WidgetVisitor::new(&app, account.id)
        .await
        .write("pricing?")
        .await;
    let all = [a, b, c].map(|id| id.to_string());

    let (status, body) = app.get(&account.token, THREADS).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body), all, "ascending ids");
    assert!(body.get("paging").is_none(), "{body}");
    let first = &body["results"][0];
    assert_eq!(first["status"], "OPEN");
    assert_eq!(first["inboxId"], inbox.to_string());
    assert_eq!(first["originalChannelId"], "1000", "live chat");
    assert_eq!(first["originalChannelAccountId"], inbox.to_string());
    assert_eq!(first["spam"], false);
    assert_eq!(first["archived"], false);
    assert_eq!(first["associatedContactId"], contact);
    assert!(millis(&first["createdAt"]) <= millis(&first["latestMessageTimestamp"]));
    assert!(first.get("closedAt").is_none() && first.get("assignedTo").is_none());

    let (status, one) = app.get(&account.token, &thread_path(a)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&one, first, "a thread reads as it lists");

    // Paging: `limit`, and `paging.next` to follow.
    let (_, page) = app.get(&account.token, &format!("{THREADS}?limit=2")).await;
    assert_eq!(ids(&page), all[..2]);
    assert_eq!(page["paging"]["next"]["after"], all[1]);
    let link = page["paging"]["next"]["link"].as_str().unwrap();
    assert!(link.starts_with(THREADS), "{link}");
    let (_, rest) = app.get(&account.token, link).await;
    assert_eq!(ids(&rest), all[2..]);
    assert!(rest.get("paging").is_none());

    // Filters: status, contact, inbox; and nothing is archived.
    let (status, closed) = app
        .patch(&account.token, &thread_path(c), json!({"status": "CLOSED"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    for (query, expected) in [
        ("threadStatus=CLOSED", vec![all[2].clone()]),
        ("threadStatus=OPEN", all[..2].to_vec()),
        ("status=OPEN", all[..2].to_vec()),
        (
            &format!("associatedContactId={contact}&threadStatus=OPEN") as &str,
            vec![all[0].clone()],
        ),
        (&format!("inboxId={inbox}"), all.to_vec()),
        ("archived=true", vec![]),
    ] {
        let (status, body) = app.get(&account.token, &format!("{THREADS}?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        assert_eq!(ids(&body), expected, "{query}");
    }
    let (_, page) = app
        .get(
            &account.token,
            &format!("{THREADS}?threadStatus=OPEN&limit=1"),
        )
        .await;
    let link = page["paging"]["next"]["link"].as_str().unwrap();
    assert!(
        link.contains("threadStatus=OPEN"),
        "the link keeps the filter: {link}"
    );
    assert_eq!(ids(&app.get(&account.token, link).await.1), all[1..2]);

    // The assignee is an agent's actor id.
    let me = admin_id(&app, &account).await;
    let agent = Actor::User(app.store.users(account.id).await.unwrap().remove(0));
    app.hub
        .assign_conversation(&agent, b, Some(me))
        .await
        .unwrap();
    let (_, read) = app.get(&account.token, &thread_path(b)).await;
    assert_eq!(read["assignedTo"], format!("A-{me}"));
}

#[tokio::test]
async fn messages_have_hubspots_shape_newest_first_and_page() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let inbox = app.store.inboxes(account.id).await.unwrap()[0].id;
    let me = admin_id(&app, &account).await;
    let visitor = WidgetVisitor::new(&app, account.id).await;
    let (thread, first) = visitor
        .write_as("Do you ship to Mars?", "Ada Lovelace", "ada@example.com")
        .await;
    let visitor_actor = format!(
        "V-{}",
        app.store
            .conversation(account.id, thread)
            .await
            .unwrap()
            .visitor_id
    );
    let answer = send(
        &app,
        &account,
        thread,
        json!({"type": "MESSAGE", "text": "Yes.\nEvery <b>Tuesday</b>.", "senderActorId": format!("A-{me}"),
               "channelId": "1000", "channelAccountId": inbox.to_string()}),
    )
    .await;
    let note = send(
        &app,
        &account,
        thread,
        json!({"type": "COMMENT", "text": "VIP", "senderActorId": format!("A-{me}")}),
    )
    .await;
    let (_, second) = visitor.write("Great, thanks").await;

    let (status, body) = app.get(&account.token, &messages_path(thread)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let newest_first = [
        second.to_string(),
        note["id"].as_str().unwrap().to_owned(),
        answer["id"].as_str().unwrap().to_owned(),
        first.to_string(),
    ];
    assert_eq!(ids(&body), newest_first, "HubSpot's default: -createdAt");
    let results = body["results"].as_array().unwrap();

    let incoming = &results[3];
    assert_eq!(incoming["type"], "MESSAGE");
    assert_eq!(incoming["conversationsThreadId"], thread.to_string());
    assert_eq!(incoming["createdBy"], visitor_actor);
    assert_eq!(incoming["direction"], "INCOMING");
    assert_eq!(
        incoming["senders"],
        json!([{"actorId": visitor_actor, "name": "Ada Lovelace"}])
    );
    assert_eq!(incoming["text"], "Do you ship to Mars?");
    assert_eq!(incoming["richText"], "<div>Do you ship to Mars?</div>");
    assert_eq!(incoming["channelId"], "1000");
    assert_eq!(incoming["channelAccountId"], inbox.to_string());
    assert_eq!(incoming["client"]["clientType"], "HUBSPOT");
    assert_eq!(incoming["archived"], false);
    millis(&incoming["createdAt"]);

    let outgoing = &results[2];
    assert_eq!(outgoing, &answer, "listed as it was answered");
    assert_eq!(outgoing["direction"], "OUTGOING");
    assert_eq!(outgoing["createdBy"], format!("A-{me}"));
    assert_eq!(
        outgoing["senders"],
        json!([{"actorId": format!("A-{me}"), "name": "Ada Admin"}])
    );
    assert_eq!(
        outgoing["recipients"],
        json!([{"actorId": visitor_actor, "name": "Ada Lovelace"}])
    );
    assert_eq!(outgoing["client"]["clientType"], "INTEGRATION");
    assert_eq!(outgoing["status"]["statusType"], "SENT");
    assert_eq!(
        outgoing["richText"],
        "<div>Yes.<br>Every &#60;b&#62;Tuesday&#60;/b&#62;.</div>"
    );

    let comment = &results[1];
    assert_eq!(comment["type"], "COMMENT");
    assert_eq!(comment["createdBy"], format!("A-{me}"));
    assert_eq!(comment["text"], "VIP");
    assert!(comment.get("direction").is_none() && comment.get("recipients").is_none());

    // One message alone reads as it lists.
    let (status, read) = app
        .get(
            &account.token,
            &format!("{}/{first}", messages_path(thread)),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&read, incoming);

    // Oldest first on request, a page at a time.
    let mut oldest_first = newest_first.to_vec();
    oldest_first.reverse();
    let mut seen = Vec::new();
    let mut next = format!("{}?sort=createdAt&limit=3", messages_path(thread));
    loop {
        let (status, page) = app.get(&account.token, &next).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(ids(&page));
        match page["paging"]["next"]["link"].as_str() {
            Some(link) => next = link.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, oldest_first);
    let (_, page) = app
        .get(
            &account.token,
            &format!("{}?limit=1", messages_path(thread)),
        )
        .await;
    assert_eq!(ids(&page), newest_first[..1]);
    assert_eq!(page["paging"]["next"]["after"], newest_first[0]);
    let (_, page) = app
        .get(
            &account.token,
            page["paging"]["next"]["link"].as_str().unwrap(),
        )
        .await;
    assert_eq!(ids(&page), newest_first[1..2]);

    // The visitor saw the answer: READ.
    let answer_id: i64 = answer["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        visitor.ack(thread, Some(answer_id), Some(answer_id)).await,
        StatusCode::NO_CONTENT
    );
    let (_, read) = app
        .get(
            &account.token,
            &format!("{}/{answer_id}", messages_path(thread)),
        )
        .await;
    assert_eq!(read["status"]["statusType"], "READ");
}

#[tokio::test]
async fn a_message_reaches_the_visitor_as_the_agent_and_a_comment_stays_private() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let me = admin_id(&app, &account).await;
    let visitor = WidgetVisitor::new(&app, account.id).await;
    let (thread, _) = visitor.write("Anyone there?").await;
    let mut live = visitor.stream(thread).await;
    live.drain(QUIET).await;

    let sent = send(
        &app,
        &account,
        thread,
        json!({"type": "MESSAGE", "text": "Hi, I'm here.", "senderActorId": format!("A-{me}")}),
    )
    .await;
    assert_eq!(sent["type"], "MESSAGE");
    let told = live.next_of("message").await;
    assert_eq!(told.data["id"].to_string(), sent["id"].as_str().unwrap());
    assert_eq!(told.data["author"], "agent");
    assert_eq!(told.data["name"], "Ada Admin");
    assert_eq!(told.data["text"], "Hi, I'm here.");

    let comment = send(
        &app,
        &account,
        thread,
        json!({"type": "COMMENT", "text": "Looks like a big customer", "senderActorId": format!("A-{me}")}),
    )
    .await;
    assert_eq!(comment["type"], "COMMENT");
    assert!(live
        .drain(QUIET)
        .await
        .iter()
        .all(|e| e.data["text"] != "Looks like a big customer"));
}

#[tokio::test]
async fn patching_the_status_closes_and_reopens_a_thread() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let visitor = WidgetVisitor::new(&app, account.id).await;
    let (thread, _) = visitor.write("bye").await;
    let mut live = visitor.stream(thread).await;
    live.drain(QUIET).await;

    let (status, closed) = app
        .patch(
            &account.token,
            &thread_path(thread),
            json!({"status": "CLOSED"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["status"], "CLOSED");
    millis(&closed["closedAt"]);
    assert_eq!(live.next_of("status").await.data["status"], "closed");
    assert_eq!(visitor.conversation().await["status"], "closed");

    let (_, open) = app
        .patch(
            &account.token,
            &thread_path(thread),
            json!({"status": "OPEN"}),
        )
        .await;
    assert_eq!(open["status"], "OPEN");
    assert!(open.get("closedAt").is_none(), "{open}");
    assert_eq!(live.next_of("status").await.data["status"], "open");
}

#[tokio::test]
async fn threads_are_associated_with_the_visitors_contact_found_by_email_or_created() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let known = app
        .create_contact(&account.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    let (by_email, _) = WidgetVisitor::new(&app, account.id)
        .await
        .write_as("hi", "Ada", "ADA@Example.com")
        .await;
    let (new_email, _) = WidgetVisitor::new(&app, account.id)
        .await
        .write_as("hello", "Grace Hopper", "grace@example.com")
        .await;
    let (anonymous, _) = WidgetVisitor::new(&app, account.id)
        .await
        .write("hey")
        .await;

    let contact_of = |thread: Value| thread["associatedContactId"].as_str().unwrap().to_owned();
    let (_, thread) = app.get(&account.token, &thread_path(by_email)).await;
    assert_eq!(contact_of(thread), known, "found by the visitor's email");

    let (_, thread) = app.get(&account.token, &thread_path(new_email)).await;
    let grace = contact_of(thread);
    assert_ne!(grace, known);
    let (status, contact) = app
        .get(
            &account.token,
            &format!("/crm/v3/objects/contacts/{grace}?properties=email,firstname,lastname"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{contact}");
    assert_eq!(contact["properties"]["email"], "grace@example.com");
    assert_eq!(contact["properties"]["firstname"], "Grace");
    assert_eq!(contact["properties"]["lastname"], "Hopper");

    let (_, thread) = app.get(&account.token, &thread_path(anonymous)).await;
    let nobody = contact_of(thread);
    let (_, contact) = app
        .get(
            &account.token,
            &format!("/crm/v3/objects/contacts/{nobody}"),
        )
        .await;
    assert_eq!(contact["properties"]["firstname"], "Website visitor");
    assert_ne!(nobody, grace);

    let (_, listed) = app
        .get(
            &account.token,
            &format!("{THREADS}?associatedContactId={grace}&threadStatus=OPEN"),
        )
        .await;
    assert_eq!(ids(&listed), [new_email.to_string()]);
}

#[tokio::test]
async fn scopes_are_checked_in_hubspots_words() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let me = admin_id(&app, &account).await;
    let (thread, _) = WidgetVisitor::new(&app, account.id).await.write("hi").await;
    let message = json!({"type": "MESSAGE", "text": "hello", "senderActorId": format!("A-{me}")});

    let (status, body) = app.get("not-a-token", THREADS).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "INVALID_AUTHENTICATION");

    let contacts_only = token_with(&app, &account, &["crm.objects.contacts.read"]).await;
    for path in [
        THREADS.to_owned(),
        thread_path(thread),
        messages_path(thread),
    ] {
        let (status, body) = app.get(&contacts_only, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert_error(&body, "MISSING_SCOPES");
        assert_eq!(
            body["context"]["requiredScopes"],
            json!(["conversations.read"])
        );
    }

    let reader = token_with(&app, &account, &["conversations.read"]).await;
    let (status, _) = app.get(&reader, &messages_path(thread)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.post(&reader, &messages_path(thread), message).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_error(&body, "MISSING_SCOPES");
    assert_eq!(
        body["context"]["requiredScopes"],
        json!(["conversations.write"])
    );
    let (status, body) = app
        .patch(&reader, &thread_path(thread), json!({"status": "CLOSED"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error(&body, "MISSING_SCOPES");

    let stored = app.store.conversation(account.id, thread).await.unwrap();
    assert_eq!(stored.status.as_str(), "open");
    assert_eq!(app.store.messages(thread, true).await.unwrap().len(), 1);
}

#[tokio::test]
async fn unknown_and_other_accounts_threads_are_not_found() {
    let app = TestApp::spawn().await;
    let acme = app.account("Acme").await;
    let globex = app.account("Globex").await;
    let me = admin_id(&app, &acme).await;
    let (ours, first) = WidgetVisitor::new(&app, acme.id).await.write("ours").await;
    let (theirs, their_message) = WidgetVisitor::new(&app, globex.id)
        .await
        .write("secret plans")
        .await;
    let message = json!({"type": "MESSAGE", "text": "hello", "senderActorId": format!("A-{me}")});

    for thread in [theirs.to_string(), "999999".to_owned(), "abc".to_owned()] {
        for (method, path, body) in [
            (Method::GET, thread_path(&thread), None),
            (Method::GET, messages_path(&thread), None),
            (
                Method::GET,
                format!("{}/{their_message}", messages_path(&thread)),
                None,
            ),
            (Method::POST, messages_path(&thread), Some(message.clone())),
            (
                Method::PATCH,
                thread_path(&thread),
                Some(json!({"status": "CLOSED"})),
            ),
        ] {
            let (status, answer) = app.call(&acme.token, method.clone(), &path, body).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
            assert_error(&answer, "OBJECT_NOT_FOUND");
            assert!(!answer.to_string().contains("secret plans"));
        }
    }
    let stored = app.store.conversation(globex.id, theirs).await.unwrap();
    assert_eq!(stored.status.as_str(), "open");
    assert_eq!(app.store.messages(theirs, true).await.unwrap().len(), 1);
    let (_, listed) = app.get(&acme.token, THREADS).await;
    assert_eq!(ids(&listed), [ours.to_string()]);

    // A message of another thread, or none, is not found in ours.
    for message in [their_message.to_string(), "424242".into(), "x".into()] {
        let (status, body) = app
            .get(&acme.token, &format!("{}/{message}", messages_path(ours)))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{message}: {body}");
        assert_error(&body, "OBJECT_NOT_FOUND");
    }
    let (status, _) = app
        .get(&acme.token, &format!("{}/{first}", messages_path(ours)))
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = app
        .get(&acme.token, "/conversations/v3/conversations/inboxes")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "OBJECT_NOT_FOUND");
}

#[tokio::test]
async fn bad_requests_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let me = admin_id(&app, &account).await;
    let (thread, _) = WidgetVisitor::new(&app, account.id).await.write("hi").await;
    let sender = format!("A-{me}");

    for (body, property) in [
        (
            json!({"type": "EMAIL", "text": "x", "senderActorId": sender}),
            "type",
        ),
        (json!({"type": "MESSAGE", "senderActorId": sender}), "text"),
        (
            json!({"type": "MESSAGE", "text": "   ", "senderActorId": sender}),
            "text",
        ),
        (
            json!({"type": "MESSAGE", "text": "x", "senderActorId": "V-1"}),
            "senderActorId",
        ),
        (
            json!({"type": "MESSAGE", "text": "x", "senderActorId": sender,
                   "attachments": [{"type": "FILE", "fileId": "1"}]}),
            "attachments",
        ),
    ] {
        let (status, answer) = app.post(&account.token, &messages_path(thread), body).await;
        assert_names_property(status, &answer, property);
    }
    for body in [
        json!({"text": "no type", "senderActorId": sender}),
        json!({"type": "MESSAGE", "text": 42, "senderActorId": sender}),
        // A token is nobody: it says which agent sends.
        json!({"type": "MESSAGE", "text": "who am I?"}),
    ] {
        let (status, answer) = app.post(&account.token, &messages_path(thread), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_error(&answer, "VALIDATION_ERROR");
    }
    let malformed = app
        .http
        .post(format!("{}{}", app.base_url, messages_path(thread)))
        .bearer_auth(&account.token)
        .header("content-type", "application/json")
        .body("{\"type\": \"MESSAGE\", ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_error(&malformed.json().await.unwrap(), "VALIDATION_ERROR");

    for body in [
        json!({"status": "ARCHIVED"}),
        json!({"status": "CLOSED", "archived": true}),
        json!({}),
    ] {
        let (status, answer) = app.patch(&account.token, &thread_path(thread), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_error(&answer, "VALIDATION_ERROR");
    }
    for query in [
        "limit=0",
        "limit=1000",
        "after=abc",
        "threadStatus=PENDING",
        "associatedContactId=ada",
        "sort=latestMessageTimestamp",
    ] {
        let (status, answer) = app.get(&account.token, &format!("{THREADS}?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {answer}");
        assert_error(&answer, "VALIDATION_ERROR");
    }
    let (status, _) = app
        .get(
            &account.token,
            &format!("{}?sort=updatedAt", messages_path(thread)),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let stored = app.store.conversation(account.id, thread).await.unwrap();
    assert_eq!(stored.status.as_str(), "open");
    assert_eq!(app.store.messages(thread, true).await.unwrap().len(), 1);
}
