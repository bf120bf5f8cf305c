//! Accounts and their API tokens: made by the operator (`hubbub admin`).

use hubbub_hub::HubError;
use hubbub_store::{Account, NewUser, TokenGrant, User};

use crate::{Actor, App, Result};

impl App {
    /// A new account with its first super admin, its default pipelines
    /// and its first inbox.
    pub async fn create_account(&self, name: &str, admin: NewUser) -> Result<(Account, User)> {
        Ok(self.store().create_account(name, admin).await?)
    }

    /// A private-app token for the actor's account, with every scope or
    /// only `scopes`. The token is returned once; only its hash is kept.
    pub async fn create_token(
        &self,
        actor: &Actor,
        scopes: &[String],
    ) -> Result<(String, TokenGrant)> {
        if !matches!(actor, Actor::Operator { .. }) {
            return Err(HubError::Forbidden(
                "API tokens are made by the hub's operator (`hubbub admin create-token`)."
                    .to_owned(),
            )
            .into());
        }
        Ok(self
            .store()
            .create_token(actor.account_id(), scopes)
            .await?)
    }
}
