//! Teams of users, managed by super admins.

use hubbub_store::Team;

use crate::{Actor, App, Permission, Result};

impl App {
    pub async fn create_team(&self, actor: &Actor, name: &str) -> Result<Team> {
        self.authorize(actor, Permission::ManageUsers).await?;
        Ok(self.store().create_team(actor.account_id(), name).await?)
    }

    pub async fn add_team_member(&self, actor: &Actor, team_id: i64, user_id: i64) -> Result<()> {
        self.authorize(actor, Permission::ManageUsers).await?;
        Ok(self
            .store()
            .add_team_member(actor.account_id(), team_id, user_id)
            .await?)
    }

    /// A user who is not in the team is not found.
    pub async fn remove_team_member(
        &self,
        actor: &Actor,
        team_id: i64,
        user_id: i64,
    ) -> Result<()> {
        self.authorize(actor, Permission::ManageUsers).await?;
        Ok(self
            .store()
            .remove_team_member(actor.account_id(), team_id, user_id)
            .await?)
    }
}
