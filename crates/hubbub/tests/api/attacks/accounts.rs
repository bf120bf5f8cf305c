//! Reaching across accounts: two accounts, each with its own people and
//! records, and an admin of one probing the other.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::TestApp;
use crate::support::{assert_error, assert_names_property};
use crate::ui_settings::regular_user;
use crate::web_client::{tag_with, WebClient};

/// The invite form's error beside the email field.
fn email_error(html: &str) -> String {
    let tag = tag_with(html, r#"data-testid="email-error""#).expect("an email error");
    let at = html.find(tag).unwrap() + tag.len();
    html[at..at + html[at..].find('<').unwrap()].to_owned()
}

#[tokio::test]
async fn inviting_another_accounts_address_says_nothing_about_that_account() {
    let app = TestApp::spawn().await;
    let alpha = app.account("Alpha").await;
    let beta = app.account("Beta").await;
    regular_user(&app, &beta, "bob@beta.example", false).await;
    regular_user(&app, &alpha, "ann@alpha.example", false).await;
    let admin = WebClient::admin(&app, &alpha).await;
    let invite = |email: &'static str| {
        let admin = &admin;
        async move {
            let fields = [
                ("email", email),
                ("first_name", "Probe"),
                ("last_name", "Probe"),
                ("password", "a long enough password"),
            ];
            admin.post("/settings/users", &fields).await
        }
    };
    let elsewhere = invite("bob@beta.example").await;
    let here = invite("ann@alpha.example").await;
    assert_eq!(elsewhere.status, here.status);
    let (elsewhere, here) = (email_error(&elsewhere.html), email_error(&here.html));
    assert_eq!(elsewhere, here, "the same refusal wherever the address is");
    assert!(!elsewhere.contains("bob@beta.example"), "{elsewhere}");
    assert!(!elsewhere.to_lowercase().contains("account"), "{elsewhere}");
}

#[tokio::test]
async fn an_owner_must_be_a_user_of_the_same_account() {
    let app = TestApp::spawn().await;
    let alpha = app.account("Alpha").await;
    let beta = app.account("Beta").await;
    let betas_user = app.store.users(beta.id).await.unwrap()[0].id.to_string();
    let alphas_user = app.store.users(alpha.id).await.unwrap()[0].id.to_string();
    let deal = app
        .create_id(&alpha.token, "deals", json!({"dealname": "Owned"}))
        .await;
    let path = format!("/crm/v3/objects/deals/{deal}");
    for owner in [betas_user.as_str(), "not-a-user", "0"] {
        let (status, body) = app
            .patch(
                &alpha.token,
                &path,
                json!({"properties": {"hubspot_owner_id": owner}}),
            )
            .await;
        assert_names_property(status, &body, "hubspot_owner_id");
        let (status, body) = app
            .post(
                &alpha.token,
                "/crm/v3/objects/deals",
                json!({"properties": {"dealname": "New", "hubspot_owner_id": owner}}),
            )
            .await;
        assert_names_property(status, &body, "hubspot_owner_id");
    }
    let (_, stored) = app
        .get(&alpha.token, &format!("{path}?properties=hubspot_owner_id"))
        .await;
    assert_eq!(
        stored["properties"]["hubspot_owner_id"],
        json!(null),
        "{stored}"
    );
    let (status, body) = app
        .patch(
            &alpha.token,
            &path,
            json!({"properties": {"hubspot_owner_id": alphas_user}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["properties"]["hubspot_owner_id"], json!(alphas_user));

    // The edit form applies the same rule.
    let mut admin = WebClient::admin(&app, &alpha).await;
    let edit = admin.get(&format!("/deals/{deal}/edit")).await;
    edit.assert_ok();
    let sent = admin
        .post(
            &format!("/deals/{deal}/edit"),
            &[
                ("dealname", "Owned"),
                ("hubspot_owner_id", betas_user.as_str()),
            ],
        )
        .await;
    assert_eq!(
        sent.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        sent.html
    );
    assert!(sent.contains("is not a valid owner id"), "{}", sent.html);
    let (_, body) = app
        .get(&alpha.token, &format!("{path}?properties=hubspot_owner_id"))
        .await;
    assert_eq!(body["properties"]["hubspot_owner_id"], json!(alphas_user));
}

#[tokio::test]
async fn unlinking_another_accounts_record_is_not_found() {
    let app = TestApp::spawn().await;
    let alpha = app.account("Alpha").await;
    let beta = app.account("Beta").await;
    let ours = app
        .create_contact(&alpha.token, "ada@alpha.example", "Ada", "Alpha")
        .await;
    let theirs = app
        .create_id(&beta.token, "companies", json!({"name": "Beta Inc"}))
        .await;
    let their_contact = app
        .create_contact(&beta.token, "bo@beta.example", "Bo", "Beta")
        .await;
    let link =
        format!("/crm/v4/objects/companies/{theirs}/associations/default/contacts/{their_contact}");
    let (status, body) = app
        .call(&beta.token, reqwest::Method::PUT, &link, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, body) = app
        .delete(
            &alpha.token,
            &format!("/crm/v4/objects/contacts/{ours}/associations/companies/{theirs}"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_error(&body, "OBJECT_NOT_FOUND");
    // Beta's own link is untouched.
    let (_, listed) = app
        .get(
            &beta.token,
            &format!("/crm/v4/objects/companies/{theirs}/associations/contacts"),
        )
        .await;
    assert_eq!(
        listed["results"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
}
