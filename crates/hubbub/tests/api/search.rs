//! `POST /crm/v3/objects/{type}/search`: every filter operator, groups,
//! free-text query, sorting and paging.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{TestAccount, TestApp};
use crate::support::{assert_error, assert_names_property, clock_past, id_of, ids, sorted};

/// Four contacts to search among.
struct People {
    ada: String,
    charles: String,
    grace: String,
    alan: String,
}

async fn people(app: &TestApp, a: &TestAccount) -> People {
    let ada = app
        .create_id(&a.token, "contacts", json!({"email": "ada.lovelace@analytical.test", "firstname": "Ada", "lastname": "Lovelace", "lifecyclestage": "lead", "city": "London", "company": "Analytical Engines Ltd"}))
        .await;
    let charles = app
        .create_id(&a.token, "contacts", json!({"email": "charles@babbage.test", "firstname": "Charles", "lastname": "Babbage", "lifecyclestage": "customer", "city": "London"}))
        .await;
    let grace = app
        .create_id(&a.token, "contacts", json!({"email": "grace@navy.test", "firstname": "Grace", "lastname": "Hopper", "city": "Arlington"}))
        .await;
    let alan = app
        .create_id(&a.token, "contacts", json!({"email": "alan@bletchley.test", "firstname": "Alan", "lastname": "Turing", "lifecyclestage": "lead"}))
        .await;
    People {
        ada,
        charles,
        grace,
        alan,
    }
}

/// Four deals: amounts 100, 250.5, 1000 and none; close dates to match.
struct Deals {
    small: String,
    medium: String,
    large: String,
    unpriced: String,
}

async fn deals(app: &TestApp, a: &TestAccount) -> Deals {
    let small = app
        .create_id(
            &a.token,
            "deals",
            json!({"dealname": "Small", "amount": "100", "closedate": "2024-01-15"}),
        )
        .await;
    let medium = app
        .create_id(
            &a.token,
            "deals",
            json!({"dealname": "Medium", "amount": 250.5, "closedate": "2024-06-01T12:00:00Z"}),
        )
        .await;
    let large = app
        .create_id(
            &a.token,
            "deals",
            json!({"dealname": "Large", "amount": "1000", "closedate": "1735689600000"}),
        )
        .await;
    let unpriced = app
        .create_id(&a.token, "deals", json!({"dealname": "Unpriced"}))
        .await;
    Deals {
        small,
        medium,
        large,
        unpriced,
    }
}

fn filter(property: &str, operator: &str, value: Value) -> Value {
    json!({"propertyName": property, "operator": operator, "value": value})
}

fn set(ids: &[&String]) -> Vec<String> {
    sorted(ids.iter().map(|s| s.to_string()).collect())
}

#[tokio::test]
async fn eq_and_neq_compare_text_case_insensitively() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let p = people(&app, &a).await;
    let found = app
        .filter_ids(
            &a.token,
            "contacts",
            filter("firstname", "EQ", json!("ADA")),
        )
        .await;
    assert_eq!(found, vec![p.ada.clone()]);
    let found = app
        .filter_ids(
            &a.token,
            "contacts",
            filter("email", "EQ", json!("Charles@Babbage.test")),
        )
        .await;
    assert_eq!(found, vec![p.charles.clone()]);
    let found = app
        .filter_ids(&a.token, "contacts", filter("firstname", "EQ", json!("Ad")))
        .await;
    assert!(found.is_empty(), "EQ is the whole value: {found:?}");

    let found = app
        .filter_ids(
            &a.token,
            "contacts",
            filter("lifecyclestage", "NEQ", json!("lead")),
        )
        .await;
    assert!(found.contains(&p.charles), "{found:?}");
    assert!(
        !found.contains(&p.ada) && !found.contains(&p.alan),
        "{found:?}"
    );
    let found = app
        .filter_ids(
            &a.token,
            "contacts",
            filter("hs_object_id", "EQ", json!(p.grace)),
        )
        .await;
    assert_eq!(found, vec![p.grace.clone()]);
}

#[tokio::test]
async fn numbers_compare_as_numbers() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let d = deals(&app, &a).await;
    let cases: Vec<(Value, Vec<String>)> = vec![
        (filter("amount", "EQ", json!("1000.0")), set(&[&d.large])),
        (filter("amount", "EQ", json!(250.5)), set(&[&d.medium])),
        (filter("amount", "LT", json!("250.5")), set(&[&d.small])),
        (
            filter("amount", "LTE", json!("250.5")),
            set(&[&d.small, &d.medium]),
        ),
        (filter("amount", "GT", json!("250.5")), set(&[&d.large])),
        (
            filter("amount", "GTE", json!("250.5")),
            set(&[&d.medium, &d.large]),
        ),
        // "1000" < "99" as text; as numbers every priced deal is above 99.
        (
            filter("amount", "GT", json!("99")),
            set(&[&d.small, &d.medium, &d.large]),
        ),
        (
            json!({"propertyName": "amount", "operator": "BETWEEN", "value": "100", "highValue": "250.5"}),
            set(&[&d.small, &d.medium]),
        ),
        (
            json!({"propertyName": "amount", "operator": "IN", "values": ["100", 1000]}),
            set(&[&d.small, &d.large]),
        ),
        (
            filter("amount", "HAS_PROPERTY", Value::Null),
            set(&[&d.small, &d.medium, &d.large]),
        ),
        (
            filter("amount", "NOT_HAS_PROPERTY", Value::Null),
            set(&[&d.unpriced]),
        ),
    ];
    for (f, expected) in cases {
        let found = app.filter_ids(&a.token, "deals", f.clone()).await;
        assert_eq!(sorted(found), expected, "{f}");
    }
    for f in [
        filter("amount", "NEQ", json!("1000")),
        json!({"propertyName": "amount", "operator": "NOT_IN", "values": ["1000"]}),
    ] {
        let found = app.filter_ids(&a.token, "deals", f.clone()).await;
        assert!(
            found.contains(&d.small) && found.contains(&d.medium),
            "{f}: {found:?}"
        );
        assert!(!found.contains(&d.large), "{f}: {found:?}");
    }
}

#[tokio::test]
async fn dates_compare_as_instants() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let d = deals(&app, &a).await;
    let cases: Vec<(Value, Vec<String>)> = vec![
        (
            filter("closedate", "LT", json!("2024-06-01")),
            set(&[&d.small]),
        ),
        (
            filter("closedate", "GTE", json!("2024-06-01")),
            set(&[&d.medium, &d.large]),
        ),
        (
            filter("closedate", "EQ", json!("1717243200000")),
            set(&[&d.medium]),
        ),
        (
            filter("closedate", "EQ", json!("2024-06-01T12:00:00.000Z")),
            set(&[&d.medium]),
        ),
        (
            filter("closedate", "LTE", json!(1717243200000_i64)),
            set(&[&d.small, &d.medium]),
        ),
        (
            json!({"propertyName": "closedate", "operator": "BETWEEN", "value": "2024-01-01", "highValue": "2024-12-31T23:59:59Z"}),
            set(&[&d.small, &d.medium]),
        ),
    ];
    for (f, expected) in cases {
        let found = app.filter_ids(&a.token, "deals", f.clone()).await;
        assert_eq!(sorted(found), expected, "{f}");
    }
}

#[tokio::test]
async fn createdate_filters_by_creation_instant() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let mut created = Vec::new();
    for i in 0..3 {
        let record = app
            .create(
                &a.token,
                "companies",
                json!({"name": format!("Company {i}")}),
            )
            .await;
        clock_past(&record["properties"]["createdate"]).await;
        created.push(record);
    }
    let id = |i: usize| id_of(&created[i]);
    let at = |i: usize| created[i]["properties"]["createdate"].clone();
    let cases: Vec<(Value, Vec<String>)> = vec![
        (
            filter("createdate", "GTE", at(1)),
            sorted(vec![id(1), id(2)]),
        ),
        (filter("createdate", "GT", at(1)), vec![id(2)]),
        (filter("createdate", "LT", at(1)), vec![id(0)]),
        (filter("createdate", "EQ", at(2)), vec![id(2)]),
        (
            json!({"propertyName": "createdate", "operator": "BETWEEN", "value": at(0), "highValue": at(1)}),
            sorted(vec![id(0), id(1)]),
        ),
        (filter("hs_lastmodifieddate", "LTE", at(0)), vec![id(0)]),
    ];
    for (f, expected) in cases {
        let found = app.filter_ids(&a.token, "companies", f.clone()).await;
        assert_eq!(sorted(found), expected, "{f}");
    }
}

#[tokio::test]
async fn in_and_not_in_match_any_of_the_values() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let p = people(&app, &a).await;
    let found = app
        .filter_ids(&a.token, "contacts", json!({"propertyName": "lifecyclestage", "operator": "IN", "values": ["lead", "CUSTOMER"]}))
        .await;
    assert_eq!(sorted(found), set(&[&p.ada, &p.charles, &p.alan]));
    let found = app
        .filter_ids(
            &a.token,
            "contacts",
            json!({"propertyName": "city", "operator": "IN", "values": ["arlington"]}),
        )
        .await;
    assert_eq!(found, vec![p.grace.clone()]);
    let found = app
        .filter_ids(
            &a.token,
            "contacts",
            json!({"propertyName": "lifecyclestage", "operator": "NOT_IN", "values": ["lead"]}),
        )
        .await;
    assert!(found.contains(&p.charles), "{found:?}");
    assert!(
        !found.contains(&p.ada) && !found.contains(&p.alan),
        "{found:?}"
    );

    let (status, body) = app
        .search(&a.token, "contacts", json!({"filterGroups": [{"filters": [{"propertyName": "city", "operator": "IN", "values": []}]}]}))
        .await;
    assert_names_property(status, &body, "city");
}

#[tokio::test]
async fn has_property_and_not_has_property() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let p = people(&app, &a).await;
    let found = app
        .filter_ids(
            &a.token,
            "contacts",
            filter("lifecyclestage", "HAS_PROPERTY", Value::Null),
        )
        .await;
    assert_eq!(sorted(found), set(&[&p.ada, &p.charles, &p.alan]));
    let found = app
        .filter_ids(
            &a.token,
            "contacts",
            filter("city", "NOT_HAS_PROPERTY", Value::Null),
        )
        .await;
    assert_eq!(found, vec![p.alan.clone()]);

    // Clearing a value takes the record out of HAS_PROPERTY.
    let (status, _) = app
        .patch(
            &a.token,
            &format!("/crm/v3/objects/contacts/{}", p.ada),
            json!({"properties": {"lifecyclestage": ""}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let found = app
        .filter_ids(
            &a.token,
            "contacts",
            filter("lifecyclestage", "HAS_PROPERTY", Value::Null),
        )
        .await;
    assert_eq!(sorted(found), set(&[&p.charles, &p.alan]));
}

#[tokio::test]
async fn contains_token_matches_words_and_prefixes() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let p = people(&app, &a).await;
    let cases: Vec<(Value, Vec<String>)> = vec![
        (
            filter("email", "CONTAINS_TOKEN", json!("analytical")),
            set(&[&p.ada]),
        ),
        (
            filter(
                "email",
                "CONTAINS_TOKEN",
                json!("ada.lovelace@analytical.test"),
            ),
            set(&[&p.ada]),
        ),
        (
            filter("email", "CONTAINS_TOKEN", json!("*@babbage.test")),
            set(&[&p.charles]),
        ),
        (
            filter("lastname", "CONTAINS_TOKEN", json!("LOVELACE")),
            set(&[&p.ada]),
        ),
        (filter("lastname", "CONTAINS_TOKEN", json!("lov")), vec![]),
        (
            filter("lastname", "CONTAINS_TOKEN", json!("lov*")),
            set(&[&p.ada]),
        ),
        (
            filter("company", "CONTAINS_TOKEN", json!("eng*")),
            set(&[&p.ada]),
        ),
        (
            filter("email", "CONTAINS_TOKEN", json!("test")),
            set(&[&p.ada, &p.charles, &p.grace, &p.alan]),
        ),
        (
            filter("firstname", "CONTAINS_TOKEN", json!("a*")),
            set(&[&p.ada, &p.alan]),
        ),
    ];
    for (f, expected) in cases {
        let found = app.filter_ids(&a.token, "contacts", f.clone()).await;
        assert_eq!(sorted(found), expected, "{f}");
    }

    let found = app
        .filter_ids(
            &a.token,
            "contacts",
            filter("city", "NOT_CONTAINS_TOKEN", json!("london")),
        )
        .await;
    assert!(found.contains(&p.grace), "{found:?}");
    assert!(
        !found.contains(&p.ada) && !found.contains(&p.charles),
        "{found:?}"
    );
    let found = app
        .filter_ids(
            &a.token,
            "contacts",
            filter("lastname", "NOT_CONTAINS_TOKEN", json!("hop*")),
        )
        .await;
    assert_eq!(sorted(found), set(&[&p.ada, &p.charles, &p.alan]));

    // Tokens follow updates.
    let (status, _) = app
        .patch(
            &a.token,
            &format!("/crm/v3/objects/contacts/{}", p.grace),
            json!({"properties": {"lastname": "Murray Hopper"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let found = app
        .filter_ids(
            &a.token,
            "contacts",
            filter("lastname", "CONTAINS_TOKEN", json!("murray")),
        )
        .await;
    assert_eq!(found, vec![p.grace.clone()]);

    let (status, body) = app
        .search(&a.token, "deals", json!({"filterGroups": [{"filters": [filter("amount", "CONTAINS_TOKEN", json!("1"))]}]}))
        .await;
    assert_names_property(status, &body, "amount");
}

#[tokio::test]
async fn groups_are_ored_and_filters_within_a_group_anded() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let p = people(&app, &a).await;
    let and = app
        .search_ids(
            &a.token,
            "contacts",
            json!({"filterGroups": [{"filters": [filter("city", "EQ", json!("london")), filter("lifecyclestage", "EQ", json!("lead"))]}]}),
        )
        .await;
    assert_eq!(and, vec![p.ada.clone()]);
    let or = app
        .search_ids(
            &a.token,
            "contacts",
            json!({"filterGroups": [
                {"filters": [filter("firstname", "EQ", json!("grace"))]},
                {"filters": [filter("city", "EQ", json!("london")), filter("lifecyclestage", "EQ", json!("customer"))]}
            ]}),
        )
        .await;
    assert_eq!(sorted(or), set(&[&p.charles, &p.grace]));
    // A free-text query narrows the filter groups further.
    let both = app
        .search_ids(
            &a.token,
            "contacts",
            json!({"query": "babbage", "filterGroups": [{"filters": [filter("city", "EQ", json!("london"))]}]}),
        )
        .await;
    assert_eq!(both, vec![p.charles.clone()]);
}

#[tokio::test]
async fn query_searches_names_and_emails_by_word_prefix() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let d = deals(&app, &a).await;
    let p = people(&app, &a).await;
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("medium", vec![]),
        ("lov", set(&[&p.ada])),
        ("Ada Lov", set(&[&p.ada])),
        ("babbage", set(&[&p.charles])),
        ("navy", set(&[&p.grace])),
        ("grace hopper", set(&[&p.grace])),
        ("grace turing", vec![]),
        ("a", set(&[&p.ada, &p.alan])),
        ("engines", set(&[&p.ada])),
        ("arlington", vec![]),
    ];
    for (query, expected) in cases {
        let found = app
            .search_ids(&a.token, "contacts", json!({"query": query}))
            .await;
        assert_eq!(sorted(found), expected, "query {query:?}");
    }
    let found = app
        .search_ids(&a.token, "deals", json!({"query": "medium"}))
        .await;
    assert_eq!(found, [d.medium]);
}

#[tokio::test]
async fn sorts_ascending_and_descending() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let d = deals(&app, &a).await;
    let p = people(&app, &a).await;
    let by_lastname =
        |direction: &str| json!({"sorts": [{"propertyName": "lastname", "direction": direction}]});
    let asc = app
        .search_ids(&a.token, "contacts", by_lastname("ASCENDING"))
        .await;
    assert_eq!(
        asc,
        [
            p.charles.clone(),
            p.grace.clone(),
            p.ada.clone(),
            p.alan.clone()
        ]
    );
    let desc = app
        .search_ids(&a.token, "contacts", by_lastname("DESCENDING"))
        .await;
    assert_eq!(
        desc,
        [
            p.alan.clone(),
            p.ada.clone(),
            p.grace.clone(),
            p.charles.clone()
        ]
    );
    let bare = app
        .search_ids(&a.token, "contacts", json!({"sorts": ["lastname"]}))
        .await;
    assert_eq!(bare, asc, "a bare name sorts ascending");

    let by_amount =
        |direction: &str| json!({"sorts": [{"propertyName": "amount", "direction": direction}]});
    let asc = app
        .search_ids(&a.token, "deals", by_amount("ASCENDING"))
        .await;
    assert_eq!(
        asc,
        [
            d.small.clone(),
            d.medium.clone(),
            d.large.clone(),
            d.unpriced.clone()
        ],
        "numbers sort as numbers"
    );
    let desc = app
        .search_ids(&a.token, "deals", by_amount("DESCENDING"))
        .await;
    assert_eq!(
        desc[..3],
        [d.large.clone(), d.medium.clone(), d.small.clone()]
    );
    let by_close = app
        .search_ids(
            &a.token,
            "deals",
            json!({"sorts": [{"propertyName": "closedate", "direction": "DESCENDING"}]}),
        )
        .await;
    assert_eq!(
        by_close[..3],
        [d.large.clone(), d.medium.clone(), d.small.clone()]
    );
    let by_created = app
        .search_ids(
            &a.token,
            "deals",
            json!({"sorts": [{"propertyName": "hs_object_id", "direction": "DESCENDING"}]}),
        )
        .await;
    assert_eq!(by_created, [d.unpriced, d.large, d.medium, d.small]);

    let (status, body) = app
        .search(
            &a.token,
            "contacts",
            json!({"sorts": [{"propertyName": "lastname", "direction": "SIDEWAYS"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error(&body, "VALIDATION_ERROR");
    let (status, body) = app
        .search(&a.token, "contacts", json!({"sorts": ["shoe_size"]}))
        .await;
    assert_names_property(status, &body, "shoe_size");
}

#[tokio::test]
async fn limit_and_after_page_through_every_match_with_a_total() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let inputs: Vec<Value> = (0..12)
        .map(|i| json!({"properties": {"email": format!("p{i}@example.com"), "lastname": "Pager"}}))
        .collect();
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/contacts/batch/create",
            json!({"inputs": inputs}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let created = ids(&body);
    app.create_contact(&a.token, "other@example.com", "Not", "Matching")
        .await;

    let mut seen = Vec::new();
    let mut after = Value::Null;
    for expected_len in [5, 5, 2] {
        let (status, page) = app
            .search(
                &a.token,
                "contacts",
                json!({"filterGroups": [{"filters": [filter("lastname", "EQ", json!("pager"))]}], "limit": 5, "after": after}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["total"], 12, "{page}");
        let page_ids = ids(&page);
        assert_eq!(page_ids.len(), expected_len, "{page}");
        seen.extend(page_ids);
        after = page["paging"]["next"]["after"].clone();
    }
    assert_eq!(after, Value::Null, "no next page after the last");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 12, "{seen:?}");
    assert_eq!(sorted(seen), sorted(created));

    let (_, all) = app
        .search(&a.token, "contacts", json!({"limit": 200}))
        .await;
    assert_eq!(all["total"], 13);
    assert_eq!(ids(&all).len(), 13);
    let (_, default) = app.search(&a.token, "contacts", json!({})).await;
    assert_eq!(ids(&default).len(), 10, "default limit is 10");
    let (_, beyond) = app
        .search(&a.token, "contacts", json!({"after": "50"}))
        .await;
    assert_eq!(beyond["total"], 13);
    assert!(ids(&beyond).is_empty());
    for bad in [
        json!({"limit": 0}),
        json!({"limit": 201}),
        json!({"after": "abc"}),
        json!({"after": "-1"}),
    ] {
        let (status, body) = app.search(&a.token, "contacts", bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_error(&body, "VALIDATION_ERROR");
    }
}

#[tokio::test]
async fn search_returns_the_properties_asked_for() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let p = people(&app, &a).await;
    let (status, body) = app
        .search(
            &a.token,
            "contacts",
            json!({"query": "ada", "properties": ["city", "lifecyclestage"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body), [p.ada]);
    let props = body["results"][0]["properties"].as_object().unwrap();
    assert_eq!(props["city"], "London");
    assert_eq!(props["lifecyclestage"], "lead");
    assert!(!props.contains_key("firstname"), "{body}");
    assert!(
        props.contains_key("hs_object_id") && props.contains_key("createdate"),
        "{body}"
    );
}

#[tokio::test]
async fn bad_filters_are_refused_naming_the_property() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    people(&app, &a).await;
    let cases = [
        (filter("shoe_size", "EQ", json!("9")), "shoe_size"),
        (filter("email", "LIKE", json!("x")), "email"),
        (filter("email", "EQ", Value::Null), "email"),
        (
            json!({"propertyName": "amount", "operator": "BETWEEN", "value": "1"}),
            "amount",
        ),
        (filter("closedate", "GT", json!("soon")), "closedate"),
        (filter("amount", "GT", json!("lots")), "amount"),
    ];
    for (f, property) in cases {
        let object_type = if ["amount", "closedate"].contains(&property) {
            "deals"
        } else {
            "contacts"
        };
        let (status, body) = app
            .search(
                &a.token,
                object_type,
                json!({"filterGroups": [{"filters": [f]}]}),
            )
            .await;
        assert_names_property(status, &body, property);
    }
    let (status, body) = app
        .search(&a.token, "contacts", json!({"filterGroups": [{"filters": [filter("firstname", "EQ", json!("Ada"))]}], "sort": "typo"}))
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown request fields are refused: {body}"
    );
}

#[tokio::test]
async fn archived_records_never_match() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let p = people(&app, &a).await;
    let (status, _) = app
        .delete(&a.token, &format!("/crm/v3/objects/contacts/{}", p.ada))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let searches = [
        json!({"filterGroups": [{"filters": [filter("firstname", "EQ", json!("ada"))]}]}),
        json!({"filterGroups": [{"filters": [filter("lastname", "CONTAINS_TOKEN", json!("lov*"))]}]}),
        json!({"filterGroups": [{"filters": [filter("city", "HAS_PROPERTY", Value::Null)]}]}),
        json!({"filterGroups": [{"filters": [filter("firstname", "NEQ", json!("nobody"))]}]}),
        json!({"query": "lovelace"}),
        json!({}),
    ];
    for s in searches {
        let (status, body) = app.search(&a.token, "contacts", s.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(!ids(&body).contains(&p.ada), "{s}: {body}");
        let total = body["total"].as_i64().unwrap();
        assert_eq!(
            total,
            ids(&body).len() as i64,
            "{s}: total counts live records only: {body}"
        );
    }
    let found = app
        .filter_ids(&a.token, "contacts", filter("city", "EQ", json!("london")))
        .await;
    assert_eq!(found, vec![p.charles.clone()]);

    // The archived contact's email is free again, and only the new record matches.
    let again = app
        .create_id(
            &a.token,
            "contacts",
            json!({"email": "ada.lovelace@analytical.test", "firstname": "Ada"}),
        )
        .await;
    let found = app
        .filter_ids(
            &a.token,
            "contacts",
            filter("email", "EQ", json!("ada.lovelace@analytical.test")),
        )
        .await;
    assert_eq!(found, [again]);
}
