//! Connecting Slack end to end: the hub's "Connect app" button, the
//! sandbox's OAuth consent page, the callback, and disconnecting, all over
//! HTTP against the Slack sandbox started in-process.

use std::time::Duration;

use hubbub_sandbox::Seed;
use hubbub_store::{NewUser, SecretKey};
use reqwest::StatusCode;

use crate::harness::TEST_SECRET_KEY;
use crate::slack_support::{
    admin, auth_test, connect, connection_row, consent, disconnect, globex, live_account_of, open,
    sandbox_bot_tokens, slack_user, world, ADMIN_PASSWORD, FROM_MARKETPLACE,
};
use crate::web_client::WebClient;
#[tokio::test]
async fn an_admin_connects_disconnects_and_reconnects_a_workspace() {
    let world = world(Seed::demo()).await;
    let account = world.app.account("Connect").await;
    let mut client = admin(&world, &account).await;
    let (_, team_id) = slack_user(&world, "olivia");

    let page = connect(&world, &mut client, "olivia").await;
    page.assert_ok();
    assert_eq!(page.location(), "/settings/marketplace?slack=connected");
    assert!(page.contains("Connected to Acme"), "{}", page.html);
    assert!(page.contains(r#"data-testid="slack-team">Acme<"#));
    assert!(page.contains(r#"data-testid="slack-installer">Ada Admin<"#));
    assert!(page.contains(&format!(r#"data-testid="slack-team-id">{team_id}<"#)));
    assert!(page.contains(r#"data-testid="slack-connected-at""#));
    // The admin's hub email is not olivia@acme.example: the page says so.
    assert!(page.contains(r#"data-testid="slack-email-mismatch""#));
    assert!(page.contains("olivia@acme.example"));

    // Stored, with the token encrypted under the hub's key.
    let tokens = sandbox_bot_tokens(&world, &team_id).await;
    let live: Vec<_> = tokens.iter().filter(|(_, revoked)| !revoked).collect();
    assert_eq!(live.len(), 1, "{tokens:?}");
    let token = live[0].0.clone();
    let row = connection_row(&world, account.id).await;
    assert!(row.is_live());
    assert_eq!(row.team_id, team_id);
    assert_eq!(row.team_name, "Acme");
    assert!(
        !format!("{row:?}").contains(&token),
        "token stored in clear"
    );
    let key = SecretKey::from_hex(TEST_SECRET_KEY).unwrap();
    assert_eq!(
        key.decrypt(row.bot_token_ciphertext.as_deref().unwrap())
            .unwrap(),
        token
    );
    assert_eq!(live_account_of(&world, &team_id).await, Some(account.id));
    assert_eq!(auth_test(&world, &token).await["ok"], true);

    // The installer is told, and the audit log has it.
    let user_id = row.installer_user_id.unwrap();
    let notes = world.app.store.notifications(user_id, 10).await.unwrap();
    assert!(
        notes.iter().any(|n| n.topic == "slack_connected"),
        "{notes:?}"
    );
    let audit = world.app.store.audit_log(account.id, 10).await.unwrap();
    assert_eq!(audit[0].action, "slack.connected");

    // Disconnect: the token is revoked in Slack and forgotten here.
    let page = disconnect(&mut client).await;
    page.assert_ok();
    assert_eq!(page.location(), "/settings/marketplace?slack=disconnected");
    assert!(page.contains(r#"data-testid="slack-status">Not connected<"#));
    assert!(page.contains("Disconnected from Acme"));
    assert_eq!(auth_test(&world, &token).await["error"], "token_revoked");
    let row = connection_row(&world, account.id).await;
    assert!(!row.is_live());
    assert_eq!(row.bot_token_ciphertext, None);
    assert!(row.disconnected_at.is_some());
    assert_eq!(live_account_of(&world, &team_id).await, None);
    let audit = world.app.store.audit_log(account.id, 10).await.unwrap();
    assert_eq!(audit[0].action, "slack.disconnected");

    // Reconnect the same workspace (as its admin this time).
    let page = connect(&world, &mut client, "adam").await;
    page.assert_ok();
    assert!(page.contains("Connected to Acme"), "{}", page.html);
    let row = connection_row(&world, account.id).await;
    assert!(row.is_live());
    let token = key
        .decrypt(row.bot_token_ciphertext.as_deref().unwrap())
        .unwrap();
    assert_eq!(auth_test(&world, &token).await["ok"], true);
}

#[tokio::test]
async fn a_slack_member_cannot_install_and_the_token_is_revoked() {
    let world = world(Seed::demo()).await;
    let account = world.app.account("Members").await;
    let mut client = admin(&world, &account).await;
    let (_, team_id) = slack_user(&world, "maria");

    let page = connect(&world, &mut client, "maria").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.html);
    assert!(
        page.contains("A Slack admin must install the app"),
        "{}",
        page.html
    );
    assert!(page.contains("@maria"));
    assert_eq!(
        world.app.store.slack_connection(account.id).await.unwrap(),
        None
    );

    let tokens = sandbox_bot_tokens(&world, &team_id).await;
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    assert_eq!(
        auth_test(&world, &tokens[0].0).await["error"],
        "token_revoked"
    );

    let page = client.get("/settings/marketplace").await;
    assert!(page.contains(r#"data-testid="slack-status">Not connected<"#));
}

#[tokio::test]
async fn a_callback_from_anyone_else_changes_nothing() {
    let world = world(Seed::demo()).await;
    let account = world.app.account("Forged").await;
    let mut client = admin(&world, &account).await;
    let callback = consent(&world, &mut client, FROM_MARKETPLACE, "olivia", "allow").await;

    // A regular hub user of the same account, signed in, opens it.
    world
        .app
        .add_user(
            account.id,
            NewUser {
                email: "rita@example.com".into(),
                password: "regular password".into(),
                ..NewUser::default()
            },
        )
        .await
        .unwrap();
    let rita = WebClient::signed_in(
        &world.app,
        "rita@example.com",
        "regular password",
        "/settings",
        "/settings",
    )
    .await;
    let page = open(&rita, &callback).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.html);
    assert!(page.contains("not valid for you"), "{}", page.html);

    // Someone with no session at all.
    let stranger = WebClient::new(&world.app);
    let page = open(&stranger, &callback).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{}", page.html);
    assert!(page.contains("Slack was not connected"));

    // The super admin of another account, signed in.
    let other = world.app.account("Elsewhere").await;
    let other_admin = admin(&world, &other).await;
    let page = open(&other_admin, &callback).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.html);

    assert_eq!(
        world.app.store.slack_connection(account.id).await.unwrap(),
        None
    );
    assert_eq!(
        world.app.store.slack_connection(other.id).await.unwrap(),
        None
    );

    // None of that used up the admin's own state and code.
    let page = open(&client, &callback).await;
    page.assert_ok();
    assert!(page.contains("Connected to Acme"), "{}", page.html);
}

#[tokio::test]
async fn a_replayed_or_expired_state_is_refused() {
    let world = world(Seed::demo()).await;
    let account = world.app.account("Replay").await;
    let mut client = admin(&world, &account).await;

    // Two consents started (two tabs) before either came back.
    let callback = consent(&world, &mut client, FROM_MARKETPLACE, "olivia", "allow").await;
    let later = consent(&world, &mut client, FROM_MARKETPLACE, "olivia", "allow").await;
    open(&client, &callback).await.assert_ok();
    let before = world.app.store.slack_connection(account.id).await.unwrap();

    let page = open(&client, &callback).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.html);
    assert!(page.contains("already used"), "{}", page.html);

    // Eleven minutes later: a state lives ten.
    world.app.hub.clock().advance(Duration::from_secs(11 * 60));
    let page = open(&client, &later).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.html);
    assert!(page.contains("expired"), "{}", page.html);

    assert_eq!(
        world.app.store.slack_connection(account.id).await.unwrap(),
        before
    );
}

#[tokio::test]
async fn one_workspace_per_account_and_one_account_per_workspace() {
    let mut seed = Seed::demo();
    seed.teams.push(globex());
    let world = world(seed).await;
    let account = world.app.account("One").await;
    let mut client = admin(&world, &account).await;
    // Both consents started (two tabs) before either came back: the second
    // meets the first's connection at the callback.
    let to_acme = consent(&world, &mut client, FROM_MARKETPLACE, "olivia", "allow").await;
    let to_globex = consent(&world, &mut client, FROM_MARKETPLACE, "gina", "allow").await;
    open(&client, &to_acme).await.assert_ok();

    let page = open(&client, &to_globex).await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.html);
    assert!(
        page.contains("already connected to the Slack workspace Acme"),
        "{}",
        page.html
    );
    assert!(page.contains("Disconnect Acme"));
    let (_, globex) = slack_user(&world, "gina");
    let tokens = sandbox_bot_tokens(&world, &globex).await;
    assert_eq!(tokens.len(), 1);
    assert_eq!(
        auth_test(&world, &tokens[0].0).await["error"],
        "token_revoked"
    );
    let row = connection_row(&world, account.id).await;
    assert_eq!(row.team_name, "Acme");

    // Another hub account cannot take Acme.
    let other = world.app.account("Two").await;
    let mut other_admin = admin(&world, &other).await;
    let page = connect(&world, &mut other_admin, "adam").await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.html);
    assert!(page.contains("already connected to another hub account"));
    assert_eq!(
        world.app.store.slack_connection(other.id).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn cancelling_on_slack_leaves_it_not_connected() {
    let world = world(Seed::demo()).await;
    let account = world.app.account("Cancel").await;
    let mut client = admin(&world, &account).await;
    let callback = consent(&world, &mut client, FROM_MARKETPLACE, "olivia", "cancel").await;
    assert!(callback.contains("error=access_denied"));
    let page = open(&client, &callback).await;
    page.assert_ok();
    assert_eq!(page.location(), "/settings/marketplace?slack=cancelled");
    assert!(page.contains("Slack was not connected"), "{}", page.html);
    assert!(page.contains(r#"data-testid="slack-status">Not connected<"#));
    assert_eq!(
        world.app.store.slack_connection(account.id).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn connecting_while_connected_is_refused_before_slack_and_a_late_refusal_cuts_nothing() {
    let world = world(Seed::demo()).await;
    let account = world.app.account("Twice").await;
    let mut client = admin(&world, &account).await;
    // A second tab started a connection before the first one finished.
    let first = consent(&world, &mut client, FROM_MARKETPLACE, "olivia", "allow").await;
    let stale = consent(&world, &mut client, FROM_MARKETPLACE, "maria", "allow").await;
    open(&client, &first).await.assert_ok();
    let (_, team_id) = slack_user(&world, "olivia");
    let token = sandbox_bot_tokens(&world, &team_id)
        .await
        .into_iter()
        .find(|(_, revoked)| !revoked)
        .expect("a live bot token")
        .0;

    // A Connect form left open from before: refused, and Slack is not
    // asked (the browser stays in the hub).
    let page = client.post(FROM_MARKETPLACE, &[]).await;
    page.assert_ok();
    assert_eq!(
        page.location(),
        "/settings/marketplace?slack=already_connected"
    );
    assert!(
        page.contains("Already connected to Acme: nothing was changed, and Slack was not asked."),
        "{}",
        page.html
    );

    // Maria (no Slack admin) approving the stale tab is refused, and the
    // live connection keeps working: Slack handed back the installed app's
    // token, which the hub does not revoke.
    let page = open(&client, &stale).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.html);
    assert!(
        page.contains("A Slack admin must install the app"),
        "{}",
        page.html
    );
    assert_eq!(auth_test(&world, &token).await["ok"], true);
    assert!(connection_row(&world, account.id).await.is_live());
    let html = client.get("/settings/marketplace").await.html;
    assert!(html.contains("Connected to Acme"), "{html}");
}

#[tokio::test]
async fn a_token_the_hub_cannot_decrypt_is_a_configuration_error_not_a_disconnect() {
    let world = world(Seed::demo()).await;
    let account = world.app.account("Rekeyed").await;
    let mut client = admin(&world, &account).await;
    connect(&world, &mut client, "olivia").await.assert_ok();

    // The same hub, restarted with another HUBBUB_SECRET_KEY.
    let rekeyed = world
        .app
        .restarted(|config| config.secret_key = "ab".repeat(32))
        .await;
    let mut client = WebClient::signed_in(
        &rekeyed,
        &account.admin_email,
        ADMIN_PASSWORD,
        "/settings/marketplace",
        "/settings/marketplace",
    )
    .await;
    let page = client.get("/settings/marketplace").await;
    page.assert_ok();
    assert!(
        page.contains(r#"data-testid="slack-token-unreadable""#),
        "{}",
        page.html
    );
    assert!(page.contains("HUBBUB_SECRET_KEY"));
    assert!(!page.contains(r#"data-testid="slack-status">Not connected<"#));
    assert!(connection_row(&world, account.id).await.is_live());

    // The super admin is told once, in the app and by email, however often
    // the hub meets the token.
    client.get("/settings/inbox").await.assert_ok();
    let admin_user = rekeyed.store.users(account.id).await.unwrap()[0].clone();
    let notes = rekeyed
        .store
        .notifications(admin_user.id, 50)
        .await
        .unwrap();
    let told = notes
        .iter()
        .filter(|n| n.topic == "slack_token_unreadable")
        .count();
    assert_eq!(told, 1, "{notes:?}");
    rekeyed.settle().await;
    let mails = rekeyed.store.list_mail(account.id, None, 50).await.unwrap();
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.subject.contains("cannot use its Slack connection"))
            .count(),
        1
    );

    // Mapping an email says what is wrong, not that Slack is not connected.
    let page = client
        .post(
            "/settings/notifications/slack-mapping",
            &[("slack_email", "olivia@acme.example")],
        )
        .await;
    assert!(!page.contains("Slack is not connected"), "{}", page.html);
    assert!(page.contains("HUBBUB_SECRET_KEY"), "{}", page.html);
}

#[tokio::test]
async fn the_marketplace_sums_up_the_connection_for_admins_and_regular_users() {
    let world = world(Seed::demo()).await;
    let account = world.app.account("Summary").await;
    let mut admin_client = admin(&world, &account).await;
    crate::ui_settings::regular_user(&world.app, &account, "rita@example.com", false).await;
    let mut rita = WebClient::signed_in(
        &world.app,
        "rita@example.com",
        "regular password",
        "/settings/marketplace",
        "/settings/marketplace",
    )
    .await;
    let ask = "Only super admins and users with the App Marketplace permission can connect apps. \
               Ask a super admin (Ada Admin)";

    // Before: both read what connecting takes; Rita is told whom to ask.
    let page = admin_client.get("/settings/marketplace").await;
    assert!(page.contains("Before you connect"));
    assert!(page.contains("Permissions Slack will ask you to allow"));
    assert!(!page.contains(ask));
    let page = rita.get("/settings/marketplace").await;
    assert!(page.contains(r#"data-testid="slack-status">Not connected<"#));
    assert!(page.contains("Before you connect"));
    assert!(page.contains(ask), "{}", page.html);

    // After: a summary, its ids behind a toggle, and no more "Before you
    // connect".
    let page = connect(&world, &mut admin_client, "olivia").await;
    page.assert_ok();
    let (olivia, team_id) = slack_user(&world, "olivia");
    let page = admin_client.get("/settings/marketplace").await;
    let summary = |page: &crate::web_client::Page| {
        assert!(page.contains(r#"data-testid="slack-status">Connected to Acme<"#));
        assert!(page.contains(r#"data-testid="slack-team">Acme<"#));
        assert!(page.contains(r#"data-testid="slack-installer">Ada Admin<"#));
        assert!(page.contains(r#"data-testid="slack-connected-at">"#));
        let details = &page.html[page
            .html
            .find(r#"<details class="connection-ids""#)
            .unwrap_or_else(|| panic!("ids behind a toggle: {}", page.html))..];
        let details = &details[..details.find("</details>").unwrap()];
        assert!(details.contains(&format!(r#"data-testid="slack-team-id">{team_id}<"#)));
        assert!(details.contains(&format!(r#"data-testid="slack-installer-id">{olivia}<"#)));
        assert!(!page.contains(&format!("Acme ({team_id})")));
        assert!(!page.contains("Before you connect"), "{}", page.html);
        assert!(page.contains("Permissions allowed in Slack"));
        assert!(!page.contains(r#"data-testid="connect-slack""#));
    };
    summary(&page);
    assert!(page.contains(r#"data-testid="disconnect-slack""#));
    assert!(!page.contains(r#"data-testid="slack-managed-by""#));

    // Rita sees it is connected, and to which workspace, not whom to ask.
    let page = rita.get("/settings/marketplace").await;
    page.assert_ok();
    summary(&page);
    assert!(!page.contains(ask), "{}", page.html);
    assert!(!page.contains(r#"data-testid="connect-reason""#));
    assert!(!page.contains(r#"data-testid="disconnect-slack""#));
    assert!(page.contains(
        "Super admins and users with the App Marketplace permission manage this connection."
    ));
    // She still may not disconnect it.
    let refused = rita
        .post("/settings/marketplace/slack/disconnect", &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(connection_row(&world, account.id).await.is_live());

    // Disconnected: "Before you connect" and whom to ask are back.
    disconnect(&mut admin_client).await.assert_ok();
    let page = rita.get("/settings/marketplace").await;
    assert!(page.contains(r#"data-testid="slack-status">Not connected<"#));
    assert!(page.contains("Before you connect"));
    assert!(page.contains(ask));
}
