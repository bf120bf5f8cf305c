//! `reactions.add` / `reactions.remove` on messages.

use serde_json::{json, Map};

use super::chat::channel_event;
use super::conversations::visible_channel;
use super::methods::Ctx;
use super::{ApiError, ApiResult};
use crate::ids::now_secs;
use crate::state::{Channel, Message, Reaction};

/// Reactions a single message can carry, distinct emoji.
const MAX_EMOJI: usize = 23;

/// An emoji name without colons: lower-case letters, digits, `_ - + '`,
/// optionally with a `::skin-tone-N` suffix.
fn emoji_name(raw: &str) -> Result<String, ApiError> {
    let name = raw.trim().trim_matches(':');
    let (base, tone) = match name.split_once("::") {
        Some((base, tone)) => (base, Some(tone)),
        None => (name, None),
    };
    let valid_base = !base.is_empty()
        && base
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-+'".contains(c));
    let valid_tone = tone.is_none_or(|t| {
        t.strip_prefix("skin-tone-")
            .is_some_and(|n| matches!(n, "2" | "3" | "4" | "5" | "6"))
    });
    if valid_base && valid_tone {
        Ok(name.to_owned())
    } else {
        Err(ApiError::slack("invalid_name"))
    }
}

/// The channel, message and emoji a reactions call names.
fn target(ctx: &Ctx<'_>) -> Result<(Channel, Message, String), ApiError> {
    if ctx.args.str("channel").is_none() || ctx.args.str("timestamp").is_none() {
        return Err(ApiError::slack("no_item_specified"));
    }
    let name = emoji_name(ctx.args.str("name").unwrap_or(""))?;
    let channel = visible_channel(ctx.state, ctx.caller(), "channel", ctx.args)?;
    let ts = ctx.args.str("timestamp").unwrap_or_default();
    if super::conversations::ts_key(ts).is_none() {
        return Err(ApiError::slack("bad_timestamp"));
    }
    let message = ctx
        .state
        .message(&channel.id, ts)
        .cloned()
        .ok_or(ApiError::slack("message_not_found"))?;
    Ok((channel, message, name))
}

fn reaction_event(
    kind: &str,
    user: &str,
    name: &str,
    channel: &Channel,
    m: &Message,
) -> serde_json::Value {
    json!({
        "type": kind,
        "user": user,
        "reaction": name,
        "item_user": m.user,
        "item": {"type": "message", "channel": channel.id, "ts": m.ts},
        "event_ts": format!("{:.6}", now_secs()),
    })
}

pub(super) fn add(ctx: &mut Ctx<'_>) -> ApiResult {
    let (channel, message, name) = target(ctx)?;
    let me = ctx.caller().token.user_id.clone();
    let m = ctx
        .state
        .message_mut(&channel.id, &message.ts)
        .expect("found above");
    match m.reactions.iter_mut().find(|r| r.name == name) {
        Some(r) if r.users.contains(&me) => return Err(ApiError::slack("already_reacted")),
        Some(r) => r.users.push(me.clone()),
        None => {
            if m.reactions.len() >= MAX_EMOJI {
                return Err(ApiError::slack("too_many_emoji"));
            }
            m.reactions.push(Reaction {
                name: name.clone(),
                users: vec![me.clone()],
            });
        }
    }
    let event = reaction_event("reaction_added", &me, &name, &channel, &message);
    if let Some(effect) = channel_event(ctx.state, &channel, event) {
        ctx.effects.push(effect);
    }
    Ok(Map::new())
}

pub(super) fn remove(ctx: &mut Ctx<'_>) -> ApiResult {
    let (channel, message, name) = target(ctx)?;
    let me = ctx.caller().token.user_id.clone();
    let m = ctx
        .state
        .message_mut(&channel.id, &message.ts)
        .expect("found above");
    let Some(r) = m
        .reactions
        .iter_mut()
        .find(|r| r.name == name && r.users.contains(&me))
    else {
        return Err(ApiError::slack("no_reaction"));
    };
    r.users.retain(|u| *u != me);
    m.reactions.retain(|r| !r.users.is_empty());
    let event = reaction_event("reaction_removed", &me, &name, &channel, &message);
    if let Some(effect) = channel_event(ctx.state, &channel, event) {
        ctx.effects.push(effect);
    }
    Ok(Map::new())
}
