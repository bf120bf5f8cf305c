//! The home page (`/`): what needs the signed-in user today. Records are
//! made through the API as an integration would; the page is read as the
//! user reads it.

use std::time::{SystemTime, UNIX_EPOCH};

use hubbub_store::NewUser;
use serde_json::json;

use crate::harness::{TestAccount, TestApp};
use crate::web_client::WebClient;
use crate::widget_support::WidgetVisitor;

const PASSWORD: &str = "correct horse battery";
const DAY_MS: i64 = 86_400_000;

async fn admin_id(app: &TestApp, account: &TestAccount) -> i64 {
    app.store.users(account.id).await.unwrap()[0].id
}

#[tokio::test]
async fn signing_in_lands_on_home_with_an_empty_state_for_each_part() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let mut ada = WebClient::signed_in(&app, &account.admin_email, PASSWORD, "/", "/").await;
    let home = ada.get("/").await;
    home.assert_ok();
    assert!(home.contains("Good to see you, Ada"), "{}", home.html);
    assert!(home.contains(r#"href="/" aria-current="page""#));
    for empty in [
        "No open tasks are yours.",
        "No open deals are yours.",
        "No open conversations are assigned to you.",
        "You're all caught up.",
        "Records you open show here.",
    ] {
        assert!(home.contains(empty), "{empty}: {}", home.html);
    }
}

#[tokio::test]
async fn open_tasks_come_soonest_first_with_the_overdue_ones_flagged() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let ada = admin_id(&app, &account).await.to_string();
    let other = app
        .add_user(
            account.id,
            NewUser {
                email: "bo@acme.test".into(),
                password: PASSWORD.into(),
                ..NewUser::default()
            },
        )
        .await
        .unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let task = |subject: &str, due: i64, status: &str, owner: &str| json!({"hs_task_subject": subject, "hs_timestamp": due.to_string(), "hs_task_status": status, "hubspot_owner_id": owner});
    for t in [
        task("Send the quote", now + 2 * DAY_MS, "NOT_STARTED", &ada),
        task("Call Grace back", now - DAY_MS, "NOT_STARTED", &ada),
        task("Already done", now - DAY_MS, "COMPLETED", &ada),
        task(
            "Bo's own task",
            now - DAY_MS,
            "NOT_STARTED",
            &other.id.to_string(),
        ),
        task("Book the demo", now + DAY_MS, "IN_PROGRESS", &ada),
    ] {
        app.create(&account.token, "tasks", t).await;
    }

    let mut web = WebClient::admin(&app, &account).await;
    let home = web.get("/").await;
    let listed = home.texts("home-task");
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert!(
        listed[0].starts_with("Call Grace back Overdue, due"),
        "{listed:?}"
    );
    assert!(listed[1].starts_with("Book the demo Due"), "{listed:?}");
    assert!(listed[2].starts_with("Send the quote Due"), "{listed:?}");
    assert_eq!(home.texts("overdue-count"), ["1 overdue"]);
    assert_eq!(home.html.matches(r#"data-overdue="true""#).count(), 1);
}

#[tokio::test]
async fn open_deals_are_summed_by_stage_and_closed_ones_left_out() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let ada = admin_id(&app, &account).await.to_string();
    for (name, amount, stage) in [
        ("Small renewal", "1500", "contractsent"),
        ("Big renewal", "12500.5", "contractsent"),
        ("New logo", "4000", "qualifiedtobuy"),
        ("Won last week", "9000", "closedwon"),
    ] {
        app.create(
            &account.token,
            "deals",
            json!({"dealname": name, "amount": amount, "dealstage": stage, "pipeline": "default", "hubspot_owner_id": ada}),
        )
        .await;
    }
    app.create(
        &account.token,
        "deals",
        json!({"dealname": "Nobody's deal", "amount": "50", "dealstage": "contractsent", "pipeline": "default"}),
    )
    .await;

    let mut web = WebClient::admin(&app, &account).await;
    let home = web.get("/").await;
    assert_eq!(
        home.texts("stage-label"),
        ["Qualified To Buy", "Contract Sent"]
    );
    assert_eq!(home.texts("stage-total"), ["1 · 4,000", "2 · 14,000.5"]);
    let deals = home.texts("home-deals");
    assert!(
        deals[0].contains("Big renewal 12,500.5 Small renewal 1,500"),
        "{deals:?}"
    );
    assert!(!deals[0].contains("Won last week"), "{deals:?}");
    assert!(!deals[0].contains("Nobody's deal"), "{deals:?}");
}

#[tokio::test]
async fn assigned_conversations_and_unread_notifications_are_listed() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let ada = admin_id(&app, &account).await;
    let visitor = WidgetVisitor::new(&app, account.id).await;
    let (conversation, _) = visitor
        .write_as("Where is my order?", "Grace", "grace@navy.test")
        .await;
    let unassigned = WidgetVisitor::new(&app, account.id).await;
    unassigned.write("Anyone there?").await;
    let mut web = WebClient::admin(&app, &account).await;
    let path = format!("/inbox/{conversation}");
    web.submit(
        &path,
        &format!("{path}/assign"),
        &[("assignee", &ada.to_string())],
    )
    .await;
    // Assigned by an API client: a notification for Ada.
    app.create(
        &account.token,
        "deals",
        json!({"dealname": "Globex expansion", "hubspot_owner_id": ada.to_string()}),
    )
    .await;
    app.settle().await;

    let home = web.get("/").await;
    assert_eq!(
        home.texts("home-conversation"),
        ["Grace Where is my order?"]
    );
    let notes = home.texts("home-notification");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("assigned you the deal Globex expansion"),
        "{notes:?}"
    );

    // Opened from home, it is read and leads to the deal.
    let opened = web.get(&home.href("home-notification-link")).await;
    assert!(opened.path.starts_with("/deals/"), "{}", opened.location());
    let home = web.get("/").await;
    assert!(home.texts("home-notification").is_empty());
    assert!(home.contains("You're all caught up."));
}

#[tokio::test]
async fn records_opened_are_listed_newest_visit_first_until_archived() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let grace = app
        .create_id(
            &account.token,
            "contacts",
            json!({"firstname": "Grace", "lastname": "Hopper"}),
        )
        .await;
    let globex = app
        .create_id(&account.token, "companies", json!({"name": "Globex"}))
        .await;
    let mut web = WebClient::admin(&app, &account).await;
    web.get(&format!("/contacts/{grace}")).await.assert_ok();
    web.get(&format!("/companies/{globex}")).await.assert_ok();
    assert_eq!(
        web.get("/").await.texts("home-recent-record"),
        ["Globex Company", "Grace Hopper Contact"]
    );

    web.get(&format!("/contacts/{grace}")).await.assert_ok();
    assert_eq!(
        web.get("/").await.texts("home-recent-record"),
        ["Grace Hopper Contact", "Globex Company"]
    );

    // A page that failed to show the record is no visit.
    web.get("/deals/999999").await;
    let (status, _) = app
        .delete(&account.token, &format!("/crm/v3/objects/contacts/{grace}"))
        .await;
    assert!(status.is_success());
    assert_eq!(
        web.get("/").await.texts("home-recent-record"),
        ["Globex Company"]
    );

    // Another user's visits are their own.
    let other = app.account("Globex Inc").await;
    let mut them = WebClient::signed_in(&app, &other.admin_email, PASSWORD, "/", "/").await;
    assert!(them.get("/").await.texts("home-recent-record").is_empty());
}
