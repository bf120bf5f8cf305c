//! Every API failure leaves as HubSpot's error body:
//! `{status, message, correlationId, category, errors, context, links}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hubbub_hub::HubError;
use hubbub_store::StoreError;
use serde_json::{json, Value};
use uuid::Uuid;

#[derive(Debug)]
pub enum ApiError {
    Hub(HubError),
    /// The body was larger than the server accepts.
    TooLarge,
    /// The database stopped a search that ran past its time bound.
    TimedOut(String),
    /// Something on our side failed; details go to the log, not the client.
    Internal(String),
}

impl From<HubError> for ApiError {
    fn from(e: HubError) -> Self {
        ApiError::Hub(e)
    }
}

impl From<hubbub_app::Error> for ApiError {
    fn from(e: hubbub_app::Error) -> Self {
        match e {
            hubbub_app::Error::Refused(h) => ApiError::Hub(h),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Hub(h) => ApiError::Hub(h),
            StoreError::SearchTimedOut(_) => ApiError::TimedOut(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let correlation_id = Uuid::new_v4().to_string();
        let (status, category, message, errors, context) = match self {
            ApiError::Hub(e) => describe(e),
            ApiError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "VALIDATION_ERROR",
                format!(
                    "Request body is larger than {} bytes",
                    crate::MAX_BODY_BYTES
                ),
                Vec::new(),
                json!({}),
            ),
            // HubSpot answers work past its processing limits with a 504.
            ApiError::TimedOut(what) => (
                StatusCode::GATEWAY_TIMEOUT,
                "TIMEOUT",
                format!("{what}; narrow it with more selective filters and try again"),
                Vec::new(),
                json!({}),
            ),
            ApiError::Internal(detail) => {
                tracing::error!(%correlation_id, %detail, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL_ERROR",
                    format!(
                        "Internal error; quote correlationId {correlation_id} when reporting it"
                    ),
                    Vec::new(),
                    json!({}),
                )
            }
        };
        let body = json!({
            "status": "error",
            "message": message,
            "correlationId": correlation_id,
            "category": category,
            "errors": errors,
            "context": context,
            "links": {},
        });
        (status, Json(body)).into_response()
    }
}

fn describe(e: HubError) -> (StatusCode, &'static str, String, Vec<Value>, Value) {
    let message = e.to_string();
    match e {
        HubError::Validation { errors, .. } => {
            let errors = errors
                .into_iter()
                .map(|f| {
                    let mut item = json!({"message": f.message, "code": f.code});
                    if let Some(field) = f.field {
                        item["context"] = json!({"propertyName": [field]});
                    }
                    item
                })
                .collect();
            (
                StatusCode::BAD_REQUEST,
                "VALIDATION_ERROR",
                message,
                errors,
                json!({}),
            )
        }
        HubError::NotFound(_) => (
            StatusCode::NOT_FOUND,
            "OBJECT_NOT_FOUND",
            message,
            Vec::new(),
            json!({}),
        ),
        HubError::Conflict(_) => (
            StatusCode::CONFLICT,
            "CONFLICT",
            message,
            Vec::new(),
            json!({}),
        ),
        HubError::MissingScopes { missing, .. } => (
            StatusCode::FORBIDDEN,
            "MISSING_SCOPES",
            message,
            vec![
                json!({"message": "One or more of the following scopes are required.", "context": {"requiredScopes": missing}}),
            ],
            json!({"requiredScopes": missing}),
        ),
        HubError::Forbidden(_) => (
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            message,
            Vec::new(),
            json!({}),
        ),
        HubError::Unauthenticated => (
            StatusCode::UNAUTHORIZED,
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found or invalid. This API takes a private app \
             access token as 'Authorization: Bearer <token>'."
                .to_owned(),
            Vec::new(),
            json!({}),
        ),
    }
}
