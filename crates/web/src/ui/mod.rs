//! The hub's web app, rendered on the server. Templates escape every value
//! by default; a few lines of plain JavaScript add conveniences.

mod error;
mod login;
mod mailbox;
mod notification_settings;
mod notifications;
pub(crate) mod page;
pub(crate) mod records;
mod session;
mod settings;

use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

pub use error::PageError;
pub use page::Chrome;
pub use session::{CsrfForm, Viewer};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/static/app.css", get(stylesheet))
        .route("/static/app.js", get(script))
        .merge(records::routes())
        .merge(settings::routes())
        .merge(notifications::routes())
        .merge(notification_settings::routes())
        .merge(mailbox::routes())
}

async fn home(_viewer: Viewer) -> Redirect {
    Redirect::to("/contacts")
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../static/app.css"),
    )
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../../static/app.js"),
    )
}
