//! Failures shown as pages, with a status and a plain explanation.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use hubbub_hub::HubError;
use hubbub_store::StoreError;

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
            StoreError::SearchTimedOut(_) => PageError::new(
                StatusCode::GATEWAY_TIMEOUT,
                "Search took too long",
                "The search ran longer than the hub allows and was stopped. Try fewer or more \
                 precise words.",
            ),
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

impl From<hubbub_app::Error> for PageError {
    fn from(e: hubbub_app::Error) -> Self {
        match e {
            hubbub_app::Error::Refused(h) => h.into(),
            hubbub_app::Error::Config(why) => PageError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "The hub is not set up right",
                why,
            ),
            other => PageError::internal(other.to_string()),
        }
    }
}
