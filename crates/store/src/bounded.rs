//! Reads the database stops after a time bound. A search's cost depends on
//! the request, so its statements must neither run on past their bound nor
//! go on working for a request that has gone away (its client hung up).
//!
//! - **PostgreSQL**: the statements run in a read-only transaction that
//!   sets `statement_timeout`, so the server cancels each one past the
//!   bound. A read dropped mid-statement leaves the statement running on
//!   the server until then; its connection waits for it before serving
//!   anyone else.
//! - **SQLite**: the statements run on connections of their own, because
//!   the `Any` driver gives no access to SQLite's handle. A progress
//!   handler, called every few thousand VM instructions, interrupts a
//!   statement past its bound, and interrupts it at once when the read is
//!   dropped.

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hubbub_hub::Record;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{Any, Executor, Sqlite, Transaction};

use crate::objects::{record_from_columns, RecordColumns};
use crate::sql::Sql;
use crate::{Store, StoreError, StoreResult, SQLITE_PRAGMAS};

/// SQLite connections kept for bounded reads.
pub(crate) const SQLITE_CONNECTIONS: u32 = 4;

/// VM instructions between two looks at the clock: tens of microseconds.
const INSTRUCTIONS_PER_CHECK: i32 = 10_000;

/// SQLITE_INTERRUPT, what a statement stopped by its progress handler fails with.
const SQLITE_INTERRUPTED: &str = "9";
/// PostgreSQL's `query_canceled`, what `statement_timeout` fails a statement with.
const POSTGRES_CANCELED: &str = "57014";

/// The pool of SQLite connections for bounded reads.
pub(crate) async fn sqlite_pool(url: &str) -> StoreResult<SqlitePool> {
    Ok(SqlitePoolOptions::new()
        .max_connections(SQLITE_CONNECTIONS)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(SQLITE_PRAGMAS).await?;
                Ok(())
            })
        })
        .connect_with(SqliteConnectOptions::from_str(url)?)
        .await?)
}

/// What a SQLite connection's progress handler checks.
struct Watch {
    start: Instant,
    /// Nanoseconds after `start` past which the running statement stops.
    deadline: AtomicU64,
    /// Set once the read is dropped: nobody waits for its statement.
    dropped: AtomicBool,
}

impl Watch {
    fn restart(&self, bound: Duration) {
        let deadline = self.start.elapsed() + bound;
        self.deadline
            .store(deadline.as_nanos() as u64, Ordering::Relaxed);
    }

    fn may_go_on(&self) -> bool {
        !self.dropped.load(Ordering::Relaxed)
            && (self.start.elapsed().as_nanos() as u64) < self.deadline.load(Ordering::Relaxed)
    }
}

/// Marks its watch dropped when the read goes away, finished or not. A
/// finished read's handler is replaced before its connection's next read,
/// the only kind of work those connections do.
struct DropWatch(Arc<Watch>);

impl Drop for DropWatch {
    fn drop(&mut self) {
        self.0.dropped.store(true, Ordering::Relaxed);
    }
}

enum Conn {
    Postgres(Transaction<'static, Any>),
    Sqlite {
        conn: PoolConnection<Sqlite>,
        watch: DropWatch,
    },
}

/// Statements run one after the other, each stopped by the database past
/// `bound` (see the module's documentation).
pub(crate) struct BoundedRead {
    bound: Duration,
    conn: Conn,
}

impl Store {
    pub(crate) async fn bounded_read(&self, bound: Duration) -> StoreResult<BoundedRead> {
        let conn = match &self.bounded_sqlite {
            Some(pool) => {
                let mut conn = pool.acquire().await?;
                let watch = Arc::new(Watch {
                    start: Instant::now(),
                    deadline: AtomicU64::new(0),
                    dropped: AtomicBool::new(false),
                });
                let handler = watch.clone();
                conn.lock_handle()
                    .await?
                    .set_progress_handler(INSTRUCTIONS_PER_CHECK, move || handler.may_go_on());
                Conn::Sqlite {
                    conn,
                    watch: DropWatch(watch),
                }
            }
            None => {
                // SET takes no placeholders; the bound is the hub's own number.
                let begin = format!(
                    "BEGIN READ ONLY; SET LOCAL statement_timeout = {}",
                    bound.as_millis()
                );
                Conn::Postgres(self.pool.begin_with(begin).await?)
            }
        };
        Ok(BoundedRead { bound, conn })
    }
}

impl BoundedRead {
    /// The one value of a one-row, one-column statement.
    pub async fn scalar(&mut self, sql: &Sql) -> StoreResult<i64> {
        let answer = match &mut self.conn {
            Conn::Postgres(tx) => {
                sqlx::query_scalar_with(&sql.text, sql.arguments())
                    .fetch_one(&mut **tx)
                    .await
            }
            Conn::Sqlite { conn, watch } => {
                watch.0.restart(self.bound);
                sqlx::query_scalar_with(&sql.text, sql.arguments_for::<Sqlite>())
                    .fetch_one(&mut **conn)
                    .await
            }
        };
        answer.map_err(|e| self.stopped(e))
    }

    /// The records a statement selecting [`crate::objects::RECORD_COLUMNS`] finds.
    pub async fn records(&mut self, sql: &Sql) -> StoreResult<Vec<Record>> {
        let rows: Result<Vec<RecordColumns>, _> = match &mut self.conn {
            Conn::Postgres(tx) => {
                sqlx::query_as_with(&sql.text, sql.arguments())
                    .fetch_all(&mut **tx)
                    .await
            }
            Conn::Sqlite { conn, watch } => {
                watch.0.restart(self.bound);
                sqlx::query_as_with(&sql.text, sql.arguments_for::<Sqlite>())
                    .fetch_all(&mut **conn)
                    .await
            }
        };
        rows.map_err(|e| self.stopped(e))?
            .into_iter()
            .map(record_from_columns)
            .collect()
    }

    /// Ends the read (on PostgreSQL, its transaction).
    pub async fn finish(self) -> StoreResult<()> {
        if let Conn::Postgres(tx) = self.conn {
            tx.commit().await?;
        }
        Ok(())
    }

    /// A statement the database stopped is a search that took too long.
    fn stopped(&self, e: sqlx::Error) -> StoreError {
        let code = match &e {
            sqlx::Error::Database(db) => db.code(),
            _ => None,
        };
        let stopped = match self.conn {
            Conn::Postgres(_) => POSTGRES_CANCELED,
            Conn::Sqlite { .. } => SQLITE_INTERRUPTED,
        };
        if code.as_deref() == Some(stopped) {
            StoreError::SearchTimedOut(self.bound)
        } else {
            e.into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_db::TestDb;
    use crate::Backend;

    /// A statement that never ends by itself; its text starts with `marker`.
    fn endless(marker: &str) -> Sql {
        Sql::new(&format!(
            "WITH RECURSIVE {marker}(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM {marker}) \
             SELECT COUNT(*) FROM {marker}"
        ))
    }

    #[tokio::test]
    async fn a_statement_past_its_bound_is_stopped() {
        let db = TestDb::create().await;
        let bound = Duration::from_millis(200);
        let mut read = db.store.bounded_read(bound).await.unwrap();
        let started = Instant::now();
        let err = read.scalar(&endless("endless")).await.unwrap_err();
        assert!(
            matches!(err, StoreError::SearchTimedOut(b) if b == bound),
            "{err}"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    /// A read dropped mid-statement (its request went away): SQLite stops
    /// the statement at once, so a read after every connection's was
    /// dropped answers long before their bound; PostgreSQL goes on until
    /// the bound, then stops it.
    #[tokio::test]
    async fn dropped_reads_stop_their_statements() {
        let db = TestDb::create().await;
        let bound = match db.store.backend() {
            Backend::Sqlite => Duration::from_secs(60),
            Backend::Postgres => Duration::from_secs(1),
        };
        let mut running = Vec::new();
        for _ in 0..SQLITE_CONNECTIONS {
            let store = db.store.clone();
            running.push(tokio::spawn(async move {
                let mut read = store.bounded_read(bound).await.unwrap();
                read.scalar(&endless("abandoned")).await
            }));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        for task in &running {
            task.abort();
        }
        let started = Instant::now();
        match db.store.backend() {
            Backend::Sqlite => {
                let mut read = db.store.bounded_read(bound).await.unwrap();
                assert_eq!(read.scalar(&Sql::new("SELECT 1")).await.unwrap(), 1);
            }
            Backend::Postgres => loop {
                let still_running: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
                     AND state = 'active' AND query LIKE 'WITH RECURSIVE abandoned%'",
                )
                .fetch_one(&db.store.pool)
                .await
                .unwrap();
                if still_running == 0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            },
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "took {:?}",
            started.elapsed()
        );
    }
}
