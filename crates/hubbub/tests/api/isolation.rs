//! Accounts are separate hubs: a token of one never reaches another's
//! records, owners or property definitions.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::{TestAccount, TestApp};
use crate::support::{assert_error, ids};

/// Two accounts; B has a contact, a deal and a company, associated.
struct World {
    app: TestApp,
    a: TestAccount,
    b: TestAccount,
    b_contact: String,
    b_deal: String,
    b_company: String,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let a = app.account("Alpha").await;
    let b = app.account("Beta").await;
    let b_contact = app
        .create_contact(&b.token, "shared@example.com", "Bea", "Beta")
        .await;
    let b_deal = app
        .create_id(
            &b.token,
            "deals",
            json!({"dealname": "Beta deal", "amount": "500"}),
        )
        .await;
    let b_company = app
        .create_id(&b.token, "companies", json!({"name": "Beta Corp"}))
        .await;
    let (status, body) = app
        .call(
            &b.token,
            Method::PUT,
            &format!("/crm/v4/objects/deals/{b_deal}/associations/default/contacts/{b_contact}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    World {
        app,
        a,
        b,
        b_contact,
        b_deal,
        b_company,
    }
}

impl World {
    /// B's records are exactly as B made them.
    async fn b_untouched(&self) {
        let (status, contact) = self
            .app
            .get(
                &self.b.token,
                &format!(
                    "/crm/v3/objects/contacts/{}?associations=deals",
                    self.b_contact
                ),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{contact}");
        assert_eq!(contact["properties"]["firstname"], "Bea");
        assert_eq!(
            contact["associations"]["deals"]["results"][0]["id"],
            self.b_deal.as_str(),
            "{contact}"
        );
        let (status, deal) = self
            .app
            .get(
                &self.b.token,
                &format!("/crm/v3/objects/deals/{}", self.b_deal),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{deal}");
        assert_eq!(deal["properties"]["amount"], "500");
        let (status, _) = self
            .app
            .get(
                &self.b.token,
                &format!("/crm/v3/objects/companies/{}", self.b_company),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
}

fn assert_not_found(status: StatusCode, body: &Value, what: &str) {
    assert_eq!(status, StatusCode::NOT_FOUND, "{what}: {body}");
    assert_error(body, "OBJECT_NOT_FOUND");
}

#[tokio::test]
async fn another_accounts_records_cannot_be_read() {
    let w = world().await;
    let (app, a) = (&w.app, &w.a);
    for (object_type, id) in [
        ("contacts", &w.b_contact),
        ("deals", &w.b_deal),
        ("companies", &w.b_company),
    ] {
        let (status, body) = app
            .get(&a.token, &format!("/crm/v3/objects/{object_type}/{id}"))
            .await;
        assert_not_found(status, &body, object_type);
        let (status, body) = app
            .get(
                &a.token,
                &format!("/crm/v3/objects/{object_type}/{id}?archived=true"),
            )
            .await;
        assert_not_found(status, &body, object_type);
    }
    let (status, body) = app
        .get(
            &a.token,
            "/crm/v3/objects/contacts/shared@example.com?idProperty=email",
        )
        .await;
    assert_not_found(status, &body, "by email");
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/contacts/batch/read",
            json!({"inputs": [{"id": w.b_contact}]}),
        )
        .await;
    assert_eq!(status, StatusCode::MULTI_STATUS, "{body}");
    assert!(ids(&body).is_empty(), "{body}");
}

#[tokio::test]
async fn another_accounts_records_are_never_listed_or_searched() {
    let w = world().await;
    let (app, a) = (&w.app, &w.a);
    let own = app
        .create_contact(&a.token, "alpha@example.com", "Bea", "Alpha")
        .await;
    for object_type in ["contacts", "deals", "companies"] {
        let (status, list) = app
            .get(
                &a.token,
                &format!("/crm/v3/objects/{object_type}?limit=100"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let listed = ids(&list);
        for theirs in [&w.b_contact, &w.b_deal, &w.b_company] {
            assert!(!listed.contains(theirs), "{object_type}: {list}");
        }
    }
    let (_, archived) = app
        .get(&a.token, "/crm/v3/objects/contacts?archived=true")
        .await;
    assert!(ids(&archived).is_empty());

    let searches = [
        json!({}),
        json!({"query": "bea"}),
        json!({"filterGroups": [{"filters": [{"propertyName": "firstname", "operator": "EQ", "value": "Bea"}]}]}),
        json!({"filterGroups": [{"filters": [{"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "example"}]}]}),
        json!({"filterGroups": [{"filters": [{"propertyName": "hs_object_id", "operator": "EQ", "value": w.b_contact}]}]}),
        json!({"filterGroups": [{"filters": [{"propertyName": "lastname", "operator": "HAS_PROPERTY"}]}]}),
    ];
    for s in searches {
        let (status, body) = app.search(&a.token, "contacts", s.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(!ids(&body).contains(&w.b_contact), "{s}: {body}");
        assert!(
            body["total"].as_i64().unwrap() <= 1,
            "totals count own records only: {s}: {body}"
        );
    }
    assert_eq!(
        app.search_ids(&a.token, "contacts", json!({"query": "bea"}))
            .await,
        [own]
    );
    let (_, deals) = app.search(&a.token, "deals", json!({"filterGroups": [{"filters": [{"propertyName": "amount", "operator": "GT", "value": "0"}]}]})).await;
    assert_eq!(deals["total"], 0, "{deals}");
}

#[tokio::test]
async fn another_accounts_records_cannot_be_updated_or_archived() {
    let w = world().await;
    let (app, a) = (&w.app, &w.a);
    let (status, body) = app
        .patch(
            &a.token,
            &format!("/crm/v3/objects/contacts/{}", w.b_contact),
            json!({"properties": {"firstname": "Mallory"}}),
        )
        .await;
    assert_not_found(status, &body, "update");
    let (status, body) = app
        .patch(
            &a.token,
            "/crm/v3/objects/contacts/shared@example.com?idProperty=email",
            json!({"properties": {"firstname": "Mallory"}}),
        )
        .await;
    assert_not_found(status, &body, "update by email");
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/deals/batch/update",
            json!({"inputs": [{"id": w.b_deal, "properties": {"amount": "1"}}]}),
        )
        .await;
    assert_not_found(status, &body, "batch update");
    let (status, body) = app
        .delete(&a.token, &format!("/crm/v3/objects/deals/{}", w.b_deal))
        .await;
    assert_not_found(status, &body, "archive");
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/companies/batch/archive",
            json!({"inputs": [{"id": w.b_company}]}),
        )
        .await;
    assert_not_found(status, &body, "batch archive");
    w.b_untouched().await;
}

#[tokio::test]
async fn another_accounts_records_cannot_be_associated() {
    let w = world().await;
    let (app, a) = (&w.app, &w.a);
    let own_deal = app
        .create_id(&a.token, "deals", json!({"dealname": "Alpha deal"}))
        .await;
    let own_contact = app
        .create_contact(&a.token, "alpha@example.com", "Al", "Alpha")
        .await;
    let spec = json!([{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}]);
    let attempts = [
        (
            format!(
                "/crm/v4/objects/deals/{own_deal}/associations/contacts/{}",
                w.b_contact
            ),
            Some(spec.clone()),
        ),
        (
            format!(
                "/crm/v4/objects/deals/{}/associations/contacts/{own_contact}",
                w.b_deal
            ),
            Some(spec.clone()),
        ),
        (
            format!(
                "/crm/v4/objects/deals/{own_deal}/associations/default/contacts/{}",
                w.b_contact
            ),
            None,
        ),
        (
            format!(
                "/crm/v4/objects/contacts/{}/associations/default/deals/{own_deal}",
                w.b_contact
            ),
            None,
        ),
    ];
    for (path, body) in attempts {
        let (status, answer) = app.call(&a.token, Method::PUT, &path, body).await;
        assert_not_found(status, &answer, &path);
    }
    let (status, body) = app
        .get(
            &a.token,
            &format!("/crm/v4/objects/deals/{}/associations/contacts", w.b_deal),
        )
        .await;
    assert_not_found(status, &body, "list of B's associations");
    let (status, body) = app
        .delete(
            &a.token,
            &format!(
                "/crm/v4/objects/deals/{}/associations/contacts/{}",
                w.b_deal, w.b_contact
            ),
        )
        .await;
    assert_not_found(status, &body, "delete of B's association");
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/deals",
            json!({"properties": {"dealname": "Sneaky"}, "associations": [{"to": {"id": w.b_contact}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}]}]}),
        )
        .await;
    assert!(status.is_client_error(), "{status}: {body}");
    assert_eq!(
        app.count(&a.token, "deals").await,
        1,
        "the sneaky deal was not created"
    );

    let (_, own) = app
        .get(
            &a.token,
            &format!("/crm/v4/objects/deals/{own_deal}/associations/contacts"),
        )
        .await;
    assert_eq!(own["results"], json!([]), "{own}");
    w.b_untouched().await;
    let (_, theirs) = app
        .get(
            &w.b.token,
            &format!(
                "/crm/v4/objects/contacts/{}/associations/deals",
                w.b_contact
            ),
        )
        .await;
    assert_eq!(
        theirs["results"].as_array().unwrap().len(),
        1,
        "B's contact has only B's deal: {theirs}"
    );
}

#[tokio::test]
async fn the_same_email_may_be_used_in_each_account() {
    let w = world().await;
    let (app, a) = (&w.app, &w.a);
    let own = app
        .create_contact(&a.token, "Shared@Example.com", "Al", "Alpha")
        .await;
    assert_ne!(own, w.b_contact);
    let (status, body) = app
        .get(
            &a.token,
            "/crm/v3/objects/contacts/shared@example.com?idProperty=email",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], own.as_str());
    let (_, body) = app
        .get(
            &w.b.token,
            "/crm/v3/objects/contacts/shared@example.com?idProperty=email",
        )
        .await;
    assert_eq!(body["id"], w.b_contact.as_str());
    // Archiving A's contact frees the email in A only.
    let (status, _) = app
        .delete(&a.token, &format!("/crm/v3/objects/contacts/{own}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app
        .post(
            &w.b.token,
            "/crm/v3/objects/contacts",
            json!({"properties": {"email": "shared@example.com"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    w.b_untouched().await;
}

#[tokio::test]
async fn owners_are_per_account() {
    let w = world().await;
    let (app, a, b) = (&w.app, &w.a, &w.b);
    let (status, a_owners) = app.get(&a.token, "/crm/v3/owners").await;
    assert_eq!(status, StatusCode::OK, "{a_owners}");
    let a_emails: Vec<&str> = a_owners["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["email"].as_str())
        .collect();
    assert_eq!(a_emails, [a.admin_email.as_str()]);
    let (_, b_owners) = app.get(&b.token, "/crm/v3/owners").await;
    let b_owner = b_owners["results"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(b_owners["results"][0]["email"], b.admin_email.as_str());

    let (status, body) = app
        .get(&a.token, &format!("/crm/v3/owners/{b_owner}"))
        .await;
    assert_not_found(status, &body, "B's owner");
    let (_, body) = app
        .get(&a.token, &format!("/crm/v3/owners?email={}", b.admin_email))
        .await;
    assert_eq!(body["results"], json!([]), "{body}");
}

#[tokio::test]
async fn custom_properties_are_per_account() {
    let w = world().await;
    let (app, a, b) = (&w.app, &w.a, &w.b);
    let (status, body) = app
        .post(
            &b.token,
            "/crm/v3/properties/contacts",
            json!({"name": "favourite_colour", "label": "Favourite colour", "type": "string"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let (status, body) = app
        .get(&a.token, "/crm/v3/properties/contacts/favourite_colour")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (_, all) = app.get(&a.token, "/crm/v3/properties/contacts").await;
    assert!(
        !all["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "favourite_colour"),
        "A does not see B's property"
    );
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/contacts",
            json!({"properties": {"email": "al@example.com", "favourite_colour": "red"}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = app
        .search(&a.token, "contacts", json!({"filterGroups": [{"filters": [{"propertyName": "favourite_colour", "operator": "HAS_PROPERTY"}]}]}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // A may define its own property of the same name, of another type.
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/properties/contacts",
            json!({"name": "favourite_colour", "label": "Colour code", "type": "number"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, b_def) = app
        .get(&b.token, "/crm/v3/properties/contacts/favourite_colour")
        .await;
    assert_eq!(
        b_def["type"], "string",
        "B's definition is unchanged: {b_def}"
    );
    let (status, body) = app
        .patch(
            &b.token,
            &format!("/crm/v3/objects/contacts/{}", w.b_contact),
            json!({"properties": {"favourite_colour": "sea green"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "B still stores text: {body}");
}
