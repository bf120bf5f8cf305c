//! A local Slack-compatible server ("the sandbox") for Hubbub's tests and
//! demo. It is test equipment held to Slack's published contract: the Web
//! API's shapes and error codes, OAuth v2, signed calls to the app (events,
//! slash commands, interactivity) with Slack's timeouts and retries, rate
//! limits by tier, plus a control API and a web page to play the people on
//! the Slack side.
//!
//! Start it in-process with [`Sandbox::start`] (tests) or with
//! `hubbub sandbox` (the demo).
//!
//! The modules are layers: each imports only from the layers beneath it,
//! so that no module imports one that imports it back.
//!
//! 1. `ids` (ids, secrets, timestamps) and `rate_limit` (Slack's tiers as
//!    token buckets): plain arithmetic.
//! 2. `state`: everything the sandbox knows, and the lookups on it.
//! 3. Over the state: `state_queries` (channels, membership, triggers),
//!    `state_installs` (installing an app), `sandbox` (the shared handle).
//! 4. `faults` (injected faults, the rate-limit switch) and `outbound`
//!    (signed calls to the apps, event delivery).
//! 5. `events`: the Events API events both the next layer's halves send.
//! 6. `api` (the Web API: its request types, then the methods, then the
//!    dispatcher and the HTTP layer) and `actions` (what people do).
//! 7. `control` (the control API), `pages` (the web page) and `oauth` (the
//!    consent page), driving the layer beneath.
//! 8. This file: [`Sandbox::start`] and every route.

pub mod actions;
pub mod api;
pub mod control;
mod events;
pub mod faults;
pub mod ids;
pub mod oauth;
pub mod outbound;
pub mod pages;
pub mod rate_limit;
mod sandbox;
pub mod state;
pub mod state_installs;
pub mod state_queries;

use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

pub use sandbox::Sandbox;
pub use state::{AppConfig, Seed, State};

/// Serving: the one place that ties every route together.
impl Sandbox {
    /// Serves a sandbox seeded with `seed` on `addr` (port 0 picks one).
    pub async fn start(addr: SocketAddr, seed: Seed) -> anyhow::Result<Sandbox> {
        let listener = TcpListener::bind(addr).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let sandbox = Sandbox::new(State::from_seed(seed, &base_url), base_url);
        let app = sandbox.router();
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        Ok(sandbox)
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
