//! A person posts (a message or a thread reply) and reacts; the message
//! objects and `message` events Slack makes of them.

use serde::Deserialize;
use serde_json::{json, Value};

use super::lookup::{actor, resolve_channel, Actor};
use super::outcome::{bad, not_found, ActionError, ActionResult};
use super::payload::action_ts;
use crate::ids::secret;
use crate::outbound::{self, Effect};
use crate::sandbox::Sandbox;
use crate::state::{Channel, Message, Reaction, State};
use crate::state_queries::channel_type;

/// A message as Slack shows it in payloads and history.
pub fn message_json(m: &Message) -> Value {
    let mut v = json!({"type": "message", "user": m.user, "text": m.text, "ts": m.ts});
    let optional = [
        ("blocks", m.blocks.clone()),
        ("attachments", m.attachments.clone()),
        ("thread_ts", m.thread_ts.clone().map(Value::from)),
        ("bot_id", m.bot_id.clone().map(Value::from)),
        ("username", m.username.clone().map(Value::from)),
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
pub(super) fn store_message(
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
    let Actor { team_id, user } = actor(&state, input.team.as_deref(), &input.user)?;
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
    let Actor { team_id, user } = actor(&state, input.team.as_deref(), &input.user)?;
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
