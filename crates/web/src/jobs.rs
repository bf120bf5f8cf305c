//! The job worker: takes due jobs from the outbox (`jobs`, see
//! `hubbub_store::enqueue_job`) and runs them. A handler that enqueues a
//! job wakes the worker ([`AppState::wake_jobs`]) so that it runs at once;
//! otherwise the worker looks every few seconds (jobs enqueued by another
//! replica, retries coming due).
//!
//! Outcomes: done; failed and retried with backoff (parked after
//! `JOB_MAX_ATTEMPTS`); or, when Slack rate limits the hub, postponed to
//! when Slack's `Retry-After` says, without counting an attempt. A job
//! whose bot token turns out dead ends: the connection was marked
//! disconnected on the way (see `slack::connection::check_bot_call`).

use std::time::Duration;

use hubbub_hub::timestamp::now_millis;
use hubbub_slack::SlackApiError;
use hubbub_store::{Job, StoreError, StoreResult};

use crate::slack::{connection, user_mapping};
use crate::AppState;

/// Job kinds.
pub mod kind {
    /// Find hub users' Slack accounts by email (`{"user_ids": [..]}`, or
    /// every user when absent).
    pub const MAP_SLACK_USERS: &str = "slack.map_users";
    /// DM a Slack user a mapping request (`{"request_id": n}`).
    pub const SEND_MAPPING_REQUEST: &str = "slack.send_mapping_request";
    /// Answer an interaction through its response_url
    /// (`{"response_url", "content", "replace_original"}`).
    pub const RESPOND: &str = "slack.respond";
}

/// What a job kind does, as people read it.
pub fn describe(kind_name: &str) -> &'static str {
    match kind_name {
        kind::MAP_SLACK_USERS => "Find hub users' Slack accounts by email",
        kind::SEND_MAPPING_REQUEST => "Send a Slack user a mapping request",
        kind::RESPOND => "Answer a button press in Slack",
        _ => "Unknown background work",
    }
}

/// How many jobs one pass claims.
const BATCH: i64 = 20;
/// How often the worker looks for due jobs when nobody wakes it.
const POLL: Duration = Duration::from_secs(3);
/// The wait after a 429 without a `Retry-After`.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Why a job did not finish.
#[derive(Debug)]
pub enum JobError {
    Slack(SlackApiError),
    Store(StoreError),
    /// The job's payload is not what its kind needs: retrying cannot help.
    BadPayload(String),
}

impl From<SlackApiError> for JobError {
    fn from(e: SlackApiError) -> Self {
        JobError::Slack(e)
    }
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> Self {
        JobError::Store(e)
    }
}

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JobError::Slack(e) => write!(f, "{e}"),
            JobError::Store(e) => write!(f, "{e}"),
            JobError::BadPayload(why) => write!(f, "bad job payload: {why}"),
        }
    }
}

pub type JobResult = Result<(), JobError>;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub done: usize,
    pub retried: usize,
    pub parked: usize,
}

/// Runs due jobs.
pub struct JobWorker {
    state: AppState,
}

impl JobWorker {
    pub fn new(state: AppState) -> JobWorker {
        JobWorker { state }
    }

    /// Runs the jobs due at `now`, batch after batch until none is due.
    pub async fn run_due(&self, now: i64) -> StoreResult<Pass> {
        let mut pass = Pass::default();
        loop {
            let batch = self.state.store.claim_due_jobs(now, BATCH).await?;
            if batch.is_empty() {
                return Ok(pass);
            }
            for job in batch {
                // A job whose outcome cannot be recorded is claimed again
                // when its lease runs out.
                if let Err(e) = self.run_one(&job, &mut pass).await {
                    tracing::error!(job_id = job.id, error = %e, "cannot record a job's outcome");
                }
            }
        }
    }

    async fn run_one(&self, job: &Job, pass: &mut Pass) -> StoreResult<()> {
        let store = &self.state.store;
        match run(&self.state, job).await {
            Ok(()) => {
                store.finish_job(job.id, now_millis()).await?;
                pass.done += 1;
            }
            Err(JobError::Slack(SlackApiError::RateLimited { retry_after })) => {
                let wait = retry_after.unwrap_or(DEFAULT_RETRY_AFTER);
                tracing::info!(job_id = job.id, kind = %job.kind, ?wait, "Slack rate limited a job; it waits");
                store
                    .postpone_job(job, now_millis() + wait.as_millis() as i64)
                    .await?;
                pass.retried += 1;
            }
            Err(JobError::Slack(e)) if connection::is_dead_token(&e) => {
                // The connection was marked disconnected when the call
                // failed: nothing is left to retry against.
                tracing::warn!(job_id = job.id, kind = %job.kind, error = %e, "job dropped: the Slack token is dead");
                store.finish_job(job.id, now_millis()).await?;
                pass.done += 1;
            }
            Err(e) => {
                let give_up = matches!(e, JobError::BadPayload(_));
                let parked = store
                    .fail_job(job, &e.to_string(), give_up, now_millis())
                    .await?;
                tracing::warn!(job_id = job.id, kind = %job.kind, attempts = job.attempts, error = %e, parked, "job failed");
                if parked {
                    pass.parked += 1;
                } else {
                    pass.retried += 1;
                }
            }
        }
        Ok(())
    }

    /// Runs due jobs whenever woken, and every few seconds, for ever (the
    /// server aborts the task when it stops; a job cut off midway is
    /// claimed again when its lease runs out).
    pub async fn run(self) {
        tracing::info!("job worker started");
        let wake = self.state.jobs_wake.clone();
        loop {
            if let Err(e) = self.run_due(now_millis()).await {
                tracing::error!(error = %e, "job worker pass failed");
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    }
}

/// Runs one job by its kind.
async fn run(state: &AppState, job: &Job) -> JobResult {
    match job.kind.as_str() {
        kind::MAP_SLACK_USERS => user_mapping::map_users(state, job.account_id, &job.payload).await,
        kind::SEND_MAPPING_REQUEST => {
            user_mapping::send_request(state, job.account_id, &job.payload).await
        }
        kind::RESPOND => user_mapping::respond(state, &job.payload).await,
        other => Err(JobError::BadPayload(format!("unknown job kind {other}"))),
    }
}
