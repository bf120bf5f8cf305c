//! How the control API answers: an action's JSON, or its error as a 4xx
//! with `{"ok": false, "error": …, "detail": …}`; and how it reads a JSON
//! body (empty counts as `{}`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::actions::{ActionError, ActionResult};

pub(super) fn reply(result: ActionResult) -> Response {
    match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => failure(e),
    }
}

pub(super) fn failure(e: ActionError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    (
        status,
        Json(json!({"ok": false, "error": e.error, "detail": e.detail})),
    )
        .into_response()
}

pub(super) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ActionError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body)
        .map_err(|e| ActionError::new(400, "invalid_arguments").detail(e.to_string()))
}
