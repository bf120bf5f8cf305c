//! Settings > Inbox over HTTP, against the Slack sandbox: the account's
//! inboxes and the "Current view" menu, connecting Slack from an inbox
//! (the same connection as the App Marketplace's), the switch and the
//! channel picker, and how an inbox's Slack setting pauses when the
//! workspace is disconnected and comes back when it is reconnected.

use hubbub_sandbox::Seed;
use hubbub_store::{InboxSlackStatus, NewUser};
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::TestAccount;
use crate::slack_support::{
    admin, channel_id, connect, connect_from, disconnect, from_inbox, invite_app, on_slack,
    sandbox_bot_tokens, slack_user, world, World,
};
use crate::web_client::{csrf_field, tag_with, Page, WebClient};

const REGULAR_PASSWORD: &str = "regular password";

fn inbox_path(inbox_id: i64) -> String {
    format!("/settings/inbox?inbox={inbox_id}")
}

fn save_path(inbox_id: i64) -> String {
    format!("/settings/inbox/{inbox_id}/slack")
}

/// The id of the inbox a page shows.
fn inbox_in_view(page: &Page) -> i64 {
    let tag = tag_with(&page.html, "data-inbox-id=").expect("an inbox in view");
    let at = tag.find(r#"data-inbox-id=""#).unwrap() + r#"data-inbox-id=""#.len();
    tag[at..tag[at..].find('"').unwrap() + at].parse().unwrap()
}

/// The entries of a `<select>` (by its `data-testid`): (value, label,
/// selected).
fn options(page: &Page, testid: &str) -> Vec<(String, String, bool)> {
    let marker = format!(r#"data-testid="{testid}""#);
    let start = page
        .html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {testid}: {}", page.html));
    let end = start + page.html[start..].find("</select>").unwrap();
    page.html[start..end]
        .split("<option ")
        .skip(1)
        .map(|option| {
            let value = option["value=\"".len()..].split('"').next().unwrap();
            let (tag, rest) = option.split_once('>').unwrap();
            let label = rest.split("</option>").next().unwrap();
            (value.to_owned(), label.to_owned(), tag.contains("selected"))
        })
        .collect()
}

fn selected(page: &Page, testid: &str) -> Option<String> {
    options(page, testid)
        .into_iter()
        .find(|(_, _, selected)| *selected)
        .map(|(value, _, _)| value)
}

fn menu_names(page: &Page) -> Vec<String> {
    options(page, "inbox-menu")
        .into_iter()
        .map(|(_, name, _)| name)
        .collect()
}

fn switch_on(page: &Page) -> bool {
    tag_with(&page.html, r#"data-testid="slack-switch""#)
        .expect("the switch")
        .contains("checked")
}

fn status(page: &Page) -> String {
    let marker = r#"data-testid="inbox-slack-status">"#;
    let at = page.html.find(marker).expect("a Slack status") + marker.len();
    page.html[at..at + page.html[at..].find('<').unwrap()].to_owned()
}

async fn regular_user(world: &World, account: &TestAccount, email: &str) -> WebClient {
    world
        .app
        .add_user(
            account.id,
            NewUser {
                email: email.into(),
                password: REGULAR_PASSWORD.into(),
                first_name: "Rita".into(),
                ..NewUser::default()
            },
        )
        .await
        .unwrap();
    WebClient::signed_in(
        &world.app,
        email,
        REGULAR_PASSWORD,
        "/settings/inbox",
        "/settings/inbox",
    )
    .await
}

/// Chooses a channel with the switch on, from the inbox's page.
async fn choose(client: &mut WebClient, inbox_id: i64, channel: &str) -> Page {
    client
        .submit(
            &inbox_path(inbox_id),
            &save_path(inbox_id),
            &[("enabled", "1"), ("channel", channel)],
        )
        .await
}

#[tokio::test]
async fn a_new_account_has_its_inbox_and_super_admins_add_more() {
    let world = world(Seed::demo()).await;
    let account = world.app.account("Inboxes").await;
    let mut client = admin(&world, &account).await;

    let page = client.get("/settings").await;
    assert!(page.contains(r#"data-testid="settings-inbox""#));
    let page = client.get("/settings/inbox").await;
    page.assert_ok();
    assert!(page.contains(r#"data-testid="nav-inbox""#));
    assert_eq!(menu_names(&page), ["Inbox"]);
    assert_eq!(status(&page), "Not connected");
    let first = inbox_in_view(&page);

    let page = client
        .submit("/settings/inbox", "/settings/inbox", &[("name", "Support")])
        .await;
    page.assert_ok();
    let support = inbox_in_view(&page);
    assert_ne!(support, first);
    assert_eq!(page.location(), inbox_path(support));
    assert!(
        page.contains("The inbox Support was added"),
        "{}",
        page.html
    );
    assert_eq!(menu_names(&page), ["Inbox", "Support"]);
    assert_eq!(
        selected(&page, "inbox-menu"),
        Some(support.to_string()),
        "Support is in view"
    );
    // The menu switches the view back.
    let page = client.get(&inbox_path(first)).await;
    assert_eq!(selected(&page, "inbox-menu"), Some(first.to_string()));

    for (name, status, error) in [
        ("  ", StatusCode::BAD_REQUEST, "An inbox needs a name."),
        (
            "support",
            StatusCode::CONFLICT,
            "An inbox named support already exists.",
        ),
    ] {
        let page = client
            .submit("/settings/inbox", "/settings/inbox", &[("name", name)])
            .await;
        assert_eq!(page.status, status, "{}", page.html);
        let shown = tag_with(&page.html, r#"data-testid="inbox-name-error""#);
        assert!(shown.is_some(), "{}", page.html);
        assert!(page.contains(error), "{}", page.html);
    }
    assert_eq!(world.app.store.inboxes(account.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_regular_user_sees_the_inboxes_but_changes_nothing() {
    let world = world(Seed::demo()).await;
    let account = world.app.account("Regular").await;
    let inbox = world.app.store.inboxes(account.id).await.unwrap()[0].id;
    let mut rita = regular_user(&world, &account, "rita@regular.test").await;

    let page = rita.get("/settings/inbox").await;
    page.assert_ok();
    assert_eq!(menu_names(&page), ["Inbox"]);
    assert!(!page.contains(r#"data-testid="inbox-form""#));
    let button = tag_with(&page.html, r#"data-testid="connect-slack""#).expect("connect button");
    assert!(button.contains("disabled"), "{button}");
    assert!(page.contains(
        "Only super admins and users with the App Marketplace permission can connect apps. Ask a super admin (Ada Admin)"
    ));

    let refused = rita.post("/settings/inbox", &[("name", "Mine")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.contains("Only super admins add inboxes"));
    let refused = rita.post(&from_inbox(inbox), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = rita.post(&save_path(inbox), &[("channel", "C1")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(world.app.store.inboxes(account.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn each_account_sees_only_its_own_inboxes() {
    let world = world(Seed::demo()).await;
    let mine = world.app.account("Mine").await;
    let theirs = world.app.account("Theirs").await;
    let mut client = admin(&world, &mine).await;
    let page = client
        .submit("/settings/inbox", "/settings/inbox", &[("name", "Private")])
        .await;
    let private = inbox_in_view(&page);

    let mut other = admin(&world, &theirs).await;
    let page = other.get("/settings/inbox").await;
    assert_eq!(menu_names(&page), ["Inbox"]);
    let page = other.get(&inbox_path(private)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.html);
    for action in [
        from_inbox(private),
        save_path(private),
        format!("/settings/inbox/{private}/slack/disconnect"),
    ] {
        let page = other.post(&action, &[]).await;
        assert_eq!(
            page.status,
            StatusCode::NOT_FOUND,
            "{action}: {}",
            page.html
        );
    }
}

#[tokio::test]
async fn connecting_from_an_inbox_serves_the_app_marketplace_too() {
    let world = world(Seed::demo()).await;
    let account = world.app.account("From inbox").await;
    let mut client = admin(&world, &account).await;
    let page = client
        .submit("/settings/inbox", "/settings/inbox", &[("name", "Support")])
        .await;
    let support = inbox_in_view(&page);

    let page = connect_from(&world, &mut client, &from_inbox(support), "olivia").await;
    page.assert_ok();
    assert_eq!(
        page.location(),
        format!("{}&slack=connected", inbox_path(support))
    );
    assert!(page.contains("Connected to Acme."), "{}", page.html);
    assert_eq!(status(&page), "Connected to Acme");
    assert!(!page.contains(r#"data-testid="connect-slack""#));
    assert!(!switch_on(&page));

    // The App Marketplace shows the same connection and asks nothing.
    let page = client.get("/settings/marketplace").await;
    assert!(page.contains(r#"data-testid="slack-status">Connected to Acme<"#));
    assert!(!page.contains(r#"data-testid="connect-slack""#));
    // Nor does the account's other inbox.
    let page = client.get("/settings/inbox").await;
    assert_eq!(status(&page), "Connected to Acme");
    assert!(!page.contains(r#"data-testid="connect-slack""#));
}

#[tokio::test]
async fn the_channel_must_have_the_app_in_it() {
    let world = world(Seed::demo()).await;
    let account = world.app.account("Channels").await;
    let mut client = admin(&world, &account).await;
    connect(&world, &mut client, "olivia").await.assert_ok();
    let page = client.get("/settings/inbox").await;
    let inbox = inbox_in_view(&page);
    assert_eq!(status(&page), "Connected to Acme");
    assert!(!page.contains(r#"data-testid="connect-slack""#));

    // The picker lists the public channels; the private one only once the
    // app is in it.
    let labels: Vec<String> = options(&page, "slack-channel")
        .into_iter()
        .map(|(_, label, _)| label)
        .collect();
    assert!(
        labels.contains(&"#general (invite the app first)".to_owned()),
        "{labels:?}"
    );
    assert!(labels.iter().any(|l| l.starts_with("#sales")), "{labels:?}");
    assert!(
        !labels.iter().any(|l| l.contains("support-private")),
        "{labels:?}"
    );
    // Slack listed them all, so nothing asks for a pasted link.
    assert!(!page.contains(r#"data-testid="slack-channels-more""#));
    assert!(!page.contains(r#"data-testid="slack-channel-pasted""#));

    let general = channel_id(&world, "general");
    let page = choose(&mut client, inbox, &general).await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.html);
    assert!(page.contains("The app is not in #general"), "{}", page.html);
    assert!(page.contains("/invite @Hubbub"), "{}", page.html);
    // The form keeps what was chosen; nothing was saved.
    assert_eq!(selected(&page, "slack-channel"), Some(general.clone()));
    assert!(matches!(
        world
            .app
            .store
            .inbox_slack_status(account.id, inbox)
            .await
            .unwrap(),
        InboxSlackStatus::Live { setting: None, .. }
    ));

    invite_app(&world, "general").await;
    let page = choose(&mut client, inbox, &general).await;
    page.assert_ok();
    assert_eq!(page.location(), inbox_path(inbox));
    assert!(
        page.contains("new conversations go to #general"),
        "{}",
        page.html
    );
    assert!(switch_on(&page));
    assert_eq!(selected(&page, "slack-channel"), Some(general.clone()));

    // A private channel, once the app is invited.
    invite_app(&world, "support-private").await;
    let page = client.get(&inbox_path(inbox)).await;
    let private = channel_id(&world, "support-private");
    assert!(
        options(&page, "slack-channel")
            .iter()
            .any(|(id, label, _)| *id == private && label == "#support-private (private)"),
        "{}",
        page.html
    );

    // Switching on needs a channel.
    let page = client
        .submit(&inbox_path(inbox), &save_path(inbox), &[("enabled", "1")])
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.html);
    assert!(page.contains("Choose the channel"), "{}", page.html);

    // "Disconnect from Slack" ends it for this inbox only.
    let page = client
        .submit(
            &inbox_path(inbox),
            &format!("/settings/inbox/{inbox}/slack/disconnect"),
            &[],
        )
        .await;
    page.assert_ok();
    assert!(page.contains("is disconnected from Slack"), "{}", page.html);
    assert!(!switch_on(&page));
    assert_eq!(selected(&page, "slack-channel"), None);
    assert!(!page.contains(r#"data-testid="disconnect-inbox-slack""#));
    assert_eq!(status(&page), "Connected to Acme");
}

/// A workspace with more channels than the picker reads (`conversations.list`
/// is rate limited, so the hub reads five pages of 200): the page says so,
/// and a channel beyond them is chosen by pasting its link.
#[tokio::test]
async fn a_channel_the_picker_does_not_list_is_chosen_by_its_link() {
    let world = world(Seed::demo()).await;
    for n in 0..1000 {
        let busy = json!({"name": format!("busy-{n:04}"), "members": ["olivia"]});
        on_slack(&world, "/control/channels", busy).await;
    }
    on_slack(
        &world,
        "/control/channels",
        json!({"name": "late-news", "members": ["olivia"]}),
    )
    .await;
    let late_news = channel_id(&world, "late-news");
    let account = world.app.account("Many channels").await;
    let mut client = admin(&world, &account).await;
    connect(&world, &mut client, "olivia").await.assert_ok();
    invite_app(&world, "late-news").await;
    // Read from the store: each view of the page lists channels, and
    // conversations.list allows about 20 calls a minute.
    let inbox = world.app.store.inboxes(account.id).await.unwrap()[0].id;

    // Something that is not a channel's link is refused, kept in the form.
    let page = client
        .submit(
            &inbox_path(inbox),
            &save_path(inbox),
            &[
                ("enabled", "1"),
                ("channel", ""),
                ("channel_pasted", "#late-news"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.html);
    assert!(page.contains("That is not a channel"), "{}", page.html);
    assert!(
        page.contains(r#"data-testid="slack-channels-more""#),
        "{}",
        page.html
    );
    let listed: Vec<_> = options(&page, "slack-channel")
        .into_iter()
        .filter(|(id, _, _)| !id.is_empty())
        .collect();
    assert_eq!(listed.len(), 1000, "five pages of 200");
    assert!(!listed.iter().any(|(id, _, _)| *id == late_news));
    let pasted = tag_with(&page.html, r#"data-testid="slack-channel-pasted""#).unwrap();
    assert!(pasted.contains(r##"value="#late-news""##), "{pasted}");

    // Its link, as Slack's "Copy link" gives it, chooses it.
    let csrf = csrf_field(&page.html).unwrap();
    let link = format!("https://acme.slack.com/archives/{late_news}");
    let page = client
        .post_raw(
            &save_path(inbox),
            &[
                ("_csrf", &csrf),
                ("enabled", "1"),
                ("channel", ""),
                ("channel_pasted", &link),
            ],
        )
        .await;
    page.assert_ok();
    assert!(
        page.contains("new conversations go to #late-news"),
        "{}",
        page.html
    );
    assert_eq!(selected(&page, "slack-channel"), Some(late_news));
}

#[tokio::test]
async fn a_disconnected_workspace_pauses_the_inbox_until_it_is_reconnected() {
    let world = world(Seed::demo()).await;
    let account = world.app.account("Pause").await;
    let mut client = admin(&world, &account).await;
    let inbox = world.app.store.inboxes(account.id).await.unwrap()[0].id;
    connect_from(&world, &mut client, &from_inbox(inbox), "olivia")
        .await
        .assert_ok();
    invite_app(&world, "sales").await;
    let sales = channel_id(&world, "sales");
    choose(&mut client, inbox, &sales).await.assert_ok();
    let mut rita = regular_user(&world, &account, "rita@pause.test").await;
    let page = rita.get("/settings/inbox").await;
    assert!(page.contains(r#"data-testid="slack-switch-state">On<"#));
    assert!(page.contains(r#"data-testid="slack-channel-name">#sales<"#));

    // Disconnected from the App Marketplace: paused, as it was.
    disconnect(&mut client).await.assert_ok();
    let page = client.get(&inbox_path(inbox)).await;
    assert_paused(&page);

    // Reconnected from the inbox: the same switch and channel.
    let page = connect_from(&world, &mut client, &from_inbox(inbox), "olivia").await;
    page.assert_ok();
    assert_restored(&page, &sales);

    // Removed inside Slack: the page's next call to Slack finds the token
    // revoked, and the account is disconnected (the App Marketplace says
    // why).
    on_slack(&world, "/control/uninstall", json!({"user": "adam"})).await;
    let page = client.get(&inbox_path(inbox)).await;
    assert_paused(&page);
    let page = client.get("/settings/marketplace").await;
    assert!(page.contains(r#"data-testid="slack-removed-in-slack""#));

    // Reconnected from the App Marketplace: restored again.
    connect(&world, &mut client, "adam").await.assert_ok();
    let page = client.get(&inbox_path(inbox)).await;
    assert_restored(&page, &sales);
}

fn assert_paused(page: &Page) {
    page.assert_ok();
    assert_eq!(status(page), "Paused until Slack is reconnected");
    assert!(page.contains("paused until Slack is reconnected"));
    assert!(page.contains(r#"data-testid="slack-switch-state">On<"#));
    assert!(page.contains(r#"data-testid="slack-channel-name">#sales<"#));
    let button = tag_with(&page.html, r#"data-testid="connect-slack""#).expect("connect button");
    assert!(!button.contains("disabled"), "{button}");
    assert!(!page.contains(r#"data-testid="inbox-slack-form""#));
}

fn assert_restored(page: &Page, channel: &str) {
    assert_eq!(status(page), "Connected to Acme");
    assert!(switch_on(page), "{}", page.html);
    assert_eq!(selected(page, "slack-channel").as_deref(), Some(channel));
    assert!(!page.contains(r#"data-testid="connect-slack""#));
}

#[tokio::test]
async fn slack_errors_are_said_plainly_and_a_dead_token_disconnects() {
    let world = world(Seed::demo()).await;
    let account = world.app.account("Errors").await;
    let mut client = admin(&world, &account).await;
    connect(&world, &mut client, "olivia").await.assert_ok();
    let inbox = world.app.store.inboxes(account.id).await.unwrap()[0].id;
    invite_app(&world, "general").await;
    let general = channel_id(&world, "general");

    let ratelimited = json!({"method": "conversations.list", "error": "ratelimited", "times": 1});
    on_slack(&world, "/control/faults", ratelimited).await;
    let page = client.get(&inbox_path(inbox)).await;
    page.assert_ok();
    assert!(
        page.contains("The channel list could not be loaded. Slack is rate limiting the hub"),
        "{}",
        page.html
    );
    // A channel can still be given by its link meanwhile.
    assert!(page.contains(r#"data-testid="slack-channel-pasted""#));
    assert_eq!(status(&page), "Connected to Acme");

    let until = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        + 30.0;
    let unreachable = json!({"method": "conversations.info", "until": until, "times": 1});
    on_slack(&world, "/control/faults", unreachable).await;
    let page = choose(&mut client, inbox, &general).await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{}", page.html);
    assert!(
        page.contains("Nothing was saved. Slack could not be reached."),
        "{}",
        page.html
    );

    // The token is revoked behind the hub's back: saving (the form as it
    // was, without loading the page again) finds out, and the account is
    // disconnected (the inbox shows as paused).
    let (_, team_id) = slack_user(&world, "olivia");
    for (token, _) in sandbox_bot_tokens(&world, &team_id).await {
        world
            .raw
            .post(format!("{}auth.revoke", world.sandbox.api_url()))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
    }
    let page = client
        .post(
            &save_path(inbox),
            &[("enabled", "1"), ("channel", general.as_str())],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{}", page.html);
    assert!(page.contains("no longer works"), "{}", page.html);
    assert_eq!(status(&page), "Paused until Slack is reconnected");
    assert!(matches!(
        world
            .app
            .store
            .inbox_slack_status(account.id, inbox)
            .await
            .unwrap(),
        InboxSlackStatus::Paused { setting: None, .. }
    ));
}
