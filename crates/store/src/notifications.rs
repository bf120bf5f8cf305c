//! In-app notifications: any part of the hub raises one for a user; the
//! user reads and dismisses them in the web app.

use hubbub_hub::timestamp::now_millis;
use hubbub_hub::{HubError, Topic};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Store, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: i64,
    pub topic: String,
    pub title: String,
    pub body: String,
    /// Where "View" leads, a path inside the hub.
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// What raising a notification takes.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub user_id: i64,
    pub topic: Topic,
    pub title: String,
    pub body: String,
    pub link: String,
}

fn from_row(r: &AnyRow) -> Result<Notification, sqlx::Error> {
    Ok(Notification {
        id: r.try_get(0)?,
        topic: r.try_get(1)?,
        title: r.try_get(2)?,
        body: r.try_get(3)?,
        link: r.try_get(4)?,
        created_at: r.try_get(5)?,
        read_at: r.try_get(6)?,
    })
}

/// Raises a notification on `conn`, which may be inside the caller's
/// transaction (pass `&mut *tx`): it then exists exactly when that
/// transaction's change does. The user must belong to the account.
pub async fn notify_on(
    conn: &mut AnyConnection,
    account_id: i64,
    n: NewNotification,
) -> StoreResult<i64> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND account_id = $2")
            .bind(n.user_id)
            .bind(account_id)
            .fetch_optional(&mut *conn)
            .await?;
    if found.is_none() {
        return Err(HubError::NotFound(format!("User {} does not exist", n.user_id)).into());
    }
    Ok(sqlx::query_scalar(
        "INSERT INTO notifications (account_id, user_id, topic, title, body, link, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(account_id)
    .bind(n.user_id)
    .bind(n.topic.as_str())
    .bind(n.title)
    .bind(n.body)
    .bind(n.link)
    .bind(now_millis())
    .fetch_one(conn)
    .await?)
}

/// Whether the user was notified on `topic` at or after `since`, read on
/// `conn` (inside the caller's transaction): for notices that go out once.
pub async fn notified_since_on(
    conn: &mut AnyConnection,
    user_id: i64,
    topic: Topic,
    since: i64,
) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM notifications WHERE user_id = $1 AND topic = $2 AND created_at >= $3 \
         LIMIT 1",
    )
    .bind(user_id)
    .bind(topic.as_str())
    .bind(since)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

impl Store {
    /// The user's newest notifications, unread and read.
    pub async fn notifications(&self, user_id: i64, limit: i64) -> StoreResult<Vec<Notification>> {
        let rows = sqlx::query(
            "SELECT id, topic, title, body, link, created_at, read_at FROM notifications \
             WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    pub async fn unread_notifications(&self, user_id: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Marks one of the user's notifications read (a second time changes
    /// nothing) and returns where it leads; another user's is a 404.
    pub async fn mark_notification_read(&self, user_id: i64, id: i64) -> StoreResult<String> {
        let link: Option<String> = sqlx::query_scalar(
            "UPDATE notifications SET read_at = COALESCE(read_at, $1) \
             WHERE id = $2 AND user_id = $3 RETURNING link",
        )
        .bind(now_millis())
        .bind(id)
        .bind(user_id)
        .fetch_optional(&self.writer)
        .await?;
        link.ok_or_else(|| HubError::NotFound(format!("Notification {id} does not exist")).into())
    }

    pub async fn mark_all_notifications_read(&self, user_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(now_millis())
            .bind(user_id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
