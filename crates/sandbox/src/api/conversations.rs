//! `conversations.*`: listing, reading, joining, opening, creating and
//! inviting, with Slack's visibility rules (a bot sees public channels and
//! the private ones and DMs it is a member of) and scopes per channel type.

use serde_json::{json, Map, Value};

use super::answers::{obj, page};
use super::lookup::{ts_key, visible_channel};
use super::objects::{channel_json, message_json};
use super::request::{ApiError, ApiResult, Args, Ctx};
use crate::events::joined_event;
use crate::ids::{id, now_secs};
use crate::outbound::Effect;
use crate::state::{Channel, Message};

/// Which family of per-type scopes an operation needs.
#[derive(Clone, Copy)]
pub(super) enum Access {
    Read,
    History,
    Manage,
}

/// The scope an operation needs on a channel of this type.
pub(super) fn scope_for(channel: &Channel, access: Access) -> &'static str {
    let kind = channel_kind(channel);
    match (access, kind) {
        (Access::Read, Kind::Public) => "channels:read",
        (Access::Read, Kind::Private) => "groups:read",
        (Access::Read, Kind::Im) => "im:read",
        (Access::History, Kind::Public) => "channels:history",
        (Access::History, Kind::Private) => "groups:history",
        (Access::History, Kind::Im) => "im:history",
        (Access::Manage, Kind::Public) => "channels:manage",
        (Access::Manage, Kind::Private) => "groups:write",
        (Access::Manage, Kind::Im) => "im:write",
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Public,
    Private,
    Im,
}

fn channel_kind(channel: &Channel) -> Kind {
    if channel.is_im {
        Kind::Im
    } else if channel.is_private {
        Kind::Private
    } else {
        Kind::Public
    }
}

/// Reading messages: bots only where they are members (`not_in_channel`
/// for a public channel they have not joined); people in every public
/// channel and the private ones they are in.
pub(super) fn readable_channel(ctx: &Ctx<'_>) -> Result<Channel, ApiError> {
    let caller = ctx.caller();
    let channel = visible_channel(ctx.state, caller, "channel", ctx.args)?;
    ctx.require_any(&[scope_for(&channel, Access::History)])?;
    if caller.is_bot() && !channel.members.contains(&caller.token.user_id) {
        return Err(ApiError::slack("not_in_channel"));
    }
    Ok(channel)
}

pub(super) fn list(ctx: &mut Ctx<'_>) -> ApiResult {
    list_channels(ctx, None)
}

/// The channels of the `types` asked for that the caller can see, paged;
/// with `member`, only those that user is in (`users.conversations`, whose
/// objects carry neither `num_members` nor `is_member`).
pub(super) fn list_channels(ctx: &mut Ctx<'_>, member: Option<&str>) -> ApiResult {
    let types = ctx.args.str("types").unwrap_or("public_channel");
    let mut wanted = Vec::new();
    for t in types.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let scope = match t {
            "public_channel" => "channels:read",
            "private_channel" => "groups:read",
            "im" => "im:read",
            "mpim" => "mpim:read",
            _ => return Err(ApiError::slack("invalid_types")),
        };
        ctx.require_any(&[scope])?;
        wanted.push(t);
    }
    let exclude_archived = ctx.args.flag("exclude_archived");
    let caller = ctx.caller().clone();
    let viewer = caller.token.user_id.clone();
    let visible: Vec<&Channel> = ctx
        .state
        .channels
        .iter()
        .filter(|c| c.team_id == caller.team_id())
        .filter(|c| {
            let t = match channel_kind(c) {
                Kind::Public => "public_channel",
                Kind::Private => "private_channel",
                Kind::Im => "im",
            };
            wanted.contains(&t)
        })
        .filter(|c| !(exclude_archived && c.is_archived))
        .filter(|c| ctx.state.can_see_channel(c, &viewer))
        .filter(|c| member.is_none_or(|m| c.members.iter().any(|x| x == m)))
        .collect();
    let (page, next) = page(&visible, ctx.args, 100, 1000)?;
    let channels: Vec<Value> = page
        .iter()
        .map(|c| {
            let mut json = channel_json(ctx.state, c, &viewer, member.is_none());
            if member.is_some() {
                json.as_object_mut().map(|o| o.remove("is_member"));
            }
            json
        })
        .collect();
    Ok(obj(
        json!({"channels": channels, "response_metadata": {"next_cursor": next}}),
    ))
}

pub(super) fn info(ctx: &mut Ctx<'_>) -> ApiResult {
    let caller = ctx.caller().clone();
    let channel = visible_channel(ctx.state, &caller, "channel", ctx.args)?;
    ctx.require_any(&[scope_for(&channel, Access::Read)])?;
    let with_members = ctx.args.flag("include_num_members");
    Ok(obj(json!({
        "channel": channel_json(ctx.state, &channel, &caller.token.user_id, with_members)
    })))
}

pub(super) fn join(ctx: &mut Ctx<'_>) -> ApiResult {
    let caller = ctx.caller().clone();
    let user = caller.token.user_id.clone();
    let channel = visible_channel(ctx.state, &caller, "channel", ctx.args)?;
    if channel.is_private || channel.is_im {
        return Err(ApiError::slack("method_not_supported_for_channel_type"));
    }
    if channel.is_archived {
        return Err(ApiError::slack("is_archived"));
    }
    let mut out = Map::new();
    if channel.members.contains(&user) {
        out.insert("warning".into(), json!("already_in_channel"));
        out.insert(
            "response_metadata".into(),
            json!({"warnings": ["already_in_channel"]}),
        );
    } else if let Some(c) = ctx.state.channel_mut(&channel.id) {
        c.members.push(user.clone());
        let joined = c.clone();
        ctx.effects.push(joined_event(&joined, &user, None));
    }
    let channel = ctx.state.channel(&channel.id).cloned().unwrap_or(channel);
    out.insert(
        "channel".into(),
        channel_json(ctx.state, &channel, &user, false),
    );
    Ok(out)
}

pub(super) fn members(ctx: &mut Ctx<'_>) -> ApiResult {
    let caller = ctx.caller().clone();
    let channel = visible_channel(ctx.state, &caller, "channel", ctx.args)?;
    ctx.require_any(&[scope_for(&channel, Access::Read)])?;
    let (members, next) = page(&channel.members, ctx.args, 100, 1000)?;
    Ok(obj(
        json!({"members": members, "response_metadata": {"next_cursor": next}}),
    ))
}

pub(super) fn open(ctx: &mut Ctx<'_>) -> ApiResult {
    let caller = ctx.caller().clone();
    let me = caller.token.user_id.clone();
    let return_im = ctx.args.flag("return_im");
    let (channel_id, existed) = if let Some(users) = ctx.args.str("users") {
        let ids: Vec<&str> = users
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .collect();
        let others: Vec<&str> = ids.iter().copied().filter(|u| *u != me).collect();
        if ids.is_empty() {
            return Err(ApiError::slack("users_list_not_supplied"));
        }
        if others.len() > 1 {
            // Multi-person DMs are not modelled by the sandbox.
            ctx.require_any(&["mpim:write"])?;
            return Err(ApiError::slack("method_not_supported_for_channel_type"));
        }
        ctx.require_any(&["im:write"])?;
        let other = others.first().copied().unwrap_or(me.as_str()).to_owned();
        match ctx.state.user(&other) {
            Some(u) if u.team_id == caller.team_id() => {
                if u.deleted {
                    return Err(ApiError::slack("user_disabled"));
                }
            }
            _ => return Err(ApiError::slack("user_not_found")),
        }
        if ctx.args.flag("prevent_creation")
            && ctx
                .state
                .im_between(caller.team_id(), &me, &other)
                .is_none()
        {
            return Ok(obj(json!({"channel": {}})));
        }
        ctx.state.open_im(caller.team_id(), &me, &other)
    } else if ctx.args.str("channel").is_some() {
        let channel = visible_channel(ctx.state, &caller, "channel", ctx.args)?;
        if !channel.is_im {
            return Err(ApiError::slack("method_not_supported_for_channel_type"));
        }
        ctx.require_any(&["im:write"])?;
        (channel.id, true)
    } else {
        return Err(ApiError::slack("users_list_not_supplied"));
    };
    let channel_json_value = if return_im {
        let channel = ctx
            .state
            .channel(&channel_id)
            .cloned()
            .expect("just opened");
        channel_json(ctx.state, &channel, &me, false)
    } else {
        json!({"id": channel_id})
    };
    let mut out = obj(json!({"channel": channel_json_value}));
    if existed {
        out.insert("no_op".into(), json!(true));
        out.insert("already_open".into(), json!(true));
    }
    Ok(out)
}

/// Messages within `oldest`/`latest` (exclusive unless `inclusive`).
fn in_window(args: &Args, ts: &str) -> Result<bool, ApiError> {
    let key = ts_key(ts).unwrap_or_default();
    let inclusive = args.flag("inclusive");
    if let Some(oldest) = args.str("oldest") {
        let oldest = ts_key(oldest).ok_or(ApiError::slack("invalid_ts_oldest"))?;
        if key < oldest || (key == oldest && !inclusive) {
            return Ok(false);
        }
    }
    if let Some(latest) = args.str("latest") {
        let latest = ts_key(latest).ok_or(ApiError::slack("invalid_ts_latest"))?;
        if key > latest || (key == latest && !inclusive) {
            return Ok(false);
        }
    }
    Ok(true)
}

pub(super) fn history(ctx: &mut Ctx<'_>) -> ApiResult {
    let channel = readable_channel(ctx)?;
    let with_metadata = ctx.args.flag("include_all_metadata");
    // Validate the window once even when the channel is empty.
    in_window(ctx.args, "0.000000")?;
    let mut messages: Vec<&Message> = Vec::new();
    for m in ctx
        .state
        .messages
        .iter()
        .filter(|m| m.channel == channel.id && !m.deleted)
    {
        let top_level = m.thread_ts.as_deref().is_none_or(|t| t == m.ts) || m.reply_broadcast;
        if top_level && in_window(ctx.args, &m.ts)? {
            messages.push(m);
        }
    }
    messages.sort_by_key(|m| std::cmp::Reverse(ts_key(&m.ts)));
    let (page, next) = page(&messages, ctx.args, 100, 999)?;
    let rendered: Vec<Value> = page
        .iter()
        .map(|m| message_json(ctx.state, m, with_metadata))
        .collect();
    let mut out = obj(json!({
        "messages": rendered,
        "has_more": !next.is_empty(),
        "pin_count": 0,
        "channel_actions_ts": null,
        "channel_actions_count": 0,
    }));
    if !next.is_empty() {
        out.insert("response_metadata".into(), json!({"next_cursor": next}));
    }
    Ok(out)
}

pub(super) fn replies(ctx: &mut Ctx<'_>) -> ApiResult {
    let channel = readable_channel(ctx)?;
    let ts = ctx.args.required("ts", "thread_not_found")?;
    let with_metadata = ctx.args.flag("include_all_metadata");
    let parent = ctx
        .state
        .message(&channel.id, ts)
        .ok_or(ApiError::slack("thread_not_found"))?;
    let root = parent
        .thread_ts
        .clone()
        .unwrap_or_else(|| parent.ts.clone());
    let mut thread: Vec<&Message> = Vec::new();
    for m in ctx
        .state
        .messages
        .iter()
        .filter(|m| m.channel == channel.id && !m.deleted)
    {
        let belongs = m.ts == root || m.thread_ts.as_deref() == Some(root.as_str());
        if belongs && (m.ts == root || in_window(ctx.args, &m.ts)?) {
            thread.push(m);
        }
    }
    thread.sort_by_key(|m| ts_key(&m.ts));
    let (page, next) = page(&thread, ctx.args, 1000, 1000)?;
    let rendered: Vec<Value> = page
        .iter()
        .map(|m| message_json(ctx.state, m, with_metadata))
        .collect();
    let mut out = obj(json!({"messages": rendered, "has_more": !next.is_empty()}));
    if !next.is_empty() {
        out.insert("response_metadata".into(), json!({"next_cursor": next}));
    }
    Ok(out)
}

/// Slack's channel-name rules: lower-case letters, digits, `-` and `_`,
/// at most 80 characters, not only punctuation.
fn check_name(name: &str) -> Result<(), ApiError> {
    if name.is_empty() {
        return Err(ApiError::slack("invalid_name_required"));
    }
    if name.chars().count() > 80 {
        return Err(ApiError::slack("invalid_name_maxlength"));
    }
    if !name.chars().all(|c| {
        c.is_ascii_lowercase()
            || c.is_ascii_digit()
            || c == '-'
            || c == '_'
            || (c.is_alphabetic() && !c.is_uppercase())
    }) {
        return Err(ApiError::slack("invalid_name_specials"));
    }
    if name.chars().all(|c| c == '-' || c == '_') {
        return Err(ApiError::slack("invalid_name_punctuation"));
    }
    Ok(())
}

pub(super) fn create(ctx: &mut Ctx<'_>) -> ApiResult {
    let caller = ctx.caller().clone();
    let is_private = ctx.args.flag("is_private");
    ctx.require_any(&[if is_private {
        "groups:write"
    } else {
        "channels:manage"
    }])?;
    let name = ctx.args.str("name").unwrap_or("");
    check_name(name)?;
    if ctx
        .state
        .channels
        .iter()
        .any(|c| c.team_id == caller.team_id() && !c.is_im && c.name == name)
    {
        return Err(ApiError::slack("name_taken"));
    }
    let user = caller.token.user_id.clone();
    let channel = Channel {
        id: id('C'),
        team_id: caller.team_id().to_owned(),
        name: name.to_owned(),
        is_private,
        is_im: false,
        is_archived: false,
        members: vec![user.clone()],
        creator: user.clone(),
        created: now_secs() as u64,
        topic: String::new(),
        purpose: String::new(),
    };
    ctx.state.channels.push(channel.clone());
    if !is_private {
        ctx.effects.push(Effect::Event {
            team_id: channel.team_id.clone(),
            event: json!({
                "type": "channel_created",
                "channel": {
                    "id": channel.id,
                    "name": channel.name,
                    "created": channel.created,
                    "creator": channel.creator,
                },
                "event_ts": format!("{:.6}", now_secs()),
            }),
        });
    }
    Ok(obj(
        json!({"channel": channel_json(ctx.state, &channel, &user, false)}),
    ))
}

pub(super) fn invite(ctx: &mut Ctx<'_>) -> ApiResult {
    let caller = ctx.caller().clone();
    let me = caller.token.user_id.clone();
    let channel = visible_channel(ctx.state, &caller, "channel", ctx.args)?;
    ctx.require_any(&[scope_for(&channel, Access::Manage)])?;
    if channel.is_im {
        return Err(ApiError::slack("method_not_supported_for_channel_type"));
    }
    let users: Vec<String> = ctx
        .args
        .str("users")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned)
        .collect();
    if users.is_empty() {
        return Err(ApiError::slack("no_user"));
    }
    if users.len() > 1000 {
        return Err(ApiError::slack("too_many_users"));
    }
    if channel.is_archived {
        return Err(ApiError::slack("is_archived"));
    }
    if !channel.members.contains(&me) {
        return Err(ApiError::slack("not_in_channel"));
    }
    let mut errors = Vec::new();
    for u in &users {
        let error = if *u == me {
            Some("cant_invite_self")
        } else {
            match ctx.state.user(u) {
                Some(user) if user.team_id == caller.team_id() && !user.deleted => {
                    channel.members.contains(u).then_some("already_in_channel")
                }
                _ => Some("user_not_found"),
            }
        };
        if let Some(error) = error {
            errors.push(json!({"user": u, "ok": false, "error": error}));
        }
    }
    if let Some(first) = errors.first() {
        let error = first["error"].as_str().unwrap_or("cant_invite").to_owned();
        let mut extra = Map::new();
        extra.insert("errors".into(), Value::Array(errors));
        return Err(ApiError::Slack { error, extra });
    }
    if let Some(c) = ctx.state.channel_mut(&channel.id) {
        c.members.extend(users.iter().cloned());
    }
    let channel = ctx.state.channel(&channel.id).cloned().unwrap_or(channel);
    for u in &users {
        ctx.effects.push(joined_event(&channel, u, Some(&me)));
    }
    Ok(obj(
        json!({"channel": channel_json(ctx.state, &channel, &me, false)}),
    ))
}
