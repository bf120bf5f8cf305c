//! Notifications end to end: a change in the hub reaches its people in
//! the hub, by email and as a Slack direct message from the app (read back
//! from the sandbox), each only where their settings choose; the first
//! push to someone nobody in Slack matches tells them once how to map;
//! task reminders and overdue notices arrive at their time.

use std::time::Duration;

use hubbub_app::Actor;
use hubbub_hub::topic::{Channel, Channels};
use hubbub_hub::Topic;
use hubbub_store::{Mail, User};
use serde_json::{json, Value};

use crate::harness::TestAccount;
use crate::slack_mapping::{add_user, scene, Scene};
use crate::slack_support::{channel_messages, slack_user, World};

/// What reached one person for one topic, channel by channel.
#[derive(Debug, PartialEq, Eq)]
struct Reached {
    hub: usize,
    email: usize,
    slack: usize,
}

async fn bell(world: &World, user: &User, topic: Topic) -> usize {
    let notes = world.app.store.notifications(user.id, 200).await.unwrap();
    notes.iter().filter(|n| n.topic == topic.as_str()).count()
}

async fn mails(world: &World, account: &TestAccount, user: &User, subject: &str) -> Vec<Mail> {
    let all = world
        .app
        .store
        .list_mail(account.id, Some(&user.email), 200)
        .await
        .unwrap();
    all.into_iter()
        .filter(|m| m.subject.contains(subject))
        .collect()
}

/// The app's direct messages to `user` in the sandbox, oldest first.
pub async fn direct_messages(world: &World, account: &TestAccount, user: &User) -> Vec<Value> {
    let (_, team_id) = slack_user(world, "olivia");
    let Some(channel) = world
        .app
        .store
        .slack_dm_channel(account.id, &team_id, user.id)
        .await
        .unwrap()
    else {
        return Vec::new();
    };
    channel_messages(world, &channel).await
}

pub fn saying<'a>(messages: &'a [Value], words: &str) -> Vec<&'a Value> {
    messages
        .iter()
        .filter(|m| m["text"].as_str().unwrap_or_default().contains(words))
        .collect()
}

pub async fn create(world: &World, account: &TestAccount, t: &str, props: Value) -> i64 {
    let (status, body) = world
        .app
        .post(
            &account.token,
            &format!("/crm/v3/objects/{t}"),
            json!({ "properties": props }),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    body["id"].as_str().unwrap().parse().unwrap()
}

pub async fn patch(world: &World, account: &TestAccount, t: &str, id: i64, props: Value) {
    let (status, body) = world
        .app
        .patch(
            &account.token,
            &format!("/crm/v3/objects/{t}/{id}"),
            json!({ "properties": props }),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
}

#[tokio::test]
async fn an_assignment_reaches_the_owner_in_the_hub_by_email_and_in_slack() {
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
        json!({"dealname": "Acme <!channel> & renewal", "amount": "12500", "hubspot_owner_id": maria.id.to_string()}),
    )
    .await;
    world.app.settle().await;

    assert_eq!(bell(&world, &maria, Topic::Assigned).await, 1);
    let notes = world.app.store.notifications(maria.id, 5).await.unwrap();
    assert_eq!(
        notes[0].title,
        "An API client assigned you the deal Acme <!channel> & renewal"
    );
    assert_eq!(notes[0].link, format!("/deals/{deal}"));

    let mail = mails(&world, &account, &maria, "assigned you the deal").await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    let link = format!("{}/deals/{deal}", world.app.base_url);
    assert!(mail[0].text_body.contains(&link), "{}", mail[0].text_body);
    assert!(mail[0].text_body.contains("/settings/notifications"));
    let html = mail[0].html_body.as_deref().expect("an HTML part");
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    assert!(
        html.contains("Acme &lt;!channel&gt; &amp; renewal"),
        "{html}"
    );

    let dms = direct_messages(&world, &account, &maria).await;
    assert_eq!(dms.len(), 1, "{dms:?}");
    let text = dms[0]["text"].as_str().unwrap();
    assert!(
        text.contains("Acme &lt;!channel&gt; &amp; renewal"),
        "{text}"
    );
    let blocks = dms[0]["blocks"].to_string();
    assert!(!blocks.contains("<!channel>"), "{blocks}");
    assert!(blocks.contains("12,500"), "key properties shown: {blocks}");
    assert!(blocks.contains("Open in hub"), "{blocks}");
    assert!(blocks.contains("notification.move_stage"), "{blocks}");
    assert!(
        !blocks.contains("notification.assign_to_me"),
        "the owner is not offered to take it: {blocks}"
    );
}

const HOUR: i64 = 3_600_000;

/// A task for `owner`, its reminder `remind_in` and its due date `due_in`
/// milliseconds from the hub's now.
pub async fn task_for(
    world: &World,
    account: &TestAccount,
    owner: &User,
    subject: &str,
    remind_in: i64,
    due_in: i64,
) -> i64 {
    let now = world.app.hub.now();
    let iso = hubbub_hub::timestamp::to_iso;
    let props = json!({
        "hs_task_subject": subject,
        "hs_timestamp": iso(now + due_in),
        "hs_task_reminders": iso(now + remind_in),
        "hubspot_owner_id": owner.id.to_string(),
    });
    create(world, account, "tasks", props).await
}

/// Sets `user`'s own channels for `topic` to exactly `only`.
async fn choose(world: &World, user: &User, topic: Topic, only: &[Channel]) {
    let channels = only
        .iter()
        .fold(Channels::NONE, |c, channel| c.with(*channel, true));
    world
        .app
        .hub
        .set_my_notification_setting(&Actor::User(user.clone()), topic, Some(channels))
        .await
        .unwrap();
}

async fn reached(
    world: &World,
    account: &TestAccount,
    user: &User,
    topic: Topic,
    words: &str,
) -> Reached {
    Reached {
        hub: bell(world, user, topic).await,
        email: mails(world, account, user, words).await.len(),
        slack: saying(&direct_messages(world, account, user).await, words).len(),
    }
}

#[tokio::test]
async fn every_topic_reaches_the_channels_its_settings_choose_and_no_other() {
    let Scene {
        world,
        account,
        maria,
        ..
    } = scene().await;
    let ada = world
        .app
        .store
        .users(account.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == account.admin_email)
        .unwrap();
    let as_ada = Actor::User(ada.clone());
    choose(&world, &maria, Topic::Assigned, &[Channel::Slack]).await;
    choose(&world, &maria, Topic::StageChanged, &[Channel::Email]).await;
    choose(
        &world,
        &maria,
        Topic::Mention,
        &[Channel::Hub, Channel::Slack],
    )
    .await;
    choose(&world, &maria, Topic::Comment, &[Channel::Hub]).await;
    choose(
        &world,
        &maria,
        Topic::TaskReminder,
        &[Channel::Email, Channel::Slack],
    )
    .await;
    choose(&world, &maria, Topic::TaskOverdue, &[]).await;

    let deal = create(
        &world,
        &account,
        "deals",
        json!({"dealname": "Topics", "hubspot_owner_id": maria.id.to_string()}),
    )
    .await;
    world.app.settle().await;
    assert_eq!(
        reached(&world, &account, &maria, Topic::Assigned, "assigned you").await,
        Reached {
            hub: 0,
            email: 0,
            slack: 1
        }
    );

    patch(
        &world,
        &account,
        "deals",
        deal,
        json!({"dealstage": "closedwon"}),
    )
    .await;
    world.app.settle().await;
    assert_eq!(
        reached(
            &world,
            &account,
            &maria,
            Topic::StageChanged,
            "moved the deal"
        )
        .await,
        Reached {
            hub: 0,
            email: 1,
            slack: 0
        }
    );

    let t = hubbub_hub::ObjectType::Deal;
    world
        .app
        .hub
        .comment(&as_ada, t, deal, "@maria can you check this?")
        .await
        .unwrap();
    world
        .app
        .hub
        .comment(&as_ada, t, deal, "Plain remark")
        .await
        .unwrap();
    world.app.settle().await;
    assert_eq!(
        reached(&world, &account, &maria, Topic::Mention, "mentioned you").await,
        Reached {
            hub: 1,
            email: 0,
            slack: 1
        }
    );
    assert_eq!(
        reached(&world, &account, &maria, Topic::Comment, "commented on").await,
        Reached {
            hub: 1,
            email: 0,
            slack: 0
        }
    );

    let hour = HOUR;
    task_for(&world, &account, &maria, "Call back", hour, 2 * hour).await;
    world.app.settle().await;
    let none = Reached {
        hub: 0,
        email: 0,
        slack: 0,
    };
    assert_eq!(
        reached(&world, &account, &maria, Topic::TaskReminder, "Reminder").await,
        none
    );
    world
        .app
        .hub
        .clock()
        .advance(Duration::from_millis(hour as u64 + 1000));
    world.app.settle().await;
    assert_eq!(
        reached(&world, &account, &maria, Topic::TaskReminder, "Reminder").await,
        Reached {
            hub: 0,
            email: 1,
            slack: 1
        }
    );
    world
        .app
        .hub
        .clock()
        .advance(Duration::from_millis(hour as u64));
    world.app.settle().await;
    assert_eq!(
        reached(&world, &account, &maria, Topic::TaskOverdue, "is overdue").await,
        none,
        "overdue goes nowhere for Maria"
    );
    assert_eq!(
        bell(&world, &ada, Topic::Assigned).await + bell(&world, &ada, Topic::Mention).await,
        0,
        "nobody hears of what they did themselves"
    );
}

#[tokio::test]
async fn a_task_reminder_offers_snooze_and_completion_and_overdue_comes_at_the_due_date() {
    let Scene {
        world,
        account,
        maria,
        ..
    } = scene().await;
    let now = world.app.hub.now();
    let hour = HOUR;
    let iso = hubbub_hub::timestamp::to_iso;
    let task = task_for(&world, &account, &maria, "Send the quote", hour, 2 * hour).await;
    world.app.settle().await;
    world
        .app
        .hub
        .clock()
        .advance(Duration::from_millis(hour as u64 + 1000));
    world.app.settle().await;
    let dms = direct_messages(&world, &account, &maria).await;
    let reminder = saying(&dms, "Reminder: the task Send the quote is due");
    assert_eq!(reminder.len(), 1, "{dms:?}");
    let blocks = reminder[0]["blocks"].to_string();
    for action in [
        "notification.complete_task",
        "notification.snooze_hour",
        "notification.snooze_tomorrow",
    ] {
        assert!(blocks.contains(action), "{action} in {blocks}");
    }
    assert!(blocks.contains(&format!("task:{task}")), "{blocks}");

    // Moving the due date later: the first alarm finds it changed and
    // stays silent; the new one comes at the new time.
    patch(
        &world,
        &account,
        "tasks",
        task,
        json!({"hs_timestamp": iso(now + 5 * hour)}),
    )
    .await;
    world
        .app
        .hub
        .clock()
        .advance(Duration::from_millis(hour as u64));
    world.app.settle().await;
    assert_eq!(bell(&world, &maria, Topic::TaskOverdue).await, 0);
    world
        .app
        .hub
        .clock()
        .advance(Duration::from_millis(3 * hour as u64));
    world.app.settle().await;
    assert_eq!(bell(&world, &maria, Topic::TaskOverdue).await, 1);
    let mail = mails(&world, &account, &maria, "is overdue").await;
    assert_eq!(mail.len(), 1, "overdue goes by email by default");
}

#[tokio::test]
async fn the_first_pushes_to_someone_slack_does_not_know_tell_them_once_how_to_map() {
    let Scene { world, account, .. } = scene().await;
    // Added after the connection, and pushed to before anything looked
    // them up: the notification job does the lookup.
    let nobody = add_user(&world, &account, "nobody@elsewhere.example", "Nobody").await;
    for n in 0..10 {
        create(
            &world,
            &account,
            "deals",
            json!({"dealname": format!("Deal {n}"), "hubspot_owner_id": nobody.id.to_string()}),
        )
        .await;
    }
    world.app.settle().await;
    assert_eq!(bell(&world, &nobody, Topic::Assigned).await, 10);
    assert_eq!(
        mails(&world, &account, &nobody, "assigned you").await.len(),
        10
    );
    assert_eq!(bell(&world, &nobody, Topic::SlackUnmapped).await, 1);
    assert_eq!(
        mails(&world, &account, &nobody, "Map your Slack account")
            .await
            .len(),
        1
    );
    assert!(direct_messages(&world, &account, &nobody).await.is_empty());
}

#[tokio::test]
async fn a_follower_hears_of_comments_and_stage_changes_and_is_listed() {
    let Scene {
        world,
        account,
        maria,
        mark,
        ..
    } = scene().await;
    let deal = create(
        &world,
        &account,
        "deals",
        json!({"dealname": "Followed", "hubspot_owner_id": maria.id.to_string()}),
    )
    .await;
    let mut marks = crate::slack_mapping::signed_in(&world, &mark.email).await;
    let path = format!("/deals/{deal}");
    let page = marks.get(&path).await;
    assert!(
        page.html.contains("data-testid=\"follow\""),
        "{}",
        page.html
    );
    let page = marks.submit(&path, &format!("{path}/follow"), &[]).await;
    assert!(
        page.html.contains("<li>Mark Member</li>"),
        "listed among followers"
    );
    assert!(page.html.contains("data-testid=\"unfollow\""));

    patch(
        &world,
        &account,
        "deals",
        deal,
        json!({"dealstage": "closedwon"}),
    )
    .await;
    world.app.settle().await;
    assert_eq!(bell(&world, &mark, Topic::StageChanged).await, 1);
    assert_eq!(bell(&world, &maria, Topic::StageChanged).await, 1);

    let page = marks.submit(&path, &format!("{path}/unfollow"), &[]).await;
    assert!(
        !page.html.contains("<li>Mark Member</li>"),
        "no longer listed"
    );
    patch(
        &world,
        &account,
        "deals",
        deal,
        json!({"dealstage": "closedlost"}),
    )
    .await;
    world.app.settle().await;
    assert_eq!(bell(&world, &mark, Topic::StageChanged).await, 1);
    assert_eq!(bell(&world, &maria, Topic::StageChanged).await, 2);
}

#[tokio::test]
async fn a_mention_in_a_note_leads_to_the_record_the_note_is_on() {
    let Scene {
        world,
        account,
        maria,
        mark,
        ..
    } = scene().await;
    let deal = create(&world, &account, "deals", json!({"dealname": "Noted"})).await;
    let mut marks = crate::slack_mapping::signed_in(&world, &mark.email).await;
    let path = format!("/deals/{deal}");
    marks
        .submit(
            &path,
            &format!("{path}/notes"),
            &[("body", "Spoke to them, @maria follows up")],
        )
        .await;
    world.app.settle().await;
    let notes = world.app.store.notifications(maria.id, 5).await.unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(
        notes[0].title,
        "Mark Member mentioned you in a note on the deal Noted"
    );
    assert_eq!(notes[0].link, path);
    let dms = direct_messages(&world, &account, &maria).await;
    assert_eq!(saying(&dms, "mentioned you in a note").len(), 1, "{dms:?}");
    let blocks = dms[0]["blocks"].to_string();
    assert!(
        blocks.contains(">Spoke to them"),
        "the note quoted: {blocks}"
    );
}

#[tokio::test]
async fn long_and_hostile_text_stays_within_block_kit_and_mentions_nobody() {
    let Scene {
        world,
        account,
        maria,
        ..
    } = scene().await;
    let hostile = "<!channel> <http://evil.example|Click here> & ";
    let name = hostile.repeat(120);
    let deal = create(
        &world,
        &account,
        "deals",
        json!({"dealname": name, "description": "d", "hubspot_owner_id": maria.id.to_string()}),
    )
    .await;
    let ada = world
        .app
        .store
        .users(account.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == account.admin_email)
        .unwrap();
    let comment = format!("@maria {}", hostile.repeat(200));
    world
        .app
        .hub
        .comment(
            &Actor::User(ada),
            hubbub_hub::ObjectType::Deal,
            deal,
            &comment,
        )
        .await
        .unwrap();
    let pass = world.app.settle().await;
    assert_eq!(
        pass.parked + pass.failed,
        0,
        "the sandbox took every message: {pass:?}"
    );
    let dms = direct_messages(&world, &account, &maria).await;
    assert_eq!(dms.len(), 2, "assigned, then mentioned");
    for dm in &dms {
        let json = dm.to_string();
        assert!(!json.contains("<!channel>"), "a live @channel");
        assert!(!json.contains("<http://evil"), "a disguised link");
        for block in dm["blocks"].as_array().unwrap() {
            let text = block["text"]["text"].as_str().unwrap_or_default();
            assert!(text.chars().count() <= 3_000, "{}", text.len());
        }
    }
}

#[tokio::test]
async fn a_delivery_slack_keeps_failing_is_listed_with_its_reason_and_retried_from_the_page() {
    let Scene {
        world,
        account,
        mut admin,
        maria,
        ..
    } = scene().await;
    let fault = json!({"method": "chat.postMessage", "status": 500, "times": 100});
    let (status, body) =
        crate::slack_support::sandbox_control(&world, "/control/faults", fault).await;
    assert!(status.is_success(), "{body}");
    create(
        &world,
        &account,
        "deals",
        json!({"dealname": "Stuck", "hubspot_owner_id": maria.id.to_string()}),
    )
    .await;
    for _ in 0..12 {
        world.app.settle().await;
        world.app.hub.clock().advance(Duration::from_secs(2 * 3600));
    }
    let parked = world.app.store.parked_jobs(account.id, 10).await.unwrap();
    assert_eq!(parked.len(), 1, "{parked:?}");
    let page = admin.get("/settings/marketplace").await;
    let row = &page.html[page
        .html
        .find("data-testid=\"parked-job\"")
        .expect("listed")..];
    assert!(
        row.contains("Send a notification in Slack: An API client assigned you the deal Stuck"),
        "{row}"
    );
    assert!(
        row.contains("500") || row.contains("Slack"),
        "the reason: {row}"
    );
    assert!(direct_messages(&world, &account, &maria).await.is_empty());

    // Slack recovers; a super admin retries it from the page.
    let (status, _) =
        crate::slack_support::sandbox_control(&world, "/control/reset", json!({})).await;
    assert!(status.is_success());
    let retry = format!("/settings/marketplace/jobs/{}/retry", parked[0].id);
    admin.submit("/settings/marketplace", &retry, &[]).await;
    world.app.settle().await;
    let dms = direct_messages(&world, &account, &maria).await;
    assert_eq!(
        saying(&dms, "assigned you the deal Stuck").len(),
        1,
        "{dms:?}"
    );
}
