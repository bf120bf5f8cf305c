//! One-time confirmations ("Contact created", "Settings saved") shown on
//! the page a form's redirect lands on, and gone on reload: the handler
//! sets a short-lived cookie, the next page shows it (the layout reads it
//! through [`Viewer`]) and [`clear_when_shown`] removes it. The cookie is
//! signed with the session's secret, so that nobody else can make a page
//! show their text.

use axum::extract::Request;
use axum::http::header::SET_COOKIE;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::session::Viewer;
use crate::AppState;

const FLASH_COOKIE: &str = "hubbub_flash";

/// Long enough for the redirect to be followed, short enough that a
/// confirmation never turns up on a page opened much later.
const MAX_AGE_SECS: i64 = 60;

/// After a successful form post: go to `to` (POST/redirect/GET), where
/// `message` is shown once.
pub fn see_other_confirming(
    state: &AppState,
    viewer: &Viewer,
    to: &str,
    message: &str,
) -> Response {
    let value = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(message),
        URL_SAFE_NO_PAD.encode(signature(viewer.session_secret(), message))
    );
    let cookie = Cookie::build((FLASH_COOKIE, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.web.secure_cookies)
        .max_age(time::Duration::seconds(MAX_AGE_SECS))
        .build();
    let mut response = Redirect::to(to).into_response();
    if let Ok(header) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(SET_COOKIE, header);
    }
    response
}

/// The confirmation waiting for this session, if its signature holds.
pub fn waiting(jar: &CookieJar, session_secret: &str) -> Option<String> {
    let (text, mac) = jar.get(FLASH_COOKIE)?.value().split_once('.')?;
    let message = String::from_utf8(URL_SAFE_NO_PAD.decode(text).ok()?).ok()?;
    let mac = URL_SAFE_NO_PAD.decode(mac).ok()?;
    keyed(session_secret, &message).verify_slice(&mac).ok()?;
    Some(message)
}

fn signature(session_secret: &str, message: &str) -> Vec<u8> {
    keyed(session_secret, message)
        .finalize()
        .into_bytes()
        .to_vec()
}

fn keyed(session_secret: &str, message: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(session_secret.as_bytes())
        .expect("HMAC takes keys of any size");
    mac.update(b"flash:");
    mac.update(message.as_bytes());
    mac
}

/// Removes the confirmation once a page (not a redirect, which leads to
/// the page that shows it) answered a request that carried it.
pub async fn clear_when_shown(request: Request, next: Next) -> Response {
    let carried = CookieJar::from_headers(request.headers())
        .get(FLASH_COOKIE)
        .is_some();
    let mut response = next.run(request).await;
    let sets_one = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(FLASH_COOKIE.as_bytes()));
    if carried && !response.status().is_redirection() && !sets_one {
        let gone = Cookie::build((FLASH_COOKIE, ""))
            .path("/")
            .max_age(time::Duration::ZERO)
            .build();
        if let Ok(header) = HeaderValue::from_str(&gone.to_string()) {
            response.headers_mut().append(SET_COOKIE, header);
        }
    }
    response
}
