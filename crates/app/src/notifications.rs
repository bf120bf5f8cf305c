//! The signed-in user's in-app notifications: reading them, marking them
//! read.

use hubbub_hub::HubError;
use hubbub_store::{Notification, User};

use crate::{Actor, App, Result};

fn person(actor: &Actor) -> Result<&User> {
    actor
        .user()
        .ok_or_else(|| HubError::Forbidden("Only a hub user has notifications.".to_owned()).into())
}

impl App {
    /// The actor's newest notifications, unread and read.
    pub async fn notifications(&self, actor: &Actor, limit: i64) -> Result<Vec<Notification>> {
        Ok(self.store().notifications(person(actor)?.id, limit).await?)
    }

    /// Marks one of the actor's notifications read; another user's is not
    /// found.
    pub async fn mark_notification_read(&self, actor: &Actor, id: i64) -> Result<()> {
        Ok(self
            .store()
            .mark_notification_read(person(actor)?.id, id)
            .await?)
    }

    pub async fn mark_all_notifications_read(&self, actor: &Actor) -> Result<()> {
        Ok(self
            .store()
            .mark_all_notifications_read(person(actor)?.id)
            .await?)
    }
}
