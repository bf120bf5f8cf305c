//! Associations: the v4 endpoints, `?associations=` on v3 reads, and
//! associations given when creating records.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{TestAccount, TestApp};
use crate::support::{assert_error, id_of, ids, sorted};

/// `toObjectId`s of a v4 association list, as strings, with their
/// association type ids.
pub async fn associated(
    app: &TestApp,
    a: &TestAccount,
    from_type: &str,
    from_id: &str,
    to_type: &str,
) -> Vec<(String, Vec<i64>)> {
    let (status, body) = app
        .get(
            &a.token,
            &format!("/crm/v4/objects/{from_type}/{from_id}/associations/{to_type}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let types = r["associationTypes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["typeId"].as_i64().unwrap())
                .collect();
            (
                r["toObjectId"].to_string().trim_matches('"').to_owned(),
                types,
            )
        })
        .collect()
}

fn spec(type_id: i64) -> Value {
    json!([{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}])
}

#[tokio::test]
async fn v4_create_lists_from_both_sides_and_deletes() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let deal = app
        .create_id(&a.token, "deals", json!({"dealname": "Big one"}))
        .await;
    let ada = app
        .create_contact(&a.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    let bob = app
        .create_contact(&a.token, "bob@example.com", "Bob", "Babbage")
        .await;

    let (status, body) = app
        .call(
            &a.token,
            reqwest::Method::PUT,
            &format!("/crm/v4/objects/deals/{deal}/associations/contacts/{ada}"),
            Some(spec(3)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["fromObjectId"].to_string().trim_matches('"'), deal);
    assert_eq!(body["toObjectId"].to_string().trim_matches('"'), ada);

    let (status, body) = app
        .call(
            &a.token,
            reqwest::Method::PUT,
            &format!("/crm/v4/objects/contacts/{bob}/associations/default/deals/{deal}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let type_ids: Vec<i64> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["associationSpec"]["associationTypeId"].as_i64().unwrap())
        .collect();
    assert_eq!(
        type_ids,
        [4, 3],
        "contact->deal is 4, deal->contact 3: {body}"
    );

    assert_eq!(
        associated(&app, &a, "deals", &deal, "contacts").await,
        [(ada.clone(), vec![3]), (bob.clone(), vec![3])]
    );
    assert_eq!(
        associated(&app, &a, "contacts", &ada, "deals").await,
        [(deal.clone(), vec![4])]
    );
    assert_eq!(
        associated(&app, &a, "contacts", &bob, "deals").await,
        [(deal.clone(), vec![4])]
    );
    assert!(associated(&app, &a, "contacts", &ada, "companies")
        .await
        .is_empty());

    // Re-associating is harmless.
    let (status, body) = app
        .call(
            &a.token,
            reqwest::Method::PUT,
            &format!("/crm/v4/objects/contacts/{ada}/associations/deals/{deal}"),
            Some(spec(4)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        associated(&app, &a, "deals", &deal, "contacts").await.len(),
        2
    );

    let (status, body) = app
        .delete(
            &a.token,
            &format!("/crm/v4/objects/contacts/{ada}/associations/deals/{deal}"),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        associated(&app, &a, "deals", &deal, "contacts").await,
        [(bob.clone(), vec![3])]
    );
    assert!(
        associated(&app, &a, "contacts", &ada, "deals")
            .await
            .is_empty(),
        "gone from both sides"
    );
}

#[tokio::test]
async fn archived_records_drop_out_of_association_lists() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let company = app
        .create_id(&a.token, "companies", json!({"name": "Initech"}))
        .await;
    let ada = app
        .create_contact(&a.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    let (status, body) = app
        .call(
            &a.token,
            reqwest::Method::PUT,
            &format!("/crm/v4/objects/companies/{company}/associations/default/contacts/{ada}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        associated(&app, &a, "companies", &company, "contacts")
            .await
            .len(),
        1
    );
    let (status, _) = app
        .delete(&a.token, &format!("/crm/v3/objects/contacts/{ada}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(associated(&app, &a, "companies", &company, "contacts")
        .await
        .is_empty());
    let (status, body) = app
        .get(
            &a.token,
            &format!("/crm/v4/objects/contacts/{ada}/associations/companies"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn association_lists_page() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let company = app
        .create_id(&a.token, "companies", json!({"name": "Initech"}))
        .await;
    let mut contacts = Vec::new();
    for i in 0..5 {
        let id = app
            .create_contact(&a.token, &format!("c{i}@example.com"), "C", "Contact")
            .await;
        let (status, body) = app
            .call(
                &a.token,
                reqwest::Method::PUT,
                &format!("/crm/v4/objects/companies/{company}/associations/contacts/{id}"),
                Some(spec(280)),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        contacts.push(id);
    }
    let mut seen = Vec::new();
    let mut path = format!("/crm/v4/objects/companies/{company}/associations/contacts?limit=2");
    for _ in 0..3 {
        let (status, body) = app.get(&a.token, &path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        seen.extend(
            body["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["toObjectId"].to_string()),
        );
        match body["paging"]["next"]["after"].as_str() {
            Some(after) => {
                path = format!(
                "/crm/v4/objects/companies/{company}/associations/contacts?limit=2&after={after}"
            )
            }
            None => break,
        }
    }
    assert_eq!(sorted(seen), sorted(contacts));
}

#[tokio::test]
async fn missing_records_and_wrong_types_are_refused() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let deal = app
        .create_id(&a.token, "deals", json!({"dealname": "Big one"}))
        .await;
    let ada = app
        .create_contact(&a.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    let put = |path: String, body: Option<Value>| {
        let app = &app;
        let token = a.token.clone();
        async move { app.call(&token, reqwest::Method::PUT, &path, body).await }
    };

    for (path, body) in [
        (
            format!("/crm/v4/objects/deals/{deal}/associations/contacts/999999"),
            Some(spec(3)),
        ),
        (
            format!("/crm/v4/objects/deals/999999/associations/contacts/{ada}"),
            Some(spec(3)),
        ),
        (
            format!("/crm/v4/objects/deals/{deal}/associations/default/contacts/999999"),
            None,
        ),
        (
            format!("/crm/v4/objects/deals/{deal}/associations/contacts/abc"),
            Some(spec(3)),
        ),
        // The contact's id under the wrong type.
        (
            format!("/crm/v4/objects/deals/{deal}/associations/companies/{ada}"),
            Some(spec(341)),
        ),
    ] {
        let (status, body) = put(path.clone(), body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert_error(&body, "OBJECT_NOT_FOUND");
    }
    let (status, body) = app
        .get(
            &a.token,
            "/crm/v4/objects/deals/999999/associations/contacts",
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    // A type id that does not join deals to contacts, an empty list, a
    // category that does not exist.
    for body in [
        spec(4),
        json!([]),
        json!([{"associationCategory": "USER_DEFINED", "associationTypeId": 3}]),
    ] {
        let (status, answer) = put(
            format!("/crm/v4/objects/deals/{deal}/associations/contacts/{ada}"),
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_error(&answer, "VALIDATION_ERROR");
    }
    assert!(
        associated(&app, &a, "deals", &deal, "contacts")
            .await
            .is_empty(),
        "nothing associated"
    );
}

#[tokio::test]
async fn v3_reads_include_associations_when_asked() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let deal = app
        .create_id(&a.token, "deals", json!({"dealname": "Big one"}))
        .await;
    let other = app
        .create_id(&a.token, "deals", json!({"dealname": "Lonely"}))
        .await;
    let ada = app
        .create_contact(&a.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    let company = app
        .create_id(&a.token, "companies", json!({"name": "Initech"}))
        .await;
    for path in [
        format!("/crm/v4/objects/deals/{deal}/associations/default/contacts/{ada}"),
        format!("/crm/v4/objects/deals/{deal}/associations/default/companies/{company}"),
    ] {
        let (status, body) = app.call(&a.token, reqwest::Method::PUT, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    let (status, read) = app
        .get(
            &a.token,
            &format!("/crm/v3/objects/deals/{deal}?associations=contacts,companies"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(
        read["associations"]["contacts"]["results"],
        json!([{"id": ada, "type": "deal_to_contact"}]),
        "{read}"
    );
    assert_eq!(
        read["associations"]["companies"]["results"][0]["id"],
        company.as_str(),
        "{read}"
    );

    let (_, read) = app
        .get(
            &a.token,
            &format!("/crm/v3/objects/contacts/{ada}?associations=deals&associations=companies"),
        )
        .await;
    assert_eq!(
        read["associations"]["deals"]["results"],
        json!([{"id": deal, "type": "contact_to_deal"}]),
        "{read}"
    );
    assert!(read["associations"].get("companies").is_none(), "{read}");

    let (_, plain) = app
        .get(&a.token, &format!("/crm/v3/objects/deals/{deal}"))
        .await;
    assert!(
        plain.get("associations").is_none(),
        "only when asked: {plain}"
    );

    let (status, list) = app
        .get(&a.token, "/crm/v3/objects/deals?associations=contacts")
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    for record in list["results"].as_array().unwrap() {
        if record["id"] == deal.as_str() {
            assert_eq!(
                record["associations"]["contacts"]["results"][0]["id"],
                ada.as_str(),
                "{list}"
            );
        } else {
            assert_eq!(record["id"], other.as_str());
            assert!(record.get("associations").is_none(), "{list}");
        }
    }

    let (status, body) = app
        .get(
            &a.token,
            &format!("/crm/v3/objects/deals/{deal}?associations=widgets"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn associations_given_on_create_are_made() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let ada = app
        .create_contact(&a.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    let company = app
        .create_id(&a.token, "companies", json!({"name": "Initech"}))
        .await;
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/deals",
            json!({
                "properties": {"dealname": "Big one"},
                "associations": [
                    {"to": {"id": ada}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}]},
                    {"to": {"id": company.parse::<i64>().unwrap()}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}]}
                ]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let deal = id_of(&body);
    assert_eq!(
        associated(&app, &a, "deals", &deal, "contacts").await,
        [(ada.clone(), vec![3])]
    );
    assert_eq!(
        associated(&app, &a, "contacts", &ada, "deals").await,
        [(deal.clone(), vec![4])]
    );
    assert_eq!(
        associated(&app, &a, "companies", &company, "deals").await,
        [(deal.clone(), vec![6])]
    );

    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/notes/batch/create",
            json!({"inputs": [
                {"properties": {"hs_timestamp": "2024-05-01", "hs_note_body": "One"}, "associations": [{"to": {"id": ada}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}]}]},
                {"properties": {"hs_timestamp": "2024-05-02", "hs_note_body": "Two"}, "associations": [{"to": {"id": deal}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 214}]}]}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let notes = ids(&body);
    assert_eq!(
        associated(&app, &a, "contacts", &ada, "notes").await,
        [(notes[0].clone(), vec![201])]
    );
    assert_eq!(
        associated(&app, &a, "deals", &deal, "notes").await,
        [(notes[1].clone(), vec![213])]
    );
}

#[tokio::test]
async fn a_create_with_a_bad_association_creates_nothing() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let ada = app
        .create_contact(&a.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    for association in [
        json!({"to": {"id": "999999"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}]}),
        // 5 joins deals to companies; ada is a contact.
        json!({"to": {"id": ada}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}]}),
    ] {
        let (status, body) = app
            .post(
                &a.token,
                "/crm/v3/objects/deals",
                json!({"properties": {"dealname": "Big one"}, "associations": [association]}),
            )
            .await;
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::NOT_FOUND,
            "{status}: {body}"
        );
        assert_eq!(body["status"], "error", "{body}");
    }
    assert_eq!(app.count(&a.token, "deals").await, 0);
    assert!(associated(&app, &a, "contacts", &ada, "deals")
        .await
        .is_empty());
}
