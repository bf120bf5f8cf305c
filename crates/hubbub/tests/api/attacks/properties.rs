//! Attacks through property values. A NUL byte in an email
//! (`"a\u0000@x.example"`) was stored and written raw into HTML: control
//! characters are now refused in emails and single-line text, and
//! multi-line text keeps only line breaks and tabs.

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
    let mut browser =
        WebClient::signed_in(&app, &a.admin_email, ADMIN_PASSWORD, "/", "/contacts").await;
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
