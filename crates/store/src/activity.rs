//! A record's timeline entries for what people did to it outside its
//! edit form (assigned it from Slack, completed it, moved its stage),
//! written with the change (see `Consequences`).

use sqlx::Row;

use crate::{Store, StoreResult};

/// One entry: who, what, from where, when.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub id: i64,
    pub user_id: Option<i64>,
    /// `hub`, `slack` or `api`.
    pub via: String,
    pub summary: String,
    pub created_at: i64,
}

impl Store {
    /// The record's entries, newest first.
    pub async fn record_activity(
        &self,
        account_id: i64,
        object_id: i64,
    ) -> StoreResult<Vec<Activity>> {
        let rows = sqlx::query(
            "SELECT id, user_id, via, summary, created_at FROM record_activity \
             WHERE account_id = $1 AND object_id = $2 ORDER BY id DESC LIMIT 200",
        )
        .bind(account_id)
        .bind(object_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Activity {
                    id: r.try_get(0)?,
                    user_id: r.try_get(1)?,
                    via: r.try_get(2)?,
                    summary: r.try_get(3)?,
                    created_at: r.try_get(4)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}
