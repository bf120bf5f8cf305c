//! Small helpers the API tests share: creating records, searching, and
//! reading HubSpot's error body.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::TestApp;

impl TestApp {
    /// Creates a record of `object_type` with `properties`, asserting 201;
    /// returns the answer.
    pub async fn create(&self, token: &str, object_type: &str, properties: Value) -> Value {
        let (status, body) = self
            .post(
                token,
                &format!("/crm/v3/objects/{object_type}"),
                json!({ "properties": properties }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "create {object_type}: {body}");
        body
    }

    /// Like `create`, returning only the new id.
    pub async fn create_id(&self, token: &str, object_type: &str, properties: Value) -> String {
        id_of(&self.create(token, object_type, properties).await)
    }

    /// One property of a record as the API reads it ("" when unset),
    /// asserting the read succeeds.
    pub async fn property(&self, token: &str, object_type: &str, id: &str, name: &str) -> String {
        let path = format!("/crm/v3/objects/{object_type}/{id}?properties={name}");
        let (status, body) = self.get(token, &path).await;
        assert_eq!(status, StatusCode::OK, "read {path}: {body}");
        body["properties"][name]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn search(
        &self,
        token: &str,
        object_type: &str,
        request: Value,
    ) -> (StatusCode, Value) {
        self.post(
            token,
            &format!("/crm/v3/objects/{object_type}/search"),
            request,
        )
        .await
    }

    /// The ids a search finds, asserting it succeeds.
    pub async fn search_ids(&self, token: &str, object_type: &str, request: Value) -> Vec<String> {
        let (status, body) = self.search(token, object_type, request.clone()).await;
        assert_eq!(status, StatusCode::OK, "search {request}: {body}");
        ids(&body)
    }

    /// The ids a search with one filter finds.
    pub async fn filter_ids(&self, token: &str, object_type: &str, filter: Value) -> Vec<String> {
        self.search_ids(
            token,
            object_type,
            json!({"filterGroups": [{"filters": [filter]}], "limit": 200}),
        )
        .await
    }

    /// How many live records of a type a search without filters counts.
    pub async fn count(&self, token: &str, object_type: &str) -> i64 {
        let (status, body) = self.search(token, object_type, json!({})).await;
        assert_eq!(status, StatusCode::OK, "count {object_type}: {body}");
        body["total"].as_i64().expect("total")
    }
}

pub fn id_of(record: &Value) -> String {
    record["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {record}"))
        .to_owned()
}

/// The `id` of every entry of `results`, in order.
pub fn ids(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results in {body}"))
        .iter()
        .map(id_of)
        .collect()
}

/// Sorted copies, for comparing sets of ids.
pub fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Asserts `body` is HubSpot's error shape with `category`.
pub fn assert_error(body: &Value, category: &str) {
    assert_eq!(body["status"], "error", "{body}");
    assert_eq!(body["category"], category, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "message: {body}"
    );
    let correlation = body["correlationId"]
        .as_str()
        .unwrap_or_else(|| panic!("correlationId: {body}"));
    assert!(
        uuid::Uuid::parse_str(correlation).is_ok(),
        "correlationId is a UUID: {body}"
    );
}

/// Asserts a 400 validation error that names `property` in
/// `errors[].context.propertyName`.
pub fn assert_names_property(status: StatusCode, body: &Value, property: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_error(body, "VALIDATION_ERROR");
    assert!(
        error_properties(body).iter().any(|p| p == property),
        "error names {property}: {body}"
    );
}

/// Every property named in `errors[].context.propertyName`.
pub fn error_properties(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|e| {
            e["context"]["propertyName"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|p| p.as_str().map(str::to_owned))
        .collect()
}

/// Milliseconds since the epoch of an ISO 8601 instant as the API writes it.
pub fn millis(iso: &Value) -> i64 {
    let text = iso
        .as_str()
        .unwrap_or_else(|| panic!("not an instant: {iso}"));
    assert!(
        text.ends_with('Z') && text.contains('T'),
        "ISO 8601 in UTC: {text}"
    );
    hubbub_hub::timestamp::parse_instant(text).unwrap_or_else(|| panic!("{text} is not an instant"))
}

/// Waits (at most a millisecond) until the wall clock has passed `iso`, so
/// that the next write gets a later timestamp than the one shown.
pub async fn clock_past(iso: &Value) {
    let shown = millis(iso);
    while hubbub_hub::timestamp::now_millis() <= shown {
        tokio::task::yield_now().await;
    }
}
