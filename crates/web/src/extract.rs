//! Extractors that speak HubSpot's error language: a JSON body whose
//! problems (malformed, wrong shape, too large) become HubSpot errors, the
//! Bearer token grant, and repeated-key query strings.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use hubbub_app::{Actor, Permission};
use hubbub_hub::HubError;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::AppState;

/// A JSON request body. Unlike axum's `Json`, it does not insist on a
/// content type, and explains bad input the way HubSpot does.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge
            } else {
                ApiError::Hub(HubError::invalid(format!(
                    "Could not read the request body: {rejection}"
                )))
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|e| ApiError::Hub(HubError::invalid(format!("Invalid input JSON: {e}"))))
    }
}

/// Who acts behind the request's Bearer token: the token, with the
/// account and scopes it grants.
pub struct Grant(pub Actor);

impl Grant {
    pub fn account_id(&self) -> i64 {
        self.0.account_id()
    }

    /// Refuses, in HubSpot's words, what the token may not do.
    pub async fn require(&self, state: &AppState, permission: Permission) -> Result<(), ApiError> {
        Ok(state.app.authorize(&self.0, permission).await?)
    }
}

impl FromRequestParts<AppState> for Grant {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Hub(HubError::Unauthenticated))?;
        state
            .app
            .store()
            .authenticate_token(token)
            .await?
            .map(|grant| Grant(Actor::Token(grant)))
            .ok_or(ApiError::Hub(HubError::Unauthenticated))
    }
}

/// Query parameters with repeated keys (`properties=a&properties=b`), as
/// HubSpot's clients send them; comma-joined lists are read too.
pub struct QueryParams(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded::from_str(query)
            .map(QueryParams)
            .map_err(|e| ApiError::Hub(HubError::invalid(format!("Invalid query string: {e}"))))
    }
}

impl QueryParams {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a list parameter, split on commas, blanks dropped.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// A boolean parameter; clients write `true`, `True` or `1`.
    pub fn flag(&self, key: &str) -> Result<bool, ApiError> {
        match self.get(key).map(str::to_ascii_lowercase).as_deref() {
            None | Some("") | Some("false") | Some("0") => Ok(false),
            Some("true") | Some("1") => Ok(true),
            Some(other) => Err(HubError::field(
                "INVALID_BOOLEAN",
                key,
                format!("{key} must be true or false, not {other:?}"),
            )
            .into()),
        }
    }

    /// A limit parameter between 1 and `max`, `default` when absent.
    pub fn limit(&self, default: u32, max: u32) -> Result<u32, ApiError> {
        match self.get("limit") {
            None | Some("") => Ok(default),
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| {
                    HubError::field(
                        "INVALID_LIMIT",
                        "limit",
                        format!("limit must be between 1 and {max}, not {raw:?}"),
                    )
                    .into()
                }),
        }
    }
}
