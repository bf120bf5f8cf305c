//! A fresh, migrated database for one store test: a SQLite file in a
//! temporary folder, or, when HUBBUB_TEST_DATABASE_URL names a PostgreSQL
//! server, a new database on it that is dropped afterwards. The same
//! choice the API tests make, so that both databases run these too.

use crate::Store;

pub struct TestDb {
    pub store: Store,
    /// Keeps the SQLite folder alive; `None` on PostgreSQL.
    _dir: Option<tempfile::TempDir>,
    /// (server URL, database name) to drop on PostgreSQL.
    postgres: Option<(String, String)>,
}

impl TestDb {
    pub async fn create() -> TestDb {
        let server = std::env::var("HUBBUB_TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"));
        let (url, dir, postgres) = match server {
            Some(server) => {
                let name = format!("hubbub_store_test_{}", uuid::Uuid::new_v4().simple());
                let store = Store::connect(&server)
                    .await
                    .expect("connect to the server");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&store.writer)
                    .await
                    .expect("create the test database");
                store.close().await;
                let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
                (format!("{base}/{name}"), None, Some((server.clone(), name)))
            }
            None => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("hubbub.db").display());
                (url, Some(dir), None)
            }
        };
        let store = Store::connect(&url)
            .await
            .expect("connect to the test database");
        store.migrate().await.expect("migrate the test database");
        TestDb {
            store,
            _dir: dir,
            postgres,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else {
            return;
        };
        // Dropping happens outside any runtime, so use a short-lived one.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(store) = Store::connect(&server).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&store.writer)
                        .await;
                    store.close().await;
                }
            });
        })
        .join();
    }
}
