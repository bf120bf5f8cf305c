//! The hub's side of a connection that Slack ended: the app was removed
//! from the workspace, its token revoked, or a Web API call found the bot
//! token dead. Every way in ends at [`disconnected_by_slack_on`], which
//! marks the connection disconnected (token forgotten, row kept so that a
//! reconnect restores its settings), writes the audit entry, and tells
//! every active super admin, in the app and by email, in the caller's
//! transaction. An already-disconnected connection does nothing and tells
//! no one, so Slack's duplicates and the two events an uninstall sends
//! notify once.

use hubbub_hub::Topic;
use hubbub_slack::EventCallback;
use hubbub_store::{
    active_super_admins_on, disconnect_slack_on, enqueue_mail, notify_on, AnyConnection,
    NewNotification, SLACK_DISCONNECT_REMOVED_IN_SLACK, SLACK_DISCONNECT_TOKEN_DEAD,
};
use serde_json::Value;

use crate::links;
use crate::mail::messages;
use crate::{App, Result};

/// What Slack told the hub.
#[derive(Debug, Clone, PartialEq)]
pub enum SlackSideCause {
    /// `app_uninstalled`.
    AppUninstalled,
    /// `tokens_revoked` listing the connection's bot user.
    TokensRevoked,
    /// A Web API call with the bot token answered this code.
    DeadToken(String),
}

impl SlackSideCause {
    fn reason(&self) -> &'static str {
        match self {
            Self::AppUninstalled | Self::TokensRevoked => SLACK_DISCONNECT_REMOVED_IN_SLACK,
            Self::DeadToken(_) => SLACK_DISCONNECT_TOKEN_DEAD,
        }
    }

    fn audit_detail(&self) -> String {
        match self {
            Self::AppUninstalled => {
                "Slack reported app_uninstalled: the app was removed from the workspace in Slack"
                    .to_owned()
            }
            Self::TokensRevoked => {
                "Slack reported tokens_revoked for the app's bot user: its token was revoked"
                    .to_owned()
            }
            Self::DeadToken(code) => {
                format!(
                    "Slack answered {code} to a call with the bot token: the token no longer works"
                )
            }
        }
    }
}

/// The likely cause, as the page and the message say it.
pub const LIKELY_CAUSE: &str = "Someone removed the Hubbub app from the Slack workspace, or revoked its access token, in Slack.";
/// How to keep it from happening again.
pub const PREVENTION: &str = "To keep this from happening again, turn on the workspace's \"approved apps\" setting in Slack (app management settings), so that only Slack admins can remove apps.";

impl App {
    /// Slack ended the account's connection: [`disconnected_by_slack_on`]
    /// in a transaction of its own. True when this disconnected it.
    pub async fn disconnected_by_slack(
        &self,
        account_id: i64,
        cause: SlackSideCause,
    ) -> Result<bool> {
        let mut tx = self.store().begin_write().await?;
        let done = self
            .disconnected_by_slack_on(&mut tx, account_id, &cause)
            .await?;
        if done {
            tx.commit().await?;
            self.wake_worker();
        }
        Ok(done)
    }

    /// On `conn`, inside the caller's transaction: the connection is
    /// marked disconnected with the reason, the audit log says why, and
    /// each active super admin gets a notification and an email. True when
    /// this disconnected it; false (and nothing done) when it was not live.
    pub(crate) async fn disconnected_by_slack_on(
        &self,
        conn: &mut AnyConnection,
        account_id: i64,
        cause: &SlackSideCause,
    ) -> Result<bool> {
        let admins = active_super_admins_on(conn, account_id).await?;
        let Some(was) = disconnect_slack_on(
            conn,
            account_id,
            None,
            &cause.audit_detail(),
            Some(cause.reason()),
        )
        .await?
        else {
            return Ok(false);
        };
        let team = was.team_label().to_owned();
        let url = self.config().url(links::MARKETPLACE);
        let body = format!(
            "The hub is no longer connected to the Slack workspace {team}. {LIKELY_CAUSE} {PREVENTION} Reconnect it in Settings > App Marketplace."
        );
        for admin in &admins {
            notify_on(
                conn,
                account_id,
                NewNotification {
                    user_id: admin.id,
                    topic: Topic::SlackDisconnected,
                    title: format!("Slack disconnected: {team}"),
                    body: body.clone(),
                    link: links::MARKETPLACE.to_owned(),
                },
            )
            .await?;
            enqueue_mail(
                conn,
                account_id,
                &messages::slack_disconnected(admin, &team, &url, LIKELY_CAUSE, PREVENTION),
            )
            .await?;
        }
        tracing::warn!(account_id, team_id = %was.team_id, ?cause, "Slack ended the connection");
        Ok(true)
    }

    /// An Events API event that may end the connection, applied on `conn`
    /// (the event's transaction): `app_uninstalled`, or `tokens_revoked`
    /// listing the connection's bot user among `tokens.bot`.
    pub(crate) async fn on_removal_event(
        &self,
        conn: &mut AnyConnection,
        account_id: i64,
        callback: &EventCallback,
    ) -> Result<()> {
        let cause = match callback.event.kind.as_str() {
            "app_uninstalled" => SlackSideCause::AppUninstalled,
            "tokens_revoked" => {
                let Some(c) = self.store().slack_connection(account_id).await? else {
                    return Ok(());
                };
                let revoked_bot = callback
                    .event
                    .body
                    .pointer("/tokens/bot")
                    .and_then(Value::as_array)
                    .is_some_and(|ids| ids.iter().any(|id| id.as_str() == Some(&c.bot_user_id)));
                if !revoked_bot {
                    return Ok(());
                }
                SlackSideCause::TokensRevoked
            }
            _ => return Ok(()),
        };
        self.disconnected_by_slack_on(conn, account_id, &cause)
            .await?;
        Ok(())
    }
}
