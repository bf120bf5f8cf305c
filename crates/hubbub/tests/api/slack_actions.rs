//! The buttons of notification messages, end to end: a notification
//! reaches a mapped user's direct message in the sandbox, and the sandbox
//! presses its buttons as Slack does (signed `block_actions` built from
//! the real message, with a `response_url`). Each press acts as the mapped
//! hub user, writes "… via Slack" on the record's timeline and redraws the
//! message in place; a second press or a replay changes nothing more; an
//! unmapped or view-only presser is answered only to them, and nothing
//! changes.

use std::time::Duration;

use hubbub_app::slack::messages::record_actions as ids;
use hubbub_hub::timestamp::{parse_instant, to_iso};
use hubbub_store::User;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::notifications::{create, direct_messages, patch, saying, task_for};
use crate::slack_mapping::{add_user, scene, signed_in, Scene};
use crate::slack_support::{self, signed_interaction, slack_user, World};

const HOUR: i64 = 3_600_000;

/// Presses the element `action_id` of `message` as the sandbox user
/// `handle` (a select picks `value`). Returns the sandbox's answer, with
/// the `response_url` it gave the hub.
async fn press(
    world: &World,
    handle: &str,
    message: &Value,
    action_id: &str,
    value: Option<&str>,
) -> Value {
    let mut click = json!({
        "user": handle,
        "channel": message["channel"],
        "ts": message["ts"],
        "action_id": action_id,
    });
    if let Some(v) = value {
        click["value"] = json!(v);
    }
    slack_support::click(world, click).await
}

/// Sends the hub the `block_actions` payload of a press of the button
/// `action_id` in `message` again, as a replay would: same user, same
/// message, same `response_url`.
async fn replay(world: &World, handle: &str, message: &Value, action_id: &str, response_url: &str) {
    let (user_id, team_id) = slack_user(world, handle);
    let button = message["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .find(|e| e["action_id"] == action_id)
        .unwrap_or_else(|| panic!("no {action_id} in {message}"));
    let payload = json!({
        "type": "block_actions",
        "team": {"id": team_id},
        "user": {"id": user_id, "team_id": team_id},
        "container": {"type": "message", "channel_id": message["channel"], "message_ts": message["ts"], "is_ephemeral": false},
        "response_url": response_url,
        "actions": [{"action_id": action_id, "type": "button", "value": button["value"]}],
    });
    let status = signed_interaction(world, &payload).await;
    assert_eq!(status, StatusCode::OK);
    world.app.settle().await;
}

/// The message `ts` of the user's direct messages, as it stands now.
async fn message_now(
    world: &World,
    scene_account: &crate::harness::TestAccount,
    user: &User,
    ts: &Value,
) -> Value {
    direct_messages(world, scene_account, user)
        .await
        .into_iter()
        .find(|m| m["ts"] == *ts)
        .expect("the message is still there")
}

/// The texts the app showed only to `handle`, oldest first.
async fn ephemerals(world: &World, handle: &str) -> Vec<String> {
    slack_support::ephemerals(world, handle)
        .await
        .iter()
        .map(|e| e["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A record's property, read through the API.
pub async fn property(world: &World, token: &str, t: &str, id: i64, name: &str) -> Value {
    let (status, body) = world
        .app
        .get(
            token,
            &format!("/crm/v3/objects/{t}/{id}?properties={name}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["properties"][name].clone()
}

/// The record page's "via Slack" timeline lines.
async fn slack_lines(world: &World, email: &str, path: &str) -> Vec<String> {
    let mut browser = signed_in(world, email).await;
    let page = browser.get(path).await;
    page.assert_ok();
    page.html
        .split(r#"data-testid="timeline-activity""#)
        .skip(1)
        .filter_map(|entry| {
            let body = entry.split(r#"<div class="body">"#).nth(1)?;
            Some(body.split("</div>").next()?.to_owned())
        })
        .filter(|line| line.ends_with("via Slack"))
        .collect()
}

fn has_action(message: &Value, action_id: &str) -> bool {
    message["blocks"].to_string().contains(action_id)
}

#[tokio::test]
async fn deal_buttons_act_as_the_mapped_user_once_and_refuse_the_unmapped_and_view_only() {
    let scene = scene().await;
    let Scene {
        world,
        account,
        maria,
        admin,
        ..
    } = &scene;
    let adam = add_user(world, account, "adam@acme.example", "Adam").await;
    world.app.settle().await;
    let token = &account.token;

    // Maria follows a deal of Adam's and hears that it changed stage.
    let deal = create(
        world,
        account,
        "deals",
        json!({
            "dealname": "Big renewal",
            "dealstage": "appointmentscheduled",
            "hubspot_owner_id": adam.id.to_string(),
        }),
    )
    .await;
    let path = format!("/deals/{deal}");
    let maria_web = signed_in(world, "maria@acme.example").await;
    maria_web
        .post(&format!("{path}/follow"), &[])
        .await
        .assert_ok();
    patch(
        world,
        account,
        "deals",
        deal,
        json!({"dealstage": "qualifiedtobuy"}),
    )
    .await;
    world.app.settle().await;
    let dms = direct_messages(world, account, maria).await;
    let dm = saying(&dms, "to Qualified To Buy")
        .pop()
        .cloned()
        .unwrap_or_else(|| panic!("{dms:?}"));
    assert!(has_action(&dm, ids::ASSIGN_TO_ME), "{dm}");
    assert!(has_action(&dm, ids::MOVE_STAGE), "{dm}");

    // "Open in hub" is a link: the press is only acknowledged.
    press(world, "maria", &dm, ids::OPEN, None).await;
    assert_eq!(message_now(world, account, maria, &dm["ts"]).await, dm);

    // Mark's Slack account is not mapped: only he is told how to map it,
    // and nothing changes.
    press(world, "mark", &dm, ids::ASSIGN_TO_ME, None).await;
    let told = ephemerals(world, "mark").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains(&format!(
            "Map your Slack account at {}/settings/notifications",
            world.app.base_url
        )),
        "{told:?}"
    );
    assert!(told[0].contains("Nothing was changed."));
    assert_eq!(
        property(world, token, "deals", deal, "hubspot_owner_id").await,
        adam.id.to_string()
    );
    assert!(slack_lines(world, "maria@acme.example", &path)
        .await
        .is_empty());

    // Maria's press assigns it to her, says so on the timeline, and the
    // message shows it in place.
    let pressed = press(world, "maria", &dm, ids::ASSIGN_TO_ME, None).await;
    assert_eq!(
        property(world, token, "deals", deal, "hubspot_owner_id").await,
        maria.id.to_string()
    );
    let assigned = "Maria Member assigned the deal to themselves";
    assert_eq!(
        slack_lines(world, "maria@acme.example", &path).await,
        vec![format!("{assigned} via Slack")]
    );
    let now = message_now(world, account, maria, &dm["ts"]).await;
    assert!(now["text"].as_str().unwrap().contains(assigned), "{now}");
    assert!(now["edited"].is_object(), "replaced in place: {now}");
    assert!(
        !has_action(&now, ids::ASSIGN_TO_ME),
        "she owns it now: {now}"
    );
    assert!(ephemerals(world, "maria").await.is_empty());

    // A replay of the same press changes nothing more.
    let url = pressed["response_url"].as_str().unwrap();
    replay(world, "maria", &dm, ids::ASSIGN_TO_ME, url).await;
    assert_eq!(
        slack_lines(world, "maria@acme.example", &path).await.len(),
        1
    );
    let now = message_now(world, account, maria, &dm["ts"]).await;
    assert!(
        now["text"]
            .as_str()
            .unwrap()
            .contains("Maria Member is the owner of the deal"),
        "{now}"
    );

    // The stage select moves it; picking the same stage again does not.
    let won = format!("deal:{deal}:closedwon");
    press(world, "maria", &now, ids::MOVE_STAGE, Some(&won)).await;
    assert_eq!(
        property(world, token, "deals", deal, "dealstage").await,
        "closedwon"
    );
    let now = message_now(world, account, maria, &dm["ts"]).await;
    assert!(
        now["text"]
            .as_str()
            .unwrap()
            .contains("Maria Member moved the deal to Closed Won"),
        "{now}"
    );
    press(world, "maria", &now, ids::MOVE_STAGE, Some(&won)).await;
    let lines = slack_lines(world, "maria@acme.example", &path).await;
    assert_eq!(
        lines,
        vec![
            "Maria Member moved the deal to Closed Won via Slack".to_owned(),
            format!("{assigned} via Slack"),
        ]
    );
    let now = message_now(world, account, maria, &dm["ts"]).await;
    assert!(
        now["text"]
            .as_str()
            .unwrap()
            .contains("The deal is in Closed Won"),
        "{now}"
    );

    // A super admin makes Adam view-only in Settings > Users.
    admin
        .post(
            &format!("/settings/users/{}/roles", adam.id),
            &[("role", "view_only"), ("grant", "1")],
        )
        .await
        .assert_ok();
    let mut admin_web = signed_in(world, &account.admin_email).await;
    let users = admin_web.get("/settings/users").await;
    assert!(
        users.contains(r#"data-testid="toggle-view-only" data-granted="true""#),
        "{}",
        users.html
    );

    // Adam hears of a deal assigned to him, but may not move it from Slack…
    let other = create(
        world,
        account,
        "deals",
        json!({
            "dealname": "Small deal",
            "dealstage": "appointmentscheduled",
            "hubspot_owner_id": adam.id.to_string(),
        }),
    )
    .await;
    world.app.settle().await;
    let dms = direct_messages(world, account, &adam).await;
    let dm = saying(&dms, "Small deal")
        .pop()
        .cloned()
        .unwrap_or_else(|| panic!("{dms:?}"));
    press(
        world,
        "adam",
        &dm,
        ids::MOVE_STAGE,
        Some(&format!("deal:{other}:closedwon")),
    )
    .await;
    let told = ephemerals(world, "adam").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains("You have a view-only seat"), "{told:?}");
    assert!(told[0].contains("Nothing was changed."), "{told:?}");
    assert_eq!(
        property(world, token, "deals", other, "dealstage").await,
        "appointmentscheduled"
    );
    assert_eq!(message_now(world, account, &adam, &dm["ts"]).await, dm);
    assert!(
        slack_lines(world, "adam@acme.example", &format!("/deals/{other}"))
            .await
            .is_empty()
    );

    // …nor in the hub, whose record page offers no Edit, and whose edit
    // form refuses with the same reason.
    let mut adam_web = signed_in(world, "adam@acme.example").await;
    let page = adam_web.get(&format!("/deals/{other}")).await;
    assert!(page.contains(r#"data-testid="view-only""#), "{}", page.html);
    assert!(!page.contains(r#"data-testid="edit-record""#));
    assert!(!page.contains(r#"data-testid="note-form""#));
    let edit = format!("/deals/{other}/edit");
    let refused = adam_web
        .submit(
            &format!("/deals/{other}"),
            &edit,
            &[("dealname", "Renamed"), ("dealstage", "closedwon")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
    assert!(
        refused.contains("You have a view-only seat"),
        "{}",
        refused.html
    );
    assert_eq!(
        property(world, token, "deals", other, "dealname").await,
        "Small deal"
    );
}

#[tokio::test]
async fn a_task_reminder_is_snoozed_and_completed_from_slack() {
    let scene = scene().await;
    let Scene {
        world,
        account,
        maria,
        ..
    } = &scene;
    let token = &account.token;
    let task = task_for(world, account, maria, "Send the quote", HOUR, 48 * HOUR).await;
    let path = format!("/tasks/{task}");
    let clock = world.app.hub.clock();
    world.app.settle().await;
    clock.advance(Duration::from_millis(HOUR as u64 + 1000));
    world.app.settle().await;
    let reminders = |dms: &[Value]| {
        saying(dms, "Reminder: the task Send the quote")
            .into_iter()
            .cloned()
            .collect::<Vec<_>>()
    };
    let first = reminders(&direct_messages(world, account, maria).await);
    assert_eq!(first.len(), 1, "{first:?}");
    let dm = first[0].clone();

    // Snooze 1 hour: the reminder moves an hour on, once.
    let pressed_at = world.app.hub.now();
    press(world, "maria", &dm, ids::SNOOZE_HOUR, None).await;
    let reminder = property(world, token, "tasks", task, "hs_task_reminders").await;
    let at = parse_instant(reminder.as_str().unwrap()).unwrap();
    let after = at - pressed_at - HOUR;
    assert!(
        (0..60_000).contains(&after),
        "an hour after the press: {reminder}"
    );
    let now = message_now(world, account, maria, &dm["ts"]).await;
    assert!(
        now["text"]
            .as_str()
            .unwrap()
            .contains("Maria Member snoozed the reminder until"),
        "{now}"
    );
    press(world, "maria", &now, ids::SNOOZE_HOUR, None).await;
    assert_eq!(
        property(world, token, "tasks", task, "hs_task_reminders").await,
        reminder
    );
    assert_eq!(
        slack_lines(world, "maria@acme.example", &path).await.len(),
        1
    );

    // The snoozed reminder comes at its new time.
    clock.advance(Duration::from_millis(HOUR as u64 + 1000));
    world.app.settle().await;
    let all = reminders(&direct_messages(world, account, maria).await);
    assert_eq!(all.len(), 2, "{all:?}");
    let second = all.iter().find(|m| m["ts"] != dm["ts"]).unwrap().clone();

    // Until tomorrow: 09:00 UTC the next day.
    press(world, "maria", &second, ids::SNOOZE_TOMORROW, None).await;
    let day = 24 * HOUR;
    let tomorrow = (world.app.hub.now() / day + 1) * day + 9 * HOUR;
    assert_eq!(
        property(world, token, "tasks", task, "hs_task_reminders").await,
        to_iso(tomorrow)
    );

    // Complete: done once, and a replay does nothing more.
    let pressed = press(world, "maria", &second, ids::COMPLETE_TASK, None).await;
    assert_eq!(
        property(world, token, "tasks", task, "hs_task_status").await,
        "COMPLETED"
    );
    let now = message_now(world, account, maria, &second["ts"]).await;
    assert!(
        now["text"]
            .as_str()
            .unwrap()
            .contains("Maria Member completed the task"),
        "{now}"
    );
    assert!(!has_action(&now, ids::COMPLETE_TASK), "{now}");
    replay(
        world,
        "maria",
        &second,
        ids::COMPLETE_TASK,
        pressed["response_url"].as_str().unwrap(),
    )
    .await;
    let lines = slack_lines(world, "maria@acme.example", &path).await;
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0], "Maria Member completed the task via Slack");

    // The first message's snooze is refused now, only to her.
    let old = message_now(world, account, maria, &dm["ts"]).await;
    press(world, "maria", &old, ids::SNOOZE_HOUR, None).await;
    let told = ephemerals(world, "maria").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains(
            "The task is completed: there is no reminder to snooze. Nothing was changed."
        ),
        "{told:?}"
    );
    assert_eq!(
        property(world, token, "tasks", task, "hs_task_reminders").await,
        to_iso(tomorrow)
    );
}
