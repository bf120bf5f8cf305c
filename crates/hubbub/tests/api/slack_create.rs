//! `/hs create TYPE` typed in the sandbox's Slack: the type's dialog opens
//! at once with its fields (pipeline and stage, owner, a record to link
//! found as one types); a refused value stays beside its field with the
//! dialog open and nothing created; a submission creates the record as the
//! caller's hub user, linked, with "… via Slack" on its timeline, and shows
//! its card only to the caller. Unknown types, the unmapped and a
//! view-only user are answered plainly, and nothing opens.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::conversations_slack::shown;
use crate::notifications::create;
use crate::slack_commands::{hs, open_views, shown_to, submit};
use crate::slack_mapping::{add_user, scene, signed_in, Scene};
use crate::slack_support::{ephemerals, sandbox_control, World};

/// What an external select in `handle`'s open modal suggests for `typed`.
async fn suggestions(world: &World, handle: &str, action_id: &str, typed: &str) -> Value {
    let (status, body) = sandbox_control(
        world,
        "/control/options",
        json!({"user": handle, "in_view": true, "action_id": action_id, "value": typed}),
    )
    .await;
    assert!(status.is_success(), "{body}");
    body["option_groups"].clone()
}

/// The ids of the records of type `t` named `name`, through the API.
async fn named(world: &World, token: &str, t: &str, property: &str, name: &str) -> Vec<String> {
    let search = json!({"filterGroups": [{"filters": [{"propertyName": property, "operator": "EQ", "value": name}]}]});
    let (status, body) = world
        .app
        .post(token, &format!("/crm/v3/objects/{t}/search"), search)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_deal_is_created_from_its_dialog_linked_to_a_company_found_as_one_types() {
    let Scene {
        world,
        account,
        maria,
        ..
    } = scene().await;
    let token = &account.token;
    let company = create(
        &world,
        &account,
        "companies",
        json!({"name": "Analytical Engines", "domain": "engines.example"}),
    )
    .await;
    world.app.settle().await;

    hs(&world, "maria", "general", "create deal").await;
    let views = open_views(&world, "maria").await;
    assert_eq!(views.len(), 1, "{views:?}");
    let view = &views[0]["view"];
    assert_eq!(view["title"]["text"], "New deal");
    let blocks = view["blocks"].as_array().unwrap();
    let ids: Vec<_> = blocks.iter().map(|b| b["block_id"].clone()).collect();
    assert_eq!(
        ids,
        [
            "dealname",
            "amount",
            "stage",
            "closedate",
            "hubspot_owner_id",
            "associate"
        ]
    );
    assert!(blocks[0].get("optional").is_none(), "the name is required");
    assert_eq!(
        blocks[4]["element"]["initial_option"]["value"],
        maria.id.to_string(),
        "the owner is the creator unless changed"
    );
    let pipelines = blocks[2]["element"]["option_groups"].to_string();
    assert!(pipelines.contains("Closed Won"), "{pipelines}");

    let found = suggestions(&world, "maria", "associate", "analy").await;
    assert_eq!(
        found.as_array().unwrap().len(),
        1,
        "only types with matches: {found}"
    );
    let companies = found
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["label"]["text"] == "Companies")
        .unwrap_or_else(|| panic!("{found}"));
    assert_eq!(
        companies["options"][0]["text"]["text"],
        "Analytical Engines"
    );
    let linked = format!("company:{company}");
    assert_eq!(companies["options"][0]["value"], linked.as_str());

    // An amount that is not a number is refused beside it; nothing is made.
    let won = serde_json::to_string(&("default", "closedwon")).unwrap();
    let form = json!({
        "dealname": "Engine No. 2",
        "amount": "lots",
        "stage": won,
        "closedate": "2026-12-24",
        "associate": linked,
    });
    let refused = submit(&world, "maria", form.clone()).await;
    assert_eq!(refused["result"], "errors", "{refused}");
    assert!(refused["errors"]["amount"].is_string(), "{refused}");
    assert!(named(&world, token, "deals", "dealname", "Engine No. 2")
        .await
        .is_empty());

    let mut form = form;
    form["amount"] = json!("5000");
    let made = submit(&world, "maria", form).await;
    assert_eq!(made["result"], "closed", "{made}");
    world.app.settle().await;

    let ids = named(&world, token, "deals", "dealname", "Engine No. 2").await;
    assert_eq!(ids.len(), 1);
    let deal = &ids[0];
    let (status, body) = world
        .app
        .get(
            token,
            &format!("/crm/v3/objects/deals/{deal}?properties=amount,dealstage,closedate,hubspot_owner_id&associations=companies"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["properties"]["amount"], "5000");
    assert_eq!(body["properties"]["dealstage"], "closedwon");
    assert!(body["properties"]["closedate"]
        .as_str()
        .unwrap()
        .starts_with("2026-12-24"));
    assert_eq!(body["properties"]["hubspot_owner_id"], maria.id.to_string());
    assert_eq!(
        body["associations"]["companies"]["results"][0]["id"],
        company.to_string(),
        "{body}"
    );

    let card = shown(&ephemerals(&world, "maria").await.pop().unwrap());
    assert!(card.contains("Maria Member created the deal"), "{card}");
    assert!(card.contains("Engine No. 2"), "{card}");
    assert!(card.contains("notification.move_stage"), "{card}");
    assert!(ephemerals(&world, "mark").await.is_empty());
    let mut browser = signed_in(&world, &maria.email).await;
    let page = browser.get(&format!("/deals/{deal}")).await;
    assert!(
        page.html
            .contains("Maria Member created the deal via Slack"),
        "{}",
        page.html
    );
}

#[tokio::test]
async fn create_answers_unknown_types_the_unmapped_and_a_view_only_user_and_opens_nothing() {
    let Scene {
        world,
        account,
        admin,
        ..
    } = scene().await;
    hs(&world, "maria", "general", "create").await;
    hs(&world, "maria", "general", "create spaceship").await;
    let told = shown_to(&world, "maria").await;
    assert!(told[0].contains("Create what?"), "{told:?}");
    assert!(
        told[1].contains("cannot create \u{201c}spaceship\u{201d}"),
        "{told:?}"
    );
    assert!(told[1].contains("/hs create ticket"), "{told:?}");

    // Slack's trigger ran out before the dialog could open.
    let fault = json!({"method": "views.open", "error": "expired_trigger_id", "times": 1});
    let (status, body) = sandbox_control(&world, "/control/faults", fault).await;
    assert!(status.is_success(), "{body}");
    hs(&world, "maria", "general", "create deal").await;
    let told = shown_to(&world, "maria").await;
    assert!(
        told[2].contains("The dialog could not open in time. Type the command again."),
        "{told:?}"
    );

    hs(&world, "mark", "general", "create task").await;
    let told = shown_to(&world, "mark").await;
    assert!(told[0].contains("not mapped to a Hubbub user"), "{told:?}");

    let adam = add_user(&world, &account, "adam@acme.example", "Adam").await;
    world.app.settle().await;
    admin
        .post(
            &format!("/settings/users/{}/roles", adam.id),
            &[("role", "view_only"), ("grant", "1")],
        )
        .await
        .assert_ok();
    hs(&world, "adam", "general", "create task").await;
    let told = shown_to(&world, "adam").await;
    assert!(told[0].contains("view-only"), "{told:?}");
    assert!(told[0].contains("Nothing was created"), "{told:?}");
    for handle in ["maria", "mark", "adam"] {
        assert!(open_views(&world, handle).await.is_empty(), "{handle}");
    }
}

#[tokio::test]
async fn a_contact_from_its_dialog_needs_an_email_or_a_name_as_on_the_web() {
    let Scene { world, account, .. } = scene().await;
    hs(&world, "maria", "general", "create contact").await;
    let views = open_views(&world, "maria").await;
    let blocks = views[0]["view"]["blocks"].as_array().unwrap().clone();
    assert_eq!(blocks[0]["block_id"], "firstname");
    assert_eq!(
        blocks[0]["optional"], true,
        "a last name or an email will do"
    );

    let refused = submit(&world, "maria", json!({"phone": "555 0100"})).await;
    assert_eq!(refused["result"], "errors", "{refused}");
    assert_eq!(
        refused["errors"]["email"], "A contact needs an email, a first name or a last name.",
        "{refused}"
    );
    assert_eq!(world.app.count(&account.token, "contacts").await, 0);

    let made = submit(&world, "maria", json!({"lastname": "Lovelace"})).await;
    assert_eq!(made["result"], "closed", "{made}");
    world.app.settle().await;
    let ids = named(&world, &account.token, "contacts", "lastname", "Lovelace").await;
    assert_eq!(ids.len(), 1);
}
