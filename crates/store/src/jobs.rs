//! Background jobs through a transactional outbox (`jobs`): work that
//! calls Slack (or anything slow or fallible outside the database).
//!
//! A change that must cause such work enqueues the job with
//! [`enqueue_job`] on the connection of its own transaction, so the job
//! exists exactly when the change does. Workers claim due jobs
//! ([`Store::claim_due_jobs`]), run them and record the outcome: done,
//! retried later (after a backoff, or when Slack said to), or parked
//! after too many attempts.

use hubbub_hub::timestamp::now_millis;
use hubbub_hub::HubError;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::outbox::retry_backoff_ms;
use crate::{Store, StoreResult};

/// After this many failed attempts a job is parked.
pub const JOB_MAX_ATTEMPTS: i64 = 8;

/// How long a claim lasts: a worker that dies mid-job leaves it claimed,
/// and another worker takes it again after this.
pub const JOB_CLAIM_LEASE_MS: i64 = 5 * 60_000;

/// A claimed job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: i64,
    pub account_id: i64,
    pub kind: String,
    pub payload: Value,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

/// What became of a job, for tests and the admin view.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    pub id: i64,
    pub kind: String,
    pub status: String,
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
    payload: &Value,
) -> StoreResult<i64> {
    let now = now_millis();
    Ok(sqlx::query_scalar(
        "INSERT INTO jobs (account_id, kind, payload, status, attempts, created_at, run_at) \
         VALUES ($1, $2, $3, 'queued', 0, $4, $4) RETURNING id",
    )
    .bind(account_id)
    .bind(kind)
    .bind(payload.to_string())
    .bind(now)
    .fetch_one(conn)
    .await?)
}

fn job_from_row(r: &AnyRow) -> Result<Job, sqlx::Error> {
    let payload: String = r.try_get(3)?;
    Ok(Job {
        id: r.try_get(0)?,
        account_id: r.try_get(1)?,
        kind: r.try_get(2)?,
        payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
        attempts: r.try_get(4)?,
    })
}

impl Store {
    /// Enqueues a job on its own (see [`enqueue_job`] to do it inside a
    /// transaction).
    pub async fn enqueue_job(
        &self,
        account_id: i64,
        kind: &str,
        payload: &Value,
    ) -> StoreResult<i64> {
        let mut conn = self.writer.acquire().await?;
        enqueue_job(&mut conn, account_id, kind, payload).await
    }

    /// Claims up to `limit` queued jobs due at `now`, oldest due first:
    /// each counts an attempt and is hidden from other workers for
    /// [`JOB_CLAIM_LEASE_MS`] (see `Store::claim_due`).
    pub async fn claim_due_jobs(&self, now: i64, limit: i64) -> StoreResult<Vec<Job>> {
        let rows = self
            .claim_due(
                "jobs",
                "run_at",
                "id, account_id, kind, payload, attempts",
                now,
                JOB_CLAIM_LEASE_MS,
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

    /// Records that a claimed job is done.
    pub async fn finish_job(&self, id: i64, now: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE jobs SET status = 'done', finished_at = $1, last_error = NULL \
             WHERE id = $2 AND status = 'queued'",
        )
        .bind(now)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Records a failed attempt at a claimed job: it runs again after the
    /// backoff, or is parked when out of attempts or when `give_up` (a
    /// retry cannot help). Returns true when parked.
    pub async fn fail_job(
        &self,
        job: &Job,
        error: &str,
        give_up: bool,
        now: i64,
    ) -> StoreResult<bool> {
        let parked = give_up || job.attempts >= JOB_MAX_ATTEMPTS;
        let error: String = error.chars().take(2000).collect();
        sqlx::query(
            "UPDATE jobs SET status = $1, last_error = $2, run_at = $3, finished_at = $4 \
             WHERE id = $5 AND status = 'queued'",
        )
        .bind(if parked { "parked" } else { "queued" })
        .bind(error)
        .bind(now + retry_backoff_ms(job.attempts))
        .bind(parked.then_some(now))
        .bind(job.id)
        .execute(&self.writer)
        .await?;
        Ok(parked)
    }

    /// Runs a queued job again after a pause that is not its fault (Slack
    /// rate limits): the attempt is not counted.
    pub async fn postpone_job(&self, job: &Job, run_at: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE jobs SET attempts = attempts - 1, run_at = $1 \
             WHERE id = $2 AND status = 'queued'",
        )
        .bind(run_at)
        .bind(job.id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// The account's jobs, newest first.
    pub async fn jobs(&self, account_id: i64, limit: i64) -> StoreResult<Vec<JobRecord>> {
        self.job_records(account_id, None, limit).await
    }

    /// The account's parked jobs (given up on), newest first.
    pub async fn parked_jobs(&self, account_id: i64, limit: i64) -> StoreResult<Vec<JobRecord>> {
        self.job_records(account_id, Some("parked"), limit).await
    }

    async fn job_records(
        &self,
        account_id: i64,
        status: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<JobRecord>> {
        let rows = sqlx::query(
            "SELECT id, kind, status, attempts, last_error FROM jobs \
             WHERE account_id = $1 AND ($2 = '' OR status = $2) ORDER BY id DESC LIMIT $3",
        )
        .bind(account_id)
        .bind(status.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(JobRecord {
                    id: r.try_get(0)?,
                    kind: r.try_get(1)?,
                    status: r.try_get(2)?,
                    attempts: r.try_get(3)?,
                    last_error: r.try_get(4)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Puts a parked job back in the queue, due at once, its attempts
    /// counted afresh.
    pub async fn retry_job(&self, account_id: i64, id: i64) -> StoreResult<()> {
        let also = ", finished_at = NULL";
        if !self
            .requeue_parked("jobs", "run_at", also, account_id, id)
            .await?
        {
            return Err(HubError::NotFound(format!("Parked job {id} does not exist")).into());
        }
        Ok(())
    }

    /// How many jobs are waiting or running, in all accounts.
    pub async fn queued_jobs(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status = 'queued'")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}
