//! `/hs` typed in the sandbox's Slack, as a person types it: help (also
//! for a sub-command the app does not know), and the feedback dialog end
//! to end: the modal opens prefilled, a bad field is shown beside it and
//! keeps the modal open, a submission is kept with its Slack user and
//! confirmed to that person only, and a super admin reads it in Settings >
//! Feedback, newest first.

use hubbub_sandbox::Seed;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::conversations_slack::shown;
use crate::slack_mapping::{scene, signed_in, Scene};
use crate::slack_support::{
    ephemerals, globex, jobs_settled, on_slack, sandbox_control, sandbox_read, slack_user,
    subscribe_app, world, World,
};

/// `/hs {text}` typed by `handle` in `channel`; what the sandbox did.
pub async fn hs(world: &World, handle: &str, channel: &str, text: &str) -> Value {
    let typed = json!({"user": handle, "channel": channel, "command": "/hs", "text": text});
    let (status, body) = sandbox_control(world, "/control/commands", typed).await;
    assert!(status.is_success(), "{body}");
    assert_eq!(body["answer"]["status"], 200, "{body}");
    body
}

/// What the app showed only to `handle`: each message's text and blocks.
pub async fn shown_to(world: &World, handle: &str) -> Vec<String> {
    ephemerals(world, handle).await.iter().map(shown).collect()
}

/// `handle`'s open modals.
pub async fn open_views(world: &World, handle: &str) -> Vec<Value> {
    let (user_id, _) = slack_user(world, handle);
    let body = sandbox_read(world, "/control/views", &[("user", user_id.as_str())]).await;
    body["views"].as_array().unwrap().clone()
}

/// Submits `handle`'s open modal with `values` (by block id).
pub async fn submit(world: &World, handle: &str, values: Value) -> Value {
    let (status, body) = sandbox_control(
        world,
        "/control/submit",
        json!({"user": handle, "values": values}),
    )
    .await;
    assert!(status.is_success(), "{body}");
    body
}

#[tokio::test]
async fn help_answers_only_the_caller_and_an_unknown_sub_command_gets_it_too() {
    let Scene { world, .. } = scene().await;
    hs(&world, "maria", "general", "").await;
    hs(&world, "maria", "general", "dance now").await;

    let told = shown_to(&world, "maria").await;
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(told.iter().all(|t| t.contains("/hs -feedback")), "{told:?}");
    assert!(
        told[1].contains("`/hs dance` is not something Hubbub knows"),
        "{told:?}"
    );
    assert!(shown_to(&world, "mark").await.is_empty());
}

#[tokio::test]
async fn feedback_is_sent_through_its_dialog_and_listed_for_super_admins_newest_first() {
    let Scene {
        world,
        account,
        mut admin,
        ..
    } = scene().await;
    hs(
        &world,
        "maria",
        "general",
        "-feedback The previews are <b>great</b>",
    )
    .await;
    let views = open_views(&world, "maria").await;
    assert_eq!(views.len(), 1, "{views:?}");
    let view = &views[0]["view"];
    assert_eq!(view["callback_id"], "hubbub_feedback");
    assert_eq!(view["title"]["text"], "Send feedback");
    let blocks = view["blocks"].as_array().unwrap();
    assert_eq!(
        blocks[1]["element"]["initial_value"],
        "The previews are <b>great</b>"
    );

    // A bad email is shown beside its field; the dialog stays open.
    let refused = submit(&world, "maria", json!({"email": "not an address"})).await;
    assert_eq!(refused["result"], "errors", "{refused}");
    assert!(refused["errors"]["email"]
        .as_str()
        .unwrap()
        .contains("not an email"));
    assert_eq!(open_views(&world, "maria").await.len(), 1);
    assert!(world
        .app
        .store
        .feedback(account.id, 10)
        .await
        .unwrap()
        .is_empty());

    let sent = submit(
        &world,
        "maria",
        json!({"kind": "idea", "name": "Maria M.", "email": "maria@acme.example"}),
    )
    .await;
    assert_eq!(sent["result"], "closed", "{sent}");
    jobs_settled(&world).await;
    let told = shown_to(&world, "maria").await;
    assert!(
        told.iter()
            .any(|t| t.contains("your feedback (Idea) was sent")),
        "{told:?}"
    );
    assert!(shown_to(&world, "mark").await.is_empty());

    // A second one, kind left at Thoughts and details as prefilled.
    hs(
        &world,
        "mark",
        "general",
        "-feedback Could it do reminders?",
    )
    .await;
    assert_eq!(submit(&world, "mark", json!({})).await["result"], "closed");

    let page = admin.get("/settings/feedback").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let newest = page.html.find("Could it do reminders?").expect("listed");
    let older = page
        .html
        .find("The previews are &#60;b&#62;great")
        .unwrap_or_else(|| panic!("listed, escaped: {}", page.html));
    assert!(!page.html.contains("<b>great"));
    assert!(newest < older, "newest first");
    for shown in [
        "Idea",
        "Thoughts",
        "Maria M.",
        "maria@acme.example",
        "@maria",
    ] {
        assert!(page.html.contains(shown), "{shown}: {}", page.html);
    }
    let (maria_id, _) = slack_user(&world, "maria");
    let kept = world.app.store.feedback(account.id, 10).await.unwrap();
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[1].slack_user_id, maria_id);

    // Only super admins read it.
    let mut maria = signed_in(&world, "maria@acme.example").await;
    let refused = maria.get("/settings/feedback").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.html.contains("reminders"));
}

#[tokio::test]
async fn feedback_from_a_workspace_connected_to_no_account_is_told_so() {
    let mut seed = Seed::demo();
    seed.teams.push(globex());
    let world = world(seed).await;
    subscribe_app(&world).await;
    on_slack(&world, "/control/install", json!({"team": "globex"})).await;
    on_slack(
        &world,
        "/control/channels",
        json!({"team": "globex", "name": "lobby", "members": ["gina"]}),
    )
    .await;
    let typed = json!({"team": "globex", "user": "gina", "channel": "lobby", "command": "/hs", "text": "-feedback hello"});
    let (status, body) = sandbox_control(&world, "/control/commands", typed).await;
    assert!(status.is_success(), "{body}");
    let shown = body["shown"].to_string();
    assert!(
        shown.contains("not connected to a Hubbub account"),
        "{body}"
    );
    assert!(body["shown"]["text"].is_string(), "{body}");
}
