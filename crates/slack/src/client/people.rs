//! Finding Slack people: the hub ties its users to Slack users by email.

use slack_morphism::prelude::*;

use super::pace::{Call, Pace};
use super::{token, user_info, SlackApi, SlackApiError, SlackUserInfo};

impl SlackApi {
    /// `users.lookupByEmail`: the workspace member with this email. Slack
    /// answers `users_not_found` ([`super::SlackErrorCode::UsersNotFound`])
    /// when there is none.
    pub async fn users_lookup_by_email(
        &self,
        bot_token: &str,
        email: &str,
    ) -> Result<SlackUserInfo, SlackApiError> {
        let token = token(bot_token);
        let session = self.client.open_session(&token);
        let request = SlackApiUsersLookupByEmailRequest::new(EmailAddress::new(email.to_owned()));
        let call = Call::Method("users.lookupByEmail", Pace::Tier3);
        let r = self
            .paced(bot_token, call, session.users_lookup_by_email(&request))
            .await?;
        Ok(user_info(r.user))
    }
}
