//! The channels the app can see: what an inbox's channel picker offers,
//! and, when a channel is chosen, whether the app is in it (a bot can post
//! only in channels it is a member of, and must be invited to each).

use slack_morphism::prelude::*;

use super::pace::{Call, Pace};
use super::{token, SlackApi, SlackApiError};

/// Slack's recommended `conversations.list` page size.
const PAGE_SIZE: u16 = 200;

/// At most this many pages are read for one listing: `conversations.list`
/// is a Tier 2 method (about 20 calls a minute), so showing one page of
/// the hub must not spend a workspace's whole allowance.
const MAX_PAGES: usize = 5;

/// A public or private channel, as the app's bot user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackChannel {
    pub id: String,
    /// The name without `#`.
    pub name: String,
    pub is_private: bool,
    /// The app's bot user is in the channel, so the app may post there.
    pub is_member: bool,
    pub is_archived: bool,
}

/// What `conversations.list` showed within [`MAX_PAGES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelListing {
    pub channels: Vec<SlackChannel>,
    /// Slack has more channels than were read.
    pub more: bool,
}

/// The channel id in what someone pasted: the id itself (`C0123ABCD`, or
/// `G…` for an older private channel) or a link to the channel, as Slack's
/// "Copy link" gives it (`https://acme.slack.com/archives/C0123ABCD`).
pub fn channel_id_in(pasted: &str) -> Option<String> {
    let is_id = |s: &str| {
        s.len() >= 9
            && s.starts_with(['C', 'G'])
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    };
    let pasted = pasted.trim();
    let candidate = match pasted.split_once("/archives/") {
        Some((_, rest)) => rest.split(['/', '?', '#']).next().unwrap_or_default(),
        None => pasted,
    };
    is_id(candidate).then(|| candidate.to_owned())
}

impl From<SlackChannelInfo> for SlackChannel {
    fn from(info: SlackChannelInfo) -> Self {
        SlackChannel {
            id: info.id.value().clone(),
            name: info.name.unwrap_or_default(),
            is_private: info.flags.is_private.unwrap_or(false),
            is_member: info.flags.is_member.unwrap_or(false),
            is_archived: info.flags.is_archived.unwrap_or(false),
        }
    }
}

impl SlackApi {
    /// `conversations.list` of public and private channels, archived ones
    /// left out, following Slack's cursor from page to page (up to
    /// [`MAX_PAGES`]). Slack lists every public channel but only the
    /// private channels the app is in (`groups:read` shows no others).
    pub async fn list_channels(&self, bot_token: &str) -> Result<ChannelListing, SlackApiError> {
        let token = token(bot_token);
        let session = self.client.open_session(&token);
        let mut request = SlackApiConversationsListRequest::new()
            .with_types(vec![
                SlackConversationType::Public,
                SlackConversationType::Private,
            ])
            .with_exclude_archived(true)
            .with_limit(PAGE_SIZE);
        let mut channels = Vec::new();
        for _ in 0..MAX_PAGES {
            let call = Call::Method("conversations.list", Pace::Tier2);
            let page = self
                .paced(bot_token, call, session.conversations_list(&request))
                .await?;
            channels.extend(page.channels.into_iter().map(SlackChannel::from));
            match page.response_metadata.and_then(|m| m.next_cursor) {
                Some(cursor) if !cursor.value().is_empty() => request = request.with_cursor(cursor),
                _ => {
                    return Ok(ChannelListing {
                        channels,
                        more: false,
                    })
                }
            }
        }
        Ok(ChannelListing {
            channels,
            more: true,
        })
    }

    /// `conversations.info` for one channel, with whether the app is in
    /// it. Slack answers `channel_not_found` for a private channel the app
    /// is not in, as for one that does not exist.
    pub async fn channel_info(
        &self,
        bot_token: &str,
        channel_id: &str,
    ) -> Result<SlackChannel, SlackApiError> {
        let token = token(bot_token);
        let session = self.client.open_session(&token);
        let request =
            SlackApiConversationsInfoRequest::new(SlackChannelId::new(channel_id.to_owned()));
        let call = Call::Method("conversations.info", Pace::Tier3);
        let r = self
            .paced(bot_token, call, session.conversations_info(&request))
            .await?;
        Ok(r.channel.into())
    }
}

#[cfg(test)]
mod tests {
    use super::channel_id_in;

    #[test]
    fn a_pasted_id_or_link_names_the_channel() {
        for pasted in [
            "C0123ABCD",
            " C0123ABCD\n",
            "https://acme.slack.com/archives/C0123ABCD",
            "https://acme.slack.com/archives/C0123ABCD/p1700000000000100",
            "https://acme.slack.com/archives/C0123ABCD?thread_ts=1",
        ] {
            assert_eq!(
                channel_id_in(pasted).as_deref(),
                Some("C0123ABCD"),
                "{pasted:?}"
            );
        }
        assert_eq!(channel_id_in("G0123ABCD").as_deref(), Some("G0123ABCD"));
    }

    #[test]
    fn anything_else_names_none() {
        for pasted in [
            "",
            "#support",
            "support",
            "U0123ABCD",
            "c0123abcd",
            "C01",
            "https://acme.slack.com/team/U0123ABCD",
            "C0123ABCD; DROP",
        ] {
            assert_eq!(channel_id_in(pasted), None, "{pasted:?}");
        }
    }
}
