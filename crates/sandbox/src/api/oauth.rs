//! `oauth.v2.access` (exchanging a consent code for tokens) and
//! `auth.revoke`.

use serde_json::{json, Value};

use super::answers::obj;
use super::request::{ApiError, ApiResult, Args, Ctx};
use crate::ids::now_secs;
use crate::outbound::Effect;
use crate::state::TokenKind;

/// `oauth.v2.access`: client credentials as form fields or HTTP Basic
/// (the HTTP layer turns Basic into `client_id`/`client_secret`), the
/// code from the redirect, and the `redirect_uri` used at authorize time
/// when one was used.
pub fn oauth_v2_access(ctx: &mut Ctx<'_>) -> ApiResult {
    let args = ctx.args;
    if let Some(grant) = args.str("grant_type") {
        if grant != "authorization_code" {
            return Err(ApiError::slack("invalid_grant_type"));
        }
    }
    let client_id = args.required("client_id", "invalid_client_id")?;
    let app = ctx
        .state
        .apps
        .iter()
        .find(|a| a.client_id == client_id)
        .cloned()
        .ok_or(ApiError::slack("invalid_client_id"))?;
    if args.str("client_secret") != Some(app.client_secret.as_str()) {
        return Err(ApiError::slack("bad_client_secret"));
    }
    let code = args.required("code", "invalid_code")?;
    let now = now_secs();
    let record = ctx
        .state
        .oauth_codes
        .iter_mut()
        .find(|c| c.code == code && c.app_id == app.app_id)
        .ok_or(ApiError::slack("invalid_code"))?;
    if record.used {
        return Err(ApiError::slack("code_already_used"));
    }
    if record.expires_at < now {
        return Err(ApiError::slack("invalid_code"));
    }
    if let Some(expected) = &record.redirect_uri {
        if args.str("redirect_uri") != Some(expected.as_str()) {
            return Err(ApiError::slack("bad_redirect_uri"));
        }
    }
    record.used = true;
    let record = record.clone();
    let granted = ctx.state.install(
        &record.team_id,
        &app.app_id,
        &record.user_id,
        &record.scopes,
        &record.user_scopes,
    );
    let team_name = ctx
        .state
        .team(&record.team_id)
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let mut authed_user = json!({"id": record.user_id});
    if let Some(user_token) = &granted.user_token {
        authed_user["scope"] = json!(granted.user_scopes.join(","));
        authed_user["access_token"] = json!(user_token);
        authed_user["token_type"] = json!("user");
    }
    Ok(obj(json!({
        "access_token": granted.bot_token,
        "token_type": "bot",
        "scope": granted.bot_scopes.join(","),
        "bot_user_id": granted.bot_user_id,
        "app_id": app.app_id,
        "team": {"id": record.team_id, "name": team_name},
        "enterprise": null,
        "is_enterprise_install": false,
        "authed_user": authed_user,
    })))
}

/// `auth.revoke`: revokes the calling token (`test=1` only pretends) and
/// tells the app with `tokens_revoked`. When that was the installation's
/// last live token, the app is uninstalled as on Slack and also gets
/// `app_uninstalled`.
pub fn auth_revoke(ctx: &mut Ctx<'_>) -> ApiResult {
    if ctx.args.flag("test") {
        return Ok(obj(json!({"revoked": false})));
    }
    let token = ctx.caller().token.clone();
    for t in ctx
        .state
        .tokens
        .iter_mut()
        .filter(|t| t.token == token.token)
    {
        t.revoked = true;
    }
    let tokens = match token.kind {
        TokenKind::Bot => json!({"oauth": [], "bot": [token.user_id]}),
        TokenKind::User => json!({"oauth": [token.user_id], "bot": []}),
    };
    ctx.effects.push(Effect::AppEvent {
        team_id: token.team_id.clone(),
        app_id: token.app_id.clone(),
        event: json!({"type": "tokens_revoked", "tokens": tokens}),
    });
    let any_left = ctx
        .state
        .tokens
        .iter()
        .any(|t| t.team_id == token.team_id && t.app_id == token.app_id && !t.revoked);
    if !any_left {
        let mut uninstalled = false;
        for inst in ctx
            .state
            .installations
            .iter_mut()
            .filter(|i| i.team_id == token.team_id && i.app_id == token.app_id && i.active)
        {
            inst.active = false;
            uninstalled = true;
        }
        if uninstalled {
            ctx.effects.push(Effect::AppEvent {
                team_id: token.team_id.clone(),
                app_id: token.app_id.clone(),
                event: json!({"type": "app_uninstalled"}),
            });
        }
    }
    Ok(obj(json!({"revoked": true})))
}

/// HTTP Basic client credentials (`oauth.v2.access` accepts them in place
/// of the `client_id`/`client_secret` arguments): copied into the
/// arguments unless those are given.
pub(super) fn basic_credentials(headers: &axum::http::HeaderMap, args: &mut Args) {
    let Some(encoded) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return;
    };
    let Some(decoded) = decode_base64(encoded.trim()).and_then(|b| String::from_utf8(b).ok())
    else {
        return;
    };
    if let Some((id, secret)) = decoded.split_once(':') {
        if args.str("client_id").is_none() {
            args.0
                .insert("client_id".into(), Value::String(id.to_owned()));
        }
        if args.str("client_secret").is_none() {
            args.0
                .insert("client_secret".into(), Value::String(secret.to_owned()));
        }
    }
}

/// Standard base64 with optional padding.
fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    Some(out)
}
