//! The account's workspace as the use cases reach it: its connection and
//! the bot token, decrypted. Every Web API call made with that token hands
//! its result to [`App::check_bot_call`], so that a dead token disconnects
//! the account once instead of being retried for ever.

use hubbub_hub::Topic;
use hubbub_slack::{SlackApiError, SlackErrorCode, SlackMessageContent, SlackView};
use hubbub_store::{
    active_super_admins_on, enqueue_mail, notified_since_on, notify_on, NewNotification,
    SlackConnection,
};

use super::messages as slack_messages;
use super::removal::SlackSideCause;
use crate::links;
use crate::mail::messages;
use crate::{App, Error, Result};

/// A live connection and its bot token.
pub struct LiveWorkspace {
    pub connection: SlackConnection,
    pub(crate) token: String,
}

/// How the account stands with Slack.
pub enum WorkspaceAccess {
    /// Never connected, or disconnected.
    NotConnected(Option<SlackConnection>),
    Live(LiveWorkspace),
    /// Connected, but the stored token cannot be decrypted with this
    /// hub's secret key: a configuration error (`HUBBUB_SECRET_KEY`
    /// changed), not a disconnect.
    Unreadable(SlackConnection),
}

/// What the page says when the token cannot be read.
pub const UNREADABLE_TOKEN: &str = "The hub cannot read its stored Slack token: HUBBUB_SECRET_KEY is not the key the token was stored with (it was changed, or another replica has a different one). Restore the original key and restart the hub, or connect Slack again to store a new token.";

impl App {
    /// How the account stands with Slack (one read of the connection).
    pub async fn workspace_access(&self, account_id: i64) -> Result<WorkspaceAccess> {
        let Some(c) = self.store().slack_connection(account_id).await? else {
            return Ok(WorkspaceAccess::NotConnected(None));
        };
        let sealed = match c.bot_token_ciphertext.as_deref() {
            Some(sealed) if c.is_live() => sealed,
            _ => return Ok(WorkspaceAccess::NotConnected(Some(c))),
        };
        match self.secret_key().decrypt(sealed) {
            Ok(token) => Ok(WorkspaceAccess::Live(LiveWorkspace {
                connection: c,
                token,
            })),
            Err(e) => {
                tracing::error!(account_id, team_id = %c.team_id, error = %e, "configuration error: the stored Slack token cannot be decrypted with HUBBUB_SECRET_KEY");
                self.report_unreadable_token(&c).await?;
                Ok(WorkspaceAccess::Unreadable(c))
            }
        }
    }

    /// The account's live workspace, `None` when it has none. A token that
    /// cannot be read is [`Error::Config`].
    pub async fn live_workspace(&self, account_id: i64) -> Result<Option<LiveWorkspace>> {
        match self.workspace_access(account_id).await? {
            WorkspaceAccess::NotConnected(_) => Ok(None),
            WorkspaceAccess::Live(live) => Ok(Some(live)),
            WorkspaceAccess::Unreadable(_) => Err(Error::Config(UNREADABLE_TOKEN.to_owned())),
        }
    }

    /// Tells every active super admin, in the app and by email, once per
    /// connection, that the token cannot be read.
    async fn report_unreadable_token(&self, c: &SlackConnection) -> Result<()> {
        let team = c.team_label();
        let mut tx = self.store().begin_write().await?;
        for admin in active_super_admins_on(&mut tx, c.account_id).await? {
            let topic = Topic::SlackTokenUnreadable;
            if notified_since_on(&mut tx, admin.id, topic, c.connected_at).await? {
                continue;
            }
            notify_on(
                &mut tx,
                c.account_id,
                NewNotification {
                    user_id: admin.id,
                    topic,
                    title: format!("The hub cannot use its Slack connection to {team}"),
                    body: UNREADABLE_TOKEN.to_owned(),
                    link: links::MARKETPLACE.to_owned(),
                },
            )
            .await?;
            let mail = messages::slack_token_unreadable(&admin, team, UNREADABLE_TOKEN);
            enqueue_mail(&mut tx, c.account_id, &mail).await?;
        }
        tx.commit().await?;
        self.wake_worker();
        Ok(())
    }

    /// Opens a modal with a `trigger_id` (from a command or a press, fresh
    /// for 3 seconds): `None` when it opened, else what to tell the person.
    pub(crate) async fn open_dialog(
        &self,
        account_id: i64,
        trigger_id: &str,
        view: SlackView,
    ) -> Result<Option<SlackMessageContent>> {
        let Some(live) = self.live_workspace(account_id).await? else {
            let marketplace = self.config().parsed_url(links::MARKETPLACE)?;
            return Ok(Some(slack_messages::workspace_not_connected(&marketplace)));
        };
        let opened = self
            .slack_api()
            .open_view(&live.token, trigger_id, view)
            .await;
        Ok(match self.check_bot_call(account_id, opened).await {
            Ok(_) => None,
            Err(SlackApiError::Slack(SlackErrorCode::Other(code)))
                if code == "expired_trigger_id" =>
            {
                Some(slack_messages::dialog_too_late())
            }
            Err(e) => {
                tracing::warn!(account_id, error = %e, "Slack did not open a dialog");
                Some(slack_messages::dialog_not_opened())
            }
        })
    }

    /// Passes a Web API call's result through; a dead-token answer first
    /// disconnects the account (see [`App::disconnected_by_slack`]).
    pub(crate) async fn check_bot_call<T>(
        &self,
        account_id: i64,
        result: std::result::Result<T, SlackApiError>,
    ) -> std::result::Result<T, SlackApiError> {
        if let Err(e) = &result {
            if let Some(code) = e.code().filter(|c| c.is_dead_token()) {
                let cause = SlackSideCause::DeadToken(code.to_string());
                if let Err(db) = self.disconnected_by_slack(account_id, cause).await {
                    tracing::error!(account_id, error = %db, "could not record a dead Slack token");
                }
            }
        }
        result
    }
}
