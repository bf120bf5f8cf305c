//! What every form a person submits does first and last. First: who acts
//! (from the cookie), or back asking to choose someone. Then the page's
//! handler hands the form to the same `actions` function the control API
//! calls. Last: back to the page with what happened, or to the modals when
//! the app opened one (noting the page it was opened from).

use std::future::Future;

use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;

use super::drafts::Drafts;
use super::layout::{safe_back, safe_url, url_enc, PageQuery};
use super::session::acting_user;
use crate::actions::{self, ActionError, ActionResult};
use crate::sandbox::Sandbox;

/// The person submitting a form, and their workspace.
pub(super) struct Actor {
    pub(super) user: String,
    pub(super) team: String,
}

/// Who submits the form; without anyone chosen, the answer that goes back
/// to `back` asking to choose someone first.
pub(super) fn actor(sandbox: &Sandbox, headers: &HeaderMap, back: &str) -> Result<Actor, Redirect> {
    acting_user(&sandbox.state(), headers, &PageQuery::default())
        .map(|u| Actor {
            user: u.id,
            team: u.team_id,
        })
        .ok_or_else(|| redirect_with(back, "error", "Choose whom to act as first (top right)."))
}

/// Back to `back` with `?error=` or `?notice=` shown at the top.
pub(super) fn back_with(back: &str, key: &str, text: &str) -> Response {
    redirect_with(back, key, text).into_response()
}

fn redirect_with(back: &str, key: &str, text: &str) -> Redirect {
    let back = safe_back(back);
    let sep = if back.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{back}{sep}{key}={}", url_enc(text)))
}

pub(super) fn describe(e: &ActionError) -> String {
    match &e.detail {
        Some(d) => format!("{}: {d}", e.error),
        None => e.error.clone(),
    }
}

/// Back with what went wrong.
pub(super) fn back_with_error(back: &str, e: &ActionError) -> Response {
    back_with(back, "error", &describe(e))
}

/// Straight back to the page, or back with what went wrong.
pub(super) fn back_or_error(back: &str, result: &ActionResult) -> Response {
    match result {
        Ok(_) => Redirect::to(safe_back(back)).into_response(),
        Err(e) => back_with_error(back, e),
    }
}

/// The modals the person has open, to notice a new one.
pub(super) fn open_views(sandbox: &Sandbox, user: &str) -> Vec<String> {
    sandbox
        .state()
        .views
        .iter()
        .filter(|v| v.user_id == user && !v.closed)
        .map(|v| v.id.clone())
        .collect()
}

/// Runs an action that calls the app, then goes back as [`finish`] says.
pub(super) async fn interact(
    sandbox: &Sandbox,
    drafts: &Drafts,
    actor: &Actor,
    back: &str,
    done: &str,
    action: impl Future<Output = ActionResult>,
) -> Response {
    // Listed before the action runs: futures do nothing until awaited.
    let before = open_views(sandbox, &actor.user);
    let result = action.await;
    finish(sandbox, drafts, &actor.user, &before, back, done, &result)
}

/// Back to the page with a note on what the app answered; to the modals
/// when one opened meanwhile (`before`: those open before), which go back
/// to this page once closed.
pub(super) fn finish(
    sandbox: &Sandbox,
    drafts: &Drafts,
    user: &str,
    before: &[String],
    back: &str,
    done: &str,
    result: &ActionResult,
) -> Response {
    let v = match result {
        Err(e) => return back_with_error(back, e),
        Ok(v) => v,
    };
    let opened: Vec<String> = open_views(sandbox, user)
        .into_iter()
        .filter(|id| !before.contains(id))
        .collect();
    if !opened.is_empty() {
        let from = safe_back(back);
        if !from.starts_with("/views") {
            for id in &opened {
                drafts.update(id, |d| d.from = Some(from.to_owned()));
            }
        }
        return back_with("/views", "notice", "The app opened a modal.");
    }
    let answer = &v["answer"];
    if let Some(status) = answer["status"].as_u64().filter(|s| *s != 200) {
        return back_with(
            back,
            "error",
            &format!("{done}, but the app answered HTTP {status}."),
        );
    }
    match answer["failure"].as_str() {
        Some(failure) => back_with(
            back,
            "error",
            &format!("{done}, but the app did not answer properly ({failure})."),
        ),
        None => back_with(back, "notice", done),
    }
}

/// The link of the button `action_id` (in block `block_id` when given)
/// among `blocks`, if it is a link button whose link may be followed.
pub(super) fn link_of(blocks: &Value, action_id: &str, block_id: Option<&str>) -> Option<String> {
    blocks
        .as_array()?
        .iter()
        .filter(|b| block_id.is_none_or(|id| b["block_id"].as_str() == Some(id)))
        .flat_map(|b| {
            let elements = b["elements"].as_array().into_iter().flatten();
            elements.chain([&b["accessory"]])
        })
        .find(|e| e["type"] == "button" && e["action_id"].as_str() == Some(action_id))
        .and_then(|e| e["url"].as_str())
        .filter(|url| safe_url(url))
        .map(str::to_owned)
}

/// A button or select's form, in a message or a modal.
#[derive(Deserialize)]
pub(super) struct Act {
    #[serde(default)]
    pub(super) back: String,
    pub(super) action_id: String,
    #[serde(default)]
    pub(super) block_id: Option<String>,
    #[serde(default)]
    value: Option<String>,
}

impl Act {
    /// The click as the control API takes it; the caller says where.
    pub(super) fn click(&self, actor: &Actor) -> actions::Click {
        actions::Click {
            team: Some(actor.team.clone()),
            user: actor.user.clone(),
            channel: None,
            ts: None,
            view_id: None,
            in_view: false,
            action_id: self.action_id.clone(),
            block_id: self.block_id.clone().filter(|b| !b.is_empty()),
            value: self
                .value
                .clone()
                .filter(|v| !v.is_empty())
                .map(Value::String),
            values: Value::Null,
        }
    }
}
