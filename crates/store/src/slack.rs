//! Slack: which account a workspace is connected to, and the Events API
//! deliveries already taken. Slack retries a delivery (same `event_id`)
//! when it gets no 2xx within 3 seconds; remembering the ids lets the
//! retries be acknowledged without a second effect.

use hubbub_hub::auth::hash_token;
use hubbub_hub::timestamp::{now_millis, Millis};
use sqlx::Row;

use crate::{Store, StoreResult};

/// Records on `conn`, inside the transaction that applies an Events API
/// delivery, that its `event_id` was taken. True the first time; false for
/// a retry or replay, whose transaction must then change nothing. On
/// PostgreSQL a concurrent delivery of the same id waits here for the
/// first one's transaction: it sees the id once that commits, and takes
/// the event itself if that rolls back.
pub async fn take_slack_event_on(
    conn: &mut sqlx::AnyConnection,
    event_id: &str,
    team_id: &str,
    now: Millis,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO slack_events_seen (event_id, team_id, received_at) VALUES ($1, $2, $3) \
         ON CONFLICT (event_id) DO NOTHING",
    )
    .bind(event_id)
    .bind(team_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

impl Store {
    /// Whether an event id has been taken, and from which workspace (for
    /// diagnostics).
    pub async fn slack_event_seen(&self, event_id: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT team_id FROM slack_events_seen WHERE event_id = $1")
            .bind(event_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get::<String, _>(0)).transpose()?)
    }

    /// How many event ids have been taken from a workspace (for
    /// diagnostics).
    pub async fn slack_events_seen_count(&self, team_id: &str) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) FROM slack_events_seen WHERE team_id = $1")
            .bind(team_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Forgets event ids taken before `before` (Slack stops retrying a
    /// delivery within minutes). Returns how many.
    pub async fn forget_slack_events_seen_before(&self, before: Millis) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM slack_events_seen WHERE received_at < $1")
            .bind(before)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }

    /// The account a Slack workspace is connected to, if any (a
    /// disconnected workspace is connected to none).
    pub async fn account_for_slack_team(&self, team_id: &str) -> StoreResult<Option<i64>> {
        let row = sqlx::query(
            "SELECT account_id FROM slack_connections \
             WHERE team_id = $1 AND disconnected_at IS NULL",
        )
        .bind(team_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.try_get::<i64, _>(0)).transpose()?)
    }
}

/// How long an OAuth `state` can come back from Slack.
pub const SLACK_OAUTH_STATE_TTL_MS: i64 = 10 * 60 * 1000;

/// Starting the OAuth flow: who, from which session, back to where.
#[derive(Debug, Clone)]
pub struct NewOAuthState {
    pub account_id: i64,
    pub user_id: i64,
    /// A hash identifying the browser session that starts the flow.
    pub session_hash: String,
    /// The hub page to come back to afterwards.
    pub return_to: String,
}

/// What taking a `state` back found.
#[derive(Debug, Clone, PartialEq)]
pub enum OAuthStateTaken {
    /// Live, and now used up.
    Valid { account_id: i64, return_to: String },
    /// It was this session's, but too old (now used up too).
    Expired { return_to: String },
    /// Unknown, already used, or started by another user or session.
    Unknown,
}

/// A workspace's connection to an account, live or disconnected.
#[derive(Debug, Clone, PartialEq)]
pub struct SlackConnection {
    pub account_id: i64,
    pub team_id: String,
    pub team_name: String,
    pub bot_user_id: String,
    pub installer_user_id: Option<i64>,
    pub installer_slack_user_id: String,
    pub installer_slack_email: Option<String>,
    pub scopes: Vec<String>,
    /// The encrypted bot token; `None` once disconnected.
    pub bot_token_ciphertext: Option<String>,
    pub connected_at: Millis,
    pub disconnected_at: Option<Millis>,
    /// Why it was last disconnected: `None` for a disconnect made in the
    /// hub, else [`SLACK_DISCONNECT_REMOVED_IN_SLACK`] or
    /// [`SLACK_DISCONNECT_TOKEN_DEAD`].
    pub disconnect_reason: Option<String>,
}

/// Slack said the app was removed from the workspace or its token revoked
/// (`app_uninstalled`, `tokens_revoked`).
pub const SLACK_DISCONNECT_REMOVED_IN_SLACK: &str = "removed_in_slack";
/// A Web API call answered that the bot token no longer works.
pub const SLACK_DISCONNECT_TOKEN_DEAD: &str = "token_dead";

impl SlackConnection {
    pub fn is_live(&self) -> bool {
        self.disconnected_at.is_none() && self.bot_token_ciphertext.is_some()
    }

    /// The workspace's name as people read it (its id when Slack gave no
    /// name).
    pub fn team_label(&self) -> &str {
        if self.team_name.is_empty() {
            &self.team_id
        } else {
            &self.team_name
        }
    }
}

/// A completed installation to record.
#[derive(Debug, Clone)]
pub struct SlackInstall {
    pub account_id: i64,
    pub team_id: String,
    pub team_name: String,
    pub bot_user_id: String,
    pub installer_user_id: i64,
    pub installer_slack_user_id: String,
    pub installer_slack_email: Option<String>,
    pub scopes: Vec<String>,
    /// The bot token, already encrypted with the hub's secret key.
    pub bot_token_ciphertext: String,
}

/// Why an installation was not recorded.
#[derive(Debug, Clone, PartialEq)]
pub enum SlackInstallRefused {
    /// The account is connected to another workspace (its name).
    AccountHasOtherTeam { team_name: String },
    /// The workspace is connected to another account.
    TeamOnOtherAccount,
}

const CONNECTION_COLUMNS: &str = "account_id, team_id, team_name, bot_user_id, installer_user_id, \
     installer_slack_user_id, installer_slack_email, scopes, bot_token_ciphertext, connected_at, \
     disconnected_at, disconnect_reason";

fn connection_from_row(r: &sqlx::any::AnyRow) -> Result<SlackConnection, sqlx::Error> {
    let scopes: String = r.try_get(7)?;
    Ok(SlackConnection {
        account_id: r.try_get(0)?,
        team_id: r.try_get(1)?,
        team_name: r.try_get(2)?,
        bot_user_id: r.try_get(3)?,
        installer_user_id: r.try_get(4)?,
        installer_slack_user_id: r.try_get(5)?,
        installer_slack_email: r.try_get(6)?,
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        bot_token_ciphertext: r.try_get(8)?,
        connected_at: r.try_get(9)?,
        disconnected_at: r.try_get(10)?,
        disconnect_reason: r.try_get(11)?,
    })
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    pub user_id: Option<i64>,
    pub action: String,
    pub detail: String,
    pub created_at: Millis,
}

/// Adds a line to the audit log on `conn`, which may be inside the
/// caller's transaction.
pub(crate) async fn audit_on(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    user_id: Option<i64>,
    action: &str,
    detail: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (account_id, user_id, action, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(account_id)
    .bind(user_id)
    .bind(action)
    .bind(detail)
    .bind(now_millis())
    .execute(conn)
    .await?;
    Ok(())
}

/// Disconnects the account's workspace on `conn`, which may be inside the
/// caller's transaction (pass `&mut *tx`, and commit only when this returns
/// `Some`): the token is forgotten, the row kept (marked disconnected, with
/// `reason`) for a later reconnect, and an audit entry says who and why.
/// Returns the connection as it was if it was live; `None` (and no change)
/// when it was already disconnected, so that a second disconnect, racing or
/// late, does nothing.
pub async fn disconnect_slack_on(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    user_id: Option<i64>,
    detail: &str,
    reason: Option<&str>,
) -> StoreResult<Option<SlackConnection>> {
    let current = sqlx::query(&format!(
        "SELECT {CONNECTION_COLUMNS} FROM slack_connections \
         WHERE account_id = $1 AND disconnected_at IS NULL"
    ))
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| connection_from_row(&r))
    .transpose()?;
    let Some(current) = current else {
        return Ok(None);
    };
    // Conditional, so that of two concurrent disconnects only one changes
    // the row (PostgreSQL re-checks the WHERE after waiting for the other).
    let done = sqlx::query(
        "UPDATE slack_connections SET bot_token_ciphertext = NULL, disconnected_at = $2, \
         disconnect_reason = $3 WHERE account_id = $1 AND disconnected_at IS NULL",
    )
    .bind(account_id)
    .bind(now_millis())
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(None);
    }
    let detail = format!(
        "disconnected Slack workspace {} ({}): {detail}",
        current.team_name, current.team_id
    );
    audit_on(conn, account_id, user_id, "slack.disconnected", &detail).await?;
    Ok(Some(current))
}

impl Store {
    /// Records a new OAuth `state`, valid from `now`, and returns it (only
    /// its hash is kept). Forgets states that expired.
    pub async fn create_slack_oauth_state(
        &self,
        s: &NewOAuthState,
        now: Millis,
    ) -> StoreResult<String> {
        let mut bytes = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
        let state = hex::encode(bytes);
        let mut tx = self.writer_tx().await?;
        sqlx::query("DELETE FROM slack_oauth_states WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO slack_oauth_states (state_hash, account_id, user_id, session_hash, \
             return_to, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(hash_token(&state))
        .bind(s.account_id)
        .bind(s.user_id)
        .bind(&s.session_hash)
        .bind(&s.return_to)
        .bind(now)
        .bind(now + SLACK_OAUTH_STATE_TTL_MS)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(state)
    }

    /// Takes back a `state` coming from Slack: only the user and session
    /// that started the flow can, and only once. Someone else's attempt
    /// leaves the state untouched.
    pub async fn take_slack_oauth_state(
        &self,
        state: &str,
        user_id: i64,
        session_hash: &str,
        now: Millis,
    ) -> StoreResult<OAuthStateTaken> {
        let row = sqlx::query(
            "DELETE FROM slack_oauth_states \
             WHERE state_hash = $1 AND user_id = $2 AND session_hash = $3 \
             RETURNING account_id, return_to, expires_at",
        )
        .bind(hash_token(state))
        .bind(user_id)
        .bind(session_hash)
        .fetch_optional(&self.writer)
        .await?;
        let Some(row) = row else {
            return Ok(OAuthStateTaken::Unknown);
        };
        let return_to: String = row.try_get(1)?;
        let expires_at: i64 = row.try_get(2)?;
        if expires_at <= now {
            return Ok(OAuthStateTaken::Expired { return_to });
        }
        Ok(OAuthStateTaken::Valid {
            account_id: row.try_get(0)?,
            return_to,
        })
    }

    /// The account's Slack connection, live or disconnected, if it ever had
    /// one.
    pub async fn slack_connection(&self, account_id: i64) -> StoreResult<Option<SlackConnection>> {
        let row = sqlx::query(&format!(
            "SELECT {CONNECTION_COLUMNS} FROM slack_connections WHERE account_id = $1"
        ))
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| connection_from_row(&r)).transpose()?)
    }

    /// Disconnects the account's workspace: the token is forgotten, the row
    /// kept (marked disconnected) for a later reconnect, and the audit log
    /// says who and why. Returns the connection as it was, if it was live.
    pub async fn disconnect_slack(
        &self,
        account_id: i64,
        user_id: Option<i64>,
        detail: &str,
    ) -> StoreResult<Option<SlackConnection>> {
        let mut tx = self.writer_tx().await?;
        let was = disconnect_slack_on(&mut tx, account_id, user_id, detail, None).await?;
        if was.is_some() {
            tx.commit().await?;
        }
        Ok(was)
    }

    /// Adds a line to the account's audit log.
    pub async fn audit(
        &self,
        account_id: i64,
        user_id: Option<i64>,
        action: &str,
        detail: &str,
    ) -> StoreResult<()> {
        let mut conn = self.writer.acquire().await?;
        audit_on(&mut conn, account_id, user_id, action, detail).await
    }

    /// The account's most recent audit entries, newest first.
    pub async fn audit_log(&self, account_id: i64, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, user_id, action, detail, created_at FROM audit_log \
             WHERE account_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.try_get(0)?,
                    user_id: r.try_get(1)?,
                    action: r.try_get(2)?,
                    detail: r.try_get(3)?,
                    created_at: r.try_get(4)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}

/// Records an installation on `conn` (inside the caller's transaction,
/// with whatever else the connection causes), with its audit entry. One
/// workspace per account and one account per workspace: another live
/// workspace on the account, or this workspace live on another account,
/// refuses it (and nothing is written). The same workspace again replaces
/// the token, scopes and installer.
pub async fn connect_slack_on(
    conn: &mut sqlx::AnyConnection,
    c: &SlackInstall,
) -> StoreResult<Result<SlackConnection, SlackInstallRefused>> {
    let current = sqlx::query(&format!(
        "SELECT {CONNECTION_COLUMNS} FROM slack_connections WHERE account_id = $1"
    ))
    .bind(c.account_id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| connection_from_row(&r))
    .transpose()?;
    if let Some(current) = &current {
        if current.is_live() && current.team_id != c.team_id {
            return Ok(Err(SlackInstallRefused::AccountHasOtherTeam {
                team_name: current.team_name.clone(),
            }));
        }
    }
    let elsewhere = sqlx::query(
        "SELECT account_id FROM slack_connections \
         WHERE team_id = $1 AND disconnected_at IS NULL AND account_id <> $2",
    )
    .bind(&c.team_id)
    .bind(c.account_id)
    .fetch_optional(&mut *conn)
    .await?;
    if elsewhere.is_some() {
        return Ok(Err(SlackInstallRefused::TeamOnOtherAccount));
    }
    let now = now_millis();
    let reconnect = current.as_ref().is_some_and(|cur| cur.team_id == c.team_id);
    if current.is_some() {
        sqlx::query(
            "UPDATE slack_connections SET team_id = $2, team_name = $3, bot_user_id = $4, \
             installer_user_id = $5, installer_slack_user_id = $6, installer_slack_email = $7, \
             scopes = $8, bot_token_ciphertext = $9, connected_at = $10, disconnected_at = NULL, \
             disconnect_reason = NULL \
             WHERE account_id = $1",
        )
    } else {
        sqlx::query(
            "INSERT INTO slack_connections (account_id, team_id, team_name, bot_user_id, \
             installer_user_id, installer_slack_user_id, installer_slack_email, scopes, \
             bot_token_ciphertext, connected_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
    }
    .bind(c.account_id)
    .bind(&c.team_id)
    .bind(&c.team_name)
    .bind(&c.bot_user_id)
    .bind(c.installer_user_id)
    .bind(&c.installer_slack_user_id)
    .bind(c.installer_slack_email.as_deref())
    .bind(c.scopes.join(" "))
    .bind(&c.bot_token_ciphertext)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let detail = format!(
        "{} Slack workspace {} ({}), installed by Slack user {}; scopes: {}",
        if reconnect {
            "reconnected"
        } else {
            "connected"
        },
        c.team_name,
        c.team_id,
        c.installer_slack_user_id,
        c.scopes.join(" ")
    );
    audit_on(
        conn,
        c.account_id,
        Some(c.installer_user_id),
        "slack.connected",
        &detail,
    )
    .await?;
    let saved = sqlx::query(&format!(
        "SELECT {CONNECTION_COLUMNS} FROM slack_connections WHERE account_id = $1"
    ))
    .bind(c.account_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Ok(connection_from_row(&saved)?))
}
