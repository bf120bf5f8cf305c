//! The sign-in page and signing out; the rules (checking the password,
//! pausing after repeated failures) are `hubbub_app::sessions`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use hubbub_app::sessions::{SignIn, FAILURE_WINDOW_MS, SESSION_LIFETIME_MS};
use serde::Deserialize;
use url::{Position, Url};

use super::page::{render, see_other, PageError, PageResult};
use super::session::{session_cookie, tokens_match, CsrfForm, SESSION_COOKIE};
use crate::AppState;

/// Before there is a session, a cookie holds the sign-in form's CSRF token.
const LOGIN_CSRF_COOKIE: &str = "hubbub_login_csrf";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: Option<String>,
}

/// Where to go after signing in: `next` when it is a path on this hub,
/// else `/`. `next` is resolved against the hub's own URL the way a
/// browser resolves a `Location` (dropping tabs and newlines, reading `\`
/// as `/`: `/\t/evil.example` leaves the hub), and kept, as its path and
/// query, only when it stays on the hub's origin. The URL parser
/// percent-encodes what it keeps, so the result is a valid header value.
/// Control characters are refused outright: no link a person follows
/// holds one.
fn local_path(next: Option<&str>, hub: &Url) -> String {
    let on_hub = |target: &str| {
        hub.join(target)
            .ok()
            .filter(|url| url.origin() == hub.origin())
    };
    next.filter(|next| next.starts_with('/') && !next.chars().any(char::is_control))
        .and_then(on_hub)
        .map(|url| url[Position::BeforePath..Position::AfterQuery].to_owned())
        // `/..//evil.example` resolves to the path `//evil.example`, which
        // a browser given it alone reads as another host.
        .filter(|path| on_hub(path).is_some())
        .unwrap_or_else(|| "/".to_owned())
}

fn login_page(
    jar: CookieJar,
    email: String,
    next: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let csrf = uuid::Uuid::new_v4().simple().to_string();
    let cookie = Cookie::build((LOGIN_CSRF_COOKIE, csrf.clone()))
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .build();
    let page = LoginPage {
        csrf,
        email,
        next,
        error,
    };
    (status, jar.add(cookie), render(&page)).into_response()
}

pub async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<NextQuery>,
) -> Response {
    login_page(
        jar,
        String::new(),
        local_path(q.next.as_deref(), &state.web.public_url),
        None,
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let next = local_path(form.next.as_deref(), &state.web.public_url);
    let expected = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if !tokens_match(&form.csrf, &expected) {
        let msg = "The sign-in form expired. Please try again.".to_owned();
        return Ok(login_page(
            jar,
            form.email,
            next,
            Some(msg),
            StatusCode::FORBIDDEN,
        ));
    }
    let (message, status) = match state.app.sign_in(&form.email, &form.password).await? {
        SignIn::SignedIn { session_token } => {
            let jar = jar
                .remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/login"))
                .add(session_cookie(&state, session_token, SESSION_LIFETIME_MS));
            return Ok((jar, see_other(&next)).into_response());
        }
        SignIn::Paused => (
            format!(
                "Too many failed sign-in attempts for this email. Wait {} minutes, or ask an admin to check your account.",
                FAILURE_WINDOW_MS / 60_000
            ),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        SignIn::Refused => (
            "That email and password do not match. Check them and try again.".to_owned(),
            StatusCode::UNAUTHORIZED,
        ),
    };
    Ok(login_page(jar, form.email, next, Some(message), status))
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    _form: CsrfForm<Empty>,
) -> Result<Response, PageError> {
    if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) {
        state.app.sign_out(&token).await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, see_other("/login")).into_response())
}
