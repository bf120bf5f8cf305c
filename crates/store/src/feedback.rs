//! Feedback sent from Slack (`/hs -feedback`), kept per account.

use hubbub_hub::feedback::{Feedback, FeedbackKind};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Store, StoreResult};

/// One piece of feedback, as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct SentFeedback {
    pub id: i64,
    pub team_id: String,
    pub slack_user_id: String,
    pub slack_username: Option<String>,
    pub feedback: Feedback,
    pub created_at: i64,
}

/// Who sent feedback, from which dialog.
#[derive(Debug, Clone)]
pub struct FeedbackSender<'a> {
    pub account_id: i64,
    pub team_id: &'a str,
    pub slack_user_id: &'a str,
    pub slack_username: Option<&'a str>,
    /// The dialog's Slack view id: the same submission is kept once.
    pub view_id: &'a str,
    pub at: i64,
}

/// Keeps `feedback` on `conn` (the caller's transaction); `false` when
/// this dialog's submission was kept already.
pub async fn add_feedback_on(
    conn: &mut AnyConnection,
    sender: &FeedbackSender<'_>,
    feedback: &Feedback,
) -> StoreResult<bool> {
    let added = sqlx::query(
        "INSERT INTO feedback (account_id, team_id, slack_user_id, slack_username, kind, details, \
         name, email, view_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (view_id) DO NOTHING",
    )
    .bind(sender.account_id)
    .bind(sender.team_id)
    .bind(sender.slack_user_id)
    .bind(sender.slack_username)
    .bind(feedback.kind.as_str())
    .bind(&feedback.details)
    .bind(feedback.name.as_deref())
    .bind(feedback.email.as_deref())
    .bind(sender.view_id)
    .bind(sender.at)
    .execute(conn)
    .await?;
    Ok(added.rows_affected() == 1)
}

fn from_row(r: &AnyRow) -> Result<SentFeedback, sqlx::Error> {
    let kind: String = r.try_get(4)?;
    Ok(SentFeedback {
        id: r.try_get(0)?,
        team_id: r.try_get(1)?,
        slack_user_id: r.try_get(2)?,
        slack_username: r.try_get(3)?,
        feedback: Feedback {
            kind: FeedbackKind::parse(&kind).ok_or_else(|| {
                sqlx::Error::Decode(format!("unknown feedback kind {kind:?}").into())
            })?,
            details: r.try_get(5)?,
            name: r.try_get(6)?,
            email: r.try_get(7)?,
        },
        created_at: r.try_get(8)?,
    })
}

impl Store {
    /// The account's feedback, newest first, at most `limit`.
    pub async fn feedback(&self, account_id: i64, limit: i64) -> StoreResult<Vec<SentFeedback>> {
        let rows = sqlx::query(
            "SELECT id, team_id, slack_user_id, slack_username, kind, details, name, email, \
             created_at \
             FROM feedback WHERE account_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }
}
