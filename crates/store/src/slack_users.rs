//! Which Slack user each hub user is. The hub finds a user's Slack
//! account by their email (`users.lookupByEmail`) and remembers the pair;
//! when no Slack user has that email, the user can name their Slack email
//! and confirm the mapping in Slack within 24 hours. Everything is kept
//! per workspace and survives a disconnect, so that reconnecting the same
//! workspace restores it.

use hubbub_hub::timestamp::{now_millis, Millis};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Store, StoreResult};

/// How long a Slack user has to confirm a mapping request.
pub const SLACK_MAPPING_TTL_MS: i64 = 24 * 60 * 60 * 1000;

/// A Slack user, as Slack described them.
#[derive(Debug, Clone, PartialEq)]
pub struct SlackPerson {
    pub slack_user_id: String,
    pub name: String,
    pub email: String,
}

/// How a hub user stands with a workspace.
#[derive(Debug, Clone, PartialEq)]
pub enum SlackLink {
    /// Mapped to this Slack user; `confirmed` when the Slack user
    /// confirmed a request (otherwise the emails matched).
    Mapped {
        person: SlackPerson,
        confirmed: bool,
    },
    /// No Slack user has the hub user's email.
    Unmatched,
}

/// Why a mapping was not made.
#[derive(Debug, Clone, PartialEq)]
pub enum MappingRefused {
    /// That Slack user is already mapped to another hub user (its id).
    SlackUserTaken { user_id: i64 },
}

const LINK_COLUMNS: &str = "status, slack_user_id, slack_name, slack_email, method";

fn link_from_row(r: &AnyRow) -> Result<SlackLink, sqlx::Error> {
    let status: String = r.try_get(0)?;
    if status != "mapped" {
        return Ok(SlackLink::Unmatched);
    }
    let method: Option<String> = r.try_get(4)?;
    Ok(SlackLink::Mapped {
        person: SlackPerson {
            slack_user_id: r.try_get::<Option<String>, _>(1)?.unwrap_or_default(),
            name: r.try_get::<Option<String>, _>(2)?.unwrap_or_default(),
            email: r.try_get::<Option<String>, _>(3)?.unwrap_or_default(),
        },
        confirmed: method.as_deref() == Some("confirmed"),
    })
}

/// The hub user a Slack user is mapped to in this account, if any.
async fn hub_user_of(
    conn: &mut AnyConnection,
    account_id: i64,
    team_id: &str,
    slack_user_id: &str,
) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT user_id FROM slack_user_links \
         WHERE account_id = $1 AND team_id = $2 AND slack_user_id = $3",
    )
    .bind(account_id)
    .bind(team_id)
    .bind(slack_user_id)
    .fetch_optional(conn)
    .await?)
}

/// Maps a hub user to a Slack user on `conn` (inside the caller's
/// transaction, if any), replacing whatever the hub user had. Refused
/// when the Slack user is mapped to another hub user of the account.
pub async fn map_slack_user_on(
    conn: &mut AnyConnection,
    account_id: i64,
    team_id: &str,
    user_id: i64,
    person: &SlackPerson,
    confirmed: bool,
) -> StoreResult<Result<(), MappingRefused>> {
    match hub_user_of(conn, account_id, team_id, &person.slack_user_id).await? {
        Some(other) if other != user_id => {
            return Ok(Err(MappingRefused::SlackUserTaken { user_id: other }))
        }
        _ => {}
    }
    sqlx::query(
        "INSERT INTO slack_user_links (account_id, team_id, user_id, status, slack_user_id, \
         slack_name, slack_email, method, updated_at) \
         VALUES ($1, $2, $3, 'mapped', $4, $5, $6, $7, $8) \
         ON CONFLICT (account_id, team_id, user_id) DO UPDATE SET status = 'mapped', \
         slack_user_id = $4, slack_name = $5, slack_email = $6, method = $7, updated_at = $8, \
         dm_channel = CASE WHEN slack_user_links.slack_user_id = $4 THEN slack_user_links.dm_channel END",
    )
    .bind(account_id)
    .bind(team_id)
    .bind(user_id)
    .bind(&person.slack_user_id)
    .bind(&person.name)
    .bind(&person.email)
    .bind(if confirmed { "confirmed" } else { "email" })
    .bind(now_millis())
    .execute(conn)
    .await?;
    Ok(Ok(()))
}

/// Records on `conn` that no Slack user has the hub user's email. True
/// the first time for this user and workspace: the caller then tells the
/// user (in the same transaction), and later checks stay quiet.
pub async fn record_slack_unmatched_on(
    conn: &mut AnyConnection,
    account_id: i64,
    team_id: &str,
    user_id: i64,
) -> StoreResult<bool> {
    let now = now_millis();
    let done = sqlx::query(
        "INSERT INTO slack_user_links (account_id, team_id, user_id, status, notified_at, \
         updated_at) VALUES ($1, $2, $3, 'unmatched', $4, $4) \
         ON CONFLICT (account_id, team_id, user_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(team_id)
    .bind(user_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Where a mapping request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingRequestStatus {
    Pending,
    Confirmed,
    /// A newer request from the same hub user replaced it.
    Superseded,
    /// Pending past its 24 hours.
    Expired,
}

/// "Verify in Slack": a hub user's request that a Slack user confirm.
#[derive(Debug, Clone, PartialEq)]
pub struct MappingRequest {
    pub id: i64,
    pub account_id: i64,
    pub team_id: String,
    pub user_id: i64,
    pub person: SlackPerson,
    pub status: MappingRequestStatus,
    pub created_at: Millis,
    pub expires_at: Millis,
    /// The direct message with the Confirm button (channel, ts), once sent.
    pub message: Option<(String, String)>,
}

const REQUEST_COLUMNS: &str = "id, account_id, team_id, user_id, slack_user_id, slack_name, \
     slack_email, status, created_at, expires_at, dm_channel, dm_ts";

fn request_from_row(r: &AnyRow, now: Millis) -> Result<MappingRequest, sqlx::Error> {
    let expires_at: i64 = r.try_get(9)?;
    let status = match r.try_get::<String, _>(7)?.as_str() {
        "confirmed" => MappingRequestStatus::Confirmed,
        "superseded" => MappingRequestStatus::Superseded,
        _ if expires_at <= now => MappingRequestStatus::Expired,
        _ => MappingRequestStatus::Pending,
    };
    let channel: Option<String> = r.try_get(10)?;
    let ts: Option<String> = r.try_get(11)?;
    Ok(MappingRequest {
        id: r.try_get(0)?,
        account_id: r.try_get(1)?,
        team_id: r.try_get(2)?,
        user_id: r.try_get(3)?,
        person: SlackPerson {
            slack_user_id: r.try_get(4)?,
            name: r.try_get(5)?,
            email: r.try_get(6)?,
        },
        status,
        created_at: r.try_get(8)?,
        expires_at,
        message: channel.zip(ts),
    })
}

/// Creates a pending request on `conn`, superseding the hub user's
/// earlier pending ones. Returns its id.
pub async fn create_mapping_request_on(
    conn: &mut AnyConnection,
    account_id: i64,
    team_id: &str,
    user_id: i64,
    person: &SlackPerson,
    now: Millis,
) -> StoreResult<i64> {
    sqlx::query(
        "UPDATE slack_mapping_requests SET status = 'superseded', decided_at = $1 \
         WHERE account_id = $2 AND user_id = $3 AND status = 'pending'",
    )
    .bind(now)
    .bind(account_id)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query_scalar(
        "INSERT INTO slack_mapping_requests (account_id, team_id, user_id, slack_user_id, \
         slack_name, slack_email, status, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8) RETURNING id",
    )
    .bind(account_id)
    .bind(team_id)
    .bind(user_id)
    .bind(&person.slack_user_id)
    .bind(&person.name)
    .bind(&person.email)
    .bind(now)
    .bind(now + SLACK_MAPPING_TTL_MS)
    .fetch_one(conn)
    .await?)
}

/// A request, read on `conn` (inside the caller's transaction), as it
/// stands at `now`.
pub async fn mapping_request_on(
    conn: &mut AnyConnection,
    account_id: i64,
    id: i64,
    now: Millis,
) -> StoreResult<Option<MappingRequest>> {
    let row = sqlx::query(&format!(
        "SELECT {REQUEST_COLUMNS} FROM slack_mapping_requests WHERE account_id = $1 AND id = $2"
    ))
    .bind(account_id)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| request_from_row(&r, now)).transpose()?)
}

/// Marks a pending request confirmed on `conn`.
pub async fn mark_mapping_request_confirmed_on(
    conn: &mut AnyConnection,
    id: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE slack_mapping_requests SET status = 'confirmed', decided_at = $1 \
         WHERE id = $2 AND status = 'pending'",
    )
    .bind(now_millis())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// How a hub user stands with a workspace, if the hub has checked.
    pub async fn slack_link(
        &self,
        account_id: i64,
        team_id: &str,
        user_id: i64,
    ) -> StoreResult<Option<SlackLink>> {
        let row = sqlx::query(&format!(
            "SELECT {LINK_COLUMNS} FROM slack_user_links \
             WHERE account_id = $1 AND team_id = $2 AND user_id = $3"
        ))
        .bind(account_id)
        .bind(team_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| link_from_row(&r)).transpose()?)
    }

    /// Every hub user's standing with a workspace: (user id, link).
    pub async fn slack_links(
        &self,
        account_id: i64,
        team_id: &str,
    ) -> StoreResult<Vec<(i64, SlackLink)>> {
        let rows = sqlx::query(&format!(
            "SELECT {LINK_COLUMNS}, user_id FROM slack_user_links \
             WHERE account_id = $1 AND team_id = $2 ORDER BY user_id"
        ))
        .bind(account_id)
        .bind(team_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(5)?, link_from_row(r)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// The direct-message channel the app last opened with the user's
    /// mapped Slack user (kept so that `conversations.open`, a tier 3
    /// method, is called once per person, not once per message).
    pub async fn slack_dm_channel(
        &self,
        account_id: i64,
        team_id: &str,
        user_id: i64,
    ) -> StoreResult<Option<String>> {
        let found: Option<Option<String>> = sqlx::query_scalar(
            "SELECT dm_channel FROM slack_user_links \
             WHERE account_id = $1 AND team_id = $2 AND user_id = $3 AND status = 'mapped'",
        )
        .bind(account_id)
        .bind(team_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.flatten())
    }

    /// Remembers the direct-message channel opened with the mapped Slack
    /// user `slack_user_id` (unless the mapping changed meanwhile).
    pub async fn remember_slack_dm_channel(
        &self,
        account_id: i64,
        team_id: &str,
        user_id: i64,
        slack_user_id: &str,
        channel: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE slack_user_links SET dm_channel = $1 \
             WHERE account_id = $2 AND team_id = $3 AND user_id = $4 AND slack_user_id = $5",
        )
        .bind(channel)
        .bind(account_id)
        .bind(team_id)
        .bind(user_id)
        .bind(slack_user_id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// The hub user a Slack user is mapped to in this account.
    pub async fn hub_user_for_slack_user(
        &self,
        account_id: i64,
        team_id: &str,
        slack_user_id: &str,
    ) -> StoreResult<Option<i64>> {
        let mut conn = self.pool.acquire().await?;
        hub_user_of(&mut conn, account_id, team_id, slack_user_id).await
    }

    /// Maps a hub user to a Slack user whose email matched.
    pub async fn map_slack_user_by_email(
        &self,
        account_id: i64,
        team_id: &str,
        user_id: i64,
        person: &SlackPerson,
    ) -> StoreResult<Result<(), MappingRefused>> {
        let mut tx = self.writer_tx().await?;
        let done = map_slack_user_on(&mut tx, account_id, team_id, user_id, person, false).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// A request by id, within the account, as it stands at `now`.
    pub async fn mapping_request(
        &self,
        account_id: i64,
        id: i64,
        now: Millis,
    ) -> StoreResult<Option<MappingRequest>> {
        let mut conn = self.pool.acquire().await?;
        mapping_request_on(&mut conn, account_id, id, now).await
    }

    /// The hub user's latest request to a workspace, as it stands at `now`.
    pub async fn latest_mapping_request(
        &self,
        account_id: i64,
        team_id: &str,
        user_id: i64,
        now: Millis,
    ) -> StoreResult<Option<MappingRequest>> {
        let row = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM slack_mapping_requests \
             WHERE account_id = $1 AND team_id = $2 AND user_id = $3 ORDER BY id DESC LIMIT 1"
        ))
        .bind(account_id)
        .bind(team_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| request_from_row(&r, now)).transpose()?)
    }

    /// Remembers the direct message that carries a request's button.
    pub async fn set_mapping_request_message(
        &self,
        id: i64,
        channel: &str,
        ts: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE slack_mapping_requests SET dm_channel = $1, dm_ts = $2 WHERE id = $3")
            .bind(channel)
            .bind(ts)
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}

impl Store {
    /// Remembers what a direct message the app posted shows (a
    /// notification, as the application layer encodes it), so that a
    /// button pressed on it can draw it again.
    pub async fn remember_slack_notice_message(
        &self,
        account_id: i64,
        channel: &str,
        ts: &str,
        notice: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO slack_notice_messages (account_id, channel, ts, notice, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, channel, ts) DO NOTHING",
        )
        .bind(account_id)
        .bind(channel)
        .bind(ts)
        .bind(notice)
        .bind(now_millis())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// What the app's message `ts` in `channel` shows, if the hub posted
    /// it for the account.
    pub async fn slack_notice_message(
        &self,
        account_id: i64,
        channel: &str,
        ts: &str,
    ) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT notice FROM slack_notice_messages \
             WHERE account_id = $1 AND channel = $2 AND ts = $3",
        )
        .bind(account_id)
        .bind(channel)
        .bind(ts)
        .fetch_optional(&self.pool)
        .await?)
    }
}
