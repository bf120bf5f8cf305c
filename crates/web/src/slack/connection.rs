//! The hub's side of a connection that Slack ended: the app was removed
//! from the workspace, its token revoked, or a Web API call found the bot
//! token dead. Both ways in end at [`disconnected_by_slack`], which marks
//! the connection disconnected (token forgotten, row kept so that a
//! reconnect restores its settings), writes the audit entry, and tells
//! every active super admin, in the app and by email, in one transaction.
//! An already-disconnected connection does nothing and tells no one, so
//! Slack's duplicates and the two events an uninstall sends notify once.
//!
//! Every Web API call made with a stored bot token must hand its result to
//! [`check_bot_call`] (jobs included: load the token with [`live_connection`],
//! call Slack, pass the result through `check_bot_call`, and stop on
//! `Err`), so that nothing keeps retrying against a dead token.

use hubbub_slack::{EventCallback, SlackApiError, SlackErrorCode};
use hubbub_store::{
    active_super_admins_on, disconnect_slack_on, enqueue_mail, notify_on, NewMail, NewNotification,
    SlackConnection, StoreError, SLACK_DISCONNECT_REMOVED_IN_SLACK, SLACK_DISCONNECT_TOKEN_DEAD,
};
use serde_json::Value;

use crate::ui::page::user_name;
use crate::AppState;

/// Where the super admins are sent to reconnect.
pub const MARKETPLACE_PATH: &str = "/settings/marketplace";

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

/// A Slack error saying the token itself no longer works.
pub fn is_dead_token(e: &SlackApiError) -> bool {
    matches!(
        e.code(),
        Some(
            SlackErrorCode::TokenRevoked
                | SlackErrorCode::InvalidAuth
                | SlackErrorCode::AccountInactive
                | SlackErrorCode::NotAuthed
        )
    )
}

/// The account's live connection and its bot token, decrypted, if it has
/// one (one read of the connection).
pub async fn live_connection(
    state: &AppState,
    account_id: i64,
) -> Result<Option<(SlackConnection, String)>, StoreError> {
    let Some(c) = state.store.slack_connection(account_id).await? else {
        return Ok(None);
    };
    let token = c
        .bot_token_ciphertext
        .as_deref()
        .filter(|_| c.is_live())
        .and_then(|sealed| state.secret_key.decrypt(sealed).ok());
    Ok(token.map(|t| (c, t)))
}

/// Passes a Web API call's result through; a dead-token answer first
/// disconnects the account (see [`disconnected_by_slack`]).
pub async fn check_bot_call<T>(
    state: &AppState,
    account_id: i64,
    result: Result<T, SlackApiError>,
) -> Result<T, SlackApiError> {
    if let Err(e) = &result {
        if is_dead_token(e) {
            let code = e.code().map(|c| c.to_string()).unwrap_or_default();
            if let Err(db) =
                disconnected_by_slack(state, account_id, SlackSideCause::DeadToken(code)).await
            {
                tracing::error!(account_id, error = %db, "could not record a dead Slack token");
            }
        }
    }
    result
}

/// An Events API event that may end the connection: `app_uninstalled`, or
/// `tokens_revoked` listing the connection's bot user among `tokens.bot`.
pub async fn on_event(
    state: &AppState,
    account_id: i64,
    callback: &EventCallback,
) -> Result<(), StoreError> {
    let cause = match callback.event.kind.as_str() {
        "app_uninstalled" => SlackSideCause::AppUninstalled,
        "tokens_revoked" => {
            let Some(c) = state.store.slack_connection(account_id).await? else {
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
    disconnected_by_slack(state, account_id, cause).await?;
    Ok(())
}

/// Slack ended the account's connection. In one transaction: the
/// connection is marked disconnected with the reason, the audit log says
/// why, and each active super admin gets a `slack_disconnected`
/// notification and an email. True when this disconnected it; false (and
/// nothing done) when it was not live.
pub async fn disconnected_by_slack(
    state: &AppState,
    account_id: i64,
    cause: SlackSideCause,
) -> Result<bool, StoreError> {
    let mut tx = state.store.begin_write().await?;
    let admins = active_super_admins_on(&mut tx, account_id).await?;
    let Some(was) = disconnect_slack_on(
        &mut tx,
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
    let url = format!("{}{MARKETPLACE_PATH}", state.web.public_url);
    let body = format!(
        "The hub is no longer connected to the Slack workspace {team}. {LIKELY_CAUSE} {PREVENTION} Reconnect it in Settings > App Marketplace."
    );
    for admin in &admins {
        notify_on(
            &mut tx,
            account_id,
            NewNotification {
                user_id: admin.id,
                topic: "slack_disconnected".to_owned(),
                title: format!("Slack disconnected: {team}"),
                body: body.clone(),
                link: MARKETPLACE_PATH.to_owned(),
            },
        )
        .await?;
        enqueue_mail(
            &mut tx,
            account_id,
            &NewMail {
                to_address: admin.email.clone(),
                subject: format!("Slack workspace {team} was disconnected from the hub"),
                text_body: format!(
                    "Hello {},\n\nThe hub is no longer connected to the Slack workspace {team}.\n\nLikely cause: {LIKELY_CAUSE}\n\n{PREVENTION}\n\nReconnect it from the App Marketplace: {url}\n",
                    user_name(admin)
                ),
                html_body: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    tracing::warn!(account_id, team_id = %was.team_id, ?cause, "Slack ended the connection");
    Ok(true)
}
