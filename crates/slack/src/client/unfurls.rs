//! Link previews: `chat.unfurl` attaches the app's blocks to the links of
//! a person's message (a `link_shared` event names them); a second call
//! for the same message and link replaces what the first attached.

use std::collections::HashMap;

use slack_morphism::prelude::*;

use super::pace::{Call, Pace};
use super::{token, SlackApi, SlackApiError};

impl SlackApi {
    /// Unfurls the links of message `(channel, ts)`: each URL (exactly as
    /// the event gave it) with its blocks.
    pub async fn unfurl(
        &self,
        bot_token: &str,
        channel: &str,
        ts: &str,
        unfurls: Vec<(String, Vec<SlackBlock>)>,
    ) -> Result<(), SlackApiError> {
        let token = token(bot_token);
        let session = self.client.open_session(&token);
        let at = SlackUnfurlRequestId::ChannelTs(SlackChannelTs::new(
            SlackChannelId::new(channel.to_owned()),
            SlackTs::new(ts.to_owned()),
        ));
        let unfurls: HashMap<String, SlackApiChatUnfurlMapItemV2> = unfurls
            .into_iter()
            .map(|(url, blocks)| (url, SlackApiChatUnfurlMapItemV2::new(blocks)))
            .collect();
        let request = SlackApiChatUnfurlRequestV3::new(at, unfurls);
        let call = Call::Method("chat.unfurl", Pace::Tier3);
        self.paced(bot_token, call, session.chat_unfurl_v3(&request))
            .await?;
        Ok(())
    }
}
