//! Modals: `views.open` with the `trigger_id` of the slash command or
//! click that asked for it (Slack keeps it valid for 3 seconds).

use slack_morphism::prelude::*;

use super::pace::{Call, Pace};
use super::{token, SlackApi, SlackApiError};

impl SlackApi {
    /// Opens `view` for the person whose action made `trigger_id`;
    /// answers the view's id. An expired trigger fails with Slack's
    /// `expired_trigger_id`.
    pub async fn open_view(
        &self,
        bot_token: &str,
        trigger_id: &str,
        view: SlackView,
    ) -> Result<String, SlackApiError> {
        let token = token(bot_token);
        let session = self.client.open_session(&token);
        let request =
            SlackApiViewsOpenRequest::new(SlackTriggerId::new(trigger_id.to_owned()), view);
        let call = Call::Method("views.open", Pace::Tier4);
        let opened = self
            .paced(bot_token, call, session.views_open(&request))
            .await?;
        Ok(opened.view.state_params.id.to_string())
    }
}
