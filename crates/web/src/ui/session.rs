//! Who is signed in. The session cookie carries a random token whose hash
//! the store keeps; every form carries the session's CSRF token, which
//! `CsrfForm` checks before a handler runs.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use hubbub_app::Actor;
use hubbub_store::Session;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use super::error::PageError;
use crate::AppState;

pub const SESSION_COOKIE: &str = "hubbub_session";

/// The signed-in user of a page request.
pub struct Viewer {
    pub session: Session,
    /// Unread in-app notifications, for the bell.
    pub unread: i64,
    /// A confirmation of what the last form did, shown once.
    pub flash: Option<String>,
}

impl Viewer {
    pub fn account_id(&self) -> i64 {
        self.session.user.account_id
    }

    /// The signed-in user, as the use cases take them.
    pub fn actor(&self) -> Actor {
        Actor::User(self.session.user.clone())
    }

    /// A secret unique to this browser session: the session's CSRF token
    /// is random, never leaves this session's pages, and lives as long as
    /// the session.
    pub fn session_secret(&self) -> &str {
        &self.session.csrf_token
    }
}

/// Not signed in: off to the sign-in page, coming back here afterwards.
pub struct SignInFirst(String);

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        let next: String = url_escape(&self.0);
        Redirect::to(&format!("/login?next={next}")).into_response()
    }
}

fn url_escape(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e[1..].to_owned())
        .unwrap_or_default()
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
            .to_owned();
        let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) else {
            return Err(SignInFirst(path).into_response());
        };
        let store = state.app.store();
        let session = store
            .session(&token)
            .await
            .map_err(|e| PageError::from(e).into_response())?
            .ok_or_else(|| SignInFirst(path).into_response())?;
        let unread = store
            .unread_notifications(session.user.id)
            .await
            .map_err(|e| PageError::from(e).into_response())?;
        let flash = super::flash::waiting(&jar, &session.csrf_token);
        Ok(Viewer {
            session,
            unread,
            flash,
        })
    }
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure when served over
/// HTTPS.
pub fn session_cookie(state: &AppState, value: String, max_age_ms: i64) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.web.secure_cookies)
        .max_age(time::Duration::milliseconds(max_age_ms))
        .build()
}

pub fn tokens_match(a: &str, b: &str) -> bool {
    !a.is_empty() && a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// A form posted by a signed-in user, its `_csrf` field checked.
pub struct CsrfForm<T> {
    pub viewer: Viewer,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, crate::MAX_BODY_BYTES)
            .await
            .map_err(|_| {
                PageError::new(
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "Too large",
                    "The form is too large.",
                )
                .into_response()
            })?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if !tokens_match(sent, &viewer.session.csrf_token) {
            return Err(PageError::forbidden("This form has expired or did not come from this site. Go back, reload the page and try again.").into_response());
        }
        let form = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            PageError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "Invalid form",
                format!("The form could not be read: {e}"),
            )
            .into_response()
        })?;
        Ok(CsrfForm { viewer, form })
    }
}
