//! The Web API at `POST /api/{method}` (GET works too, as on Slack): form
//! or JSON arguments, a token from `Authorization: Bearer` or the `token`
//! argument, Slack's `{"ok": …}` envelope and error codes, scopes checked
//! per method, rate limits by tier and injected faults.

mod answers;
mod chat;
mod conversations;
mod methods;
mod oauth;
mod reactions;
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
use crate::state::{Call, Token, TokenKind};
use crate::Sandbox;

pub use methods::{method_spec, MethodSpec, Tier, TokenRule};

pub fn routes() -> Router<Sandbox> {
    Router::new().route("/api/{method}", get(call).post(call))
}

/// Arguments of a call. Form values are strings; JSON bodies may carry
/// objects (`blocks`, `view`) and numbers, which `Args` reads alike.
#[derive(Debug, Default, Clone)]
pub struct Args(pub Map<String, Value>);

impl Args {
    pub fn str(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// A required string argument, or Slack's error for a missing one.
    pub fn required(&self, key: &str, error: &'static str) -> Result<&str, ApiError> {
        self.str(key).ok_or(ApiError::slack(error))
    }

    /// `true`, `1` or a JSON true.
    pub fn flag(&self, key: &str) -> bool {
        match self.0.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s == "true" || s == "1",
            Some(Value::Number(n)) => n.as_i64() == Some(1),
            _ => false,
        }
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        match self.0.get(key) {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        }
    }

    /// A JSON argument given as an object/array or as a JSON string (form
    /// encoding). A string that is not JSON is `invalid_arguments`.
    pub fn json(&self, key: &str) -> Result<Option<Value>, ApiError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => serde_json::from_str(s)
                .map(Some)
                .map_err(|_| ApiError::slack("invalid_arguments")),
            Some(other) => Ok(Some(other.clone())),
        }
    }
}

/// Who is calling: the token's record, resolved and checked.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token: Token,
}

impl Caller {
    pub fn team_id(&self) -> &str {
        &self.token.team_id
    }

    pub fn is_bot(&self) -> bool {
        self.token.kind == TokenKind::Bot
    }
}

/// A failed call, answered the way Slack answers it.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// HTTP 200 with `{"ok": false, "error": …}` and any extra fields
    /// (`needed`/`provided` for `missing_scope`).
    Slack {
        error: String,
        extra: Map<String, Value>,
    },
    /// HTTP 429 with `Retry-After`.
    RateLimited { retry_after: u64 },
    /// A bare HTTP status (injected 5xx).
    Status(u16),
}

impl ApiError {
    pub fn slack(error: &str) -> ApiError {
        ApiError::Slack {
            error: error.to_owned(),
            extra: Map::new(),
        }
    }

    pub fn missing_scope(needed: &str, provided: &[String]) -> ApiError {
        let mut extra = Map::new();
        extra.insert("needed".into(), json!(needed));
        extra.insert("provided".into(), json!(provided.join(",")));
        ApiError::Slack {
            error: "missing_scope".into(),
            extra,
        }
    }
}

/// The successful part of an answer, without `ok`.
pub type ApiResult = Result<Map<String, Value>, ApiError>;

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
