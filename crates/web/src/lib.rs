//! Hubbub's HTTP front: the HubSpot-compatible API (and, later, the web
//! app and Slack endpoints). Handlers translate HTTP into calls on the hub
//! core and the store; they hold no rules of their own.

mod api;
mod error;
mod extract;
mod health;
pub mod jobs;
pub mod mail;
pub mod slack;
pub mod ui;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use hubbub_slack::{SlackApi, SlackApiError};
use hubbub_store::{SecretKey, Store};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower_http::trace::TraceLayer;

pub use error::ApiError;

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub web: WebConfig,
    /// Encrypts and decrypts secrets at rest (Slack tokens).
    pub secret_key: SecretKey,
    /// The Slack Web API client, pointed at `web.slack_api_url`.
    pub slack_api: SlackApi,
    /// Wakes this process's job worker when a job was enqueued.
    pub jobs_wake: Arc<Notify>,
}

impl AppState {
    /// The state for `web`, with a Slack client for its API URL.
    pub fn new(
        store: Store,
        web: WebConfig,
        secret_key: SecretKey,
    ) -> Result<AppState, SlackApiError> {
        let slack_api = SlackApi::new(&web.slack_api_url)?;
        Ok(AppState {
            store,
            web,
            secret_key,
            slack_api,
            jobs_wake: Arc::new(Notify::new()),
        })
    }

    /// Tells the job worker that a job was enqueued (call after the
    /// transaction that enqueued it committed).
    pub fn wake_jobs(&self) {
        self.jobs_wake.notify_one();
    }
}

/// The Slack app's OAuth credentials, needed to connect a workspace.
#[derive(Clone)]
pub struct SlackAppConfig {
    pub client_id: String,
    pub client_secret: String,
    /// Slack's consent page (`SLACK_OAUTH_AUTHORIZE_URL`).
    pub authorize_url: String,
}

/// How the web app presents itself.
#[derive(Clone)]
pub struct WebConfig {
    /// The URL people reach the hub at, without a trailing slash.
    pub public_url: String,
    /// Mark cookies `Secure` (the hub is served over HTTPS).
    pub secure_cookies: bool,
    /// The Slack app's signing secret; the Slack endpoints answer 503
    /// without it.
    pub signing_secret: Option<String>,
    /// The Slack app's client id and secret; "Connect app" says Slack is
    /// not configured without them.
    pub slack_app: Option<SlackAppConfig>,
    /// The Slack Web API base (`SLACK_API_URL`).
    pub slack_api_url: String,
}

impl std::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field("public_url", &self.public_url)
            .field("secure_cookies", &self.secure_cookies)
            .field(
                "signing_secret",
                &self.signing_secret.as_ref().map(|_| "<set>"),
            )
            .field(
                "slack_app",
                &self
                    .slack_app
                    .as_ref()
                    .map(|a| (&a.client_id, "<secret>", &a.authorize_url)),
            )
            .field("slack_api_url", &self.slack_api_url)
            .finish()
    }
}

impl WebConfig {
    pub fn new(public_url: &str) -> WebConfig {
        let public_url = public_url.trim_end_matches('/').to_owned();
        WebConfig {
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            signing_secret: None,
            slack_app: None,
            slack_api_url: "https://slack.com/api".to_owned(),
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::routes())
        .merge(api::routes())
        .merge(ui::routes())
        .merge(slack::routes())
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
