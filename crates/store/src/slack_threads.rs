//! What keeps each conversation's Slack thread exactly once: the root
//! message and every message marked before they are sent (so that a post
//! whose answer was lost is looked for, not sent again), the lock renewed
//! while one job posts, the agents' messages whose reaction is behind, and
//! the channels the app lost, whose conversations wait until it is back.

use hubbub_hub::timestamp::Millis;
use sqlx::{AnyConnection, Row};

use crate::conversations::{message_from_row, MESSAGE_COLUMNS};
use crate::sql::Sql;
use crate::{Message, Store, StoreResult};

/// A message still to post to its thread, and when the hub last sent it
/// without hearing back (`None`: never sent).
#[derive(Debug, Clone, PartialEq)]
pub struct PendingPost {
    pub message: Message,
    pub tried_at: Option<Millis>,
}

/// Where the hub sent a conversation's root message without hearing back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootTried {
    pub team_id: String,
    pub channel_id: String,
}

/// Why the app can no longer post in a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelLoss {
    /// The channel was archived.
    Archived,
    /// The app was removed from the channel, or it is gone.
    Removed,
}

impl ChannelLoss {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelLoss::Archived => "archived",
            ChannelLoss::Removed => "removed",
        }
    }

    fn parse(s: &str) -> ChannelLoss {
        match s {
            "archived" => ChannelLoss::Archived,
            _ => ChannelLoss::Removed,
        }
    }
}

/// Records, on the caller's transaction, that the app lost the channel.
/// True when it was not lost already (the caller tells the admins once).
pub async fn lose_slack_channel_on(
    conn: &mut AnyConnection,
    account_id: i64,
    team_id: &str,
    channel_id: &str,
    loss: ChannelLoss,
    now: Millis,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO slack_lost_channels (account_id, team_id, channel_id, reason, lost_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, team_id, channel_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(team_id)
    .bind(channel_id)
    .bind(loss.as_str())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The app is back in the channel (`None`: every channel of the
/// workspace, when it is connected again). True when one was lost.
pub async fn found_slack_channel_on(
    conn: &mut AnyConnection,
    account_id: i64,
    team_id: &str,
    channel_id: Option<&str>,
) -> StoreResult<bool> {
    let mut sql = Sql::new("DELETE FROM slack_lost_channels WHERE account_id = ");
    sql.bind(account_id).push(" AND team_id = ").bind(team_id);
    if let Some(channel_id) = channel_id {
        sql.push(" AND channel_id = ").bind(channel_id);
    }
    let done = sql.query().execute(conn).await?;
    Ok(done.rows_affected() > 0)
}

/// Whether the channel matters to the account's conversations: an inbox
/// sends new conversations there, or a conversation has its thread there.
pub async fn slack_channel_in_use_on(
    conn: &mut AnyConnection,
    account_id: i64,
    team_id: &str,
    channel_id: &str,
) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT i.account_id FROM inbox_slack s JOIN inboxes i ON i.id = s.inbox_id \
         WHERE i.account_id = $1 AND s.team_id = $2 AND s.channel_id = $3 \
         UNION ALL SELECT account_id FROM conversations WHERE account_id = $1 \
         AND slack_team_id = $2 AND slack_channel_id = $3 LIMIT 1",
    )
    .bind(account_id)
    .bind(team_id)
    .bind(channel_id)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// The account's conversations with something for Slack still to do
/// (messages to post; a root to post or to redraw) that have their thread
/// in `channel_id` or none yet (every channel when `None`).
pub async fn conversations_awaiting_slack_on(
    conn: &mut AnyConnection,
    account_id: i64,
    channel_id: Option<&str>,
) -> StoreResult<Vec<i64>> {
    let mut sql = Sql::new("SELECT c.id FROM conversations c WHERE c.account_id = ");
    sql.bind(account_id);
    if let Some(channel_id) = channel_id {
        sql.push(" AND (c.slack_root_ts IS NULL OR c.slack_channel_id = ")
            .bind(channel_id)
            .push(")");
    }
    sql.push(
        " AND ((c.slack_root_ts IS NOT NULL AND c.version > c.slack_drawn_version) \
         OR EXISTS (SELECT 1 FROM conversation_messages m \
         WHERE m.conversation_id = c.id AND m.slack_state = 'pending')) ORDER BY c.id",
    );
    let rows = sql.query().fetch_all(conn).await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?)
}

impl Store {
    /// Keeps the conversation's Slack lock, taken with
    /// [`Store::lock_conversation_for_slack`], until `until`.
    pub async fn renew_conversation_lock(
        &self,
        conversation_id: i64,
        until: Millis,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE conversations SET slack_lock_until = $2 WHERE id = $1")
            .bind(conversation_id)
            .bind(until)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Records where the conversation's root message is being sent, before
    /// it is sent.
    pub async fn mark_root_tried(
        &self,
        conversation_id: i64,
        tried: &RootTried,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE conversations SET slack_team_id = $2, slack_channel_id = $3 \
             WHERE id = $1 AND slack_root_ts IS NULL",
        )
        .bind(conversation_id)
        .bind(&tried.team_id)
        .bind(&tried.channel_id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Where the conversation's root message was sent without an answer,
    /// if it was.
    pub async fn root_tried(&self, conversation_id: i64) -> StoreResult<Option<RootTried>> {
        let row = sqlx::query(
            "SELECT slack_team_id, slack_channel_id FROM conversations WHERE id = $1 \
             AND slack_root_ts IS NULL AND slack_team_id IS NOT NULL AND slack_channel_id IS NOT NULL",
        )
        .bind(conversation_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(r) => Some(RootTried {
                team_id: r.try_get(0)?,
                channel_id: r.try_get(1)?,
            }),
            None => None,
        })
    }

    /// The conversation's messages still to post to its thread, oldest
    /// first, each with when it was last sent without an answer.
    pub async fn pending_posts(&self, conversation_id: i64) -> StoreResult<Vec<PendingPost>> {
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS}, slack_tried_at FROM conversation_messages \
             WHERE conversation_id = $1 AND slack_state = 'pending' ORDER BY id"
        ))
        .bind(conversation_id)
        .fetch_all(&self.pool)
        .await?;
        let tried_column = MESSAGE_COLUMNS.split(',').count();
        rows.iter()
            .map(|r| {
                Ok(PendingPost {
                    message: message_from_row(r)?,
                    tried_at: r.try_get(tried_column)?,
                })
            })
            .collect()
    }

    /// Records that the message is being sent to its thread, before it is.
    pub async fn mark_post_tried(&self, message_id: i64, now: Millis) -> StoreResult<()> {
        sqlx::query("UPDATE conversation_messages SET slack_tried_at = $2 WHERE id = $1")
            .bind(message_id)
            .bind(now)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// The conversation's answers in its thread whose reaction does not
    /// show their delivery yet, oldest first.
    pub async fn reactions_behind(&self, conversation_id: i64) -> StoreResult<Vec<Message>> {
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM conversation_messages WHERE conversation_id = $1 \
             AND author = 'agent' AND slack_ts IS NOT NULL AND delivery IS NOT NULL \
             AND delivery <> COALESCE(slack_delivery_shown, 'sent') ORDER BY id"
        ))
        .bind(conversation_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(message_from_row)
            .collect::<Result<_, _>>()?)
    }

    /// Why the app lost the channel, if it did.
    pub async fn slack_channel_loss(
        &self,
        account_id: i64,
        team_id: &str,
        channel_id: &str,
    ) -> StoreResult<Option<ChannelLoss>> {
        let reason: Option<String> = sqlx::query_scalar(
            "SELECT reason FROM slack_lost_channels WHERE account_id = $1 AND team_id = $2 \
             AND channel_id = $3",
        )
        .bind(account_id)
        .bind(team_id)
        .bind(channel_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(reason.as_deref().map(ChannelLoss::parse))
    }
}
