//! What a record cannot be without: a contact an email, a first name or a
//! last name; a company, deal or ticket its name; a task its title. The
//! API's create, update and batch endpoints refuse it with HubSpot's
//! validation error naming the property, the web forms show it beside
//! the field with what was typed kept, and nothing is stored.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::TestApp;
use crate::support::{assert_names_property, id_of};
use crate::web_client::{tag_with, WebClient};

/// The `REQUIRED_PROPERTY` error of a refused write, asserting it names
/// `property`.
fn required_error(status: StatusCode, body: &Value, property: &str) -> String {
    assert_names_property(status, body, property);
    let error = &body["errors"][0];
    assert_eq!(error["code"], "REQUIRED_PROPERTY", "{body}");
    error["message"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_api_creates_no_record_without_its_name() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let cases = [
        ("contacts", json!({"phone": "555 0100"}), "email"),
        (
            "contacts",
            json!({"firstname": "  ", "lastname": ""}),
            "email",
        ),
        ("companies", json!({"domain": "acme.example"}), "name"),
        ("deals", json!({"amount": "5000"}), "dealname"),
        ("tickets", json!({"content": "It broke"}), "subject"),
        (
            "tasks",
            json!({"hs_timestamp": "2030-01-01", "hs_task_body": "Call"}),
            "hs_task_subject",
        ),
    ];
    for (object_type, properties, property) in cases {
        let (status, body) = app
            .post(
                &a.token,
                &format!("/crm/v3/objects/{object_type}"),
                json!({ "properties": properties }),
            )
            .await;
        required_error(status, &body, property);
        assert_eq!(app.count(&a.token, object_type).await, 0, "{object_type}");
    }
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/contacts",
            json!({"properties": {}}),
        )
        .await;
    let message = required_error(status, &body, "email");
    assert_eq!(
        message,
        "A contact needs an email, a first name or a last name."
    );

    // One bad input refuses the whole batch.
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/deals/batch/create",
            json!({"inputs": [
                {"properties": {"dealname": "Fine"}},
                {"properties": {"amount": "1"}}
            ]}),
        )
        .await;
    required_error(status, &body, "dealname");
    assert_eq!(app.count(&a.token, "deals").await, 0);

    // Any one of a contact's three will do.
    for properties in [
        json!({"email": "ada@example.com"}),
        json!({"firstname": "Ada"}),
        json!({"lastname": "Lovelace"}),
    ] {
        app.create(&a.token, "contacts", properties).await;
    }
    assert_eq!(app.count(&a.token, "contacts").await, 3);
}

#[tokio::test]
async fn an_update_cannot_empty_a_record_s_name() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let deal = app
        .create_id(&a.token, "deals", json!({"dealname": "Big one"}))
        .await;
    let path = format!("/crm/v3/objects/deals/{deal}");
    for emptied in [json!(""), json!("   "), Value::Null] {
        let (status, body) = app
            .patch(
                &a.token,
                &path,
                json!({"properties": {"dealname": emptied}}),
            )
            .await;
        required_error(status, &body, "dealname");
    }
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/deals/batch/update",
            json!({"inputs": [{"id": deal, "properties": {"dealname": ""}}]}),
        )
        .await;
    required_error(status, &body, "dealname");
    let (_, read) = app.get(&a.token, &path).await;
    assert_eq!(read["properties"]["dealname"], "Big one");

    // A contact may lose its email while its name is left, not both.
    let ada = app
        .create_contact(&a.token, "ada@example.com", "Ada", "")
        .await;
    let path = format!("/crm/v3/objects/contacts/{ada}");
    let (status, body) = app
        .patch(
            &a.token,
            &path,
            json!({"properties": {"email": "", "firstname": ""}}),
        )
        .await;
    required_error(status, &body, "email");
    let (status, body) = app
        .patch(&a.token, &path, json!({"properties": {"email": ""}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .patch(&a.token, &path, json!({"properties": {"firstname": " "}}))
        .await;
    required_error(status, &body, "email");
    let (_, read) = app
        .get(&a.token, &format!("{path}?properties=email,firstname"))
        .await;
    assert_eq!(read["properties"]["firstname"], "Ada", "{read}");
    assert_eq!(read["properties"]["email"], Value::Null, "{read}");
}

#[tokio::test]
async fn an_empty_new_contact_form_shows_the_error_beside_the_field_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let account = app.account("Forms").await;
    let mut browser = WebClient::admin(&app, &account).await;
    let page = browser
        .submit(
            "/contacts/new",
            "/contacts/new",
            &[
                ("email", ""),
                ("firstname", ""),
                ("lastname", " "),
                ("phone", "555 0100"),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.html
    );
    assert_eq!(page.path, "/contacts/new");
    assert_eq!(
        page.field_error("email").as_deref(),
        Some("A contact needs an email, a first name or a last name.")
    );
    let email = tag_with(&page.html, "id=\"f-email\"").unwrap();
    assert!(email.contains("aria-invalid=\"true\""), "{email}");
    assert!(
        page.html.contains("value=\"555 0100\""),
        "what was typed is kept"
    );
    assert_eq!(app.count(&account.token, "contacts").await, 0);

    // A deal without its name: beside the name, the amount kept.
    let deal = browser
        .submit(
            "/deals/new",
            "/deals/new",
            &[
                ("dealname", ""),
                ("amount", "12500"),
                ("pipeline", "default"),
            ],
        )
        .await;
    assert_eq!(deal.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        deal.field_error("dealname").as_deref(),
        Some("A deal needs a name.")
    );
    assert!(deal.html.contains("value=\"12500\""));
    assert_eq!(app.count(&account.token, "deals").await, 0);

    // Nor can the edit form empty a contact's name and email.
    let id = app
        .create_contact(&account.token, "", "Grace", "Hopper")
        .await;
    let edit = format!("/contacts/{id}/edit");
    let emptied = browser
        .submit(
            &edit,
            &edit,
            &[("email", ""), ("firstname", ""), ("lastname", "")],
        )
        .await;
    assert_eq!(emptied.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(emptied.field_error("email").is_some(), "{}", emptied.html);
    let (_, read) = app
        .get(
            &account.token,
            &format!("/crm/v3/objects/contacts/{id}?properties=firstname,lastname"),
        )
        .await;
    assert_eq!(read["properties"]["lastname"], "Hopper", "{read}");
    assert_eq!(id_of(&read), id);
}
