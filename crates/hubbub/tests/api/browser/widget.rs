//! The web chat in headless Chromium, on a customer's website served from
//! another origin than the hub: the visitor chats, an agent answers, the
//! answer appears live, and a reload still shows the whole conversation.

use std::time::Duration;

use hubbub_app::conversations::{Reply, ReplySender};
use hubbub_app::Actor;
use serde_json::Value;

use super::driver::Browser;
use crate::harness::TestApp;

/// Runs `js` against the widget's shadow root (`root`) and answers what it
/// returns.
async fn in_widget(browser: &Browser, js: &str) -> Value {
    let script = format!(
        "const host = document.querySelector('[data-hubbub-chat]'); \
         if (!host) return null; const root = host.shadowRoot; {js}"
    );
    browser.client.execute(&script, vec![]).await.unwrap()
}

/// The texts of the messages the widget shows.
async fn shown(browser: &Browser) -> Vec<String> {
    let v = in_widget(
        browser,
        "return Array.from(root.querySelectorAll('.msg')).map(m => m.textContent);",
    )
    .await;
    serde_json::from_value(v).unwrap_or_default()
}

async fn wait_until_shown(browser: &Browser, text: &str) -> Vec<String> {
    for _ in 0..100 {
        let now = shown(browser).await;
        if now.iter().any(|t| t == text) {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the widget never showed {text:?}: {:?}",
        shown(browser).await
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_visitor_chats_sees_the_answer_live_and_keeps_it_after_a_reload() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let inbox = app.store.inboxes(account.id).await.unwrap()[0].id;
    let (listener, site) = hubbub::website::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    app.store
        .set_inbox_origins(account.id, inbox, std::slice::from_ref(&site))
        .await
        .unwrap();
    let (key, _) = app.store.inbox_widget(account.id, inbox).await.unwrap();
    hubbub::website::serve(listener, &app.base_url, &key);

    let browser = Browser::start(&site).await;
    browser.client.goto(&site).await.unwrap();
    for _ in 0..50 {
        if !in_widget(&browser, "return !!root;").await.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    in_widget(
        &browser,
        "root.querySelector('.bubble').click(); return true;",
    )
    .await;
    in_widget(
        &browser,
        "const pre = root.querySelector('form.pre'); \
         pre.name.value = 'Ada Lovelace'; pre.email.value = 'ada@example.com'; \
         const box = root.querySelector('textarea'); box.value = 'Do you ship <b>to Mars</b>?'; \
         root.querySelector('form.compose').requestSubmit(); return true;",
    )
    .await;
    wait_until_shown(&browser, "Do you ship <b>to Mars</b>?").await;
    browser.screenshot("widget-visitor-wrote").await;

    // The visitor's message is stored, with the pre-chat form's name.
    let conversations = app
        .store
        .conversations(account.id, &Default::default(), 10)
        .await
        .unwrap();
    assert_eq!(conversations.len(), 1);
    let conversation = conversations[0].id;
    let visitor = app
        .store
        .visitor(account.id, conversations[0].visitor_id)
        .await
        .unwrap();
    assert_eq!(visitor.name.as_deref(), Some("Ada Lovelace"));

    let agent = Actor::User(app.store.users(account.id).await.unwrap().remove(0));
    app.hub.agent_typing(&agent, conversation).await.unwrap();
    let typing = in_widget(
        &browser,
        "return root.querySelector('.typing').textContent;",
    )
    .await;
    let _ = typing; // shown within a moment; checked below with the answer
    let reply = Reply {
        text: "Yes: every Tuesday.",
        private: false,
        sender: ReplySender::Actor,
        slack_ts: None,
    };
    app.hub.reply(&agent, conversation, &reply).await.unwrap();
    wait_until_shown(&browser, "Yes: every Tuesday.").await;
    let who = in_widget(
        &browser,
        "return Array.from(root.querySelectorAll('.who')).map(w => w.textContent);",
    )
    .await;
    assert_eq!(who, serde_json::json!(["Ada Admin"]));
    // Visitor text is text, never markup.
    let bold = in_widget(&browser, "return root.querySelectorAll('.msg b').length;").await;
    assert_eq!(bold, serde_json::json!(0));
    browser.screenshot("widget-answered").await;

    browser.client.refresh().await.unwrap();
    for _ in 0..50 {
        if !in_widget(&browser, "return !!root;").await.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after_reload = wait_until_shown(&browser, "Yes: every Tuesday.").await;
    assert_eq!(
        after_reload,
        ["Do you ship <b>to Mars</b>?", "Yes: every Tuesday."],
        "the whole conversation, once"
    );
    browser.screenshot("widget-after-reload").await;

    // The widget told the hub it has the answer, and the open chat that
    // the visitor saw it.
    app.settle().await;
    let messages = app.store.messages(conversation, true).await.unwrap();
    let answer = messages
        .iter()
        .find(|m| m.text == "Yes: every Tuesday.")
        .unwrap();
    assert_eq!(
        answer.delivery,
        Some(hubbub_hub::conversation::Delivery::Seen)
    );
    browser.close().await;
}
