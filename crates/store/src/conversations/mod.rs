//! Conversations: website visitors, their chats with the team, the
//! messages, the events a visitor's widget is told (in order, resumable),
//! and each conversation's Slack thread.
//!
//! Writes are `*_on` functions on the caller's transaction
//! ([`crate::WriteTx`]): the application layer puts a message, the events
//! it causes for the widget, the jobs that post it to Slack and the live
//! push to other replicas ([`notify_live_on`]) in one commit.
//!
//! - [`visitors`]: who writes, and the inbox's widget settings;
//! - [`messages`]: what is written, its delivery and its place in Slack;
//! - [`events`]: what the widget is told, and the live push;
//! - here: the conversations themselves (status, assignee, contact, the
//!   Slack thread and its lock).

mod events;
mod messages;
mod visitors;

pub use events::*;
pub use messages::*;
pub use visitors::*;

use hubbub_hub::conversation::{Author, Status};
use hubbub_hub::timestamp::Millis;
use hubbub_hub::HubError;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Store, StoreResult};

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

const CONVERSATION_COLUMNS: &str = "id, account_id, inbox_id, visitor_id, contact_id, status, \
     assignee_id, page_url, created_at, updated_at, closed_at, last_message_at, version, \
     slack_team_id, slack_channel_id, slack_root_ts, slack_drawn_version";

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

fn conversation_not_found(id: i64) -> HubError {
    HubError::NotFound(format!("Conversation {id} does not exist"))
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

impl Store {
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
}
