//! Hubbub's application layer: every use case the front-ends offer, in
//! one place, with no HTTP in it. The front-ends (the HubSpot-compatible
//! API, the web app, the Slack endpoints, in `hubbub-web`) decode a
//! request, establish who acts ([`Actor`]) and call a method of [`App`];
//! they render what it returns. A Slack button and a web form for the same
//! action call the same method and get the same checks
//! ([`App::authorize`]).
//!
//! - [`actor`], [`permissions`]: who acts, and what each may do.
//! - [`users`], [`teams`], [`inboxes`], [`records`], [`search`], [`sessions`],
//!   [`notifications`]: the hub's own use cases.
//! - [`slack`]: connecting a workspace, removal in Slack, the user
//!   mapping, and the Slack requests (events exactly once, interactions).
//! - [`jobs`]: the typed background jobs and the one worker that runs
//!   them and delivers mail ([`mail`]).
//!
//! Data flows one way: front-end → `App` → hub rules → store, where a
//! change and the jobs, mail and notifications it causes commit in one
//! transaction.

pub mod accounts;
pub mod actor;
mod clock;
mod config;
pub mod conversations;
pub mod display;
mod error;
pub mod faults;
pub mod feedback;
pub mod history;
pub mod home;
pub mod inboxes;
pub mod jobs;
pub mod links;
pub mod mail;
pub mod notifications;
pub mod permissions;
pub mod records;
pub mod rules;
pub mod search;
pub mod sessions;
pub mod slack;
pub mod teams;
pub mod users;

use std::sync::Arc;

use hubbub_hub::timestamp::Millis;
use hubbub_slack::{SlackApi, SlackApiError};
use hubbub_store::{SecretKey, Store};
use tokio::sync::Notify;

pub use actor::{Actor, Via};
pub use clock::Clock;
pub use config::{AppConfig, SlackAppConfig, DEFAULT_SLACK_HOOKS_URL};
pub use error::{Error, Result};
pub use faults::Faults;
pub use permissions::Permission;

/// The application: the store, the Slack client and the settings every
/// use case needs. Cheap to clone.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    config: AppConfig,
    /// Encrypts and decrypts secrets at rest (Slack tokens).
    secret_key: SecretKey,
    /// The Slack Web API client, pointed at `config.slack_api_url`.
    slack_api: SlackApi,
    /// Wakes this process's worker when work was enqueued.
    work_enqueued: Notify,
    clock: Clock,
    faults: Faults,
    /// This process's open widgets.
    live: Arc<conversations::live::Live>,
}

impl App {
    pub fn new(
        store: Store,
        config: AppConfig,
        secret_key: SecretKey,
    ) -> std::result::Result<App, SlackApiError> {
        let clock = Clock::default();
        let slack_api = SlackApi::new(&config.slack_api_url, clock.pace_clock())?;
        Ok(App {
            inner: Arc::new(Inner {
                store,
                config,
                secret_key,
                slack_api,
                work_enqueued: Notify::new(),
                clock,
                faults: Faults::default(),
                live: Arc::default(),
            }),
        })
    }

    /// The store, for the front-ends' reads: what a page or an API answer
    /// shows. Every change goes through a use case instead.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn config(&self) -> &AppConfig {
        &self.inner.config
    }

    /// The time as the use cases see it (see [`Clock`]).
    pub fn now(&self) -> Millis {
        self.inner.clock.now()
    }

    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// Failures tests inject on purpose (see [`Faults`]).
    pub fn faults(&self) -> &Faults {
        &self.inner.faults
    }

    /// This process's open widgets, woken when their conversation has news.
    pub fn live(&self) -> &Arc<conversations::live::Live> {
        &self.inner.live
    }

    pub(crate) fn slack_api(&self) -> &SlackApi {
        &self.inner.slack_api
    }

    pub(crate) fn secret_key(&self) -> &SecretKey {
        &self.inner.secret_key
    }

    /// Tells this process's worker that work was enqueued (call after the
    /// transaction that enqueued it committed); other replicas' workers
    /// find it on their next look.
    pub(crate) fn wake_worker(&self) {
        self.inner.work_enqueued.notify_one();
    }

    pub(crate) fn work_enqueued(&self) -> &Notify {
        &self.inner.work_enqueued
    }
}
