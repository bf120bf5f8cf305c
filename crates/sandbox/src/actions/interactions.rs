//! Buttons, selects, shortcuts and external selects: the payloads Slack
//! POSTs to the app's interactivity (or options) URL, and the app's answer.

use serde::Deserialize;
use serde_json::{json, Value};

use super::app_call::{answer_body_json, answer_json, interact};
use super::elements::{element_state, fill_values, find_element, find_option, value_str};
use super::lookup::{actor, open_view, resolve_app, resolve_channel, Actor};
use super::messages::message_json;
use super::outcome::{bad, not_found, ActionError, ActionResult};
use super::payload::{action_ts, channel_json, team_json, user_json, view_object};
use super::responses::new_response_url;
use crate::outbound;
use crate::sandbox::Sandbox;
use crate::state::{Ephemeral, Message, State, View};

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

/// Where an interaction happens: a message, an app's unfurl attached to a
/// message (anyone's), an ephemeral message or a view.
enum Surface {
    Message(Message),
    /// The message and its attachment holding the app's unfurl.
    Unfurl(Message, Value),
    Ephemeral(Ephemeral),
    View(View),
}

impl Surface {
    /// The blocks an element is found in, and the app that gets the payload.
    fn blocks_and_app(&self) -> (Value, Option<String>) {
        match self {
            Surface::Message(m) => (m.blocks.clone().unwrap_or(Value::Null), m.app_id.clone()),
            Surface::Unfurl(_, a) => (a["blocks"].clone(), a["app_id"].as_str().map(str::to_owned)),
            Surface::Ephemeral(e) => (e.blocks.clone().unwrap_or(Value::Null), e.app_id.clone()),
            Surface::View(v) => (v.view["blocks"].clone(), Some(v.app_id.clone())),
        }
    }

    /// The payload's `container`.
    fn container(&self) -> Value {
        match self {
            Surface::Message(m) => message_container(&m.channel, &m.ts, false),
            // As Slack's unfurling guide shows an interactive unfurl's.
            Surface::Unfurl(m, a) => json!({
                "type": "message_attachment",
                "message_ts": m.ts,
                "attachment_id": a["id"],
                "channel_id": m.channel,
                "is_ephemeral": false,
                "is_app_unfurl": true,
                "app_unfurl_url": a["app_unfurl_url"],
            }),
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
        let in_blocks = m
            .blocks
            .as_ref()
            .and_then(|b| find_element(b, &c.action_id, c.block_id.as_deref()));
        let unfurl = m
            .attachments
            .as_ref()
            .and_then(Value::as_array)
            .and_then(|all| {
                all.iter().find(|a| {
                    a["is_app_unfurl"] == true
                        && find_element(&a["blocks"], &c.action_id, c.block_id.as_deref()).is_some()
                })
            });
        return Ok(match (in_blocks, unfurl) {
            (None, Some(a)) => Surface::Unfurl(m.clone(), a.clone()),
            _ => Surface::Message(m.clone()),
        });
    }
    state
        .ephemerals
        .iter()
        .find(|e| e.channel == channel.id && e.ts == ts && e.user == user_id)
        .cloned()
        .map(Surface::Ephemeral)
        .ok_or(not_found("message"))
}

/// A person clicks a button (or picks from a select) in a message, an
/// app's unfurl or a modal: `block_actions` with `actions`, `container`,
/// the message (for an unfurl, `app_unfurl` instead) or view, a
/// `trigger_id`, and a `response_url` for messages and unfurls.
pub async fn click(sandbox: &Sandbox, input: Click) -> ActionResult {
    let (app, payload) = {
        let mut state = sandbox.state();
        let Actor { team_id, user } = actor(&state, input.team.as_deref(), &input.user)?;
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
            // No `message`: an app sees only its unfurl of someone's
            // message, in `app_unfurl`; the message is not the app's to
            // replace, so its response_url answers with new messages.
            Surface::Unfurl(m, a) => {
                let channel = resolve_channel(&state, &team_id, &m.channel)?;
                let url = new_response_url(
                    &mut state,
                    &team_id,
                    &m.channel,
                    &user.id,
                    &app.app_id,
                    None,
                );
                payload["channel"] = channel_json(&channel);
                payload["response_url"] = json!(url);
                payload["state"] = json!({"values": {}});
                payload["app_unfurl"] = json!({
                    "id": a["id"],
                    "blocks": a["blocks"],
                    "app_unfurl_url": a["app_unfurl_url"],
                    "is_app_unfurl": true,
                });
            }
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
        let Actor { team_id, user } = actor(&state, input.team.as_deref(), &input.user)?;
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
        let Actor { team_id, user } = actor(&state, input.team.as_deref(), &input.user)?;
        let surface = surface(&state, &team_id, &user.id, &input)?;
        let (blocks, app_id) = surface.blocks_and_app();
        let view = match &surface {
            Surface::View(v) => Some(view_object(
                &state,
                v,
                Some(fill_values(&v.view, &input.values, false)?),
            )),
            Surface::Message(_) | Surface::Unfurl(..) | Surface::Ephemeral(_) => None,
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
