//! SQLite's one writer, kept busy with useful work.
//!
//! SQLite lets one connection write at a time, so the writer's time per
//! transaction limits every write. Two things take it off that path:
//!
//! - **Group commit.** A transaction costs much the same whether it holds
//!   one batch or a few: BEGIN and COMMIT, a WAL frame for every page it
//!   touched (the last page of each table and index is touched by every
//!   batch), and the hand-over of the connection between requests. A single
//!   task owns the batch writes: it takes every write waiting when it is
//!   free, runs them in one transaction, commits once and answers each. With
//!   one request at a time a group is that one write; nothing waits for
//!   company. The task is spawned, so a request that goes away (its client
//!   hung up) cannot stop a group half-way.
//! - **Checkpoints on a reader.** Left to itself the writer copies the WAL
//!   into the database (and syncs it) after every 1,000 pages, holding up
//!   every write meanwhile. A reader connection does it instead, every
//!   quarter second, on the other core; the writer's own checkpoint stays as
//!   a bound on the WAL, should the reader fall behind.

use std::time::Duration;

use sqlx::{AnyPool, Executor};
use tokio::sync::{mpsc, oneshot};

use crate::sql::Statements;
use crate::{Store, StoreError, StoreResult};

impl Store {
    /// Runs `statements` as one transaction, all or nothing: on SQLite in
    /// the writer's next group.
    pub(crate) async fn write_batch(&self, statements: Statements) -> StoreResult<()> {
        if let Some(groups) = &self.groups {
            return groups.write(statements).await;
        }
        let mut tx = self.writer_tx().await?;
        statements.run(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Writes per group at most, so that one commit stays short.
const MAX_GROUP: usize = 16;

/// How often a reader copies the WAL into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// The writer checkpoints itself only past 8,000 pages (32 MB) of WAL.
pub(crate) const WRITER_PRAGMAS: &str = "PRAGMA wal_autocheckpoint = 8000";

/// One write: statements that hold all together or not at all.
struct Write {
    statements: Statements,
    done: oneshot::Sender<StoreResult<()>>,
}

/// The queue of writes to the task that commits them.
#[derive(Clone)]
pub(crate) struct GroupCommit {
    writes: mpsc::UnboundedSender<Write>,
}

impl GroupCommit {
    /// Starts the task that writes through `writer`; it ends when the last
    /// handle is dropped.
    pub fn start(writer: AnyPool, readers: AnyPool) -> Self {
        let (writes, queue) = mpsc::unbounded_channel();
        tokio::spawn(commit_groups(writer, readers, queue));
        GroupCommit { writes }
    }

    /// Runs `statements` in the next group and waits for its commit.
    pub async fn write(&self, statements: Statements) -> StoreResult<()> {
        let (done, answer) = oneshot::channel();
        self.writes
            .send(Write { statements, done })
            .map_err(|_| sqlx::Error::PoolClosed)?;
        answer.await.map_err(|_| sqlx::Error::PoolClosed)?
    }
}

async fn commit_groups(
    writer: AnyPool,
    readers: AnyPool,
    mut queue: mpsc::UnboundedReceiver<Write>,
) {
    // Checkpoints live as long as this task: both end with the store.
    let checkpoints = tokio::spawn(checkpoint_wal(readers));
    let mut group = Vec::with_capacity(MAX_GROUP);
    while queue.recv_many(&mut group, MAX_GROUP).await > 0 {
        commit_group(&writer, std::mem::take(&mut group)).await;
    }
    checkpoints.abort();
}

/// Copies the WAL into the database from a reader connection, so that the
/// writer's own checkpoint finds little left to do.
async fn checkpoint_wal(readers: AnyPool) {
    let mut every = tokio::time::interval(CHECKPOINT_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(e) = readers.execute("PRAGMA wal_checkpoint(PASSIVE)").await {
            if readers.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "WAL checkpoint failed");
        }
    }
}

/// Runs and commits one group, then answers each write. A write that fails
/// is answered with its error and the group is run again without it. Such
/// failures (a taken email) are rare, so this costs less than wrapping every
/// write in a savepoint, two more round trips on the one connection each.
async fn commit_group(writer: &AnyPool, mut group: Vec<Write>) {
    while !group.is_empty() {
        match try_group(writer, &group).await {
            Ok(None) => {
                for write in group {
                    // The request may have gone away; its write stands.
                    let _ = write.done.send(Ok(()));
                }
                return;
            }
            Ok(Some((failed, error))) => {
                let _ = group.remove(failed).done.send(Err(error.into()));
            }
            Err(e) => {
                for write in group {
                    let _ = write.done.send(Err(StoreError::Commit(e.to_string())));
                }
                return;
            }
        }
    }
}

/// Runs the group's writes in one transaction and commits it, or stops at
/// the first write that fails, rolls back and names it.
async fn try_group(
    writer: &AnyPool,
    group: &[Write],
) -> Result<Option<(usize, sqlx::Error)>, sqlx::Error> {
    let mut tx = writer.begin_with(crate::SQLITE_BEGIN).await?;
    for (i, write) in group.iter().enumerate() {
        if let Err(e) = write.statements.run(&mut tx).await {
            tx.rollback().await?;
            return Ok(Some((i, e)));
        }
    }
    tx.commit().await?;
    Ok(None)
}

#[cfg(test)]
mod tests {
    use hubbub_test_support::TestDatabase;

    use crate::Store;

    /// Two processes on one database (a hub and `hubbub admin`): each
    /// one's transactions that read, then write, wait for the other's
    /// instead of failing.
    #[tokio::test]
    async fn writes_wait_for_another_process_writing() {
        let db = TestDatabase::create().await;
        let first = Store::connect(&db.url).await.unwrap();
        first.migrate().await.unwrap();
        let second = Store::connect(&db.url).await.unwrap();
        let mut tx = first.begin_write().await.unwrap();
        sqlx::query("CREATE TABLE scratch_counts (n BIGINT NOT NULL)")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let count_then_add = |store: Store| async move {
            let mut tx = store.begin_write().await?;
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM scratch_counts")
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO scratch_counts (n) VALUES ($1)")
                .bind(n)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        };
        let mut writes = tokio::task::JoinSet::new();
        for i in 0..40 {
            let store = if i % 2 == 0 { &first } else { &second };
            writes.spawn(count_then_add(store.clone()));
        }
        while let Some(write) = writes.join_next().await {
            write.unwrap().expect("the write waited for the other's");
        }
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM scratch_counts")
            .fetch_one(&first.pool)
            .await
            .unwrap();
        assert_eq!(n, 40);
    }
}
