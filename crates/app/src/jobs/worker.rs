//! The worker: one per process, on every replica. It claims due jobs and
//! due mail from their outboxes, runs or delivers each, and settles every
//! attempt through the same mechanism ([`Store::settle`]): finished;
//! postponed when Slack rate limits the hub, or the hub's pacer holds a
//! call back (to when `Retry-After` or the pacer says, without counting an
//! attempt), or another job holds what it needs; retried after a backoff;
//! or parked
//! after the last attempt, or at once when retrying cannot help.
//!
//! Work runs concurrently (up to [`CONCURRENCY`] at once). A use
//! case that enqueues work wakes the worker of its own process, so that the
//! work runs at once; otherwise the worker sleeps until the earliest queued
//! work is due (a retry, a postponed job), or a few seconds at most (work
//! enqueued by another replica). Tests call
//! [`Worker::run_due`] themselves instead of letting it run in the
//! background, so that they know when the work is done.
//!
//! [`Store::settle`]: hubbub_store::Store::settle

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};

use hubbub_hub::timestamp::Millis;
use hubbub_slack::SlackApiError;
use hubbub_store::{Claim, Finished, QueuedJob, Settled, Settlement, StoreError};

use super::Job;
use crate::mail::Mailer;
use crate::{App, Error};

/// How many jobs and mails run at once. Slack calls wait for their turn
/// under Slack's rate limits (briefly, or they are postponed), so one slow
/// channel does not hold up the others.
pub const CONCURRENCY: usize = 16;
/// Freed places are filled once this many are free (one claim each time).
const TOP_UP: usize = 4;
/// A claimed job or mail, running: it says how its attempt was counted.
type Work<'a> = BoxFuture<'a, Option<Tally>>;

/// How often the worker looks for due work when nobody wakes it (work
/// enqueued by another replica); work it knows to be due sooner (a retry,
/// a postponed job) wakes it on time.
const POLL: Duration = Duration::from_secs(3);
/// The shortest sleep between two passes, so that a row due at once does
/// not spin the worker.
const MIN_SLEEP: Duration = Duration::from_millis(10);
/// The wait after a 429 without a `Retry-After`.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);
/// Slack retries an event for minutes; its id is kept a day.
pub const SEEN_EVENT_RETENTION_MS: Millis = 24 * 3600 * 1000;
/// How often seen event ids are pruned.
const PRUNE_EVERY_MS: Millis = 60_000;

/// What one call of [`Worker::run_due`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Jobs that ran to the end.
    pub done: usize,
    /// Mail handed to the SMTP server.
    pub sent: usize,
    /// Mail kept in the local mailbox (no SMTP server).
    pub kept: usize,
    /// Work postponed because Slack rate limits the hub.
    pub postponed: usize,
    /// Work that failed and will be retried after a backoff.
    pub failed: usize,
    /// Work given up on.
    pub parked: usize,
}

/// How one attempt ended, for [`Pass`].
#[derive(Debug, Clone, Copy)]
struct Tally {
    settled: Settled,
    finished: Option<Finished>,
}

impl Pass {
    fn counter(&mut self, tally: Tally) -> &mut usize {
        match (tally.settled, tally.finished) {
            (Settled::Finished, Some(Finished::Sent)) => &mut self.sent,
            (Settled::Finished, Some(Finished::Kept)) => &mut self.kept,
            (Settled::Finished, _) => &mut self.done,
            (Settled::Postponed, _) => &mut self.postponed,
            (Settled::WillRetry, _) => &mut self.failed,
            (Settled::Parked, _) => &mut self.parked,
        }
    }

    /// How many jobs and mails were attempted.
    pub fn handled(&self) -> usize {
        self.done + self.sent + self.kept + self.postponed + self.failed + self.parked
    }
}

/// Why a job did not finish.
#[derive(Debug, thiserror::Error)]
pub(crate) enum JobError {
    /// Another job holds what this one needs (a conversation's thread):
    /// it runs again after `wait`, the attempt not counted.
    #[error("busy: another job holds what this one needs")]
    Busy { wait: Duration },
    #[error(transparent)]
    Slack(#[from] SlackApiError),
    #[error(transparent)]
    App(#[from] Error),
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> Self {
        JobError::App(e.into())
    }
}

/// Runs the process's background work.
pub struct Worker {
    app: App,
    mailer: Mailer,
    /// When seen Slack event ids were last pruned.
    pruned_at: AtomicI64,
}

impl Worker {
    pub fn new(app: App, mailer: Mailer) -> Worker {
        Worker {
            app,
            mailer,
            pruned_at: AtomicI64::new(Millis::MIN),
        }
    }

    /// Whether mail goes out over SMTP (otherwise it is kept locally).
    pub fn sends(&self) -> bool {
        self.mailer.sends()
    }

    /// Runs the jobs and delivers the mail due at `now` until none is due,
    /// and forgets Slack event ids older than a day. Up to [`CONCURRENCY`]
    /// run at once, and freed places are filled as they free (a few at a
    /// time): a job waiting its turn under a busy channel's rate limit does
    /// not hold back work for idle channels.
    pub async fn run_due(&self, now: Millis) -> Result<Pass, Error> {
        let mut pass = Pass::default();
        let mut running = FuturesUnordered::new();
        // Whether the last claim found work (then more may be due).
        let mut more = true;
        loop {
            let free = CONCURRENCY - running.len();
            if running.is_empty() || (more && free >= TOP_UP) {
                // The running work goes on meanwhile: a claim waits for
                // the writer, which running work may hold (SQLite has one).
                let claim = self.claim(now, free);
                tokio::pin!(claim);
                let claimed = loop {
                    tokio::select! {
                        claimed = &mut claim => break claimed?,
                        Some(tally) = running.next(), if !running.is_empty() => {
                            if let Some(tally) = tally {
                                *pass.counter(tally) += 1;
                            }
                        }
                    }
                };
                more = !claimed.is_empty();
                running.extend(claimed);
                if running.is_empty() {
                    break;
                }
            }
            if let Some(Some(tally)) = running.next().await {
                *pass.counter(tally) += 1;
            }
        }
        self.prune_seen_events(now).await?;
        Ok(pass)
    }

    /// Claims up to `places` jobs and mails due at `now`, as work to run:
    /// a quarter of the places are offered to mail first, so that a
    /// backlog of Slack work does not hold mail back.
    async fn claim(&self, now: Millis, places: usize) -> Result<Vec<Work<'_>>, Error> {
        let store = self.app.store();
        let mails = store
            .claim_due_mail(now, (places / 4).max(1) as i64)
            .await?;
        let jobs = match places.saturating_sub(mails.len()) {
            0 => Vec::new(),
            rest => store.claim_due_jobs(now, rest as i64).await?,
        };
        let mut work: Vec<Work<'_>> = Vec::with_capacity(jobs.len() + mails.len());
        for job in jobs {
            work.push(
                async move { self.settle(job.claim(), self.run(&job).await, now).await }.boxed(),
            );
        }
        for mail in mails {
            work.push(
                async move {
                    let settlement = self.mailer.deliver(&mail).await;
                    self.settle(mail.claim(), settlement, now).await
                }
                .boxed(),
            );
        }
        Ok(work)
    }

    /// Runs one claimed job; says how its attempt ended.
    async fn run(&self, queued: &QueuedJob) -> Settlement {
        let job = match Job::decode(&queued.kind, &queued.payload) {
            Ok(job) => job,
            Err(e) => {
                return Settlement::Failed {
                    error: e.to_string(),
                    give_up: true,
                }
            }
        };
        match self.app.run_job(queued.account_id, job).await {
            Ok(()) => Settlement::Finished(Finished::Done),
            Err(JobError::Busy { wait }) => Settlement::Postponed {
                until: self.app.now() + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2),
            },
            Err(JobError::Slack(
                e @ (SlackApiError::RateLimited { .. } | SlackApiError::Paced { .. }),
            )) => {
                let wait = e.wait().unwrap_or(DEFAULT_RETRY_AFTER);
                if matches!(e, SlackApiError::RateLimited { .. }) {
                    tracing::info!(job_id = queued.id, kind = %queued.kind, ?wait, "Slack rate limited a job; it waits");
                } else {
                    tracing::debug!(job_id = queued.id, kind = %queued.kind, ?wait, "a job waits for its turn under Slack's rate limit");
                }
                // From now, not from the pass's start: the job may have
                // waited its turn a while already.
                Settlement::Postponed {
                    until: self.app.now() + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2),
                }
            }
            Err(JobError::Slack(e)) if e.is_dead_token() => {
                // The connection was marked disconnected when the call
                // failed: nothing is left to retry against.
                tracing::warn!(job_id = queued.id, kind = %queued.kind, error = %e, "job dropped: the Slack token is dead");
                Settlement::Finished(Finished::Done)
            }
            Err(e) => Settlement::Failed {
                // A rule's refusal or a configuration error will not change
                // by itself: a super admin retries once it is fixed.
                give_up: matches!(e, JobError::App(Error::Refused(_) | Error::Config(_))),
                error: e.to_string(),
            },
        }
    }

    /// Records how an attempt ended, and says which count of [`Pass`] it
    /// adds to. One whose outcome cannot be recorded is claimed again when
    /// its lease runs out (and counts nowhere).
    async fn settle(&self, claim: Claim, settlement: Settlement, now: Millis) -> Option<Tally> {
        let finished = match &settlement {
            Settlement::Finished(how) => Some(*how),
            _ => None,
        };
        let error = match &settlement {
            Settlement::Failed { error, .. } => Some(error.clone()),
            _ => None,
        };
        let settled = match self.app.store().settle(claim, settlement, now).await {
            Ok(settled) => settled,
            Err(e) => {
                tracing::error!(?claim, error = %e, "cannot record the outcome of background work");
                return None;
            }
        };
        if let Some(error) = error {
            let parked = settled == Settled::Parked;
            tracing::warn!(?claim, %error, parked, "background work failed");
        }
        Some(Tally { settled, finished })
    }

    async fn prune_seen_events(&self, now: Millis) -> Result<(), Error> {
        let last = self.pruned_at.load(Ordering::Relaxed);
        if now.saturating_sub(last) < PRUNE_EVERY_MS {
            return Ok(());
        }
        self.pruned_at.store(now, Ordering::Relaxed);
        let forgotten = self
            .app
            .store()
            .forget_slack_events_seen_before(now - SEEN_EVENT_RETENTION_MS)
            .await?;
        if forgotten > 0 {
            tracing::debug!(forgotten, "forgot Slack event ids older than a day");
        }
        Ok(())
    }

    /// How long to sleep: until the earliest queued work is due, or
    /// [`POLL`], whichever is sooner.
    async fn until_next_due(&self) -> Duration {
        match self.app.store().next_due().await {
            Ok(Some(due)) => {
                let ms = u64::try_from(due.saturating_sub(self.app.now())).unwrap_or(0);
                Duration::from_millis(ms).clamp(MIN_SLEEP, POLL)
            }
            Ok(None) => POLL,
            Err(e) => {
                tracing::error!(error = %e, "cannot read when work is next due");
                POLL
            }
        }
    }

    /// Runs due work whenever woken, and every few seconds, for ever (the
    /// server aborts the task when it stops; work cut off midway is
    /// claimed again when its lease runs out).
    pub async fn run_forever(self: std::sync::Arc<Self>) {
        tracing::info!(
            mail = if self.sends() { "smtp" } else { "local mailbox" },
            from = %self.mailer.from(),
            "worker started"
        );
        loop {
            if let Err(e) = self.run_due(self.app.now()).await {
                tracing::error!(error = %e, "worker pass failed");
            }
            let sleep = self.until_next_due().await;
            tokio::select! {
                _ = self.app.work_enqueued().notified() => {}
                _ = tokio::time::sleep(sleep) => {}
            }
        }
    }
}
