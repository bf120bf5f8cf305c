//! The account's Slack link preview level (see
//! [`PreviewLevel`](hubbub_hub::link_preview::PreviewLevel)).

use hubbub_hub::link_preview::PreviewLevel;
use hubbub_hub::HubError;

use crate::{Store, StoreResult};

impl Store {
    /// The account's level; the default when none was chosen (or the
    /// stored one is unknown to this version of the hub).
    pub async fn link_preview_level(&self, account_id: i64) -> StoreResult<PreviewLevel> {
        let stored: Option<Option<String>> =
            sqlx::query_scalar("SELECT slack_link_previews FROM accounts WHERE id = $1")
                .bind(account_id)
                .fetch_optional(&self.pool)
                .await?;
        let Some(stored) = stored else {
            return Err(HubError::NotFound(format!("Account {account_id} does not exist")).into());
        };
        Ok(stored
            .as_deref()
            .and_then(PreviewLevel::parse)
            .unwrap_or_default())
    }

    pub async fn set_link_preview_level(
        &self,
        account_id: i64,
        level: PreviewLevel,
    ) -> StoreResult<()> {
        let mut tx = self.writer_tx().await?;
        sqlx::query("UPDATE accounts SET slack_link_previews = $1 WHERE id = $2")
            .bind(level.as_str())
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_db::TestDb;

    #[tokio::test]
    async fn each_account_keeps_its_own_level_and_starts_at_the_default() {
        let db = TestDb::create().await;
        let (acme, _) = db.account("Acme").await;
        let (globex, _) = db.account("Globex").await;
        let level = |id| db.store.link_preview_level(id);
        assert_eq!(level(acme).await.unwrap(), PreviewLevel::NameAndType);
        db.store
            .set_link_preview_level(acme, PreviewLevel::FullDetails)
            .await
            .unwrap();
        assert_eq!(level(acme).await.unwrap(), PreviewLevel::FullDetails);
        assert_eq!(level(globex).await.unwrap(), PreviewLevel::NameAndType);
        assert!(level(9_999).await.is_err());
    }
}
