//! `views.*`: modals opened with a `trigger_id` (3 seconds, once), pushed
//! (at most 3 in a stack), updated (optionally guarded by `hash`), and App
//! Home tabs published per user.

use serde_json::{json, Map, Value};

use super::answers::obj;
use super::request::{ApiError, ApiResult, Ctx};
use crate::ids::{id, now_secs, secret};
use crate::state::{Trigger, View};

/// Views in one modal stack, root included.
const MAX_STACK: usize = 3;
const MAX_BLOCKS: usize = 100;

fn invalid(messages: Vec<String>) -> ApiError {
    let mut extra = Map::new();
    extra.insert("response_metadata".into(), json!({ "messages": messages }));
    ApiError::Slack {
        error: "invalid_arguments".into(),
        extra,
    }
}

fn plain_text_ok(v: Option<&Value>, max: usize) -> Option<bool> {
    let v = v?;
    Some(
        v.get("type").and_then(Value::as_str) == Some("plain_text")
            && v.get("text")
                .and_then(Value::as_str)
                .is_some_and(|t| !t.is_empty() && t.chars().count() <= max),
    )
}

/// Checks a view payload the way Slack does, minimally: an object of type
/// `modal` (with a plain-text title of at most 24 characters) or `home`,
/// at most 100 blocks that are objects with a type, `submit` when the
/// modal has inputs, and the string fields' limits.
fn validate(view: &Value, want_home: bool) -> Result<(), ApiError> {
    let Some(obj) = view.as_object() else {
        return Err(invalid(vec![
            "[ERROR] failed to match all allowed schemas [json-pointer:/view]".into(),
        ]));
    };
    let mut errors = Vec::new();
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or("");
    match (kind, want_home) {
        ("modal", false) | ("home", true) => {}
        ("", _) => {
            errors.push("[ERROR] missing required field: type [json-pointer:/view]".to_owned())
        }
        _ => errors.push(format!(
            "[ERROR] unsupported type: {kind} [json-pointer:/view/type]"
        )),
    }
    if kind == "modal" {
        match plain_text_ok(obj.get("title"), 24) {
            None => errors.push("[ERROR] missing required field: title [json-pointer:/view]".into()),
            Some(false) => errors.push("[ERROR] must be a plain_text object of at most 24 characters [json-pointer:/view/title]".into()),
            Some(true) => {}
        }
        for key in ["submit", "close"] {
            if plain_text_ok(obj.get(key), 24) == Some(false) {
                errors.push(format!("[ERROR] must be a plain_text object of at most 24 characters [json-pointer:/view/{key}]"));
            }
        }
    }
    match obj.get("blocks") {
        Some(Value::Array(blocks)) => {
            if blocks.len() > MAX_BLOCKS {
                errors.push(format!(
                    "[ERROR] no more than {MAX_BLOCKS} items allowed [json-pointer:/view/blocks]"
                ));
            }
            for (i, b) in blocks.iter().enumerate() {
                if b.get("type")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
                {
                    errors.push(format!(
                        "[ERROR] missing required field: type [json-pointer:/view/blocks/{i}]"
                    ));
                }
            }
            let has_input = blocks
                .iter()
                .any(|b| b.get("type").and_then(Value::as_str) == Some("input"));
            if kind == "modal" && has_input && obj.get("submit").is_none() {
                errors.push("[ERROR] must provide submit when using input blocks [json-pointer:/view/submit]".into());
            }
        }
        None => errors.push("[ERROR] missing required field: blocks [json-pointer:/view]".into()),
        Some(_) => errors.push("[ERROR] must be an array [json-pointer:/view/blocks]".into()),
    }
    for (key, max) in [
        ("private_metadata", 3000),
        ("callback_id", 255),
        ("external_id", 255),
    ] {
        match obj.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.chars().count() <= max => {}
            _ => errors.push(format!(
                "[ERROR] must be a string of at most {max} characters [json-pointer:/view/{key}]"
            )),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(invalid(errors))
    }
}

/// The `view` argument, parsed and validated.
fn view_arg(ctx: &Ctx<'_>, want_home: bool) -> Result<Value, ApiError> {
    let view = ctx
        .args
        .json("view")?
        .ok_or_else(|| invalid(vec!["[ERROR] missing required field: view".into()]))?;
    validate(&view, want_home)?;
    Ok(view)
}

fn new_hash() -> String {
    format!("{:.6}.{}", now_secs(), &secret(4))
}

/// Slack's view object: the payload plus the fields Slack adds.
fn full_view(
    ctx: &Ctx<'_>,
    payload: &Value,
    view_id: &str,
    root: &str,
    previous: Option<&str>,
    hash: &str,
) -> Value {
    let caller = ctx.caller();
    let bot_id = ctx
        .state
        .installation_of(&caller.token)
        .map(|i| i.bot_id.clone());
    let mut view = payload.clone();
    let defaults = [
        ("private_metadata", json!("")),
        ("callback_id", json!("")),
        ("external_id", json!("")),
        ("clear_on_close", json!(false)),
        ("notify_on_close", json!(false)),
        ("close", Value::Null),
        ("submit", Value::Null),
    ];
    for (k, v) in defaults {
        if view.get(k).is_none() {
            view[k] = v;
        }
    }
    if view["type"] == "home" {
        for k in ["close", "submit"] {
            if let Some(map) = view.as_object_mut() {
                map.remove(k);
            }
        }
    }
    view["id"] = json!(view_id);
    view["team_id"] = json!(caller.team_id());
    view["state"] = json!({"values": {}});
    view["hash"] = json!(hash);
    view["root_view_id"] = json!(root);
    view["previous_view_id"] = json!(previous);
    view["app_id"] = json!(caller.token.app_id);
    view["app_installed_team_id"] = json!(caller.team_id());
    view["bot_id"] = json!(bot_id);
    view
}

/// Exchanges a `trigger_id`: `invalid_trigger_id` when unknown (or from
/// another workspace), `exchanged_trigger_id` when already used,
/// `expired_trigger_id` after 3 seconds.
fn exchange_trigger(ctx: &mut Ctx<'_>) -> Result<Trigger, ApiError> {
    let trigger_id = ctx
        .args
        .str("trigger_id")
        .or(ctx.args.str("interactivity_pointer"))
        .ok_or(ApiError::slack("invalid_trigger_id"))?
        .to_owned();
    let team_id = ctx.caller().team_id().to_owned();
    let trigger = ctx
        .state
        .triggers
        .iter_mut()
        .find(|t| t.id == trigger_id && t.team_id == team_id)
        .ok_or(ApiError::slack("invalid_trigger_id"))?;
    if trigger.used {
        return Err(ApiError::slack("exchanged_trigger_id"));
    }
    if now_secs() > trigger.expires_at {
        return Err(ApiError::slack("expired_trigger_id"));
    }
    trigger.used = true;
    Ok(trigger.clone())
}

fn check_external_id(
    ctx: &Ctx<'_>,
    payload: &Value,
    except_root: Option<&str>,
) -> Result<(), ApiError> {
    let Some(external) = payload
        .get("external_id")
        .and_then(Value::as_str)
        .filter(|e| !e.is_empty())
    else {
        return Ok(());
    };
    let team_id = ctx.caller().team_id();
    let taken = ctx.state.views.iter().any(|v| {
        v.team_id == team_id
            && !v.closed
            && Some(v.id.as_str()) != except_root
            && v.view.get("external_id").and_then(Value::as_str) == Some(external)
    });
    if taken {
        Err(ApiError::slack("duplicate_external_id"))
    } else {
        Ok(())
    }
}

fn store(ctx: &mut Ctx<'_>, user_id: &str, view: Value, previous: Option<String>) -> Value {
    let caller = ctx.caller().clone();
    let record = View {
        id: view["id"].as_str().unwrap_or_default().to_owned(),
        team_id: caller.team_id().to_owned(),
        user_id: user_id.to_owned(),
        app_id: caller.token.app_id.clone(),
        hash: view["hash"].as_str().unwrap_or_default().to_owned(),
        root_view_id: view["root_view_id"].as_str().unwrap_or_default().to_owned(),
        previous_view_id: previous,
        view: view.clone(),
        closed: false,
    };
    ctx.state.views.push(record);
    view
}

pub(super) fn open(ctx: &mut Ctx<'_>) -> ApiResult {
    let payload = view_arg(ctx, false)?;
    check_external_id(ctx, &payload, None)?;
    let trigger = exchange_trigger(ctx)?;
    let app_id = ctx.caller().token.app_id.clone();
    // A new modal replaces whatever stack this app had open for the user.
    for v in ctx.state.views.iter_mut() {
        if v.user_id == trigger.user_id && v.app_id == app_id && v.view["type"] == "modal" {
            v.closed = true;
        }
    }
    let view_id = id('V');
    let view = full_view(ctx, &payload, &view_id, &view_id, None, &new_hash());
    let view = store(ctx, &trigger.user_id, view, None);
    Ok(obj(json!({ "view": view })))
}

pub(super) fn push(ctx: &mut Ctx<'_>) -> ApiResult {
    let payload = view_arg(ctx, false)?;
    check_external_id(ctx, &payload, None)?;
    let trigger = exchange_trigger(ctx)?;
    let app_id = ctx.caller().token.app_id.clone();
    let stack: Vec<&View> = ctx
        .state
        .views
        .iter()
        .filter(|v| {
            v.user_id == trigger.user_id
                && v.app_id == app_id
                && !v.closed
                && v.view["type"] == "modal"
        })
        .collect();
    let Some(top) = stack.last() else {
        return Err(ApiError::slack("not_found"));
    };
    if stack.len() >= MAX_STACK {
        return Err(ApiError::slack("push_limit_reached"));
    }
    let (root, previous) = (top.root_view_id.clone(), top.id.clone());
    let view_id = id('V');
    let view = full_view(ctx, &payload, &view_id, &root, Some(&previous), &new_hash());
    let view = store(ctx, &trigger.user_id, view, Some(previous));
    Ok(obj(json!({ "view": view })))
}

pub(super) fn update(ctx: &mut Ctx<'_>) -> ApiResult {
    let caller = ctx.caller().clone();
    let view_id = ctx.args.str("view_id");
    let external_id = ctx.args.str("external_id");
    if view_id.is_none() && external_id.is_none() {
        return Err(invalid(vec![
            "[ERROR] one of view_id or external_id is required".into(),
        ]));
    }
    let index = ctx
        .state
        .views
        .iter()
        .position(|v| {
            v.team_id == caller.team_id()
                && v.app_id == caller.token.app_id
                && !v.closed
                && match (view_id, external_id) {
                    (Some(id), _) => v.id == id,
                    (None, Some(ext)) => {
                        v.view.get("external_id").and_then(Value::as_str) == Some(ext)
                    }
                    (None, None) => false,
                }
        })
        .ok_or(ApiError::slack("not_found"))?;
    let existing = ctx.state.views[index].clone();
    let want_home = existing.view["type"] == "home";
    let payload = view_arg(ctx, want_home)?;
    if let Some(hash) = ctx.args.str("hash") {
        if hash != existing.hash {
            return Err(ApiError::slack("hash_conflict"));
        }
    }
    check_external_id(ctx, &payload, Some(&existing.id))?;
    let mut view = full_view(
        ctx,
        &payload,
        &existing.id,
        &existing.root_view_id,
        existing.previous_view_id.as_deref(),
        &new_hash(),
    );
    view["state"] = existing
        .view
        .get("state")
        .cloned()
        .unwrap_or(json!({"values": {}}));
    let record = &mut ctx.state.views[index];
    record.hash = view["hash"].as_str().unwrap_or_default().to_owned();
    record.view = view.clone();
    Ok(obj(json!({ "view": view })))
}

pub(super) fn publish(ctx: &mut Ctx<'_>) -> ApiResult {
    let caller = ctx.caller().clone();
    let user_id = ctx
        .args
        .str("user_id")
        .ok_or(ApiError::slack("user_not_found"))?
        .to_owned();
    let payload = view_arg(ctx, true)?;
    if !ctx
        .state
        .user(&user_id)
        .is_some_and(|u| u.team_id == caller.team_id() && !u.deleted)
    {
        return Err(ApiError::slack("user_not_found"));
    }
    let index = ctx.state.views.iter().position(|v| {
        v.user_id == user_id
            && v.app_id == caller.token.app_id
            && v.view["type"] == "home"
            && !v.closed
    });
    if let (Some(hash), Some(i)) = (ctx.args.str("hash"), index) {
        if hash != ctx.state.views[i].hash {
            return Err(ApiError::slack("hash_conflict"));
        }
    }
    let view_id = index
        .map(|i| ctx.state.views[i].id.clone())
        .unwrap_or_else(|| id('V'));
    let view = full_view(ctx, &payload, &view_id, &view_id, None, &new_hash());
    match index {
        Some(i) => {
            let record = &mut ctx.state.views[i];
            record.hash = view["hash"].as_str().unwrap_or_default().to_owned();
            record.view = view.clone();
        }
        None => {
            store(ctx, &user_id, view.clone(), None);
        }
    }
    Ok(obj(json!({ "view": view })))
}
