//! Notifications: what the hub tells people about their records, in the
//! hub, by email and in Slack.
//!
//! A change decides whom it concerns ([`plan`]), each person's settings
//! decide where it goes ([`deliver`]), and all of it is written in the
//! change's own transaction: the bell's entry at once, the mail and the
//! Slack message through the outboxes, sent by the worker ([`slack`] builds
//! and sends the direct message). Task reminders and overdue notices wait
//! in jobs due at their time ([`tasks`]). People choose their channels per
//! topic ([`settings`]) and follow records they do not own ([`follow`]).

mod change;
pub mod deliver;
pub mod follow;
pub mod plan;
pub mod settings;
mod slack;
mod tasks;

pub(crate) use change::{alarm_jobs, ChangeContext};

use hubbub_hub::auth::Access;
use hubbub_hub::{HubError, ObjectType};
use hubbub_store::{Notification, User};

use self::deliver::Recipients;
use crate::{Actor, App, Permission, Result};

impl Actor {
    /// Who did something, as notifications name them.
    pub fn name(&self) -> String {
        match self {
            Actor::User(user) => user.display_name(),
            Actor::Slack(slack) => slack.user.display_name(),
            Actor::Token(_) => "An API client".to_owned(),
            Actor::Operator { .. } => "An administrator".to_owned(),
            Actor::WebChat { .. } => "The web chat".to_owned(),
        }
    }
}

impl App {
    /// Everything deciding where an account's notices go needs.
    pub(crate) async fn recipients(&self, account_id: i64) -> Result<Recipients> {
        let store = self.store();
        let slack_live = store
            .slack_connection(account_id)
            .await?
            .is_some_and(|c| c.is_live());
        Ok(Recipients {
            users: store.users(account_id).await?,
            choices: store.notification_choices(account_id).await?,
            slack_live,
        })
    }

    /// The active users among `users` who may read records of type `t`:
    /// the only ones told about them.
    pub(crate) fn readers(&self, users: &[User], t: ObjectType) -> Vec<User> {
        users
            .iter()
            .filter(|u| !u.archived)
            .filter(|u| {
                self.may(
                    &Actor::User((*u).clone()),
                    Permission::Records(t, Access::Read),
                )
            })
            .cloned()
            .collect()
    }
}

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

    /// Marks one of the actor's notifications read and returns where it
    /// leads (what its "View" opens); another user's is not found.
    pub async fn mark_notification_read(&self, actor: &Actor, id: i64) -> Result<String> {
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
