//! Link previews: a mapped person pastes a link to a hub record in a
//! channel of the sandbox's Slack where the app is, and the channel shows
//! what the account's level says (Off: nothing; Button only: a button;
//! Name and type: "Deal: Big deal"; Full details: the record's card, as
//! the sharer may see it). Nothing is shown for the unmapped, for a record
//! the sharer may not see, or for another hub's links. The button-only
//! button opens the record for the presser alone; a full-details card's
//! buttons act as the presser, once, and the preview is drawn again. The
//! level is set in Settings, by super admins only.

use hubbub_app::slack::messages::record_actions as ids;
use hubbub_hub::link_preview::PreviewLevel;
use hubbub_store::User;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::notifications::create;
use crate::slack_actions::property;
use crate::slack_commands::{open_views, shown_to, submit};
use crate::slack_mapping::{add_user, scene, signed_in, Scene};
use crate::slack_search::timeline;
use crate::slack_support::{
    channel_messages, eventually, invite_app, on_slack, sandbox_control, sandbox_read,
    signed_interaction, slack_user, World,
};
use crate::web_client::WebClient;

const SETTINGS: &str = "/settings/marketplace/slack/previews";

/// The mapping scene (Maria mapped, Mark not) with Adam mapped too, the
/// hub's host as the app's unfurl domain (as the manifest declares it),
/// the app invited to #general, and a deal, Big deal, in its first stage.
struct Previews {
    scene: Scene,
    adam: User,
    deal: i64,
}

async fn previews() -> Previews {
    let scene = scene().await;
    let Scene { world, account, .. } = &scene;
    let adam = add_user(world, account, "adam@acme.example", "Adam").await;
    let host = world.app.base_url.split("://").nth(1).unwrap();
    let host = host.split(':').next().unwrap();
    let app_id = world.sandbox.state().apps[0].app_id.clone();
    let domains = json!({"unfurl_domains": [host]});
    on_slack(world, &format!("/control/apps/{app_id}/urls"), domains).await;
    invite_app(world, "general").await;
    let deal = create(
        world,
        account,
        "deals",
        json!({"dealname": "Big deal", "dealstage": "appointmentscheduled", "amount": "1200"}),
    )
    .await;
    world.app.settle().await;
    Previews { scene, adam, deal }
}

/// Chooses the level on the settings page, as the account's super admin.
async fn choose(scene: &Scene, level: PreviewLevel) {
    let mut admin = signed_in(&scene.world, &scene.account.admin_email).await;
    let saved = admin
        .submit(SETTINGS, SETTINGS, &[("level", level.as_str())])
        .await;
    saved.assert_ok();
    assert!(
        saved.contains("Settings saved: link previews are now"),
        "{}",
        saved.html
    );
}

/// `handle` posts `text` in #general; once the hub has taken the
/// `link_shared` event and run what it caused, the message as the channel
/// shows it.
async fn paste(world: &World, handle: &str, text: &str) -> Value {
    let said = json!({"user": handle, "channel": "general", "text": text});
    let (status, posted) = sandbox_control(world, "/control/messages", said).await;
    assert!(status.is_success(), "{posted}");
    let ts = posted["ts"].as_str().unwrap().to_owned();
    let url = format!("{}/slack/events", world.app.base_url);
    eventually("the link_shared event taken", || async {
        let body = sandbox_read(
            world,
            "/control/deliveries",
            &[("kind", "event"), ("url", &url)],
        )
        .await;
        body["deliveries"].as_array().unwrap().iter().any(|d| {
            d["status"] == 200
                && serde_json::from_str::<Value>(d["body"].as_str().unwrap_or_default()).is_ok_and(
                    |e| e["event"]["type"] == "link_shared" && e["event"]["message_ts"] == ts,
                )
        })
    })
    .await;
    world.app.settle().await;
    message_at(world, &ts).await
}

/// The #general message `ts`, as it now stands.
async fn message_at(world: &World, ts: &str) -> Value {
    channel_messages(world, "general")
        .await
        .into_iter()
        .find(|m| m["ts"] == ts)
        .unwrap_or_else(|| panic!("no message {ts}"))
}

/// The app's previews attached to a message.
fn previews_of(message: &Value) -> Vec<Value> {
    message["attachments"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn deal_url(world: &World, deal: i64) -> String {
    format!("{}/deals/{deal}", world.app.base_url)
}

/// The one preview of `message`, of `url`.
fn only_preview(message: &Value, url: &str) -> Value {
    let all = previews_of(message);
    assert_eq!(all.len(), 1, "{message}");
    assert_eq!(all[0]["app_unfurl_url"], url, "{message}");
    assert_eq!(all[0]["is_app_unfurl"], true);
    all[0].clone()
}

/// Presses `action_id` in the preview of `message` as `handle`; the
/// sandbox's answer (with the press's `response_url`).
async fn press(
    world: &World,
    handle: &str,
    message: &Value,
    action_id: &str,
    pick: Option<&str>,
) -> Value {
    let mut click = json!({
        "user": handle, "channel": "general", "ts": message["ts"], "action_id": action_id,
    });
    if let Some(value) = pick {
        click["value"] = json!(value);
    }
    crate::slack_support::click(world, click).await
}

#[tokio::test]
async fn each_level_shows_what_it_says_for_a_pasted_record_link() {
    let Previews { scene, deal, .. } = previews().await;
    let world = &scene.world;
    let url = deal_url(world, deal);

    // Name and type, the default: "Deal: Big deal" and a link to it.
    let message = paste(world, "maria", &format!("Look at <{url}>")).await;
    let shown = only_preview(&message, &url)["blocks"].to_string();
    assert!(shown.contains("Deal: *Big deal*"), "{shown}");
    assert!(shown.contains("Open in hub"), "{shown}");
    assert!(shown.contains(&url), "{shown}");
    assert!(
        !shown.contains("1,200") && !shown.contains("Assign"),
        "{shown}"
    );

    choose(&scene, PreviewLevel::Off).await;
    let message = paste(world, "maria", &url).await;
    assert!(previews_of(&message).is_empty(), "{message}");

    // Button only: a button, and nothing of the deal.
    choose(&scene, PreviewLevel::ButtonOnly).await;
    let message = paste(world, "maria", &url).await;
    let shown = only_preview(&message, &url)["blocks"].to_string();
    assert!(shown.contains("Preview the deal"), "{shown}");
    assert!(!shown.contains("Big deal"), "{shown}");
    assert!(
        !shown.contains("1200") && !shown.contains("1,200"),
        "{shown}"
    );

    // Full details: the deal's card, with its buttons, as Maria sees it.
    choose(&scene, PreviewLevel::FullDetails).await;
    let message = paste(world, "maria", &format!("<{url}|the deal>")).await;
    let shown = only_preview(&message, &url)["blocks"].to_string();
    assert!(shown.contains("Big deal"), "{shown}");
    assert!(shown.contains("Amount"), "{shown}");
    assert!(shown.contains("Appointment Scheduled"), "{shown}");
    for button in [ids::ASSIGN_TO_ME, ids::MOVE_STAGE, ids::ADD_NOTE, ids::OPEN] {
        assert!(shown.contains(button), "{button}: {shown}");
    }
    // The message itself is Maria's, as she wrote it.
    assert_eq!(message["text"], format!("<{url}|the deal>"));
}

#[tokio::test]
async fn nothing_is_shown_for_the_unmapped_a_record_out_of_sight_or_another_hubs_link() {
    let Previews { scene, deal, .. } = previews().await;
    let Scene { world, account, .. } = &scene;
    let url = deal_url(world, deal);
    choose(&scene, PreviewLevel::FullDetails).await;

    // Mark's Slack account is mapped to no hub user: nothing, told nothing.
    let message = paste(world, "mark", &url).await;
    assert!(previews_of(&message).is_empty(), "{message}");
    assert!(shown_to(world, "mark").await.is_empty());

    // Beside the deal: another account's record on this hub, an archived
    // record, another hub's link and a page that is no record. Only the
    // deal is previewed.
    let other = world.app.account("Elsewhere").await;
    let theirs = create(world, &other, "deals", json!({"dealname": "Secret deal"})).await;
    let gone = create(world, account, "deals", json!({"dealname": "Gone deal"})).await;
    let (status, _) = world
        .app
        .delete(&account.token, &format!("/crm/v3/objects/deals/{gone}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let another_hub = format!("http://127.0.0.1:1/deals/{deal}");
    let text = format!(
        "{url} {} {} {another_hub} {}/settings/marketplace",
        deal_url(world, theirs),
        deal_url(world, gone),
        world.app.base_url
    );
    let message = paste(world, "maria", &text).await;
    let shown = only_preview(&message, &url)["blocks"].to_string();
    assert!(shown.contains("Big deal"), "{shown}");
    assert!(
        !shown.contains("Secret") && !shown.contains("Gone"),
        "{shown}"
    );
}

#[tokio::test]
async fn the_button_only_preview_opens_the_record_for_the_presser_alone() {
    let Previews { scene, deal, .. } = previews().await;
    let Scene { world, account, .. } = &scene;
    let url = deal_url(world, deal);
    choose(&scene, PreviewLevel::ButtonOnly).await;
    let message = paste(world, "maria", &url).await;
    only_preview(&message, &url);

    // Adam presses it: a dialog only he sees shows the deal's card.
    press(world, "adam", &message, "preview.open", None).await;
    let views = open_views(world, "adam").await;
    assert_eq!(views.len(), 1, "{views:?}");
    let view = views[0]["view"].to_string();
    assert!(view.contains("Big deal"), "{view}");
    assert!(view.contains("Amount"), "{view}");
    assert!(view.contains("Open in hub"), "{view}");
    assert!(open_views(world, "maria").await.is_empty());
    assert!(
        previews_of(&message_at(world, message["ts"].as_str().unwrap()).await)[0]["blocks"]
            .to_string()
            .contains("Preview the deal")
    );

    // Mark is mapped to nobody: he is told so, only him, and sees nothing.
    press(world, "mark", &message, "preview.open", None).await;
    assert!(open_views(world, "mark").await.is_empty());
    let told = shown_to(world, "mark").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains("not mapped to a Hubbub user"), "{told:?}");

    // Once the deal is gone, a press says so and opens nothing.
    let (status, _) = world
        .app
        .delete(&account.token, &format!("/crm/v3/objects/deals/{deal}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    press(world, "maria", &message, "preview.open", None).await;
    assert!(open_views(world, "maria").await.is_empty());
    let told = shown_to(world, "maria").await;
    assert!(
        told.last()
            .unwrap()
            .contains(&format!("There is no deal {deal} here")),
        "{told:?}"
    );
}

#[tokio::test]
async fn a_full_details_card_button_acts_once_as_the_presser_and_redraws_the_preview() {
    let Previews { scene, adam, deal } = previews().await;
    let Scene {
        world,
        account,
        admin,
        ..
    } = &scene;
    let token = &account.token;
    let url = deal_url(world, deal);
    choose(&scene, PreviewLevel::FullDetails).await;
    let message = paste(world, "maria", &url).await;
    let ts = message["ts"].as_str().unwrap().to_owned();

    // Adam moves the deal from Maria's preview: it moves, the preview is
    // drawn again with what he did, and the timeline says so.
    press(
        world,
        "adam",
        &message,
        ids::MOVE_STAGE,
        Some(&format!("deal:{deal}:closedwon")),
    )
    .await;
    assert_eq!(
        property(world, token, "deals", deal, "dealstage").await,
        "closedwon"
    );
    let redrawn = message_at(world, &ts).await;
    let shown = only_preview(&redrawn, &url)["blocks"].to_string();
    assert!(
        shown.contains("Adam Member moved the deal to Closed Won"),
        "{shown}"
    );
    assert!(shown.contains("Big deal"), "{shown}");

    // He assigns it to himself; a replay of the same press changes
    // nothing more and only says how it stands.
    let answer = press(world, "adam", &redrawn, ids::ASSIGN_TO_ME, None).await;
    assert_eq!(
        property(world, token, "deals", deal, "hubspot_owner_id").await,
        adam.id.to_string()
    );
    let (adam_slack, team_id) = slack_user(world, "adam");
    let block_id = format!("card.preview:deal:{deal}:{}", slack_user(world, "maria").0);
    let replayed = json!({
        "type": "block_actions",
        "team": {"id": team_id},
        "user": {"id": adam_slack, "team_id": team_id},
        "container": {
            "type": "message_attachment", "message_ts": ts, "attachment_id": 1,
            "channel_id": redrawn["channel"], "is_ephemeral": false,
            "is_app_unfurl": true, "app_unfurl_url": url,
        },
        "response_url": answer["response_url"],
        "actions": [{"action_id": ids::ASSIGN_TO_ME, "block_id": block_id, "type": "button", "value": format!("deal:{deal}")}],
    });
    assert_eq!(signed_interaction(world, &replayed).await, StatusCode::OK);
    world.app.settle().await;
    let page = timeline(world, "adam@acme.example", &format!("/deals/{deal}")).await;
    assert_eq!(
        page.matches("Adam Member assigned the deal to themselves via Slack")
            .count(),
        1,
        "{page}"
    );
    assert_eq!(
        page.matches("Adam Member moved the deal to Closed Won via Slack")
            .count(),
        1,
        "{page}"
    );
    let shown = only_preview(&message_at(world, &ts).await, &url)["blocks"].to_string();
    assert!(
        shown.contains("Adam Member is the owner of the deal"),
        "{shown}"
    );

    // "Add note" opens the dialog; the note is added as Adam and the
    // preview says so.
    press(world, "adam", &redrawn, ids::ADD_NOTE, None).await;
    let added = submit(world, "adam", json!({"note": "Called them today"})).await;
    assert_eq!(added["result"], "closed", "{added}");
    world.app.settle().await;
    let shown = only_preview(&message_at(world, &ts).await, &url)["blocks"].to_string();
    assert!(shown.contains("Adam Member added a note"), "{shown}");

    // Mark, mapped to nobody, and Adam once view-only are told why, only
    // them, and nothing changes.
    press(world, "mark", &redrawn, ids::ASSIGN_TO_ME, None).await;
    let told = shown_to(world, "mark").await;
    assert!(told[0].contains("not mapped to a Hubbub user"), "{told:?}");
    admin
        .post(
            &format!("/settings/users/{}/roles", adam.id),
            &[("role", "view_only"), ("grant", "1")],
        )
        .await
        .assert_ok();
    let pick = format!("deal:{deal}:appointmentscheduled");
    press(world, "adam", &redrawn, ids::MOVE_STAGE, Some(&pick)).await;
    let told = shown_to(world, "adam").await;
    assert!(
        told.last().unwrap().contains("You have a view-only seat"),
        "{told:?}"
    );
    assert_eq!(
        property(world, token, "deals", deal, "dealstage").await,
        "closedwon"
    );
    let page = timeline(world, "adam@acme.example", &format!("/deals/{deal}")).await;
    assert!(page.contains("Called them today"), "{page}");
    assert_eq!(page.matches("via Slack").count(), 3, "{page}");
}

#[tokio::test]
async fn the_settings_page_is_for_super_admins_and_says_the_default() {
    let Previews { scene, .. } = previews().await;
    let Scene { world, account, .. } = &scene;
    let mut admin = signed_in(world, &account.admin_email).await;

    let marketplace = admin.get("/settings/marketplace").await;
    assert!(
        marketplace.contains(&format!(r#"href="{SETTINGS}""#)),
        "{}",
        marketplace.html
    );
    let page = admin.get(SETTINGS).await;
    page.assert_ok();
    for level in PreviewLevel::ALL {
        assert!(page.contains(level.label()), "{}", page.html);
    }
    assert!(
        page.contains("Name and type</strong> (the default)"),
        "{}",
        page.html
    );
    assert!(
        page.contains(r#"value="name_and_type" checked"#),
        "{}",
        page.html
    );

    // A level the page does not offer changes nothing.
    let refused = admin.post(SETTINGS, &[("level", "everything")]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.contains("Nothing was changed"), "{}", refused.html);
    let level = || world.app.store.link_preview_level(account.id);
    assert_eq!(level().await.unwrap(), PreviewLevel::NameAndType);

    let saved = admin.post(SETTINGS, &[("level", "button_only")]).await;
    saved.assert_ok();
    assert!(saved.contains("Settings saved: link previews are now Button only."));
    assert!(
        saved.contains(r#"value="button_only" checked"#),
        "{}",
        saved.html
    );

    // Maria is no super admin: the 403 page, for the form and its post.
    let mut maria: WebClient = signed_in(world, "maria@acme.example").await;
    let page = maria.get(SETTINGS).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.contains("Only super admins choose"), "{}", page.html);
    let forged = maria.post(SETTINGS, &[("level", "full_details")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(!maria
        .get("/settings/marketplace")
        .await
        .contains(&format!(r#"href="{SETTINGS}""#)));
    // A post without the form's CSRF token is refused too.
    let no_csrf = admin.post_raw(SETTINGS, &[("level", "off")]).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    assert_eq!(level().await.unwrap(), PreviewLevel::ButtonOnly);
}
