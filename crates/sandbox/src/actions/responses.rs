//! `response_url`s: made for slash commands and interactions, used by the
//! app (`POST /response/{id}`) at most 5 times within 30 minutes to post,
//! replace or delete a message, as Slack allows.

use serde_json::{json, Value};

use super::lookup::bot_of;
use super::messages::store_message;
use super::outcome::{bad, ActionError};
use crate::ids::{now_secs, secret};
use crate::outbound::{self, Effect};
use crate::sandbox::Sandbox;
use crate::state::{Ephemeral, ResponseUrl, State};

/// How many times, and for how long, a `response_url` can be used.
pub const RESPONSE_URL_USES: u32 = 5;
pub const RESPONSE_URL_TTL_SECS: f64 = 1800.0;

/// A new `response_url` for an interaction in `channel`.
pub(super) fn new_response_url(
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
    format!("{}{id}", crate::sandbox::response_url_base(&state.base_url))
}

/// Shows a message posted through a response URL (or as a command's
/// immediate answer): `delete_original`, `replace_original`, or a new
/// message, ephemeral unless `response_type` is `in_channel`.
pub(super) fn show_message(
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
