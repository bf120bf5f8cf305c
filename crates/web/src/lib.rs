//! Hubbub's HTTP front-ends: the HubSpot-compatible API (`api`), the web
//! app rendered on the server (`ui`), and Slack's endpoints (`slack`).
//! HTTP only: each handler decodes the request, establishes who acts (a
//! session, a Bearer token, a signed Slack request), calls a use case of
//! the application layer (`hubbub_app::App`) and renders what it returns
//! as a page, an API body or a Slack reply. Handlers read through the
//! store to render; every change goes through a use case.

mod api;
mod error;
mod extract;
mod headers;
mod health;
pub mod slack;
mod stream_connections;
pub mod ui;
pub mod widget;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request};
use axum::serve::ListenerExt;
use axum::Router;
use hubbub_app::App;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;
use tracing::Span;
use url::Url;

pub use error::ApiError;

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// What every handler can reach. Cloned for every request, so both parts
/// are shared, not copied.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub web: Arc<WebConfig>,
}

/// What only the HTTP side needs.
#[derive(Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (the hub is served over HTTPS).
    pub secure_cookies: bool,
    /// The Slack app's signing secret; the Slack endpoints answer 503
    /// without it.
    pub signing_secret: Option<String>,
    /// Where people reach the hub: after sign-in, only paths on its
    /// origin are followed.
    pub public_url: Url,
    /// How often visitors may write to the web chat.
    pub widget_limits: widget::limits::WidgetLimits,
}

impl std::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field("secure_cookies", &self.secure_cookies)
            .field(
                "signing_secret",
                &self.signing_secret.as_ref().map(|_| "<set>"),
            )
            .field("public_url", &self.public_url.as_str())
            .finish()
    }
}

impl WebConfig {
    /// For a hub at `public_url`: cookies are `Secure` over HTTPS.
    pub fn new(
        public_url: &str,
        signing_secret: Option<String>,
    ) -> Result<WebConfig, url::ParseError> {
        let public_url = Url::parse(public_url)?;
        Ok(WebConfig {
            secure_cookies: public_url.scheme() == "https",
            signing_secret,
            public_url,
            widget_limits: widget::limits::WidgetLimits::default(),
        })
    }
}

pub fn router(state: AppState) -> Router {
    let slack_consent = state
        .app
        .config()
        .slack_app
        .as_ref()
        .map(|slack| slack.authorize_url.as_str());
    let pages = headers::pages(ui::pages(), slack_consent);
    headers::every_answer(
        Router::new()
            .merge(health::routes())
            .merge(api::routes())
            .merge(pages)
            .merge(ui::assets())
            .merge(slack::routes())
            .merge(widget::routes()),
    )
    .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
    .layer(TraceLayer::new_for_http().make_span_with(request_span))
    .with_state(state)
}

/// A request's span names its method and path, never its query: the OAuth
/// callback's carries Slack's code and state, and others carry searches
/// and the path to return to after sign-in.
fn request_span(request: &Request) -> Span {
    tracing::debug_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
    )
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let live = state.app.live().clone();
    // Open widgets' streams never end on their own: end them, so that
    // the in-flight requests can finish.
    let shutdown = async move {
        shutdown.await;
        live.close_all();
    };
    let limits = state.web.widget_limits.clone();
    let forget = tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            limits.forget_idle();
        }
    });
    let router = router(state);
    // Widgets' streams are served beside hyper ([`stream_connections`]);
    // `tap_io` lets hyper's handlers see the peer's address.
    let listener = stream_connections::Listener::new(listener, router.clone())?.tap_io(|_| ());
    let served = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    forget.abort();
    served
}
