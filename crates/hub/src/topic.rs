//! What a notification is about, and where it may go. Every notification
//! the hub raises has one of these topics. The topics people choose for
//! ([`Topic::SETTABLE`]) go to any of the three [`Channel`]s their
//! notification settings pick (account defaults, each user's overrides);
//! the others are the hub telling a person about their own account and
//! Slack connection, always in the hub (and by email where they say so).

/// A notification's topic, stored by its name ([`Topic::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    /// A record (contact, company, deal, ticket, task, conversation) was
    /// assigned to the user.
    Assigned,
    /// Someone @mentioned the user in a comment or a note.
    Mention,
    /// Someone commented on a record the user owns or follows.
    Comment,
    /// A task of the user's reached its reminder time.
    TaskReminder,
    /// A task of the user's passed its due date undone.
    TaskOverdue,
    /// A deal or ticket the user owns or follows moved to another stage.
    StageChanged,
    /// A visitor started a chat in an inbox the user belongs to.
    NewConversation,
    /// A customer replied on a conversation assigned to the user.
    CustomerReply,
    /// The user connected a Slack workspace to the account.
    SlackConnected,
    /// Slack ended the account's connection (the app was removed, or its
    /// token stopped working).
    SlackDisconnected,
    /// No Slack user has the user's hub email: they should map their
    /// Slack account.
    SlackUnmapped,
    /// The user's Slack account was mapped (confirmed in Slack).
    SlackMapped,
    /// The hub cannot read its stored Slack token (its secret key
    /// changed): a configuration error for the super admins.
    SlackTokenUnreadable,
    /// The app can no longer post in a channel an inbox's conversations
    /// go to (archived, or the app removed from it).
    SlackChannelLost,
}

/// Where a notification reaches a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// The bell in the web app.
    Hub,
    Email,
    /// A direct message from the hub's Slack app.
    Slack,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Hub, Channel::Email, Channel::Slack];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Hub => "hub",
            Channel::Email => "email",
            Channel::Slack => "slack",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Hub => "In the hub",
            Channel::Email => "Email",
            Channel::Slack => "Slack",
        }
    }

    pub fn parse(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// Which channels a topic goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Channels {
    pub hub: bool,
    pub email: bool,
    pub slack: bool,
}

impl Channels {
    pub const NONE: Channels = Channels {
        hub: false,
        email: false,
        slack: false,
    };

    pub fn has(self, channel: Channel) -> bool {
        match channel {
            Channel::Hub => self.hub,
            Channel::Email => self.email,
            Channel::Slack => self.slack,
        }
    }

    pub fn with(mut self, channel: Channel, on: bool) -> Channels {
        match channel {
            Channel::Hub => self.hub = on,
            Channel::Email => self.email = on,
            Channel::Slack => self.slack = on,
        }
        self
    }
}

impl Topic {
    pub const ALL: [Topic; 14] = [
        Topic::Assigned,
        Topic::Mention,
        Topic::Comment,
        Topic::TaskReminder,
        Topic::TaskOverdue,
        Topic::StageChanged,
        Topic::NewConversation,
        Topic::CustomerReply,
        Topic::SlackConnected,
        Topic::SlackDisconnected,
        Topic::SlackUnmapped,
        Topic::SlackMapped,
        Topic::SlackTokenUnreadable,
        Topic::SlackChannelLost,
    ];

    /// The topics people choose channels for, in the order the settings
    /// page lists them.
    pub const SETTABLE: [Topic; 8] = [
        Topic::Assigned,
        Topic::Mention,
        Topic::Comment,
        Topic::TaskReminder,
        Topic::TaskOverdue,
        Topic::StageChanged,
        Topic::NewConversation,
        Topic::CustomerReply,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Assigned => "assigned",
            Topic::Mention => "mention",
            Topic::Comment => "comment",
            Topic::TaskReminder => "task_reminder",
            Topic::TaskOverdue => "task_overdue",
            Topic::StageChanged => "stage_changed",
            Topic::NewConversation => "new_conversation",
            Topic::CustomerReply => "customer_reply",
            Topic::SlackConnected => "slack_connected",
            Topic::SlackDisconnected => "slack_disconnected",
            Topic::SlackUnmapped => "slack_unmapped",
            Topic::SlackMapped => "slack_mapped",
            Topic::SlackTokenUnreadable => "slack_token_unreadable",
            Topic::SlackChannelLost => "slack_channel_lost",
        }
    }

    pub fn parse(name: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// Whether anything raises the topic yet: conversations' topics wait
    /// for the inbox to carry conversations, and settings pages leave them
    /// out until then.
    pub fn is_raised(self) -> bool {
        !matches!(self, Topic::NewConversation | Topic::CustomerReply)
    }

    /// Whether people choose this topic's channels.
    pub fn is_settable(self) -> bool {
        Topic::SETTABLE.contains(&self)
    }

    /// What the settings page calls it.
    pub fn label(self) -> &'static str {
        match self {
            Topic::Assigned => "A record is assigned to you",
            Topic::Mention => "You are @mentioned in a comment or note",
            Topic::Comment => "A comment on a record you own or follow",
            Topic::TaskReminder => "A task reminder is due",
            Topic::TaskOverdue => "A task of yours is overdue",
            Topic::StageChanged => "A deal or ticket you own or follow changes stage",
            Topic::NewConversation => "A new chat in an inbox you belong to",
            Topic::CustomerReply => "A customer replies on a conversation assigned to you",
            Topic::SlackConnected => "Slack was connected",
            Topic::SlackDisconnected => "Slack was disconnected",
            Topic::SlackUnmapped => "Your Slack account needs mapping",
            Topic::SlackMapped => "Your Slack account was mapped",
            Topic::SlackTokenUnreadable => "The hub cannot use its Slack connection",
            Topic::SlackChannelLost => "The app lost an inbox's Slack channel",
        }
    }

    /// Where the topic goes when neither the account nor the user chose:
    /// everything in the hub and in Slack; by email only what asks the
    /// person to act (assignments, mentions, task reminders and overdue
    /// tasks, customer replies).
    pub fn default_channels(self) -> Channels {
        let email = matches!(
            self,
            Topic::Assigned
                | Topic::Mention
                | Topic::TaskReminder
                | Topic::TaskOverdue
                | Topic::CustomerReply
        );
        if self.is_settable() {
            Channels {
                hub: true,
                email,
                slack: true,
            }
        } else {
            Channels {
                hub: true,
                email: false,
                slack: false,
            }
        }
    }
}

impl std::fmt::Display for Topic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_topic_reads_back_by_its_name() {
        for topic in Topic::ALL {
            assert_eq!(Topic::parse(topic.as_str()), Some(topic));
        }
        assert_eq!(Topic::parse("no such topic"), None);
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
        }
    }

    #[test]
    fn only_settable_topics_go_outside_the_hub_by_default() {
        for topic in Topic::ALL {
            let d = topic.default_channels();
            assert!(d.hub, "{topic}");
            assert_eq!(d.slack, topic.is_settable(), "{topic}");
        }
        assert!(Topic::Assigned.default_channels().email);
        assert!(!Topic::StageChanged.default_channels().email);
    }
}
