//! What every page shares: the chrome around it (navigation, the
//! notification bell, the signed-in user) and rendering.

use askama::Template;
use axum::response::{Html, IntoResponse, Redirect, Response};

pub use super::error::PageError;
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
    /// What the last form did ("Contact created"), shown once.
    pub flash: Option<String>,
}

impl Chrome {
    pub fn new(viewer: &Viewer, section: &'static str, title: impl Into<String>) -> Chrome {
        let user = &viewer.session.user;
        Chrome {
            user_id: user.id,
            user_name: user.display_name(),
            user_email: user.email.clone(),
            csrf: viewer.session.csrf_token.clone(),
            unread: viewer.unread,
            super_admin: user.roles.super_admin,
            section,
            title: title.into(),
            flash: viewer.flash.clone(),
        }
    }
}

/// Renders a template into an HTML response.
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => PageError::internal(e.to_string()).into_response(),
    }
}

pub type PageResult = Result<Response, PageError>;

/// After a successful form post: go to `to` (POST/redirect/GET).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}
