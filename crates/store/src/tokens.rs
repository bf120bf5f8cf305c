//! Private-app API tokens. Only a hash of each token is kept.

use hubbub_hub::auth::{all_scopes, hash_token, new_api_token, validate_scopes};
use hubbub_hub::timestamp::now_millis;
use sqlx::Row;

use crate::{Store, StoreResult};

/// What a presented token grants.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenGrant {
    pub account_id: i64,
    pub scopes: Vec<String>,
}

impl Store {
    /// Creates a token for the account; empty `scopes` grants them all.
    /// Returns the token itself, which is never stored.
    pub async fn create_token(
        &self,
        account_id: i64,
        scopes: &[String],
    ) -> StoreResult<(String, TokenGrant)> {
        let scopes = if scopes.is_empty() {
            all_scopes()
        } else {
            scopes.to_vec()
        };
        validate_scopes(&scopes)?;
        self.account(account_id).await?;
        let (token, hash) = new_api_token();
        sqlx::query("INSERT INTO api_tokens (account_id, token_hash, scopes, created_at) VALUES ($1, $2, $3, $4)")
            .bind(account_id)
            .bind(hash)
            .bind(scopes.join(" "))
            .bind(now_millis())
            .execute(&self.writer)
            .await?;
        Ok((token, TokenGrant { account_id, scopes }))
    }

    /// The grant behind a presented token, if it is one of ours.
    pub async fn authenticate_token(&self, token: &str) -> StoreResult<Option<TokenGrant>> {
        let row = sqlx::query("SELECT account_id, scopes FROM api_tokens WHERE token_hash = $1")
            .bind(hash_token(token))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            let scopes: String = r.try_get(1)?;
            Ok(TokenGrant {
                account_id: r.try_get(0)?,
                scopes: scopes.split_whitespace().map(str::to_owned).collect(),
            })
        })
        .transpose()
    }
}
