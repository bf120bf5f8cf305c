//! The inbox's conversation page in headless Chromium: its script shows a
//! visitor's new message without a reload (and tells the widget it was
//! seen), and typing an answer shows in the visitor's widget, but typing a
//! private note does not.

use std::time::Duration;

use super::driver::Browser;
use super::PASSWORD;
use crate::harness::TestApp;
use crate::widget_support::WidgetVisitor;

#[tokio::test(flavor = "multi_thread")]
async fn the_conversation_page_refreshes_live_and_tells_the_visitor_an_agent_types() {
    let app = TestApp::spawn().await;
    let account = app.account("Browser Inbox").await;
    let visitor = WidgetVisitor::new(&app, account.id).await;
    let (conversation, _) = visitor
        .write_as("Do you ship to Mars?", "Ada Lovelace", "ada@example.com")
        .await;
    let mut live = visitor.stream(conversation).await;

    let browser = Browser::start(&app.base_url).await;
    browser.sign_in(&account.admin_email, PASSWORD).await;
    browser.open(&format!("/inbox/{conversation}")).await;
    browser
        .wait_for_text("[data-testid=messages]", "Do you ship to Mars?")
        .await;
    live.next_of("seen").await;

    // A new message appears without a reload, and is seen while shown.
    let (_, second) = visitor.write("And to Venus?").await;
    browser
        .wait_for_text("[data-testid=messages]", "And to Venus?")
        .await;
    assert_eq!(live.next_of("seen").await.data["up_to"], second);

    // Typing a private note tells the visitor nothing…
    browser.click("[data-testid=reply-private]").await;
    browser.fill("[data-testid=reply-text]", "VIP").await;
    let quiet = live.drain(Duration::from_secs(1)).await;
    assert!(quiet.iter().all(|e| e.event != "typing"), "{quiet:?}");

    // …typing an answer shows who is typing.
    browser.click("[data-testid=reply-private]").await;
    browser
        .fill("[data-testid=reply-text]", "Yes, every Tue")
        .await;
    assert_eq!(live.next_of("typing").await.data["name"], "Ada Admin");
    browser.screenshot("inbox-conversation").await;

    browser.click("[data-testid=send-reply]").await;
    browser.wait_for_path("done=replied").await;
    let answer = live.next_of("message").await;
    assert_eq!(answer.data["text"], "Yes, every Tue");
    browser.close().await;
}
