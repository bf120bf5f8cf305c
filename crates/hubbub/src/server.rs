//! The one start-up path: [`Server::build`] makes the whole hub from a
//! [`Config`] (the store, migrated; the application layer; the web
//! front-ends; the background worker that runs jobs and delivers mail).
//! `hubbub serve`, `hubbub demo` and the test suites all start the hub
//! through it, so that what is tested is what runs.

use std::future::Future;
use std::sync::Arc;

use anyhow::{Context, Result};
use hubbub_app::jobs::Worker;
use hubbub_app::mail::{MailConfig, Mailer};
use hubbub_app::{App, AppConfig, SlackAppConfig};
use hubbub_store::{SecretKey, Store};
use hubbub_web::{AppState, WebConfig};
use tokio::net::TcpListener;

use crate::config::Config;

/// Whether the worker runs on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Background {
    /// It runs due work whenever woken and every few seconds (`serve`,
    /// `demo`).
    Worker,
    /// Nobody runs it: the caller calls [`Worker::run_due`] when it wants
    /// the due work done (tests, which then know when it is).
    Manual,
}

/// The hub, built and ready to serve.
pub struct Server {
    app: App,
    web: WebConfig,
    worker: Arc<Worker>,
    listener: TcpListener,
}

/// The application layer for `config` on `store`: what the server and the
/// `hubbub admin` commands act through.
pub fn app(config: &Config, store: Store) -> Result<App> {
    let secret_key = SecretKey::from_hex(&config.secret_key)?;
    Ok(App::new(store, app_config(config), secret_key)?)
}

fn app_config(config: &Config) -> AppConfig {
    let slack_app = match (&config.slack.client_id, &config.slack.client_secret) {
        (Some(client_id), Some(client_secret)) => Some(SlackAppConfig {
            client_id: client_id.clone(),
            client_secret: client_secret.clone(),
            authorize_url: config.slack.authorize_url.clone(),
        }),
        _ => None,
    };
    AppConfig {
        slack_app,
        slack_api_url: config.slack.api_url.clone(),
        slack_hooks_url: config.slack.hooks_url.clone(),
        ..AppConfig::new(&config.public_url)
    }
}

impl Server {
    /// Connects to the database (migrating it) and builds the hub to serve
    /// on `listener`.
    pub async fn build(config: &Config, listener: TcpListener) -> Result<Server> {
        let store = Store::connect(&config.database_url)
            .await
            .context("connecting to the database")?;
        store.migrate().await.context("migrating the database")?;
        let app = app(config, store)?;
        let mail = MailConfig::new(
            config.smtp_url.clone(),
            config.mail_from.clone(),
            &config.public_url,
        );
        let worker = Arc::new(Worker::new(app.clone(), Mailer::new(&mail)?));
        let mut web = WebConfig::new(&config.public_url, config.slack.signing_secret.clone())
            .with_context(|| format!("HUBBUB_PUBLIC_URL={:?} is not a URL", config.public_url))?;
        if !config.widget_rate_limits {
            tracing::warn!("the web chat's rate limits are off (HUBBUB_WIDGET_RATE_LIMITS=off)");
            web.widget_limits = hubbub_web::widget::limits::WidgetLimits::unlimited();
        }
        tracing::info!(
            listen = %listener.local_addr()?,
            public_url = %config.public_url,
            data_dir = %config.data_dir.display(),
            database = app.store().backend().name(),
            slack_app = config.slack.describe(),
            smtp = if config.smtp_url.is_some() { "configured" } else { "local mailbox" },
            "hubbub is ready"
        );
        Ok(Server {
            app,
            web,
            worker,
            listener,
        })
    }

    /// The application layer, for what happens outside HTTP (seeding the
    /// demo, tests).
    pub fn app(&self) -> &App {
        &self.app
    }

    /// The worker, for callers that run due work themselves
    /// ([`Background::Manual`]).
    pub fn worker(&self) -> Arc<Worker> {
        self.worker.clone()
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests
    /// finish, stops the worker and closes the database.
    pub async fn serve(
        self,
        background: Background,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let worker = (background == Background::Worker)
            .then(|| tokio::spawn(self.worker.clone().run_forever()));
        let relay = tokio::spawn(self.app.clone().relay_live_pushes());
        let store = self.app.store().clone();
        let state = AppState {
            app: self.app,
            web: std::sync::Arc::new(self.web),
        };
        let served = hubbub_web::serve(self.listener, state, shutdown).await;
        if let Some(worker) = worker {
            // Work cut off midway is claimed again when its lease runs out.
            worker.abort();
        }
        relay.abort();
        store.close().await;
        Ok(served?)
    }
}
