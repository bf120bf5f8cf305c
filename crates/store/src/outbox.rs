//! What the transactional outboxes (jobs, mail) share: one mechanism to
//! claim due rows for one worker, settle each attempt (finished, postponed,
//! retried after a backoff, or parked), and put a parked row back in the
//! queue.

use hubbub_hub::timestamp::{now_millis, Millis};
use sqlx::any::AnyRow;

use crate::{Backend, JobStatus, MailStatus, Store, StoreResult};

/// After this many failed attempts a row is parked: no more retries, and
/// super admins see why.
pub const MAX_ATTEMPTS: i64 = 8;

/// How long a claim lasts: a worker that dies mid-attempt leaves the row
/// claimed, and another worker takes it again after this.
pub const CLAIM_LEASE_MS: i64 = 5 * 60_000;

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

/// Every row of either outbox is queued (waiting, being retried, or
/// claimed) until it is finished or parked; the two share these names.
pub(crate) const QUEUED: &str = "queued";
pub(crate) const PARKED: &str = "parked";

/// The two outbox tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outbox {
    Jobs,
    Mail,
}

impl Outbox {
    fn table(self) -> &'static str {
        match self {
            Outbox::Jobs => "jobs",
            Outbox::Mail => "mail_outbox",
        }
    }

    /// The column holding when the row is next due.
    fn due(self) -> &'static str {
        match self {
            Outbox::Jobs => "run_at",
            Outbox::Mail => "next_attempt_at",
        }
    }

    /// The column holding when the row finished.
    fn finished_at(self) -> &'static str {
        match self {
            Outbox::Jobs => "finished_at",
            Outbox::Mail => "sent_at",
        }
    }
}

/// One claimed row: which outbox, which row, and its attempts so far (the
/// current one included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    pub outbox: Outbox,
    pub id: i64,
    pub attempts: i64,
}

/// How a finished row ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    /// A job that ran.
    Done,
    /// A mail handed to the SMTP server.
    Sent,
    /// A mail kept in the local mailbox (no SMTP server).
    Kept,
}

impl Finished {
    fn status(self) -> &'static str {
        match self {
            Finished::Done => JobStatus::Done.as_str(),
            Finished::Sent => MailStatus::Sent.as_str(),
            Finished::Kept => MailStatus::Kept.as_str(),
        }
    }
}

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    Finished(Finished),
    /// Not the row's fault (Slack rate limits the hub): due again at
    /// `until`, the attempt not counted.
    Postponed {
        until: Millis,
    },
    /// Failed: retried after the backoff, or parked when `give_up` (a
    /// retry cannot help) or out of attempts.
    Failed {
        error: String,
        give_up: bool,
    },
}

/// Where the row stands after [`Store::settle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    Finished,
    Postponed,
    /// Due again after the backoff.
    WillRetry,
    Parked,
}

impl Store {
    /// Claims up to `limit` queued rows of `outbox` due at `now`, oldest
    /// due first: each counts an attempt and is hidden from other workers
    /// for [`CLAIM_LEASE_MS`] (a worker that dies leaves its rows to be
    /// claimed again after that). On PostgreSQL concurrent workers skip
    /// each other's rows (`FOR UPDATE SKIP LOCKED`); SQLite's single
    /// writer makes the UPDATE … RETURNING exclusive already.
    pub(crate) async fn claim_due(
        &self,
        outbox: Outbox,
        columns: &str,
        now: Millis,
        limit: i64,
    ) -> Result<Vec<AnyRow>, sqlx::Error> {
        let (table, due) = (outbox.table(), outbox.due());
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE {table} SET attempts = attempts + 1, {due} = $1 \
             WHERE id IN (SELECT id FROM {table} WHERE status = '{QUEUED}' \
             AND {due} <= $2 ORDER BY {due}, id LIMIT $3{lock}) \
             RETURNING {columns}"
        );
        sqlx::query(&sql)
            .bind(now + CLAIM_LEASE_MS)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.writer)
            .await
    }

    /// Records how a claimed row's attempt ended. A row that is no longer
    /// queued (settled by another worker after its lease ran out) is left
    /// as it is.
    pub async fn settle(
        &self,
        claim: Claim,
        settlement: Settlement,
        now: Millis,
    ) -> StoreResult<Settled> {
        let (table, due) = (claim.outbox.table(), claim.outbox.due());
        let finished_at = claim.outbox.finished_at();
        let settled = match settlement {
            Settlement::Finished(how) => {
                sqlx::query(&format!(
                    "UPDATE {table} SET status = $1, {finished_at} = $2, last_error = NULL \
                     WHERE id = $3 AND status = '{QUEUED}'"
                ))
                .bind(how.status())
                .bind(now)
                .bind(claim.id)
                .execute(&self.writer)
                .await?;
                Settled::Finished
            }
            Settlement::Postponed { until } => {
                sqlx::query(&format!(
                    "UPDATE {table} SET attempts = attempts - 1, {due} = $1 \
                     WHERE id = $2 AND status = '{QUEUED}'"
                ))
                .bind(until)
                .bind(claim.id)
                .execute(&self.writer)
                .await?;
                Settled::Postponed
            }
            Settlement::Failed { error, give_up } => {
                let parked = give_up || claim.attempts >= MAX_ATTEMPTS;
                let error: String = error.chars().take(2000).collect();
                sqlx::query(&format!(
                    "UPDATE {table} SET status = $1, last_error = $2, {due} = $3 \
                     WHERE id = $4 AND status = '{QUEUED}'"
                ))
                .bind(if parked { PARKED } else { QUEUED })
                .bind(error)
                .bind(now + retry_backoff_ms(claim.attempts))
                .bind(claim.id)
                .execute(&self.writer)
                .await?;
                if parked {
                    Settled::Parked
                } else {
                    Settled::WillRetry
                }
            }
        };
        Ok(settled)
    }

    /// When the next queued row of either outbox is due (a claimed row:
    /// when its lease runs out), if any is queued: the worker sleeps until
    /// then, so that postponed work runs on time.
    pub async fn next_due(&self) -> StoreResult<Option<Millis>> {
        let mut next: Option<Millis> = None;
        for outbox in [Outbox::Jobs, Outbox::Mail] {
            let (table, due) = (outbox.table(), outbox.due());
            let sql = format!("SELECT MIN({due}) FROM {table} WHERE status = '{QUEUED}'");
            let row: (Option<i64>,) = sqlx::query_as(&sql).fetch_one(&self.pool).await?;
            next = match (next, row.0) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Ok(next)
    }

    /// Puts the account's parked row `id` of `outbox` back in the queue,
    /// due at once, its attempts counted afresh. Says whether there was
    /// such a row.
    pub(crate) async fn requeue_parked(
        &self,
        outbox: Outbox,
        account_id: i64,
        id: i64,
    ) -> Result<bool, sqlx::Error> {
        let (table, due) = (outbox.table(), outbox.due());
        let sql = format!(
            "UPDATE {table} SET status = '{QUEUED}', attempts = 0, {due} = $1 \
             WHERE id = $2 AND account_id = $3 AND status = '{PARKED}'"
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
