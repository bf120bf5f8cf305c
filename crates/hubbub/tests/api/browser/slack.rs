//! Connecting Slack in the browser: the hub's marketplace page, the Slack
//! sandbox's consent page, back to the hub, then disconnecting.

use hubbub_sandbox::Seed;

use super::driver::Browser;
use crate::slack_mapping::{link, mapped_to, press_confirm, scene, sent_request};
use crate::slack_support::{jobs_settled, sandbox_bot_tokens, slack_user, world, ADMIN_PASSWORD};

#[tokio::test(flavor = "multi_thread")]
async fn a_super_admin_connects_and_disconnects_slack_in_the_browser() {
    let world = world(Seed::demo()).await;
    let account = world.app.account("Browser Slack").await;
    let (olivia, team_id) = slack_user(&world, "olivia");
    let sandbox_host = world.sandbox.base_url.clone();

    let browser = Browser::start(&world.app.base_url).await;
    browser.sign_in(&account.admin_email, ADMIN_PASSWORD).await;
    browser.open("/settings/marketplace").await;
    assert_eq!(
        browser.text("[data-testid=slack-status]").await,
        "Not connected"
    );
    browser.click("[data-testid=connect-slack]").await;

    // The sandbox's consent page: approve as the workspace owner.
    browser
        .wait_for_text(
            "h1",
            "Hubbub is requesting permission to access the Acme Slack workspace",
        )
        .await;
    assert_eq!(
        browser.path().await.split('?').next(),
        Some("/oauth/v2/authorize")
    );
    let url = browser.client.current_url().await.unwrap();
    assert!(
        url.as_str().starts_with(&sandbox_host),
        "consent page served by the sandbox: {url}"
    );
    browser
        .find("select[name=user]")
        .await
        .select_by_value(&olivia)
        .await
        .unwrap();
    browser.click("button[name=decision][value=allow]").await;

    // Back on the hub's marketplace page, connected.
    let status = browser
        .wait_for_text("[data-testid=slack-status]", "Connected to Acme")
        .await;
    assert_eq!(status, "Connected to Acme");
    assert_eq!(
        browser.path().await,
        "/settings/marketplace?slack=connected"
    );
    assert!(
        browser
            .client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(&world.app.base_url),
        "back on the hub"
    );
    assert_eq!(browser.text("[data-testid=slack-team]").await, "Acme");
    assert!(!browser.page_text().await.contains("Before you connect"));
    // The ids behind the connection are one click away.
    assert_eq!(browser.text("[data-testid=slack-team-id]").await, "");
    browser
        .click("[data-testid=slack-connection-details] summary")
        .await;
    assert_eq!(browser.text("[data-testid=slack-team-id]").await, team_id);
    assert_eq!(
        browser.text("[data-testid=slack-installer-id]").await,
        olivia
    );
    browser.find("[data-testid=disconnect-slack]").await;
    browser.screenshot("slack-connected").await;

    // The sandbox recorded the install: one live bot token for Acme.
    let tokens = sandbox_bot_tokens(&world, &team_id).await;
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    assert!(!tokens[0].1, "token live after connecting: {tokens:?}");
    let app_id = world.sandbox.state().apps[0].app_id.clone();
    assert!(
        world
            .sandbox
            .state()
            .installation(&team_id, &app_id)
            .is_some(),
        "sandbox has the installation"
    );

    // Disconnect.
    browser.click("[data-testid=disconnect-slack]").await;
    browser
        .wait_for_text("[data-testid=slack-status]", "Not connected")
        .await;
    assert_eq!(
        browser.path().await,
        "/settings/marketplace?slack=disconnected"
    );
    let page = browser.page_text().await;
    assert!(page.contains("Disconnected from Acme"), "{page}");
    assert!(browser
        .text("[data-testid=slack-disconnected]")
        .await
        .contains("Acme was disconnected on"),);
    browser.find("[data-testid=connect-slack]").await;
    browser.screenshot("slack-disconnected").await;

    // The sandbox recorded the revocation.
    let tokens = sandbox_bot_tokens(&world, &team_id).await;
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    assert!(tokens[0].1, "token revoked after disconnecting: {tokens:?}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_maps_their_slack_email_in_the_browser() {
    let scene = scene().await;
    let world = &scene.world;
    let browser = Browser::start(&world.app.base_url).await;
    browser
        .sign_in("mark.member@acme.example", ADMIN_PASSWORD)
        .await;

    // The notification about the missing Slack account leads to the
    // warning beside Slack in the notification settings.
    browser.open("/notifications").await;
    browser
        .wait_for_text(
            "[data-testid=notification] h2",
            "Map your Slack account in Acme",
        )
        .await;
    browser.click("[data-testid=view-notification]").await;
    browser.wait_for_path("/settings/notifications").await;
    browser.find("[data-testid=slack-warning]").await;
    browser.screenshot("slack-mapping-warning").await;

    // The dialog: a Slack email and "Verify in Slack".
    browser.click("[data-testid=map-email-link]").await;
    browser.find("[data-testid=map-email-dialog]").await;
    browser.fill("#slack_email", "mark@acme.example").await;
    browser.screenshot("slack-mapping-dialog").await;
    browser.click("[data-testid=verify-in-slack]").await;
    let sent = browser
        .wait_for_text("[data-testid=verify-sent]", "within 24 hours")
        .await;
    assert!(sent.contains("@mark (mark@acme.example)"), "{sent}");
    browser.screenshot("slack-mapping-sent").await;

    // Mark confirms in Slack; the settings then show the mapping as done.
    let request = sent_request(&scene).await;
    let (status, body) = press_confirm(&scene, "mark", &request).await;
    assert!(status.is_success(), "{body}");
    jobs_settled(world).await;
    let (mark_slack, _) = slack_user(world, "mark");
    assert_eq!(
        mapped_to(&link(world, &scene.account, &scene.mark).await),
        Some((mark_slack, true))
    );
    browser.open("/settings/notifications").await;
    let standing = browser
        .wait_for_text("[data-testid=slack-standing]", "Mapped to Slack user @mark")
        .await;
    assert!(standing.contains("Confirmed in Slack."), "{standing}");
    browser.screenshot("slack-mapping-done").await;
    browser.close().await;
}

/// Maria turns off the bell for assignments on her notification settings
/// page: the next deal assigned to her reaches Slack only; she turns it
/// back on and the one after shows in the bell again.
#[tokio::test(flavor = "multi_thread")]
async fn a_changed_notification_setting_takes_effect() {
    let scene = scene().await;
    let world = &scene.world;
    let browser = Browser::start(&world.app.base_url).await;
    browser.sign_in(&scene.maria.email, ADMIN_PASSWORD).await;
    browser.open("/settings/notifications").await;
    let row = browser.text("[data-testid=topic-assigned]").await;
    assert!(row.contains("Account default"), "{row}");
    browser.click("[data-testid=assigned-hub]").await;
    browser.screenshot("notification-settings-changed").await;
    browser.click("[data-testid=save-topics]").await;
    browser
        .wait_for_text("[data-testid=flash]", "Settings saved")
        .await;
    let row = browser.text("[data-testid=topic-assigned]").await;
    assert!(row.contains("Your choice"), "{row}");

    assign(&scene, "Quiet deal").await;
    browser.open("/notifications").await;
    assert!(!browser.page_text().await.contains("Quiet deal"));

    browser.open("/settings/notifications").await;
    browser.click("[data-testid=reset-topics]").await;
    browser
        .wait_for_text("[data-testid=flash]", "Settings saved")
        .await;
    assign(&scene, "Loud deal").await;
    browser.open("/notifications").await;
    browser
        .wait_for_text("main", "assigned you the deal Loud deal")
        .await;
    browser.screenshot("notification-in-bell").await;
    browser.close().await;
}

/// A deal for Maria, created through the API, its notifications sent.
async fn assign(scene: &crate::slack_mapping::Scene, name: &str) {
    let (status, _) = scene
        .world
        .app
        .post(
            &scene.account.token,
            "/crm/v3/objects/deals",
            serde_json::json!({"properties": {"dealname": name, "hubspot_owner_id": scene.maria.id.to_string()}}),
        )
        .await;
    assert!(status.is_success());
    jobs_settled(&scene.world).await;
}
