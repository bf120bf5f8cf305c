//! `/hs search` typed in the sandbox's Slack, and the buttons of the
//! record cards it shows: only the caller sees the answer; each press acts
//! as the caller's hub user, redraws the cards in place and writes "… via
//! Slack" on the record's timeline; a replay changes nothing more; "Add
//! note" opens a dialog whose refusals stay beside the field; the
//! unmapped, an archived record and a search for nothing are answered
//! plainly, changing nothing.

use hubbub_app::slack::messages::record_actions as ids;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::conversations_slack::shown;
use crate::notifications::create;
use crate::slack_actions::property;
use crate::slack_commands::{hs, open_views, shown_to, submit};
use crate::slack_mapping::{scene, signed_in, Scene};
use crate::slack_support::{self, ephemerals, signed_interaction, slack_user, World};

/// The newest message the app showed only to `handle`.
async fn newest_for(world: &World, handle: &str) -> Value {
    ephemerals(world, handle)
        .await
        .pop()
        .unwrap_or_else(|| panic!("nothing shown to {handle}"))
}

/// The block id of the buttons of `record`'s card (`deal:12`) in
/// `message`.
fn card_block(message: &Value, record: &str) -> String {
    message["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| {
            b["type"] == "actions" && b["elements"].to_string().contains(&format!("\"{record}"))
        })
        .and_then(|b| b["block_id"].as_str())
        .unwrap_or_else(|| panic!("no card of {record} in {message}"))
        .to_owned()
}

/// Presses `action_id` on `record`'s card in `message` as `handle` (a
/// select picks `pick`); the sandbox's answer.
pub async fn press(
    world: &World,
    handle: &str,
    message: &Value,
    record: &str,
    action_id: &str,
    pick: Option<&str>,
) -> Value {
    let mut click = json!({
        "user": handle,
        "channel": message["channel"],
        "ts": message["ts"],
        "block_id": card_block(message, record),
        "action_id": action_id,
    });
    if let Some(value) = pick {
        click["value"] = json!(value);
    }
    slack_support::click(world, click).await
}

/// The record page's timeline, as its HTML.
pub async fn timeline(world: &World, email: &str, path: &str) -> String {
    let mut browser = signed_in(world, email).await;
    let page = browser.get(path).await;
    page.assert_ok();
    page.html
}

#[tokio::test]
async fn search_shows_cards_only_to_the_caller_whose_buttons_act_in_place_once() {
    let Scene {
        world,
        account,
        maria,
        ..
    } = scene().await;
    let token = &account.token;
    for n in 0..6 {
        create(
            &world,
            &account,
            "contacts",
            json!({"firstname": format!("Adalbert{n}"), "lastname": "Cards"}),
        )
        .await;
    }
    // The newest, so that it is among the five contacts shown.
    let ada = create(
        &world,
        &account,
        "contacts",
        json!({"firstname": "Ada", "lastname": "Lovelace", "email": "ada@analytical.example"}),
    )
    .await;
    let deal = create(
        &world,
        &account,
        "deals",
        json!({"dealname": "Ada engine", "dealstage": "appointmentscheduled", "amount": "1200"}),
    )
    .await;
    create(
        &world,
        &account,
        "companies",
        json!({"name": "Unrelated Ltd"}),
    )
    .await;
    world.app.settle().await;

    hs(&world, "maria", "general", "search ada").await;
    let found = newest_for(&world, "maria").await;
    let text = shown(&found);
    assert!(
        text.contains("Found for \u{201c}ada\u{201d}: 7 contacts, 1 deal"),
        "{text}"
    );
    assert!(text.contains("the newest 5 of 7"), "{text}");
    assert!(text.contains("More in the hub"), "{text}");
    assert!(text.contains("/contacts?query=ada"), "{text}");
    assert!(text.contains("Ada engine"), "{text}");
    assert!(!text.contains("Unrelated"), "{text}");
    assert!(ephemerals(&world, "mark").await.is_empty());

    // Move the deal from its card: the deal moves, the answer is drawn
    // again in place, and the timeline says so.
    let deal_ref = format!("deal:{deal}");
    let won = format!("{deal_ref}:closedwon");
    press(
        &world,
        "maria",
        &found,
        &deal_ref,
        ids::MOVE_STAGE,
        Some(&won),
    )
    .await;
    assert_eq!(
        property(&world, token, "deals", deal, "dealstage").await,
        "closedwon"
    );
    let redrawn = newest_for(&world, "maria").await;
    let text = shown(&redrawn);
    assert!(
        text.contains("Maria Member moved the deal to Closed Won"),
        "{text}"
    );
    assert_eq!(
        ephemerals(&world, "maria").await.len(),
        1,
        "replaced, not added"
    );
    let page = timeline(&world, &maria.email, &format!("/deals/{deal}")).await;
    assert!(
        page.contains("Maria Member moved the deal to Closed Won via Slack"),
        "{page}"
    );

    // Assign Ada to me; a replay of the same press changes nothing more.
    let contact_ref = format!("contact:{ada}");
    let answer = press(
        &world,
        "maria",
        &redrawn,
        &contact_ref,
        ids::ASSIGN_TO_ME,
        None,
    )
    .await;
    assert_eq!(
        property(&world, token, "contacts", ada, "hubspot_owner_id").await,
        maria.id.to_string()
    );
    let (user_id, team_id) = slack_user(&world, "maria");
    let replayed = json!({
        "type": "block_actions",
        "team": {"id": team_id},
        "user": {"id": user_id, "team_id": team_id},
        "container": {"type": "message", "channel_id": redrawn["channel"], "message_ts": redrawn["ts"], "is_ephemeral": true},
        "response_url": answer["response_url"],
        "actions": [{"action_id": ids::ASSIGN_TO_ME, "block_id": card_block(&redrawn, &contact_ref), "type": "button", "value": contact_ref}],
    });
    assert_eq!(signed_interaction(&world, &replayed).await, StatusCode::OK);
    world.app.settle().await;
    let page = timeline(&world, &maria.email, &format!("/contacts/{ada}")).await;
    assert_eq!(
        page.matches("Maria Member assigned the contact to themselves via Slack")
            .count(),
        1,
        "{page}"
    );
    let again = shown(&newest_for(&world, "maria").await);
    assert!(
        again.contains("Maria Member is the owner of the contact"),
        "{again}"
    );

    // Add a note from the card: an empty one is refused beside the field.
    let now = newest_for(&world, "maria").await;
    press(&world, "maria", &now, &contact_ref, ids::ADD_NOTE, None).await;
    let views = open_views(&world, "maria").await;
    assert_eq!(views.len(), 1, "{views:?}");
    assert_eq!(views[0]["view"]["title"]["text"], "Add note");
    let refused = submit(&world, "maria", json!({"note": "   "})).await;
    assert_eq!(refused["result"], "errors", "{refused}");
    assert!(refused["errors"]["note"]
        .as_str()
        .unwrap()
        .contains("Write the note"));
    let added = submit(&world, "maria", json!({"note": "Called her <b>today</b>"})).await;
    assert_eq!(added["result"], "closed", "{added}");
    world.app.settle().await;
    let page = timeline(&world, &maria.email, &format!("/contacts/{ada}")).await;
    assert!(
        page.contains("Called her &#60;b&#62;today&#60;/b&#62;"),
        "{page}"
    );
    assert!(
        page.contains("Maria Member added a note via Slack"),
        "{page}"
    );
    let after = shown(&newest_for(&world, "maria").await);
    assert!(after.contains("Maria Member added a note"), "{after}");
}

#[tokio::test]
async fn search_answers_the_unmapped_an_empty_search_and_an_archived_record_plainly() {
    let Scene { world, account, .. } = scene().await;
    let token = &account.token;
    let gone = create(
        &world,
        &account,
        "contacts",
        json!({"firstname": "Grace", "lastname": "Hopper"}),
    )
    .await;
    world.app.settle().await;

    // Mark's Slack email matches no hub user: he is told how to map.
    hs(&world, "mark", "general", "search grace").await;
    let told = shown_to(&world, "mark").await;
    assert!(told[0].contains("not mapped to a Hubbub user"), "{told:?}");
    assert!(told[0].contains("click here to map"), "{told:?}");

    hs(&world, "maria", "general", "search").await;
    hs(&world, "maria", "general", "search zebra").await;
    let told = shown_to(&world, "maria").await;
    assert!(told[0].contains("Type what to look for"), "{told:?}");
    assert!(
        told[1].contains("Nothing in the hub matches \u{201c}zebra\u{201d}"),
        "{told:?}"
    );

    hs(&world, "maria", "general", "search grace").await;
    let found = newest_for(&world, "maria").await;
    let (status, _) = world
        .app
        .delete(token, &format!("/crm/v3/objects/contacts/{gone}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let record = format!("contact:{gone}");
    press(&world, "maria", &found, &record, ids::ASSIGN_TO_ME, None).await;
    let told = shown_to(&world, "maria").await;
    let last = told.last().unwrap();
    assert!(
        last.contains(&format!("There is no contact {gone} here")),
        "{last}"
    );
    assert!(last.contains("Nothing was changed"), "{last}");
}
