//! The control API under `/control` (JSON in, JSON out) for tests and the
//! demo: play the people on the Slack side (see [`crate::actions`]; channel
//! membership at `/control/channels/{id}/invite` and `…/remove`, archiving
//! at `…/archive`), read
//! back what happened (messages, ephemerals, views, reactions, the apps'
//! calls, deliveries, installations), configure apps' request URLs at
//! runtime, and reset. Also serves `POST /response/{id}`, the
//! `response_url`s handed to apps.
//!
//! Errors answer a 4xx status with `{"ok": false, "error": …, "detail": …}`.

mod answers;
mod readback;

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use answers::{failure, parse, reply};

use crate::actions::{self, resolve_team, ActionError, ActionResult, MembershipChange};
use crate::faults;
use crate::sandbox::Sandbox;
use crate::state::{AppShortcut, Fault, SlashCommand};

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/control/reset", post(reset))
        .route("/control/settings", post(settings))
        .route("/control/workspace", get(workspace))
        .route("/control/install", post(install))
        .route("/control/installations", get(installations))
        .route("/control/apps/{app_id}/urls", post(set_urls).put(set_urls))
        .route("/control/apps/{app_id}/verify_url", post(verify_url))
        .route(
            "/control/messages",
            get(readback::messages).post(post_message),
        )
        .route("/control/ephemerals", get(readback::ephemerals))
        .route(
            "/control/reactions",
            get(readback::reactions).post(add_reaction),
        )
        .route("/control/reactions/remove", post(remove_reaction))
        .route("/control/views", get(readback::views))
        .route("/control/calls", get(readback::calls))
        .route("/control/deliveries", get(readback::deliveries))
        .route("/control/commands", post(command))
        .route("/control/click", post(click))
        .route("/control/submit", post(submit))
        .route("/control/close", post(close))
        .route("/control/shortcut", post(shortcut))
        .route("/control/options", post(options))
        .route("/control/uninstall", post(uninstall))
        .route("/control/approved_apps_only", post(approved_apps_only))
        .route("/control/users", post(create_user))
        .route("/control/channels", post(create_channel))
        .route("/control/invite", post(invite))
        .route("/control/channels/{id}/invite", post(invite_to_channel))
        .route("/control/channels/{id}/remove", post(remove_from_channel))
        .route("/control/channels/{id}/archive", post(archive_channel))
        .route(
            "/control/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/control/outage", post(outage))
        .route("/response/{id}", post(response_url))
}

macro_rules! sync_action {
    ($name:ident, $input:ty, $call:expr) => {
        async fn $name(AxumState(sandbox): AxumState<Sandbox>, body: Bytes) -> Response {
            let f: fn(&Sandbox, $input) -> ActionResult = $call;
            reply(parse::<$input>(&body).and_then(|input| f(&sandbox, input)))
        }
    };
}

macro_rules! async_action {
    ($name:ident, $input:ty, $call:path) => {
        async fn $name(AxumState(sandbox): AxumState<Sandbox>, body: Bytes) -> Response {
            match parse::<$input>(&body) {
                Ok(input) => reply($call(&sandbox, input).await),
                Err(e) => failure(e),
            }
        }
    };
}

sync_action!(post_message, actions::PostMessage, actions::post_message);
sync_action!(add_reaction, actions::ReactionInput, |s, i| actions::react(
    s, i, true
));
sync_action!(remove_reaction, actions::ReactionInput, |s, i| {
    actions::react(s, i, false)
});
sync_action!(uninstall, actions::Uninstall, actions::uninstall);
sync_action!(
    approved_apps_only,
    actions::ApprovedAppsOnly,
    actions::set_approved_apps_only
);
sync_action!(create_user, actions::CreateUser, actions::create_user);
sync_action!(
    create_channel,
    actions::CreateChannel,
    actions::create_channel
);
sync_action!(invite, actions::Invite, actions::invite);

/// `{"user": id | handle | app, "by"?: id | handle}` joins the channel in
/// the path (id or name), as `/invite @user` typed by `by`.
async fn invite_to_channel(
    AxumState(sandbox): AxumState<Sandbox>,
    Path(channel): Path<String>,
    body: Bytes,
) -> Response {
    change_membership(&sandbox, &channel, &body, MembershipChange::Invite)
}

/// `{"user": …, "by"?: …}` leaves the channel in the path, as
/// `/remove @user` typed by `by`.
async fn remove_from_channel(
    AxumState(sandbox): AxumState<Sandbox>,
    Path(channel): Path<String>,
    body: Bytes,
) -> Response {
    change_membership(&sandbox, &channel, &body, MembershipChange::Remove)
}

/// `{"by"?: id | handle}` archives the channel in the path (id or name).
async fn archive_channel(
    AxumState(sandbox): AxumState<Sandbox>,
    Path(channel): Path<String>,
    body: Bytes,
) -> Response {
    reply(parse(&body).and_then(|input| actions::archive(&sandbox, &channel, input)))
}

fn change_membership(
    sandbox: &Sandbox,
    channel: &str,
    body: &[u8],
    change: MembershipChange,
) -> Response {
    reply(
        parse(body).and_then(|member| actions::change_membership(sandbox, channel, member, change)),
    )
}
async_action!(command, actions::SlashCommandInput, actions::slash_command);
async_action!(click, actions::Click, actions::click);
async_action!(submit, actions::SubmitView, actions::submit_view);
async_action!(close, actions::CloseView, actions::close_view);
async_action!(shortcut, actions::Shortcut, actions::shortcut);
async_action!(options, actions::Click, actions::suggest_options);

async fn response_url(
    AxumState(sandbox): AxumState<Sandbox>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (status, text) = actions::respond(&sandbox, &id, &body);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let content_type = if text.starts_with('{') {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    (status, [(header::CONTENT_TYPE, content_type)], text).into_response()
}

#[derive(Debug, Default, Deserialize)]
struct ResetInput {
    /// Also uninstall every app (installations, tokens, codes, bot users).
    #[serde(default)]
    full: bool,
}

/// Forgets activity: messages, ephemerals, views, triggers, response
/// URLs, calls, deliveries, faults and OAuth codes; `full` also removes
/// installations and tokens. People, channels and apps stay.
async fn reset(AxumState(sandbox): AxumState<Sandbox>, body: Bytes) -> Response {
    let input: ResetInput = match parse(&body) {
        Ok(i) => i,
        Err(e) => return failure(e),
    };
    let mut state = sandbox.state();
    state.messages.clear();
    state.ephemerals.clear();
    state.views.clear();
    state.view_errors.clear();
    state.triggers.clear();
    state.response_urls.clear();
    state.calls.clear();
    state.deliveries.clear();
    state.faults.clear();
    state.oauth_codes.clear();
    state.rate_limiter = Default::default();
    if input.full {
        state.installations.clear();
        state.tokens.clear();
        state.users.retain(|u| !u.is_bot);
        let users: Vec<String> = state.users.iter().map(|u| u.id.clone()).collect();
        for c in &mut state.channels {
            c.members.retain(|m| users.contains(m));
        }
    }
    Json(json!({"ok": true})).into_response()
}

#[derive(Debug, Deserialize)]
struct SettingsInput {
    #[serde(default)]
    retry_delays_ms: Option<Vec<u64>>,
    #[serde(default)]
    request_timeout_ms: Option<u64>,
    #[serde(default)]
    rate_limits: Option<bool>,
}

/// Delivery timing (Slack: 3 s timeout, retries at once, after 1 and 5
/// minutes) and whether rate limits apply.
async fn settings(AxumState(sandbox): AxumState<Sandbox>, body: Bytes) -> Response {
    let input: SettingsInput = match parse(&body) {
        Ok(i) => i,
        Err(e) => return failure(e),
    };
    let mut state = sandbox.state();
    if let Some(d) = input.retry_delays_ms {
        state.retry_delays = d.into_iter().map(Duration::from_millis).collect();
    }
    if let Some(t) = input.request_timeout_ms {
        state.request_timeout = Duration::from_millis(t);
    }
    if let Some(r) = input.rate_limits {
        faults::set_rate_limits(&mut state, r);
    }
    Json(json!({
        "ok": true,
        "retry_delays_ms": state.retry_delays.iter().map(|d| d.as_millis() as u64).collect::<Vec<_>>(),
        "request_timeout_ms": state.request_timeout.as_millis() as u64,
        "rate_limits": state.rate_limits,
    }))
    .into_response()
}

/// Teams, people, channels and apps (with their credentials: this is test
/// equipment).
async fn workspace(AxumState(sandbox): AxumState<Sandbox>) -> Response {
    let state = sandbox.state();
    Json(json!({
        "ok": true,
        "teams": state.teams,
        "users": state.users,
        "channels": state.channels,
        "apps": state.apps,
    }))
    .into_response()
}

#[derive(Debug, Deserialize)]
struct InstallInput {
    #[serde(default)]
    team: Option<String>,
    #[serde(default)]
    app: Option<String>,
    /// The installing person (id or handle); the first admin by default.
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    user_scopes: Vec<String>,
}

/// Installs an app directly, without the OAuth pages.
async fn install(AxumState(sandbox): AxumState<Sandbox>, body: Bytes) -> Response {
    let input: InstallInput = match parse(&body) {
        Ok(i) => i,
        Err(e) => return failure(e),
    };
    let mut state = sandbox.state();
    let result = (|| {
        let team_id = resolve_team(&state, input.team.as_deref())?;
        let app = match input.app.as_deref() {
            Some(a) => state.apps.iter().find(|x| x.app_id == a || x.name == a),
            None => state.apps.first(),
        }
        .cloned()
        .ok_or(ActionError::new(404, "app_not_found"))?;
        let installer = match input.user.as_deref() {
            Some(u) => state.user_in_team(&team_id, u),
            None => state
                .users
                .iter()
                .find(|u| u.team_id == team_id && u.is_admin && !u.is_bot),
        }
        .map(|u| u.id.clone())
        .ok_or(ActionError::new(404, "user_not_found"))?;
        let granted = state.install(
            &team_id,
            &app.app_id,
            &installer,
            &input.scopes,
            &input.user_scopes,
        );
        Ok(json!({
            "ok": true,
            "team_id": team_id,
            "app_id": app.app_id,
            "bot_token": granted.bot_token,
            "bot_user_id": granted.bot_user_id,
            "user_token": granted.user_token,
            "installer_user_id": installer,
        }))
    })();
    reply(result)
}

async fn installations(AxumState(sandbox): AxumState<Sandbox>) -> Response {
    let state = sandbox.state();
    Json(json!({"ok": true, "installations": state.installations, "tokens": state.tokens}))
        .into_response()
}

#[derive(Debug, Deserialize)]
struct UrlsInput {
    #[serde(default)]
    events_url: Option<String>,
    #[serde(default)]
    interactivity_url: Option<String>,
    #[serde(default)]
    options_url: Option<String>,
    #[serde(default)]
    commands: Option<Vec<SlashCommand>>,
    #[serde(default)]
    redirect_urls: Option<Vec<String>>,
    #[serde(default)]
    unfurl_domains: Option<Vec<String>>,
    /// The app's shortcuts, as the manifest's `features.shortcuts`:
    /// `[{"name", "type": "message" | "global", "callback_id",
    /// "description"}]`.
    #[serde(default)]
    shortcuts: Option<Vec<AppShortcut>>,
    /// Run the `url_verification` handshake with the new events URL first
    /// (as Slack's settings page does) and refuse it when it fails.
    #[serde(default)]
    verify: bool,
}

/// Sets an app's request URLs, slash commands and shortcuts; only the
/// fields given change (an empty string clears a URL).
async fn set_urls(
    AxumState(sandbox): AxumState<Sandbox>,
    Path(app_id): Path<String>,
    body: Bytes,
) -> Response {
    let input: UrlsInput = match parse(&body) {
        Ok(i) => i,
        Err(e) => return failure(e),
    };
    if sandbox.state().app(&app_id).is_none() {
        return failure(ActionError::new(404, "app_not_found"));
    }
    if let Err(detail) = check_shortcuts(input.shortcuts.as_deref().unwrap_or_default()) {
        return failure(ActionError::new(400, "invalid_shortcuts").detail(detail));
    }
    if input.verify {
        if let Some(url) = input.events_url.as_deref().filter(|u| !u.is_empty()) {
            if let Err(e) = crate::outbound::verify_url(&sandbox, &app_id, Some(url)).await {
                return failure(ActionError::new(400, "url_verification_failed").detail(e));
            }
        }
    }
    let mut state = sandbox.state();
    let Some(app) = state.app_mut(&app_id) else {
        return failure(ActionError::new(404, "app_not_found"));
    };
    let opt = |v: String| (!v.is_empty()).then_some(v);
    if let Some(u) = input.events_url {
        app.events_url = opt(u);
    }
    if let Some(u) = input.interactivity_url {
        app.interactivity_url = opt(u);
    }
    if let Some(u) = input.options_url {
        app.options_url = opt(u);
    }
    if let Some(c) = input.commands {
        app.commands = c;
    }
    if let Some(r) = input.redirect_urls {
        app.redirect_urls = r;
    }
    if let Some(d) = input.unfurl_domains {
        app.unfurl_domains = d;
    }
    if let Some(s) = input.shortcuts {
        app.shortcuts = s;
    }
    Json(json!({"ok": true, "app": app.clone()})).into_response()
}

/// Shortcuts the menus can offer: a name and a `callback_id` each, and
/// no `callback_id` twice (using a shortcut names it by its
/// `callback_id`).
fn check_shortcuts(shortcuts: &[AppShortcut]) -> Result<(), String> {
    for (i, s) in shortcuts.iter().enumerate() {
        if s.name.trim().is_empty() || s.callback_id.trim().is_empty() {
            return Err(format!("shortcut {i} needs a name and a callback_id"));
        }
        if shortcuts[..i]
            .iter()
            .any(|t| t.callback_id == s.callback_id)
        {
            return Err(format!("callback_id {} is used twice", s.callback_id));
        }
    }
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
struct VerifyInput {
    #[serde(default)]
    url: Option<String>,
}

async fn verify_url(
    AxumState(sandbox): AxumState<Sandbox>,
    Path(app_id): Path<String>,
    body: Bytes,
) -> Response {
    let input: VerifyInput = match parse(&body) {
        Ok(i) => i,
        Err(e) => return failure(e),
    };
    match crate::outbound::verify_url(&sandbox, &app_id, input.url.as_deref()).await {
        Ok(()) => Json(json!({"ok": true})).into_response(),
        Err(e) => failure(ActionError::new(400, "url_verification_failed").detail(e)),
    }
}

/// The faults in force.
async fn list_faults(AxumState(sandbox): AxumState<Sandbox>) -> Response {
    Json(json!({"ok": true, "faults": sandbox.state().faults})).into_response()
}

/// Adds a fault: `{"method": "chat.postMessage" | "*", "error"?, "status"?,
/// "retry_after"?, "delay_ms"?, "until"?, "times"?}`.
async fn add_fault(AxumState(sandbox): AxumState<Sandbox>, body: Bytes) -> Response {
    let fault: Fault = match parse(&body) {
        Ok(f) => f,
        Err(e) => return failure(e),
    };
    match faults::add_fault(&mut sandbox.state(), fault) {
        Ok(()) => Json(json!({"ok": true})).into_response(),
        Err(detail) => failure(ActionError::new(400, "invalid_fault").detail(detail)),
    }
}

/// Removes every fault.
async fn clear_faults(AxumState(sandbox): AxumState<Sandbox>) -> Response {
    faults::clear_faults(&mut sandbox.state());
    Json(json!({"ok": true})).into_response()
}

#[derive(Debug, Deserialize)]
struct OutageInput {
    seconds: f64,
}

/// Makes the whole sandbox (but the control API) unreachable for a while:
/// `{"seconds": 5}`.
async fn outage(AxumState(sandbox): AxumState<Sandbox>, body: Bytes) -> Response {
    let input: OutageInput = match parse(&body) {
        Ok(i) => i,
        Err(e) => return failure(e),
    };
    if !(input.seconds > 0.0 && input.seconds <= 3600.0) {
        return failure(
            ActionError::new(400, "invalid_arguments").detail("seconds must be between 0 and 3600"),
        );
    }
    faults::outage(&mut sandbox.state(), Duration::from_secs_f64(input.seconds));
    Json(json!({"ok": true})).into_response()
}
