//! A fresh, migrated store for one store test, on the database the test
//! suites share (SQLite, or PostgreSQL with `HUBBUB_TEST_DATABASE_URL`).

use hubbub_test_support::TestDatabase;

use crate::{NewUser, Store, User};

pub struct TestDb {
    pub store: Store,
    _db: TestDatabase,
}

impl TestDb {
    pub async fn create() -> TestDb {
        let db = TestDatabase::create().await;
        let store = Store::connect(&db.url)
            .await
            .expect("connect to the test database");
        store.migrate().await.expect("migrate the test database");
        TestDb { store, _db: db }
    }
}

impl TestDb {
    /// A new account named `name` and its super admin.
    pub async fn account(&self, name: &str) -> (i64, User) {
        let (account, admin) = self
            .store
            .create_account(
                name,
                NewUser {
                    email: format!("admin@{}.test", name.to_lowercase()),
                    password: "correct horse battery".into(),
                    ..NewUser::default()
                },
            )
            .await
            .unwrap();
        (account.id, admin)
    }
}
