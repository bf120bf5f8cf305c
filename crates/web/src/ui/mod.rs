//! The hub's web app, rendered on the server. Templates escape every value
//! by default; a few lines of plain JavaScript add conveniences.

mod error;
pub(crate) mod flash;
mod home;
mod inbox;
mod login;
mod mailbox;
mod not_found;
mod notification_settings;
mod notifications;
pub(crate) mod page;
pub(crate) mod records;
mod session;
mod settings;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

pub use error::PageError;
pub use page::Chrome;
pub use session::{CsrfForm, Viewer};

/// The pages (sign-in included, and the "Not found" page for any path no
/// other routes know): what `crate::headers::pages` covers.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", post(login::logout))
        .merge(records::routes())
        .merge(inbox::routes())
        .merge(settings::routes())
        .merge(notifications::routes())
        .merge(notification_settings::routes())
        .merge(mailbox::routes())
        .fallback(not_found::not_found)
        .layer(axum::middleware::from_fn(flash::clear_when_shown))
}

/// The stylesheet, script and icon the pages load, the same for everyone.
pub fn assets() -> Router<AppState> {
    Router::new()
        .route("/static/app.css", get(stylesheet))
        .route("/static/app.js", get(script))
        .route("/static/favicon.svg", get(icon))
        // Where browsers and other clients look for an icon unasked.
        .route("/favicon.ico", get(icon))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../static/app.css"),
    )
}

async fn icon() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "image/svg+xml")],
        include_str!("../../static/favicon.svg"),
    )
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../../static/app.js"),
    )
}
