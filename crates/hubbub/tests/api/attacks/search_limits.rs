//! Searches made to keep the database busy: `IN` filters with 100,000
//! values (20 s each), 300,000 values (a database thread at full CPU for
//! minutes after the client had gone), a numeric `IN` long enough to break
//! SQLite's limit on SQL variables (a 500). Every filter's values and words
//! are now capped.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::TestApp;
use crate::support::assert_names_property;

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
