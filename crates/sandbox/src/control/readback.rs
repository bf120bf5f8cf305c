//! Reading back what happened, for tests: messages with their threads,
//! ephemeral messages, reactions, open views, the apps' Web API calls, and
//! the requests sent to apps.

use axum::extract::{Query, State as AxumState};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::answers::failure;
use crate::actions::{self, resolve_team, ActionError};
use crate::sandbox::Sandbox;

/// The query string's filters; each one given narrows the list.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Filter {
    #[serde(default)]
    team: Option<String>,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    ts: Option<String>,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

fn channel_id(sandbox: &Sandbox, f: &Filter) -> Result<Option<String>, ActionError> {
    let state = sandbox.state();
    let Some(c) = f.channel.as_deref() else {
        return Ok(None);
    };
    let team_id = resolve_team(&state, f.team.as_deref())?;
    state
        .channel_by_id_or_name(&team_id, c)
        .map(|c| Some(c.id.clone()))
        .ok_or(ActionError::new(404, "channel_not_found"))
}

fn user_id(sandbox: &Sandbox, f: &Filter) -> Result<Option<String>, ActionError> {
    let state = sandbox.state();
    let Some(u) = f.user.as_deref() else {
        return Ok(None);
    };
    let team_id = resolve_team(&state, f.team.as_deref())?;
    state
        .user_in_team(&team_id, u)
        .map(|u| Some(u.id.clone()))
        .ok_or(ActionError::new(404, "user_not_found"))
}

/// Messages of a channel (all channels when not given), oldest first, each
/// top-level one with its thread `replies`.
pub(super) async fn messages(
    AxumState(sandbox): AxumState<Sandbox>,
    Query(f): Query<Filter>,
) -> Response {
    let channel = match channel_id(&sandbox, &f) {
        Ok(c) => c,
        Err(e) => return failure(e),
    };
    let state = sandbox.state();
    let mut live: Vec<_> = state
        .messages
        .iter()
        .filter(|m| !m.deleted && channel.as_ref().is_none_or(|c| m.channel == *c))
        .collect();
    live.sort_by(|a, b| a.ts.cmp(&b.ts));
    let out: Vec<Value> = live
        .iter()
        .filter(|m| m.thread_ts.as_ref().is_none_or(|t| *t == m.ts) || m.reply_broadcast)
        .map(|m| {
            let mut v = actions::message_json(m);
            v["channel"] = json!(m.channel);
            let replies: Vec<Value> = live
                .iter()
                .filter(|r| {
                    r.channel == m.channel && r.thread_ts.as_deref() == Some(&m.ts) && r.ts != m.ts
                })
                .map(|r| actions::message_json(r))
                .collect();
            if !replies.is_empty() {
                v["reply_count"] = json!(replies.len());
                v["replies"] = json!(replies);
            }
            v
        })
        .collect();
    Json(json!({"ok": true, "messages": out})).into_response()
}

pub(super) async fn ephemerals(
    AxumState(sandbox): AxumState<Sandbox>,
    Query(f): Query<Filter>,
) -> Response {
    let (channel, user) = match (channel_id(&sandbox, &f), user_id(&sandbox, &f)) {
        (Ok(c), Ok(u)) => (c, u),
        (Err(e), _) | (_, Err(e)) => return failure(e),
    };
    let state = sandbox.state();
    let out: Vec<_> = state
        .ephemerals
        .iter()
        .filter(|e| channel.as_ref().is_none_or(|c| e.channel == *c))
        .filter(|e| user.as_ref().is_none_or(|u| e.user == *u))
        .collect();
    Json(json!({"ok": true, "ephemerals": out})).into_response()
}

pub(super) async fn reactions(
    AxumState(sandbox): AxumState<Sandbox>,
    Query(f): Query<Filter>,
) -> Response {
    let channel = match channel_id(&sandbox, &f) {
        Ok(c) => c,
        Err(e) => return failure(e),
    };
    let state = sandbox.state();
    let out: Vec<Value> = state
        .messages
        .iter()
        .filter(|m| !m.deleted && !m.reactions.is_empty())
        .filter(|m| channel.as_ref().is_none_or(|c| m.channel == *c))
        .filter(|m| f.ts.as_ref().is_none_or(|t| m.ts == *t))
        .map(|m| json!({"channel": m.channel, "ts": m.ts, "reactions": m.reactions}))
        .collect();
    Json(json!({"ok": true, "items": out})).into_response()
}

/// Open views (modals and App Home), per user when `user` is given, with
/// the errors the app last answered a submission with.
pub(super) async fn views(
    AxumState(sandbox): AxumState<Sandbox>,
    Query(f): Query<Filter>,
) -> Response {
    let user = match user_id(&sandbox, &f) {
        Ok(u) => u,
        Err(e) => return failure(e),
    };
    let state = sandbox.state();
    let out: Vec<Value> = state
        .views
        .iter()
        .filter(|v| !v.closed && user.as_ref().is_none_or(|u| v.user_id == *u))
        .map(|v| {
            let mut j = serde_json::to_value(v).unwrap_or_default();
            j["errors"] = state.view_errors.get(&v.id).cloned().unwrap_or(Value::Null);
            j
        })
        .collect();
    Json(json!({"ok": true, "views": out})).into_response()
}

pub(super) async fn calls(
    AxumState(sandbox): AxumState<Sandbox>,
    Query(f): Query<Filter>,
) -> Response {
    let state = sandbox.state();
    let out: Vec<_> = state
        .calls
        .iter()
        .filter(|c| f.method.as_ref().is_none_or(|m| c.method == *m))
        .collect();
    Json(json!({"ok": true, "calls": out})).into_response()
}

/// Requests sent to apps; `kind` matches exactly or by prefix
/// (`event` matches every `event:…`).
pub(super) async fn deliveries(
    AxumState(sandbox): AxumState<Sandbox>,
    Query(f): Query<Filter>,
) -> Response {
    let state = sandbox.state();
    let out: Vec<_> = state
        .deliveries
        .iter()
        .filter(|d| {
            f.kind
                .as_ref()
                .is_none_or(|k| d.kind == *k || d.kind.starts_with(&format!("{k}:")))
        })
        .filter(|d| f.url.as_ref().is_none_or(|u| d.url == *u))
        .collect();
    Json(json!({"ok": true, "deliveries": out})).into_response()
}
