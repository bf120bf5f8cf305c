//! Where each notice goes: the recipient's settings for its topic (their
//! own choice, else the account's default, else the topic's), turned into
//! the rows written with the change: the bell's entry, the mail, the Slack
//! delivery job. Nothing is sent here; the worker sends what commits.

use hubbub_hub::topic::{Channel, Channels};
use hubbub_hub::Topic;
use hubbub_store::{Consequences, NewNotification, NotificationChoices, User};

use crate::jobs::Job;
use crate::links;
use crate::mail::messages as mails;
use crate::AppConfig;
use hubbub_hub::Notice;

/// Where `topic` reaches `user_id`, by the account's `choices`.
pub fn channels_for(choices: &NotificationChoices, user_id: i64, topic: Topic) -> Channels {
    if !topic.is_settable() {
        return topic.default_channels();
    }
    choices
        .overrides
        .get(&(user_id, topic))
        .or_else(|| choices.defaults.get(&topic))
        .copied()
        .unwrap_or_else(|| topic.default_channels())
}

/// What deciding where notices go needs, read once per change.
pub struct Recipients {
    pub users: Vec<User>,
    pub choices: NotificationChoices,
    /// Whether the account has a live Slack connection: without one, no
    /// Slack job is written (nothing could send it).
    pub slack_live: bool,
}

impl Recipients {
    /// The rows that deliver `notices`: one per person and channel.
    pub fn consequences(&self, config: &AppConfig, notices: Vec<Notice>) -> Consequences {
        let mut out = Consequences::default();
        for notice in notices {
            let Some(user) = self.users.iter().find(|u| u.id == notice.user_id) else {
                continue;
            };
            let channels = channels_for(&self.choices, user.id, notice.topic);
            if channels.has(Channel::Hub) {
                out.notifications.push(NewNotification {
                    user_id: user.id,
                    topic: notice.topic,
                    title: notice.headline.clone(),
                    body: notice.detail.clone(),
                    link: notice.link.clone(),
                });
            }
            if channels.has(Channel::Email) {
                out.mails.push(mails::notification(
                    user,
                    &notice,
                    &config.url(&notice.link),
                    &config.url(links::NOTIFICATION_SETTINGS),
                ));
            }
            if channels.has(Channel::Slack) && self.slack_live {
                out.jobs.push(Job::NotifyInSlack { notice }.to_new(None));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_choice_wins_over_the_accounts_which_wins_over_the_topics() {
        let mut choices = NotificationChoices::default();
        let t = Topic::Comment;
        assert_eq!(channels_for(&choices, 1, t), t.default_channels());
        let quiet = Channels::NONE.with(Channel::Hub, true);
        choices.defaults.insert(t, quiet);
        assert_eq!(channels_for(&choices, 1, t), quiet);
        let loud = Channels {
            hub: true,
            email: true,
            slack: true,
        };
        choices.overrides.insert((1, t), loud);
        assert_eq!(channels_for(&choices, 1, t), loud);
        assert_eq!(channels_for(&choices, 2, t), quiet);
        choices
            .overrides
            .insert((1, Topic::SlackMapped), Channels::NONE);
        assert_eq!(
            channels_for(&choices, 1, Topic::SlackMapped),
            Topic::SlackMapped.default_channels()
        );
    }
}
