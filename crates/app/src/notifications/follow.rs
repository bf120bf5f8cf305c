//! Following a record: its followers hear about its comments and stage
//! changes as its owner does.

use hubbub_hub::ObjectType;
use hubbub_store::User;

use super::person;
use crate::{Actor, App, Result};

impl App {
    /// The actor follows the record (again changes nothing).
    pub async fn follow(&self, actor: &Actor, t: ObjectType, id: i64) -> Result<()> {
        self.record(actor, t, id).await?;
        let user = person(actor)?;
        Ok(self.store().follow(user.account_id, id, user.id).await?)
    }

    pub async fn unfollow(&self, actor: &Actor, t: ObjectType, id: i64) -> Result<()> {
        self.record(actor, t, id).await?;
        let user = person(actor)?;
        Ok(self.store().unfollow(user.account_id, id, user.id).await?)
    }

    /// The record's followers, in the order they followed.
    pub async fn followers(&self, actor: &Actor, t: ObjectType, id: i64) -> Result<Vec<User>> {
        self.record(actor, t, id).await?;
        let account_id = actor.account_id();
        let ids = self.store().followers(account_id, &[id]).await?;
        let users = self.store().users(account_id).await?;
        Ok(ids
            .iter()
            .filter_map(|(_, uid)| users.iter().find(|u| u.id == *uid).cloned())
            .collect())
    }
}
