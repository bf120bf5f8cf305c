//! What every page shares: the chrome around it (navigation, the
//! notification bell, the signed-in user), rendering, and error pages.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use hubbub_hub::HubError;
use hubbub_store::{StoreError, User};

use super::session::Viewer;

/// The frame of a signed-in page.
pub struct Chrome {
    pub user_id: i64,
    pub user_name: String,
    pub user_email: String,
    pub csrf: String,
    pub unread: i64,
    pub super_admin: bool,
    /// The navigation entry to highlight (`contacts`, `settings`, …).
    pub section: &'static str,
    pub title: String,
}

impl Chrome {
    pub fn new(viewer: &Viewer, section: &'static str, title: impl Into<String>) -> Chrome {
        let user = &viewer.session.user;
        Chrome {
            user_id: user.id,
            user_name: user_name(user),
            user_email: user.email.clone(),
            csrf: viewer.session.csrf_token.clone(),
            unread: viewer.unread,
            super_admin: user.roles.super_admin,
            section,
            title: title.into(),
        }
    }
}

/// How a person is named on every page: their name, or their email.
pub fn user_name(user: &User) -> String {
    let name = format!("{} {}", user.first_name, user.last_name)
        .trim()
        .to_owned();
    if name.is_empty() {
        user.email.clone()
    } else {
        name
    }
}

/// Renders a template into an HTML response.
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => PageError::internal(e.to_string()).into_response(),
    }
}

/// A failure shown as a page, with a status and a plain explanation.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub title: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    error: &'a PageError,
}

impl PageError {
    pub fn new(status: StatusCode, title: &str, message: impl Into<String>) -> Self {
        PageError {
            status,
            title: title.to_owned(),
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "Not allowed", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "Not found", message)
    }

    pub fn internal(detail: String) -> Self {
        tracing::error!(%detail, "page failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "The hub could not show this page. Try again; if it keeps happening, tell your administrator.",
        )
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Hub(h) => h.into(),
            other => PageError::internal(other.to_string()),
        }
    }
}

impl From<HubError> for PageError {
    fn from(e: HubError) -> Self {
        match e {
            HubError::NotFound(m) => PageError::not_found(m),
            HubError::Forbidden(m) => PageError::forbidden(m),
            HubError::Conflict(m) => PageError::new(StatusCode::CONFLICT, "Conflict", m),
            HubError::Unauthenticated => PageError::new(
                StatusCode::UNAUTHORIZED,
                "Sign in needed",
                "Sign in to continue.",
            ),
            other => PageError::new(StatusCode::BAD_REQUEST, "Invalid input", other.to_string()),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let html = ErrorPage { error: &self }
            .render()
            .unwrap_or_else(|_| self.message.clone());
        (self.status, Html(html)).into_response()
    }
}

pub type PageResult = Result<Response, PageError>;

/// After a successful form post: go to `to` (POST/redirect/GET).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// An ISO instant as `2024-05-01 12:00 UTC`, for lists of notices and mail.
pub(crate) fn readable_iso(iso: &str) -> String {
    match (iso.get(..10), iso.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => iso.to_owned(),
    }
}
