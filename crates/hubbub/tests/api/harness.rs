//! Starts the real app on a random loopback port with a fresh database:
//! a SQLite file in a temporary folder, or, when HUBBUB_TEST_DATABASE_URL
//! names a PostgreSQL server, a new database on it (dropped afterwards).

use std::path::PathBuf;
use std::sync::Mutex;

use hubbub_store::{NewUser, Store};
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub struct TestApp {
    pub base_url: String,
    pub store: Store,
    pub http: reqwest::Client,
    _db: TestDatabase,
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
    pub app: Option<hubbub_web::SlackAppConfig>,
    pub api_url: Option<String>,
}

/// The Slack signing secret the test app is configured with.
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
        let db = TestDatabase::create().await;
        let store = Store::connect(&db.url)
            .await
            .expect("connect to the test database");
        store.migrate().await.expect("migrate the test database");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let web = hubbub_web::WebConfig {
            signing_secret: slack.signing_secret,
            slack_app: slack.app,
            slack_api_url: slack
                .api_url
                .unwrap_or_else(|| hubbub_web::WebConfig::new(&base_url).slack_api_url),
            ..hubbub_web::WebConfig::new(&base_url)
        };
        let secret_key = hubbub_store::SecretKey::from_hex(TEST_SECRET_KEY).unwrap();
        let state = hubbub_web::AppState::new(store.clone(), web, secret_key).unwrap();
        tokio::spawn(hubbub_web::jobs::JobWorker::new(state.clone()).run());
        tokio::spawn(hubbub_web::serve(listener, state, std::future::pending()));
        TestApp {
            base_url,
            store,
            http: reqwest::Client::new(),
            _db: db,
        }
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
            .store
            .create_account(
                name,
                NewUser {
                    email: admin_email.clone(),
                    password: "correct horse battery".into(),
                    first_name: "Ada".into(),
                    last_name: "Admin".into(),
                    ..NewUser::default()
                },
            )
            .await
            .expect("create account");
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        let (token, _) = self
            .store
            .create_token(account.id, &scopes)
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

/// A database that exists for one test.
struct TestDatabase {
    url: String,
    /// Keeps the SQLite folder alive; `None` on PostgreSQL.
    _dir: Option<tempfile::TempDir>,
    /// (server admin URL, database name) to drop on PostgreSQL.
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    async fn create() -> TestDatabase {
        match std::env::var("HUBBUB_TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"))
        {
            Some(admin_url) => {
                let name = format!("hubbub_test_{}", uuid::Uuid::new_v4().simple());
                sqlx::any::install_default_drivers();
                let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url)
                    .await
                    .expect("connect to HUBBUB_TEST_DATABASE_URL");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(b, _)| b)
                    .unwrap_or(&admin_url);
                TestDatabase {
                    url: format!("{base}/{name}"),
                    _dir: None,
                    postgres: Some((admin_url.clone(), name)),
                }
            }
            None => {
                let dir = tempfile::tempdir().unwrap();
                TestDatabase {
                    url: format!("sqlite://{}", dir.path().join("hubbub.db").display()),
                    _dir: Some(dir),
                    postgres: None,
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return;
        };
        // Dropping happens outside any runtime, so use a short-lived one.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(mut conn) =
                    <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url).await
                {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

/// A Python virtualenv under the target folder with `packages` installed
/// from PyPI, made once and reused. Returns its python executable.
pub fn python_with(packages: &[&str]) -> PathBuf {
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let venv = target.join("test-python");
    let python = venv.join("bin/python");
    let marker = venv.join(format!(
        "installed-{}",
        packages.join("+").replace(['/', '=', '<', '>', '*'], "_")
    ));
    if marker.exists() {
        return python;
    }
    if !python.exists() {
        run(std::process::Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv));
    }
    run(std::process::Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(packages));
    std::fs::write(&marker, "").unwrap();
    python
}

fn run(cmd: &mut std::process::Command) {
    let out = cmd.output().expect("run a setup command");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
