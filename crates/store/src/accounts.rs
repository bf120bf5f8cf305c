//! Accounts: fully isolated tenants of one deployment.

use hubbub_hub::timestamp::now_millis;
use hubbub_hub::{HubError, ObjectType};
use sqlx::Row;

use crate::users::{NewUser, User};
use crate::{Store, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
}

impl Store {
    /// Creates an account with its first user (a super admin), the
    /// default deal and ticket pipelines and its first inbox, all or
    /// nothing.
    pub async fn create_account(&self, name: &str, admin: NewUser) -> StoreResult<(Account, User)> {
        let name = name.trim();
        if name.is_empty() {
            return Err(HubError::field("REQUIRED", "name", "An account needs a name").into());
        }
        let now = now_millis();
        let mut tx = self.writer_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO accounts (name, created_at) VALUES ($1, $2) RETURNING id",
        )
        .bind(name)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        for object_type in ObjectType::ALL {
            if let Some(pipeline) = hubbub_hub::pipeline::default_pipeline(object_type) {
                crate::pipelines::insert_pipeline(&mut tx, id, object_type, &pipeline, now).await?;
            }
        }
        let admin = NewUser {
            super_admin: true,
            ..admin
        };
        let user = crate::users::create_user_on(&mut tx, id, &admin, now).await?;
        crate::inboxes::insert_inbox(&mut tx, id, crate::inboxes::FIRST_INBOX_NAME, now).await?;
        tx.commit().await?;
        let account = Account {
            id,
            name: name.to_owned(),
            created_at: now,
        };
        Ok((account, user))
    }

    pub async fn account(&self, id: i64) -> StoreResult<Account> {
        let row = sqlx::query("SELECT id, name, created_at FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| HubError::NotFound(format!("Account {id} does not exist")))?;
        Ok(Account {
            id: row.try_get(0)?,
            name: row.try_get(1)?,
            created_at: row.try_get(2)?,
        })
    }
}
