//! Searches made to keep the database busy: `IN` filters with 100,000
//! values (20 s each), 300,000 values (a database thread at full CPU for
//! minutes after the client had gone), a numeric `IN` long enough to break
//! SQLite's limit on SQL variables (a 500). Every filter's values and words
//! are now capped, so the largest search allowed stays quick; the
//! database's own time bound on each statement is tested with the store.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::TestApp;
use crate::support::{assert_names_property, ids};

const MAX_VALUES: usize = hubbub_hub::search::MAX_FILTER_VALUES;
const MAX_WORDS: usize = hubbub_hub::search::MAX_WORDS;

fn one_filter(filter: Value) -> Value {
    json!({"filterGroups": [{"filters": [filter]}]})
}

fn emails(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("nobody{i}@example.com")).collect()
}

fn words(n: usize) -> String {
    (0..n)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn in_filters_over_the_value_cap_are_refused_naming_their_property() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    for operator in ["IN", "NOT_IN"] {
        let at_cap = one_filter(
            json!({"propertyName": "email", "operator": operator, "values": emails(MAX_VALUES)}),
        );
        let (status, body) = app.search(&a.token, "contacts", at_cap).await;
        assert_eq!(status, StatusCode::OK, "{operator} of {MAX_VALUES}: {body}");

        let over = one_filter(
            json!({"propertyName": "email", "operator": operator, "values": emails(MAX_VALUES + 1)}),
        );
        let (status, body) = app.search(&a.token, "contacts", over).await;
        assert_names_property(status, &body, "email");
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains(&MAX_VALUES.to_string())),
            "the message names the cap: {body}"
        );
    }

    // The attack as it was made: answered at once, before any SQL.
    let started = Instant::now();
    let (status, body) = app
        .search(
            &a.token,
            "contacts",
            one_filter(
                json!({"propertyName": "email", "operator": "NOT_IN", "values": emails(100_000)}),
            ),
        )
        .await;
    assert_names_property(status, &body, "email");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_numeric_in_filter_too_long_for_sqlite_is_a_400_not_a_500() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let amounts: Vec<String> = (0..40_000).map(|i| i.to_string()).collect();
    let (status, body) = app
        .search(
            &a.token,
            "deals",
            one_filter(json!({"propertyName": "amount", "operator": "IN", "values": amounts})),
        )
        .await;
    assert_names_property(status, &body, "amount");
}

#[tokio::test]
async fn words_over_the_cap_are_refused_in_queries_and_token_filters() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let (status, body) = app
        .search(&a.token, "contacts", json!({"query": words(MAX_WORDS)}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .search(&a.token, "contacts", json!({"query": words(MAX_WORDS + 1)}))
        .await;
    assert_names_property(status, &body, "query");

    let token = |n| {
        one_filter(
            json!({"propertyName": "company", "operator": "CONTAINS_TOKEN", "value": words(n)}),
        )
    };
    let (status, body) = app.search(&a.token, "contacts", token(MAX_WORDS)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.search(&a.token, "contacts", token(MAX_WORDS + 1)).await;
    assert_names_property(status, &body, "company");
}

/// The most a search may ask: 18 filters (three groups of six) of 100
/// values or words each, on text, numbers and record ids, and a query of
/// 100 words. It finds the one contact it describes, quickly.
#[tokio::test]
async fn the_largest_search_allowed_answers_quickly_and_correctly() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/properties/contacts",
            json!({"name": "shoe_size", "label": "Shoe size", "type": "number"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let company = words(MAX_WORDS);
    let ada = app
        .create_id(&a.token, "contacts", json!({"email": "ada@analytical.test", "firstname": "Ada", "lastname": "Lovelace", "shoe_size": "5", "company": company}))
        .await;
    for (email, first) in [
        ("charles@babbage.test", "Charles"),
        ("grace@navy.test", "Grace"),
    ] {
        app.create_id(&a.token, "contacts", json!({"email": email, "firstname": first, "lastname": "Other", "shoe_size": "5", "company": company}))
            .await;
    }

    // 100 values of which the last is `hit`.
    let with = |hit: &str, make: &dyn Fn(usize) -> String| -> Vec<String> {
        let mut v: Vec<String> = (0..MAX_VALUES - 1).map(make).collect();
        v.push(hit.to_owned());
        v
    };
    let missing_ids = |i: usize| (1_000_000_000 + i).to_string();
    let sizes = |i: usize| (100 + i).to_string();
    let names = |i: usize| format!("name{i}");
    let matching = json!({"filters": [
        {"propertyName": "email", "operator": "IN", "values": with("ada@analytical.test", &|i| format!("x{i}@example.com"))},
        {"propertyName": "firstname", "operator": "IN", "values": with("ada", &names)},
        {"propertyName": "hs_object_id", "operator": "IN", "values": with(&ada, &missing_ids)},
        {"propertyName": "shoe_size", "operator": "IN", "values": with("5", &sizes)},
        {"propertyName": "lastname", "operator": "NOT_IN", "values": with("other", &names)},
        {"propertyName": "company", "operator": "CONTAINS_TOKEN", "value": company},
    ]});
    let matching_none = |property: &str, make: &dyn Fn(usize) -> String| json!({"propertyName": property, "operator": "IN", "values": (0..MAX_VALUES).map(make).collect::<Vec<_>>()});
    let nothing = json!({"filters": [
        matching_none("email", &|i| format!("y{i}@example.com")),
        matching_none("firstname", &names),
        matching_none("hs_object_id", &missing_ids),
        matching_none("shoe_size", &sizes),
        matching_none("lastname", &names),
        matching_none("city", &names),
    ]});
    let request = json!({
        "filterGroups": [nothing, matching, nothing],
        "query": words(MAX_WORDS),
        "limit": 200,
    });

    let started = Instant::now();
    let (status, body) = app.search(&a.token, "contacts", request).await;
    let took = started.elapsed();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body), [ada], "{body}");
    assert_eq!(body["total"], 1, "{body}");
    assert!(took < Duration::from_secs(2), "took {took:?}");
}
