//! Hubbub's storage. One code path over SQLite (the embedded default) and
//! PostgreSQL (for several replicas), through sqlx's `Any` driver: every
//! query is written once, with `$n` placeholders, integer flags and epoch
//! millisecond instants, which both databases read the same way.

mod accounts;
mod activity;
mod associations;
mod bounded;
mod comments;
mod consequences;
mod conversations;
mod feedback;
mod followers;
mod inboxes;
mod indexing;
mod jobs;
mod link_previews;
mod mail;
mod notification_settings;
mod notifications;
mod objects;
mod outbox;
mod pipelines;
mod private_files;
mod properties;
mod record_views;
mod rules;
mod search;
pub mod secret;
mod sessions;
mod slack;
mod slack_threads;
mod slack_users;
mod sql;
mod sqlite_writer;
#[cfg(test)]
mod test_db;
mod tokens;
mod users;

use std::path::Path;
use std::str::FromStr;

use hubbub_hub::HubError;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};
use thiserror::Error;

/// The connection the `*_on` functions take: a [`WriteTx`] derefs to it.
pub use sqlx::AnyConnection;

pub use private_files::create_private_folder;

pub use accounts::Account;
pub use activity::Activity;
pub use associations::Association;
pub use comments::{Comment, MAX_COMMENT_CHARS};
pub use consequences::{Consequences, Happened, NewActivity, NewJob};
pub use conversations::{
    add_event_on, add_message_on, advance_delivery_on, change_conversation_on,
    conversation_by_thread_on, conversation_on, create_visitor_on, fail_delivery_on,
    has_slack_message_on, identify_visitor_on, latest_conversation_on, mark_seen_by_agent_on,
    notify_live_on, open_conversation_on, visitor_by_token_on, Conversation, ConversationEvent,
    ConversationFilter, ConversationPreview, Message, NewMessage, SlackState, SlackThread, Visitor,
    LIVE_CHANNEL,
};
pub use feedback::{add_feedback_on, FeedbackSender, SentFeedback};
pub use inboxes::{
    Inbox, InboxChannel, InboxSlack, InboxSlackChoice, InboxSlackStatus, MAX_INBOX_NAME_CHARS,
};
pub use jobs::{
    enqueue_job, enqueue_job_at, enqueue_job_unless_queued, JobRecord, JobStatus, QueuedJob,
};
pub use mail::{enqueue_mail, Mail, MailStatus, NewMail};
pub use notification_settings::NotificationChoices;
pub use notifications::{notified_since_on, notify_on, NewNotification, Notification};
pub use objects::{ListPage, NewRecord, RecordUpdate};
pub use outbox::{
    retry_backoff_ms, Claim, Finished, Outbox, Settled, Settlement, CLAIM_LEASE_MS, MAX_ATTEMPTS,
};
pub use rules::{
    NotificationRule, Posted, RuleDelivery, RuleFields, RuleTarget, StoredTrigger,
    RULE_DELIVERIES_KEPT,
};
pub use secret::{SecretError, SecretKey};
pub use sessions::{random_token as random_secret, Session};
pub use slack::{
    connect_slack_on, disconnect_slack_on, take_slack_event_on, AuditEntry, NewOAuthState,
    OAuthStateTaken, SlackConnection, SlackInstall, SlackInstallRefused,
    SLACK_DISCONNECT_REMOVED_IN_SLACK, SLACK_DISCONNECT_TOKEN_DEAD, SLACK_OAUTH_STATE_TTL_MS,
};
pub use slack_threads::{
    conversations_awaiting_slack_on, found_slack_channel_on, lose_slack_channel_on,
    slack_channel_in_use_on, ChannelLoss, PendingPost, RootTried,
};
pub use slack_users::{
    create_mapping_request_on, map_slack_user_on, mapping_request_on,
    mark_mapping_request_confirmed_on, record_slack_unmatched_on, MappingRefused, MappingRequest,
    MappingRequestStatus, SlackLink, SlackPerson, SLACK_MAPPING_TTL_MS,
};
pub use tokens::TokenGrant;
pub use users::{active_super_admins_on, create_user_on, NewUser, Team, User};

#[derive(Debug, Error)]
pub enum StoreError {
    /// A rule of the hub was broken (not found, conflict, bad input).
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The transaction of a group of writes failed (see `sqlite_writer`).
    #[error("database error: {0}")]
    Commit(String),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A search ran longer than its bound and the database stopped it.
    #[error("the search ran longer than {} seconds and was stopped", .0.as_secs_f32())]
    SearchTimedOut(std::time::Duration),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// Whether a unique constraint refused the write.
    pub(crate) fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the database, cheap to clone.
#[derive(Clone)]
pub struct Store {
    /// Reads (and, on PostgreSQL, writes).
    pool: AnyPool,
    /// Writes. SQLite allows one writer at a time, so it gets a pool of one
    /// connection: writers queue here instead of failing with SQLITE_BUSY.
    writer: AnyPool,
    backend: Backend,
    /// SQLite's batch writes, committed in groups (see `sqlite_writer`).
    groups: Option<sqlite_writer::GroupCommit>,
    /// SQLite's connections for reads with a time bound (see `bounded`).
    bounded_sqlite: Option<sqlx::SqlitePool>,
    /// Record ids reserved by this process (see `objects::allocate_ids`).
    ids: std::sync::Arc<tokio::sync::Mutex<objects::IdBlock>>,
    /// PostgreSQL's URL, for the live pushes' listener (see
    /// `conversations::LIVE_CHANNEL`).
    postgres_url: Option<std::sync::Arc<str>>,
}

/// A write transaction: a change and everything it causes (outbox jobs,
/// mail, notifications, the Slack event it answers) commit together or not
/// at all. It derefs to the connection the `*_on` functions take; dropping
/// it without [`WriteTx::commit`] rolls everything back.
pub struct WriteTx(Transaction<'static, Any>);

impl WriteTx {
    pub async fn commit(self) -> StoreResult<()> {
        Ok(self.0.commit().await?)
    }

    /// Undoes everything (as dropping it does), saying so in the code.
    pub async fn rollback(self) -> StoreResult<()> {
        Ok(self.0.rollback().await?)
    }
}

impl std::ops::Deref for WriteTx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.0
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.0
    }
}

/// How SQLite's write transactions begin: with the write lock taken at
/// once, so that one finding another process writing (`hubbub admin`
/// beside a running hub) waits for it (`busy_timeout`), where a deferred
/// one would fail at its first write after it had read.
pub(crate) const SQLITE_BEGIN: &str = "BEGIN IMMEDIATE";

impl Store {
    /// Starts a write transaction (see [`WriteTx`]).
    pub async fn begin_write(&self) -> StoreResult<WriteTx> {
        Ok(WriteTx(self.writer_tx().await?))
    }

    /// A transaction on the writer.
    pub(crate) async fn writer_tx(&self) -> StoreResult<Transaction<'static, Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.writer.begin_with(SQLITE_BEGIN).await?,
            Backend::Postgres => self.writer.begin().await?,
        })
    }

    /// Connects to `url` (`sqlite://path` or `postgres://…`); a SQLite file
    /// and its folder are created when missing.
    pub async fn connect(url: &str) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(StoreError::Hub(HubError::invalid(format!(
                "unsupported database URL {url:?}: use sqlite://path or postgres://…"
            ))));
        };
        match backend {
            Backend::Postgres => {
                let options = AnyConnectOptions::from_str(url)?;
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .connect_with(options)
                    .await?;
                Ok(Store {
                    writer: pool.clone(),
                    pool,
                    backend,
                    groups: None,
                    bounded_sqlite: None,
                    ids: Default::default(),
                    postgres_url: Some(url.into()),
                })
            }
            Backend::Sqlite => {
                let url = sqlite_url_creating_file(url)?;
                let options = AnyConnectOptions::from_str(&url)?;
                let pool = sqlite_pool(4, "").connect_with(options.clone()).await?;
                let writer = sqlite_pool(1, sqlite_writer::WRITER_PRAGMAS)
                    .connect_with(options)
                    .await?;
                let bounded_sqlite = Some(bounded::sqlite_pool(&url).await?);
                Ok(Store {
                    groups: Some(sqlite_writer::GroupCommit::start(
                        writer.clone(),
                        pool.clone(),
                    )),
                    pool,
                    writer,
                    backend,
                    bounded_sqlite,
                    ids: Default::default(),
                    postgres_url: None,
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn postgres_url(&self) -> Option<&str> {
        self.postgres_url.as_deref()
    }

    /// Brings the schema up to date. Safe to run on every start.
    pub async fn migrate(&self) -> StoreResult<()> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        migrator.run(&self.writer).await?;
        Ok(())
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> bool {
        self.pool.execute("SELECT 1").await.is_ok()
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
        if let Some(bounded) = &self.bounded_sqlite {
            bounded.close().await;
        }
    }
}

/// How every SQLite connection is set up.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
     PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536;";

fn sqlite_pool(connections: u32, more_pragmas: &'static str) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(connections)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                conn.execute(SQLITE_PRAGMAS).await?;
                if !more_pragmas.is_empty() {
                    conn.execute(more_pragmas).await?;
                }
                Ok(())
            })
        })
}

/// Makes sure a SQLite file and its folder exist, for the owner only (see
/// `private_files`), and asks SQLite to open it (`mode=rwc`).
fn sqlite_url_creating_file(url: &str) -> StoreResult<String> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:" {
        let file = Path::new(path);
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            private_files::create_private_folder(dir).map_err(|e| {
                HubError::invalid(format!(
                    "cannot create database folder {}: {e}",
                    dir.display()
                ))
            })?;
        }
        private_files::create_private_file(file).map_err(|e| {
            HubError::invalid(format!("cannot create database {}: {e}", file.display()))
        })?;
    }
    let query = if query.contains("mode=") {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// Turns a boolean into the 0/1 integer both databases store.
pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}
