//! Notifications as direct messages from the app: the job that sends one,
//! and the message as the record stands (also drawn again, with what was
//! done, after a button press).
//!
//! The first notification for a user the hub has not looked up in the
//! workspace yet runs the email lookup; when nobody matches, the user is
//! told once per workspace how to map their account (in the hub and by
//! email), and the notification still reached them there.

use hubbub_hub::Topic;
use hubbub_slack::SlackMessageContent;
use hubbub_store::{SlackLink, User};

use crate::jobs::JobError;
use crate::slack::cards::record_part;
use crate::slack::messages::{self, NotificationMessage, RecordPart};
use crate::slack::workspace::LiveWorkspace;
use crate::{App, Result};
use hubbub_hub::{Notice, RecordRef};

impl App {
    /// Job: sends `notice` to its person's Slack account.
    pub(crate) async fn notify_in_slack(
        &self,
        account_id: i64,
        notice: Notice,
    ) -> Result<(), JobError> {
        let Some(live) = self.live_workspace(account_id).await? else {
            return Ok(());
        };
        let Some(user) = self
            .store()
            .users(account_id)
            .await?
            .into_iter()
            .find(|u| u.id == notice.user_id && !u.archived)
        else {
            return Ok(());
        };
        let Some(slack_user) = self.slack_user_of(&live, &user).await? else {
            return Ok(());
        };
        let content = self.notification_content(account_id, &notice, None).await?;
        let channel = self
            .direct_message_channel(&live, user.id, &slack_user)
            .await?;
        let posted = self
            .slack_api()
            .post_message(&live.token, &channel, content)
            .await;
        let posted = self.check_bot_call(account_id, posted).await?;
        let shown = serde_json::to_string(&notice).expect("a notice serialises to JSON");
        self.store()
            .remember_slack_notice_message(account_id, &posted.channel, &posted.ts, &shown)
            .await?;
        Ok(())
    }

    /// The notification a message of the app's shows, when the hub posted
    /// it.
    pub(crate) async fn notice_in_message(
        &self,
        account_id: i64,
        (channel, ts): (&str, &str),
    ) -> Result<Option<Notice>> {
        let stored = self
            .store()
            .slack_notice_message(account_id, channel, ts)
            .await?;
        Ok(stored.and_then(|json| serde_json::from_str(&json).ok()))
    }

    /// The user's Slack user in the live workspace, looked up by email the
    /// first time; `None` when nobody there has their email.
    pub(crate) async fn slack_user_of(
        &self,
        live: &LiveWorkspace,
        user: &User,
    ) -> Result<Option<String>, JobError> {
        let (account_id, team) = (live.connection.account_id, &live.connection.team_id);
        let link = match self.store().slack_link(account_id, team, user.id).await? {
            None => {
                self.map_one(live, user).await?;
                self.store().slack_link(account_id, team, user.id).await?
            }
            known => known,
        };
        Ok(match link {
            Some(SlackLink::Mapped { person, .. }) => Some(person.slack_user_id),
            _ => None,
        })
    }

    /// The app's direct-message channel with a mapped user, opened once
    /// and remembered.
    pub(crate) async fn direct_message_channel(
        &self,
        live: &LiveWorkspace,
        user_id: i64,
        slack_user: &str,
    ) -> Result<String, JobError> {
        let c = &live.connection;
        let store = self.store();
        if let Some(channel) = store
            .slack_dm_channel(c.account_id, &c.team_id, user_id)
            .await?
        {
            return Ok(channel);
        }
        let opened = self
            .slack_api()
            .open_direct_message(&live.token, slack_user)
            .await;
        let channel = self.check_bot_call(c.account_id, opened).await?;
        store
            .remember_slack_dm_channel(c.account_id, &c.team_id, user_id, slack_user, &channel)
            .await?;
        Ok(channel)
    }

    /// The message for `notice`, showing the record as it stands now, and
    /// `outcome` (what was just done from Slack) when there is one.
    pub(crate) async fn notification_content(
        &self,
        account_id: i64,
        notice: &Notice,
        outcome: Option<&str>,
    ) -> Result<SlackMessageContent> {
        let url = self.config().parsed_url(&notice.link)?;
        let part = match notice.record {
            Some(r) => self.notice_record_part(account_id, notice, r).await?,
            None => None,
        };
        Ok(messages::notification(&NotificationMessage {
            headline: &notice.headline,
            detail: &notice.detail,
            actor: notice.actor.as_deref(),
            url: &url,
            record: part,
            outcome,
        }))
    }

    /// The record's part of the message, when the record still exists.
    async fn notice_record_part(
        &self,
        account_id: i64,
        notice: &Notice,
        r: RecordRef,
    ) -> Result<Option<RecordPart>> {
        let store = self.store();
        let Some(record) = store
            .records_by_ids(account_id, r.object_type, &[r.id], false)
            .await?
            .pop()
        else {
            return Ok(None);
        };
        let lookups = self.lookups(account_id, r.object_type).await?;
        let props = store.property_set(account_id, r.object_type).await?;
        let mut part = record_part(&record, &props, &lookups, Some(notice.user_id));
        // A notification is about what happened: notes are added from
        // cards, reminders snoozed only from the reminder.
        part.notable = false;
        part.snoozable = part.completable && notice.topic == Topic::TaskReminder;
        Ok(Some(part))
    }
}
