//! The message shortcuts, used on a message in the sandbox's Slack:
//! "Create task from message" opens the task dialog prefilled with the
//! message, its author and its permalink, and makes the task linked to the
//! record chosen; "Log message to record" adds the message as a note on
//! the record chosen. Both act as the user's hub user, write "… via
//! Slack" on the record's timeline and show its card only to that user;
//! an unmapped user is told how to map, and nothing opens.

use hubbub_app::slack::messages::record_actions as ids;
use serde_json::{json, Value};

use crate::conversations_slack::shown;
use crate::notifications::create;
use crate::slack_commands::{open_views, shown_to, submit};
use crate::slack_mapping::{scene, signed_in, Scene};
use crate::slack_search::press;
use crate::slack_support::{ephemerals, sandbox_control, World};

/// `handle` writes `text` in `channel`; the message's `ts`.
async fn say(world: &World, handle: &str, channel: &str, text: &str) -> String {
    let (status, body) = sandbox_control(
        world,
        "/control/messages",
        json!({"user": handle, "channel": channel, "text": text}),
    )
    .await;
    assert!(status.is_success(), "{body}");
    body["ts"].as_str().unwrap().to_owned()
}

/// `handle` uses the message shortcut `callback_id` on message `ts`.
async fn shortcut(
    world: &World,
    handle: &str,
    callback_id: &str,
    channel: &str,
    ts: &str,
) -> Value {
    let (status, body) = sandbox_control(
        world,
        "/control/shortcut",
        json!({"user": handle, "callback_id": callback_id, "channel": channel, "ts": ts}),
    )
    .await;
    assert!(status.is_success(), "{body}");
    world.app.settle().await;
    body
}

#[tokio::test]
async fn a_task_is_made_from_a_message_with_its_text_author_and_permalink() {
    let Scene {
        world,
        account,
        maria,
        ..
    } = scene().await;
    let contact = create(
        &world,
        &account,
        "contacts",
        json!({"firstname": "Ada", "lastname": "Lovelace"}),
    )
    .await;
    world.app.settle().await;
    let ts = say(
        &world,
        "mark",
        "general",
        "Ada wants the <https://engines.example/quote|quote> by Friday\nShe asked twice.",
    )
    .await;
    shortcut(&world, "maria", "create_task_from_message", "general", &ts).await;

    let views = open_views(&world, "maria").await;
    assert_eq!(views.len(), 1, "{views:?}");
    let blocks = views[0]["view"]["blocks"].as_array().unwrap().clone();
    assert_eq!(views[0]["view"]["title"]["text"], "New task");
    assert_eq!(
        blocks[0]["element"]["initial_value"],
        "Ada wants the quote (https://engines.example/quote) by Friday"
    );
    let body = blocks[1]["element"]["initial_value"].as_str().unwrap();
    assert!(body.contains("She asked twice."), "{body}");
    assert!(body.contains("From Slack, written by mark"), "{body}");
    assert!(body.contains(".slack.com/archives/"), "{body}");
    assert!(
        blocks[2]["element"]["initial_date"].as_str().is_some(),
        "due today unless changed: {blocks:?}"
    );

    let made = submit(
        &world,
        "maria",
        json!({"hs_timestamp": "2026-12-04", "associate": format!("contact:{contact}")}),
    )
    .await;
    assert_eq!(made["result"], "closed", "{made}");
    world.app.settle().await;
    let made = ephemerals(&world, "maria").await.pop().unwrap();
    let card = shown(&made);
    assert!(card.contains("Maria Member created the task"), "{card}");

    // Complete it from its card: the card is drawn again in place.
    let task = made["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|b| {
            b["block_id"]
                .as_str()?
                .strip_prefix("card.record:")
                .map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("{made}"));
    press(&world, "maria", &made, &task, ids::COMPLETE_TASK, None).await;
    let shown_now = ephemerals(&world, "maria").await;
    let card = shown(shown_now.last().unwrap());
    assert!(card.contains("Maria Member completed the task"), "{card}");
    assert!(!card.contains(ids::COMPLETE_TASK), "{card}");
    assert_eq!(shown_now.len(), 1, "drawn again in place");

    let mut browser = signed_in(&world, &maria.email).await;
    let page = browser.get(&format!("/contacts/{contact}")).await;
    assert!(
        page.html.contains("Ada wants the quote"),
        "the task is linked to the contact: {}",
        page.html
    );
}

#[tokio::test]
async fn a_message_is_logged_as_a_note_on_the_record_chosen() {
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
    let ts = say(
        &world,
        "mark",
        "general",
        "They signed &amp; paid: <https://acme.example/c|the contract>",
    )
    .await;

    // Mark is mapped to nobody: he is told how, and nothing opens.
    shortcut(&world, "mark", "log_message_to_record", "general", &ts).await;
    assert!(open_views(&world, "mark").await.is_empty());
    let told = shown_to(&world, "mark").await;
    assert!(told[0].contains("click here to map"), "{told:?}");

    shortcut(&world, "maria", "log_message_to_record", "general", &ts).await;
    let views = open_views(&world, "maria").await;
    assert_eq!(views[0]["view"]["title"]["text"], "Log message");
    // A record that is gone by the time of Submit is refused beside it.
    let refused = submit(&world, "maria", json!({"associate": "deal:999999"})).await;
    assert_eq!(refused["result"], "errors", "{refused}");
    assert!(refused["errors"]["associate"].is_string(), "{refused}");

    let logged = submit(
        &world,
        "maria",
        json!({"associate": format!("deal:{deal}")}),
    )
    .await;
    assert_eq!(logged["result"], "closed", "{logged}");
    world.app.settle().await;
    let card = shown(&ephemerals(&world, "maria").await.pop().unwrap());
    assert!(
        card.contains("Maria Member logged a Slack message"),
        "{card}"
    );
    assert!(card.contains("Engine order"), "{card}");

    let mut browser = signed_in(&world, &maria.email).await;
    let page = browser.get(&format!("/deals/{deal}")).await;
    let html = &page.html;
    assert!(
        html.contains("They signed &#38; paid: the contract (https://acme.example/c)"),
        "{html}"
    );
    assert!(html.contains("From Slack, written by mark"), "{html}");
    assert!(
        html.contains("Maria Member logged a Slack message via Slack"),
        "{html}"
    );
}
