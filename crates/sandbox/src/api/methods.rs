//! The method table (token rule, scopes, rate-limit tier, handler) and the
//! dispatcher that applies the same checks to every call, in Slack's order:
//! unknown method, injected faults, authentication, scopes, rate limit.

use serde_json::{json, Map, Value};

use super::request::{ApiError, ApiResult, Args, Caller, Ctx};
use crate::faults::{self, Injected};
use crate::outbound;
use crate::rate_limit::Tier;
use crate::sandbox::Sandbox;
use crate::state::{State, TokenKind};

/// Which tokens a method takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRule {
    /// No token (`api.test`, `oauth.v2.access`).
    None,
    /// A bot or a user token.
    Any,
}

pub type Handler = fn(&mut Ctx<'_>) -> ApiResult;

pub struct MethodSpec {
    pub name: &'static str,
    pub token: TokenRule,
    /// The caller needs at least one of these (empty: none needed, or the
    /// handler checks by channel type).
    pub scopes: &'static [&'static str],
    pub tier: Tier,
    pub handler: Handler,
}

use Tier::*;
use TokenRule::{Any, None as NoToken};

macro_rules! spec {
    ($name:literal, $token:expr, [$($scope:literal),*], $tier:expr, $handler:expr) => {
        MethodSpec { name: $name, token: $token, scopes: &[$($scope),*], tier: $tier, handler: $handler }
    };
}

/// Every method the sandbox answers.
static METHODS: &[MethodSpec] = &[
    spec!("api.test", NoToken, [], Four, api_test),
    spec!("auth.test", Any, [], Four, auth_test),
    spec!("auth.revoke", Any, [], Three, super::oauth::auth_revoke),
    spec!(
        "oauth.v2.access",
        NoToken,
        [],
        Four,
        super::oauth::oauth_v2_access
    ),
    spec!(
        "team.info",
        Any,
        ["team:read"],
        Three,
        super::team_users::team_info
    ),
    spec!(
        "users.info",
        Any,
        ["users:read"],
        Four,
        super::team_users::users_info
    ),
    spec!(
        "users.list",
        Any,
        ["users:read"],
        Two,
        super::team_users::users_list
    ),
    spec!(
        "users.lookupByEmail",
        Any,
        ["users:read.email"],
        Three,
        super::team_users::lookup_by_email
    ),
    spec!(
        "users.conversations",
        Any,
        ["channels:read", "groups:read", "im:read", "mpim:read"],
        Three,
        super::team_users::users_conversations
    ),
    spec!(
        "conversations.list",
        Any,
        ["channels:read", "groups:read", "im:read", "mpim:read"],
        Two,
        super::conversations::list
    ),
    spec!(
        "conversations.info",
        Any,
        ["channels:read", "groups:read", "im:read", "mpim:read"],
        Three,
        super::conversations::info
    ),
    spec!(
        "conversations.join",
        Any,
        ["channels:join"],
        Three,
        super::conversations::join
    ),
    spec!(
        "conversations.members",
        Any,
        ["channels:read", "groups:read", "im:read", "mpim:read"],
        Four,
        super::conversations::members
    ),
    spec!(
        "conversations.open",
        Any,
        ["im:write", "mpim:write"],
        Three,
        super::conversations::open
    ),
    spec!(
        "conversations.history",
        Any,
        [
            "channels:history",
            "groups:history",
            "im:history",
            "mpim:history"
        ],
        Three,
        super::conversations::history
    ),
    spec!(
        "conversations.replies",
        Any,
        [
            "channels:history",
            "groups:history",
            "im:history",
            "mpim:history"
        ],
        Three,
        super::conversations::replies
    ),
    spec!(
        "conversations.create",
        Any,
        ["channels:manage", "groups:write"],
        Two,
        super::conversations::create
    ),
    spec!(
        "conversations.invite",
        Any,
        ["channels:manage", "groups:write", "im:write", "mpim:write"],
        Three,
        super::conversations::invite
    ),
    spec!(
        "chat.postMessage",
        Any,
        ["chat:write"],
        Special,
        super::chat::post_message
    ),
    spec!(
        "chat.postEphemeral",
        Any,
        ["chat:write"],
        Four,
        super::chat::post_ephemeral
    ),
    spec!(
        "chat.update",
        Any,
        ["chat:write"],
        Three,
        super::chat::update
    ),
    spec!(
        "chat.delete",
        Any,
        ["chat:write"],
        Three,
        super::chat::delete
    ),
    spec!(
        "chat.getPermalink",
        Any,
        [],
        Four,
        super::chat::get_permalink
    ),
    spec!(
        "chat.unfurl",
        Any,
        ["links:write"],
        Three,
        super::chat::unfurl
    ),
    spec!(
        "reactions.add",
        Any,
        ["reactions:write"],
        Three,
        super::reactions::add
    ),
    spec!(
        "reactions.remove",
        Any,
        ["reactions:write"],
        Two,
        super::reactions::remove
    ),
    spec!("views.open", Any, [], Four, super::views::open),
    spec!("views.push", Any, [], Four, super::views::push),
    spec!("views.update", Any, [], Four, super::views::update),
    spec!("views.publish", Any, [], Four, super::views::publish),
];

pub fn method_spec(name: &str) -> Option<&'static MethodSpec> {
    METHODS.iter().find(|m| m.name == name)
}

/// What the call ended in, plus what the HTTP layer reports about it.
pub struct Outcome {
    pub result: ApiResult,
    pub team_id: Option<String>,
    /// The token's scopes, for the `x-oauth-scopes` header.
    pub scopes: Option<String>,
    /// The method's scopes, for `x-accepted-oauth-scopes`.
    pub accepted_scopes: Option<String>,
    /// A fault drops the answer (the call took effect).
    pub answer_lost: bool,
}

pub async fn dispatch(
    sandbox: &Sandbox,
    method: &str,
    args: &Args,
    token: Option<&str>,
) -> Outcome {
    let mut outcome = Outcome {
        result: Err(ApiError::slack("unknown_method")),
        team_id: None,
        scopes: None,
        accepted_scopes: None,
        answer_lost: false,
    };
    let Some(spec) = method_spec(method) else {
        return outcome;
    };
    outcome.accepted_scopes = Some(spec.scopes.join(","));
    let failure = match faults::check(sandbox, method).await {
        Some(Injected::Error(error)) => Some(ApiError::slack(&error)),
        Some(Injected::Status(status)) => Some(ApiError::Status(status)),
        Some(Injected::RateLimited(retry_after)) => Some(ApiError::RateLimited { retry_after }),
        Some(Injected::AnswerLost) => {
            outcome.answer_lost = true;
            None
        }
        None => None,
    };
    if let Some(failure) = failure {
        outcome.result = Err(failure);
        return outcome;
    }
    let mut state = sandbox.state();
    let caller = match authenticate(&state, spec, token) {
        Ok(caller) => caller,
        Err(e) => {
            outcome.result = Err(e);
            return outcome;
        }
    };
    if let Some(c) = &caller {
        outcome.team_id = Some(c.team_id().to_owned());
        outcome.scopes = Some(c.token.scopes.join(","));
    }
    let mut ctx = Ctx {
        state: &mut state,
        caller,
        args,
        effects: Vec::new(),
    };
    let checked = if spec.scopes.is_empty() {
        Ok(())
    } else {
        ctx.require_any(spec.scopes)
    };
    outcome.result = checked
        .and_then(|()| within_rate_limit(ctx.state, spec, ctx.caller.as_ref(), args))
        .and_then(|()| (spec.handler)(&mut ctx));
    let effects = std::mem::take(&mut ctx.effects);
    drop(state);
    outbound::deliver(sandbox, effects);
    outcome
}

/// Resolves the presented token as Slack does: `not_authed` without one,
/// `invalid_auth` for an unknown one, `token_revoked` for a revoked one,
/// `account_inactive` when its user is gone.
fn authenticate(
    state: &State,
    spec: &MethodSpec,
    token: Option<&str>,
) -> Result<Option<Caller>, ApiError> {
    if spec.token == TokenRule::None {
        return Ok(None);
    }
    let token = token.ok_or(ApiError::slack("not_authed"))?;
    let record = state
        .tokens
        .iter()
        .find(|t| t.token == token)
        .ok_or(ApiError::slack("invalid_auth"))?;
    if record.revoked {
        return Err(ApiError::slack("token_revoked"));
    }
    if state.user(&record.user_id).is_some_and(|u| u.deleted) {
        return Err(ApiError::slack("account_inactive"));
    }
    Ok(Some(Caller {
        token: record.clone(),
    }))
}

/// `ratelimited` when this call goes over its method's limit (see
/// `rate_limit`). Calls without a token are counted per `client_id`
/// (OAuth) or together.
fn within_rate_limit(
    state: &mut State,
    spec: &MethodSpec,
    caller: Option<&Caller>,
    args: &Args,
) -> Result<(), ApiError> {
    if !state.rate_limits {
        return Ok(());
    }
    let (team, app) = match caller {
        Some(c) => (c.token.team_id.clone(), c.token.app_id.clone()),
        None => (
            String::new(),
            args.str("client_id").unwrap_or_default().to_owned(),
        ),
    };
    let channel = if spec.tier == Tier::Special {
        args.str("channel")
            .map(|c| limited_channel(state, &team, c))
    } else {
        None
    };
    let now = state.rate_limiter.now();
    state
        .rate_limiter
        .check_at(spec.tier, spec.name, &team, &app, channel.as_deref(), now)
        .map_err(|retry_after| ApiError::RateLimited { retry_after })
}

/// A channel argument as the channel it names (`#name` or `name` become
/// the id when the workspace has such a channel); anything else stays as
/// given (user ids for DMs, unknown channels).
fn limited_channel(state: &State, team: &str, channel: &str) -> String {
    state
        .channel_by_id_or_name(team, channel)
        .map(|c| c.id.clone())
        .unwrap_or_else(|| channel.to_owned())
}

fn api_test(ctx: &mut Ctx<'_>) -> ApiResult {
    let mut out = Map::new();
    if let Some(error) = ctx.args.str("error") {
        return Err(ApiError::slack(error));
    }
    out.insert("args".into(), Value::Object(ctx.args.0.clone()));
    Ok(out)
}

fn auth_test(ctx: &mut Ctx<'_>) -> ApiResult {
    let token = ctx.caller().token.clone();
    let team = ctx
        .state
        .team(&token.team_id)
        .ok_or(ApiError::slack("team_not_found"))?;
    let user = ctx
        .state
        .user(&token.user_id)
        .ok_or(ApiError::slack("user_not_found"))?;
    let mut out = json!({
        "url": format!("https://{}.slack.com/", team.domain),
        "team": team.name,
        "user": user.name,
        "team_id": team.id,
        "user_id": user.id,
        "is_enterprise_install": false,
    });
    if token.kind == TokenKind::Bot {
        if let Some(inst) = ctx.state.installation(&token.team_id, &token.app_id) {
            out["bot_id"] = json!(inst.bot_id);
        }
    }
    match out {
        Value::Object(map) => Ok(map),
        _ => unreachable!("built as an object"),
    }
}
