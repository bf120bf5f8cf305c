//! A conversation's messages: the visitor's, the agents' answers with how
//! far each got to the visitor, private notes, and where each is in the
//! Slack thread.

use hubbub_hub::conversation::{Author, Delivery};
use hubbub_hub::timestamp::Millis;
use hubbub_hub::HubError;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Store, StoreResult};

/// Whether a message still has to be posted to the Slack thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlackState {
    Pending,
    Posted,
    /// Typed in Slack, or not for Slack.
    None,
}

impl SlackState {
    fn as_str(self) -> &'static str {
        match self {
            SlackState::Pending => "pending",
            SlackState::Posted => "posted",
            SlackState::None => "none",
        }
    }

    fn parse(s: &str) -> SlackState {
        match s {
            "pending" => SlackState::Pending,
            "posted" => SlackState::Posted,
            _ => SlackState::None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: i64,
    pub conversation_id: i64,
    pub author: Author,
    /// The hub user who wrote it (agents and notes).
    pub user_id: Option<i64>,
    pub text: String,
    /// Where it was written: `widget`, `hub`, `slack`, `api`.
    pub via: String,
    pub created_at: Millis,
    pub slack_ts: Option<String>,
    pub slack_state: SlackState,
    /// For agents' messages: how far it got to the visitor.
    pub delivery: Option<Delivery>,
    pub delivery_reason: Option<String>,
    /// The delivery the Slack thread's reaction shows.
    pub slack_delivery_shown: Option<Delivery>,
    /// For visitors' messages: when an agent saw it.
    pub seen_by_agent_at: Option<Millis>,
    /// For visitors' messages: the widget's own id for it.
    pub client_ref: Option<String>,
}

/// A message to add.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub author: Author,
    pub user_id: Option<i64>,
    pub text: &'a str,
    pub via: &'a str,
    /// Set when it was typed in the Slack thread (it is there already).
    pub slack_ts: Option<&'a str>,
    /// Whether the hub posts it to the thread.
    pub post_to_slack: bool,
    /// The widget's own id for it: the same id again is the same message.
    pub client_ref: Option<&'a str>,
}

pub(crate) const MESSAGE_COLUMNS: &str = "id, conversation_id, author, user_id, text, via, created_at, \
     slack_ts, slack_state, delivery, delivery_reason, slack_delivery_shown, seen_by_agent_at, client_ref";

pub(crate) fn message_from_row(r: &AnyRow) -> Result<Message, sqlx::Error> {
    let author: String = r.try_get(2)?;
    let state: String = r.try_get(8)?;
    let delivery: Option<String> = r.try_get(9)?;
    let shown: Option<String> = r.try_get(11)?;
    Ok(Message {
        id: r.try_get(0)?,
        conversation_id: r.try_get(1)?,
        author: Author::parse(&author).unwrap_or(Author::Note),
        user_id: r.try_get(3)?,
        text: r.try_get(4)?,
        via: r.try_get(5)?,
        created_at: r.try_get(6)?,
        slack_ts: r.try_get(7)?,
        slack_state: SlackState::parse(&state),
        delivery: delivery.as_deref().and_then(Delivery::parse),
        delivery_reason: r.try_get(10)?,
        slack_delivery_shown: shown.as_deref().and_then(Delivery::parse),
        seen_by_agent_at: r.try_get(12)?,
        client_ref: r.try_get(13)?,
    })
}

/// Adds a message to a conversation and marks the conversation's latest
/// activity. A message whose `client_ref` the conversation holds already
/// is not added again: the one stored is answered, with `false`.
pub async fn add_message_on(
    conn: &mut AnyConnection,
    account_id: i64,
    conversation_id: i64,
    message: &NewMessage<'_>,
    now: Millis,
) -> StoreResult<(Message, bool)> {
    if let Some(client_ref) = message.client_ref {
        let row = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM conversation_messages WHERE conversation_id = $1 AND client_ref = $2"
        ))
        .bind(conversation_id)
        .bind(client_ref)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = row {
            return Ok((message_from_row(&row)?, false));
        }
    }
    let state = if message.post_to_slack {
        SlackState::Pending
    } else {
        SlackState::None
    };
    let delivery = (message.author == Author::Agent).then_some(Delivery::Sent.as_str());
    let row = sqlx::query(&format!(
        "INSERT INTO conversation_messages (account_id, conversation_id, author, user_id, text, via, \
         created_at, slack_ts, slack_state, delivery, client_ref) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {MESSAGE_COLUMNS}"
    ))
    .bind(account_id)
    .bind(conversation_id)
    .bind(message.author.as_str())
    .bind(message.user_id)
    .bind(message.text)
    .bind(message.via)
    .bind(now)
    .bind(message.slack_ts)
    .bind(state.as_str())
    .bind(delivery)
    .bind(message.client_ref)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE conversations SET last_message_at = $2, updated_at = $2 WHERE id = $1")
        .bind(conversation_id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok((message_from_row(&row)?, true))
}

/// Moves agents' messages up to `up_to` (by id) to `delivery` when they
/// are behind it; answers the messages that moved.
pub async fn advance_delivery_on(
    conn: &mut AnyConnection,
    conversation_id: i64,
    up_to: i64,
    delivery: Delivery,
) -> StoreResult<Vec<Message>> {
    // A failed answer still reaches a visitor who comes back to the chat.
    let behind: &[&str] = match delivery {
        Delivery::Delivered => &["sent", "failed"],
        Delivery::Seen => &["sent", "delivered", "failed"],
        Delivery::Sent | Delivery::Failed => &[],
    };
    if behind.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = (0..behind.len())
        .map(|i| format!("${}", i + 4))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "UPDATE conversation_messages SET delivery = $3, delivery_reason = NULL \
         WHERE conversation_id = $1 AND id <= $2 \
         AND author = 'agent' AND delivery IN ({placeholders}) RETURNING {MESSAGE_COLUMNS}"
    );
    let mut query = sqlx::query(&sql)
        .bind(conversation_id)
        .bind(up_to)
        .bind(delivery.as_str());
    for b in behind {
        query = query.bind(*b);
    }
    let rows = query.fetch_all(conn).await?;
    let mut moved = rows
        .iter()
        .map(message_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    moved.sort_by_key(|m| m.id);
    Ok(moved)
}

/// Marks an agent's answer that has not reached the visitor as failed,
/// for `reason`; answers it when it moved (it may have been delivered
/// meanwhile).
pub async fn fail_delivery_on(
    conn: &mut AnyConnection,
    conversation_id: i64,
    message_id: i64,
    reason: &str,
) -> StoreResult<Option<Message>> {
    let sql = format!(
        "UPDATE conversation_messages SET delivery = 'failed', delivery_reason = $3 \
         WHERE conversation_id = $1 AND id = $2 AND author = 'agent' AND delivery = 'sent' \
         RETURNING {MESSAGE_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(conversation_id)
        .bind(message_id)
        .bind(reason)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(message_from_row).transpose()?)
}

/// Marks the visitor's messages not yet seen by an agent as seen;
/// answers their ids.
pub async fn mark_seen_by_agent_on(
    conn: &mut AnyConnection,
    conversation_id: i64,
    now: Millis,
) -> StoreResult<Vec<i64>> {
    let mut ids: Vec<i64> = sqlx::query_scalar(
        "UPDATE conversation_messages SET seen_by_agent_at = $2 WHERE conversation_id = $1 \
         AND author = 'visitor' AND seen_by_agent_at IS NULL RETURNING id",
    )
    .bind(conversation_id)
    .bind(now)
    .fetch_all(conn)
    .await?;
    ids.sort_unstable();
    Ok(ids)
}

/// Whether a message with this `ts` is in the conversation already (one
/// the hub posted there, or a reply taken before).
pub async fn has_slack_message_on(
    conn: &mut AnyConnection,
    conversation_id: i64,
    ts: &str,
) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM conversation_messages WHERE conversation_id = $1 AND slack_ts = $2",
    )
    .bind(conversation_id)
    .bind(ts)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

impl Store {
    /// A conversation's messages, oldest first; notes only when
    /// `with_notes`.
    pub async fn messages(
        &self,
        conversation_id: i64,
        with_notes: bool,
    ) -> StoreResult<Vec<Message>> {
        let notes = if with_notes {
            ""
        } else {
            " AND author <> 'note'"
        };
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM conversation_messages WHERE conversation_id = $1{notes} ORDER BY id"
        ))
        .bind(conversation_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(message_from_row)
            .collect::<Result<_, _>>()?)
    }

    pub async fn message(&self, conversation_id: i64, message_id: i64) -> StoreResult<Message> {
        let row = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM conversation_messages WHERE conversation_id = $1 AND id = $2"
        ))
        .bind(conversation_id)
        .bind(message_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| HubError::NotFound(format!("Message {message_id} does not exist")))?;
        Ok(message_from_row(&row)?)
    }

    /// Records that the hub posted the message to the thread at `ts`.
    pub async fn mark_posted_to_slack(&self, message_id: i64, ts: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE conversation_messages SET slack_state = 'posted', slack_ts = $2 WHERE id = $1",
        )
        .bind(message_id)
        .bind(ts)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Records the delivery the message's reaction in the thread shows.
    pub async fn set_slack_delivery_shown(
        &self,
        message_id: i64,
        shown: Delivery,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE conversation_messages SET slack_delivery_shown = $2 WHERE id = $1")
            .bind(message_id)
            .bind(shown.as_str())
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
