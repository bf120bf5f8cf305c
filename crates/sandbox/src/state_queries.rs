//! Read helpers over [`State`] that the Web API methods share: finding a
//! channel by id or name, membership, which installed apps sit in a
//! channel, and issuing `trigger_id`s.

use crate::ids::{id, now_secs, secret};
use crate::state::{Channel, Installation, State, Token, TokenKind, Trigger};

/// How long a `trigger_id` can be exchanged for a view.
pub const TRIGGER_TTL_SECS: f64 = 3.0;

impl State {
    /// A channel of `team_id` by id, or by name with or without `#`.
    pub fn channel_by_id_or_name(&self, team_id: &str, id_or_name: &str) -> Option<&Channel> {
        let name = id_or_name.strip_prefix('#').unwrap_or(id_or_name);
        self.channels
            .iter()
            .filter(|c| c.team_id == team_id)
            .find(|c| c.id == id_or_name)
            .or_else(|| {
                self.channels.iter().find(|c| {
                    c.team_id == team_id && !c.is_im && !c.name.is_empty() && c.name == name
                })
            })
    }

    pub fn is_member(&self, channel_id: &str, user_id: &str) -> bool {
        self.channel(channel_id)
            .is_some_and(|c| c.members.iter().any(|m| m == user_id))
    }

    /// Whether `user_id` can see the channel at all: public channels are
    /// visible to everyone in the workspace, private ones and DMs only to
    /// their members.
    pub fn can_see_channel(&self, channel: &Channel, user_id: &str) -> bool {
        (!channel.is_private && !channel.is_im) || channel.members.iter().any(|m| m == user_id)
    }

    /// The live installation behind a bot token.
    pub fn installation_of(&self, token: &Token) -> Option<&Installation> {
        if token.kind != TokenKind::Bot {
            return None;
        }
        self.installation(&token.team_id, &token.app_id)
    }

    /// Live installations whose bot user is a member of the channel.
    pub fn installations_in_channel(&self, channel: &Channel) -> Vec<&Installation> {
        self.installations
            .iter()
            .filter(|i| i.active && i.team_id == channel.team_id)
            .filter(|i| channel.members.contains(&i.bot_user_id))
            .collect()
    }

    /// The direct-message channel between two users, if it exists.
    pub fn im_between(&self, team_id: &str, a: &str, b: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| {
            c.team_id == team_id
                && c.is_im
                && c.members.iter().any(|m| m == a)
                && c.members.iter().any(|m| m == b)
                && (a != b || c.members.len() == 1)
        })
    }

    /// The DM channel between two users, created on first use. Returns its
    /// id and whether it already existed.
    pub fn open_im(&mut self, team_id: &str, a: &str, b: &str) -> (String, bool) {
        if let Some(c) = self.im_between(team_id, a, b) {
            return (c.id.clone(), true);
        }
        let mut members = vec![a.to_owned()];
        if a != b {
            members.push(b.to_owned());
        }
        let channel = Channel {
            id: id('D'),
            team_id: team_id.to_owned(),
            name: String::new(),
            is_private: true,
            is_im: true,
            is_archived: false,
            members,
            creator: a.to_owned(),
            created: now_secs() as u64,
            topic: String::new(),
            purpose: String::new(),
        };
        let channel_id = channel.id.clone();
        self.channels.push(channel);
        (channel_id, false)
    }

    /// A fresh `trigger_id` for `user_id`, as an interaction would carry:
    /// exchangeable once, within [`TRIGGER_TTL_SECS`].
    pub fn issue_trigger(&mut self, team_id: &str, user_id: &str) -> String {
        let now = now_secs();
        let trigger = Trigger {
            id: format!("{}.{}.{}", now as u64, rand::random::<u32>(), secret(16)),
            team_id: team_id.to_owned(),
            user_id: user_id.to_owned(),
            expires_at: now + TRIGGER_TTL_SECS,
            used: false,
        };
        let trigger_id = trigger.id.clone();
        self.triggers.push(trigger);
        trigger_id
    }
}

/// Slack's `channel_type` in events: `channel`, `group`, `im` or `mpim`.
pub fn channel_type(channel: &Channel) -> &'static str {
    if channel.is_im {
        "im"
    } else if channel.is_private {
        "group"
    } else {
        "channel"
    }
}
