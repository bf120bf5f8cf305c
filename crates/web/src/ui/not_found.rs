//! The answer to a path the hub has no page for: the app's own "Not found"
//! page, in the app's layout for someone signed in, and plain (naming no
//! one, showing no data) for anyone else, who is not sent to sign in first.
//! Unknown API paths answer HubSpot's error body instead (`crate::api`).

use askama::Template;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::error::PageError;
use super::page::{render, Chrome};
use super::session::Viewer;

#[derive(Template)]
#[template(path = "error_in_layout.html")]
struct ErrorInLayout<'a> {
    chrome: Chrome,
    error: &'a PageError,
}

/// The pages' fallback.
pub async fn not_found(viewer: Result<Viewer, Response>, uri: Uri) -> Response {
    let error = PageError::not_found(format!("There is no page at {}.", uri.path()));
    match viewer {
        Ok(viewer) => {
            let page = ErrorInLayout {
                chrome: Chrome::new(&viewer, "", error.title.clone()),
                error: &error,
            };
            (StatusCode::NOT_FOUND, render(&page)).into_response()
        }
        Err(_) => error.into_response(),
    }
}
