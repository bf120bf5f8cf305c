//! Custom notification rules ("send Slack notification"), end to end: a
//! super admin defines them in Settings > Notification rules; records
//! changed through the API fire them; the messages are read back from the
//! Slack sandbox, in a channel and in the record owner's direct message;
//! the page shows each rule's last deliveries and failures.

use hubbub_sandbox::Seed;
use hubbub_store::User;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::TestAccount;
use crate::slack_mapping::add_user;
use crate::slack_support::{
    admin, channel_id, channel_messages, connect, invite_app, jobs_settled, world, World,
};
use crate::ui_settings::regular_user;
use crate::web_client::{Page, WebClient};

const RULES: &str = "/settings/rules";

/// "A deal enters the stage Closed Won", as the form sends it.
const WON: [(&str, &str); 2] = [
    ("trigger_kind", "deal_stage"),
    ("trigger_stage", "closedwon"),
];

/// A name a hostile hub user might give a record.
const HOSTILE: &str = "<!channel> Big renewal";

/// The rule form's fields: a name, a trigger and its value, the message,
/// where it goes; no filters unless given.
pub(crate) fn rule_fields<'a>(
    name: &'a str,
    trigger: &[(&'a str, &'a str)],
    template: &'a str,
    target: &[(&'a str, &'a str)],
    filters: &[(&'a str, &'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut out = vec![("name", name), ("template", template)];
    out.extend_from_slice(trigger);
    out.extend_from_slice(target);
    for (property, operator, value) in filters {
        out.push(("filter_property", property));
        out.push(("filter_operator", operator));
        out.push(("filter_value", value));
        out.push(("filter_high", ""));
    }
    out
}

pub(crate) async fn add_rule(client: &mut WebClient, fields: &[(&str, &str)]) -> Page {
    client.submit(RULES, RULES, fields).await
}

/// The rule's card on the page, from its opening tag to the next rule's.
fn rule_card<'a>(page: &'a Page, name: &str) -> &'a str {
    let marker = format!(r#"data-rule-name="{name}""#);
    let at = page
        .html
        .find(&marker)
        .unwrap_or_else(|| panic!("no rule {name}: {}", page.html));
    let at = page.html[..at].rfind("<article").unwrap();
    let end = at + page.html[at..].find("</article>").unwrap();
    &page.html[at..end]
}

fn rule_id(page: &Page, name: &str) -> i64 {
    let card = rule_card(page, name);
    let at = card.find(r#"data-rule-id=""#).unwrap() + r#"data-rule-id=""#.len();
    card[at..at + card[at..].find('"').unwrap()]
        .parse()
        .unwrap()
}

fn texts_of(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| {
            m["blocks"][0]["text"]["text"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

struct Scene {
    world: World,
    account: TestAccount,
    admin: WebClient,
    maria: User,
}

/// An account with Maria (whose hub email is her Slack email), connected
/// to the sandbox's Acme workspace.
async fn scene() -> Scene {
    let world = world(Seed::demo()).await;
    let account = world.app.account("Rules").await;
    let maria = add_user(&world, &account, "maria@acme.example", "Maria").await;
    let mut admin = admin(&world, &account).await;
    connect(&world, &mut admin, "olivia").await.assert_ok();
    Scene {
        world,
        account,
        admin,
        maria,
    }
}

async fn deal(scene: &Scene, name: &str, stage: &str) -> String {
    scene
        .world
        .app
        .create_id(
            &scene.account.token,
            "deals",
            json!({"dealname": name, "amount": "5000", "dealstage": stage}),
        )
        .await
}

async fn move_deal(scene: &Scene, id: &str, stage: &str) {
    let (status, body) = scene
        .world
        .app
        .patch(
            &scene.account.token,
            &format!("/crm/v3/objects/deals/{id}"),
            json!({"properties": {"dealstage": stage}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    jobs_settled(&scene.world).await;
}

#[tokio::test]
async fn a_deal_entering_a_stage_fires_a_rule_to_a_channel_the_app_is_in() {
    let mut s = scene().await;
    let page = s.admin.get(RULES).await;
    page.assert_ok();
    assert!(page.contains(r#"data-testid="nav-rules""#));
    assert!(page.contains(r#"data-testid="no-rules""#));
    let sales = channel_id(&s.world, "sales");
    let fields = rule_fields(
        "Won deals",
        &WON,
        "*Won:* {{ dealname }} for {{ amount }} ({{ owner }}){{ nosuch }}",
        &[("target", "channel"), ("channel", &sales)],
        &[("amount", "GTE", "1000")],
    );

    // The app is not in #sales yet: refused, saying what to do.
    let page = add_rule(&mut s.admin, &fields).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.html);
    assert!(
        page.contains(r#"data-testid="error-channel""#),
        "{}",
        page.html
    );
    assert!(
        page.contains("Invite @Hubbub to #sales first"),
        "{}",
        page.html
    );
    assert!(page.contains(r#"value="Won deals""#), "the form is kept");

    invite_app(&s.world, "sales").await;
    let page = add_rule(&mut s.admin, &fields).await;
    page.assert_ok();
    assert_eq!(page.location(), RULES);
    let card = rule_card(&page, "Won deals");
    assert!(
        card.contains("When a deal enters the stage Closed Won"),
        "{card}"
    );
    assert!(card.contains("amount GTE 1000"), "{card}");
    assert!(card.contains("#sales"), "{card}");
    assert!(card.contains(r#"data-testid="no-deliveries""#), "{card}");
    let id = rule_id(&page, "Won deals");

    // A deal created elsewhere fires nothing; entering Closed Won does.
    let big = deal(&s, HOSTILE, "qualifiedtobuy").await;
    jobs_settled(&s.world).await;
    assert!(channel_messages(&s.world, "sales").await.is_empty());
    move_deal(&s, &big, "closedwon").await;
    let messages = channel_messages(&s.world, "sales").await;
    let texts = texts_of(&messages);
    assert_eq!(
        texts,
        ["*Won:* &lt;!channel&gt; Big renewal for 5,000 ()"],
        "{messages:?}"
    );
    let all = serde_json::to_string(&messages).unwrap();
    assert!(!all.contains("<!channel>"), "a live @channel: {all}");
    assert!(
        all.contains(&format!("{}/deals/{big}", s.world.app.base_url)),
        "links to the deal: {all}"
    );
    // Staying in the stage does not fire again; a small deal is filtered out.
    move_deal(&s, &big, "closedwon").await;
    let small = s
        .world
        .app
        .create_id(
            &s.account.token,
            "deals",
            json!({"dealname": "Small", "amount": "10", "dealstage": "closedwon"}),
        )
        .await;
    jobs_settled(&s.world).await;
    assert_eq!(
        channel_messages(&s.world, "sales").await.len(),
        1,
        "{small}"
    );
    // A deal created straight into the stage enters it too, owner or not.
    deal(&s, "Straight in", "closedwon").await;
    jobs_settled(&s.world).await;
    assert_eq!(channel_messages(&s.world, "sales").await.len(), 2);

    let page = s.admin.get(RULES).await;
    let card = rule_card(&page, "Won deals");
    assert!(card.contains("Posted to #sales"), "{card}");
    assert_eq!(card.matches(r#"data-testid="delivery""#).count(), 2);

    // Paused, it fires no more; resumed, it does again.
    let page = s
        .admin
        .submit(RULES, &format!("{RULES}/{id}/pause"), &[])
        .await;
    page.assert_ok();
    assert!(card_status(&page, "Won deals") == "Paused");
    let other = deal(&s, "Other", "qualifiedtobuy").await;
    move_deal(&s, &other, "closedwon").await;
    assert_eq!(channel_messages(&s.world, "sales").await.len(), 2);
    let page = s
        .admin
        .submit(RULES, &format!("{RULES}/{id}/resume"), &[])
        .await;
    assert!(card_status(&page, "Won deals") == "Active");
    let third = deal(&s, "Third", "qualifiedtobuy").await;
    move_deal(&s, &third, "closedwon").await;
    assert_eq!(channel_messages(&s.world, "sales").await.len(), 3);

    // Edited: another message, same rule.
    let edited = rule_fields(
        "Won deals",
        &WON,
        "Closed: {{ dealname }}",
        &[("target", "channel"), ("channel", &sales)],
        &[],
    );
    let page = s
        .admin
        .submit(
            &format!("{RULES}?edit={id}"),
            &format!("{RULES}/{id}"),
            &edited,
        )
        .await;
    page.assert_ok();
    assert!(rule_card(&page, "Won deals").contains("Closed: {{ dealname }}"));

    // Deleted: gone from the page and the store, and it fires no more.
    let page = s
        .admin
        .submit(RULES, &format!("{RULES}/{id}/delete"), &[])
        .await;
    page.assert_ok();
    assert!(!page.contains(r#"data-rule-name="Won deals""#));
    assert!(rules_of(&s).await.is_empty());
    let last = deal(&s, "Last", "qualifiedtobuy").await;
    move_deal(&s, &last, "closedwon").await;
    assert_eq!(channel_messages(&s.world, "sales").await.len(), 3);
}

async fn rules_of(s: &Scene) -> Vec<hubbub_store::NotificationRule> {
    let store = &s.world.app.store;
    store.notification_rules(s.account.id, false).await.unwrap()
}

fn card_status(page: &Page, name: &str) -> String {
    let card = rule_card(page, name);
    let marker = r#"data-testid="rule-status">"#;
    let at = card.find(marker).unwrap() + marker.len();
    card[at..at + card[at..].find('<').unwrap()].to_owned()
}

#[tokio::test]
async fn a_rule_to_the_record_owner_sends_a_direct_message_and_shows_failures() {
    let mut s = scene().await;
    let fields = rule_fields(
        "Urgent tickets",
        &[
            ("trigger_kind", "ticket_priority"),
            ("trigger_priority", "URGENT"),
        ],
        "Urgent for {{ owner }}: {{ subject }}",
        &[("target", "owner")],
        &[],
    );
    let page = add_rule(&mut s.admin, &fields).await;
    page.assert_ok();
    assert!(rule_card(&page, "Urgent tickets").contains("The record owner, by direct message"));

    let ticket = |owner: i64, subject: &'static str, priority: &'static str| {
        json!({"subject": subject, "hs_ticket_priority": priority,
               "hubspot_owner_id": owner.to_string()})
    };
    let token = s.account.token.clone();
    let app = &s.world.app;
    app.create(
        &token,
        "tickets",
        ticket(s.maria.id, "Printer <b>fire</b>", "URGENT"),
    )
    .await;
    app.create(&token, "tickets", ticket(s.maria.id, "Low one", "LOW"))
        .await;
    // The super admin's hub email matches nobody in Slack.
    let admin_user = app
        .store
        .users(s.account.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == s.account.admin_email)
        .unwrap();
    app.create(
        &token,
        "tickets",
        ticket(admin_user.id, "Unmapped", "URGENT"),
    )
    .await;
    jobs_settled(&s.world).await;

    let deliveries = app.store.rule_deliveries(s.account.id, 10).await.unwrap();
    assert_eq!(deliveries.len(), 2, "{deliveries:?}");
    let posted = deliveries
        .iter()
        .find_map(|d| d.outcome.as_ref().ok())
        .expect("one posted");
    // Maria's direct message also holds the hub's own notifications
    // (she was assigned the tickets).
    let dm = texts_of(&channel_messages(&s.world, &posted.channel_id).await);
    let from_rule: Vec<_> = dm.iter().filter(|t| t.starts_with("Urgent")).collect();
    assert_eq!(
        from_rule,
        ["Urgent for Maria Member: Printer &lt;b&gt;fire&lt;/b&gt;"],
        "{dm:?}"
    );
    {
        let state = s.world.sandbox.state();
        let channel = state
            .channels
            .iter()
            .find(|c| c.id == posted.channel_id)
            .unwrap();
        let maria_slack = state.users.iter().find(|u| u.name == "maria").unwrap();
        assert!(channel.members.contains(&maria_slack.id), "Maria's DM");
    }

    let page = s.admin.get(RULES).await;
    let card = rule_card(&page, "Urgent tickets");
    assert!(card.contains("Posted to The record owner"), "{card}");
    assert!(
        card.contains("Failed: Ada Admin has no Slack account mapped"),
        "{card}"
    );
}

#[tokio::test]
async fn only_super_admins_manage_rules_and_bad_forms_say_why() {
    let mut s = scene().await;
    let page = add_rule(
        &mut s.admin,
        &rule_fields(
            "",
            &[
                ("trigger_kind", "property_changed"),
                ("object_type", "deals"),
                ("trigger_property", "amount"),
                ("trigger_value", "lots"),
            ],
            "",
            &[("target", "owner")],
            &[("shoe_size", "EQ", "9")],
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.html);
    for testid in ["error-name", "error-template"] {
        assert!(
            page.contains(&format!(r#"data-testid="{testid}""#)),
            "{testid}: {}",
            page.html
        );
    }
    assert!(rules_of(&s).await.is_empty());

    regular_user(&s.world.app, &s.account, "rita@rules.test", false).await;
    let mut rita = WebClient::signed_in(
        &s.world.app,
        "rita@rules.test",
        "regular password",
        "/settings",
        "/settings",
    )
    .await;
    let page = rita.get(RULES).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.html);
    assert!(page.contains("Only super admins manage notification rules"));
    assert!(!page.contains(r#"data-testid="nav-rules""#));
    let page = rita
        .post(
            RULES,
            &rule_fields(
                "Mine",
                &[("trigger_kind", "created"), ("object_type", "contacts")],
                "New contact",
                &[("target", "owner")],
                &[],
            ),
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.html);
}
