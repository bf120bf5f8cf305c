//! The channels the app can see: what an inbox's channel picker offers,
//! and, when a channel is chosen, whether the app is in it (a bot can post
//! only in channels it is a member of, and must be invited to each).

use slack_morphism::prelude::*;

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
    pub async fn list_channels(&self, bot_token: &str) -> Result<Vec<SlackChannel>, SlackApiError> {
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
            let page = session.conversations_list(&request).await?;
            channels.extend(page.channels.into_iter().map(SlackChannel::from));
            match page.response_metadata.and_then(|m| m.next_cursor) {
                Some(cursor) if !cursor.value().is_empty() => request = request.with_cursor(cursor),
                _ => break,
            }
        }
        Ok(channels)
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
        let r = session
            .conversations_info(&SlackApiConversationsInfoRequest::new(SlackChannelId::new(
                channel_id.to_owned(),
            )))
            .await?;
        Ok(r.channel.into())
    }
}
