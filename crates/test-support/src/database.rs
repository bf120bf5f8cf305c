//! A database that exists for one test: a SQLite file in a temporary
//! folder, or, when `HUBBUB_TEST_DATABASE_URL` names a PostgreSQL server, a
//! new database on it, dropped when the test is done.

use sqlx::Connection;

pub struct TestDatabase {
    /// What to connect to (`sqlite://…` or `postgres://…`).
    pub url: String,
    /// Keeps the SQLite folder alive; `None` on PostgreSQL.
    _dir: Option<tempfile::TempDir>,
    /// (server URL, database name) to drop on PostgreSQL.
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn create() -> TestDatabase {
        let server = std::env::var("HUBBUB_TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"));
        let Some(server) = server else {
            let dir = tempfile::tempdir().expect("a temporary folder");
            return TestDatabase {
                url: format!("sqlite://{}", dir.path().join("hubbub.db").display()),
                _dir: Some(dir),
                postgres: None,
            };
        };
        let name = format!("hubbub_test_{}", uuid::Uuid::new_v4().simple());
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&server)
            .await
            .expect("connect to HUBBUB_TEST_DATABASE_URL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create the test database");
        let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
        TestDatabase {
            url: format!("{base}/{name}"),
            _dir: None,
            postgres: Some((server.clone(), name)),
        }
    }

    /// Whether the test runs on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else {
            return;
        };
        // Dropping happens outside any runtime, so use a short-lived one.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            rt.block_on(async {
                if let Ok(mut conn) = sqlx::AnyConnection::connect(&server).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}
