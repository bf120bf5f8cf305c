//! The job that delivers one rule's message about one record: to the
//! rule's channel, or as a direct message to the record's owner (their
//! mapped Slack user). Each delivery is recorded beside the rule, posted
//! or failed with the reason (Slack's error code when Slack refused).
//! Slack's rate limits and an unreachable Slack are retried, like every
//! job; an answer that will not change (a channel the app left, an owner
//! with no Slack account) is recorded once and not retried.

use hubbub_hub::{HubError, ObjectType, Record};
use hubbub_slack::SlackApiError;
use hubbub_store::{NotificationRule, Posted, RuleTarget, StoreError};

use super::template::{rule_message, RuleMessage};
use crate::jobs::JobError;
use crate::notifications::plan::owner_of;
use crate::slack::workspace::LiveWorkspace;
use crate::App;
use hubbub_hub::RecordRef;

/// The placeholder for the record owner's name.
pub const OWNER_PLACEHOLDER: &str = "owner";

/// How one attempt ended: posted, or a failure to record (the job ends);
/// a [`JobError`] is retried.
type Attempt = Result<Result<Posted, String>, JobError>;

/// What a Slack answer means for the delivery.
fn slack_outcome<T>(result: Result<T, SlackApiError>) -> Result<Result<T, String>, JobError> {
    match result {
        Ok(t) => Ok(Ok(t)),
        Err(SlackApiError::Slack(code)) => Ok(Err(format!("Slack answered {code}"))),
        Err(e) => Err(e.into()),
    }
}

impl App {
    /// Job: delivers rule `rule_id`'s message about `record`, unless the
    /// rule was deleted or paused since it fired.
    pub(crate) async fn deliver_rule(
        &self,
        account_id: i64,
        rule_id: i64,
        record: RecordRef,
    ) -> Result<(), JobError> {
        let rule = match self.store().notification_rule(account_id, rule_id).await {
            Ok(rule) if !rule.paused => rule,
            Ok(_) | Err(StoreError::Hub(HubError::NotFound(_))) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let outcome = self.send_rule_message(account_id, &rule, record).await?;
        if let Err(why) = &outcome {
            tracing::info!(account_id, rule_id, reason = %why, "a notification rule's message was not delivered");
        }
        self.store()
            .record_rule_delivery(
                rule.id,
                (record.object_type, record.id),
                &outcome,
                self.now(),
            )
            .await?;
        Ok(())
    }

    async fn send_rule_message(
        &self,
        account_id: i64,
        rule: &NotificationRule,
        r: RecordRef,
    ) -> Attempt {
        let Some(record) = self
            .store()
            .records_by_ids(account_id, r.object_type, &[r.id], false)
            .await?
            .pop()
        else {
            return Ok(Err("The record no longer exists.".to_owned()));
        };
        let Some(live) = self.live_workspace(account_id).await? else {
            return Ok(Err("Slack is not connected.".to_owned()));
        };
        let channel = match self.rule_destination(&live, rule, &record).await? {
            Ok(channel) => channel,
            Err(why) => return Ok(Err(why)),
        };
        let content = self.rule_content(account_id, rule, &record).await?;
        let posted = self
            .slack_api()
            .post_message(&live.token, &channel, content)
            .await;
        let posted = self.check_bot_call(account_id, posted).await;
        Ok(slack_outcome(posted)?.map(|p| Posted {
            channel_id: p.channel,
            ts: p.ts,
        }))
    }

    /// The channel to post in: the rule's, or the direct message with the
    /// record owner's Slack user.
    async fn rule_destination(
        &self,
        live: &LiveWorkspace,
        rule: &NotificationRule,
        record: &Record,
    ) -> Result<Result<String, String>, JobError> {
        let account_id = live.connection.account_id;
        match &rule.fields.target {
            RuleTarget::Channel { team_id, id, .. } if *team_id == live.connection.team_id => {
                Ok(Ok(id.clone()))
            }
            RuleTarget::Channel { name, .. } => Ok(Err(format!(
                "#{name} is in another Slack workspace than the one connected now. Edit the rule and choose a channel again."
            ))),
            RuleTarget::Owner => {
                let Some(owner) = owner_of(record) else {
                    return Ok(Err("The record has no owner.".to_owned()));
                };
                let users = self.store().users(account_id).await?;
                let Some(user) = users.iter().find(|u| u.id == owner && !u.archived) else {
                    return Ok(Err("The record's owner is not an active user.".to_owned()));
                };
                let Some(slack_user) = self.slack_user_of(live, user).await? else {
                    return Ok(Err(format!(
                        "{} has no Slack account mapped to their hub account.",
                        user.display_name()
                    )));
                };
                match self
                    .direct_message_channel(live, user.id, &slack_user)
                    .await
                {
                    Ok(channel) => Ok(Ok(channel)),
                    Err(JobError::Slack(e)) => slack_outcome(Err(e)),
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// The message, with the record's values as people read them.
    async fn rule_content(
        &self,
        account_id: i64,
        rule: &NotificationRule,
        record: &Record,
    ) -> Result<hubbub_slack::SlackMessageContent, JobError> {
        let t: ObjectType = record.object_type;
        let lookups = self.lookups(account_id, t).await?;
        let props = self.store().property_set(account_id, t).await?;
        let value = |name: &str| -> String {
            if name == OWNER_PLACEHOLDER {
                return owner_of(record)
                    .and_then(|id| lookups.user(id))
                    .map(|u| u.display_name())
                    .unwrap_or_default();
            }
            props
                .get(name)
                .map(|def| lookups.display(def, record))
                .unwrap_or_default()
        };
        let url = self.config().parsed_url(&record.path())?;
        let title = format!("{} {}", t.label(), record.title());
        Ok(rule_message(&RuleMessage {
            template: &rule.fields.template,
            value: &value,
            record_title: &title,
            url: &url,
            rule_name: &rule.fields.name,
        }))
    }
}
