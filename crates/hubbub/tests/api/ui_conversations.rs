//! The hub's inbox over HTTP: visitors write through the widget's API,
//! agents sign in and work the conversations on the inbox's pages, and
//! what the visitor's widget is told (its live stream) shows each step.
//! And the inbox settings' chat widget: its snippet and allowed websites.

use std::time::Duration;

use hubbub_store::NewUser;
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{TestAccount, TestApp};
use crate::web_client::{csrf_field, tag_with, Page, WebClient};
use crate::widget_support::{LiveEvent, WidgetVisitor};

const ADMIN_PASSWORD: &str = "correct horse battery";
const AGENT_PASSWORD: &str = "agent password";
const QUIET: Duration = Duration::from_millis(300);

async fn admin(app: &TestApp, account: &TestAccount) -> WebClient {
    WebClient::signed_in(
        app,
        &account.admin_email,
        ADMIN_PASSWORD,
        "/inbox",
        "/inbox",
    )
    .await
}

/// Another agent of the account, signed in; and their user id.
async fn agent(app: &TestApp, account: &TestAccount, email: &str) -> (WebClient, i64) {
    let user = app
        .add_user(
            account.id,
            NewUser {
                email: email.into(),
                password: AGENT_PASSWORD.into(),
                first_name: "Maria".into(),
                last_name: "Agent".into(),
                ..NewUser::default()
            },
        )
        .await
        .unwrap();
    let client = WebClient::signed_in(app, email, AGENT_PASSWORD, "/inbox", "/inbox").await;
    (client, user.id)
}

async fn admin_id(app: &TestApp, account: &TestAccount) -> i64 {
    app.store.users(account.id).await.unwrap()[0].id
}

fn conversation_path(id: i64) -> String {
    format!("/inbox/{id}")
}

/// The conversation ids the list shows, top to bottom.
fn listed(page: &Page) -> Vec<i64> {
    page.html
        .split(r#"data-conversation-id=""#)
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].parse().unwrap())
        .collect()
}

/// The text of the first element with this `data-testid`.
fn text_of(page: &Page, testid: &str) -> String {
    let marker = format!(r#"data-testid="{testid}""#);
    let at = page
        .html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {testid}: {}", page.html));
    let start = at + page.html[at..].find('>').unwrap() + 1;
    let end = start + page.html[start..].find('<').unwrap();
    page.html[start..end].trim().to_owned()
}

/// The texts of the messages the page shows of `kind` (`visitor`,
/// `agent`, `note`), in order.
fn messages_of(page: &Page, kind: &str) -> Vec<String> {
    let marker = format!(r#"data-testid="message-{kind}""#);
    page.html
        .split(&marker)
        .skip(1)
        .map(|rest| {
            let at = rest.find(r#"data-testid="message-text">"#).unwrap()
                + r#"data-testid="message-text">"#.len();
            rest[at..at + rest[at..].find("</div>").unwrap()].to_owned()
        })
        .collect()
}

/// What the widget was told of `kind` until it went quiet.
async fn told(live: &mut crate::widget_support::LiveStream, kind: &str) -> Vec<LiveEvent> {
    live.drain(QUIET)
        .await
        .into_iter()
        .filter(|e| e.event == kind)
        .collect()
}

#[tokio::test]
async fn the_inbox_lists_conversations_by_status_and_assignee_newest_first() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let mut ada = admin(&app, &account).await;
    let (_, maria) = agent(&app, &account, "maria@acme.test").await;
    let me = admin_id(&app, &account).await;

    let first = WidgetVisitor::new(&app, account.id).await;
    let (lovelace, _) = first
        .write_as("Do you ship to Mars?", "Ada Lovelace", "ada@example.com")
        .await;
    let (anonymous, _) = WidgetVisitor::new(&app, account.id)
        .await
        .write("hello?")
        .await;
    let (third, _) = WidgetVisitor::new(&app, account.id)
        .await
        .write("Pricing for teams")
        .await;

    let page = ada.get("/inbox").await;
    page.assert_ok();
    assert!(
        page.contains(r#"href="/inbox" aria-current="page""#),
        "the navigation leads here: {}",
        page.html
    );
    assert_eq!(listed(&page), [third, anonymous, lovelace], "newest first");
    assert!(page.contains("Ada Lovelace"));
    assert!(page.contains("ada@example.com"));
    assert!(page.contains("Website visitor"), "{}", page.html);
    assert!(page.contains("Do you ship to Mars?"));
    assert!(page.contains("Pricing for teams"));

    // Assigned to Ada herself and to Maria, from the conversation pages.
    for (id, assignee) in [(lovelace, me), (anonymous, maria)] {
        let done = ada
            .submit(
                &conversation_path(id),
                &format!("/inbox/{id}/assign"),
                &[("assignee", &assignee.to_string())],
            )
            .await;
        done.assert_ok();
        assert_eq!(
            done.location(),
            format!("{}?done=assigned", conversation_path(id))
        );
    }
    let mine = ada.get("/inbox?status=open&assignee=mine").await;
    assert_eq!(listed(&mine), [lovelace]);
    assert_eq!(text_of(&mine, "assignee"), "Ada Admin");
    let unassigned = ada.get("/inbox?status=open&assignee=unassigned").await;
    assert_eq!(listed(&unassigned), [third]);
    let all = ada.get("/inbox?status=open&assignee=all").await;
    assert!(all.contains("Maria Agent"), "{}", all.html);

    // Closed ones move to the Closed tab.
    ada.submit(
        &conversation_path(third),
        &format!("/inbox/{third}/close"),
        &[],
    )
    .await
    .assert_ok();
    assert_eq!(listed(&ada.get("/inbox").await), [anonymous, lovelace]);
    let closed = ada.get("/inbox?status=closed&assignee=all").await;
    assert_eq!(listed(&closed), [third]);
    assert!(closed.contains(r#"data-testid="tab-closed" aria-current="page""#));
    assert!(ada
        .get("/inbox?status=closed&assignee=mine")
        .await
        .contains(r#"data-testid="empty""#));

    // New activity brings a conversation back to the top, its latest
    // message shown with who wrote it.
    first.write("Anyone there?").await;
    let page = ada.get("/inbox").await;
    assert_eq!(listed(&page), [lovelace, anonymous]);
    assert!(page.contains("Visitor:</span> <span data-testid=\"last-message\">Anyone there?"));
    assert!(!page.contains("Do you ship to Mars?"), "only the latest");
    ada.submit(
        &conversation_path(anonymous),
        &format!("/inbox/{anonymous}/reply"),
        &[("text", "Hello, how can I help?")],
    )
    .await
    .assert_ok();
    let page = ada.get("/inbox").await;
    assert_eq!(listed(&page), [anonymous, lovelace]);
    assert!(
        page.contains(
            "Ada Admin:</span> <span data-testid=\"last-message\">Hello, how can I help?"
        ),
        "{}",
        page.html
    );
}

#[tokio::test]
async fn opening_a_conversation_shows_the_visitor_and_their_contact_and_tells_the_widget_seen() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let contact = app
        .create_contact(&account.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    let visitor = WidgetVisitor::new(&app, account.id).await;
    let (conversation, first) = visitor
        .write_as("Do you ship to Mars?", "Ada Lovelace", "ada@example.com")
        .await;
    let (_, second) = visitor.write("And to Venus?").await;
    let mut live = visitor.stream(conversation).await;
    assert!(told(&mut live, "seen").await.is_empty(), "not seen yet");

    let mut ada = admin(&app, &account).await;
    let page = ada.get(&conversation_path(conversation)).await;
    page.assert_ok();
    assert_eq!(text_of(&page, "conversation-title"), "Ada Lovelace");
    assert_eq!(text_of(&page, "visitor-email"), "ada@example.com");
    assert!(page.contains(r#"href="https://acme.example/pricing""#));
    let link = tag_with(&page.html, r#"data-testid="contact-link""#).unwrap();
    assert!(
        link.contains(&format!(r#"href="/contacts/{contact}""#)),
        "{link}"
    );
    assert_eq!(
        messages_of(&page, "visitor"),
        ["Do you ship to Mars?", "And to Venus?"]
    );
    assert_eq!(text_of(&page, "conversation-status"), "Open");

    let seen = live.next_of("seen").await;
    assert_eq!(seen.data["up_to"], json!(second));
    assert!(second > first);

    // Reading it again says nothing new.
    ada.get(&conversation_path(conversation)).await.assert_ok();
    assert!(told(&mut live, "seen").await.is_empty());

    // The page's refresh picks up a new message, and sees it while shown.
    let (_, third) = visitor.write("Hello?").await;
    let fragment = ada
        .get(&format!("/inbox/{conversation}/messages?seen=1"))
        .await;
    fragment.assert_ok();
    assert!(
        fragment.html.trim_start().starts_with("<ol"),
        "{}",
        fragment.html
    );
    assert!(fragment.contains("Hello?"));
    assert_eq!(live.next_of("seen").await.data["up_to"], json!(third));
}

#[tokio::test]
async fn a_reply_reaches_the_widget_under_the_agents_name_and_a_private_note_does_not() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let visitor = WidgetVisitor::new(&app, account.id).await;
    let (conversation, _) = visitor.write("Do you ship to Mars?").await;
    let mut live = visitor.stream(conversation).await;
    let mut ada = admin(&app, &account).await;
    let path = conversation_path(conversation);
    let reply = format!("/inbox/{conversation}/reply");

    let done = ada
        .submit(&path, &reply, &[("text", "VIP customer"), ("private", "1")])
        .await;
    done.assert_ok();
    assert_eq!(done.location(), format!("{path}?done=noted"));
    assert!(done.contains("Private note added"), "{}", done.html);
    let done = ada
        .submit(&path, &reply, &[("text", "note: call them back")])
        .await;
    assert_eq!(done.location(), format!("{path}?done=noted"));
    let done = ada
        .submit(&path, &reply, &[("text", "Yes, every Tuesday.")])
        .await;
    assert_eq!(done.location(), format!("{path}?done=replied"));
    assert_eq!(
        messages_of(&done, "note"),
        ["VIP customer", "call them back"]
    );
    assert_eq!(messages_of(&done, "agent"), ["Yes, every Tuesday."]);
    assert!(done.contains("Private note</span>"));

    let messages = told(&mut live, "message").await;
    let texts: Vec<_> = messages.iter().map(|e| e.data["text"].clone()).collect();
    assert_eq!(
        texts,
        [json!("Do you ship to Mars?"), json!("Yes, every Tuesday.")],
        "notes never reach the visitor"
    );
    assert_eq!(messages[1].data["author"], "agent");
    assert_eq!(messages[1].data["name"], "Ada Admin");

    // An empty reply is refused, and the page says why.
    let refused = ada.submit(&path, &reply, &[("text", "   ")]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.contains(r#"data-testid="reply-error""#),
        "{}",
        refused.html
    );
    assert!(refused.contains("A message needs some text."));
    assert!(told(&mut live, "message").await.is_empty());
}

#[tokio::test]
async fn typing_in_the_reply_box_shows_in_the_widget() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let visitor = WidgetVisitor::new(&app, account.id).await;
    let (conversation, _) = visitor.write("hi").await;
    let mut live = visitor.stream(conversation).await;
    let mut ada = admin(&app, &account).await;
    let page = ada.get(&conversation_path(conversation)).await;
    let form = tag_with(&page.html, r#"data-testid="reply-form""#).unwrap();
    let typing = format!("/inbox/{conversation}/typing");
    assert!(
        form.contains(&format!(r#"data-typing="{typing}""#)),
        "{form}"
    );

    let forged = ada.post_raw(&typing, &[("_csrf", "forged")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let csrf = csrf_field(&page.html).unwrap();
    let pinged = ada.post_raw(&typing, &[("_csrf", &csrf)]).await;
    assert_eq!(pinged.status, StatusCode::NO_CONTENT);
    assert_eq!(live.next_of("typing").await.data["name"], "Ada Admin");
}

#[tokio::test]
async fn assigning_closing_and_reopening_show_in_the_widget() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let (_, maria) = agent(&app, &account, "maria@acme.test").await;
    let visitor = WidgetVisitor::new(&app, account.id).await;
    let (conversation, _) = visitor.write("help").await;
    let mut live = visitor.stream(conversation).await;
    let mut ada = admin(&app, &account).await;
    let path = conversation_path(conversation);
    let status_told = |e: &LiveEvent| (e.data["status"].clone(), e.data["agent"].clone());

    let done = ada
        .submit(
            &path,
            &format!("{path}/assign"),
            &[("assignee", &maria.to_string())],
        )
        .await;
    assert!(done.contains("Assigned to Maria Agent."), "{}", done.html);
    assert_eq!(text_of(&done, "conversation-assignee"), "Maria Agent");
    assert_eq!(
        status_told(&live.next_of("status").await),
        (json!("open"), json!("Maria Agent"))
    );

    let done = ada.submit(&path, &format!("{path}/close"), &[]).await;
    assert_eq!(done.location(), format!("{path}?done=closed"));
    assert_eq!(text_of(&done, "conversation-status"), "Closed");
    assert!(done.contains(r#"data-testid="reopen-conversation""#));
    assert_eq!(
        status_told(&live.next_of("status").await),
        (json!("closed"), json!("Maria Agent"))
    );
    assert_eq!(visitor.conversation().await["status"], "closed");

    let done = ada.submit(&path, &format!("{path}/reopen"), &[]).await;
    assert_eq!(text_of(&done, "conversation-status"), "Open");
    assert_eq!(
        status_told(&live.next_of("status").await),
        (json!("open"), json!("Maria Agent"))
    );

    let done = ada
        .submit(&path, &format!("{path}/assign"), &[("assignee", "")])
        .await;
    assert!(done.contains("The conversation is unassigned."));
    assert_eq!(
        status_told(&live.next_of("status").await),
        (json!("open"), json!(null))
    );

    // "Assign to me", and nothing is told for what changes nothing.
    let me = admin_id(&app, &account).await.to_string();
    ada.submit(&path, &format!("{path}/assign"), &[("assignee", &me)])
        .await
        .assert_ok();
    assert_eq!(
        status_told(&live.next_of("status").await),
        (json!("open"), json!("Ada Admin"))
    );
    let page = ada.get(&path).await;
    assert!(!page.contains(r#"data-testid="assign-to-me""#));
    ada.submit(&path, &format!("{path}/assign"), &[("assignee", &me)])
        .await
        .assert_ok();
    assert!(told(&mut live, "status").await.is_empty());
}

#[tokio::test]
async fn a_view_only_seat_reads_conversations_but_may_not_answer_assign_or_close() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let (mut viewer, viewer_id) = agent(&app, &account, "viewer@acme.test").await;
    let ada = admin(&app, &account).await;
    ada.post(
        &format!("/settings/users/{viewer_id}/roles"),
        &[("role", "view_only"), ("grant", "1")],
    )
    .await
    .assert_ok();
    let visitor = WidgetVisitor::new(&app, account.id).await;
    let (conversation, _) = visitor.write("Can you help?").await;
    let path = conversation_path(conversation);

    let list = viewer.get("/inbox").await;
    assert_eq!(listed(&list), [conversation]);
    let page = viewer.get(&path).await;
    page.assert_ok();
    assert_eq!(messages_of(&page, "visitor"), ["Can you help?"]);
    for control in [
        "reply-form",
        "close-conversation",
        "assignee-select",
        "assign-to-me",
    ] {
        assert!(
            !page.contains(&format!(r#"data-testid="{control}""#)),
            "{control}: {}",
            page.html
        );
    }
    assert!(
        text_of(&page, "view-only").starts_with("You have a view-only seat"),
        "{}",
        page.html
    );

    let mut live = visitor.stream(conversation).await;
    live.drain(QUIET).await;
    let viewer_id = viewer_id.to_string();
    for (action, fields) in [
        ("reply", vec![("text", "I should not")]),
        ("assign", vec![("assignee", viewer_id.as_str())]),
        ("close", vec![]),
        ("typing", vec![]),
    ] {
        let refused = viewer.post(&format!("{path}/{action}"), &fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{action}");
        assert!(
            refused.contains("view-only seat"),
            "{action}: {}",
            refused.html
        );
    }
    let stored = app
        .store
        .conversation(account.id, conversation)
        .await
        .unwrap();
    assert_eq!(stored.assignee_id, None);
    assert_eq!(stored.status.as_str(), "open");
    assert_eq!(
        app.store.messages(conversation, true).await.unwrap().len(),
        1
    );
    assert!(live.drain(QUIET).await.iter().all(|e| e.event == "seen"));
}

#[tokio::test]
async fn what_a_visitor_writes_is_shown_as_text_on_the_inbox_pages() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let visitor = WidgetVisitor::new(&app, account.id).await;
    let (status, body) = visitor
        .send(json!({
            "visitor": visitor.secret,
            "text": "<img src=x onerror=alert(1)> & <b>bold</b>",
            "name": "<script>alert('name')</script>",
            "page_url": "javascript:alert(document.cookie)",
        }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let conversation = body["conversation_id"].as_i64().unwrap();
    let mut ada = admin(&app, &account).await;

    for page in [
        ada.get("/inbox").await,
        ada.get(&conversation_path(conversation)).await,
        ada.get(&format!("/inbox/{conversation}/messages")).await,
    ] {
        page.assert_ok();
        for raw in ["<img", "<b>bold", "<script>alert"] {
            assert!(!page.contains(raw), "{raw} unescaped: {}", page.html);
        }
        assert!(
            page.contains("&#60;img src=x onerror=alert(1)&#62; &#38; &#60;b&#62;bold&#60;/b&#62;"),
            "{}",
            page.html
        );
    }
    let page = ada.get(&conversation_path(conversation)).await;
    assert!(page.contains("&#60;script&#62;alert(&#39;name&#39;)&#60;/script&#62;"));
    assert!(
        !page.contains(r#"href="javascript:"#),
        "a visitor's page address is a link only when it is a web address"
    );
    assert_eq!(
        text_of(&page, "visitor-page"),
        "javascript:alert(document.cookie)"
    );
}

#[tokio::test]
async fn another_accounts_conversation_is_not_found() {
    let app = TestApp::spawn().await;
    let acme = app.account("Acme").await;
    let globex = app.account("Globex").await;
    let (theirs, _) = WidgetVisitor::new(&app, globex.id)
        .await
        .write("secret plans")
        .await;
    let mut ada = admin(&app, &acme).await;
    let page = ada.get(&conversation_path(theirs)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.contains("secret plans"));
    let csrf = ada.csrf.clone();
    let refused = ada
        .post_raw(
            &format!("/inbox/{theirs}/reply"),
            &[("_csrf", &csrf), ("text", "hi")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(app.store.messages(theirs, true).await.unwrap().len(), 1);
    assert!(listed(&ada.get("/inbox").await).is_empty());
    assert_eq!(ada.get("/inbox/x").await.status, StatusCode::NOT_FOUND);
}

// ------------------------------------------------------- widget settings

fn settings_path(inbox_id: i64) -> String {
    format!("/settings/inbox?inbox={inbox_id}")
}

#[tokio::test]
async fn the_inbox_settings_give_the_widget_snippet_and_keep_the_allowed_websites() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let inbox = app.store.inboxes(account.id).await.unwrap()[0].id;
    let (key, origins) = app.store.inbox_widget(account.id, inbox).await.unwrap();
    assert!(origins.is_empty());
    let mut ada = admin(&app, &account).await;

    let page = ada.get(&settings_path(inbox)).await;
    page.assert_ok();
    let snippet = format!(
        r#"<script src="{}/widget.js" data-key="{key}" async></script>"#,
        app.base_url
    );
    let shown = snippet
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;");
    assert_eq!(text_of(&page, "widget-snippet"), shown, "{}", page.html);
    assert!(page.contains("always on the hub's own pages"));

    // Only the hub's own origin is allowed so far.
    let mut shop = WidgetVisitor::new(&app, account.id).await;
    shop.origin = "https://acme.example".into();
    let (status, _) = shop
        .send(json!({"visitor": shop.secret, "text": "from the shop"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let action = format!("/settings/inbox/{inbox}/origins");
    let saved = ada
        .submit(
            &settings_path(inbox),
            &action,
            &[(
                "origins",
                "https://Acme.example/\r\n\r\nhttp://localhost:3000\r\n",
            )],
        )
        .await;
    saved.assert_ok();
    assert_eq!(saved.location(), settings_path(inbox));
    assert!(
        saved.contains("works on 2 websites, and on the hub&#39;s own pages"),
        "{}",
        saved.html
    );
    assert_eq!(
        app.store.inbox_widget(account.id, inbox).await.unwrap().1,
        ["https://acme.example", "http://localhost:3000"]
    );
    assert!(saved.contains("https://acme.example\nhttp://localhost:3000</textarea>"));
    let (status, body) = shop
        .send(json!({"visitor": shop.secret, "text": "from the shop"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // A line that is not a website is named, and nothing is saved.
    let refused = ada
        .submit(
            &settings_path(inbox),
            &action,
            &[("origins", "https://acme.example\nacme.example/shop\n")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let errors = tag_with(&refused.html, r#"data-testid="origins-errors""#);
    assert!(errors.is_some(), "{}", refused.html);
    assert!(
        refused.contains("Line 2, &#34;acme.example/shop&#34;"),
        "{}",
        refused.html
    );
    assert!(
        refused.contains("acme.example/shop\n</textarea>"),
        "the text is kept"
    );
    assert_eq!(
        app.store.inbox_widget(account.id, inbox).await.unwrap().1,
        ["https://acme.example", "http://localhost:3000"]
    );

    // Emptied, only the hub's own pages are left.
    let saved = ada
        .submit(&settings_path(inbox), &action, &[("origins", "")])
        .await;
    assert!(saved.contains("works on the hub&#39;s own pages only"));
    assert!(app
        .store
        .inbox_widget(account.id, inbox)
        .await
        .unwrap()
        .1
        .is_empty());
}

#[tokio::test]
async fn only_those_who_connect_apps_change_the_allowed_websites() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let inbox = app.store.inboxes(account.id).await.unwrap()[0].id;
    let ada = admin(&app, &account).await;
    ada.post(
        &format!("/settings/inbox/{inbox}/origins"),
        &[("origins", "https://acme.example")],
    )
    .await
    .assert_ok();
    let (mut maria, _) = agent(&app, &account, "maria@acme.test").await;

    let page = maria.get(&settings_path(inbox)).await;
    page.assert_ok();
    assert!(page.contains(r#"data-testid="widget-snippet""#));
    assert!(!page.contains(r#"data-testid="origins-form""#));
    let list = tag_with(&page.html, r#"data-testid="origins-list""#).unwrap();
    assert!(list.starts_with("<ul"), "{list}");
    assert!(page.contains("<li>https://acme.example</li>"));

    let refused = maria
        .post(
            &format!("/settings/inbox/{inbox}/origins"),
            &[("origins", "https://evil.example")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.inbox_widget(account.id, inbox).await.unwrap().1,
        ["https://acme.example"]
    );

    // Another account's inbox is not found.
    let globex = app.account("Globex").await;
    let theirs = app.store.inboxes(globex.id).await.unwrap()[0].id;
    let refused = ada
        .post(
            &format!("/settings/inbox/{theirs}/origins"),
            &[("origins", "https://evil.example")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert!(app
        .store
        .inbox_widget(globex.id, theirs)
        .await
        .unwrap()
        .1
        .is_empty());
}
