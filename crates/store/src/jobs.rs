//! Background jobs through a transactional outbox (`jobs`): work that
//! calls Slack (or anything slow or fallible outside the database).
//!
//! A change that must cause such work enqueues the job with
//! [`enqueue_job`] on the connection of its own transaction, so the job
//! exists exactly when the change does. The store keeps a job's kind and
//! payload as the application layer wrote them and never reads them: the
//! worker claims due jobs ([`Store::claim_due_jobs`]), decodes and runs
//! them, and settles each attempt ([`Store::settle`]).

use hubbub_hub::timestamp::{now_millis, Millis};
use hubbub_hub::HubError;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::outbox::{Claim, Outbox, PARKED, QUEUED};
use crate::{Store, StoreError, StoreResult};

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    /// Waiting, being retried, or claimed by a worker.
    Queued,
    Done,
    /// Given up on: `last_error` says why.
    Parked,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => QUEUED,
            JobStatus::Done => "done",
            JobStatus::Parked => PARKED,
        }
    }

    fn parse(s: &str) -> Result<JobStatus, sqlx::Error> {
        match s {
            QUEUED => Ok(JobStatus::Queued),
            "done" => Ok(JobStatus::Done),
            PARKED => Ok(JobStatus::Parked),
            other => Err(sqlx::Error::Decode(
                format!("unknown job status {other:?}").into(),
            )),
        }
    }
}

/// A claimed job, as stored: the worker decodes `kind` and `payload`.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedJob {
    pub id: i64,
    pub account_id: i64,
    pub kind: String,
    /// The payload as written (JSON text).
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

impl QueuedJob {
    pub fn claim(&self) -> Claim {
        Claim {
            outbox: Outbox::Jobs,
            id: self.id,
            attempts: self.attempts,
        }
    }
}

/// What became of a job, for the admin view and tests.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub status: JobStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// Enqueues a job on `conn`, which may be inside the caller's transaction
/// (pass `&mut *tx`): it then runs exactly when that transaction commits.
/// Due at once.
pub async fn enqueue_job(
    conn: &mut AnyConnection,
    account_id: i64,
    kind: &str,
    payload: &str,
) -> StoreResult<i64> {
    enqueue_job_at(conn, account_id, kind, payload, now_millis()).await
}

/// [`enqueue_job`], due at `run_at`.
pub async fn enqueue_job_at(
    conn: &mut AnyConnection,
    account_id: i64,
    kind: &str,
    payload: &str,
    run_at: Millis,
) -> StoreResult<i64> {
    let now = now_millis();
    Ok(sqlx::query_scalar(
        "INSERT INTO jobs (account_id, kind, payload, status, attempts, created_at, run_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $6) RETURNING id",
    )
    .bind(account_id)
    .bind(kind)
    .bind(payload)
    .bind(QUEUED)
    .bind(now)
    .bind(run_at)
    .fetch_one(conn)
    .await?)
}

/// [`enqueue_job`], unless the same job (kind and payload) is queued
/// already and not yet claimed: that one will do it, as it reads what it
/// works on when it runs. Answers whether it enqueued.
pub async fn enqueue_job_unless_queued(
    conn: &mut AnyConnection,
    account_id: i64,
    kind: &str,
    payload: &str,
) -> StoreResult<bool> {
    let now = now_millis();
    let done = sqlx::query(
        "INSERT INTO jobs (account_id, kind, payload, status, attempts, created_at, run_at) \
         SELECT $1, $2, $3, $4, 0, $5, $5 WHERE NOT EXISTS (SELECT 1 FROM jobs \
         WHERE account_id = $1 AND kind = $2 AND payload = $3 AND status = $4)",
    )
    .bind(account_id)
    .bind(kind)
    .bind(payload)
    .bind(QUEUED)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

fn job_from_row(r: &AnyRow) -> Result<QueuedJob, sqlx::Error> {
    Ok(QueuedJob {
        id: r.try_get(0)?,
        account_id: r.try_get(1)?,
        kind: r.try_get(2)?,
        payload: r.try_get(3)?,
        attempts: r.try_get(4)?,
    })
}

impl Store {
    /// Claims up to `limit` queued jobs due at `now`, oldest due first
    /// (see `Store::claim_due`).
    pub async fn claim_due_jobs(&self, now: Millis, limit: i64) -> StoreResult<Vec<QueuedJob>> {
        let rows = self
            .claim_due(
                Outbox::Jobs,
                "id, account_id, kind, payload, attempts",
                now,
                limit,
            )
            .await?;
        let mut jobs = rows
            .iter()
            .map(job_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        jobs.sort_by_key(|j| j.id);
        Ok(jobs)
    }

    /// The account's jobs, newest first.
    pub async fn jobs(&self, account_id: i64, limit: i64) -> StoreResult<Vec<JobRecord>> {
        self.job_records(account_id, None, limit).await
    }

    /// The account's parked jobs (given up on), newest first.
    pub async fn parked_jobs(&self, account_id: i64, limit: i64) -> StoreResult<Vec<JobRecord>> {
        self.job_records(account_id, Some(JobStatus::Parked), limit)
            .await
    }

    async fn job_records(
        &self,
        account_id: i64,
        status: Option<JobStatus>,
        limit: i64,
    ) -> StoreResult<Vec<JobRecord>> {
        let rows = sqlx::query(
            "SELECT id, kind, payload, status, attempts, last_error FROM jobs \
             WHERE account_id = $1 AND ($2 = '' OR status = $2) ORDER BY id DESC LIMIT $3",
        )
        .bind(account_id)
        .bind(status.map_or("", JobStatus::as_str))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(JobRecord {
                    id: r.try_get(0)?,
                    kind: r.try_get(1)?,
                    payload: r.try_get(2)?,
                    status: JobStatus::parse(&r.try_get::<String, _>(3)?)?,
                    attempts: r.try_get(4)?,
                    last_error: r.try_get(5)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Puts a parked job back in the queue, due at once, its attempts
    /// counted afresh.
    pub async fn retry_job(&self, account_id: i64, id: i64) -> StoreResult<()> {
        if !self.requeue_parked(Outbox::Jobs, account_id, id).await? {
            return Err(HubError::NotFound(format!("Parked job {id} does not exist")).into());
        }
        Ok(())
    }
}
