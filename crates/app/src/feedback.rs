//! Feedback from Slack: `/hs -feedback {text}` opens a dialog (a kind,
//! the details prefilled with the text, an optional name and email); its
//! submission is kept with the Slack user, the workspace and the account
//! it is connected to, confirmed to that person only, and listed for the
//! account's super admins.

use hubbub_hub::feedback::{check, FeedbackErrors, FeedbackField, FeedbackForm};
use hubbub_slack::SlashCommand;
use hubbub_store::{add_feedback_on, FeedbackSender, SentFeedback};
use serde_json::Value;

use crate::jobs::Job;
use crate::permissions::Permission;
use crate::slack::inbound::SlackReply;
use crate::slack::{messages, views};
use crate::{Actor, App, Result};

/// How much feedback the settings page lists.
pub const LISTED: i64 = 200;

/// A submitted dialog, as read from Slack's `view_submission`.
pub struct SubmittedFeedback<'a> {
    pub team_id: &'a str,
    pub slack_user_id: &'a str,
    pub slack_username: Option<&'a str>,
    pub view_id: &'a str,
    /// What the dialog was opened with: where to confirm.
    pub response_url: Option<&'a str>,
    pub form: FeedbackForm,
}

impl App {
    /// `/hs -feedback {text}`: opens the dialog at once, while the
    /// command's `trigger_id` is fresh (3 seconds).
    pub(crate) async fn open_feedback_dialog(
        &self,
        account_id: i64,
        command: &SlashCommand,
        text: &str,
    ) -> Result<SlackReply> {
        let view = views::feedback(text, command.response_url.clone());
        Ok(
            match self
                .open_dialog(account_id, &command.trigger_id, view)
                .await?
            {
                None => SlackReply::Nothing,
                Some(why) => SlackReply::ephemeral(why),
            },
        )
    }

    /// The dialog submitted: kept once (a submission taken twice changes
    /// nothing more), its sender told that only they see; a field that
    /// does not hold keeps the dialog open with the reason beside it.
    pub(crate) async fn take_feedback(
        &self,
        account_id: i64,
        submitted: SubmittedFeedback<'_>,
    ) -> Result<std::result::Result<(), FeedbackErrors>> {
        let feedback = match check(&submitted.form) {
            Ok(feedback) => feedback,
            Err(errors) => return Ok(Err(errors)),
        };
        let sender = FeedbackSender {
            account_id,
            team_id: submitted.team_id,
            slack_user_id: submitted.slack_user_id,
            slack_username: submitted.slack_username,
            view_id: submitted.view_id,
            at: self.now(),
        };
        let mut tx = self.store().begin_write().await?;
        let added = add_feedback_on(&mut tx, &sender, &feedback).await?;
        let answer_at = self.slack_response_url(account_id, submitted.response_url);
        if let (true, Some(url)) = (added, answer_at) {
            Job::RespondInSlack {
                response_url: url.to_owned(),
                content: Box::new(messages::feedback_thanks(feedback.kind)),
                replace_original: false,
            }
            .enqueue_on(&mut tx, account_id)
            .await?;
        }
        tx.commit().await?;
        self.wake_worker();
        Ok(Ok(()))
    }

    /// The account's feedback, newest first: super admins only.
    pub async fn feedback_list(&self, actor: &Actor) -> Result<Vec<SentFeedback>> {
        self.authorize(actor, Permission::ReadFeedback).await?;
        Ok(self.store().feedback(actor.account_id(), LISTED).await?)
    }
}

/// The dialog's fields from a `view_submission`'s `view.state.values`.
/// Each field's block and element are named after it (`views::feedback`).
pub(crate) fn form_of(values: &Value) -> FeedbackForm {
    let field = |f: FeedbackField| &values[f.as_str()][f.as_str()];
    let text = |f| field(f)["value"].as_str().unwrap_or_default().to_owned();
    FeedbackForm {
        kind: field(FeedbackField::Kind)["selected_option"]["value"]
            .as_str()
            .map(str::to_owned),
        details: text(FeedbackField::Details),
        name: text(FeedbackField::Name),
        email: text(FeedbackField::Email),
    }
}
