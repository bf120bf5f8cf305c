//! Hub users ↔ Slack users, end to end against the sandbox: matching by
//! email when a workspace is connected, telling the unmatched (in the app
//! and by email, once), the "map your email address" dialog, the direct
//! message whose Confirm only its addressee can use, expiry after 24
//! hours, and mappings that survive removal in Slack and a reconnect.

use std::time::Duration;

use hubbub_app::slack::messages::MAPPING_CONFIRM;
use hubbub_hub::timestamp::now_millis;
use hubbub_sandbox::Seed;
use hubbub_store::{
    enqueue_job, JobStatus, MappingRequest, MappingRequestStatus, NewUser, SlackLink, User,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::TestAccount;
use crate::slack_support::{
    admin, channel_messages, connect, connection_row, eventually, jobs_settled, sandbox_bot_tokens,
    sandbox_control, signed_interaction, slack_user, subscribe_app, world, World, ADMIN_PASSWORD,
};
use crate::web_client::WebClient;

const SETTINGS: &str = "/settings/notifications";
const MAP_FORM: &str = "/settings/notifications/slack-mapping";

pub async fn add_user(world: &World, account: &TestAccount, email: &str, first: &str) -> User {
    world
        .app
        .add_user(
            account.id,
            NewUser {
                email: email.into(),
                password: ADMIN_PASSWORD.into(),
                first_name: first.into(),
                last_name: "Member".into(),
                ..NewUser::default()
            },
        )
        .await
        .unwrap()
}

pub async fn signed_in(world: &World, email: &str) -> WebClient {
    WebClient::signed_in(&world.app, email, ADMIN_PASSWORD, SETTINGS, SETTINGS).await
}

pub async fn link(world: &World, account: &TestAccount, user: &User) -> Option<SlackLink> {
    let (_, team_id) = slack_user(world, "olivia");
    world
        .app
        .store
        .slack_link(account.id, &team_id, user.id)
        .await
        .unwrap()
}

/// An account with Maria (same email as in Slack) and Mark (a different
/// one), connected to the sandbox's Acme workspace by its owner.
pub struct Scene {
    pub world: World,
    pub account: TestAccount,
    pub admin: WebClient,
    pub maria: User,
    pub mark: User,
}

pub async fn scene() -> Scene {
    let world = world(Seed::demo()).await;
    subscribe_app(&world).await;
    let account = world.app.account("Mapping").await;
    let maria = add_user(&world, &account, "maria@acme.example", "Maria").await;
    let mark = add_user(&world, &account, "mark.member@acme.example", "Mark").await;
    let mut admin = admin(&world, &account).await;
    connect(&world, &mut admin, "olivia").await.assert_ok();
    jobs_settled(&world).await;
    Scene {
        world,
        account,
        admin,
        maria,
        mark,
    }
}

pub fn mapped_to(link: &Option<SlackLink>) -> Option<(String, bool)> {
    match link {
        Some(SlackLink::Mapped { person, confirmed }) => {
            Some((person.slack_user_id.clone(), *confirmed))
        }
        _ => None,
    }
}

async fn topics(world: &World, user: &User, topic: &str) -> usize {
    let notes = world.app.store.notifications(user.id, 50).await.unwrap();
    notes.iter().filter(|n| n.topic == topic).count()
}

#[tokio::test]
async fn connecting_maps_users_by_email_and_tells_the_unmatched_once() {
    let Scene {
        world,
        account,
        mut admin,
        maria,
        mark,
    } = scene().await;
    let (maria_slack, _) = slack_user(&world, "maria");

    assert_eq!(
        mapped_to(&link(&world, &account, &maria).await),
        Some((maria_slack, false))
    );
    assert_eq!(
        link(&world, &account, &mark).await,
        Some(SlackLink::Unmatched)
    );

    // Mark is told in the app and by email; Maria is not.
    assert_eq!(topics(&world, &mark, "slack_unmapped").await, 1);
    assert_eq!(topics(&world, &maria, "slack_unmapped").await, 0);
    let mails = world
        .app
        .store
        .list_mail(account.id, Some("mark.member@acme.example"), 10)
        .await
        .unwrap();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].subject.contains("Map your Slack account in Acme"));
    assert!(mails[0]
        .text_body
        .contains(&format!("View in hub: {}{SETTINGS}", world.app.base_url)));

    // In the hub, "View in hub" leads to the warning beside Slack.
    let mut mark_client = signed_in(&world, "mark.member@acme.example").await;
    let list = mark_client.get("/notifications").await;
    assert!(
        list.contains("Map your Slack account in Acme"),
        "{}",
        list.html
    );
    let view = list.href(r#"data-testid="view-notification""#);
    let page = mark_client.get(&view).await;
    assert_eq!(page.location(), SETTINGS);
    assert!(
        page.contains(r#"data-testid="slack-warning""#),
        "{}",
        page.html
    );
    assert!(page.contains("click here to map your email address"));
    assert!(page.contains(
        "No one in the Slack workspace Acme has your hub email (mark.member@acme.example)"
    ));

    let mut maria_client = signed_in(&world, "maria@acme.example").await;
    let page = maria_client.get(SETTINGS).await;
    assert!(
        page.contains("Mapped to Slack user @maria (maria@acme.example) in Acme."),
        "{}",
        page.html
    );
    assert!(!page.contains(r#"data-testid="slack-warning""#));

    // Connecting again looks again, and tells nobody twice.
    admin
        .post("/settings/marketplace/slack/disconnect", &[])
        .await
        .assert_ok();
    connect(&world, &mut admin, "olivia").await.assert_ok();
    jobs_settled(&world).await;
    assert_eq!(topics(&world, &mark, "slack_unmapped").await, 1);
    assert_eq!(
        world
            .app
            .store
            .list_mail(account.id, Some("mark.member@acme.example"), 10)
            .await
            .unwrap()
            .len(),
        1
    );

    // A user who joins later is looked up too.
    invite_adam(&admin).await;
    let adam = world
        .app
        .store
        .users(account.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == "adam@acme.example")
        .unwrap();
    let (adam_slack, _) = slack_user(&world, "adam");
    let adam_link = || async { mapped_to(&link(&world, &account, &adam).await) };
    jobs_settled(&world).await;
    assert_eq!(adam_link().await, Some((adam_slack, false)));
}

/// A super admin adds adam@acme.example to the hub (Adam of Slack's Acme).
async fn invite_adam(admin: &WebClient) {
    let fields = [
        ("email", "adam@acme.example"),
        ("first_name", "Adam"),
        ("last_name", "Admin"),
        ("password", "a long enough password"),
    ];
    admin.post("/settings/users", &fields).await.assert_ok();
}

/// Mark asks to be mapped to `email` from the dialog.
pub async fn verify_in_slack(client: &WebClient, email: &str) -> crate::web_client::Page {
    client.post(MAP_FORM, &[("slack_email", email)]).await
}

/// The request Mark sent, once its direct message is out.
pub async fn sent_request(scene: &Scene) -> MappingRequest {
    let (_, team_id) = slack_user(&scene.world, "olivia");
    jobs_settled(&scene.world).await;
    let world = &scene.world;
    let request = world
        .app
        .store
        .latest_mapping_request(
            scene.account.id,
            &team_id,
            scene.mark.id,
            world.app.hub.now(),
        )
        .await
        .unwrap()
        .expect("a mapping request");
    assert!(
        request.message.is_some(),
        "the direct message was sent: {request:?}"
    );
    request
}

/// The sandbox's copy of the request's direct message.
pub async fn direct_message(scene: &Scene, request: &MappingRequest) -> Value {
    let (channel, ts) = request.message.clone().unwrap();
    let messages = channel_messages(&scene.world, &channel).await;
    messages
        .iter()
        .find(|m| m["ts"] == ts)
        .cloned()
        .unwrap_or_else(|| panic!("no message {ts} in {messages:?}"))
}

pub async fn press_confirm(
    scene: &Scene,
    handle: &str,
    request: &MappingRequest,
) -> (StatusCode, Value) {
    let (channel, ts) = request.message.clone().unwrap();
    sandbox_control(
        &scene.world,
        "/control/click",
        json!({"user": handle, "channel": channel, "ts": ts, "action_id": MAPPING_CONFIRM}),
    )
    .await
}

/// Sends the hub a correctly signed button press from `slack_user_id`, as
/// Slack would deliver it.
async fn signed_press(scene: &Scene, slack_user_id: &str, request: &MappingRequest) -> StatusCode {
    signed_press_answering_at(scene, slack_user_id, request, None).await
}

/// [`signed_press`] whose payload names `response_url` as the place to
/// answer.
pub async fn signed_press_answering_at(
    scene: &Scene,
    slack_user_id: &str,
    request: &MappingRequest,
    response_url: Option<&str>,
) -> StatusCode {
    let (_, team_id) = slack_user(&scene.world, "olivia");
    let mut payload = json!({
        "type": "block_actions",
        "team": {"id": team_id},
        "user": {"id": slack_user_id, "team_id": team_id},
        "actions": [{"action_id": MAPPING_CONFIRM, "value": request.id.to_string(), "type": "button"}],
    });
    if let Some(url) = response_url {
        payload["response_url"] = json!(url);
    }
    signed_interaction(&scene.world, &payload).await
}

#[tokio::test]
async fn a_user_maps_another_slack_email_once_that_slack_user_confirms() {
    let scene = scene().await;
    let world = &scene.world;
    let mark_client = signed_in(world, "mark.member@acme.example").await;
    let (mark_slack, _) = slack_user(world, "mark");

    let mut dialog_client = signed_in(world, "mark.member@acme.example").await;
    let dialog = dialog_client.get(&format!("{SETTINGS}?map=1")).await;
    assert!(
        dialog.contains(r#"data-testid="map-email-dialog""#),
        "{}",
        dialog.html
    );
    assert!(dialog.contains("Verify in Slack"));

    // Bad input is refused in the dialog, and nothing is sent.
    for (email, says) in [
        ("not an email", "is not an email address"),
        (
            "nobody@acme.example",
            "No one in the Slack workspace Acme has the email nobody@acme.example",
        ),
        ("maria@acme.example", "already mapped to another hub user"),
    ] {
        let page = verify_in_slack(&mark_client, email).await;
        assert_eq!(
            page.status,
            StatusCode::BAD_REQUEST,
            "{email}: {}",
            page.html
        );
        assert!(page.contains(says), "{email}: {}", page.html);
        assert!(page.contains(r#"data-testid="map-email-dialog""#));
    }
    let (_, team_id) = slack_user(world, "olivia");
    assert!(world
        .app
        .store
        .latest_mapping_request(scene.account.id, &team_id, scene.mark.id, now_millis())
        .await
        .unwrap()
        .is_none());

    // The real one: the page says to confirm in Slack within 24 hours.
    let page = verify_in_slack(&mark_client, "mark@acme.example").await;
    page.assert_ok();
    assert_eq!(page.location(), format!("{SETTINGS}?done=requested"));
    assert!(
        page.contains(r#"data-testid="verify-sent""#),
        "{}",
        page.html
    );
    assert!(page.contains("Confirm the request there within 24 hours"));
    assert!(page.contains("Waiting for @mark (mark@acme.example) to confirm in Acme"));

    // Slack's Mark gets a direct message with a Confirm button.
    let request = sent_request(&scene).await;
    assert_eq!(request.status, MappingRequestStatus::Pending);
    assert_eq!(request.person.slack_user_id, mark_slack);
    let dm = direct_message(&scene, &request).await;
    assert!(
        dm["text"]
            .as_str()
            .unwrap()
            .contains("Mark Member (mark.member@acme.example)"),
        "{dm}"
    );
    assert!(dm.to_string().contains(MAPPING_CONFIRM));

    // Someone else's Confirm changes nothing.
    let (maria_slack, _) = slack_user(world, "maria");
    assert_eq!(
        signed_press(&scene, &maria_slack, &request).await,
        StatusCode::OK
    );
    jobs_settled(world).await;
    assert_eq!(
        link(world, &scene.account, &scene.mark).await,
        Some(SlackLink::Unmatched)
    );
    let again = sent_request(&scene).await;
    assert_eq!(again.status, MappingRequestStatus::Pending);

    // Mark's Confirm completes it: the message says so, so do the settings.
    let (status, body) = press_confirm(&scene, "mark", &request).await;
    assert!(status.is_success(), "{body}");
    jobs_settled(world).await;
    assert!(
        direct_message(&scene, &request).await["text"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Done: your Slack account is now connected to Mark Member's"),
        "the direct message says it is done"
    );
    assert_eq!(
        mapped_to(&link(world, &scene.account, &scene.mark).await),
        Some((mark_slack.clone(), true))
    );
    assert_eq!(topics(world, &scene.mark, "slack_mapped").await, 1);
    let mut mark_client = mark_client;
    let page = mark_client.get(SETTINGS).await;
    assert!(
        page.contains("Mapped to Slack user @mark (mark@acme.example) in Acme."),
        "{}",
        page.html
    );
    assert!(page.contains("Confirmed in Slack."));
    assert!(!page.contains(r#"data-testid="slack-warning""#));

    // One Slack user maps to one hub user: the admin cannot claim Mark.
    let page = verify_in_slack(&scene.admin, "mark@acme.example").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.contains("already mapped to another hub user"));

    // Removed in Slack, then reconnected: every mapping still holds.
    let (status, body) =
        sandbox_control(world, "/control/uninstall", json!({"user": "olivia"})).await;
    assert!(status.is_success(), "{body}");
    eventually("the hub to notice the removal", || async {
        !connection_row(world, scene.account.id).await.is_live()
    })
    .await;
    let page = mark_client.get(SETTINGS).await;
    assert!(
        page.contains("Slack is not connected to this account."),
        "{}",
        page.html
    );
    assert!(page.contains("Your mapping to @mark (mark@acme.example) is kept"));
    let mut admin = scene.admin;
    connect(world, &mut admin, "olivia").await.assert_ok();
    jobs_settled(world).await;
    assert_eq!(
        mapped_to(&link(world, &scene.account, &scene.mark).await),
        Some((mark_slack, true))
    );
    let (maria_slack, _) = slack_user(world, "maria");
    assert_eq!(
        mapped_to(&link(world, &scene.account, &scene.maria).await),
        Some((maria_slack, false))
    );
    let page = mark_client.get(SETTINGS).await;
    assert!(page.contains("Mapped to Slack user @mark (mark@acme.example) in Acme."));
    assert_eq!(topics(world, &scene.mark, "slack_unmapped").await, 1);
}

#[tokio::test]
async fn a_request_not_confirmed_within_24_hours_expires() {
    let scene = scene().await;
    let world = &scene.world;
    let mut mark_client = signed_in(world, "mark.member@acme.example").await;
    verify_in_slack(&mark_client, "mark@acme.example")
        .await
        .assert_ok();
    let request = sent_request(&scene).await;

    // A day later.
    world
        .app
        .hub
        .clock()
        .advance(Duration::from_secs(24 * 3600 + 1));
    let (status, body) = press_confirm(&scene, "mark", &request).await;
    assert!(status.is_success(), "{body}");
    jobs_settled(world).await;
    assert!(
        direct_message(&scene, &request).await["text"]
            .as_str()
            .unwrap_or_default()
            .contains("expired: requests must be confirmed within 24 hours"),
        "the direct message says it expired"
    );
    assert_eq!(
        link(world, &scene.account, &scene.mark).await,
        Some(SlackLink::Unmatched)
    );
    let page = mark_client.get(SETTINGS).await;
    assert!(
        page.contains(r#"data-testid="slack-request-expired""#),
        "{}",
        page.html
    );
    assert!(
        page.contains("Your request to @mark (mark@acme.example) expired before it was confirmed.")
    );
    assert!(page.contains("click here to map your email address"));
}

#[tokio::test]
async fn a_job_that_meets_a_dead_token_disconnects_and_stops_retrying() {
    let scene = scene().await;
    let world = &scene.world;
    let (_, team_id) = slack_user(world, "olivia");
    // The token dies behind the hub's back.
    for (token, _) in sandbox_bot_tokens(world, &team_id).await {
        let res = world
            .raw
            .post(format!("{}auth.revoke", world.sandbox.api_url()))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }
    // A new user makes the hub look them up in Slack, in a job.
    let mut admin = scene.admin;
    invite_adam(&admin).await;
    jobs_settled(world).await;
    let jobs = world.app.store.jobs(scene.account.id, 10).await.unwrap();
    assert_eq!(jobs[0].kind, "slack.map_users");
    assert_eq!(jobs[0].status, JobStatus::Done, "{jobs:?}");
    let connection = connection_row(world, scene.account.id).await;
    assert!(!connection.is_live());
    let page = admin.get("/settings/marketplace").await;
    assert!(
        page.contains(r#"data-testid="slack-removed-in-slack""#),
        "{}",
        page.html
    );
}

#[tokio::test]
async fn work_that_gave_up_is_shown_to_super_admins_who_can_retry_it() {
    let scene = scene().await;
    let world = &scene.world;
    // A job no worker knows (as if written by a newer version) gives up at once.
    let mut tx = world.app.store.begin_write().await.unwrap();
    let id = enqueue_job(&mut tx, scene.account.id, "slack.from_the_future", "{}")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    jobs_settled(world).await;
    let parked = world.app.store.parked_jobs(scene.account.id, 10).await;
    assert!(
        parked.unwrap().iter().any(|j| j.id == id),
        "the job is parked"
    );

    let mut admin = scene.admin;
    let page = admin.get("/settings/marketplace").await;
    assert!(
        page.contains(r#"data-testid="parked-jobs""#),
        "{}",
        page.html
    );
    assert!(page.contains("Unknown background work"));
    assert!(page.contains("unknown job kind slack.from_the_future"));

    // Regular users neither see nor retry it.
    let mut maria = signed_in(world, "maria@acme.example").await;
    let page = maria.get("/settings/marketplace").await;
    assert!(!page.contains(r#"data-testid="parked-jobs""#));
    let refused = maria
        .post(&format!("/settings/marketplace/jobs/{id}/retry"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Retry puts it back in the queue; it runs (and, unknown, parks again).
    let page = admin
        .post(&format!("/settings/marketplace/jobs/{id}/retry"), &[])
        .await;
    page.assert_ok();
    assert!(page.contains("The job is queued again"), "{}", page.html);
    jobs_settled(world).await;
    let jobs = world.app.store.jobs(scene.account.id, 50).await.unwrap();
    let job = jobs.iter().find(|j| j.id == id).unwrap();
    assert_eq!((job.status.as_str(), job.attempts), ("parked", 1));
}

#[tokio::test]
async fn every_answer_that_means_a_dead_token_disconnects_and_stops_the_work() {
    let scene = scene().await;
    let world = &scene.world;
    let mut admin = scene.admin;
    for (n, code) in ["token_expired", "not_authed", "account_inactive"]
        .into_iter()
        .enumerate()
    {
        let fault = json!({"method": "users.lookupByEmail", "error": code, "times": 1});
        let (status, body) = sandbox_control(world, "/control/faults", fault).await;
        assert!(status.is_success(), "{body}");
        // A new user makes the hub look them up in Slack, in a job.
        let email = format!("newcomer{n}@acme.example");
        let fields = [
            ("email", email.as_str()),
            ("first_name", "New"),
            ("last_name", "Comer"),
            ("password", "a long enough password"),
        ];
        admin.post("/settings/users", &fields).await.assert_ok();
        jobs_settled(world).await;
        let connection = connection_row(world, scene.account.id).await;
        assert!(!connection.is_live(), "{code} disconnects");
        let jobs = world.app.store.jobs(scene.account.id, 10).await.unwrap();
        assert_eq!(jobs[0].kind, "slack.map_users");
        assert_eq!(
            jobs[0].status,
            JobStatus::Done,
            "{code}: not retried: {jobs:?}"
        );
        // Connected again for the next answer.
        connect(world, &mut admin, "olivia").await.assert_ok();
    }
}

#[tokio::test]
async fn a_user_added_from_the_command_line_is_looked_up_in_slack_like_an_invited_one() {
    let scene = scene().await;
    let world = &scene.world;
    let config = &world.app.config;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hubbub"))
        .args([
            "admin",
            "create-user",
            "--account",
            &scene.account.id.to_string(),
        ])
        .args([
            "--email",
            "adam@acme.example",
            "--password",
            "a long enough password",
        ])
        .env("HUBBUB_DATABASE_URL", &config.database_url)
        .env("HUBBUB_SECRET_KEY", &config.secret_key)
        .env("HUBBUB_PUBLIC_URL", &config.public_url)
        .output()
        .expect("run hubbub admin");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let adam = world
        .app
        .store
        .user(scene.account.id, printed["user_id"].as_i64().unwrap())
        .await
        .unwrap();
    // The running hub's worker takes the lookup the command enqueued.
    jobs_settled(world).await;
    let (adam_slack, _) = slack_user(world, "adam");
    assert_eq!(
        mapped_to(&link(world, &scene.account, &adam).await),
        Some((adam_slack, false))
    );
}
