//! A message shortcut used in the Slack sandbox's page, as the README
//! tells a newcomer: as Maria in #general, "More actions" > "Log message
//! to record" on a message, the record found by typing and Find, Submit;
//! the app's confirmation shows only to her, and the note is on the record
//! in the hub.

use hubbub_slack::manifest::LOG_MESSAGE_SHORTCUT;
use serde_json::json;

use super::driver::Browser;
use crate::notifications::create;
use crate::slack_mapping::{scene, Scene};
use crate::slack_support::{channel_id, on_slack, slack_user, ADMIN_PASSWORD};

#[tokio::test(flavor = "multi_thread")]
async fn maria_logs_a_message_to_a_deal_from_the_sandbox_page() {
    let Scene {
        world,
        account,
        maria,
        ..
    } = scene().await;
    let deal = create(
        &world,
        &account,
        "deals",
        json!({"dealname": "Engine order", "dealstage": "appointmentscheduled"}),
    )
    .await;
    world.app.settle().await;
    on_slack(
        &world,
        "/control/messages",
        json!({"user": "mark", "channel": "general", "text": "They signed the engine order"}),
    )
    .await;
    let (maria_slack, _) = slack_user(&world, "maria");
    let general = format!(
        "{}/channels/{}",
        world.sandbox.base_url,
        channel_id(&world, "general")
    );

    let browser = Browser::start(&world.app.base_url).await;
    browser.sign_in(&maria.email, ADMIN_PASSWORD).await;

    // In the sandbox, act as Maria.
    browser.client.goto(&world.sandbox.base_url).await.unwrap();
    browser
        .find("header select[name=user]")
        .await
        .select_by_value(&maria_slack)
        .await
        .unwrap();
    browser.click("header form button").await;
    browser.wait_for_text("header", "Open modals (0)").await;
    browser.client.goto(&general).await.unwrap();

    // More actions > Log message to record.
    let message = browser
        .wait_for_text(".msg", "They signed the engine order")
        .await;
    assert!(message.contains("More actions"), "{message}");
    browser.click(".msg details.more-actions > summary").await;
    browser.screenshot("sandbox-more-actions").await;
    browser
        .click(&format!(
            ".msg button[name=callback_id][value={LOG_MESSAGE_SHORTCUT}]"
        ))
        .await;
    browser.wait_for_path("/views").await;
    browser.wait_for_text(".modal h2", "Log message").await;
    let note = browser.find("textarea[name=\"note/note\"]").await;
    let prefilled = note.prop("value").await.unwrap().unwrap_or_default();
    assert!(
        prefilled.contains("They signed the engine order"),
        "the note starts as the message: {prefilled}"
    );

    // The record: type, Find, choose from what the app answered.
    browser
        .fill("input[name=\"typed:associate/associate\"]", "Engine")
        .await;
    browser
        .click("button[name=find][value=\"associate/associate\"]")
        .await;
    let record = browser.find("select[name=\"associate/associate\"]").await;
    let groups = record.html(false).await.unwrap();
    assert!(groups.contains("<optgroup label=\"Deals\">"), "{groups}");
    record
        .select_by_value(&format!("deal:{deal}"))
        .await
        .unwrap();
    browser.screenshot("sandbox-modal-record-found").await;
    browser
        .click("form[action$=\"/submit\"] button.primary")
        .await;

    // Back in #general: the app's answer, shown only to Maria.
    browser.wait_for_path("notice=Submitted").await;
    world.app.settle().await;
    browser.client.goto(&general).await.unwrap();
    let shown = browser
        .wait_for_text(".msg.ephemeral", "Maria Member logged a Slack message")
        .await;
    assert!(shown.contains("Engine order"), "{shown}");
    let only_hers = browser.text(".msg.ephemeral .meta").await;
    assert!(only_hers.contains("only visible to you"), "{only_hers}");
    browser.screenshot("sandbox-message-logged").await;

    // The note on the deal, in the hub.
    browser.open(&format!("/deals/{deal}")).await;
    let timeline = browser
        .wait_for_text("main", "Maria Member logged a Slack message via Slack")
        .await;
    assert!(
        timeline.contains("They signed the engine order"),
        "{timeline}"
    );
    assert!(
        timeline.contains("From Slack, written by mark"),
        "{timeline}"
    );
    browser.screenshot("hub-deal-with-slack-note").await;
    browser.close().await;
}
