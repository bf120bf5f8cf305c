//! Modals a person has open: submitting one (`view_submission`, then the
//! app's `response_action`) and closing one (`view_closed` when asked).

use serde::Deserialize;
use serde_json::{json, Value};

use super::app_call::{answer_body_json, answer_json, interact};
use super::elements::fill_values;
use super::lookup::{actor, open_view, resolve_app, Actor};
use super::outcome::{bad, not_found, ActionResult};
use super::payload::{team_json, user_json, view_object};
use crate::ids::{id, now_secs, secret};
use crate::outbound;
use crate::sandbox::Sandbox;
use crate::state::{State, View};

/// Slack keeps at most three modals in a stack.
pub const MAX_VIEW_STACK: usize = 3;

fn new_hash() -> String {
    format!("{}.{}", now_secs() as u64, secret(4))
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
        let Actor { team_id, user } = actor(&state, input.team.as_deref(), &input.user)?;
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
        let Actor { team_id, user } = actor(&state, input.team.as_deref(), &input.user)?;
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
