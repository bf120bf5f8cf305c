//! Starts the real hub through its own start-up path
//! (`hubbub::Server::build`, as `hubbub serve` does) on a random loopback
//! port with a fresh database: a SQLite file in a temporary folder, or,
//! when HUBBUB_TEST_DATABASE_URL names a PostgreSQL server, a new database
//! on it (dropped afterwards). Its worker does not run by itself: a test
//! runs the due work with [`TestApp::settle`] and so knows when it is done.

use std::path::PathBuf;
use std::sync::Arc;

use hubbub::{Background, Config, Server, SlackConfig};
use hubbub_app::jobs::{Pass, Worker};
use hubbub_app::{Actor, App, SlackAppConfig};
use hubbub_store::{NewUser, Store, User};
use hubbub_test_support::TestDatabase;
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub struct TestApp {
    pub base_url: String,
    /// The hub's store, for reading what a test checks.
    pub store: Store,
    /// The hub's application layer (its clock, its injected faults).
    pub hub: App,
    pub worker: Arc<Worker>,
    pub http: reqwest::Client,
    /// The configuration the hub was started with.
    pub config: Config,
    db: Arc<TestDatabase>,
}

/// An account created for a test, with an all-scopes API token.
pub struct TestAccount {
    pub id: i64,
    pub token: String,
    pub admin_email: String,
}

/// The hub's secret key in tests (encrypts Slack tokens at rest).
pub const TEST_SECRET_KEY: &str =
    "5f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// The Slack side of a test app's configuration.
#[derive(Default)]
pub struct TestSlack {
    pub signing_secret: Option<String>,
    pub app: Option<SlackAppConfig>,
    pub api_url: Option<String>,
    /// Where the Slack side's `response_url`s live.
    pub hooks_url: Option<String>,
}

/// The Slack signing secret the test app is configured with.
/// The password of every test account's admin, Ada Admin.
pub const ADMIN_PASSWORD: &str = "correct horse battery";

pub const SLACK_SIGNING_SECRET: &str = "hubbub-test-signing-secret-8f7422";

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with_slack_secret(Some(SLACK_SIGNING_SECRET)).await
    }

    /// The app with this Slack signing secret (`None`: Slack not configured).
    pub async fn spawn_with_slack_secret(signing_secret: Option<&str>) -> TestApp {
        TestApp::spawn_with_slack(TestSlack {
            signing_secret: signing_secret.map(str::to_owned),
            ..TestSlack::default()
        })
        .await
    }

    /// The app with this Slack app configuration.
    pub async fn spawn_with_slack(slack: TestSlack) -> TestApp {
        let db = Arc::new(TestDatabase::create().await);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let listen = listener.local_addr().unwrap();
        let base_url = format!("http://{listen}");
        let config = Config {
            listen,
            data_dir: PathBuf::from("unused-the-database-url-is-given"),
            database_url: db.url.clone(),
            public_url: base_url.clone(),
            secret_key: TEST_SECRET_KEY.to_owned(),
            slack: SlackConfig {
                client_id: slack.app.as_ref().map(|a| a.client_id.clone()),
                client_secret: slack.app.as_ref().map(|a| a.client_secret.clone()),
                signing_secret: slack.signing_secret,
                api_url: slack
                    .api_url
                    .unwrap_or_else(|| "https://slack.com/api".to_owned()),
                authorize_url: slack
                    .app
                    .map(|a| a.authorize_url)
                    .unwrap_or_else(|| "https://slack.com/oauth/v2/authorize".to_owned()),
                hooks_url: slack
                    .hooks_url
                    .unwrap_or_else(|| hubbub_app::DEFAULT_SLACK_HOOKS_URL.to_owned()),
            },
            smtp_url: None,
            mail_from: None,
            widget_rate_limits: true,
        };
        TestApp::start(config, listener, db).await
    }

    async fn start(
        config: Config,
        listener: tokio::net::TcpListener,
        db: Arc<TestDatabase>,
    ) -> TestApp {
        let server = Server::build(&config, listener)
            .await
            .expect("the hub starts");
        let hub = server.app().clone();
        let worker = server.worker();
        tokio::spawn(server.serve(Background::Manual, std::future::pending()));
        TestApp {
            base_url: config.public_url.clone(),
            store: hub.store().clone(),
            hub,
            worker,
            http: reqwest::Client::new(),
            config,
            db,
        }
    }

    /// Another hub on the same database, started with `config` changed by
    /// `change` (a replica, or the same hub restarted with other settings).
    pub async fn restarted(&self, change: impl FnOnce(&mut Config)) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut config = self.config.clone();
        config.listen = listener.local_addr().unwrap();
        config.public_url = format!("http://{}", config.listen);
        change(&mut config);
        TestApp::start(config, listener, self.db.clone()).await
    }

    /// Runs the hub's due background work (jobs, mail) until none is
    /// left, and says what was done. Work that waits (a retry's backoff,
    /// Slack's Retry-After) is not due.
    pub async fn settle(&self) -> Pass {
        let mut total = Pass::default();
        loop {
            let pass = self
                .worker
                .run_due(self.hub.now())
                .await
                .expect("the worker runs");
            if pass.handled() == 0 {
                return total;
            }
            total.done += pass.done;
            total.sent += pass.sent;
            total.kept += pass.kept;
            total.postponed += pass.postponed;
            total.failed += pass.failed;
            total.parked += pass.parked;
        }
    }

    /// Adds a user to an account as the operator does (`hubbub admin
    /// create-user`): through the same use case as the users page.
    pub async fn add_user(&self, account_id: i64, user: NewUser) -> hubbub_app::Result<User> {
        self.hub
            .invite_user(&Actor::Operator { account_id }, user)
            .await
    }

    /// A new account (with its super admin) and a token with every scope.
    pub async fn account(&self, name: &str) -> TestAccount {
        self.account_with_scopes(name, &[]).await
    }

    pub async fn account_with_scopes(&self, name: &str, scopes: &[&str]) -> TestAccount {
        let admin_email = format!(
            "admin-{}@{}.test",
            uuid::Uuid::new_v4().simple(),
            name.to_lowercase().replace(' ', "-")
        );
        let (account, _) = self
            .hub
            .create_account(
                name,
                NewUser {
                    email: admin_email.clone(),
                    password: ADMIN_PASSWORD.into(),
                    first_name: "Ada".into(),
                    last_name: "Admin".into(),
                    ..NewUser::default()
                },
            )
            .await
            .expect("create account");
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        let operator = Actor::Operator {
            account_id: account.id,
        };
        let (token, _) = self
            .hub
            .create_token(&operator, &scopes)
            .await
            .expect("create token");
        TestAccount {
            id: account.id,
            token,
            admin_email,
        }
    }

    /// Sends a request with the token and a JSON body; returns the status
    /// and the JSON answer (`Value::Null` for an empty body).
    pub async fn call(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{}", self.base_url, path))
            .bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request reaches the app");
        let status = res.status();
        let text = res.text().await.unwrap();
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{path} answered non-JSON: {text}"))
        };
        (status, json)
    }

    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(token, Method::GET, path, None).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(token, Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(token, Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(token, Method::DELETE, path, None).await
    }

    /// Creates a contact and returns its id, asserting success.
    pub async fn create_contact(
        &self,
        token: &str,
        email: &str,
        first: &str,
        last: &str,
    ) -> String {
        let (status, body) = self
            .post(
                token,
                "/crm/v3/objects/contacts",
                serde_json::json!({"properties": {"email": email, "firstname": first, "lastname": last}}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "create contact {email}: {body}"
        );
        body["id"].as_str().expect("id").to_owned()
    }
}

pub use hubbub_test_support::python_with;
