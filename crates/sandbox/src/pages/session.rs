//! Whom the person acts as: chosen with the picker and kept in a cookie;
//! `?as=U…` on a page overrides it.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::layout::{safe_back, url_enc, PageQuery};
use crate::state::{State, User};

const COOKIE: &str = "sandbox_user";

/// The person acted as: `?as=` first, then the cookie; never a bot or a
/// deactivated account.
pub(super) fn acting_user(state: &State, headers: &HeaderMap, query: &PageQuery) -> Option<User> {
    let id = query.as_user.clone().or_else(|| cookie(headers, COOKIE))?;
    state.user(&id).filter(|u| !u.is_bot && !u.deleted).cloned()
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

#[derive(Deserialize)]
pub(super) struct ChooseUser {
    user: String,
    #[serde(default)]
    back: String,
}

/// `POST /as`: sets (or, for nobody, clears) the cookie.
pub(super) async fn choose_user(Form(form): Form<ChooseUser>) -> Response {
    let mut response = Redirect::to(safe_back(&form.back)).into_response();
    let value = if form.user.is_empty() {
        format!("{COOKIE}=; Path=/; Max-Age=0; SameSite=Lax")
    } else {
        format!("{COOKIE}={}; Path=/; SameSite=Lax", url_enc(&form.user))
    };
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}
