//! The [`VerifiedSlackRequest`] extractor: the raw body of a request that
//! Slack signed with our app's signing secret, read with a size limit and
//! checked before anything else looks at it. A request that fails is
//! answered here, without touching the database.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hubbub_hub::timestamp::now_millis;
use hubbub_slack::VerifyError;

use crate::AppState;

/// Slack's bodies are a few kilobytes; anything over this is refused with
/// 413 before it is read further.
pub const MAX_SLACK_BODY_BYTES: usize = 1024 * 1024;

const TIMESTAMP: &str = "x-slack-request-timestamp";
const SIGNATURE: &str = "x-slack-signature";
const RETRY_NUM: &str = "x-slack-retry-num";
const RETRY_REASON: &str = "x-slack-retry-reason";

/// A request whose signature and timestamp have been checked against the
/// configured signing secret.
#[derive(Debug)]
pub struct VerifiedSlackRequest {
    /// The body exactly as signed.
    pub body: Bytes,
    /// Slack's `X-Slack-Retry-Num` on a redelivery (1, 2, 3).
    pub retry_num: Option<u32>,
    /// Slack's `X-Slack-Retry-Reason` (`http_timeout`, `http_error`, …).
    pub retry_reason: Option<String>,
}

/// Why a request to a Slack endpoint was turned away.
#[derive(Debug)]
pub enum SlackRejection {
    /// No signing secret is configured.
    NotConfigured,
    TooLarge,
    Unreadable,
    Unverified(VerifyError),
}

impl IntoResponse for SlackRejection {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            SlackRejection::NotConfigured => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Slack is not configured on this hub: set SLACK_SIGNING_SECRET to the Slack \
                 app's signing secret."
                    .to_owned(),
            ),
            SlackRejection::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("The request body is larger than {MAX_SLACK_BODY_BYTES} bytes."),
            ),
            SlackRejection::Unreadable => (
                StatusCode::BAD_REQUEST,
                "The request body could not be read.".to_owned(),
            ),
            SlackRejection::Unverified(e) => {
                tracing::info!(reason = %e, "refused a Slack request that failed verification");
                (
                    StatusCode::UNAUTHORIZED,
                    format!("This request is not verified as coming from Slack: {e}."),
                )
            }
        };
        plain(status, message)
    }
}

pub(crate) fn plain(status: StatusCode, message: String) -> Response {
    (
        status,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        message,
    )
        .into_response()
}

impl FromRequest<AppState> for VerifiedSlackRequest {
    type Rejection = SlackRejection;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let secret = state
            .web
            .signing_secret
            .as_deref()
            .ok_or(SlackRejection::NotConfigured)?;
        let (parts, body) = req.into_parts();
        let declared = parts
            .headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_SLACK_BODY_BYTES as u64) {
            return Err(SlackRejection::TooLarge);
        }
        let body = match Limited::new(body, MAX_SLACK_BODY_BYTES).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.is::<LengthLimitError>() => return Err(SlackRejection::TooLarge),
            Err(_) => return Err(SlackRejection::Unreadable),
        };
        let headers = &parts.headers;
        hubbub_slack::verify(
            secret,
            header(headers, TIMESTAMP),
            header(headers, SIGNATURE),
            &body,
            now_millis().div_euclid(1000),
        )
        .map_err(SlackRejection::Unverified)?;
        Ok(VerifiedSlackRequest {
            body,
            retry_num: header(headers, RETRY_NUM).and_then(|v| v.parse().ok()),
            retry_reason: header(headers, RETRY_REASON).map(str::to_owned),
        })
    }
}

/// A header's value; one that is not visible ASCII reads as empty, which
/// verification refuses as malformed.
fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap_or(""))
}
