//! Slack's message and conversation objects as the Web API returns them
//! (history, replies, posting, `conversations.*`), shaped from the state.

use serde_json::{json, Map, Value};

use crate::state::{Channel, Message, State};

/// Slack's message object, as history, replies and posting return it.
pub(super) fn message_json(state: &State, m: &Message, with_metadata: bool) -> Value {
    let mut out = json!({
        "type": "message",
        "text": m.text,
        "user": m.user,
        "ts": m.ts,
    });
    if let Some(channel) = state.channel(&m.channel) {
        out["team"] = json!(channel.team_id);
    }
    if m.username.is_some() {
        out["subtype"] = json!("bot_message");
        out["username"] = json!(m.username);
    }
    if m.icon_emoji.is_some() || m.icon_url.is_some() {
        let mut icons = Map::new();
        if let Some(emoji) = &m.icon_emoji {
            icons.insert("emoji".into(), json!(emoji));
        }
        if let Some(url) = &m.icon_url {
            icons.insert("image_64".into(), json!(url));
        }
        out["icons"] = Value::Object(icons);
    }
    if let Some(blocks) = &m.blocks {
        out["blocks"] = blocks.clone();
    }
    if let Some(attachments) = &m.attachments {
        out["attachments"] = attachments.clone();
    }
    if let Some(bot_id) = &m.bot_id {
        out["bot_id"] = json!(bot_id);
        out["app_id"] = json!(m.app_id);
        let team_id = state
            .channel(&m.channel)
            .map(|c| c.team_id.clone())
            .unwrap_or_default();
        let name = m
            .app_id
            .as_deref()
            .and_then(|a| state.app(a))
            .map(|a| a.name.clone())
            .unwrap_or_default();
        out["bot_profile"] = json!({
            "id": bot_id,
            "deleted": false,
            "name": name,
            "updated": 1_700_000_000,
            "app_id": m.app_id,
            "icons": {
                "image_36": "https://a.slack-edge.com/80588/img/plugins/app/bot_36.png",
                "image_48": "https://a.slack-edge.com/80588/img/plugins/app/bot_48.png",
                "image_72": "https://a.slack-edge.com/80588/img/plugins/app/service_72.png",
            },
            "team_id": team_id,
        });
    }
    if let Some(edited) = &m.edited_ts {
        out["edited"] = json!({"user": m.user, "ts": edited});
    }
    match m.thread_ts.as_deref() {
        Some(root) if root != m.ts => {
            out["thread_ts"] = json!(root);
            if let Some(parent) = state.message(&m.channel, root) {
                out["parent_user_id"] = json!(parent.user);
            }
            if m.reply_broadcast {
                out["subtype"] = json!("thread_broadcast");
            }
        }
        _ => {
            let replies: Vec<&Message> = state
                .messages
                .iter()
                .filter(|r| r.channel == m.channel && !r.deleted && r.ts != m.ts)
                .filter(|r| r.thread_ts.as_deref() == Some(m.ts.as_str()))
                .collect();
            if !replies.is_empty() {
                let mut users: Vec<&str> = Vec::new();
                for r in &replies {
                    if !users.contains(&r.user.as_str()) {
                        users.push(&r.user);
                    }
                }
                out["thread_ts"] = json!(m.ts);
                out["reply_count"] = json!(replies.len());
                out["reply_users_count"] = json!(users.len());
                out["reply_users"] = json!(users);
                out["latest_reply"] = json!(replies.iter().map(|r| r.ts.as_str()).max());
                out["is_locked"] = json!(false);
                out["subscribed"] = json!(false);
            }
        }
    }
    if !m.reactions.is_empty() {
        out["reactions"] = m
            .reactions
            .iter()
            .map(|r| json!({"name": r.name, "users": r.users, "count": r.users.len()}))
            .collect();
    }
    if with_metadata {
        if let Some(metadata) = &m.metadata {
            out["metadata"] = metadata.clone();
        }
    }
    out
}

/// Slack's conversation object as `viewer` sees it.
pub(super) fn channel_json(
    state: &State,
    channel: &Channel,
    viewer: &str,
    with_num_members: bool,
) -> Value {
    if channel.is_im {
        let other = channel
            .members
            .iter()
            .find(|m| *m != viewer)
            .or(channel.members.first())
            .cloned()
            .unwrap_or_default();
        return json!({
            "id": channel.id,
            "created": channel.created,
            "is_archived": channel.is_archived,
            "is_im": true,
            "is_org_shared": false,
            "user": other,
            "is_user_deleted": state.user(&other).is_some_and(|u| u.deleted),
            "priority": 0,
            "is_open": true,
        });
    }
    let is_group = channel.is_private && channel.id.starts_with('G');
    let mut out = json!({
        "id": channel.id,
        "name": channel.name,
        "is_channel": !is_group,
        "is_group": is_group,
        "is_im": false,
        "is_mpim": false,
        "is_private": channel.is_private,
        "created": channel.created,
        "is_archived": channel.is_archived,
        "is_general": channel.name == "general",
        "unlinked": 0,
        "name_normalized": channel.name,
        "is_shared": false,
        "is_org_shared": false,
        "is_ext_shared": false,
        "is_pending_ext_shared": false,
        "pending_shared": [],
        "parent_conversation": null,
        "creator": channel.creator,
        "shared_team_ids": [channel.team_id],
        "pending_connected_team_ids": [],
        "is_member": channel.members.iter().any(|m| m == viewer),
        "topic": {"value": channel.topic, "creator": "", "last_set": 0},
        "purpose": {"value": channel.purpose, "creator": "", "last_set": 0},
        "previous_names": [],
    });
    if with_num_members {
        out["num_members"] = json!(channel.members.len());
    }
    out
}
