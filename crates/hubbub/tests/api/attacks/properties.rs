//! Attacks through property definitions and values. 500 enumeration
//! properties of 200 options each slowed every contacts request of the
//! account sevenfold and made its property list 7 MB: custom properties,
//! their options and their labels are now capped per object type. A NUL
//! byte in an email (`"a\u0000@x.example"`) was stored and written raw
//! into HTML: control characters are now refused in emails and
//! single-line text, and multi-line text keeps only line breaks and tabs.

use futures::future::join_all;
use hubbub_hub::property::{
    MAX_CUSTOM_PROPERTIES, MAX_LABEL_CHARS, MAX_OPTIONS, MAX_OPTIONS_PER_TYPE,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{TestAccount, TestApp};
use crate::support::{assert_names_property, id_of};
use crate::web_client::WebClient;

const PROPERTIES: &str = "/crm/v3/properties/contacts";
const ADMIN_PASSWORD: &str = "correct horse battery";

async fn define(app: &TestApp, a: &TestAccount, definition: Value) -> (StatusCode, Value) {
    app.post(&a.token, PROPERTIES, definition).await
}

#[tokio::test]
async fn control_characters_are_refused_in_emails_and_single_line_text() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let contacts = "/crm/v3/objects/contacts";
    for (property, value) in [
        ("email", "a\u{0}@x.example"),
        ("email", "a@x.exam\u{7f}ple"),
        ("firstname", "Ada\u{0}"),
        ("firstname", "Ada\u{1b}[2J"),
        ("lastname", "Love\nlace"),
        ("city", "Lon\tdon"),
    ] {
        let mut properties = json!({"email": "ada@example.com"});
        properties[property] = json!(value);
        let (status, body) = app
            .post(&a.token, contacts, json!({"properties": properties}))
            .await;
        assert_names_property(status, &body, property);
    }

    let (status, body) = app
        .post(
            &a.token,
            &format!("{contacts}/batch/create"),
            json!({"inputs": [
                {"properties": {"email": "grace@example.com"}},
                {"properties": {"email": "alan\u{0}@example.com"}}
            ]}),
        )
        .await;
    assert_names_property(status, &body, "email");

    let ada = app
        .create_id(
            &a.token,
            "contacts",
            json!({"email": "ada@example.com", "firstname": "Ada"}),
        )
        .await;
    let (status, body) = app
        .patch(
            &a.token,
            &format!("{contacts}/{ada}"),
            json!({"properties": {"firstname": "Ada\u{0}"}}),
        )
        .await;
    assert_names_property(status, &body, "firstname");
    let (status, body) = app
        .get(&a.token, &format!("{contacts}/{ada}?properties=firstname"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["properties"]["firstname"], "Ada", "{body}");
    assert_eq!(app.count(&a.token, "contacts").await, 1);
}

#[tokio::test]
async fn multi_line_text_keeps_line_breaks_and_tabs_only() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let body_text = "Met at the fair.\r\n\tTwice.\nThen wrote.";
    let note = app
        .create(
            &a.token,
            "notes",
            json!({"hs_timestamp": "2024-05-01", "hs_note_body": body_text}),
        )
        .await;
    let (_, read) = app
        .get(
            &a.token,
            &format!(
                "/crm/v3/objects/notes/{}?properties=hs_note_body",
                id_of(&note)
            ),
        )
        .await;
    assert_eq!(read["properties"]["hs_note_body"], body_text, "{read}");

    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/notes",
            json!({"properties": {"hs_timestamp": "2024-05-01", "hs_note_body": "Met\u{0} at the fair"}}),
        )
        .await;
    assert_names_property(status, &body, "hs_note_body");
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/tickets",
            json!({"properties": {"subject": "Printer", "content": "On fire\u{7}\nAgain"}}),
        )
        .await;
    assert_names_property(status, &body, "content");

    // A custom property is multi-line when its field type says so.
    let (status, body) = define(
        &app,
        &a,
        json!({"name": "remarks", "label": "Remarks", "type": "string", "fieldType": "textarea"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.create(
        &a.token,
        "contacts",
        json!({"email": "ada@example.com", "remarks": "One\nTwo"}),
    )
    .await;
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/contacts",
            json!({"properties": {"email": "grace@example.com", "remarks": "One\u{0}"}}),
        )
        .await;
    assert_names_property(status, &body, "remarks");
}

/// The web app runs the same rules: its record form and its invitation of
/// hub users refuse a NUL in an email.
#[tokio::test]
async fn web_forms_refuse_control_characters_too() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let mut browser = WebClient::signed_in(
        &app,
        &a.admin_email,
        ADMIN_PASSWORD,
        "/contacts",
        "/contacts",
    )
    .await;
    let page = browser
        .submit(
            "/contacts/new",
            "/contacts/new",
            &[("firstname", "Ada"), ("email", "a\u{0}@x.example")],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.html
    );
    assert!(
        page.contains("data-testid=\"error-email\""),
        "{}",
        page.html
    );
    assert_eq!(app.count(&a.token, "contacts").await, 0);

    let invite = browser
        .submit(
            "/settings/users",
            "/settings/users",
            &[
                ("email", "nul\u{0}@example.com"),
                ("first_name", "Nul"),
                ("last_name", "Byte"),
                ("password", "a fine password"),
            ],
        )
        .await;
    assert_eq!(invite.status, StatusCode::BAD_REQUEST, "{}", invite.html);
    assert!(
        invite.contains("data-testid=\"email-error\""),
        "{}",
        invite.html
    );
    assert_eq!(app.store.users(a.id).await.unwrap().len(), 1);
}

fn text_property(name: &str) -> Value {
    json!({"name": name, "label": format!("Label of {name}"), "type": "string", "fieldType": "text"})
}

fn enumeration(name: &str, options: usize) -> Value {
    let options: Vec<Value> = (0..options)
        .map(|i| json!({"label": format!("Option {i}"), "value": format!("o{i}")}))
        .collect();
    json!({"name": name, "label": name, "type": "enumeration", "fieldType": "select", "options": options})
}

fn message_names(body: &Value, limit: usize) -> bool {
    body["message"]
        .as_str()
        .is_some_and(|m| m.contains(&limit.to_string()))
}

/// The cap holds when the last definitions arrive together: of twenty
/// sent at once for the last ten places, ten are taken.
#[tokio::test]
async fn custom_properties_per_object_type_are_capped() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let raced = 20;
    for i in 0..MAX_CUSTOM_PROPERTIES - raced / 2 {
        let (status, body) = define(&app, &a, text_property(&format!("field_{i}"))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let answers =
        join_all((0..raced).map(|i| define(&app, &a, text_property(&format!("raced_{i}"))))).await;
    let created = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::CREATED)
        .count();
    assert_eq!(created, raced / 2, "{answers:?}");

    let (status, body) = define(&app, &a, text_property("one_more")).await;
    assert_names_property(status, &body, "one_more");
    assert!(message_names(&body, MAX_CUSTOM_PROPERTIES), "{body}");
    let (_, all) = app.get(&a.token, PROPERTIES).await;
    let custom = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["hubspotDefined"] == false)
        .count();
    assert_eq!(custom, MAX_CUSTOM_PROPERTIES);

    // Each object type has its own room.
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/properties/companies",
            text_property("one_more"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn options_are_capped_per_property_and_per_object_type() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let (status, body) = define(&app, &a, enumeration("too_many", MAX_OPTIONS + 1)).await;
    assert_names_property(status, &body, "options");
    assert!(message_names(&body, MAX_OPTIONS), "{body}");

    for i in 0..MAX_OPTIONS_PER_TYPE / MAX_OPTIONS {
        let (status, body) = define(&app, &a, enumeration(&format!("full_{i}"), MAX_OPTIONS)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = define(&app, &a, enumeration("one_option_more", 1)).await;
    assert_names_property(status, &body, "options");
    assert!(message_names(&body, MAX_OPTIONS_PER_TYPE), "{body}");

    // Records of the type still take the options there are.
    let contact = app
        .create(
            &a.token,
            "contacts",
            json!({"email": "ada@example.com", "full_0": "o999"}),
        )
        .await;
    assert_eq!(contact["properties"]["full_0"], "o999", "{contact}");
}

#[tokio::test]
async fn labels_names_and_field_types_are_bounded() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let long = |n: usize| "x".repeat(n);
    let cases = [
        (
            json!({"name": "colour", "label": long(MAX_LABEL_CHARS + 1), "type": "string"}),
            "label",
        ),
        (
            json!({"name": "colour", "label": "Colour", "type": "string", "groupName": long(MAX_LABEL_CHARS + 1)}),
            "groupName",
        ),
        (
            json!({"name": long(MAX_LABEL_CHARS + 1), "label": "Colour", "type": "string"}),
            "name",
        ),
        (
            json!({"name": "colour", "label": "Colour", "type": "string", "fieldType": long(10_000)}),
            "fieldType",
        ),
        (
            json!({"name": "colour", "label": "Colour", "type": "enumeration", "options": [
                {"label": long(MAX_LABEL_CHARS + 1), "value": "red"}
            ]}),
            "options",
        ),
        (
            json!({"name": "colour", "label": "Colour", "type": "enumeration", "options": [
                {"label": "Red", "value": long(MAX_LABEL_CHARS + 1)}
            ]}),
            "options",
        ),
    ];
    for (definition, field) in cases {
        let (status, body) = define(&app, &a, definition).await;
        assert_names_property(status, &body, field);
    }
    let (status, body) = define(
        &app,
        &a,
        json!({"name": long(MAX_LABEL_CHARS).replace('x', "n"), "label": long(MAX_LABEL_CHARS), "type": "string"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the limits themselves are allowed: {body}"
    );
}

#[tokio::test]
async fn control_characters_are_refused_in_property_definitions() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let (status, body) = define(
        &app,
        &a,
        json!({"name": "colour", "label": "Col\u{0}our", "type": "string"}),
    )
    .await;
    assert_names_property(status, &body, "label");
    let (status, body) = define(
        &app,
        &a,
        json!({"name": "colour", "label": "Colour", "type": "enumeration", "options": [
            {"label": "Red", "value": "red"},
            {"label": "Gre\u{1b}en", "value": "green"}
        ]}),
    )
    .await;
    assert_names_property(status, &body, "options");
}
