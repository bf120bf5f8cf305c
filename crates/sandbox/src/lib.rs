//! A local Slack-compatible server ("the sandbox") for Hubbub's tests and
//! demo. It is test equipment held to Slack's published contract: the Web
//! API's shapes and error codes, OAuth v2, signed calls to the app (events,
//! slash commands, interactivity) with Slack's timeouts and retries, rate
//! limits by tier, plus a control API and a web page to play the people on
//! the Slack side.
//!
//! Start it in-process with [`Sandbox::start`] (tests) or with
//! `hubbub sandbox` (the demo).

pub mod actions;
pub mod api;
pub mod control;
pub mod faults;
pub mod ids;
pub mod oauth;
pub mod outbound;
pub mod pages;
pub mod rate_limit;
pub mod state;
pub mod state_installs;
pub mod state_queries;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use tokio::net::TcpListener;

pub use state::{AppConfig, Seed, State};

/// A running sandbox: share it between the server and whoever drives it.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Mutex<State>>,
    /// Where the sandbox is reachable, e.g. `http://127.0.0.1:3000`.
    pub base_url: String,
}

impl Sandbox {
    /// Serves a sandbox seeded with `seed` on `addr` (port 0 picks one).
    pub async fn start(addr: SocketAddr, seed: Seed) -> anyhow::Result<Sandbox> {
        let listener = TcpListener::bind(addr).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let sandbox = Sandbox {
            inner: Arc::new(Mutex::new(State::from_seed(seed, &base_url))),
            base_url,
        };
        let app = sandbox.router();
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        Ok(sandbox)
    }

    /// The Web API base URL to give a Slack client (`…/api/`).
    pub fn api_url(&self) -> String {
        format!("{}/api/", self.base_url)
    }

    /// Locks the sandbox's state. Never hold it across an await.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn router(&self) -> Router {
        Router::new()
            .merge(api::routes())
            .merge(oauth::routes())
            .merge(control::routes())
            .merge(pages::routes())
            // Last, so that it wraps every route: outages drop connections.
            .layer(axum::middleware::from_fn_with_state(
                self.clone(),
                faults::drop_when_unreachable,
            ))
            .with_state(self.clone())
    }
}
