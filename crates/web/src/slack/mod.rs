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
//!    dropped; interactions go on with no account. A slash command is
//!    handed over as it is: the sub-commands that act on the account
//!    resolve it (`/hs help` needs none, so it reads nothing).
//! 4. The application layer takes it (`hubbub_app::slack::inbound`): an
//!    event exactly once (a Slack retry of one already taken is
//!    acknowledged with nothing else done; one whose handling fails is
//!    answered 500 with nothing kept, so that Slack's retry is taken
//!    afresh).
//! 5. Its reply is sent back as Slack expects it.

mod verified;

use axum::extract::State;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use hubbub_app::slack::inbound::{EventTaken, SlackReply};
use hubbub_slack::{blocks, EventsRequest, InteractionPayload, ParseError, SlashCommand};

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
    let app = &state.app;
    match parsed {
        EventsRequest::UrlVerification { challenge } => verified::plain(StatusCode::OK, challenge),
        EventsRequest::EventCallback(callback) => {
            let account_id = match app.account_for_slack_team(&callback.team_id).await {
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
            match app.take_slack_event(account_id, &callback).await {
                Ok(EventTaken::Applied) => acknowledge(),
                Ok(EventTaken::Duplicate) => {
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
    // The sub-command reads the workspace's account if it needs it.
    respond(state.app.slack_command(&command).await)
}

async fn interactions(State(state): State<AppState>, request: VerifiedSlackRequest) -> Response {
    let payload = match InteractionPayload::parse(&request.body) {
        Ok(p) => p,
        Err(e) => return malformed(e),
    };
    let app = &state.app;
    let reply = match account_for(&state, &payload).await {
        Ok(account_id) => app.slack_interaction(account_id, &payload).await,
        Err(e) => Err(e),
    };
    respond(reply)
}

async fn options(State(state): State<AppState>, request: VerifiedSlackRequest) -> Response {
    let payload = match InteractionPayload::parse(&request.body) {
        Ok(p) => p,
        Err(e) => return malformed(e),
    };
    let app = &state.app;
    let reply = match account_for(&state, &payload).await {
        Ok(account_id) => app.slack_options(account_id, &payload).await,
        Err(e) => Err(e),
    };
    respond(reply)
}

async fn account_for(
    state: &AppState,
    payload: &InteractionPayload,
) -> hubbub_app::Result<Option<i64>> {
    match payload.team_id() {
        Some(team_id) => state.app.account_for_slack_team(team_id).await,
        None => Ok(None),
    }
}

/// A use case's reply, as Slack expects it.
fn respond(reply: hubbub_app::Result<SlackReply>) -> Response {
    match reply {
        Ok(SlackReply::Nothing) => acknowledge(),
        Ok(SlackReply::Ephemeral(body)) => {
            ([(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        Ok(SlackReply::Options(groups)) => Json(blocks::suggestions(groups)).into_response(),
        Ok(SlackReply::FieldErrors(errors)) => {
            let errors: serde_json::Map<String, serde_json::Value> =
                errors.into_iter().map(|(k, v)| (k, v.into())).collect();
            Json(serde_json::json!({"response_action": "errors", "errors": errors})).into_response()
        }
        Err(e) => internal(e),
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

/// A failure on our side: 500, so that Slack retries later (nothing was
/// kept).
fn internal(e: hubbub_app::Error) -> Response {
    tracing::error!(error = %e, "a Slack request failed");
    verified::plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        "The hub could not take this request; Slack will retry.".to_owned(),
    )
}
