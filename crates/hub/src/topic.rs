//! What a notification is about. Every notification the hub raises has
//! one of these topics; people's notification settings (which of in the
//! hub, email and Slack each topic goes to) are kept per topic.

/// A notification's topic, stored by its name ([`Topic::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// Someone @mentioned the user in a comment.
    Mention,
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
}

impl Topic {
    pub const ALL: [Topic; 6] = [
        Topic::Mention,
        Topic::SlackConnected,
        Topic::SlackDisconnected,
        Topic::SlackUnmapped,
        Topic::SlackMapped,
        Topic::SlackTokenUnreadable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Mention => "mention",
            Topic::SlackConnected => "slack_connected",
            Topic::SlackDisconnected => "slack_disconnected",
            Topic::SlackUnmapped => "slack_unmapped",
            Topic::SlackMapped => "slack_mapped",
            Topic::SlackTokenUnreadable => "slack_token_unreadable",
        }
    }

    pub fn parse(name: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == name)
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
    }
}
