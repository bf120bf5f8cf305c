//! Removal from inside Slack: an admin removes the app in the workspace
//! (the sandbox sends `app_uninstalled` and `tokens_revoked`, signed), or
//! a call with the bot token finds it revoked. Either way the account ends
//! cleanly disconnected, with the cause shown, and every super admin is
//! told exactly once, in the app and by email.

use std::time::Duration;

use hubbub_sandbox::Seed;
use hubbub_store::{NewUser, User};
use hubbub_test_support::{now_secs, slack_signature};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::TestAccount;
use crate::slack_support::{
    admin, connect, connection_row, disconnect, live_account_of, sandbox_bot_tokens,
    sandbox_control, sandbox_read, slack_user, web_api, world, World,
};
use crate::web_client::WebClient;

const REMOVED_MARKER: &str = r#"data-testid="slack-removed-in-slack""#;

/// Points the sandbox app's Events API request URL at the hub.
async fn subscribe_events(world: &World) -> String {
    let app_id = world.sandbox.state().apps[0].app_id.clone();
    let url = format!("{}/slack/events", world.app.base_url);
    let (status, body) = sandbox_control(
        world,
        &format!("/control/apps/{app_id}/urls"),
        json!({"events_url": url}),
    )
    .await;
    assert!(status.is_success(), "{body}");
    url
}

/// The events the sandbox delivered to `url` that the hub answered.
async fn answered_events(world: &World, url: &str) -> Vec<Value> {
    let query = [("kind", "event"), ("url", url)];
    let body = sandbox_read(world, "/control/deliveries", &query).await;
    body["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["status"].is_null())
        .cloned()
        .collect()
}

async fn super_admin(world: &World, account: &TestAccount, name: &str, super_admin: bool) -> User {
    world
        .app
        .add_user(
            account.id,
            NewUser {
                email: format!("{name}@removal.test"),
                password: "correct horse battery".into(),
                first_name: name.into(),
                last_name: "Tester".into(),
                super_admin,
                ..NewUser::default()
            },
        )
        .await
        .unwrap()
}

/// (slack_disconnected notifications, mails about the disconnect) a user has.
async fn told(world: &World, account: &TestAccount, user: &User) -> (usize, usize) {
    let notes = world.app.store.notifications(user.id, 100).await.unwrap();
    let notes: Vec<_> = notes
        .iter()
        .filter(|n| n.topic == "slack_disconnected")
        .collect();
    for n in &notes {
        assert_eq!(n.link, "/settings/marketplace");
        assert!(n.body.contains("approved apps"), "{}", n.body);
    }
    let mails = world
        .app
        .store
        .list_mail(account.id, Some(&user.email), 100)
        .await
        .unwrap();
    let mails: Vec<_> = mails
        .iter()
        .filter(|m| m.subject.contains("was disconnected from the hub"))
        .collect();
    for m in &mails {
        assert!(
            m.text_body.contains("removed the Hubbub app"),
            "{}",
            m.text_body
        );
        assert!(m.text_body.contains("\"approved apps\""), "{}", m.text_body);
        assert!(
            m.text_body
                .contains(&format!("{}/settings/marketplace", world.app.base_url)),
            "{}",
            m.text_body
        );
    }
    (notes.len(), mails.len())
}

/// The hub's users to check: the account's first super admin, a second
/// one, and a regular user.
async fn people(world: &World, account: &TestAccount) -> (User, User, User) {
    let users = world.app.store.users(account.id).await.unwrap();
    let first = users
        .into_iter()
        .find(|u| u.email == account.admin_email)
        .unwrap();
    let second = super_admin(world, account, "second", true).await;
    let regular = super_admin(world, account, "regular", false).await;
    (first, second, regular)
}

/// Sends a recorded event body again, freshly signed, as a Slack retry.
async fn replay(world: &World, url: &str, body: &str) -> StatusCode {
    let secret = world.sandbox.state().apps[0].signing_secret.clone();
    let ts = now_secs().to_string();
    world
        .raw
        .post(url)
        .header("content-type", "application/json")
        .header("x-slack-request-timestamp", &ts)
        .header(
            "x-slack-signature",
            slack_signature(&secret, &ts, body.as_bytes()),
        )
        .header("x-slack-retry-num", "1")
        .header("x-slack-retry-reason", "http_timeout")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
        .status()
}

async fn marketplace(client: &mut WebClient) -> String {
    let page = client.get("/settings/marketplace").await;
    page.assert_ok();
    page.html
}

#[tokio::test]
async fn removing_the_app_in_slack_disconnects_and_tells_each_super_admin_once() {
    let world = world(Seed::demo()).await;
    let events_url = subscribe_events(&world).await;
    let account = world.app.account("Removal").await;
    let (first, second, regular) = people(&world, &account).await;
    let mut client = admin(&world, &account).await;
    let (_, team_id) = slack_user(&world, "olivia");
    connect(&world, &mut client, "olivia").await.assert_ok();
    assert!(connection_row(&world, account.id).await.is_live());

    // With the approved-apps setting on, a member cannot remove the app.
    let (status, body) = sandbox_control(
        &world,
        "/control/approved_apps_only",
        json!({"enabled": true}),
    )
    .await;
    assert!(status.is_success(), "{body}");
    let (status, body) =
        sandbox_control(&world, "/control/uninstall", json!({"user": "maria"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "restricted_action");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(answered_events(&world, &events_url).await.is_empty());
    let html = marketplace(&mut client).await;
    assert!(html.contains("Connected to Acme"), "{html}");

    // An admin can: Slack sends app_uninstalled and tokens_revoked.
    let (status, body) =
        sandbox_control(&world, "/control/uninstall", json!({"user": "adam"})).await;
    assert!(status.is_success(), "{body}");
    let mut delivered = Vec::new();
    for _ in 0..100 {
        delivered = answered_events(&world, &events_url).await;
        if delivered.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let kinds: Vec<_> = delivered.iter().map(|d| d["kind"].clone()).collect();
    assert_eq!(delivered.len(), 2, "{kinds:?}");
    assert!(
        delivered.iter().all(|d| d["status"] == 200),
        "{delivered:?}"
    );
    assert!(kinds.contains(&json!("event:app_uninstalled")), "{kinds:?}");
    assert!(kinds.contains(&json!("event:tokens_revoked")), "{kinds:?}");

    let row = connection_row(&world, account.id).await;
    assert!(!row.is_live());
    assert_eq!(row.bot_token_ciphertext, None);
    assert_eq!(row.disconnect_reason.as_deref(), Some("removed_in_slack"));
    assert_eq!(live_account_of(&world, &team_id).await, None);
    let audit = world.app.store.audit_log(account.id, 10).await.unwrap();
    let disconnects: Vec<_> = audit
        .iter()
        .filter(|a| a.action == "slack.disconnected")
        .collect();
    assert_eq!(disconnects.len(), 1, "{audit:?}");
    assert_eq!(disconnects[0].user_id, None);
    assert!(disconnects[0].detail.contains("Slack reported"));

    let html = marketplace(&mut client).await;
    assert!(
        html.contains(r#"data-testid="slack-status">Not connected<"#),
        "{html}"
    );
    assert!(html.contains(REMOVED_MARKER), "{html}");
    assert!(html.contains("removed the Hubbub app from the Slack workspace"));
    assert!(html.contains("approved apps"));
    assert!(html.contains(r#"data-testid="connect-slack""#));

    assert_eq!(told(&world, &account, &first).await, (1, 1));
    assert_eq!(told(&world, &account, &second).await, (1, 1));
    assert_eq!(told(&world, &account, &regular).await, (0, 0));

    // Slack retries (the same signed deliveries again) add nothing.
    for d in &delivered {
        let status = replay(&world, &events_url, d["body"].as_str().unwrap()).await;
        assert_eq!(status, StatusCode::OK);
    }
    // Nor does a fresh delivery of the same news (a new event id).
    let mut fresh: Value = serde_json::from_str(delivered[0]["body"].as_str().unwrap()).unwrap();
    fresh["event_id"] = json!("EvFRESH0001");
    assert_eq!(
        replay(&world, &events_url, &fresh.to_string()).await,
        StatusCode::OK
    );
    assert_eq!(told(&world, &account, &first).await, (1, 1));
    assert_eq!(told(&world, &account, &second).await, (1, 1));
    assert_eq!(told(&world, &account, &regular).await, (0, 0));
    let audit = world.app.store.audit_log(account.id, 10).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.action == "slack.disconnected")
            .count(),
        1
    );

    // Reconnecting the same workspace works, and the cause goes away.
    let page = connect(&world, &mut client, "olivia").await;
    page.assert_ok();
    assert!(page.contains("Connected to Acme"), "{}", page.html);
    assert!(!page.contains(REMOVED_MARKER));
    let row = connection_row(&world, account.id).await;
    assert!(row.is_live());
    assert_eq!(row.disconnect_reason, None);
}

#[tokio::test]
async fn a_token_found_revoked_by_a_call_disconnects_cleanly() {
    // No events URL: the hub learns of it only from a failing call.
    let world = world(Seed::demo()).await;
    let account = world.app.account("Revoked").await;
    let (first, second, regular) = people(&world, &account).await;
    let mut client = admin(&world, &account).await;
    let (_, team_id) = slack_user(&world, "olivia");
    connect(&world, &mut client, "olivia").await.assert_ok();
    let tokens = sandbox_bot_tokens(&world, &team_id).await;
    let token = tokens
        .iter()
        .find(|(_, revoked)| !revoked)
        .unwrap()
        .0
        .clone();

    // The token is revoked behind the hub's back.
    let res = web_api(&world, &token, "auth.revoke", json!({})).await;
    assert_eq!(res["ok"], true, "{res}");

    // The hub's next call with it (here, Disconnect's auth.revoke) finds out.
    let page = disconnect(&mut client).await;
    page.assert_ok();
    assert_eq!(
        page.location(),
        "/settings/marketplace?slack=disconnected_by_slack"
    );
    assert!(page.contains(r#"data-testid="slack-status">Not connected<"#));
    assert!(page.contains(REMOVED_MARKER), "{}", page.html);
    assert!(page.contains("approved apps"));

    let row = connection_row(&world, account.id).await;
    assert!(!row.is_live());
    assert_eq!(row.bot_token_ciphertext, None);
    assert_eq!(row.disconnect_reason.as_deref(), Some("token_dead"));
    let audit = world.app.store.audit_log(account.id, 10).await.unwrap();
    let disconnects: Vec<_> = audit
        .iter()
        .filter(|a| a.action == "slack.disconnected")
        .collect();
    assert_eq!(disconnects.len(), 1, "{audit:?}");
    assert!(disconnects[0].detail.contains("token_revoked"));

    assert_eq!(told(&world, &account, &first).await, (1, 1));
    assert_eq!(told(&world, &account, &second).await, (1, 1));
    assert_eq!(told(&world, &account, &regular).await, (0, 0));

    // Nothing more to do, and nobody told twice.
    let page = client
        .post("/settings/marketplace/slack/disconnect", &[])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(told(&world, &account, &first).await, (1, 1));

    // And the workspace connects again.
    let page = connect(&world, &mut client, "olivia").await;
    page.assert_ok();
    assert!(page.contains("Connected to Acme"), "{}", page.html);
}
