//! `reactions.add` / `reactions.remove` on messages.

use serde_json::{json, Map};

use super::lookup::{ts_key, visible_channel};
use super::request::{ApiError, ApiResult, Ctx};
use crate::events::channel_event;
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
    if ts_key(ts).is_none() {
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

/// Applies `change` to the named message's reactions as the caller, then
/// sends the channel a `kind` event: add and remove differ only in the change.
fn change_reactions(
    ctx: &mut Ctx<'_>,
    kind: &str,
    change: impl FnOnce(&mut Vec<Reaction>, &str, &str) -> Result<(), ApiError>,
) -> ApiResult {
    let (channel, message, name) = target(ctx)?;
    let me = ctx.caller().token.user_id.clone();
    let m = ctx
        .state
        .message_mut(&channel.id, &message.ts)
        .expect("found above");
    change(&mut m.reactions, &me, &name)?;
    let event = reaction_event(kind, &me, &name, &channel, &message);
    if let Some(effect) = channel_event(ctx.state, &channel, event) {
        ctx.effects.push(effect);
    }
    Ok(Map::new())
}

pub(super) fn add(ctx: &mut Ctx<'_>) -> ApiResult {
    change_reactions(ctx, "reaction_added", |reactions, me, name| {
        match reactions.iter_mut().find(|r| r.name == name) {
            Some(r) if r.users.iter().any(|u| u == me) => {
                return Err(ApiError::slack("already_reacted"))
            }
            Some(r) => r.users.push(me.to_owned()),
            None => {
                if reactions.len() >= MAX_EMOJI {
                    return Err(ApiError::slack("too_many_emoji"));
                }
                reactions.push(Reaction {
                    name: name.to_owned(),
                    users: vec![me.to_owned()],
                });
            }
        }
        Ok(())
    })
}

pub(super) fn remove(ctx: &mut Ctx<'_>) -> ApiResult {
    change_reactions(ctx, "reaction_removed", |reactions, me, name| {
        let Some(r) = reactions
            .iter_mut()
            .find(|r| r.name == name && r.users.iter().any(|u| u == me))
        else {
            return Err(ApiError::slack("no_reaction"));
        };
        r.users.retain(|u| u != me);
        reactions.retain(|r| !r.users.is_empty());
        Ok(())
    })
}
