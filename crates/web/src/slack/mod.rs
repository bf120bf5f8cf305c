//! Slack's inbound endpoints: `POST /slack/events`, `/slack/commands`,
//! `/slack/interactions` and `/slack/options`.
//!
//! Every request goes through the same steps, each able to stop it:
//! 1. [`VerifiedSlackRequest`]: Slack is configured (else 503), the body is
//!    at most 1 MiB (else 413), and it carries a valid `v0` signature with
//!    a timestamp within five minutes (else 401). Nothing is read from or
//!    written to the database before this passes.
//! 2. The body is parsed (else 400 with `X-Slack-No-Retry: 1`: a retry
//!    would be as malformed).
//! 3. The workspace (`team_id`) is resolved to the account it is connected
//!    to. Events from a workspace with no connection are acknowledged and
//!    dropped; commands and interactions go on with no account.
//! 4. Events only: the `event_id` is recorded; one already recorded (a
//!    Slack retry or a replay) is acknowledged with nothing else done. An
//!    event whose handling fails is forgotten again and answered 500, so
//!    that Slack's retry is handled afresh.
//! 5. [`dispatch`] hands the request to the feature that answers it.

pub mod connection;
pub mod dispatch;
pub mod user_mapping;
mod verified;

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use hubbub_slack::{EventsRequest, InteractionPayload, ParseError, SlashCommand};
use hubbub_store::StoreError;

use crate::AppState;

pub use verified::{SlackRejection, VerifiedSlackRequest, MAX_SLACK_BODY_BYTES};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/slack/events", post(events))
        .route("/slack/commands", post(commands))
        .route("/slack/interactions", post(interactions))
        .route("/slack/options", post(options))
}

async fn events(State(state): State<AppState>, request: VerifiedSlackRequest) -> Response {
    let parsed = match EventsRequest::parse(&request.body) {
        Ok(p) => p,
        Err(e) => return malformed(e),
    };
    match parsed {
        EventsRequest::UrlVerification { challenge } => verified::plain(StatusCode::OK, challenge),
        EventsRequest::EventCallback(callback) => {
            let account_id = match state.store.account_for_slack_team(&callback.team_id).await {
                Ok(Some(id)) => id,
                Ok(None) => {
                    tracing::info!(
                        team_id = %callback.team_id,
                        event_id = %callback.event_id,
                        "ignored a Slack event from a workspace connected to no account"
                    );
                    return acknowledge();
                }
                Err(e) => return internal(e),
            };
            match state
                .store
                .mark_event_seen(&callback.event_id, &callback.team_id)
                .await
            {
                Ok(true) => match dispatch::event(&state, account_id, &callback).await {
                    Ok(()) => acknowledge(),
                    Err(e) => {
                        // Not taken after all: Slack's retry must not be
                        // mistaken for a duplicate.
                        if let Err(forget) =
                            state.store.forget_slack_event(&callback.event_id).await
                        {
                            tracing::error!(error = %forget, "could not forget a failed Slack event");
                        }
                        internal(e)
                    }
                },
                Ok(false) => {
                    tracing::debug!(
                        event_id = %callback.event_id,
                        retry_num = ?request.retry_num,
                        retry_reason = ?request.retry_reason,
                        "acknowledged a Slack event already taken"
                    );
                    acknowledge()
                }
                Err(e) => internal(e),
            }
        }
        EventsRequest::AppRateLimited {
            team_id,
            minute_rate_limited,
            ..
        } => {
            tracing::warn!(
                ?team_id,
                ?minute_rate_limited,
                "Slack is holding back events for a workspace (app_rate_limited)"
            );
            acknowledge()
        }
        EventsRequest::Unknown => acknowledge(),
    }
}

async fn commands(State(state): State<AppState>, request: VerifiedSlackRequest) -> Response {
    let command = match SlashCommand::parse(&request.body) {
        Ok(c) => c,
        Err(e) => return malformed(e),
    };
    match state.store.account_for_slack_team(&command.team_id).await {
        Ok(account_id) => dispatch::command(&state, account_id, &command).await,
        Err(e) => internal(e),
    }
}

async fn interactions(State(state): State<AppState>, request: VerifiedSlackRequest) -> Response {
    let payload = match InteractionPayload::parse(&request.body) {
        Ok(p) => p,
        Err(e) => return malformed(e),
    };
    match account_for(&state, &payload).await {
        Ok(account_id) => dispatch::interaction(&state, account_id, &payload).await,
        Err(e) => internal(e),
    }
}

async fn options(State(state): State<AppState>, request: VerifiedSlackRequest) -> Response {
    let payload = match InteractionPayload::parse(&request.body) {
        Ok(p) => p,
        Err(e) => return malformed(e),
    };
    match account_for(&state, &payload).await {
        Ok(account_id) => dispatch::options(&state, account_id, &payload).await,
        Err(e) => internal(e),
    }
}

async fn account_for(
    state: &AppState,
    payload: &InteractionPayload,
) -> Result<Option<i64>, StoreError> {
    match payload.team_id() {
        Some(team_id) => state.store.account_for_slack_team(team_id).await,
        None => Ok(None),
    }
}

/// 200 with an empty body: what Slack needs to stop retrying.
fn acknowledge() -> Response {
    StatusCode::OK.into_response()
}

fn malformed(e: ParseError) -> Response {
    let mut response = verified::plain(
        StatusCode::BAD_REQUEST,
        format!("The Slack request is malformed: {e}."),
    );
    response.headers_mut().insert(
        HeaderName::from_static("x-slack-no-retry"),
        HeaderValue::from_static("1"),
    );
    response
}

/// A database failure: 500, so that Slack retries later (nothing was
/// recorded).
fn internal(e: StoreError) -> Response {
    tracing::error!(error = %e, "a Slack request failed on the database");
    verified::plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        "The hub could not take this request; Slack will retry.".to_owned(),
    )
}
