//! Every failure leaves as HubSpot's error body with the right status, and
//! a refused write leaves nothing behind.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::TestApp;
use crate::support::{assert_error, assert_names_property};

/// Sends `body` as-is (not JSON-encoded by the client).
async fn raw(
    app: &TestApp,
    token: Option<&str>,
    method: reqwest::Method,
    path: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut req = app
        .http
        .request(method, format!("{}{}", app.base_url, path))
        .header("content-type", "application/json")
        .body(body);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.expect("request reaches the app");
    let status = res.status();
    let text = res.text().await.unwrap();
    let json = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("{path} answered non-JSON ({status}): {text}"));
    (status, json)
}

#[tokio::test]
async fn malformed_json_is_a_400_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    for body in [
        &b"{\"properties\": {\"email\": \"ada@example.com\""[..],
        b"not json at all",
        b"",
        b"{\"properties\": \"ada@example.com\"}",
        b"{\"props\": {\"email\": \"ada@example.com\"}}",
        b"[]",
    ] {
        let (status, answer) = raw(
            &app,
            Some(&a.token),
            reqwest::Method::POST,
            "/crm/v3/objects/contacts",
            body.to_vec(),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{}: {answer}",
            String::from_utf8_lossy(body)
        );
        assert_error(&answer, "VALIDATION_ERROR");
    }
    let (status, answer) = raw(
        &app,
        Some(&a.token),
        reqwest::Method::POST,
        "/crm/v3/objects/contacts/search",
        b"{\"filterGroups\": [".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(app.count(&a.token, "contacts").await, 0);
}

#[tokio::test]
async fn unknown_object_types_are_a_400() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let (status, body) = app.get(&a.token, "/crm/v3/objects/widgets").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error(&body, "VALIDATION_ERROR");
    assert!(
        body["message"].as_str().unwrap().contains("widgets"),
        "{body}"
    );
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/widgets",
            json!({"properties": {"name": "x"}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = app.search(&a.token, "widgets", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = app.get(&a.token, "/crm/v3/properties/widgets").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // HubSpot's type ids and singular names work like the plural ones.
    let id = app
        .create_contact(&a.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    for alias in ["0-1", "contact", "CONTACTS"] {
        let (status, body) = app
            .get(&a.token, &format!("/crm/v3/objects/{alias}/{id}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{alias}: {body}");
    }
}

#[tokio::test]
async fn unknown_properties_are_refused_by_name_and_nothing_is_created() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/contacts",
            json!({"properties": {"email": "ada@example.com", "shoe_size": "9", "hat_size": "7"}}),
        )
        .await;
    assert_names_property(status, &body, "shoe_size");
    assert_names_property(status, &body, "hat_size");
    assert!(
        body["message"].as_str().unwrap().contains("shoe_size"),
        "{body}"
    );
    assert_eq!(app.count(&a.token, "contacts").await, 0);
    let (status, _) = app
        .get(
            &a.token,
            "/crm/v3/objects/contacts/ada@example.com?idProperty=email",
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let id = app
        .create_contact(&a.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    let (status, body) = app
        .patch(
            &a.token,
            &format!("/crm/v3/objects/contacts/{id}"),
            json!({"properties": {"firstname": "X", "shoe_size": "9"}}),
        )
        .await;
    assert_names_property(status, &body, "shoe_size");
    let (_, read) = app
        .get(&a.token, &format!("/crm/v3/objects/contacts/{id}"))
        .await;
    assert_eq!(read["properties"]["firstname"], "Ada");
    // A property of another type is unknown here too.
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/contacts",
            json!({"properties": {"dealname": "X"}}),
        )
        .await;
    assert_names_property(status, &body, "dealname");
}

#[tokio::test]
async fn oversized_bodies_are_a_413() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let padding = "x".repeat(hubbub_web::MAX_BODY_BYTES);
    let body = serde_json::to_vec(
        &json!({"properties": {"email": "ada@example.com", "firstname": padding}}),
    )
    .unwrap();
    let (status, answer) = raw(
        &app,
        Some(&a.token),
        reqwest::Method::POST,
        "/crm/v3/objects/contacts",
        body,
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_error(&answer, "VALIDATION_ERROR");
    assert_eq!(app.count(&a.token, "contacts").await, 0);

    // Just under the limit is read (and then refused for its too-long value).
    let padding = "x".repeat(hubbub_web::MAX_BODY_BYTES - 200);
    let body = serde_json::to_vec(&json!({"properties": {"firstname": padding}})).unwrap();
    let (status, answer) = raw(
        &app,
        Some(&a.token),
        reqwest::Method::POST,
        "/crm/v3/objects/contacts",
        body,
    )
    .await;
    assert_names_property(status, &answer, "firstname");
}

#[tokio::test]
async fn missing_or_wrong_tokens_are_a_401() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let url = format!("{}/crm/v3/objects/contacts", app.base_url);
    let requests = [
        app.http.get(&url),
        app.http.get(&url).bearer_auth("pat-na1-not-a-real-token"),
        app.http
            .get(&url)
            .header("authorization", format!("Basic {}", a.token)),
        app.http.get(&url).header("authorization", "Bearer "),
        app.http
            .post(&url)
            .json(&json!({"properties": {"email": "ada@example.com"}})),
    ];
    for req in requests {
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let body: Value = res.json().await.unwrap();
        assert_error(&body, "INVALID_AUTHENTICATION");
    }
    assert_eq!(app.count(&a.token, "contacts").await, 0);
    let (status, _) = app.get(&format!("{}x", a.token), "/crm/v3/owners").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.get(&a.token, "/crm/v3/objects/contacts").await;
    assert_eq!(status, StatusCode::OK, "the real token works");
}

#[tokio::test]
async fn a_token_without_the_scope_is_a_403() {
    let app = TestApp::spawn().await;
    let reader = app
        .account_with_scopes("Reader", &["crm.objects.contacts.read"])
        .await;
    let id = app
        .create_contact(
            &reader_writer(&app, &reader).await,
            "ada@example.com",
            "Ada",
            "Lovelace",
        )
        .await;

    let (status, body) = app
        .get(&reader.token, &format!("/crm/v3/objects/contacts/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK, "reading is granted: {body}");
    let (status, body) = app.search(&reader.token, "contacts", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let refused = [
        app.post(
            &reader.token,
            "/crm/v3/objects/contacts",
            json!({"properties": {"email": "bob@example.com"}}),
        )
        .await,
        app.patch(
            &reader.token,
            &format!("/crm/v3/objects/contacts/{id}"),
            json!({"properties": {"firstname": "X"}}),
        )
        .await,
        app.delete(&reader.token, &format!("/crm/v3/objects/contacts/{id}"))
            .await,
        app.post(
            &reader.token,
            "/crm/v3/objects/contacts/batch/archive",
            json!({"inputs": [{"id": id}]}),
        )
        .await,
    ];
    for (status, body) in refused {
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_error(&body, "MISSING_SCOPES");
        assert_eq!(
            body["errors"][0]["context"]["requiredScopes"],
            json!(["crm.objects.contacts.write"]),
            "{body}"
        );
    }
    for (path, scope) in [
        ("/crm/v3/objects/deals", "crm.objects.deals.read"),
        ("/crm/v3/objects/companies", "crm.objects.companies.read"),
        ("/crm/v3/objects/tickets", "tickets"),
        ("/crm/v3/owners", "crm.objects.owners.read"),
        ("/crm/v3/pipelines/deals", "crm.objects.deals.read"),
    ] {
        let (status, body) = app.get(&reader.token, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert_error(&body, "MISSING_SCOPES");
        assert!(
            body["message"].as_str().unwrap().contains(scope),
            "{path}: {body}"
        );
    }
    let (_, read) = app
        .get(&reader.token, &format!("/crm/v3/objects/contacts/{id}"))
        .await;
    assert_eq!(read["properties"]["firstname"], "Ada", "nothing changed");
    assert_eq!(read["archived"], false);
}

/// A full token for the same account as `reader`, to set up its records.
async fn reader_writer(app: &TestApp, reader: &crate::harness::TestAccount) -> String {
    app.store
        .create_token(reader.id, &[])
        .await
        .expect("token")
        .0
}

#[tokio::test]
async fn unknown_and_non_numeric_ids_are_a_404() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let contact = app
        .create_contact(&a.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    for path in [
        "/crm/v3/objects/contacts/999999".to_owned(),
        "/crm/v3/objects/contacts/abc".to_owned(),
        "/crm/v3/objects/contacts/12abc".to_owned(),
        // A contact's id read as a deal.
        format!("/crm/v3/objects/deals/{contact}"),
    ] {
        let (status, body) = app.get(&a.token, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert_error(&body, "OBJECT_NOT_FOUND");
        let (status, body) = app.patch(&a.token, &path, json!({"properties": {}})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "PATCH {path}: {body}");
        assert_error(&body, "OBJECT_NOT_FOUND");
        let (status, body) = app.delete(&a.token, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "DELETE {path}: {body}");
        assert_error(&body, "OBJECT_NOT_FOUND");
    }
    let (status, _) = app
        .get(&a.token, &format!("/crm/v3/objects/contacts/{contact}"))
        .await;
    assert_eq!(status, StatusCode::OK, "the contact is untouched");
}

#[tokio::test]
async fn a_second_contact_with_the_same_email_is_a_409() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let ada = app
        .create_contact(&a.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    for email in ["ada@example.com", "ADA@Example.com", " ada@example.com "] {
        let (status, body) = app
            .post(
                &a.token,
                "/crm/v3/objects/contacts",
                json!({"properties": {"email": email, "firstname": "Copy"}}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{email:?}: {body}");
        assert_error(&body, "CONFLICT");
        assert!(
            body["message"].as_str().unwrap().contains(&ada),
            "names the existing id: {body}"
        );
    }
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/contacts/batch/create",
            json!({"inputs": [{"properties": {"email": "bob@example.com"}}, {"properties": {"email": "Bob@Example.com"}}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "twice in one batch: {body}");
    assert_error(&body, "CONFLICT");
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/contacts/batch/create",
            json!({"inputs": [{"properties": {"email": "carol@example.com"}}, {"properties": {"email": "ADA@example.com"}}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "taken already: {body}");
    assert_eq!(app.count(&a.token, "contacts").await, 1, "nothing created");

    // Taking another contact's email by update is refused too.
    let bob = app
        .create_contact(&a.token, "bob@example.com", "Bob", "Babbage")
        .await;
    let (status, body) = app
        .patch(
            &a.token,
            &format!("/crm/v3/objects/contacts/{bob}"),
            json!({"properties": {"email": "Ada@Example.com"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (_, read) = app
        .get(&a.token, &format!("/crm/v3/objects/contacts/{bob}"))
        .await;
    assert_eq!(read["properties"]["email"], "bob@example.com");
    // Re-saving one's own email, in any case, is fine.
    let (status, body) = app
        .patch(
            &a.token,
            &format!("/crm/v3/objects/contacts/{ada}"),
            json!({"properties": {"email": "ADA@example.com", "firstname": "Augusta"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn unknown_paths_under_crm_are_a_json_404() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    for path in [
        "/crm/v3/widgets",
        "/crm/v3/objects/contacts/1/2/3",
        "/crm/v5/objects/contacts",
        "/crm/v3/objects",
    ] {
        let (status, body) = app.get(&a.token, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert_error(&body, "OBJECT_NOT_FOUND");
        let (status, body) = app.post(&a.token, path, json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "POST {path}: {body}");
        assert_eq!(body["status"], "error");
    }
}
