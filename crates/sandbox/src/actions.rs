//! What the people on the Slack side do, each as one function: post and
//! react, type a slash command, click a button, submit or close a modal,
//! use shortcuts and external selects, remove the app, manage the
//! workspace. Each changes the state, makes the calls to the app Slack
//! would make (signed, with Slack's payloads), applies the app's answer
//! the way Slack does, and reports what happened as JSON. The control API
//! and the web page drive these.
//!
//! Also here: the `response_url` endpoint that interactions hand to the
//! app (`POST /response/{id}`).

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::ids::{id, now_secs, secret};
use crate::outbound::{self, Answer, Effect};
use crate::state::{
    AppConfig, Channel, Ephemeral, Message, Reaction, ResponseUrl, State, User, View,
};
use crate::state_queries::channel_type;
use crate::Sandbox;

/// How many times, and for how long, a `response_url` can be used.
pub const RESPONSE_URL_USES: u32 = 5;
pub const RESPONSE_URL_TTL_SECS: f64 = 1800.0;
/// Slack keeps at most three modals in a stack.
pub const MAX_VIEW_STACK: usize = 3;

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

/// A message as Slack shows it in payloads and history.
pub fn message_json(m: &Message) -> Value {
    let mut v = json!({"type": "message", "user": m.user, "text": m.text, "ts": m.ts});
    let optional = [
        ("blocks", m.blocks.clone()),
        ("attachments", m.attachments.clone()),
        ("thread_ts", m.thread_ts.clone().map(Value::from)),
        ("bot_id", m.bot_id.clone().map(Value::from)),
        ("app_id", m.app_id.clone().map(Value::from)),
        ("metadata", m.metadata.clone()),
    ];
    for (k, val) in optional {
        if let Some(val) = val {
            v[k] = val;
        }
    }
    if let Some(edited) = &m.edited_ts {
        v["edited"] = json!({"user": m.user, "ts": edited});
    }
    if !m.reactions.is_empty() {
        v["reactions"] = json!(m
            .reactions
            .iter()
            .map(|r| json!({"name": r.name, "users": r.users, "count": r.users.len()}))
            .collect::<Vec<_>>());
    }
    v
}

/// Stores a new message and returns it with the `message` event for it.
#[allow(clippy::too_many_arguments)]
fn store_message(
    state: &mut State,
    channel: &Channel,
    user: &str,
    text: &str,
    blocks: Option<Value>,
    attachments: Option<Value>,
    thread_ts: Option<String>,
    bot: Option<(String, String)>,
) -> (Message, Value) {
    let ts = state.next_ts();
    let message = Message {
        channel: channel.id.clone(),
        ts: ts.clone(),
        user: user.to_owned(),
        text: text.to_owned(),
        blocks,
        attachments,
        thread_ts: thread_ts.clone(),
        reply_broadcast: false,
        reactions: Vec::new(),
        metadata: None,
        username: None,
        icon_url: None,
        icon_emoji: None,
        bot_id: bot.as_ref().map(|b| b.0.clone()),
        app_id: bot.as_ref().map(|b| b.1.clone()),
        edited_ts: None,
        deleted: false,
    };
    state.messages.push(message.clone());
    let mut event = message_json(&message);
    event["channel"] = json!(channel.id);
    event["event_ts"] = json!(ts);
    event["channel_type"] = json!(channel_type(channel));
    event["team"] = json!(channel.team_id);
    if bot.is_none() {
        event["client_msg_id"] = json!(uuid_like());
    }
    if let Some(parent) = thread_ts
        .as_deref()
        .and_then(|t| state.message(&channel.id, t))
    {
        event["parent_user_id"] = json!(parent.user);
    }
    (message, event)
}

fn uuid_like() -> String {
    let h = secret(16);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The bot user and bot id of an app installed in a team.
fn bot_of(state: &State, team_id: &str, app_id: &str) -> Option<(String, String)> {
    state
        .installations
        .iter()
        .find(|i| i.team_id == team_id && i.app_id == app_id)
        .map(|i| (i.bot_user_id.clone(), i.bot_id.clone()))
}

fn new_response_url(
    state: &mut State,
    team_id: &str,
    channel: &str,
    user_id: &str,
    app_id: &str,
    message_ts: Option<String>,
) -> String {
    let id = format!("{}-{}", team_id, secret(16));
    state.response_urls.push(ResponseUrl {
        id: id.clone(),
        team_id: team_id.to_owned(),
        channel: channel.to_owned(),
        user_id: user_id.to_owned(),
        app_id: app_id.to_owned(),
        message_ts,
        uses_left: RESPONSE_URL_USES,
        expires_at: now_secs() + RESPONSE_URL_TTL_SECS,
    });
    format!("{}/response/{}", state.base_url, id)
}

fn answer_json(answer: &Answer) -> Value {
    json!({
        "status": answer.status,
        "failure": answer.failure.map(|f| f.as_str()),
        "body": answer.body,
    })
}

/// POSTs an interaction payload (`payload=<json>`) to the app's
/// interactivity URL (or the options URL for `block_suggestion`).
async fn interact(
    sandbox: &Sandbox,
    app: &AppConfig,
    payload: &Value,
) -> Result<Answer, ActionError> {
    let kind = payload["type"].as_str().unwrap_or("interaction");
    let url = if kind == "block_suggestion" {
        app.options_url.clone()
    } else {
        app.interactivity_url.clone()
    }
    .ok_or_else(|| bad("no_request_url").detail(format!("the app has no URL for {kind}")))?;
    let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap_or_default();
    Ok(outbound::post_signed(
        sandbox,
        &format!("interaction:{kind}"),
        &url,
        "application/x-www-form-urlencoded",
        &body,
        &app.signing_secret,
        None,
    )
    .await)
}

fn answer_body_json(answer: &Answer) -> Option<Value> {
    let text = answer.body.trim();
    if text.is_empty() {
        return None;
    }
    serde_json::from_str::<Value>(text)
        .ok()
        .filter(Value::is_object)
}

// ---------------------------------------------------------------------------
// Messages, reactions, people and channels

#[derive(Debug, Clone, Deserialize)]
pub struct PostMessage {
    #[serde(default)]
    pub team: Option<String>,
    pub user: String,
    pub channel: String,
    pub text: String,
    #[serde(default)]
    pub thread_ts: Option<String>,
    #[serde(default)]
    pub reply_broadcast: bool,
}

/// A person posts a message or a thread reply: stored, then `message`
/// (and `app_mention`, `link_shared` where they apply) for the apps.
pub fn post_message(sandbox: &Sandbox, input: PostMessage) -> ActionResult {
    let mut state = sandbox.state();
    let team_id = resolve_team(&state, input.team.as_deref())?;
    let user = resolve_user(&state, &team_id, &input.user)?;
    let channel = resolve_channel(&state, &team_id, &input.channel)?;
    if !channel.members.contains(&user.id) {
        return Err(ActionError::new(403, "not_in_channel"));
    }
    if channel.is_archived {
        return Err(ActionError::new(403, "is_archived"));
    }
    let thread_ts = input.thread_ts.filter(|t| !t.is_empty());
    if let Some(t) = &thread_ts {
        if state.message(&channel.id, t).is_none() {
            return Err(not_found("thread"));
        }
    }
    let (mut message, mut event) = store_message(
        &mut state,
        &channel,
        &user.id,
        &input.text,
        None,
        None,
        thread_ts.clone(),
        None,
    );
    if input.reply_broadcast && thread_ts.is_some() {
        if let Some(m) = state.message_mut(&channel.id, &message.ts) {
            m.reply_broadcast = true;
            message.reply_broadcast = true;
        }
        event["subtype"] = json!("thread_broadcast");
    }
    drop(state);
    let effects = vec![Effect::Event { team_id, event }];
    outbound::deliver(sandbox, effects);
    Ok(
        json!({"ok": true, "channel": channel.id, "ts": message.ts, "message": message_json(&message)}),
    )
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReactionInput {
    #[serde(default)]
    pub team: Option<String>,
    pub user: String,
    pub channel: String,
    pub ts: String,
    pub name: String,
}

/// A person adds (or removes) an emoji reaction: `reaction_added` /
/// `reaction_removed`.
pub fn react(sandbox: &Sandbox, input: ReactionInput, add: bool) -> ActionResult {
    let mut state = sandbox.state();
    let team_id = resolve_team(&state, input.team.as_deref())?;
    let user = resolve_user(&state, &team_id, &input.user)?;
    let channel = resolve_channel(&state, &team_id, &input.channel)?;
    let name = input.name.trim_matches(':').to_owned();
    let message = state
        .message_mut(&channel.id, &input.ts)
        .ok_or(not_found("message"))?;
    let item_user = message.user.clone();
    if add {
        match message.reactions.iter_mut().find(|r| r.name == name) {
            Some(r) if r.users.contains(&user.id) => return Err(bad("already_reacted")),
            Some(r) => r.users.push(user.id.clone()),
            None => message.reactions.push(Reaction {
                name: name.clone(),
                users: vec![user.id.clone()],
            }),
        }
    } else {
        let r = message
            .reactions
            .iter_mut()
            .find(|r| r.name == name && r.users.contains(&user.id))
            .ok_or(bad("no_reaction"))?;
        r.users.retain(|u| *u != user.id);
        message.reactions.retain(|r| !r.users.is_empty());
    }
    drop(state);
    let event = json!({
        "type": if add { "reaction_added" } else { "reaction_removed" },
        "user": user.id,
        "reaction": name,
        "item_user": item_user,
        "item": {"type": "message", "channel": channel.id, "ts": input.ts},
        "event_ts": action_ts(),
    });
    outbound::deliver(sandbox, vec![Effect::Event { team_id, event }]);
    Ok(json!({"ok": true}))
}

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
pub struct Invite {
    #[serde(default)]
    pub team: Option<String>,
    pub channel: String,
    /// The person (or the app's bot user) who joins.
    pub user: String,
    #[serde(default)]
    pub inviter: Option<String>,
}

/// Someone is added to a channel: `member_joined_channel`. Inviting an
/// app's bot user is how a person adds the app to a channel.
pub fn invite(sandbox: &Sandbox, input: Invite) -> ActionResult {
    let mut state = sandbox.state();
    let team_id = resolve_team(&state, input.team.as_deref())?;
    let channel = resolve_channel(&state, &team_id, &input.channel)?;
    let user = match resolve_user(&state, &team_id, &input.user) {
        Ok(u) => u,
        // An app by id or name: its bot user.
        Err(e) => {
            let bot = state
                .apps
                .iter()
                .find(|a| a.app_id == input.user || a.name == input.user)
                .and_then(|a| bot_of(&state, &team_id, &a.app_id))
                .ok_or(e)?;
            resolve_user(&state, &team_id, &bot.0)?
        }
    };
    let inviter = match &input.inviter {
        Some(i) => Some(resolve_user(&state, &team_id, i)?),
        None => None,
    };
    if channel.members.contains(&user.id) {
        return Err(bad("already_in_channel"));
    }
    if let Some(i) = &inviter {
        if channel.is_private && !channel.members.contains(&i.id) {
            return Err(ActionError::new(403, "not_in_channel"));
        }
    }
    if let Some(c) = state.channel_mut(&channel.id) {
        c.members.push(user.id.clone());
    }
    drop(state);
    let mut event = json!({
        "type": "member_joined_channel",
        "user": user.id,
        "channel": channel.id,
        "channel_type": if channel.is_private { "G" } else { "C" },
        "team": team_id,
        "event_ts": action_ts(),
    });
    if let Some(i) = inviter {
        event["inviter"] = json!(i.id);
    }
    outbound::deliver(sandbox, vec![Effect::Event { team_id, event }]);
    Ok(json!({"ok": true, "channel": channel.id, "user": user.id}))
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
    let team_id = resolve_team(&state, input.team.as_deref())?;
    let user = resolve_user(&state, &team_id, &input.user)?;
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
            crate::state::TokenKind::Bot => &mut bot,
            crate::state::TokenKind::User => &mut oauth,
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

// ---------------------------------------------------------------------------
// Slash commands

#[derive(Debug, Clone, Deserialize)]
pub struct SlashCommandInput {
    #[serde(default)]
    pub team: Option<String>,
    pub user: String,
    pub channel: String,
    /// `/hs`, with or without the slash.
    pub command: String,
    #[serde(default)]
    pub text: String,
}

/// A person types a slash command: a `trigger_id` (3 s) and a
/// `response_url` are made, the signed form is POSTed to the command's
/// URL, and the app's immediate answer is shown as Slack would (a JSON
/// message per its `response_type`, plain text as ephemeral, nothing for
/// an empty 200, an error for the person on failure).
pub async fn slash_command(sandbox: &Sandbox, input: SlashCommandInput) -> ActionResult {
    let command = format!("/{}", input.command.trim_start_matches('/'));
    let (app, url, form, channel, user, response_url, trigger_id) = {
        let mut state = sandbox.state();
        let team_id = resolve_team(&state, input.team.as_deref())?;
        let user = resolve_user(&state, &team_id, &input.user)?;
        let channel = resolve_channel(&state, &team_id, &input.channel)?;
        let (app, url) = state
            .apps
            .iter()
            .filter(|a| state.installation(&team_id, &a.app_id).is_some())
            .find_map(|a| {
                a.commands
                    .iter()
                    .find(|c| c.command == command)
                    .map(|c| (a.clone(), c.url.clone()))
            })
            .ok_or_else(|| {
                not_found("command").detail(format!("no installed app has {command}"))
            })?;
        let trigger_id = state.issue_trigger(&team_id, &user.id);
        let response_url = new_response_url(
            &mut state,
            &team_id,
            &channel.id,
            &user.id,
            &app.app_id,
            None,
        );
        let domain = state
            .team(&team_id)
            .map(|t| t.domain.clone())
            .unwrap_or_default();
        let form = vec![
            ("token", outbound::verification_token(&app)),
            ("team_id", team_id.clone()),
            ("team_domain", domain),
            ("channel_id", channel.id.clone()),
            ("channel_name", channel_name(&channel)),
            ("user_id", user.id.clone()),
            ("user_name", user.name.clone()),
            ("command", command.clone()),
            ("text", input.text.clone()),
            ("api_app_id", app.app_id.clone()),
            ("is_enterprise_install", "false".into()),
            ("response_url", response_url.clone()),
            ("trigger_id", trigger_id.clone()),
        ];
        (app, url, form, channel, user, response_url, trigger_id)
    };
    let body = serde_urlencoded::to_string(&form).unwrap_or_default();
    let answer = outbound::post_signed(
        sandbox,
        "slash_command",
        &url,
        "application/x-www-form-urlencoded",
        &body,
        &app.signing_secret,
        None,
    )
    .await;
    let mut shown = Value::Null;
    let mut effects = Vec::new();
    {
        let mut state = sandbox.state();
        let response_id = response_url
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        if let Some(reason) = answer.failure {
            let error = match reason {
                outbound::FailReason::HttpTimeout => "operation_timeout",
                outbound::FailReason::HttpError => "http_service_error",
                _ => "dispatch_failed",
            };
            let ts = state.next_ts();
            let text = format!("{command} failed with the error \"{error}\"");
            state.ephemerals.push(Ephemeral {
                channel: channel.id.clone(),
                user: user.id.clone(),
                ts: ts.clone(),
                text: text.clone(),
                blocks: None,
                thread_ts: None,
                app_id: None,
                replaced: false,
            });
            shown = json!({"ephemeral": true, "ts": ts, "text": text, "error": error});
        } else if !answer.body.trim().is_empty() {
            let message =
                answer_body_json(&answer).unwrap_or_else(|| json!({"text": answer.body.trim()}));
            match show_message(&mut state, &response_id, &message, &mut effects) {
                Ok(v) => shown = v,
                Err(e) => shown = json!({"error": e.error}),
            }
        }
    }
    outbound::deliver(sandbox, effects);
    Ok(json!({
        "ok": true,
        "command": command,
        "trigger_id": trigger_id,
        "response_url": response_url,
        "answer": answer_json(&answer),
        "shown": shown,
    }))
}

// ---------------------------------------------------------------------------
// response_url

/// Shows a message posted through a response URL (or as a command's
/// immediate answer): `delete_original`, `replace_original`, or a new
/// message, ephemeral unless `response_type` is `in_channel`.
fn show_message(
    state: &mut State,
    response_id: &str,
    body: &Value,
    effects: &mut Vec<Effect>,
) -> Result<Value, ActionError> {
    let r = state
        .response_urls
        .iter()
        .find(|r| r.id == response_id)
        .cloned()
        .ok_or(ActionError::new(404, "no_service"))?;
    let flag = |k: &str| body[k].as_bool().unwrap_or(false) || body[k].as_str() == Some("true");
    if flag("delete_original") {
        let ts = r
            .message_ts
            .clone()
            .ok_or(ActionError::new(404, "message_not_found"))?;
        if let Some(pos) = state
            .ephemerals
            .iter()
            .position(|e| e.ts == ts && e.channel == r.channel)
        {
            state.ephemerals.remove(pos);
        } else {
            let m = state
                .message_mut(&r.channel, &ts)
                .ok_or(ActionError::new(404, "message_not_found"))?;
            m.deleted = true;
            effects.push(Effect::Event {
                team_id: r.team_id.clone(),
                event: json!({
                    "type": "message", "subtype": "message_deleted", "hidden": true,
                    "channel": r.channel, "ts": state.next_ts(), "deleted_ts": ts,
                }),
            });
        }
        return Ok(json!({"deleted": ts}));
    }
    let text = body["text"].as_str().unwrap_or_default().to_owned();
    let blocks = body.get("blocks").filter(|b| !b.is_null()).cloned();
    let attachments = body.get("attachments").filter(|b| !b.is_null()).cloned();
    if text.is_empty() && blocks.is_none() && attachments.is_none() {
        return Err(bad("no_text"));
    }
    let in_channel = body["response_type"].as_str() == Some("in_channel");
    let thread_ts = body["thread_ts"].as_str().map(str::to_owned);
    if flag("replace_original") {
        if let Some(ts) = &r.message_ts {
            if let Some(pos) = state
                .ephemerals
                .iter()
                .position(|e| e.ts == *ts && e.channel == r.channel)
            {
                let old = state.ephemerals.remove(pos);
                let new_ts = state.next_ts();
                state.ephemerals.push(Ephemeral {
                    ts: new_ts.clone(),
                    text: text.clone(),
                    blocks,
                    replaced: true,
                    ..old
                });
                if let Some(r) = state.response_urls.iter_mut().find(|x| x.id == response_id) {
                    r.message_ts = Some(new_ts.clone());
                }
                return Ok(json!({"ephemeral": true, "replaced": ts, "ts": new_ts, "text": text}));
            }
            let edited = state.next_ts();
            if let Some(m) = state.message_mut(&r.channel, ts) {
                m.text = text.clone();
                m.blocks = blocks;
                m.attachments = attachments;
                m.edited_ts = Some(edited);
                return Ok(json!({"ephemeral": false, "replaced": ts, "ts": ts, "text": text}));
            }
        }
    }
    let ts = if in_channel {
        let channel = state
            .channel(&r.channel)
            .cloned()
            .ok_or(ActionError::new(404, "channel_not_found"))?;
        let bot =
            bot_of(state, &r.team_id, &r.app_id).ok_or(ActionError::new(404, "no_service"))?;
        let (message, event) = store_message(
            state,
            &channel,
            &bot.0,
            &text,
            blocks,
            attachments,
            thread_ts,
            Some((bot.1, r.app_id.clone())),
        );
        effects.push(Effect::Event {
            team_id: r.team_id.clone(),
            event,
        });
        message.ts
    } else {
        let ts = state.next_ts();
        state.ephemerals.push(Ephemeral {
            channel: r.channel.clone(),
            user: r.user_id.clone(),
            ts: ts.clone(),
            text: text.clone(),
            blocks,
            thread_ts,
            app_id: Some(r.app_id.clone()),
            replaced: false,
        });
        ts
    };
    if let Some(x) = state.response_urls.iter_mut().find(|x| x.id == response_id) {
        if x.message_ts.is_none() {
            x.message_ts = Some(ts.clone());
        }
    }
    Ok(json!({"ephemeral": !in_channel, "ts": ts, "text": text}))
}

/// `POST /response/{id}`: an app answering through a `response_url`, at
/// most 5 times within 30 minutes. Answers `(status, body)`:
/// `{"ok":true}`, or Slack's plain-text errors (`no_service`,
/// `expired_url`, `used_url`, `invalid_payload`, `no_text`).
pub fn respond(sandbox: &Sandbox, response_id: &str, body: &[u8]) -> (u16, String) {
    let payload: Value = match serde_json::from_slice::<Value>(body) {
        Ok(v) if v.is_object() => v,
        _ => match serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "payload"))
            .and_then(|(_, v)| serde_json::from_str::<Value>(&v).ok())
        {
            Some(v) if v.is_object() => v,
            _ => return (400, "invalid_payload".into()),
        },
    };
    let mut effects = Vec::new();
    let result = {
        let mut state = sandbox.state();
        let now = now_secs();
        let Some(r) = state.response_urls.iter_mut().find(|r| r.id == response_id) else {
            return (404, "no_service".into());
        };
        if r.expires_at < now {
            return (404, "expired_url".into());
        }
        if r.uses_left == 0 {
            return (404, "used_url".into());
        }
        r.uses_left -= 1;
        show_message(&mut state, response_id, &payload, &mut effects)
    };
    outbound::deliver(sandbox, effects);
    match result {
        Ok(_) => (200, json!({"ok": true}).to_string()),
        Err(e) => (e.status, e.error),
    }
}

// ---------------------------------------------------------------------------
// Views

/// A view as Slack sends it in payloads: the app's view plus Slack's
/// fields, with `state.values` as given.
fn view_object(state: &State, v: &View, values: Option<Value>) -> Value {
    let mut view = v.view.clone();
    if !view.is_object() {
        view = json!({});
    }
    let bot_id = bot_of(state, &v.team_id, &v.app_id).map(|b| b.1);
    let defaults = [
        ("private_metadata", json!("")),
        ("callback_id", json!("")),
        ("external_id", json!("")),
        ("clear_on_close", json!(false)),
        ("notify_on_close", json!(false)),
        ("blocks", json!([])),
        ("type", json!("modal")),
    ];
    for (k, d) in defaults {
        if view.get(k).is_none_or(Value::is_null) {
            view[k] = d;
        }
    }
    view["id"] = json!(v.id);
    view["team_id"] = json!(v.team_id);
    view["app_id"] = json!(v.app_id);
    view["app_installed_team_id"] = json!(v.team_id);
    view["bot_id"] = json!(bot_id);
    view["hash"] = json!(v.hash);
    view["root_view_id"] = json!(v.root_view_id);
    view["previous_view_id"] = json!(v.previous_view_id);
    if let Some(values) = values {
        view["state"] = json!({"values": values});
    } else if view.get("state").is_none_or(Value::is_null) {
        view["state"] = json!({"values": {}});
    }
    view
}

fn new_hash() -> String {
    format!("{}.{}", now_secs() as u64, secret(4))
}

/// The user's open modal: `view_id` if given, else the top of their stack.
fn open_view(state: &State, user_id: &str, view_id: Option<&str>) -> Result<View, ActionError> {
    state
        .views
        .iter()
        .rev()
        .filter(|v| v.user_id == user_id && !v.closed && v.view["type"].as_str() != Some("home"))
        .find(|v| view_id.is_none_or(|id| v.id == id))
        .cloned()
        .ok_or(not_found("view"))
}

/// Finds an interactive element by `action_id` in a list of blocks.
fn find_element(
    blocks: &Value,
    action_id: &str,
    block_id: Option<&str>,
) -> Option<(String, Value)> {
    for block in blocks.as_array()? {
        let bid = block["block_id"].as_str().unwrap_or_default();
        if block_id.is_some_and(|b| b != bid) {
            continue;
        }
        let mut candidates: Vec<&Value> = block["elements"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        candidates.push(&block["accessory"]);
        candidates.push(&block["element"]);
        if let Some(el) = candidates
            .into_iter()
            .find(|e| e["action_id"].as_str() == Some(action_id))
        {
            return Some((bid.to_owned(), el.clone()));
        }
    }
    None
}

/// The option of a select whose value is `value` (or the option given as
/// an object; external selects take any value).
fn find_option(element: &Value, value: &Value) -> Result<Value, ActionError> {
    if value.is_object() {
        return Ok(value.clone());
    }
    let wanted = value_str(value);
    let mut options: Vec<&Value> = element["options"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    if let Some(groups) = element["option_groups"].as_array() {
        for g in groups {
            options.extend(g["options"].as_array().into_iter().flatten());
        }
    }
    if let Some(o) = options
        .into_iter()
        .find(|o| o["value"].as_str() == Some(wanted.as_str()))
    {
        return Ok(o.clone());
    }
    if element["type"]
        .as_str()
        .unwrap_or_default()
        .contains("external")
    {
        return Ok(
            json!({"text": {"type": "plain_text", "text": wanted, "emoji": true}, "value": wanted}),
        );
    }
    Err(bad("invalid_option").detail(format!("no option with value {wanted:?}")))
}

fn value_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn value_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

/// An element's state (`{"type": …, "value"|"selected_…": …}`) for a
/// given value; `None` leaves it empty.
fn element_state(element: &Value, value: Option<&Value>) -> Result<Value, ActionError> {
    let kind = element["type"]
        .as_str()
        .unwrap_or("plain_text_input")
        .to_owned();
    let mut out = json!({"type": kind});
    let key_and = |key: &str,
                   f: &dyn Fn(&Value) -> Result<Value, ActionError>|
     -> Result<(String, Value), ActionError> {
        Ok((
            key.to_owned(),
            value.map(f).transpose()?.unwrap_or(Value::Null),
        ))
    };
    let (key, v) = match kind.as_str() {
        "static_select" | "external_select" | "radio_buttons" => {
            key_and("selected_option", &|v| find_option(element, v))?
        }
        "multi_static_select" | "multi_external_select" | "checkboxes" => {
            let (k, v) = key_and("selected_options", &|v| {
                value_list(v)
                    .iter()
                    .map(|x| find_option(element, x))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::from)
            })?;
            (k, if v.is_null() { json!([]) } else { v })
        }
        "users_select" => key_and("selected_user", &|v| Ok(json!(value_str(v))))?,
        "multi_users_select" => key_and("selected_users", &|v| Ok(json!(value_list(v))))?,
        "conversations_select" => key_and("selected_conversation", &|v| Ok(json!(value_str(v))))?,
        "multi_conversations_select" => {
            key_and("selected_conversations", &|v| Ok(json!(value_list(v))))?
        }
        "channels_select" => key_and("selected_channel", &|v| Ok(json!(value_str(v))))?,
        "multi_channels_select" => key_and("selected_channels", &|v| Ok(json!(value_list(v))))?,
        "datepicker" => key_and("selected_date", &|v| Ok(json!(value_str(v))))?,
        "timepicker" => key_and("selected_time", &|v| Ok(json!(value_str(v))))?,
        "datetimepicker" => key_and("selected_date_time", &|v| {
            Ok(v.as_i64()
                .map(Value::from)
                .unwrap_or_else(|| json!(value_str(v).parse::<i64>().ok())))
        })?,
        "rich_text_input" => key_and("rich_text_value", &|v| {
            Ok(
                json!({"type": "rich_text", "elements": [{"type": "rich_text_section",
                "elements": [{"type": "text", "text": value_str(v)}]}]}),
            )
        })?,
        _ => key_and("value", &|v| Ok(json!(value_str(v))))?,
    };
    out[key] = v;
    Ok(out)
}

/// The given value for an element: `values[block_id][action_id]`,
/// `values[block_id]` or `values[action_id]`.
fn given<'a>(values: &'a Value, block_id: &str, action_id: &str) -> Option<&'a Value> {
    match values.get(block_id) {
        Some(Value::Object(inner)) if inner.contains_key(action_id) => inner.get(action_id),
        Some(v) if !v.is_object() || v.get("value").is_some() || v.get("text").is_some() => Some(v),
        _ => values.get(action_id),
    }
    .filter(|v| !v.is_null())
}

/// `view.state.values` for a submission: every input block (and any
/// other element given a value), refusing when a required input is empty
/// as Slack's client does.
fn fill_values(view: &Value, values: &Value, require: bool) -> Result<Value, ActionError> {
    let mut out = Map::new();
    for block in view["blocks"].as_array().into_iter().flatten() {
        let block_id = block["block_id"].as_str().unwrap_or_default();
        let mut elements: Vec<&Value> = Vec::new();
        if block["type"] == "input" {
            elements.push(&block["element"]);
        } else {
            elements.extend(block["elements"].as_array().into_iter().flatten());
            elements.push(&block["accessory"]);
        }
        for element in elements {
            let Some(action_id) = element["action_id"].as_str() else {
                continue;
            };
            if element["type"] == "button" || element["type"] == "overflow" {
                continue;
            }
            let value = given(values, block_id, action_id);
            let empty = value
                .is_none_or(|v| v.as_str() == Some("") || v.as_array().is_some_and(Vec::is_empty));
            if block["type"] == "input" && require && empty && block["optional"] != true {
                return Err(
                    bad("missing_required_input").detail(format!("block {block_id} needs a value"))
                );
            }
            if block["type"] != "input" && value.is_none() {
                continue;
            }
            let state = element_state(element, value)?;
            out.entry(block_id.to_owned())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("an object")
                .insert(action_id.to_owned(), state);
        }
    }
    Ok(Value::Object(out))
}

#[derive(Debug, Clone, Deserialize)]
pub struct SubmitView {
    #[serde(default)]
    pub team: Option<String>,
    pub user: String,
    /// The modal; the user's topmost open one when not given.
    #[serde(default)]
    pub view_id: Option<String>,
    /// `{block_id: {action_id: value}}`, `{block_id: value}` or
    /// `{action_id: value}`; select values by option `value`.
    #[serde(default)]
    pub values: Value,
}

/// A person submits a modal: `view_submission` with `view.state.values`;
/// then the app's `response_action` applies (`errors` keeps the view open
/// and records them, `update` replaces it, `push` stacks a new one,
/// `clear` closes the stack; an empty 200 closes the view).
pub async fn submit_view(sandbox: &Sandbox, input: SubmitView) -> ActionResult {
    let (app, payload, view) = {
        let mut state = sandbox.state();
        let team_id = resolve_team(&state, input.team.as_deref())?;
        let user = resolve_user(&state, &team_id, &input.user)?;
        let view = open_view(&state, &user.id, input.view_id.as_deref())?;
        let app = resolve_app(&state, Some(&view.app_id))?;
        let values = fill_values(&view.view, &input.values, true)?;
        let trigger_id = state.issue_trigger(&team_id, &user.id);
        let payload = json!({
            "type": "view_submission",
            "team": team_json(&state, &team_id),
            "user": user_json(&user),
            "api_app_id": app.app_id,
            "token": outbound::verification_token(&app),
            "trigger_id": trigger_id,
            "view": view_object(&state, &view, Some(values)),
            "response_urls": [],
            "is_enterprise_install": false,
            "enterprise": null,
        });
        (app, payload, view)
    };
    let answer = interact(sandbox, &app, &payload).await?;
    if answer.failure.is_some() {
        return Ok(json!({"ok": true, "result": "failed", "answer": answer_json(&answer)}));
    }
    let response = answer_body_json(&answer).unwrap_or(Value::Null);
    let mut state = sandbox.state();
    let result = match response["response_action"].as_str() {
        None => {
            close_one(&mut state, &view.id);
            json!({"result": "closed"})
        }
        Some("errors") => {
            let errors = response["errors"].clone();
            state.view_errors.insert(view.id.clone(), errors.clone());
            json!({"result": "errors", "errors": errors})
        }
        Some("update") => {
            let new = response["view"].clone();
            if !new.is_object() {
                return Err(bad("invalid_response").detail("update without a view"));
            }
            state.view_errors.remove(&view.id);
            let hash = new_hash();
            let v = state
                .views
                .iter_mut()
                .find(|v| v.id == view.id)
                .ok_or(not_found("view"))?;
            v.view = new;
            v.hash = hash;
            let filled = view_object(
                &state,
                &state
                    .views
                    .iter()
                    .find(|v| v.id == view.id)
                    .cloned()
                    .expect("just updated"),
                None,
            );
            if let Some(v) = state.views.iter_mut().find(|v| v.id == view.id) {
                v.view = filled;
            }
            json!({"result": "updated", "view_id": view.id})
        }
        Some("push") => {
            let new = response["view"].clone();
            if !new.is_object() {
                return Err(bad("invalid_response").detail("push without a view"));
            }
            let depth = state
                .views
                .iter()
                .filter(|v| v.root_view_id == view.root_view_id && !v.closed)
                .count();
            if depth >= MAX_VIEW_STACK {
                return Err(bad("push_limit_reached"));
            }
            let pushed = View {
                id: id('V'),
                team_id: view.team_id.clone(),
                user_id: view.user_id.clone(),
                app_id: view.app_id.clone(),
                view: new,
                hash: new_hash(),
                root_view_id: view.root_view_id.clone(),
                previous_view_id: Some(view.id.clone()),
                closed: false,
            };
            let pushed_id = pushed.id.clone();
            let filled = view_object(&state, &pushed, None);
            state.views.push(View {
                view: filled,
                ..pushed
            });
            json!({"result": "pushed", "view_id": pushed_id})
        }
        Some("clear") => {
            let root = view.root_view_id.clone();
            for v in state.views.iter_mut().filter(|v| v.root_view_id == root) {
                v.closed = true;
            }
            json!({"result": "cleared"})
        }
        Some(other) => {
            return Err(bad("invalid_response").detail(format!("unknown response_action {other}")))
        }
    };
    let mut out = json!({"ok": true, "answer": answer_json(&answer)});
    for (k, v) in result.as_object().into_iter().flatten() {
        out[k] = v.clone();
    }
    Ok(out)
}

fn close_one(state: &mut State, view_id: &str) {
    if let Some(v) = state.views.iter_mut().find(|v| v.id == view_id) {
        v.closed = true;
    }
    state.view_errors.remove(view_id);
}

#[derive(Debug, Clone, Deserialize)]
pub struct CloseView {
    #[serde(default)]
    pub team: Option<String>,
    pub user: String,
    #[serde(default)]
    pub view_id: Option<String>,
}

/// A person closes a modal (the X or Cancel): it closes, and the app gets
/// `view_closed` when the view asked with `notify_on_close`.
pub async fn close_view(sandbox: &Sandbox, input: CloseView) -> ActionResult {
    let (app, payload) = {
        let mut state = sandbox.state();
        let team_id = resolve_team(&state, input.team.as_deref())?;
        let user = resolve_user(&state, &team_id, &input.user)?;
        let view = open_view(&state, &user.id, input.view_id.as_deref())?;
        let clear = view.view["clear_on_close"] == true;
        let notify = view.view["notify_on_close"] == true;
        let object = view_object(&state, &view, None);
        if clear {
            for v in state
                .views
                .iter_mut()
                .filter(|v| v.root_view_id == view.root_view_id)
            {
                v.closed = true;
            }
        } else {
            close_one(&mut state, &view.id);
        }
        if !notify {
            return Ok(json!({"ok": true, "notified": false}));
        }
        let app = resolve_app(&state, Some(&view.app_id))?;
        let payload = json!({
            "type": "view_closed",
            "team": team_json(&state, &team_id),
            "user": user_json(&user),
            "api_app_id": app.app_id,
            "token": outbound::verification_token(&app),
            "view": object,
            "is_cleared": clear,
            "is_enterprise_install": false,
            "enterprise": null,
        });
        (app, payload)
    };
    let answer = interact(sandbox, &app, &payload).await?;
    Ok(json!({"ok": true, "notified": true, "answer": answer_json(&answer)}))
}

// ---------------------------------------------------------------------------
// Buttons, shortcuts, external selects

#[derive(Debug, Clone, Deserialize)]
pub struct Click {
    #[serde(default)]
    pub team: Option<String>,
    pub user: String,
    /// A message's channel and `ts` (a message or an ephemeral one)…
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub ts: Option<String>,
    /// …or an open modal (`view_id`, or `in_view: true` for the top one).
    #[serde(default)]
    pub view_id: Option<String>,
    #[serde(default)]
    pub in_view: bool,
    pub action_id: String,
    #[serde(default)]
    pub block_id: Option<String>,
    /// For selects, the option value(s) picked; for buttons, overrides
    /// the button's value.
    #[serde(default)]
    pub value: Option<Value>,
    /// Current values of a modal's inputs, as for a submission.
    #[serde(default)]
    pub values: Value,
}

/// Where an interaction happens: a message, an ephemeral message or a view.
enum Surface {
    Message(Message),
    Ephemeral(Ephemeral),
    View(View),
}

impl Surface {
    /// The blocks an element is found in, and the app that gets the payload.
    fn blocks_and_app(&self) -> (Value, Option<String>) {
        match self {
            Surface::Message(m) => (m.blocks.clone().unwrap_or(Value::Null), m.app_id.clone()),
            Surface::Ephemeral(e) => (e.blocks.clone().unwrap_or(Value::Null), e.app_id.clone()),
            Surface::View(v) => (v.view["blocks"].clone(), Some(v.app_id.clone())),
        }
    }

    /// The payload's `container`.
    fn container(&self) -> Value {
        match self {
            Surface::Message(m) => message_container(&m.channel, &m.ts, false),
            Surface::Ephemeral(e) => message_container(&e.channel, &e.ts, true),
            Surface::View(v) => json!({"type": "view", "view_id": v.id}),
        }
    }
}

fn message_container(channel: &str, ts: &str, is_ephemeral: bool) -> Value {
    json!({"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": is_ephemeral})
}

fn surface(state: &State, team_id: &str, user_id: &str, c: &Click) -> Result<Surface, ActionError> {
    if c.view_id.is_some() || c.in_view || c.channel.is_none() {
        return Ok(Surface::View(open_view(
            state,
            user_id,
            c.view_id.as_deref(),
        )?));
    }
    let channel = resolve_channel(state, team_id, c.channel.as_deref().unwrap_or_default())?;
    let ts = c.ts.as_deref().ok_or(bad("ts_required"))?;
    if let Some(m) = state.message(&channel.id, ts) {
        return Ok(Surface::Message(m.clone()));
    }
    state
        .ephemerals
        .iter()
        .find(|e| e.channel == channel.id && e.ts == ts && e.user == user_id)
        .cloned()
        .map(Surface::Ephemeral)
        .ok_or(not_found("message"))
}

/// A person clicks a button (or picks from a select) in a message or a
/// modal: `block_actions` with `actions`, `container`, the message or
/// view, a `trigger_id`, and a `response_url` for messages.
pub async fn click(sandbox: &Sandbox, input: Click) -> ActionResult {
    let (app, payload) = {
        let mut state = sandbox.state();
        let team_id = resolve_team(&state, input.team.as_deref())?;
        let user = resolve_user(&state, &team_id, &input.user)?;
        let surface = surface(&state, &team_id, &user.id, &input)?;
        let (blocks, app_id) = surface.blocks_and_app();
        let app_id = app_id.ok_or(bad("not_interactive").detail("no app posted this message"))?;
        let app = resolve_app(&state, Some(&app_id))?;
        let (block_id, element) =
            find_element(&blocks, &input.action_id, input.block_id.as_deref()).ok_or(
                not_found("action")
                    .detail(format!("no element with action_id {}", input.action_id)),
            )?;
        let kind = element["type"].as_str().unwrap_or("button").to_owned();
        let mut action = json!({
            "action_id": input.action_id,
            "block_id": block_id,
            "type": kind,
            "action_ts": action_ts(),
        });
        if kind == "button" {
            action["text"] = element["text"].clone();
            let value = input
                .value
                .as_ref()
                .map(value_str)
                .or_else(|| element["value"].as_str().map(str::to_owned));
            if let Some(v) = value {
                action["value"] = json!(v);
            }
            if !element["style"].is_null() {
                action["style"] = element["style"].clone();
            }
        } else if kind == "overflow" {
            action["selected_option"] =
                find_option(&element, input.value.as_ref().unwrap_or(&Value::Null))?;
        } else {
            let st = element_state(&element, input.value.as_ref())?;
            for (k, v) in st.as_object().into_iter().flatten() {
                action[k] = v.clone();
            }
        }
        let trigger_id = state.issue_trigger(&team_id, &user.id);
        let mut payload = json!({
            "type": "block_actions",
            "user": user_json(&user),
            "api_app_id": app.app_id,
            "token": outbound::verification_token(&app),
            "trigger_id": trigger_id,
            "team": team_json(&state, &team_id),
            "enterprise": null,
            "is_enterprise_install": false,
            "actions": [action],
        });
        payload["container"] = surface.container();
        match &surface {
            Surface::Message(Message {
                channel: channel_id,
                ts,
                ..
            })
            | Surface::Ephemeral(Ephemeral {
                channel: channel_id,
                ts,
                ..
            }) => {
                let channel = resolve_channel(&state, &team_id, channel_id)?;
                let url = new_response_url(
                    &mut state,
                    &team_id,
                    channel_id,
                    &user.id,
                    &app.app_id,
                    Some(ts.clone()),
                );
                payload["channel"] = channel_json(&channel);
                payload["response_url"] = json!(url);
                payload["state"] = json!({"values": {}});
                if let Surface::Message(m) = &surface {
                    payload["message"] = message_json(m);
                }
            }
            Surface::View(v) => {
                let values = fill_values(&v.view, &input.values, false)?;
                payload["view"] = view_object(&state, v, Some(values));
            }
        }
        (app, payload)
    };
    let answer = interact(sandbox, &app, &payload).await?;
    Ok(json!({
        "ok": true,
        "trigger_id": payload["trigger_id"],
        "response_url": payload.get("response_url"),
        "answer": answer_json(&answer),
    }))
}

#[derive(Debug, Clone, Deserialize)]
pub struct Shortcut {
    #[serde(default)]
    pub team: Option<String>,
    pub user: String,
    pub callback_id: String,
    /// For a message shortcut: the message's channel and `ts`.
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub ts: Option<String>,
    /// For a global shortcut: which app (the first when not given).
    #[serde(default)]
    pub app: Option<String>,
}

/// A person uses a message shortcut (`message_action`, with the message,
/// a `response_url` and a `trigger_id`) or, without a message, a global
/// shortcut (`shortcut`).
pub async fn shortcut(sandbox: &Sandbox, input: Shortcut) -> ActionResult {
    let (app, payload) = {
        let mut state = sandbox.state();
        let team_id = resolve_team(&state, input.team.as_deref())?;
        let user = resolve_user(&state, &team_id, &input.user)?;
        let app = resolve_app(&state, input.app.as_deref())?;
        if state.installation(&team_id, &app.app_id).is_none() {
            return Err(not_found("installation"));
        }
        let trigger_id = state.issue_trigger(&team_id, &user.id);
        let mut payload = json!({
            "callback_id": input.callback_id,
            "trigger_id": trigger_id,
            "team": team_json(&state, &team_id),
            "user": user_json(&user),
            "token": outbound::verification_token(&app),
            "action_ts": action_ts(),
            "api_app_id": app.app_id,
            "enterprise": null,
            "is_enterprise_install": false,
        });
        match (&input.channel, &input.ts) {
            (Some(c), Some(ts)) => {
                let channel = resolve_channel(&state, &team_id, c)?;
                let message = state
                    .message(&channel.id, ts)
                    .cloned()
                    .ok_or(not_found("message"))?;
                let url = new_response_url(
                    &mut state,
                    &team_id,
                    &channel.id,
                    &user.id,
                    &app.app_id,
                    None,
                );
                payload["type"] = json!("message_action");
                payload["channel"] = channel_json(&channel);
                payload["message"] = message_json(&message);
                payload["message_ts"] = json!(message.ts);
                payload["response_url"] = json!(url);
            }
            _ => payload["type"] = json!("shortcut"),
        }
        (app, payload)
    };
    let answer = interact(sandbox, &app, &payload).await?;
    Ok(json!({
        "ok": true,
        "type": payload["type"],
        "trigger_id": payload["trigger_id"],
        "response_url": payload.get("response_url"),
        "answer": answer_json(&answer),
    }))
}

/// A person types into an external select: `block_suggestion` to the
/// options URL; answers the app's `options` / `option_groups`.
pub async fn suggest_options(sandbox: &Sandbox, input: Click) -> ActionResult {
    let (app, payload) = {
        let state = sandbox.state();
        let team_id = resolve_team(&state, input.team.as_deref())?;
        let user = resolve_user(&state, &team_id, &input.user)?;
        let surface = surface(&state, &team_id, &user.id, &input)?;
        let (blocks, app_id) = surface.blocks_and_app();
        let view = match &surface {
            Surface::View(v) => Some(view_object(
                &state,
                v,
                Some(fill_values(&v.view, &input.values, false)?),
            )),
            Surface::Message(_) | Surface::Ephemeral(_) => None,
        };
        let app = resolve_app(&state, Some(&app_id.ok_or(bad("not_interactive"))?))?;
        let (block_id, _element) =
            find_element(&blocks, &input.action_id, input.block_id.as_deref())
                .ok_or(not_found("action"))?;
        let mut payload = json!({
            "type": "block_suggestion",
            "user": user_json(&user),
            "container": surface.container(),
            "api_app_id": app.app_id,
            "token": outbound::verification_token(&app),
            "action_id": input.action_id,
            "block_id": block_id,
            "value": input.value.as_ref().map(value_str).unwrap_or_default(),
            "team": team_json(&state, &team_id),
            "enterprise": null,
            "is_enterprise_install": false,
        });
        if let Some(view) = view {
            payload["view"] = view;
        }
        (app, payload)
    };
    let answer = interact(sandbox, &app, &payload).await?;
    let body = answer_body_json(&answer).unwrap_or(Value::Null);
    Ok(json!({
        "ok": true,
        "options": body.get("options"),
        "option_groups": body.get("option_groups"),
        "answer": answer_json(&answer),
    }))
}
