//! Website visitors, who prove who they are with the widget's own secret
//! (only its hash is kept), and the inbox settings the widget reads: its
//! public key and the websites allowed to embed it.

use hubbub_hub::timestamp::Millis;
use hubbub_hub::HubError;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Store, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Visitor {
    pub id: i64,
    pub account_id: i64,
    pub inbox_id: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub contact_id: Option<i64>,
    pub created_at: Millis,
    pub last_seen_at: Millis,
}

const VISITOR_COLUMNS: &str =
    "id, account_id, inbox_id, name, email, contact_id, created_at, last_seen_at";

fn visitor_from_row(r: &AnyRow) -> Result<Visitor, sqlx::Error> {
    Ok(Visitor {
        id: r.try_get(0)?,
        account_id: r.try_get(1)?,
        inbox_id: r.try_get(2)?,
        name: r.try_get(3)?,
        email: r.try_get(4)?,
        contact_id: r.try_get(5)?,
        created_at: r.try_get(6)?,
        last_seen_at: r.try_get(7)?,
    })
}

/// Adds a visitor, who proves who they are with the secret whose hash is
/// `token_hash`.
pub async fn create_visitor_on(
    conn: &mut AnyConnection,
    account_id: i64,
    inbox_id: i64,
    token_hash: &str,
    name: Option<&str>,
    email: Option<&str>,
    now: Millis,
) -> StoreResult<Visitor> {
    let row = sqlx::query(&format!(
        "INSERT INTO visitors (account_id, inbox_id, token_hash, name, email, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {VISITOR_COLUMNS}"
    ))
    .bind(account_id)
    .bind(inbox_id)
    .bind(token_hash)
    .bind(name)
    .bind(email)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(visitor_from_row(&row)?)
}

/// The inbox's visitor whose secret hashes to `token_hash`, read on the
/// caller's transaction.
pub async fn visitor_by_token_on(
    conn: &mut AnyConnection,
    inbox_id: i64,
    token_hash: &str,
) -> StoreResult<Option<Visitor>> {
    let row = sqlx::query(&format!(
        "SELECT {VISITOR_COLUMNS} FROM visitors WHERE token_hash = $1 AND inbox_id = $2"
    ))
    .bind(token_hash)
    .bind(inbox_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(visitor_from_row).transpose()?)
}

/// Records the contact a visitor turned out to be (and the name and
/// email they gave, when they gave them).
pub async fn identify_visitor_on(
    conn: &mut AnyConnection,
    visitor_id: i64,
    name: Option<&str>,
    email: Option<&str>,
    contact_id: Option<i64>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE visitors SET name = COALESCE($2, name), email = COALESCE($3, email), \
         contact_id = COALESCE($4, contact_id) WHERE id = $1",
    )
    .bind(visitor_id)
    .bind(name)
    .bind(email)
    .bind(contact_id)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// The inbox whose widget key this is, and the origins allowed to
    /// embed it.
    pub async fn inbox_by_public_key(
        &self,
        key: &str,
    ) -> StoreResult<Option<(crate::Inbox, Vec<String>)>> {
        let row = sqlx::query(
            "SELECT id, account_id, name, created_at, allowed_origins FROM inboxes WHERE public_key = $1",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let inbox = crate::Inbox {
            id: row.try_get(0)?,
            account_id: row.try_get(1)?,
            name: row.try_get(2)?,
            created_at: row.try_get(3)?,
        };
        let origins: String = row.try_get(4)?;
        Ok(Some((inbox, split_origins(&origins))))
    }

    /// The inbox's widget key and allowed origins.
    pub async fn inbox_widget(
        &self,
        account_id: i64,
        inbox_id: i64,
    ) -> StoreResult<(String, Vec<String>)> {
        let row = sqlx::query(
            "SELECT public_key, allowed_origins FROM inboxes WHERE id = $1 AND account_id = $2",
        )
        .bind(inbox_id)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| HubError::NotFound(format!("Inbox {inbox_id} does not exist")))?;
        let origins: String = row.try_get(1)?;
        Ok((row.try_get(0)?, split_origins(&origins)))
    }

    /// Sets the origins allowed to embed the inbox's widget.
    pub async fn set_inbox_origins(
        &self,
        account_id: i64,
        inbox_id: i64,
        origins: &[String],
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE inboxes SET allowed_origins = $3 WHERE id = $1 AND account_id = $2",
        )
        .bind(inbox_id)
        .bind(account_id)
        .bind(origins.join("\n"))
        .execute(&self.writer)
        .await?;
        if done.rows_affected() == 0 {
            return Err(HubError::NotFound(format!("Inbox {inbox_id} does not exist")).into());
        }
        Ok(())
    }

    /// The visitor of `inbox_id` whose secret hashes to `token_hash`.
    pub async fn visitor_by_token(
        &self,
        inbox_id: i64,
        token_hash: &str,
    ) -> StoreResult<Option<Visitor>> {
        let mut conn = self.pool.acquire().await?;
        visitor_by_token_on(&mut conn, inbox_id, token_hash).await
    }

    pub async fn visitor(&self, account_id: i64, visitor_id: i64) -> StoreResult<Visitor> {
        let row = sqlx::query(&format!(
            "SELECT {VISITOR_COLUMNS} FROM visitors WHERE id = $1 AND account_id = $2"
        ))
        .bind(visitor_id)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| HubError::NotFound(format!("Visitor {visitor_id} does not exist")))?;
        Ok(visitor_from_row(&row)?)
    }
}

fn split_origins(origins: &str) -> Vec<String> {
    origins
        .lines()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
        .collect()
}
