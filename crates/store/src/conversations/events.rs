//! What a visitor's widget is told, in order (the ids are the live
//! stream's event ids, from which a widget resumes), and the live push
//! that tells other replicas a conversation has news.

use hubbub_hub::timestamp::Millis;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Backend, Store, StoreResult};

/// The PostgreSQL channel live pushes travel on between replicas; the
/// payload is the conversation's id.
pub const LIVE_CHANNEL: &str = "hubbub_live";

/// One thing a visitor's widget is told.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationEvent {
    pub id: i64,
    pub conversation_id: i64,
    pub kind: String,
    /// JSON, as the widget reads it.
    pub payload: String,
    pub created_at: Millis,
}

fn event_from_row(r: &AnyRow) -> Result<ConversationEvent, sqlx::Error> {
    Ok(ConversationEvent {
        id: r.try_get(0)?,
        conversation_id: r.try_get(1)?,
        kind: r.try_get(2)?,
        payload: r.try_get(3)?,
        created_at: r.try_get(4)?,
    })
}

/// Appends an event to what the conversation's widget is told.
pub async fn add_event_on(
    conn: &mut AnyConnection,
    conversation_id: i64,
    kind: &str,
    payload: &str,
    now: Millis,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO conversation_events (conversation_id, kind, payload, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(conversation_id)
    .bind(kind)
    .bind(payload)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// Tells the other replicas, when the transaction commits, that the
/// conversation has news for its widget (PostgreSQL's NOTIFY is delivered
/// at commit, and not at all on rollback). SQLite runs one process, which
/// pushes in memory.
pub async fn notify_live_on(
    conn: &mut AnyConnection,
    backend: Backend,
    conversation_id: i64,
) -> StoreResult<()> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(LIVE_CHANNEL)
            .bind(conversation_id.to_string())
            .execute(conn)
            .await?;
    }
    Ok(())
}

impl Store {
    /// What the conversation's widget is told after event `after`, oldest
    /// first, at most `limit`.
    pub async fn events_after(
        &self,
        conversation_id: i64,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<ConversationEvent>> {
        let rows = sqlx::query(
            "SELECT id, conversation_id, kind, payload, created_at FROM conversation_events \
             WHERE conversation_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(conversation_id)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(event_from_row).collect::<Result<_, _>>()?)
    }

    /// Waits for live pushes from other replicas (PostgreSQL only): each
    /// item is a conversation with news. `None` on SQLite.
    pub async fn listen_live(&self) -> StoreResult<Option<sqlx::postgres::PgListener>> {
        let Some(url) = self.postgres_url() else {
            return Ok(None);
        };
        let mut listener = sqlx::postgres::PgListener::connect(url).await?;
        listener.listen(LIVE_CHANNEL).await?;
        Ok(Some(listener))
    }
}
