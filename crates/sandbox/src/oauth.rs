//! OAuth v2's browser half: `GET /oauth/v2/authorize` shows a plain consent
//! page (the app, the workspace, the scopes, which sandbox person
//! approves); `POST /oauth/v2/authorize` answers Allow with a single-use
//! code valid 10 minutes, or Cancel with `error=access_denied`, by
//! redirecting to the app's `redirect_uri`. The code is exchanged through
//! `oauth.v2.access` (see `api::oauth`).

use axum::extract::{Form, Query, State as AxumState};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::ids::{now_secs, secret};
pub use crate::pages::esc;
use crate::sandbox::Sandbox;
use crate::state::{AppConfig, OAuthCode, State};

/// How long an authorization code can be exchanged.
pub const CODE_TTL_SECS: f64 = 600.0;

pub fn routes() -> Router<Sandbox> {
    Router::new().route(
        "/oauth/v2/authorize",
        get(authorize_page).post(authorize_decision),
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct AuthorizeParams {
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub user_scope: String,
    #[serde(default)]
    pub redirect_uri: String,
    #[serde(default)]
    pub state: String,
    /// The workspace (needed only when the sandbox has several).
    #[serde(default)]
    pub team: String,
    /// The person who approves, preselected on the page.
    #[serde(default)]
    pub user: String,
    /// `allow` or `cancel` (the form's buttons).
    #[serde(default)]
    pub decision: String,
}

/// The app and the redirect URL a request names, or the error page.
fn resolve(
    state: &State,
    p: &AuthorizeParams,
) -> Result<(AppConfig, String), (&'static str, &'static str)> {
    let app = state
        .apps
        .iter()
        .find(|a| !p.client_id.is_empty() && a.client_id == p.client_id)
        .cloned()
        .ok_or(("invalid_client_id", "No app has this client_id."))?;
    let redirect = if p.redirect_uri.is_empty() {
        app.redirect_urls.first().cloned().ok_or((
            "bad_redirect_uri",
            "The app has no redirect URL configured.",
        ))?
    } else if app.redirect_urls.contains(&p.redirect_uri) {
        p.redirect_uri.clone()
    } else {
        return Err((
            "bad_redirect_uri",
            "redirect_uri does not match any of the app's redirect URLs.",
        ));
    };
    if split_scopes(&p.scope).is_empty() && split_scopes(&p.user_scope).is_empty() {
        return Err(("invalid_scope", "No scopes were requested."));
    }
    Ok((app, redirect))
}

pub fn split_scopes(s: &str) -> Vec<String> {
    s.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn authorize_page(
    AxumState(sandbox): AxumState<Sandbox>,
    Query(p): Query<AuthorizeParams>,
) -> Response {
    let state = sandbox.state();
    let (app, _redirect) = match resolve(&state, &p) {
        Ok(v) => v,
        Err((code, message)) => return error_page(code, message),
    };
    let team = if state.teams.len() == 1 {
        state.teams.first()
    } else {
        state.team(&p.team)
    };
    let Some(team) = team else {
        return workspace_picker(&state, &p);
    };
    let humans: Vec<_> = state
        .users
        .iter()
        .filter(|u| u.team_id == team.id && !u.is_bot && !u.deleted)
        .collect();
    let mut options = String::new();
    for u in &humans {
        let selected = if p.user == u.id || p.user == u.name {
            " selected"
        } else {
            ""
        };
        let role = if u.is_owner {
            " (owner)"
        } else if u.is_admin {
            " (admin)"
        } else {
            ""
        };
        options.push_str(&format!(
            "<option value=\"{}\"{selected}>{} — @{}{role}</option>",
            esc(&u.id),
            esc(&u.real_name),
            esc(&u.name)
        ));
    }
    let list = |scopes: &str| {
        split_scopes(scopes)
            .iter()
            .map(|s| format!("<li><code>{}</code></li>", esc(s)))
            .collect::<String>()
    };
    let mut hidden = String::new();
    for (k, v) in [
        ("client_id", &p.client_id),
        ("scope", &p.scope),
        ("user_scope", &p.user_scope),
        ("redirect_uri", &p.redirect_uri),
        ("state", &p.state),
        ("team", &team.id),
    ] {
        hidden.push_str(&format!(
            "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
            esc(v)
        ));
    }
    let bot_scopes = if p.scope.is_empty() {
        String::new()
    } else {
        format!(
            "<h2>As a bot, it will be able to</h2><ul>{}</ul>",
            list(&p.scope)
        )
    };
    let user_scopes = if p.user_scope.is_empty() {
        String::new()
    } else {
        format!(
            "<h2>On your behalf, it will be able to</h2><ul>{}</ul>",
            list(&p.user_scope)
        )
    };
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Install {app} — Slack sandbox</title></head>\
         <body><main><h1>{app} is requesting permission to access the {team} Slack workspace</h1>\
         {bot_scopes}{user_scopes}\
         <form method=\"post\" action=\"/oauth/v2/authorize\">{hidden}\
         <p><label for=\"user\">Approve as</label> <select id=\"user\" name=\"user\">{options}</select></p>\
         <p><button type=\"submit\" name=\"decision\" value=\"cancel\">Cancel</button> \
         <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button></p>\
         </form></main></body></html>",
        app = esc(&app.name),
        team = esc(&team.name),
    ))
    .into_response()
}

fn workspace_picker(state: &State, p: &AuthorizeParams) -> Response {
    let mut items = String::new();
    for t in &state.teams {
        let query = serde_urlencoded::to_string([
            ("client_id", p.client_id.as_str()),
            ("scope", &p.scope),
            ("user_scope", &p.user_scope),
            ("redirect_uri", &p.redirect_uri),
            ("state", &p.state),
            ("user", &p.user),
            ("team", &t.id),
        ])
        .unwrap_or_default();
        items.push_str(&format!(
            "<li><a href=\"/oauth/v2/authorize?{}\">{} ({}.slack.com)</a></li>",
            esc(&query),
            esc(&t.name),
            esc(&t.domain)
        ));
    }
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Choose a workspace — Slack sandbox</title></head>\
         <body><main><h1>Choose a workspace</h1><ul>{items}</ul></main></body></html>"
    ))
    .into_response()
}

async fn authorize_decision(
    AxumState(sandbox): AxumState<Sandbox>,
    Form(p): Form<AuthorizeParams>,
) -> Response {
    let mut state = sandbox.state();
    let (app, redirect) = match resolve(&state, &p) {
        Ok(v) => v,
        Err((code, message)) => return error_page(code, message),
    };
    let mut query: Vec<(&str, String)> = Vec::new();
    if p.decision != "allow" {
        query.push(("error", "access_denied".into()));
        if !p.state.is_empty() {
            query.push(("state", p.state.clone()));
        }
        return redirect_to(&redirect, &query);
    }
    let team_id = if state.teams.len() == 1 {
        state.teams[0].id.clone()
    } else {
        p.team.clone()
    };
    let Some(team) = state.team(&team_id).cloned() else {
        return error_page("team_not_found", "Choose a workspace first.");
    };
    let Some(user) = state
        .user_in_team(&team.id, &p.user)
        .filter(|u| !u.is_bot && !u.deleted)
        .cloned()
    else {
        return error_page("user_not_found", "Choose who approves the installation.");
    };
    if team.approved_apps_only
        && !user.is_admin
        && state.installation(&team.id, &app.app_id).is_none()
    {
        return error_page(
            "restricted_action",
            "This workspace only allows approved apps: an admin must install it.",
        );
    }
    let code = format!(
        "{}.{}.{}",
        now_secs() as u64,
        rand::random::<u32>(),
        secret(20)
    );
    let now = now_secs();
    state.oauth_codes.retain(|c| c.expires_at > now - 3600.0);
    state.oauth_codes.push(OAuthCode {
        code: code.clone(),
        app_id: app.app_id.clone(),
        team_id: team.id.clone(),
        user_id: user.id.clone(),
        scopes: split_scopes(&p.scope),
        user_scopes: split_scopes(&p.user_scope),
        redirect_uri: (!p.redirect_uri.is_empty()).then(|| p.redirect_uri.clone()),
        expires_at: now + CODE_TTL_SECS,
        used: false,
    });
    query.push(("code", code));
    if !p.state.is_empty() {
        query.push(("state", p.state.clone()));
    }
    redirect_to(&redirect, &query)
}

fn redirect_to(base: &str, query: &[(&str, String)]) -> Response {
    let encoded = serde_urlencoded::to_string(query).unwrap_or_default();
    let sep = if base.contains('?') { '&' } else { '?' };
    (
        StatusCode::FOUND,
        [(header::LOCATION, format!("{base}{sep}{encoded}"))],
    )
        .into_response()
}

fn error_page(code: &str, message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Something went wrong — Slack sandbox</title></head>\
             <body><main><h1>Something went wrong when authorizing this app</h1>\
             <p>{}</p><p>Error code: <code>{}</code></p></main></body></html>",
            esc(message),
            esc(code)
        )),
    )
        .into_response()
}
