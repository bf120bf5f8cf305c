//! Conversations: website visitors, their chats with the team, the
//! messages, the events a visitor's widget is told (in order, resumable),
//! and each conversation's Slack thread.
//!
//! Writes are `*_on` functions on the caller's transaction
//! ([`crate::WriteTx`]): the application layer puts a message, the events
//! it causes for the widget, the jobs that post it to Slack and the live
//! push to other replicas ([`notify_live_on`]) in one commit.

use hubbub_hub::conversation::{Author, Delivery, Status};
use hubbub_hub::timestamp::Millis;
use hubbub_hub::HubError;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Backend, Store, StoreResult};

/// The PostgreSQL channel live pushes travel on between replicas; the
/// payload is the conversation's id.
pub const LIVE_CHANNEL: &str = "hubbub_live";

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

/// Where a conversation's thread is in Slack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackThread {
    pub team_id: String,
    pub channel_id: String,
    pub root_ts: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    pub id: i64,
    pub account_id: i64,
    pub inbox_id: i64,
    pub visitor_id: i64,
    pub contact_id: Option<i64>,
    pub status: Status,
    pub assignee_id: Option<i64>,
    pub page_url: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub closed_at: Option<Millis>,
    pub last_message_at: Millis,
    /// Counts the changes the Slack root message shows.
    pub version: i64,
    pub thread: Option<SlackThread>,
    /// The version the root message shows now.
    pub slack_drawn_version: i64,
}

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

/// Which conversations a list shows.
#[derive(Debug, Clone, Default)]
pub struct ConversationFilter {
    pub status: Option<Status>,
    /// `Some(None)`: unassigned ones.
    pub assignee: Option<Option<i64>>,
    pub inbox_id: Option<i64>,
    /// Only the conversations of this contact.
    pub contact_id: Option<i64>,
    /// Only conversations with an id above this (the API's paging).
    pub after_id: Option<i64>,
    /// Only conversations after this one (its latest activity and id) in
    /// the latest-activity-first order (the inbox page's paging).
    pub before: Option<(Millis, i64)>,
}

/// What the inbox's list shows of a conversation besides the
/// conversation itself: who wrote, and the latest message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConversationPreview {
    pub visitor_name: Option<String>,
    pub visitor_email: Option<String>,
    /// The latest message (a note too), if any, and the hub user who
    /// wrote it.
    pub last_author: Option<Author>,
    pub last_user_id: Option<i64>,
    pub last_text: Option<String>,
}

const VISITOR_COLUMNS: &str =
    "id, account_id, inbox_id, name, email, contact_id, created_at, last_seen_at";

const CONVERSATION_COLUMNS: &str = "id, account_id, inbox_id, visitor_id, contact_id, status, \
     assignee_id, page_url, created_at, updated_at, closed_at, last_message_at, version, \
     slack_team_id, slack_channel_id, slack_root_ts, slack_drawn_version";

pub(crate) const MESSAGE_COLUMNS: &str = "id, conversation_id, author, user_id, text, via, created_at, \
     slack_ts, slack_state, delivery, delivery_reason, slack_delivery_shown, seen_by_agent_at, client_ref";

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

fn conversation_from_row(r: &AnyRow) -> Result<Conversation, sqlx::Error> {
    let status: String = r.try_get(5)?;
    let team: Option<String> = r.try_get(13)?;
    let channel: Option<String> = r.try_get(14)?;
    let root: Option<String> = r.try_get(15)?;
    let thread = match (team, channel, root) {
        (Some(team_id), Some(channel_id), Some(root_ts)) => Some(SlackThread {
            team_id,
            channel_id,
            root_ts,
        }),
        _ => None,
    };
    Ok(Conversation {
        id: r.try_get(0)?,
        account_id: r.try_get(1)?,
        inbox_id: r.try_get(2)?,
        visitor_id: r.try_get(3)?,
        contact_id: r.try_get(4)?,
        status: Status::parse(&status).unwrap_or(Status::Open),
        assignee_id: r.try_get(6)?,
        page_url: r.try_get(7)?,
        created_at: r.try_get(8)?,
        updated_at: r.try_get(9)?,
        closed_at: r.try_get(10)?,
        last_message_at: r.try_get(11)?,
        version: r.try_get(12)?,
        thread,
        slack_drawn_version: r.try_get(16)?,
    })
}

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

fn event_from_row(r: &AnyRow) -> Result<ConversationEvent, sqlx::Error> {
    Ok(ConversationEvent {
        id: r.try_get(0)?,
        conversation_id: r.try_get(1)?,
        kind: r.try_get(2)?,
        payload: r.try_get(3)?,
        created_at: r.try_get(4)?,
    })
}

fn conversation_not_found(id: i64) -> HubError {
    HubError::NotFound(format!("Conversation {id} does not exist"))
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

/// The visitor's latest conversation, read on the caller's transaction.
pub async fn latest_conversation_on(
    conn: &mut AnyConnection,
    visitor_id: i64,
) -> StoreResult<Option<Conversation>> {
    let row = sqlx::query(&format!(
        "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE visitor_id = $1 ORDER BY id DESC LIMIT 1"
    ))
    .bind(visitor_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(conversation_from_row).transpose()?)
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

/// Opens a conversation for a visitor.
pub async fn open_conversation_on(
    conn: &mut AnyConnection,
    visitor: &Visitor,
    page_url: Option<&str>,
    now: Millis,
) -> StoreResult<Conversation> {
    let row = sqlx::query(&format!(
        "INSERT INTO conversations (account_id, inbox_id, visitor_id, contact_id, status, page_url, \
         created_at, updated_at, last_message_at) VALUES ($1, $2, $3, $4, 'open', $5, $6, $6, $6) \
         RETURNING {CONVERSATION_COLUMNS}"
    ))
    .bind(visitor.account_id)
    .bind(visitor.inbox_id)
    .bind(visitor.id)
    .bind(visitor.contact_id)
    .bind(page_url)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(conversation_from_row(&row)?)
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

/// Changes a conversation's status or assignee (`None` leaves it as it
/// is; `Some(None)` unassigns), counting a change its Slack root message
/// shows. Answers the conversation as it is now, and whether anything
/// changed.
pub async fn change_conversation_on(
    conn: &mut AnyConnection,
    account_id: i64,
    conversation_id: i64,
    status: Option<Status>,
    assignee: Option<Option<i64>>,
    now: Millis,
) -> StoreResult<(Conversation, bool)> {
    let before = conversation_on(conn, account_id, conversation_id).await?;
    let status = status.unwrap_or(before.status);
    let assignee_id = assignee.unwrap_or(before.assignee_id);
    if status == before.status && assignee_id == before.assignee_id {
        return Ok((before, false));
    }
    let closed_at = match status {
        Status::Closed if before.status == Status::Closed => before.closed_at,
        Status::Closed => Some(now),
        Status::Open => None,
    };
    let row = sqlx::query(&format!(
        "UPDATE conversations SET status = $3, assignee_id = $4, closed_at = $5, updated_at = $6, \
         version = version + 1 WHERE id = $1 AND account_id = $2 RETURNING {CONVERSATION_COLUMNS}"
    ))
    .bind(conversation_id)
    .bind(account_id)
    .bind(status.as_str())
    .bind(assignee_id)
    .bind(closed_at)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok((conversation_from_row(&row)?, true))
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

/// Moves agents' messages up to `up_to` (by id) to `delivery` when they
/// are behind it; answers the messages that moved.
pub async fn advance_delivery_on(
    conn: &mut AnyConnection,
    conversation_id: i64,
    up_to: i64,
    delivery: Delivery,
) -> StoreResult<Vec<Message>> {
    let behind: &[&str] = match delivery {
        Delivery::Delivered => &["sent"],
        Delivery::Seen => &["sent", "delivered"],
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
        "UPDATE conversation_messages SET delivery = $3 WHERE conversation_id = $1 AND id <= $2 \
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

/// Marks one agent's message as failed, with why.
pub async fn fail_delivery_on(
    conn: &mut AnyConnection,
    message_id: i64,
    reason: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE conversation_messages SET delivery = 'failed', delivery_reason = $2 \
         WHERE id = $1 AND author = 'agent' AND delivery IN ('sent', 'delivered')",
    )
    .bind(message_id)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(())
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

/// The conversation, read on the caller's transaction.
pub async fn conversation_on(
    conn: &mut AnyConnection,
    account_id: i64,
    conversation_id: i64,
) -> StoreResult<Conversation> {
    let row = sqlx::query(&format!(
        "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = $1 AND account_id = $2"
    ))
    .bind(conversation_id)
    .bind(account_id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| conversation_not_found(conversation_id))?;
    Ok(conversation_from_row(&row)?)
}

/// The conversation whose Slack thread starts at `root_ts`.
pub async fn conversation_by_thread_on(
    conn: &mut AnyConnection,
    account_id: i64,
    team_id: &str,
    channel_id: &str,
    root_ts: &str,
) -> StoreResult<Option<Conversation>> {
    let row = sqlx::query(&format!(
        "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE account_id = $1 \
         AND slack_team_id = $2 AND slack_channel_id = $3 AND slack_root_ts = $4"
    ))
    .bind(account_id)
    .bind(team_id)
    .bind(channel_id)
    .bind(root_ts)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(conversation_from_row).transpose()?)
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

    /// Notes that the visitor's widget is connected now.
    pub async fn touch_visitor(&self, visitor_id: i64, now: Millis) -> StoreResult<()> {
        sqlx::query("UPDATE visitors SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2")
            .bind(visitor_id)
            .bind(now)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// The visitor's latest conversation.
    pub async fn latest_conversation(&self, visitor_id: i64) -> StoreResult<Option<Conversation>> {
        let mut conn = self.pool.acquire().await?;
        latest_conversation_on(&mut conn, visitor_id).await
    }

    pub async fn conversation(&self, account_id: i64, id: i64) -> StoreResult<Conversation> {
        let mut conn = self.pool.acquire().await?;
        conversation_on(&mut conn, account_id, id).await
    }

    /// The account's conversations the filter lets through: by the API's
    /// paging (ascending ids) when `after_id` is set, else the latest
    /// activity first.
    pub async fn conversations(
        &self,
        account_id: i64,
        filter: &ConversationFilter,
        limit: i64,
    ) -> StoreResult<Vec<Conversation>> {
        let mut sql = crate::sql::Sql::new(&format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE account_id = "
        ));
        sql.bind(account_id);
        if let Some(status) = filter.status {
            sql.push(" AND status = ").bind(status.as_str().to_owned());
        }
        match filter.assignee {
            Some(Some(user)) => {
                sql.push(" AND assignee_id = ").bind(user);
            }
            Some(None) => {
                sql.push(" AND assignee_id IS NULL");
            }
            None => {}
        }
        if let Some(inbox) = filter.inbox_id {
            sql.push(" AND inbox_id = ").bind(inbox);
        }
        if let Some(contact) = filter.contact_id {
            sql.push(" AND contact_id = ").bind(contact);
        }
        if let Some((at, id)) = filter.before {
            sql.push(" AND (last_message_at < ").bind(at);
            sql.push(" OR (last_message_at = ").bind(at);
            sql.push(" AND id < ").bind(id);
            sql.push("))");
        }
        match filter.after_id {
            Some(after) => {
                sql.push(" AND id > ").bind(after);
                sql.push(" ORDER BY id");
            }
            None => {
                sql.push(" ORDER BY last_message_at DESC, id DESC");
            }
        }
        sql.push(" LIMIT ").bind(limit);
        let rows = sql.query().fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(conversation_from_row)
            .collect::<Result<_, _>>()?)
    }

    /// The list's previews of the account's conversations `ids`, by id, in
    /// one read: each conversation's visitor and latest message.
    pub async fn conversation_previews(
        &self,
        account_id: i64,
        ids: &[i64],
    ) -> StoreResult<std::collections::HashMap<i64, ConversationPreview>> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let mut sql = crate::sql::Sql::new(
            "SELECT c.id, v.name, v.email, m.author, m.user_id, m.text FROM conversations c \
             JOIN visitors v ON v.id = c.visitor_id \
             LEFT JOIN conversation_messages m ON m.id = \
             (SELECT MAX(l.id) FROM conversation_messages l WHERE l.conversation_id = c.id) \
             WHERE c.account_id = ",
        );
        sql.bind(account_id)
            .push(" AND c.id IN ")
            .bind_list(ids.iter().copied());
        let rows = sql.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let author: Option<String> = r.try_get(3)?;
                Ok((
                    r.try_get(0)?,
                    ConversationPreview {
                        visitor_name: r.try_get(1)?,
                        visitor_email: r.try_get(2)?,
                        last_author: author.as_deref().and_then(Author::parse),
                        last_user_id: r.try_get(4)?,
                        last_text: r.try_get(5)?,
                    },
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

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

    /// Takes the conversation's Slack lock until `until` when no one holds
    /// it: one job at a time posts to a conversation's thread.
    pub async fn lock_conversation_for_slack(
        &self,
        conversation_id: i64,
        now: Millis,
        until: Millis,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE conversations SET slack_lock_until = $3 WHERE id = $1 \
             AND (slack_lock_until IS NULL OR slack_lock_until < $2)",
        )
        .bind(conversation_id)
        .bind(now)
        .bind(until)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn unlock_conversation_for_slack(&self, conversation_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE conversations SET slack_lock_until = NULL WHERE id = $1")
            .bind(conversation_id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Records where the conversation's thread is, once its root message
    /// was posted.
    pub async fn set_slack_thread(
        &self,
        conversation_id: i64,
        thread: &SlackThread,
        drawn_version: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE conversations SET slack_team_id = $2, slack_channel_id = $3, slack_root_ts = $4, \
             slack_drawn_version = $5 WHERE id = $1",
        )
        .bind(conversation_id)
        .bind(&thread.team_id)
        .bind(&thread.channel_id)
        .bind(&thread.root_ts)
        .bind(drawn_version)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Records the version the root message shows now.
    pub async fn set_slack_drawn_version(
        &self,
        conversation_id: i64,
        version: i64,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE conversations SET slack_drawn_version = $2 WHERE id = $1 AND slack_drawn_version < $2")
            .bind(conversation_id)
            .bind(version)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// The conversation's messages still to post to its thread, oldest
    /// first.
    pub async fn messages_to_post(&self, conversation_id: i64) -> StoreResult<Vec<Message>> {
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM conversation_messages WHERE conversation_id = $1 \
             AND slack_state = 'pending' ORDER BY id"
        ))
        .bind(conversation_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(message_from_row)
            .collect::<Result<_, _>>()?)
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

    /// The account's open conversations with a thread in `channel_id`
    /// (to tell admins what a lost channel holds).
    pub async fn conversations_in_channel(
        &self,
        account_id: i64,
        team_id: &str,
        channel_id: &str,
    ) -> StoreResult<Vec<Conversation>> {
        let rows = sqlx::query(&format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE account_id = $1 \
             AND slack_team_id = $2 AND slack_channel_id = $3 AND status = 'open' ORDER BY id"
        ))
        .bind(account_id)
        .bind(team_id)
        .bind(channel_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(conversation_from_row)
            .collect::<Result<_, _>>()?)
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

fn split_origins(origins: &str) -> Vec<String> {
    origins
        .lines()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
        .collect()
}
