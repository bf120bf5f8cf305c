//! Who follows which record: followers hear about its comments and stage
//! changes as its owner does.

use hubbub_hub::timestamp::now_millis;
use hubbub_hub::HubError;
use sqlx::Row;

use crate::sql::Sql;
use crate::{Store, StoreResult};

impl Store {
    /// Makes the user follow a live record of the account (again is a
    /// no-op).
    pub async fn follow(&self, account_id: i64, object_id: i64, user_id: i64) -> StoreResult<()> {
        let live: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM crm_objects WHERE id = $1 AND account_id = $2 AND archived = 0",
        )
        .bind(object_id)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        if live.is_none() {
            return Err(HubError::NotFound(format!("Record {object_id} does not exist")).into());
        }
        sqlx::query(
            "INSERT INTO record_followers (account_id, object_id, user_id, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (object_id, user_id) DO NOTHING",
        )
        .bind(account_id)
        .bind(object_id)
        .bind(user_id)
        .bind(now_millis())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub async fn unfollow(&self, account_id: i64, object_id: i64, user_id: i64) -> StoreResult<()> {
        sqlx::query(
            "DELETE FROM record_followers WHERE account_id = $1 AND object_id = $2 AND user_id = $3",
        )
        .bind(account_id)
        .bind(object_id)
        .bind(user_id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// `(record id, user id)` of the records' followers, in follow order.
    pub async fn followers(
        &self,
        account_id: i64,
        object_ids: &[i64],
    ) -> StoreResult<Vec<(i64, i64)>> {
        if object_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql =
            Sql::new("SELECT object_id, user_id FROM record_followers WHERE account_id = ");
        sql.bind(account_id)
            .push(" AND object_id IN ")
            .bind_list(object_ids.iter().copied())
            .push(" ORDER BY created_at, user_id");
        let rows = sql.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}
