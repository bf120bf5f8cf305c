//! `team.info` and `users.*`: the workspace and its people as Slack's
//! team and user objects (emails only with `users:read.email`).

use serde_json::{json, Value};

use super::answers::{obj, page};
use super::conversations::list_channels;
use super::request::{ApiError, ApiResult, Ctx};
use crate::state::{State, User};

const AVATAR: &str = "https://a.slack-edge.com/80588/img/avatars/user_shapes/ava_0001";

/// Slack's user object. `with_email` follows `users:read.email`.
pub(crate) fn user_json(state: &State, user: &User, with_email: bool) -> Value {
    let (first, last) = user
        .real_name
        .split_once(' ')
        .unwrap_or((&user.real_name, ""));
    let mut profile = json!({
        "title": "",
        "phone": "",
        "skype": "",
        "real_name": user.real_name,
        "real_name_normalized": user.real_name,
        "display_name": user.display_name,
        "display_name_normalized": user.display_name,
        "fields": {},
        "status_text": "",
        "status_emoji": "",
        "status_expiration": 0,
        "avatar_hash": format!("g{}", &user.id[1..user.id.len().min(12)].to_lowercase()),
        "first_name": first,
        "last_name": last,
        "image_24": format!("{AVATAR}-24.png"),
        "image_32": format!("{AVATAR}-32.png"),
        "image_48": format!("{AVATAR}-48.png"),
        "image_72": format!("{AVATAR}-72.png"),
        "image_192": format!("{AVATAR}-192.png"),
        "image_512": format!("{AVATAR}-512.png"),
        "team": user.team_id,
    });
    if with_email && !user.is_bot {
        profile["email"] = json!(user.email);
    }
    if user.is_bot {
        let app_id = user.app_id.clone().unwrap_or_default();
        if let Some(inst) = state.installation(&user.team_id, &app_id) {
            profile["bot_id"] = json!(inst.bot_id);
        }
        profile["api_app_id"] = json!(app_id);
        profile["always_active"] = json!(false);
    }
    json!({
        "id": user.id,
        "team_id": user.team_id,
        "name": user.name,
        "deleted": user.deleted,
        "color": "9f69e7",
        "real_name": user.real_name,
        "tz": "Europe/London",
        "tz_label": "Greenwich Mean Time",
        "tz_offset": 0,
        "profile": profile,
        "is_admin": user.is_admin,
        "is_owner": user.is_owner,
        "is_primary_owner": user.is_owner,
        "is_restricted": false,
        "is_ultra_restricted": false,
        "is_bot": user.is_bot,
        "is_app_user": false,
        "updated": 1_700_000_000,
        "has_2fa": false,
    })
}

fn sees_email(ctx: &Ctx<'_>) -> bool {
    ctx.caller()
        .token
        .scopes
        .iter()
        .any(|s| s == "users:read.email")
}

pub(super) fn team_info(ctx: &mut Ctx<'_>) -> ApiResult {
    let caller = ctx.caller();
    let team_id = ctx.args.str("team").unwrap_or(caller.team_id());
    if team_id != caller.team_id() {
        return Err(ApiError::slack("team_not_found"));
    }
    let team = ctx
        .state
        .team(team_id)
        .ok_or(ApiError::slack("team_not_found"))?;
    Ok(obj(json!({
        "team": {
            "id": team.id,
            "name": team.name,
            "url": format!("https://{}.slack.com/", team.domain),
            "domain": team.domain,
            "email_domain": "",
            "icon": {
                "image_default": true,
                "image_34": "https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-34.png",
                "image_44": "https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-44.png",
                "image_68": "https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-68.png",
                "image_88": "https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-88.png",
                "image_102": "https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-102.png",
                "image_132": "https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-132.png",
                "image_230": "https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-230.png",
            },
            "avatar_base_url": "https://ca.slack-edge.com/",
        }
    })))
}

pub(super) fn users_info(ctx: &mut Ctx<'_>) -> ApiResult {
    let wanted = ctx.args.required("user", "user_not_found")?;
    let team_id = ctx.caller().team_id().to_owned();
    let user = ctx
        .state
        .user(wanted)
        .filter(|u| u.team_id == team_id)
        .ok_or(ApiError::slack("user_not_found"))?;
    Ok(obj(
        json!({"user": user_json(ctx.state, user, sees_email(ctx))}),
    ))
}

pub(super) fn users_list(ctx: &mut Ctx<'_>) -> ApiResult {
    let team_id = ctx.caller().team_id().to_owned();
    let members: Vec<&User> = ctx
        .state
        .users
        .iter()
        .filter(|u| u.team_id == team_id)
        .collect();
    // Without a limit Slack returns everyone (it recommends paging).
    let (page, next) = page(&members, ctx.args, usize::MAX / 2, 1000)?;
    let with_email = sees_email(ctx);
    let members: Vec<Value> = page
        .iter()
        .map(|u| user_json(ctx.state, u, with_email))
        .collect();
    Ok(obj(json!({
        "members": members,
        "cache_ts": crate::ids::now_secs() as u64,
        "response_metadata": {"next_cursor": next},
    })))
}

/// `users.conversations`: the channels `user` (the caller when not given)
/// is in, of the `types` asked for; private ones only where the caller is a
/// member too.
pub(super) fn users_conversations(ctx: &mut Ctx<'_>) -> ApiResult {
    let caller = ctx.caller().clone();
    let user = match ctx.args.str("user") {
        Some(id) => ctx
            .state
            .user(id)
            .filter(|u| u.team_id == caller.team_id())
            .map(|u| u.id.clone())
            .ok_or(ApiError::slack("user_not_found"))?,
        None => caller.token.user_id.clone(),
    };
    list_channels(ctx, Some(&user))
}

pub(super) fn lookup_by_email(ctx: &mut Ctx<'_>) -> ApiResult {
    let email = ctx.args.required("email", "users_not_found")?;
    let team_id = ctx.caller().team_id().to_owned();
    let user = ctx
        .state
        .users
        .iter()
        .find(|u| u.team_id == team_id && !u.is_bot && u.email.eq_ignore_ascii_case(email))
        .ok_or(ApiError::slack("users_not_found"))?;
    Ok(obj(json!({"user": user_json(ctx.state, user, true)})))
}
