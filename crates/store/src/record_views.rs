//! Which records each user opened lately (their home page's "Recently
//! viewed"): one row per user and record, its newest visit.

use std::str::FromStr;

use hubbub_hub::timestamp::Millis;
use hubbub_hub::ObjectType;
use sqlx::Row;

use crate::{Store, StoreResult};

impl Store {
    /// Notes that the user opened the record at `at`.
    pub async fn record_viewed(
        &self,
        account_id: i64,
        user_id: i64,
        object_type: ObjectType,
        object_id: i64,
        at: Millis,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO record_views (account_id, user_id, object_id, object_type, viewed_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (user_id, object_id) DO UPDATE SET viewed_at = excluded.viewed_at",
        )
        .bind(account_id)
        .bind(user_id)
        .bind(object_id)
        .bind(object_type.as_str())
        .bind(at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// The user's most recently opened records, newest first: `(type,
    /// id)`, archived ones included (the caller reads the live ones).
    pub async fn recently_viewed(
        &self,
        account_id: i64,
        user_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<(ObjectType, i64)>> {
        let rows = sqlx::query(
            "SELECT object_type, object_id FROM record_views \
             WHERE account_id = $1 AND user_id = $2 ORDER BY viewed_at DESC, object_id DESC LIMIT $3",
        )
        .bind(account_id)
        .bind(user_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut viewed = Vec::with_capacity(rows.len());
        for row in rows {
            let kind: String = row.try_get(0)?;
            // A type this version does not know is skipped, not an error.
            if let Ok(t) = ObjectType::from_str(&kind) {
                viewed.push((t, row.try_get(1)?));
            }
        }
        Ok(viewed)
    }
}
