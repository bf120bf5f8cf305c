//! Finding what an action names: the workspace, the person acting, a
//! channel, an app and its bot, an open modal.

use super::outcome::{not_found, ActionError};
use crate::state::{AppConfig, Channel, State, User, View};

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
pub(super) fn resolve_user(state: &State, team_id: &str, user: &str) -> Result<User, ActionError> {
    let user = user.strip_prefix('@').unwrap_or(user);
    state
        .user_in_team(team_id, user)
        .filter(|u| !u.deleted)
        .cloned()
        .ok_or(not_found("user"))
}

pub(super) fn resolve_channel(
    state: &State,
    team_id: &str,
    channel: &str,
) -> Result<Channel, ActionError> {
    state
        .channel_by_id_or_name(team_id, channel)
        .cloned()
        .ok_or(not_found("channel"))
}

/// An app by id or name; the only app when not given.
pub(super) fn resolve_app(state: &State, app: Option<&str>) -> Result<AppConfig, ActionError> {
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
pub(super) struct Actor {
    pub(super) team_id: String,
    pub(super) user: User,
}

/// The preamble of every person's action: the workspace (`team`, the
/// first when not given) and the live person in it (`user`, id or handle).
pub(super) fn actor(state: &State, team: Option<&str>, user: &str) -> Result<Actor, ActionError> {
    let team_id = resolve_team(state, team)?;
    let user = resolve_user(state, &team_id, user)?;
    Ok(Actor { team_id, user })
}

/// The bot user and bot id of an app installed in a team.
pub(super) fn bot_of(state: &State, team_id: &str, app_id: &str) -> Option<(String, String)> {
    state
        .installations
        .iter()
        .find(|i| i.team_id == team_id && i.app_id == app_id)
        .map(|i| (i.bot_user_id.clone(), i.bot_id.clone()))
}

/// The user's open modal: `view_id` if given, else the top of their stack.
pub(super) fn open_view(
    state: &State,
    user_id: &str,
    view_id: Option<&str>,
) -> Result<View, ActionError> {
    state
        .views
        .iter()
        .rev()
        .filter(|v| v.user_id == user_id && !v.closed && v.view["type"].as_str() != Some("home"))
        .find(|v| view_id.is_none_or(|id| v.id == id))
        .cloned()
        .ok_or(not_found("view"))
}
