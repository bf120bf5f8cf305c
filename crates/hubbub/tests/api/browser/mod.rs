//! The web app in headless Chromium: the flows people use every day, each
//! ending in a screenshot under target/screenshots.

mod boards;
pub mod driver;
mod inbox;
mod slack;
mod slack_shortcuts;
mod widget;

use fantoccini::key::Key;
use fantoccini::Locator;
use hubbub_store::NewUser;
use serde_json::json;

use crate::harness::TestApp;
use driver::Browser;

const PASSWORD: &str = "correct horse battery";

#[tokio::test(flavor = "multi_thread")]
async fn signing_in_shows_a_clear_error_then_the_hub() {
    let app = TestApp::spawn().await;
    let account = app.account("Browser Sign In").await;
    let browser = Browser::start(&app.base_url).await;

    browser
        .sign_in(&account.admin_email, "not the password")
        .await;
    let alert = browser.text("[role=alert]").await;
    assert!(
        alert.contains("do not match"),
        "wrong password message: {alert}"
    );
    browser.screenshot("login-error").await;

    browser.sign_in(&account.admin_email, PASSWORD).await;
    assert_eq!(browser.path().await, "/");
    assert!(browser.text(".whoami").await.contains("Ada Admin"));
    assert!(browser.text("h1").await.contains("Good to see you"));
    browser.screenshot("home-empty").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_contact_is_found_by_search() {
    let app = TestApp::spawn().await;
    let account = app.account("Browser Contacts").await;
    let browser = Browser::start(&app.base_url).await;
    browser.sign_in(&account.admin_email, PASSWORD).await;
    browser.open("/contacts").await;
    browser.click("[data-testid=new-record]").await;
    // Saved empty, the form says what a contact needs, beside the email.
    browser.click("[data-testid=save-record]").await;
    browser
        .wait_for_text("[data-testid=error-email]", "needs an email")
        .await;
    browser.screenshot("contact-form-empty").await;
    browser
        .fill("[data-testid=field-email]", "grace@navy.example")
        .await;
    browser.fill("[data-testid=field-firstname]", "Grace").await;
    browser.fill("[data-testid=field-lastname]", "Hopper").await;
    browser.screenshot("contact-form").await;
    browser.click("[data-testid=save-record]").await;
    browser
        .wait_for_text("[data-testid=record-title]", "Grace Hopper")
        .await;
    browser
        .wait_for_text("[data-testid=flash]", "Contact created")
        .await;
    browser.screenshot("contact-detail").await;

    app.create_contact(&account.token, "alan@bletchley.example", "Alan", "Turing")
        .await;
    browser.open("/contacts").await;
    browser.fill("[data-testid=search-box]", "hopp").await;
    browser.click("[data-testid=search-button]").await;
    browser.wait_for_path("query=hopp").await;
    let rows = browser
        .wait_for_text("[data-testid=records]", "Grace Hopper")
        .await;
    assert!(!rows.contains("Alan Turing"), "search results: {rows}");
    assert_eq!(browser.text("[data-testid=total-count]").await, "1");
    browser.screenshot("contacts-search").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deal_moves_stage_on_the_board() {
    let app = TestApp::spawn().await;
    let account = app.account("Browser Board").await;
    let (id, browser) = boards::big_fish_on_the_board(&app, &account).await;

    // Choosing a stage submits by itself (data-autosubmit).
    let select = browser.find(&format!("[data-testid=stage-{id}]")).await;
    select.select_by_value("contractsent").await.unwrap();
    browser
        .wait_for_text("[data-testid=column-contractsent]", "Big Fish")
        .await;
    browser
        .wait_for_text("[data-testid=flash]", "Deal moved to Contract Sent")
        .await;
    browser.screenshot("deal-board").await;

    let stage = app
        .property(&account.token, "deals", &id, "dealstage")
        .await;
    assert_eq!(stage, "contractsent");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_regular_user_cannot_administer_users_or_connect_apps() {
    let app = TestApp::spawn().await;
    let account = app.account("Browser Roles").await;
    app.add_user(
        account.id,
        NewUser {
            email: "rep@roles.example".into(),
            password: PASSWORD.into(),
            first_name: "Regular".into(),
            last_name: "Rep".into(),
            ..NewUser::default()
        },
    )
    .await
    .unwrap();
    let browser = Browser::start(&app.base_url).await;
    browser.sign_in("rep@roles.example", PASSWORD).await;

    browser.open("/settings/users").await;
    let message = browser.text("[data-testid=error-message]").await;
    assert!(
        message.contains("super admin"),
        "403 page explains: {message}"
    );
    assert!(browser.page_text().await.contains("HTTP 403"));
    browser.screenshot("users-forbidden").await;

    browser.open("/settings/marketplace").await;
    let connect = browser.find("[data-testid=connect-slack]").await;
    assert!(
        !connect.is_enabled().await.unwrap(),
        "Connect app is disabled"
    );
    let reason = browser.text("[data-testid=connect-reason]").await;
    assert!(
        reason.contains("App Marketplace permission"),
        "reason shown: {reason}"
    );
    browser.screenshot("marketplace-regular-user").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_at_mention_reaches_the_mentioned_users_bell() {
    let app = TestApp::spawn().await;
    let account = app.account("Browser Mentions").await;
    app.add_user(
        account.id,
        NewUser {
            email: "bob@mentions.example".into(),
            password: PASSWORD.into(),
            first_name: "Bob".into(),
            last_name: "Builder".into(),
            ..NewUser::default()
        },
    )
    .await
    .unwrap();
    let contact = app
        .create_contact(&account.token, "jane@doe.example", "Jane", "Doe")
        .await;

    let ada = Browser::start(&app.base_url).await;
    ada.sign_in(&account.admin_email, PASSWORD).await;
    ada.open(&format!("/contacts/{contact}")).await;
    // Typing "@" and a few letters offers the people, from the keyboard.
    let comment = ada.find("[data-testid=comment-body]").await;
    comment.send_keys("@bu").await.unwrap();
    let offered = ada.wait_for_text("[role=listbox]", "Bob Builder").await;
    assert!(!offered.contains("Ada Admin"), "{offered}");
    ada.screenshot("mention-offered").await;
    comment.send_keys(&Key::Enter.to_string()).await.unwrap();
    comment
        .send_keys("can you call Jane tomorrow?")
        .await
        .unwrap();
    assert_eq!(
        comment.prop("value").await.unwrap().as_deref(),
        Some("@bob can you call Jane tomorrow?")
    );
    ada.click("[data-testid=comment-submit]").await;
    ada.wait_for_text("[data-testid=timeline]", "can you call Jane tomorrow?")
        .await;
    assert_eq!(ada.text("[data-testid=mention]").await, "@Bob Builder");
    ada.screenshot("contact-with-comment").await;
    ada.close().await;

    let bob = Browser::start(&app.base_url).await;
    bob.sign_in("bob@mentions.example", PASSWORD).await;
    assert_eq!(bob.text("[data-testid=unread-count]").await, "1");
    bob.click(".bell").await;
    bob.wait_for_text(
        "[data-testid=notification]",
        "Ada Admin mentioned you on the contact Jane Doe",
    )
    .await;
    bob.screenshot("notifications").await;
    bob.click("[data-testid=view-notification]").await;
    bob.wait_for_text("[data-testid=record-title]", "Jane Doe")
        .await;
    assert_eq!(bob.path().await, format!("/contacts/{contact}"));
    // Viewing it read it: the bell counts nothing.
    assert!(
        bob.client
            .find(Locator::Css("[data-testid=unread-count]"))
            .await
            .is_err(),
        "no unread count on the bell"
    );
    bob.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_company_is_found_as_one_types_and_linked() {
    let app = TestApp::spawn().await;
    let account = app.account("Browser Links").await;
    let contact = app
        .create_contact(&account.token, "grace@navy.example", "Grace", "Hopper")
        .await;
    for name in ["Globex", "Initech"] {
        app.create(&account.token, "companies", json!({ "name": name }))
            .await;
    }
    let browser = Browser::start(&app.base_url).await;
    browser.sign_in(&account.admin_email, PASSWORD).await;
    browser.open(&format!("/contacts/{contact}")).await;
    let find = browser.find("[data-testid=find-companies]").await;
    find.send_keys("glo").await.unwrap();
    let offered = browser
        .wait_for_text("#link-results-companies", "Globex")
        .await;
    assert!(!offered.contains("Initech"), "{offered}");
    browser.screenshot("link-company-offered").await;
    browser
        .click("#link-results-companies button[type=submit]")
        .await;
    let linked = browser
        .wait_for_text("[data-testid=associated-companies]", "Unlink")
        .await;
    assert!(linked.contains("Globex"), "{linked}");
    browser.screenshot("link-company-linked").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_page_is_the_apps_not_found_page() {
    let app = TestApp::spawn().await;
    let account = app.account("Browser Lost").await;
    let browser = Browser::start(&app.base_url).await;

    // Signed out: the plain page, no sign-in detour.
    browser.open("/dashboard").await;
    let message = browser.text("[data-testid=error-message]").await;
    assert_eq!(message, "There is no page at /dashboard.");
    assert_eq!(browser.path().await, "/dashboard");
    browser.screenshot("not-found-signed-out").await;

    // Signed in: in the app's layout; "Go back" returns.
    browser.sign_in(&account.admin_email, PASSWORD).await;
    browser.open("/contacts").await;
    browser.open("/dashboard").await;
    browser.find(".mainnav").await;
    assert!(browser.page_text().await.contains("Not found"));
    // The pages' policy lets them load the hub's own icon.
    let icon_loads = browser
        .client
        .execute(
            "return new Promise((done) => { const icon = new Image(); \
             icon.onload = () => done(icon.naturalWidth > 0); icon.onerror = () => done(false); \
             icon.src = '/static/favicon.svg'; });",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(icon_loads, json!(true), "the icon loads under the policy");
    browser.screenshot("not-found-signed-in").await;
    browser.click("[data-testid=go-back]").await;
    browser.wait_for_path("/contacts").await;
    browser.close().await;
}
