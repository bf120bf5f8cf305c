//! The Web API at `POST /api/{method}` (GET works too, as on Slack): form
//! or JSON arguments, a token from `Authorization: Bearer` or the `token`
//! argument, Slack's `{"ok": …}` envelope and error codes, scopes checked
//! per method, rate limits by tier and injected faults.
//!
//! Beneath everything here, `request` holds what a call carries (arguments,
//! caller, the handler's `Ctx`, Slack's errors); `answers`, `lookup` and
//! `objects` hold what several methods share (an answer's fields and
//! paging, the channel a call names, Slack's message and conversation
//! objects). The method modules (`chat`, `conversations`, …) build on
//! those, `methods` holds the table and the dispatcher over them, and this
//! module the HTTP layer.

mod answers;
mod block_kit;
mod chat;
mod conversations;
mod lookup;
mod methods;
mod oauth;
mod objects;
mod reactions;
mod request;
mod team_users;
mod views;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State as AxumState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};

use crate::ids::now_secs;
use crate::sandbox::Sandbox;
use crate::state::Call;

pub use crate::rate_limit::Tier;
pub use methods::{method_spec, MethodSpec, TokenRule};
pub use request::{ApiError, ApiResult, Args, Caller};

pub fn routes() -> Router<Sandbox> {
    Router::new().route("/api/{method}", get(call).post(call))
}

/// Reads form, JSON and query arguments into one map.
fn parse_args(headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Result<Args, ApiError> {
    let mut args = Map::new();
    let pairs = |raw: &[u8]| -> Result<Vec<(String, String)>, ApiError> {
        serde_urlencoded::from_bytes(raw).map_err(|_| ApiError::slack("invalid_form_data"))
    };
    if let Some(q) = query {
        for (k, v) in pairs(q.as_bytes())? {
            args.insert(k, Value::String(v));
        }
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if body.is_empty() {
        return Ok(Args(args));
    }
    if content_type.starts_with("application/json") {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => args.extend(map),
            _ => return Err(ApiError::slack("invalid_json")),
        }
    } else {
        for (k, v) in pairs(body)? {
            args.insert(k, Value::String(v));
        }
    }
    Ok(Args(args))
}

/// The token a call presents: the bearer header wins over the argument.
fn presented_token(headers: &HeaderMap, args: &Args) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .or_else(|| args.str("token").map(str::to_owned))
}

async fn call(
    AxumState(sandbox): AxumState<Sandbox>,
    Path(method): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut args = match parse_args(&headers, query.as_deref(), &body) {
        Ok(args) => args,
        Err(e) => return respond(e.into_response_parts(), None),
    };
    oauth::basic_credentials(&headers, &mut args);
    let token = presented_token(&headers, &args);
    let outcome = methods::dispatch(&sandbox, &method, &args, token.as_deref()).await;
    let scopes = outcome.scopes.clone();
    let (status, body, retry_after) = match outcome.result {
        Ok(mut data) => {
            let mut body = Map::new();
            body.insert("ok".into(), Value::Bool(true));
            body.append(&mut data);
            (200, Value::Object(body), None)
        }
        Err(e) => e.into_response_parts(),
    };
    sandbox.state().calls.push(Call {
        method,
        team_id: outcome.team_id,
        args: Value::Object(args.0),
        ok: status == 200 && body["ok"] == Value::Bool(true),
        error: body["error"].as_str().map(str::to_owned),
        status,
        at: now_secs(),
    });
    if outcome.answer_lost {
        return crate::faults::no_answer();
    }
    let mut response = respond((status, body, retry_after), scopes.as_deref());
    if let Some(accepted) = outcome.accepted_scopes {
        if let Ok(v) = HeaderValue::from_str(&accepted) {
            response.headers_mut().insert("x-accepted-oauth-scopes", v);
        }
    }
    response
}

impl ApiError {
    fn into_response_parts(self) -> (u16, Value, Option<u64>) {
        match self {
            ApiError::Slack { error, extra } => {
                let mut body = Map::new();
                body.insert("ok".into(), Value::Bool(false));
                body.insert("error".into(), Value::String(error));
                body.extend(extra);
                (200, Value::Object(body), None)
            }
            ApiError::RateLimited { retry_after } => (
                429,
                json!({"ok": false, "error": "ratelimited"}),
                Some(retry_after),
            ),
            ApiError::Status(code) => (code, Value::Null, None),
        }
    }
}

fn respond(
    (status, body, retry_after): (u16, Value, Option<u64>),
    scopes: Option<&str>,
) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = if body.is_null() {
        status.into_response()
    } else {
        (status, axum::Json(body)).into_response()
    };
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    if let Some(v) = scopes.and_then(|s| HeaderValue::from_str(s).ok()) {
        response.headers_mut().insert("x-oauth-scopes", v);
    }
    response
}
