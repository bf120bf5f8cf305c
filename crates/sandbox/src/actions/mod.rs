//! What the people on the Slack side do, each as one function: post and
//! react, type a slash command (Slack's built-in `/invite` and `/remove`
//! included), click a button, submit or close a modal, use shortcuts and
//! external selects, add people and apps to channels or remove them,
//! remove the app, manage the workspace. Each changes the state, makes the
//! calls to the app Slack would make (signed, with Slack's payloads),
//! applies the app's answer the way Slack does, and reports what happened
//! as JSON. The control API and the web page drive these.
//!
//! Also here: the `response_url` endpoint that interactions hand to the
//! app (`POST /response/{id}`).

mod admin;
mod commands;
mod elements;
mod interactions;
mod membership;
mod messages;
mod responses;
mod views;

use serde_json::{json, Value};

pub use admin::{
    create_channel, create_user, set_approved_apps_only, uninstall, ApprovedAppsOnly,
    CreateChannel, CreateUser, Uninstall,
};
pub use commands::{slash_command, SlashCommandInput};
pub use interactions::{click, shortcut, suggest_options, Click, Shortcut};
pub(crate) use membership::joined_event;
pub use membership::{change_membership, invite, ChannelMember, Invite, MembershipChange};
pub use messages::{message_json, post_message, react, PostMessage, ReactionInput};
pub use responses::{respond, RESPONSE_URL_TTL_SECS, RESPONSE_URL_USES};
pub use views::{close_view, submit_view, CloseView, SubmitView, MAX_VIEW_STACK};

use crate::ids::now_secs;
use crate::state::{AppConfig, Channel, State, User};

/// A refused action: an HTTP status for the control API and Slack-style
/// error code.
#[derive(Debug, Clone)]
pub struct ActionError {
    pub status: u16,
    pub error: String,
    pub detail: Option<String>,
}

impl ActionError {
    pub fn new(status: u16, error: &str) -> ActionError {
        ActionError {
            status,
            error: error.to_owned(),
            detail: None,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> ActionError {
        self.detail = Some(detail.into());
        self
    }
}

pub type ActionResult = Result<Value, ActionError>;

fn not_found(what: &str) -> ActionError {
    ActionError::new(404, &format!("{what}_not_found"))
}

fn bad(error: &str) -> ActionError {
    ActionError::new(400, error)
}

// ---------------------------------------------------------------------------
// Lookups

/// The workspace by id, domain or name; the first one when not given.
pub fn resolve_team(state: &State, team: Option<&str>) -> Result<String, ActionError> {
    match team.filter(|t| !t.is_empty()) {
        None => state
            .teams
            .first()
            .map(|t| t.id.clone())
            .ok_or(not_found("team")),
        Some(t) => state
            .teams
            .iter()
            .find(|x| x.id == t || x.domain == t || x.name == t)
            .map(|x| x.id.clone())
            .ok_or(not_found("team")),
    }
}

/// A live person (or bot user) by id or handle.
fn resolve_user(state: &State, team_id: &str, user: &str) -> Result<User, ActionError> {
    let user = user.strip_prefix('@').unwrap_or(user);
    state
        .user_in_team(team_id, user)
        .filter(|u| !u.deleted)
        .cloned()
        .ok_or(not_found("user"))
}

fn resolve_channel(state: &State, team_id: &str, channel: &str) -> Result<Channel, ActionError> {
    state
        .channel_by_id_or_name(team_id, channel)
        .cloned()
        .ok_or(not_found("channel"))
}

/// An app by id or name; the only app when not given.
fn resolve_app(state: &State, app: Option<&str>) -> Result<AppConfig, ActionError> {
    match app.filter(|a| !a.is_empty()) {
        Some(a) => state
            .apps
            .iter()
            .find(|x| x.app_id == a || x.name == a)
            .cloned()
            .ok_or(not_found("app")),
        None => state.apps.first().cloned().ok_or(not_found("app")),
    }
}

/// The person acting and their workspace.
struct Actor {
    team_id: String,
    user: User,
}

/// The preamble of every person's action: the workspace (`team`, the
/// first when not given) and the live person in it (`user`, id or handle).
fn actor(state: &State, team: Option<&str>, user: &str) -> Result<Actor, ActionError> {
    let team_id = resolve_team(state, team)?;
    let user = resolve_user(state, &team_id, user)?;
    Ok(Actor { team_id, user })
}

/// The bot user and bot id of an app installed in a team.
fn bot_of(state: &State, team_id: &str, app_id: &str) -> Option<(String, String)> {
    state
        .installations
        .iter()
        .find(|i| i.team_id == team_id && i.app_id == app_id)
        .map(|i| (i.bot_user_id.clone(), i.bot_id.clone()))
}

// ---------------------------------------------------------------------------
// Pieces of the payloads Slack sends apps

fn team_json(state: &State, team_id: &str) -> Value {
    let domain = state
        .team(team_id)
        .map(|t| t.domain.clone())
        .unwrap_or_default();
    json!({"id": team_id, "domain": domain})
}

fn user_json(user: &User) -> Value {
    json!({"id": user.id, "username": user.name, "name": user.name, "team_id": user.team_id})
}

fn channel_json(channel: &Channel) -> Value {
    json!({"id": channel.id, "name": channel_name(channel)})
}

fn channel_name(channel: &Channel) -> String {
    if channel.is_im {
        "directmessage".into()
    } else {
        channel.name.clone()
    }
}

fn action_ts() -> String {
    format!("{:.6}", now_secs())
}
