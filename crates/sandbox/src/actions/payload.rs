//! Pieces of the payloads Slack sends apps: the team, user, channel and
//! view objects, and the time of an action.

use serde_json::{json, Value};

use super::lookup::bot_of;
use crate::ids::now_secs;
use crate::state::{Channel, State, User, View};

pub(super) fn team_json(state: &State, team_id: &str) -> Value {
    let domain = state
        .team(team_id)
        .map(|t| t.domain.clone())
        .unwrap_or_default();
    json!({"id": team_id, "domain": domain})
}

pub(super) fn user_json(user: &User) -> Value {
    json!({"id": user.id, "username": user.name, "name": user.name, "team_id": user.team_id})
}

pub(super) fn channel_json(channel: &Channel) -> Value {
    json!({"id": channel.id, "name": channel_name(channel)})
}

pub(super) fn channel_name(channel: &Channel) -> String {
    if channel.is_im {
        "directmessage".into()
    } else {
        channel.name.clone()
    }
}

pub(super) fn action_ts() -> String {
    format!("{:.6}", now_secs())
}

/// A view as Slack sends it in payloads: the app's view plus Slack's
/// fields, with `state.values` as given.
pub(super) fn view_object(state: &State, v: &View, values: Option<Value>) -> Value {
    let mut view = v.view.clone();
    if !view.is_object() {
        view = json!({});
    }
    let bot_id = bot_of(state, &v.team_id, &v.app_id).map(|b| b.1);
    let defaults = [
        ("private_metadata", json!("")),
        ("callback_id", json!("")),
        ("external_id", json!("")),
        ("clear_on_close", json!(false)),
        ("notify_on_close", json!(false)),
        ("blocks", json!([])),
        ("type", json!("modal")),
    ];
    for (k, d) in defaults {
        if view.get(k).is_none_or(Value::is_null) {
            view[k] = d;
        }
    }
    view["id"] = json!(v.id);
    view["team_id"] = json!(v.team_id);
    view["app_id"] = json!(v.app_id);
    view["app_installed_team_id"] = json!(v.team_id);
    view["bot_id"] = json!(bot_id);
    view["hash"] = json!(v.hash);
    view["root_view_id"] = json!(v.root_view_id);
    view["previous_view_id"] = json!(v.previous_view_id);
    if let Some(values) = values {
        view["state"] = json!({"values": values});
    } else if view.get("state").is_none_or(Value::is_null) {
        view["state"] = json!({"values": {}});
    }
    view
}
