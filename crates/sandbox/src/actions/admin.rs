//! Managing the workspace: people and channels are created, the
//! approved-apps setting is switched, and a person removes the app.

use serde::Deserialize;
use serde_json::json;

use super::lookup::{actor, resolve_app, resolve_team, resolve_user, Actor};
use super::outcome::{not_found, ActionError, ActionResult};
use crate::ids::{id, now_secs};
use crate::outbound::{self, Effect};
use crate::sandbox::Sandbox;
use crate::state::{Channel, TokenKind, User};

#[derive(Debug, Clone, Deserialize)]
pub struct CreateUser {
    #[serde(default)]
    pub team: Option<String>,
    pub name: String,
    #[serde(default)]
    pub real_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub is_admin: bool,
    #[serde(default)]
    pub is_owner: bool,
}

pub fn create_user(sandbox: &Sandbox, input: CreateUser) -> ActionResult {
    let mut state = sandbox.state();
    let team_id = resolve_team(&state, input.team.as_deref())?;
    if state.user_in_team(&team_id, &input.name).is_some() {
        return Err(ActionError::new(409, "name_taken"));
    }
    let domain = state
        .team(&team_id)
        .map(|t| t.domain.clone())
        .unwrap_or_default();
    let real_name = input.real_name.unwrap_or_else(|| input.name.clone());
    let user = User {
        id: id('U'),
        team_id: team_id.clone(),
        name: input.name.clone(),
        display_name: real_name.clone(),
        real_name,
        email: input
            .email
            .unwrap_or_else(|| format!("{}@{}.example", input.name, domain)),
        is_admin: input.is_admin || input.is_owner,
        is_owner: input.is_owner,
        is_bot: false,
        deleted: false,
        app_id: None,
    };
    state.users.push(user.clone());
    Ok(json!({"ok": true, "user": user}))
}

#[derive(Debug, Clone, Deserialize)]
pub struct CreateChannel {
    #[serde(default)]
    pub team: Option<String>,
    pub name: String,
    #[serde(default)]
    pub is_private: bool,
    /// Handles or ids; the first is the creator unless `creator` is given.
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub creator: Option<String>,
}

pub fn create_channel(sandbox: &Sandbox, input: CreateChannel) -> ActionResult {
    let mut state = sandbox.state();
    let team_id = resolve_team(&state, input.team.as_deref())?;
    let name = input.name.trim_start_matches('#').to_owned();
    if state.channel_by_id_or_name(&team_id, &name).is_some() {
        return Err(ActionError::new(409, "name_taken"));
    }
    let mut members = Vec::new();
    for m in input.creator.iter().chain(&input.members) {
        let u = resolve_user(&state, &team_id, m)?;
        if !members.contains(&u.id) {
            members.push(u.id);
        }
    }
    let channel = Channel {
        id: id(if input.is_private { 'G' } else { 'C' }),
        team_id: team_id.clone(),
        name,
        is_private: input.is_private,
        is_im: false,
        is_archived: false,
        creator: members.first().cloned().unwrap_or_default(),
        members,
        created: now_secs() as u64,
        topic: String::new(),
        purpose: String::new(),
    };
    state.channels.push(channel.clone());
    drop(state);
    if !channel.is_private {
        let event = json!({
            "type": "channel_created",
            "channel": {"id": channel.id, "name": channel.name, "created": channel.created, "creator": channel.creator},
        });
        outbound::deliver(sandbox, vec![Effect::Event { team_id, event }]);
    }
    Ok(json!({"ok": true, "channel": channel}))
}

#[derive(Debug, Clone, Deserialize)]
pub struct ApprovedAppsOnly {
    #[serde(default)]
    pub team: Option<String>,
    pub enabled: bool,
}

pub fn set_approved_apps_only(sandbox: &Sandbox, input: ApprovedAppsOnly) -> ActionResult {
    let mut state = sandbox.state();
    let team_id = resolve_team(&state, input.team.as_deref())?;
    let team = state
        .teams
        .iter_mut()
        .find(|t| t.id == team_id)
        .ok_or(not_found("team"))?;
    team.approved_apps_only = input.enabled;
    Ok(json!({"ok": true, "team": team_id, "approved_apps_only": input.enabled}))
}

#[derive(Debug, Clone, Deserialize)]
pub struct Uninstall {
    #[serde(default)]
    pub team: Option<String>,
    /// The person removing the app.
    pub user: String,
    #[serde(default)]
    pub app: Option<String>,
}

/// A person removes the app from the workspace: the installation goes
/// inactive, its tokens are revoked, its bot user deactivated, and the app
/// gets `app_uninstalled` and `tokens_revoked`. With the workspace's
/// approved-apps setting on, only admins may do this.
pub fn uninstall(sandbox: &Sandbox, input: Uninstall) -> ActionResult {
    let mut state = sandbox.state();
    let Actor { team_id, user } = actor(&state, input.team.as_deref(), &input.user)?;
    let app = resolve_app(&state, input.app.as_deref())?;
    let approved_only = state.team(&team_id).is_some_and(|t| t.approved_apps_only);
    if approved_only && !user.is_admin {
        return Err(ActionError::new(403, "restricted_action")
            .detail("this workspace only lets admins manage apps"));
    }
    let inst = state
        .installations
        .iter_mut()
        .find(|i| i.team_id == team_id && i.app_id == app.app_id && i.active)
        .ok_or(not_found("installation"))?;
    inst.active = false;
    let bot_user_id = inst.bot_user_id.clone();
    let mut bot = Vec::new();
    let mut oauth = Vec::new();
    for t in state
        .tokens
        .iter_mut()
        .filter(|t| t.team_id == team_id && t.app_id == app.app_id && !t.revoked)
    {
        t.revoked = true;
        let list = match t.kind {
            TokenKind::Bot => &mut bot,
            TokenKind::User => &mut oauth,
        };
        if !list.contains(&t.user_id) {
            list.push(t.user_id.clone());
        }
    }
    if let Some(u) = state.users.iter_mut().find(|u| u.id == bot_user_id) {
        u.deleted = true;
    }
    drop(state);
    let effects = vec![
        Effect::AppEvent {
            team_id: team_id.clone(),
            app_id: app.app_id.clone(),
            event: json!({"type": "app_uninstalled"}),
        },
        Effect::AppEvent {
            team_id: team_id.clone(),
            app_id: app.app_id.clone(),
            event: json!({"type": "tokens_revoked", "tokens": {"oauth": oauth, "bot": bot}}),
        },
    ];
    outbound::deliver(sandbox, effects);
    Ok(json!({"ok": true, "team": team_id, "app_id": app.app_id}))
}
