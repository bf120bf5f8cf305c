//! The channel conversations' threads live in, lost and found again. The
//! app can no longer post in a channel when it is archived, the app is
//! removed from it, or it is gone (Slack says so when the hub posts, and
//! sends `channel_archive`, `member_left_channel` and `channel_left`).
//! Conversations go on in the hub; what is still to post waits; the
//! super admins are told once, in the app and by email, why and what to
//! do. When the app is invited back (`member_joined_channel` for its bot
//! user) or the same workspace is connected again, every conversation with
//! work left is synced, into its existing thread: never a second root.

use hubbub_hub::Topic;
use hubbub_slack::EventCallback;
use hubbub_store::{
    active_super_admins_on, conversations_awaiting_slack_on, enqueue_mail, found_slack_channel_on,
    lose_slack_channel_on, notify_on, slack_channel_in_use_on, AnyConnection, ChannelLoss,
    InboxSlackStatus, NewNotification,
};
use serde_json::Value;

use crate::jobs::Job;
use crate::links;
use crate::mail::messages as mails;
use crate::{App, Result};

impl App {
    /// A post found the channel lost: [`App::slack_channel_lost_on`] in a
    /// transaction of its own.
    pub(crate) async fn slack_channel_lost(
        &self,
        account_id: i64,
        team_id: &str,
        channel_id: &str,
        loss: ChannelLoss,
    ) -> Result<()> {
        let mut tx = self.store().begin_write().await?;
        let told = self
            .slack_channel_lost_on(&mut tx, account_id, team_id, channel_id, loss)
            .await?;
        tx.commit().await?;
        if told {
            self.wake_worker();
        }
        Ok(())
    }

    /// Records on `conn` that the app lost a channel the account's
    /// conversations use, and tells every active super admin, the first
    /// time. True when they were told.
    async fn slack_channel_lost_on(
        &self,
        conn: &mut AnyConnection,
        account_id: i64,
        team_id: &str,
        channel_id: &str,
        loss: ChannelLoss,
    ) -> Result<bool> {
        if !slack_channel_in_use_on(conn, account_id, team_id, channel_id).await?
            || !lose_slack_channel_on(conn, account_id, team_id, channel_id, loss, self.now())
                .await?
        {
            return Ok(false);
        }
        let channel = self.channel_label(account_id, channel_id).await?;
        let waiting = self
            .store()
            .conversations_in_channel(account_id, team_id, channel_id)
            .await?
            .len();
        let (title, body) = lost_notice(&channel, loss, waiting);
        for admin in active_super_admins_on(conn, account_id).await? {
            notify_on(
                conn,
                account_id,
                NewNotification {
                    user_id: admin.id,
                    topic: Topic::SlackChannelLost,
                    title: title.clone(),
                    body: body.clone(),
                    link: links::INBOX_SETTINGS.to_owned(),
                },
            )
            .await?;
            let url = self.config().url(links::INBOX_SETTINGS);
            enqueue_mail(
                conn,
                account_id,
                &mails::slack_channel_lost(&admin, &title, &body, &url),
            )
            .await?;
        }
        tracing::warn!(
            account_id,
            team_id,
            channel_id,
            loss = loss.as_str(),
            "the app lost a conversations channel"
        );
        Ok(true)
    }

    /// `#name` as an inbox's setting remembers it, else the channel's id.
    async fn channel_label(&self, account_id: i64, channel_id: &str) -> Result<String> {
        let store = self.store();
        for inbox in store.inboxes(account_id).await? {
            if let InboxSlackStatus::Live {
                setting: Some(setting),
                ..
            }
            | InboxSlackStatus::Paused {
                setting: Some(setting),
                ..
            } = store.inbox_slack_status(account_id, inbox.id).await?
            {
                if let Some(c) = setting.choice.channel.filter(|c| c.id == channel_id) {
                    return Ok(format!("#{}", c.name));
                }
            }
        }
        Ok(format!("the channel {channel_id}"))
    }

    /// The channel events that lose or find a channel, applied on `conn`
    /// (the event's transaction).
    pub(crate) async fn on_channel_event(
        &self,
        conn: &mut AnyConnection,
        account_id: i64,
        callback: &EventCallback,
    ) -> Result<()> {
        let body = &callback.event.body;
        let Some(channel_id) = body.get("channel").and_then(Value::as_str) else {
            return Ok(());
        };
        let Some(connection) = self.store().slack_connection(account_id).await? else {
            return Ok(());
        };
        let team_id = &callback.team_id;
        let about_the_app =
            body.get("user").and_then(Value::as_str) == Some(&connection.bot_user_id);
        let loss = match callback.event.kind.as_str() {
            "channel_archive" | "group_archive" => ChannelLoss::Archived,
            "channel_left" | "group_left" => ChannelLoss::Removed,
            "member_left_channel" if about_the_app => ChannelLoss::Removed,
            "member_joined_channel" if about_the_app => {
                return self
                    .resume_slack_threads_on(conn, account_id, team_id, Some(channel_id))
                    .await;
            }
            _ => return Ok(()),
        };
        self.slack_channel_lost_on(conn, account_id, team_id, channel_id, loss)
            .await?;
        Ok(())
    }

    /// The app is back in `channel_id` (in every channel of the workspace
    /// when `None`: it was connected again): on `conn`, the channel is no
    /// longer lost and every conversation with work left there is synced.
    pub(crate) async fn resume_slack_threads_on(
        &self,
        conn: &mut AnyConnection,
        account_id: i64,
        team_id: &str,
        channel_id: Option<&str>,
    ) -> Result<()> {
        found_slack_channel_on(conn, account_id, team_id, channel_id).await?;
        for conversation_id in conversations_awaiting_slack_on(conn, account_id, channel_id).await?
        {
            Job::SyncThread { conversation_id }
                .enqueue_unless_queued_on(conn, account_id)
                .await?;
        }
        Ok(())
    }
}

/// What the super admins are told: a title, and why and what to do.
fn lost_notice(channel: &str, loss: ChannelLoss, waiting: usize) -> (String, String) {
    let (what, fix) = match loss {
        ChannelLoss::Archived => (
            format!("{channel} was archived in Slack"),
            format!("unarchive {channel} and invite the app back (type /invite @Hubbub in it)"),
        ),
        ChannelLoss::Removed => (
            format!("the Hubbub app was removed from {channel} in Slack"),
            format!("invite the app back to {channel} (type /invite @Hubbub in it)"),
        ),
    };
    let open = match waiting {
        0 => String::new(),
        1 => " 1 open conversation has its thread there.".to_owned(),
        n => format!(" {n} open conversations have their thread there."),
    };
    (
        format!("Web chat can no longer post in {channel}"),
        format!(
            "The hub can no longer post web chat conversations in Slack: {what}. Conversations go on in the hub's inbox, and what visitors write waits there for Slack.{open} To resume them in their threads, {fix}; for new conversations you can also choose another channel in Settings > Inbox."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_says_why_and_how_to_resume() {
        let (title, body) = lost_notice("#support", ChannelLoss::Archived, 2);
        assert_eq!(title, "Web chat can no longer post in #support");
        assert!(body.contains("#support was archived in Slack"), "{body}");
        assert!(body.contains("2 open conversations"), "{body}");
        assert!(body.contains("/invite @Hubbub"), "{body}");
        let (_, body) = lost_notice("#support", ChannelLoss::Removed, 0);
        assert!(body.contains("removed from #support"), "{body}");
        assert!(!body.contains("open conversation"), "{body}");
    }
}
