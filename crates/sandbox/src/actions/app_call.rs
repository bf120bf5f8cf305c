//! A signed call to the app for a person's action (an interaction payload
//! to its interactivity or options URL), and its answer read as JSON. The
//! clicks, modals and slash commands all share these.

use serde_json::{json, Value};

use super::outcome::{bad, ActionError};
use crate::outbound::{self, Answer};
use crate::sandbox::Sandbox;
use crate::state::AppConfig;

/// POSTs an interaction payload (`payload=<json>`) to the app's
/// interactivity URL (or the options URL for `block_suggestion`).
pub(super) async fn interact(
    sandbox: &Sandbox,
    app: &AppConfig,
    payload: &Value,
) -> Result<Answer, ActionError> {
    let kind = payload["type"].as_str().unwrap_or("interaction");
    let url = if kind == "block_suggestion" {
        app.options_url.clone()
    } else {
        app.interactivity_url.clone()
    }
    .ok_or_else(|| bad("no_request_url").detail(format!("the app has no URL for {kind}")))?;
    let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap_or_default();
    Ok(outbound::post_signed(
        sandbox,
        &format!("interaction:{kind}"),
        &url,
        "application/x-www-form-urlencoded",
        &body,
        &app.signing_secret,
        None,
    )
    .await)
}

pub(super) fn answer_body_json(answer: &Answer) -> Option<Value> {
    let text = answer.body.trim();
    if text.is_empty() {
        return None;
    }
    serde_json::from_str::<Value>(text)
        .ok()
        .filter(Value::is_object)
}

pub(super) fn answer_json(answer: &Answer) -> Value {
    json!({
        "status": answer.status,
        "failure": answer.failure.map(|f| f.as_str()),
        "body": answer.body,
    })
}
