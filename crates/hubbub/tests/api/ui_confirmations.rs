//! The short confirmation a page shows after a form saved something
//! ("Contact created", "Deal moved to Contract Sent"): once, on the page
//! the redirect lands on, announced to screen readers, gone on reload, and
//! never text that someone other than the hub put there.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::TestApp;
use crate::web_client::{tag_with, Page, WebClient};

/// The confirmation a page shows, if any.
fn confirmation(page: &Page) -> Option<String> {
    let marker = "data-testid=\"flash\">";
    let at = page.html.find(marker)? + marker.len();
    let end = page.html[at..].find('<')?;
    Some(page.html[at..at + end].to_owned())
}

/// Asserts `page` confirms `text`, and that reloading it does not.
async fn confirms_once(browser: &mut WebClient, page: &Page, text: &str) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(confirmation(page).as_deref(), Some(text), "{}", page.html);
    let status = tag_with(&page.html, "data-testid=\"flash\"").unwrap();
    assert!(status.contains("role=\"status\""), "{status}");
    let reloaded = browser.get(&page.location()).await;
    assert_eq!(reloaded.status, StatusCode::OK);
    assert_eq!(confirmation(&reloaded), None, "gone on reload: {text}");
}

#[tokio::test]
async fn create_edit_and_archive_confirm_once() {
    let app = TestApp::spawn().await;
    let account = app.account("Confirm").await;
    let mut browser = WebClient::admin(&app, &account).await;
    assert_eq!(confirmation(&browser.get("/contacts").await), None);

    let created = browser
        .submit(
            "/contacts/new",
            "/contacts/new",
            &[("firstname", "Jane"), ("email", "jane@example.com")],
        )
        .await;
    let id = created.record_id();
    confirms_once(&mut browser, &created, "Contact created").await;

    let edit = format!("/contacts/{id}/edit");
    let saved = browser
        .submit(&edit, &edit, &[("firstname", "Janet")])
        .await;
    assert_eq!(saved.path, format!("/contacts/{id}"));
    confirms_once(&mut browser, &saved, "Contact saved").await;

    // A refused form confirms nothing.
    let refused = browser
        .submit(&edit, &edit, &[("email", "not-an-email")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(confirmation(&refused), None);

    let path = format!("/contacts/{id}");
    let archived = browser.submit(&path, &format!("{path}/archive"), &[]).await;
    assert_eq!(archived.path, "/contacts");
    confirms_once(&mut browser, &archived, "Contact archived").await;
}

#[tokio::test]
async fn a_stage_change_says_where_the_deal_or_ticket_went() {
    let app = TestApp::spawn().await;
    let account = app.account("Stages").await;
    let mut browser = WebClient::admin(&app, &account).await;
    let deal = app
        .create_id(&account.token, "deals", json!({"dealname": "Big Deal"}))
        .await;
    let moved = browser
        .submit(
            "/deals/board",
            &format!("/deals/{deal}/stage"),
            &[("dealstage", "contractsent")],
        )
        .await;
    assert_eq!(moved.path, "/deals/board");
    confirms_once(&mut browser, &moved, "Deal moved to Contract Sent").await;

    let ticket = app
        .create_id(&account.token, "tickets", json!({"subject": "Broken"}))
        .await;
    let edit = format!("/tickets/{ticket}/edit");
    let moved = browser
        .submit(&edit, &edit, &[("hs_pipeline_stage", "2")])
        .await;
    assert_eq!(moved.path, format!("/tickets/{ticket}"));
    confirms_once(&mut browser, &moved, "Ticket moved to Waiting on contact").await;
}

#[tokio::test]
async fn a_confirmation_cookie_the_hub_did_not_sign_shows_nothing() {
    let app = TestApp::spawn().await;
    let account = app.account("Forged").await;
    let mut browser = WebClient::admin(&app, &account).await;
    let url = app.base_url.parse().unwrap();
    // "Call 555 0100 now" in base64url, with a made-up signature.
    for forged in [
        "hubbub_flash=Q2FsbCA1NTUgMDEwMCBub3c.AAAA; Path=/",
        "hubbub_flash=Q2FsbCA1NTUgMDEwMCBub3c; Path=/",
    ] {
        browser.jar.add_cookie_str(forged, &url);
        let page = browser.get("/contacts").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(confirmation(&page), None, "{forged}");
        assert!(!page.html.contains("Call 555"));
    }
}

#[tokio::test]
async fn settings_changes_confirm_once() {
    let app = TestApp::spawn().await;
    let account = app.account("Settings").await;
    let mut browser = WebClient::admin(&app, &account).await;
    let settings = "/settings/notifications";
    let saved = browser
        .submit(
            settings,
            "/settings/notifications/topics",
            &[("assigned.hub", "on")],
        )
        .await;
    assert_eq!(saved.location(), settings);
    confirms_once(
        &mut browser,
        &saved,
        "Settings saved: your notification settings.",
    )
    .await;

    let added = browser
        .submit("/settings/teams", "/settings/teams", &[("name", "Support")])
        .await;
    assert_eq!(added.location(), "/settings/teams");
    confirms_once(
        &mut browser,
        &added,
        "Team Support was created. Add its members below.",
    )
    .await;
}
