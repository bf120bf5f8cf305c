//! Posting as the app: direct messages, message updates, and answers to
//! an interaction through its `response_url`; links to messages.

use slack_morphism::prelude::*;

use super::pace::{Call, Pace};
use super::{timed, token, SlackApi, SlackApiError};

/// Where a posted message is: its channel and `ts`.
#[derive(Debug, Clone, PartialEq)]
pub struct PostedMessage {
    pub channel: String,
    pub ts: String,
}

/// How an answer through a `response_url` is shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Response {
    /// Replaces the message whose button was pressed.
    ReplaceOriginal,
    /// A new message only the person who acted sees.
    Ephemeral,
}

impl SlackApi {
    /// `conversations.open`: the app's direct-message channel with a user.
    /// `users` goes as the comma-separated string Slack's reference
    /// specifies (slack-morphism's request would send a JSON array).
    pub async fn open_direct_message(
        &self,
        bot_token: &str,
        user_id: &str,
    ) -> Result<String, SlackApiError> {
        let token = token(bot_token);
        let session = self.client.open_session(&token);
        let body = serde_json::json!({ "users": user_id });
        let open = session
            .http_session_api
            .http_post("conversations.open", &body, None);
        let call = Call::Method("conversations.open", Pace::Tier3);
        let r: SlackApiConversationsOpenResponse<SlackBasicChannelInfo> =
            self.paced(bot_token, call, open).await?;
        Ok(r.channel.id.value().clone())
    }

    /// `chat.getPermalink`: the link to a message, for people to open.
    pub async fn get_permalink(
        &self,
        bot_token: &str,
        channel: &str,
        ts: &str,
    ) -> Result<String, SlackApiError> {
        let token = token(bot_token);
        let session = self.client.open_session(&token);
        let request = SlackApiChatGetPermalinkRequest::new(
            SlackChannelId::new(channel.to_owned()),
            SlackTs::new(ts.to_owned()),
        );
        let call = Call::Method("chat.getPermalink", Pace::Tier4);
        let r = self
            .paced(bot_token, call, session.chat_get_permalink(&request))
            .await?;
        Ok(r.permalink.to_string())
    }

    /// `chat.postMessage` to a channel (or a direct-message channel).
    pub async fn post_message(
        &self,
        bot_token: &str,
        channel: &str,
        content: SlackMessageContent,
    ) -> Result<PostedMessage, SlackApiError> {
        let token = token(bot_token);
        let session = self.client.open_session(&token);
        let request =
            SlackApiChatPostMessageRequest::new(SlackChannelId::new(channel.to_owned()), content);
        let r = self
            .paced(
                bot_token,
                Call::Post { channel },
                session.chat_post_message(&request),
            )
            .await?;
        Ok(PostedMessage {
            channel: r.channel.value().clone(),
            ts: r.ts.value().clone(),
        })
    }

    /// `chat.update`: replaces a message the app posted.
    pub async fn update_message(
        &self,
        bot_token: &str,
        message: &PostedMessage,
        content: SlackMessageContent,
    ) -> Result<(), SlackApiError> {
        let token = token(bot_token);
        let session = self.client.open_session(&token);
        let request = SlackApiChatUpdateRequest::new(
            SlackChannelId::new(message.channel.clone()),
            content,
            SlackTs::new(message.ts.clone()),
        );
        let call = Call::Method("chat.update", Pace::Tier3);
        self.paced(bot_token, call, session.chat_update(&request))
            .await?;
        Ok(())
    }

    /// Answers an interaction through its `response_url` (no token: the
    /// URL itself is the credential, valid 30 minutes for 5 uses).
    pub async fn respond(
        &self,
        response_url: &str,
        content: SlackMessageContent,
        how: Response,
    ) -> Result<(), SlackApiError> {
        let url: url::Url = response_url
            .parse()
            .map_err(|e| SlackApiError::Transport(format!("bad response_url: {e}")))?;
        let mut request = SlackApiPostWebhookMessageRequest::new(content);
        match how {
            Response::ReplaceOriginal => request.replace_original = Some(true),
            Response::Ephemeral => {
                request.replace_original = Some(false);
            }
        }
        let url = SlackResponseUrl::new(url);
        timed(self.client.respond_to_event(&url, &request)).await?;
        Ok(())
    }
}
