//! Comments people leave on records.

use hubbub_hub::timestamp::now_millis;
use hubbub_hub::HubError;
use sqlx::Row;

use crate::{Consequences, Store, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub id: i64,
    pub author_id: i64,
    pub body: String,
    pub created_at: i64,
}

/// Longest comment accepted, in characters.
pub const MAX_COMMENT_CHARS: usize = 10_000;

impl Store {
    /// Adds a comment and, in its transaction, what it causes.
    pub async fn add_comment(
        &self,
        account_id: i64,
        object_id: i64,
        author_id: i64,
        body: &str,
        consequences: impl FnOnce(&Comment) -> Consequences,
    ) -> StoreResult<Comment> {
        let body = body.trim();
        if body.is_empty() || body.chars().count() > MAX_COMMENT_CHARS {
            return Err(HubError::field(
                "INVALID_COMMENT",
                "body",
                format!("A comment needs between 1 and {MAX_COMMENT_CHARS} characters"),
            )
            .into());
        }
        let owned: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM crm_objects WHERE id = $1 AND account_id = $2 AND archived = 0",
        )
        .bind(object_id)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        if owned.is_none() {
            return Err(HubError::NotFound(format!("Record {object_id} does not exist")).into());
        }
        let now = now_millis();
        let mut tx = self.writer_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO comments (account_id, object_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(account_id)
        .bind(object_id)
        .bind(author_id)
        .bind(body)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let comment = Comment {
            id,
            author_id,
            body: body.to_owned(),
            created_at: now,
        };
        consequences(&comment)
            .write_on(&mut tx, self.backend, account_id)
            .await?;
        tx.commit().await?;
        Ok(comment)
    }

    /// A record's comments, oldest first.
    pub async fn comments(&self, account_id: i64, object_id: i64) -> StoreResult<Vec<Comment>> {
        let rows = sqlx::query(
            "SELECT id, author_id, body, created_at FROM comments WHERE account_id = $1 AND object_id = $2 ORDER BY id",
        )
        .bind(account_id)
        .bind(object_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Comment {
                    id: r.try_get(0)?,
                    author_id: r.try_get(1)?,
                    body: r.try_get(2)?,
                    created_at: r.try_get(3)?,
                })
            })
            .collect()
    }
}
