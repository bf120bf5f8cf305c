//! A record's history: created, each property changed, archived, and what
//! people did to it in words (assigned it from Slack, completed it),
//! written with the change (see `Consequences`).

use sqlx::Row;

use crate::{Happened, Store, StoreResult};

/// One entry: who, what, from where, when.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub id: i64,
    pub user_id: Option<i64>,
    /// `hub`, `slack`, `api`, …
    pub via: String,
    pub happened: Happened,
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
            "SELECT id, user_id, via, summary, created_at, kind, property, old_value, new_value \
             FROM record_activity WHERE account_id = $1 AND object_id = $2 ORDER BY id DESC LIMIT 200",
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
                    happened: Happened::from_columns(
                        r.try_get(5)?,
                        r.try_get(3)?,
                        r.try_get(6)?,
                        r.try_get(7)?,
                        r.try_get(8)?,
                    ),
                    created_at: r.try_get(4)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}
