//! The pages around the records: what an unknown path answers (a page, or
//! HubSpot's error body under the API), the notifications list
//! and its "View" link, and the settings' sidebar on the Notifications and
//! Mailbox pages.

use reqwest::StatusCode;

use crate::harness::TestApp;
use crate::support::assert_error;
use crate::ui_settings::{raise_with_link, regular_user};
use crate::web_client::{tag_with, Page, WebClient};

/// The settings' sidebar is on the page, with `entry` highlighted.
fn assert_settings_sidebar(page: &Page, entry: &str) {
    assert!(
        page.contains(r#"<nav class="subnav" aria-label="Settings">"#),
        "{}: {}",
        page.location(),
        page.html
    );
    let link = tag_with(&page.html, &format!(r#"data-testid="{entry}""#))
        .unwrap_or_else(|| panic!("{entry} in the sidebar: {}", page.html));
    assert!(link.contains(r#"aria-current="page""#), "{link}");
    // The top bar's Settings, and the entry.
    assert!(page.contains(r#"<a href="/settings" aria-current="page">Settings</a>"#));
    assert_eq!(page.html.matches(r#"aria-current="page""#).count(), 2);
}

#[tokio::test]
async fn an_unknown_page_is_the_apps_not_found_page_signed_in_or_not() {
    let app = TestApp::spawn().await;
    let account = app.account("Lost").await;

    // Signed out: a plain page, not a detour through sign-in.
    let mut visitor = WebClient::new(&app);
    for path in ["/dashboard", "/contacts/12/nothing", "/static/nothing.css"] {
        let page = visitor.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}: {}", page.html);
        assert_eq!(page.location(), path, "no redirect");
        assert!(page.contains("<title>Not found · Hubbub</title>"));
        assert!(page.contains(&format!("There is no page at {path}.")));
        assert!(page.contains(r#"data-testid="go-back">Go back</a>"#));
        assert!(page.contains("HTTP 404"));
        assert!(page.contains(r#"<link rel="icon" href="/static/favicon.svg""#));
        assert!(!page.contains("Sign out"), "{}", page.html);
        assert!(!page.contains(r#"class="mainnav""#));
    }
    let res = app
        .http
        .post(format!("{}/dashboard", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "text/html; charset=utf-8"
    );

    // Signed in: the same page inside the app's layout, escaped.
    let mut admin = WebClient::admin(&app, &account).await;
    let page = admin.get("/dashboard").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.html);
    assert!(page.contains(r#"class="mainnav""#), "{}", page.html);
    assert!(page.contains("Ada Admin"));
    assert!(page.contains("Sign out"));
    assert!(page.contains("There is no page at /dashboard."));
    assert!(page.contains(r#"data-testid="go-back">Go back</a>"#));
    assert!(page.contains(r#"<link rel="icon" href="/static/favicon.svg""#));
    let page = admin.get("/%3Cb%3Ebold%3C/b%3E").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.contains("There is no page at /%3Cb%3Ebold%3C/b%3E."));
    assert!(!page.contains("<b>"));
}

#[tokio::test]
async fn an_unknown_api_path_answers_hubspots_error_body() {
    let app = TestApp::spawn().await;
    let account = app.account("Lost API").await;
    for path in [
        "/crm/v3/dashboard",
        "/crm/v3/objects/contacts/1/nothing/more",
        "/crm/v4/nothing",
        "/conversations/v3/nothing",
    ] {
        for token in [account.token.as_str(), "not-a-token"] {
            let (status, body) = app.get(token, path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
            assert_error(&body, "OBJECT_NOT_FOUND");
            assert_eq!(body["message"], format!("No API endpoint at {path}"));
        }
    }
    let (status, body) = app
        .post(&account.token, "/crm/v4/nothing", serde_json::json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "OBJECT_NOT_FOUND");
}

/// Whether the notification shows as unread on the user's list.
fn listed_unread(page: &Page, id: i64) -> bool {
    let marker = format!(r#"data-notification-id="{id}" data-unread=""#);
    let at = page.html.find(&marker).expect("listed") + marker.len();
    page.html[at..].starts_with("true")
}

#[tokio::test]
async fn viewing_a_notification_marks_it_read_and_opens_what_it_is_about() {
    let app = TestApp::spawn().await;
    let account = app.account("Viewed").await;
    let admin_id = app.store.users(account.id).await.unwrap()[0].id;
    let other = regular_user(&app, &account, "o@example.com", false).await;
    let contact = app
        .create_contact(&account.token, "jane@doe.example", "Jane", "Doe")
        .await;
    let mut admin = WebClient::admin(&app, &account).await;

    // One empty state, in the settings' sidebar.
    let empty = admin.get("/notifications").await;
    empty.assert_ok();
    assert!(empty.contains("No notifications yet."));
    assert!(!empty.contains("You're all caught up."), "{}", empty.html);
    assert!(!empty.contains(r#"data-testid="unread-summary""#));
    assert_settings_sidebar(&empty, "nav-notifications");

    let about_jane = raise_with_link(
        &app,
        account.id,
        admin_id,
        "About Jane",
        &format!("/contacts/{contact}"),
    )
    .await;
    let other_one = raise_with_link(&app, account.id, admin_id, "Another", "/deals").await;
    let theirs = raise_with_link(&app, account.id, other.id, "Not yours", "/contacts").await;

    let list = admin.get("/notifications").await;
    assert!(list.contains("2 unread notifications."));
    // Its time as every page writes one: "2 Dec 2026, 14:02 UTC".
    let raised = app.store.notifications(admin_id, 5).await.unwrap()[0].created_at;
    assert!(
        list.contains(&hubbub_hub::timestamp::format_instant(raised)),
        "{}",
        list.html
    );
    assert_eq!(WebClient::unread_badge(&list), 2);
    let view = format!("/notifications/{about_jane}/open");
    assert!(list.contains(&format!(
        r#"href="{view}" data-testid="view-notification">View in hub"#
    )));

    // Following "View in hub" lands on the contact, the notification read.
    let page = admin.get(&view).await;
    page.assert_ok();
    assert_eq!(page.location(), format!("/contacts/{contact}"));
    assert!(page.contains("Jane Doe"));
    assert_eq!(WebClient::unread_badge(&page), 1);
    let list = admin.get("/notifications").await;
    assert!(!listed_unread(&list, about_jane), "{}", list.html);
    assert!(listed_unread(&list, other_one));
    assert!(list.contains("1 unread notification."));

    // Again: still read, and still where it leads.
    let again = admin.get(&view).await;
    assert_eq!(again.location(), format!("/contacts/{contact}"));
    assert_eq!(app.store.unread_notifications(admin_id).await.unwrap(), 1);

    // Someone else's notification is not found, and stays unread.
    let refused = admin.get(&format!("/notifications/{theirs}/open")).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(refused.location(), format!("/notifications/{theirs}/open"));
    assert_eq!(app.store.unread_notifications(other.id).await.unwrap(), 1);
    let missing = admin.get("/notifications/999999/open").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Signed out, the link asks to sign in first and reads nothing.
    let mut visitor = WebClient::new(&app);
    let page = visitor
        .get(&format!("/notifications/{other_one}/open"))
        .await;
    assert_eq!(page.path, "/login");
    assert!(listed_unread(&admin.get("/notifications").await, other_one));

    let all_read = admin.post("/notifications/read-all", &[]).await;
    assert!(all_read.contains("You're all caught up."));
    assert!(!all_read.contains("No notifications yet."));
}

#[tokio::test]
async fn a_notification_leading_outside_the_hub_is_read_and_stays_on_the_list() {
    let app = TestApp::spawn().await;
    let account = app.account("Odd links").await;
    let admin_id = app.store.users(account.id).await.unwrap()[0].id;
    let odd = raise_with_link(&app, account.id, admin_id, "Odd", "//elsewhere.example/").await;
    let mut admin = WebClient::admin(&app, &account).await;

    let list = admin.get("/notifications").await;
    assert!(list.contains("Odd"));
    assert!(!list.contains(r#"data-testid="view-notification""#));
    let page = admin.get(&format!("/notifications/{odd}/open")).await;
    page.assert_ok();
    assert_eq!(page.location(), "/notifications?done=read");
    assert!(!listed_unread(&page, odd));
}

#[tokio::test]
async fn the_mailbox_keeps_the_settings_sidebar() {
    let app = TestApp::spawn().await;
    let account = app.account("Mail sidebar").await;
    let mut admin = WebClient::admin(&app, &account).await;
    let settings = admin.get("/settings").await;
    assert_eq!(settings.href(r#"data-testid="nav-mailbox""#), "/mailbox");
    assert_eq!(
        settings.href(r#"data-testid="nav-notifications""#),
        "/notifications"
    );

    let mailbox = admin.get("/mailbox").await;
    mailbox.assert_ok();
    assert!(mailbox.contains("No mail yet."));
    assert_settings_sidebar(&mailbox, "nav-mailbox");
}
