//! `chat.*`: posting (public, threaded, ephemeral), updating, deleting,
//! permalinks and unfurls, with Slack's authorship rules: an app posts as
//! its bot user with `bot_id`/`app_id`, needs to be in the channel unless
//! it holds `chat:write.public` for a public one, and may only change its
//! own messages.

use serde_json::{json, Map, Value};

use super::answers::obj;
use super::lookup::visible_channel;
use super::objects::message_json;
use super::request::{ApiError, ApiResult, Args, Ctx};
use crate::events::channel_event;
use crate::state::{Channel, Ephemeral, Message, State};
use crate::state_queries::channel_type;

/// Block types a message may carry (`input` is for modals only).
const MESSAGE_BLOCKS: &[&str] = &[
    "actions",
    "context",
    "divider",
    "file",
    "header",
    "image",
    "markdown",
    "rich_text",
    "section",
    "table",
    "video",
    "call",
    "context_actions",
];

/// The `message` event for a new message, as the Events API sends it.
pub(crate) fn message_event(state: &State, channel: &Channel, m: &Message) -> Value {
    let mut event = message_json(state, m, true);
    if let Some(map) = event.as_object_mut() {
        for k in [
            "reply_count",
            "reply_users_count",
            "reply_users",
            "latest_reply",
            "reactions",
            "is_locked",
            "subscribed",
        ] {
            map.remove(k);
        }
        if m.thread_ts.as_deref() == Some(m.ts.as_str()) {
            map.remove("thread_ts");
        }
    }
    event["channel"] = json!(channel.id);
    event["event_ts"] = json!(m.ts);
    event["channel_type"] = json!(channel_type(channel));
    event
}

/// Message content from `text`, `blocks` and `attachments`.
struct Content {
    text: Option<String>,
    blocks: Option<Value>,
    attachments: Option<Value>,
}

fn parse_json_arg(
    args: &Args,
    key: &str,
    format_error: &'static str,
) -> Result<Option<Value>, ApiError> {
    args.json(key).map_err(|_| ApiError::slack(format_error))
}

/// At most 50 blocks of the `allowed` types, within Block Kit's limits;
/// else `invalid_blocks`.
fn check_blocks(items: &[Value], allowed: impl Fn(&str) -> bool) -> Result<(), ApiError> {
    let known = items
        .iter()
        .all(|b| b.get("type").and_then(Value::as_str).is_some_and(&allowed));
    if items.len() > 50 || !known || !super::block_kit::within_limits(items) {
        return Err(ApiError::slack("invalid_blocks"));
    }
    Ok(())
}

fn content(args: &Args) -> Result<Content, ApiError> {
    let blocks = match parse_json_arg(args, "blocks", "invalid_blocks_format")? {
        None => None,
        Some(Value::Array(items)) => {
            check_blocks(&items, |k| MESSAGE_BLOCKS.contains(&k))?;
            (!items.is_empty()).then_some(Value::Array(items))
        }
        Some(_) => return Err(ApiError::slack("invalid_blocks_format")),
    };
    let attachments = match parse_json_arg(args, "attachments", "invalid_attachments")? {
        None => None,
        Some(Value::Array(items)) => {
            if items.len() > 100 {
                return Err(ApiError::slack("too_many_attachments"));
            }
            let mut out = Vec::new();
            for (i, a) in items.into_iter().enumerate() {
                let Value::Object(mut a) = a else {
                    return Err(ApiError::slack("invalid_attachments"));
                };
                a.insert("id".into(), json!(i + 1));
                out.push(Value::Object(a));
            }
            (!out.is_empty()).then_some(Value::Array(out))
        }
        Some(_) => return Err(ApiError::slack("invalid_attachments")),
    };
    let text = args.str("text").map(str::to_owned);
    if text.as_ref().is_some_and(|t| t.chars().count() > 40_000) {
        return Err(ApiError::slack("msg_too_long"));
    }
    Ok(Content {
        text,
        blocks,
        attachments,
    })
}

/// The channel the caller may post to: by id or name, or a user id for the
/// app's DM with that person.
fn postable_channel(ctx: &mut Ctx<'_>) -> Result<Channel, ApiError> {
    let caller = ctx.caller().clone();
    let me = caller.token.user_id.clone();
    let wanted = ctx
        .args
        .str("channel")
        .ok_or(ApiError::slack("channel_not_found"))?;
    if wanted.starts_with('U') || wanted.starts_with('W') {
        let is_user = ctx
            .state
            .user(wanted)
            .is_some_and(|u| u.team_id == caller.team_id() && !u.deleted);
        if is_user {
            let other = wanted.to_owned();
            let (id, _) = ctx.state.open_im(caller.team_id(), &me, &other);
            return ctx
                .state
                .channel(&id)
                .cloned()
                .ok_or(ApiError::slack("channel_not_found"));
        }
    }
    let channel = visible_channel(ctx.state, &caller, "channel", ctx.args)?;
    if channel.is_archived {
        return Err(ApiError::slack("is_archived"));
    }
    let member = channel.members.contains(&me);
    let public = !channel.is_private && !channel.is_im;
    let public_ok =
        caller.is_bot() && public && caller.token.scopes.iter().any(|s| s == "chat:write.public");
    if !member && !public_ok {
        return Err(ApiError::slack("not_in_channel"));
    }
    Ok(channel)
}

/// The thread root a `thread_ts` names (a reply's `ts` counts as its root).
fn thread_root(
    state: &State,
    channel: &str,
    thread_ts: Option<&str>,
) -> Result<Option<String>, ApiError> {
    let Some(ts) = thread_ts else { return Ok(None) };
    let parent = state
        .message(channel, ts)
        .ok_or(ApiError::slack("invalid_thread_ts"))?;
    Ok(Some(
        parent
            .thread_ts
            .clone()
            .unwrap_or_else(|| parent.ts.clone()),
    ))
}

pub(super) fn post_message(ctx: &mut Ctx<'_>) -> ApiResult {
    let channel = postable_channel(ctx)?;
    let content = content(ctx.args)?;
    if content.text.is_none() && content.blocks.is_none() && content.attachments.is_none() {
        return Err(ApiError::slack("no_text"));
    }
    let metadata = match ctx
        .args
        .json("metadata")
        .map_err(|_| ApiError::slack("invalid_metadata_format"))?
    {
        None => None,
        Some(m) => {
            let ok = m
                .get("event_type")
                .and_then(Value::as_str)
                .is_some_and(|t| !t.is_empty())
                && m.get("event_payload").is_some_and(Value::is_object);
            if !ok {
                return Err(ApiError::slack("invalid_metadata_format"));
            }
            Some(m)
        }
    };
    let root = thread_root(ctx.state, &channel.id, ctx.args.str("thread_ts"))?;
    let caller = ctx.caller().clone();
    let installation = ctx.state.installation_of(&caller.token).cloned();
    let customize = caller.is_bot()
        && caller
            .token
            .scopes
            .iter()
            .any(|s| s == "chat:write.customize");
    let honour = |key: &str| {
        customize
            .then(|| ctx.args.str(key).map(str::to_owned))
            .flatten()
    };
    let ts = ctx.state.next_ts();
    let message = Message {
        channel: channel.id.clone(),
        ts: ts.clone(),
        user: caller.token.user_id.clone(),
        text: content.text.unwrap_or_default(),
        blocks: content.blocks,
        attachments: content.attachments,
        reply_broadcast: root.is_some() && ctx.args.flag("reply_broadcast"),
        thread_ts: root,
        reactions: Vec::new(),
        metadata,
        username: honour("username"),
        icon_url: honour("icon_url"),
        icon_emoji: honour("icon_emoji"),
        bot_id: installation.as_ref().map(|i| i.bot_id.clone()),
        app_id: installation.as_ref().map(|i| i.app_id.clone()),
        edited_ts: None,
        deleted: false,
    };
    ctx.state.messages.push(message.clone());
    let event = message_event(ctx.state, &channel, &message);
    if let Some(effect) = channel_event(ctx.state, &channel, event) {
        ctx.effects.push(effect);
    }
    Ok(obj(json!({
        "channel": channel.id,
        "ts": ts,
        "message": message_json(ctx.state, &message, true),
    })))
}

pub(super) fn post_ephemeral(ctx: &mut Ctx<'_>) -> ApiResult {
    let user = ctx.args.required("user", "user_not_found")?.to_owned();
    let channel = postable_channel(ctx)?;
    let team_id = ctx.caller().team_id().to_owned();
    if ctx.state.user(&user).is_none_or(|u| u.team_id != team_id) {
        return Err(ApiError::slack("user_not_found"));
    }
    if !channel.members.contains(&user) {
        return Err(ApiError::slack("user_not_in_channel"));
    }
    let content = content(ctx.args)?;
    if content.text.is_none() && content.blocks.is_none() && content.attachments.is_none() {
        return Err(ApiError::slack("no_text"));
    }
    let thread_ts = thread_root(ctx.state, &channel.id, ctx.args.str("thread_ts"))?;
    let app_id = Some(ctx.caller().token.app_id.clone());
    let ts = ctx.state.next_ts();
    ctx.state.ephemerals.push(Ephemeral {
        channel: channel.id,
        user,
        ts: ts.clone(),
        text: content.text.unwrap_or_default(),
        blocks: content.blocks,
        thread_ts,
        app_id,
        replaced: false,
    });
    Ok(obj(json!({"message_ts": ts})))
}

/// The message `ts` names in a channel the caller can see.
fn existing_message(ctx: &Ctx<'_>, ts_key: &str) -> Result<(Channel, Message), ApiError> {
    let caller = ctx.caller();
    let channel = visible_channel(ctx.state, caller, "channel", ctx.args)?;
    let ts = ctx.args.required(ts_key, "message_not_found")?;
    let message = ctx
        .state
        .message(&channel.id, ts)
        .cloned()
        .ok_or(ApiError::slack("message_not_found"))?;
    Ok((channel, message))
}

pub(super) fn update(ctx: &mut Ctx<'_>) -> ApiResult {
    let (channel, old) = existing_message(ctx, "ts")?;
    let me = ctx.caller().token.user_id.clone();
    if old.user != me {
        return Err(ApiError::slack("cant_update_message"));
    }
    if channel.is_archived {
        return Err(ApiError::slack("is_archived"));
    }
    let content = content(ctx.args)?;
    let explicit_empty = |key: &str| {
        ctx.args
            .0
            .get(key)
            .is_some_and(|v| v.as_str() == Some("[]") || v == &json!([]))
    };
    if content.text.is_none()
        && content.blocks.is_none()
        && content.attachments.is_none()
        && !explicit_empty("blocks")
        && !explicit_empty("attachments")
    {
        return Err(ApiError::slack("no_text"));
    }
    let edited = ctx.state.next_ts();
    let message = ctx
        .state
        .message_mut(&channel.id, &old.ts)
        .expect("found above");
    if let Some(text) = content.text {
        message.text = text;
    }
    if content.blocks.is_some() || explicit_empty("blocks") {
        message.blocks = content.blocks;
    }
    if content.attachments.is_some() || explicit_empty("attachments") {
        message.attachments = content.attachments;
    }
    message.edited_ts = Some(edited.clone());
    let new = message.clone();
    let rendered = message_json(ctx.state, &new, false);
    let event = json!({
        "type": "message",
        "subtype": "message_changed",
        "hidden": true,
        "channel": channel.id,
        "ts": edited,
        "event_ts": edited,
        "channel_type": channel_type(&channel),
        "message": rendered,
        "previous_message": message_json(ctx.state, &old, false),
    });
    if let Some(effect) = channel_event(ctx.state, &channel, event) {
        ctx.effects.push(effect);
    }
    Ok(obj(json!({
        "channel": channel.id,
        "ts": new.ts,
        "text": new.text,
        "message": rendered,
    })))
}

pub(super) fn delete(ctx: &mut Ctx<'_>) -> ApiResult {
    let (channel, old) = existing_message(ctx, "ts")?;
    let caller = ctx.caller().clone();
    let me = caller.token.user_id.as_str();
    let admin = !caller.is_bot() && ctx.state.user(me).is_some_and(|u| u.is_admin);
    if old.user != me && !admin {
        return Err(ApiError::slack("cant_delete_message"));
    }
    if let Some(m) = ctx.state.message_mut(&channel.id, &old.ts) {
        m.deleted = true;
    }
    let event_ts = ctx.state.next_ts();
    let event = json!({
        "type": "message",
        "subtype": "message_deleted",
        "hidden": true,
        "channel": channel.id,
        "ts": event_ts,
        "event_ts": event_ts,
        "deleted_ts": old.ts,
        "channel_type": channel_type(&channel),
        "previous_message": message_json(ctx.state, &old, false),
    });
    if let Some(effect) = channel_event(ctx.state, &channel, event) {
        ctx.effects.push(effect);
    }
    Ok(obj(json!({"channel": channel.id, "ts": old.ts})))
}

/// `https://{domain}.slack.com/archives/{channel}/p{ts without dot}`, with
/// `thread_ts` and `cid` for replies.
pub(crate) fn permalink(state: &State, channel: &Channel, m: &Message) -> String {
    let domain = state
        .team(&channel.team_id)
        .map(|t| t.domain.as_str())
        .unwrap_or("sandbox");
    let mut link = format!(
        "https://{domain}.slack.com/archives/{}/p{}",
        channel.id,
        m.ts.replace('.', "")
    );
    if let Some(root) = m.thread_ts.as_deref().filter(|r| *r != m.ts) {
        link.push_str(&format!("?thread_ts={root}&cid={}", channel.id));
    }
    link
}

pub(super) fn get_permalink(ctx: &mut Ctx<'_>) -> ApiResult {
    let (channel, message) = existing_message(ctx, "message_ts")?;
    Ok(obj(json!({
        "channel": channel.id,
        "permalink": permalink(ctx.state, &channel, &message),
    })))
}

pub(super) fn unfurl(ctx: &mut Ctx<'_>) -> ApiResult {
    let caller = ctx.caller().clone();
    if ctx.args.str("unfurl_id").is_some() && ctx.args.str("channel").is_none() {
        // Composer unfurls (`source` + `unfurl_id`) are not modelled.
        return Err(ApiError::slack("cannot_find_message"));
    }
    let unfurls = match ctx
        .args
        .json("unfurls")
        .map_err(|_| ApiError::slack("invalid_unfurls_format"))?
    {
        None => return Err(ApiError::slack("missing_unfurls")),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(ApiError::slack("invalid_unfurls_format")),
    };
    let channel = visible_channel(ctx.state, &caller, "channel", ctx.args)?;
    let ts = ctx.args.required("ts", "cannot_find_message")?.to_owned();
    let message = ctx
        .state
        .message(&channel.id, &ts)
        .cloned()
        .ok_or(ApiError::slack("cannot_find_message"))?;
    for url in unfurls.keys() {
        if !message.text.contains(url.as_str()) {
            return Err(ApiError::slack("cannot_unfurl_url"));
        }
    }
    let mut attachments = match message.attachments.clone() {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    for (url, unfurl) in unfurls {
        let Value::Object(mut unfurl) = unfurl else {
            return Err(ApiError::slack("invalid_unfurls_format"));
        };
        // Unfurl blocks are a message's, less rich text, which Slack's
        // unfurling guide says chat.unfurl refuses.
        match unfurl.get("blocks") {
            None => {}
            Some(Value::Array(items)) => {
                check_blocks(items, |k| k != "rich_text" && MESSAGE_BLOCKS.contains(&k))?
            }
            Some(_) => return Err(ApiError::slack("invalid_blocks")),
        }
        attachments
            .retain(|a| a.get("app_unfurl_url").and_then(Value::as_str) != Some(url.as_str()));
        unfurl.insert("id".into(), json!(attachments.len() + 1));
        unfurl.insert("from_url".into(), json!(url));
        unfurl.insert("original_url".into(), json!(url));
        unfurl.insert("app_unfurl_url".into(), json!(url));
        unfurl.insert("is_app_unfurl".into(), json!(true));
        unfurl.insert("app_id".into(), json!(caller.token.app_id));
        attachments.push(Value::Object(unfurl));
    }
    if let Some(m) = ctx.state.message_mut(&channel.id, &ts) {
        m.attachments = Some(Value::Array(attachments));
    }
    Ok(Map::new())
}
