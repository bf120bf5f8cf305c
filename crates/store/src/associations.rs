//! Associations between records. Each one is stored from both sides, with
//! the type id HubSpot uses in each direction.

use std::collections::BTreeMap;

use hubbub_hub::association::{find_type, inverse};
use hubbub_hub::timestamp::now_millis;
use hubbub_hub::{HubError, ObjectType};
use sqlx::Row;

use crate::sql::Sql;
use crate::{Store, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Association {
    pub to_id: i64,
    pub type_ids: Vec<i64>,
}

impl Store {
    /// Associates two live records with the given type ids (from `from`'s
    /// side). Re-associating is harmless.
    pub async fn associate(
        &self,
        account_id: i64,
        from: (ObjectType, i64),
        to: (ObjectType, i64),
        type_ids: &[i64],
    ) -> StoreResult<()> {
        let mut rows = Vec::new();
        for &type_id in type_ids {
            let forward = find_type(from.0, to.0, type_id).ok_or_else(|| {
                HubError::field(
                    "INVALID_ASSOCIATION_TYPE",
                    "associationTypeId",
                    format!(
                        "{type_id} is not an association type from {} to {}",
                        from.0, to.0
                    ),
                )
            })?;
            let back =
                inverse(from.0, to.0, forward.type_id).expect("every default type has an inverse");
            rows.push((from, to, forward.type_id));
            rows.push((to, from, back.type_id));
        }
        self.record(account_id, from.0, from.1, false).await?;
        self.record(account_id, to.0, to.1, false).await?;
        let now = now_millis();
        let mut tx = self.writer_tx().await?;
        for ((_, from_id), (to_type, to_id), type_id) in rows {
            sqlx::query(
                "INSERT INTO crm_associations (account_id, from_id, to_type, to_id, type_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind(account_id)
            .bind(from_id)
            .bind(to_type.as_str())
            .bind(to_id)
            .bind(type_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes every association between the two records, which must both
    /// be live records of the account (another account's record is not
    /// found, as everywhere else).
    pub async fn dissociate(
        &self,
        account_id: i64,
        from: (ObjectType, i64),
        to: (ObjectType, i64),
    ) -> StoreResult<()> {
        self.record(account_id, from.0, from.1, false).await?;
        self.record(account_id, to.0, to.1, false).await?;
        sqlx::query(
            "DELETE FROM crm_associations WHERE account_id = $1 AND \
             ((from_id = $2 AND to_id = $3) OR (from_id = $3 AND to_id = $2))",
        )
        .bind(account_id)
        .bind(from.1)
        .bind(to.1)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// For each of `from_ids`, its live associated records of `to_type`,
    /// in id order, with the type ids from the `from` side.
    pub async fn associations(
        &self,
        account_id: i64,
        from_ids: &[i64],
        to_type: ObjectType,
    ) -> StoreResult<BTreeMap<i64, Vec<Association>>> {
        let mut out: BTreeMap<i64, Vec<Association>> = BTreeMap::new();
        if from_ids.is_empty() {
            return Ok(out);
        }
        let mut sql = Sql::new(
            "SELECT a.from_id, a.to_id, a.type_id FROM crm_associations a \
             JOIN crm_objects t ON t.id = a.to_id AND t.archived = 0 WHERE a.account_id = ",
        );
        sql.bind(account_id)
            .push(" AND a.to_type = ")
            .bind(to_type.as_str())
            .push(" AND a.from_id IN ")
            .bind_list(from_ids.iter().copied())
            .push(" ORDER BY a.from_id, a.to_id, a.type_id");
        for row in sql.query().fetch_all(&self.pool).await? {
            let (from_id, to_id, type_id): (i64, i64, i64) =
                (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
            let list = out.entry(from_id).or_default();
            match list.last_mut() {
                Some(last) if last.to_id == to_id => last.type_ids.push(type_id),
                _ => list.push(Association {
                    to_id,
                    type_ids: vec![type_id],
                }),
            }
        }
        Ok(out)
    }
}
