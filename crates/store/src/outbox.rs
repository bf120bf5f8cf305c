//! What the transactional outboxes (mail, jobs) share: claiming due rows
//! for one worker, the wait before a failed row is tried again, and
//! putting a parked row back in the queue.

use hubbub_hub::timestamp::now_millis;
use sqlx::any::AnyRow;

use crate::{Backend, Store};

/// The wait before the next attempt after the `n`th failed one (1-based):
/// 30 s, 2 min, 10 min, then hourly.
pub fn retry_backoff_ms(attempts: i64) -> i64 {
    match attempts {
        ..=1 => 30_000,
        2 => 120_000,
        3 => 600_000,
        _ => 3_600_000,
    }
}

impl Store {
    /// Claims up to `limit` queued rows of `table` whose `due` column is at
    /// or before `now`, oldest due first: each counts an attempt and is
    /// hidden from other workers for `lease_ms` (a worker that dies leaves
    /// its rows to be claimed again after that). On PostgreSQL concurrent
    /// workers skip each other's rows (`FOR UPDATE SKIP LOCKED`); SQLite's
    /// single writer makes the UPDATE … RETURNING exclusive already.
    pub(crate) async fn claim_due(
        &self,
        table: &str,
        due: &str,
        columns: &str,
        now: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<AnyRow>, sqlx::Error> {
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE {table} SET attempts = attempts + 1, {due} = $1 \
             WHERE id IN (SELECT id FROM {table} WHERE status = 'queued' \
             AND {due} <= $2 ORDER BY {due}, id LIMIT $3{lock}) \
             RETURNING {columns}"
        );
        sqlx::query(&sql)
            .bind(now + lease_ms)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.writer)
            .await
    }

    /// Puts the account's parked row `id` of `table` back in the queue, due
    /// at once, its attempts counted afresh; `also` sets more columns
    /// (`, col = …`). Says whether there was such a row.
    pub(crate) async fn requeue_parked(
        &self,
        table: &str,
        due: &str,
        also: &str,
        account_id: i64,
        id: i64,
    ) -> Result<bool, sqlx::Error> {
        let sql = format!(
            "UPDATE {table} SET status = 'queued', attempts = 0, {due} = $1{also} \
             WHERE id = $2 AND account_id = $3 AND status = 'parked'"
        );
        let done = sqlx::query(&sql)
            .bind(now_millis())
            .bind(id)
            .bind(account_id)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
