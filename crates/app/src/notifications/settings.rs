//! Notification settings: for each topic, which of the hub, email and
//! Slack it goes to. A super admin sets the account's defaults; each user
//! keeps them or chooses for themselves.

use hubbub_hub::topic::Channels;
use hubbub_hub::{HubError, Topic};

use super::deliver::channels_for;
use super::person;
use crate::{Actor, App, Permission, Result};

/// One topic as a person's settings page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSetting {
    pub topic: Topic,
    /// Where the topic goes for everyone who has not chosen.
    pub account_default: Channels,
    /// The person's own choice, when they made one.
    pub own: Option<Channels>,
}

impl TopicSetting {
    /// Where the topic reaches the person.
    pub fn effective(&self) -> Channels {
        self.own.unwrap_or(self.account_default)
    }
}

fn settable(topic: Topic) -> Result<Topic> {
    if topic.is_settable() {
        Ok(topic)
    } else {
        Err(HubError::invalid(format!("{topic} is not a topic people choose channels for")).into())
    }
}

impl App {
    /// The actor's settings, topic by topic.
    pub async fn my_notification_settings(&self, actor: &Actor) -> Result<Vec<TopicSetting>> {
        let user = person(actor)?;
        let choices = self.store().notification_choices(user.account_id).await?;
        Ok(Topic::SETTABLE
            .into_iter()
            .filter(|t| t.is_raised())
            .map(|topic| TopicSetting {
                topic,
                account_default: channels_for(&choices, 0, topic),
                own: choices.overrides.get(&(user.id, topic)).copied(),
            })
            .collect())
    }

    /// Sets the actor's own channels for a topic; `None` goes back to the
    /// account's default.
    pub async fn set_my_notification_setting(
        &self,
        actor: &Actor,
        topic: Topic,
        channels: Option<Channels>,
    ) -> Result<()> {
        let user = person(actor)?;
        let topic = settable(topic)?;
        Ok(self
            .store()
            .set_notification_override(user.id, topic, channels)
            .await?)
    }

    /// The account's defaults, topic by topic.
    pub async fn notification_defaults(&self, actor: &Actor) -> Result<Vec<(Topic, Channels)>> {
        let choices = self
            .store()
            .notification_choices(actor.account_id())
            .await?;
        Ok(Topic::SETTABLE
            .into_iter()
            .filter(|t| t.is_raised())
            .map(|t| (t, channels_for(&choices, 0, t)))
            .collect())
    }

    /// Sets where a topic goes for everyone who has not chosen (super
    /// admins only).
    pub async fn set_notification_default(
        &self,
        actor: &Actor,
        topic: Topic,
        channels: Channels,
    ) -> Result<()> {
        self.authorize(actor, Permission::ManageNotifications)
            .await?;
        let topic = settable(topic)?;
        Ok(self
            .store()
            .set_notification_default(actor.account_id(), topic, channels)
            .await?)
    }
}
