//! Where verified, parsed Slack requests go: one function per endpoint.
//! The features that act on Slack (the inbox, notifications, records from
//! Slack) plug in here.
//!
//! Rules for whoever fills these in:
//! - Slack wants an answer within 3 seconds: do no slow work here. Enqueue
//!   a job (in the same transaction as any change) and return.
//! - `account_id` is the account connected to the request's own workspace
//!   (resolved from the signed `team_id`). Read and write that account's
//!   data only; never look a record, user or channel up across accounts.
//! - `None` means the workspace is connected to no account: answer without
//!   touching any account's data.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hubbub_slack::{blocks, EventCallback, InteractionPayload, SlashCommand};
use hubbub_store::StoreError;

use super::user_mapping;
use crate::AppState;

/// An Events API event, the first time its `event_id` is seen, from a
/// workspace connected to `account_id`. The endpoint has already recorded
/// the event id; an `Err` makes it forget the id and answer 500, so that
/// Slack's retry gets another chance.
pub async fn event(
    state: &AppState,
    account_id: i64,
    callback: &EventCallback,
) -> Result<(), StoreError> {
    tracing::debug!(
        account_id,
        team_id = %callback.team_id,
        event_id = %callback.event_id,
        event_type = %callback.event.kind,
        "Slack event taken"
    );
    super::connection::on_event(state, account_id, callback).await
}

/// A slash command (`/hs …`). The answer is shown to the person who typed
/// it: 200 with an empty body shows nothing.
pub async fn command(
    _state: &AppState,
    account_id: Option<i64>,
    command: &SlashCommand,
) -> Response {
    tracing::debug!(
        ?account_id,
        team_id = %command.team_id,
        command = %command.command,
        "Slack slash command"
    );
    StatusCode::OK.into_response()
}

/// An interaction: a button or select in a message or view, a view
/// submitted or closed, a shortcut.
pub async fn interaction(
    state: &AppState,
    account_id: Option<i64>,
    payload: &InteractionPayload,
) -> Response {
    tracing::debug!(
        ?account_id,
        team_id = ?payload.team_id(),
        kind = %payload.kind,
        "Slack interaction"
    );
    match (payload.kind.as_str(), payload.first_action()) {
        ("block_actions", Some((blocks::MAPPING_CONFIRM, value))) => {
            user_mapping::on_confirm(state, account_id, payload, value).await
        }
        _ => StatusCode::OK.into_response(),
    }
}

/// An options load for an external select (`block_suggestion`).
pub async fn options(
    _state: &AppState,
    account_id: Option<i64>,
    payload: &InteractionPayload,
) -> Response {
    tracing::debug!(
        ?account_id,
        team_id = ?payload.team_id(),
        action_id = ?payload.action_id,
        "Slack options load"
    );
    StatusCode::OK.into_response()
}
