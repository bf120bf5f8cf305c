//! The handle everything shares: the state behind its lock, and where the
//! sandbox is reachable. Kept apart from `lib.rs`, which ties every route
//! together, so that the modules those routes serve can take a `Sandbox`
//! without importing the crate root back.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::state::State;

/// A running sandbox: share it between the server and whoever drives it.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Mutex<State>>,
    /// Where the sandbox is reachable, e.g. `http://127.0.0.1:3000`.
    pub base_url: String,
}

impl Sandbox {
    /// A handle on `state`, served at `base_url` (see `Sandbox::start`).
    pub(crate) fn new(state: State, base_url: String) -> Sandbox {
        Sandbox {
            inner: Arc::new(Mutex::new(state)),
            base_url,
        }
    }

    /// The Web API base URL to give a Slack client (`…/api/`).
    pub fn api_url(&self) -> String {
        format!("{}/api/", self.base_url)
    }

    /// Where the sandbox's `response_url`s live, as `hooks.slack.com` is
    /// Slack's: an app should answer at no other `response_url`.
    pub fn response_url_base(&self) -> String {
        response_url_base(&self.base_url)
    }

    /// Locks the sandbox's state. Never hold it across an await.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The base of the `response_url`s of a sandbox at `base_url`.
pub fn response_url_base(base_url: &str) -> String {
    format!("{base_url}/response/")
}
