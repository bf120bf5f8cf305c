//! Hubbub's HTTP front: the HubSpot-compatible API (and, later, the web
//! app and Slack endpoints). Handlers translate HTTP into calls on the hub
//! core and the store; they hold no rules of their own.

mod api;
mod error;
mod extract;
mod health;
pub mod ui;

use std::net::SocketAddr;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use hubbub_store::Store;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

pub use error::ApiError;

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub web: WebConfig,
}

/// How the web app presents itself.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// The URL people reach the hub at, without a trailing slash.
    pub public_url: String,
    /// Mark cookies `Secure` (the hub is served over HTTPS).
    pub secure_cookies: bool,
}

impl WebConfig {
    pub fn new(public_url: &str) -> WebConfig {
        let public_url = public_url.trim_end_matches('/').to_owned();
        WebConfig {
            secure_cookies: public_url.starts_with("https://"),
            public_url,
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::routes())
        .merge(api::routes())
        .merge(ui::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
