//! Connecting a Slack workspace through Slack's OAuth v2, and
//! disconnecting it.
//!
//! 1. "Connect app" ([`App::start_slack_connect`]) is refused while the
//!    account has a working connection (a form left open from before must
//!    not send anyone to Slack's consent screen). Otherwise it records a
//!    random `state` (only its hash is kept) bound to the user and their
//!    browser session, valid 10 minutes and usable once, and answers the
//!    consent screen's URL.
//! 2. Slack sends the browser back with a `code` (or
//!    `error=access_denied`) and the `state`.
//!    [`App::complete_slack_connect`] takes the state back (only the same
//!    user in the same session can), checks the user may still connect
//!    apps, exchanges the code (`oauth.v2.access`), and asks `users.info`
//!    whether the approver is an admin or owner of the workspace. A refusal
//!    revokes the new token (unless a live connection holds that same
//!    token) and stores nothing. Otherwise, in one transaction: the token
//!    is stored encrypted with the hub's secret key, the audit log records
//!    it, the installer is told in the app and by email, and finding every
//!    user's Slack account is enqueued.
//! 3. [`App::disconnect_slack`] revokes the token at Slack, forgets it,
//!    and keeps the row (marked disconnected) so that reconnecting the same
//!    workspace restores its settings.

use hubbub_hub::auth::hash_token;
use hubbub_hub::Topic;
use hubbub_slack::{OAuthAccess, SlackApiError};
use hubbub_store::{
    connect_slack_on, enqueue_mail, notify_on, NewNotification, NewOAuthState, OAuthStateTaken,
    SlackConnection, SlackInstall, SlackInstallRefused, User,
};

use super::removal::{LIKELY_CAUSE, PREVENTION};
use super::workspace::WorkspaceAccess;
use crate::jobs::Job;
use crate::links;
use crate::mail::messages;
use crate::{Actor, App, Permission, Result};

/// What "Connect app" leads to.
#[derive(Debug)]
pub enum ConnectStart {
    /// Send the browser to Slack's consent screen.
    GoToSlack { url: String },
    /// The hub has no Slack app configured (no client id and secret).
    NotConfigured,
    /// The account already has a working connection to this workspace:
    /// nothing to do, and Slack is not involved.
    AlreadyConnected { team: String },
}

/// Slack's answer to the consent screen, as it reached the hub.
#[derive(Debug, Default)]
pub struct OAuthCallback<'a> {
    pub state: Option<&'a str>,
    pub code: Option<&'a str>,
    pub error: Option<&'a str>,
}

/// A connection made, or cancelled on Slack's consent screen; either way
/// the browser goes back to `return_to`.
#[derive(Debug, PartialEq)]
pub enum ConnectDone {
    Connected { return_to: String },
    Cancelled { return_to: String },
}

/// Why a connection was not made. Nothing was stored.
#[derive(Debug, PartialEq)]
pub enum ConnectRefused {
    MissingState,
    /// Unknown, already used, or started by someone else or in another
    /// session.
    StateNotValid,
    StateExpired,
    /// Slack answered the consent screen with this error.
    SlackError(String),
    NoCode,
    NotConfigured,
    /// `oauth.v2.access` refused the code.
    ExchangeFailed(String),
    /// `users.info` could not say who approved.
    ApproverUnknown(String),
    ApproverNotAdmin {
        approver: String,
        team: String,
    },
    AccountHasOtherTeam {
        current: String,
        new: String,
    },
    TeamOnOtherAccount {
        team: String,
    },
}

const START_AGAIN: &str = "Nothing was changed. To connect Slack, start again from Settings > App Marketplace or Settings > Inbox.";

impl ConnectRefused {
    /// What the page says.
    pub fn message(&self) -> String {
        match self {
            Self::MissingState => format!("Slack's answer is missing its state. {START_AGAIN}"),
            Self::StateNotValid => format!("This Slack connection link is not valid for you: it was already used, or it was started by someone else or in another session. {START_AGAIN}"),
            Self::StateExpired => format!("This Slack connection request expired: it must be completed within 10 minutes. {START_AGAIN}"),
            Self::SlackError(error) => format!("Slack did not complete the installation ({error}). {START_AGAIN}"),
            Self::NoCode => format!("Slack's answer has no authorization code. {START_AGAIN}"),
            Self::NotConfigured => "Slack is not configured on this hub (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET).".to_owned(),
            Self::ExchangeFailed(why) => format!("Slack did not accept the authorization ({why}). {START_AGAIN}"),
            Self::ApproverUnknown(why) => format!("Slack did not say who approved the installation ({why}). {START_AGAIN}"),
            Self::ApproverNotAdmin { approver, team } => format!("A Slack admin must install the app: the person who approved it in Slack (@{approver}) is not an admin or owner of the {team} workspace. Ask a Slack workspace admin to connect it, or to make you an admin. Nothing was stored and the app's access was revoked."),
            Self::AccountHasOtherTeam { current, new } => format!("This hub account is already connected to the Slack workspace {current}, and an account connects to exactly one workspace. Disconnect {current} in Settings > App Marketplace first, then connect {new}."),
            Self::TeamOnOtherAccount { team } => format!("The Slack workspace {team} is already connected to another hub account, and a workspace connects to exactly one account. Disconnect it from that account first."),
        }
    }
}

/// What disconnecting did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disconnected {
    /// The token was revoked at Slack and forgotten here.
    Revoked,
    /// Slack could not be told (unreachable, or the token unreadable):
    /// disconnected in the hub only.
    LocallyOnly,
    /// Slack answered that the token was already dead: the account is now
    /// disconnected as removed in Slack, and the super admins were told.
    AlreadyEndedBySlack,
    NotConnected,
}

/// The account's connection, as the settings pages show it.
pub struct ConnectionInfo {
    pub connection: SlackConnection,
    /// The hub user who installed it, if still in the hub.
    pub installer: Option<User>,
    /// The installer's hub and Slack emails differ: (hub, Slack).
    pub email_mismatch: Option<(String, String)>,
    /// The token is stored but cannot be decrypted (see
    /// [`super::workspace::UNREADABLE_TOKEN`]).
    pub token_unreadable: bool,
    /// The last disconnect came from Slack's side: the likely cause and
    /// how to prevent it.
    pub slack_side: Option<(&'static str, &'static str)>,
}

impl ConnectionInfo {
    /// Connected, with a token the hub can use.
    pub fn live(&self) -> bool {
        self.connection.is_live() && !self.token_unreadable
    }
}

/// The hash that binds a `state` to one browser session, from a secret
/// unique to that session.
fn session_hash(session_secret: &str) -> String {
    hash_token(&format!("slack-oauth:{session_secret}"))
}

fn slack_reason(e: &SlackApiError) -> String {
    match e {
        SlackApiError::Slack(code) => format!("Slack answered {code}"),
        SlackApiError::RateLimited { .. } | SlackApiError::Paced { .. } => {
            "Slack asked the hub to slow down".to_owned()
        }
        SlackApiError::Transport(_) => "Slack could not be reached".to_owned(),
    }
}

impl App {
    fn redirect_uri(&self) -> String {
        self.config().url(links::SLACK_OAUTH_CALLBACK)
    }

    /// "Connect app", from a settings page to come back to (`return_to`).
    /// `session_secret` is a secret unique to the browser session (the
    /// callback must come back to the same one).
    pub async fn start_slack_connect(
        &self,
        actor: &Actor,
        session_secret: &str,
        return_to: &str,
    ) -> Result<ConnectStart> {
        self.authorize(actor, Permission::ConnectApps).await?;
        let Some(app) = self.config().slack_app.clone() else {
            return Ok(ConnectStart::NotConfigured);
        };
        if let WorkspaceAccess::Live(live) = self.workspace_access(actor.account_id()).await? {
            return Ok(ConnectStart::AlreadyConnected {
                team: live.connection.team_label().to_owned(),
            });
        }
        let Some(user_id) = actor.user_id() else {
            return Err(hubbub_hub::HubError::Forbidden(
                "Only a signed-in person can connect Slack: Slack asks them to approve.".to_owned(),
            )
            .into());
        };
        let oauth_state = self
            .store()
            .create_slack_oauth_state(
                &NewOAuthState {
                    account_id: actor.account_id(),
                    user_id,
                    session_hash: session_hash(session_secret),
                    return_to: return_to.to_owned(),
                },
                self.now(),
            )
            .await?;
        let query = serde_urlencoded::to_string([
            ("client_id", app.client_id.as_str()),
            ("scope", &hubbub_slack::manifest::scope_list()),
            ("redirect_uri", &self.redirect_uri()),
            ("state", &oauth_state),
        ])
        .expect("strings encode as a query");
        let sep = if app.authorize_url.contains('?') {
            '&'
        } else {
            '?'
        };
        Ok(ConnectStart::GoToSlack {
            url: format!("{}{sep}{query}", app.authorize_url),
        })
    }

    /// Slack's answer to the consent screen, in the browser session
    /// (`session_secret`) of `actor`.
    pub async fn complete_slack_connect(
        &self,
        actor: &Actor,
        session_secret: &str,
        callback: OAuthCallback<'_>,
    ) -> Result<Result<ConnectDone, ConnectRefused>> {
        let (Some(user), Some(oauth_state)) =
            (actor.user(), callback.state.filter(|s| !s.is_empty()))
        else {
            return Ok(Err(ConnectRefused::MissingState));
        };
        let taken = self
            .store()
            .take_slack_oauth_state(
                oauth_state,
                user.id,
                &session_hash(session_secret),
                self.now(),
            )
            .await?;
        let return_to = match taken {
            OAuthStateTaken::Valid {
                account_id,
                return_to,
            } if account_id == actor.account_id() => return_to,
            OAuthStateTaken::Valid { .. } | OAuthStateTaken::Unknown => {
                return Ok(Err(ConnectRefused::StateNotValid))
            }
            OAuthStateTaken::Expired { .. } => return Ok(Err(ConnectRefused::StateExpired)),
        };
        self.authorize(actor, Permission::ConnectApps).await?;
        if let Some(error) = callback.error {
            if error == "access_denied" {
                return Ok(Ok(ConnectDone::Cancelled { return_to }));
            }
            return Ok(Err(ConnectRefused::SlackError(error.to_owned())));
        }
        let Some(code) = callback.code.filter(|c| !c.is_empty()) else {
            return Ok(Err(ConnectRefused::NoCode));
        };
        let Some(app) = self.config().slack_app.clone() else {
            return Ok(Err(ConnectRefused::NotConfigured));
        };
        let access = match self
            .slack_api()
            .oauth_v2_access(
                &app.client_id,
                &app.client_secret,
                code,
                &self.redirect_uri(),
            )
            .await
        {
            Ok(access) => access,
            Err(e) => {
                tracing::warn!(error = %e, "Slack refused the OAuth code");
                return Ok(Err(ConnectRefused::ExchangeFailed(slack_reason(&e))));
            }
        };
        let outcome = self.install(user, access, &return_to).await?;
        Ok(outcome.map(|()| ConnectDone::Connected { return_to }))
    }

    /// After the code exchange: check the approver, enforce one workspace
    /// per account, store, tell the installer.
    async fn install(
        &self,
        user: &User,
        access: OAuthAccess,
        return_to: &str,
    ) -> Result<Result<(), ConnectRefused>> {
        let account_id = user.account_id;
        let team = if access.team_name.is_empty() {
            access.team_id.clone()
        } else {
            access.team_name.clone()
        };
        let approver = match self
            .slack_api()
            .users_info(&access.bot_token, &access.authed_user_id)
            .await
        {
            Ok(info) => info,
            Err(e) => {
                self.revoke_unless_in_use(&access).await;
                return Ok(Err(ConnectRefused::ApproverUnknown(slack_reason(&e))));
            }
        };
        if !approver.is_workspace_admin() {
            self.revoke_unless_in_use(&access).await;
            let detail = format!(
                "Slack user {} is not an admin of {team} ({})",
                approver.id, access.team_id
            );
            self.store()
                .audit(account_id, Some(user.id), "slack.refused", &detail)
                .await?;
            return Ok(Err(ConnectRefused::ApproverNotAdmin {
                approver: approver.name,
                team,
            }));
        }
        let install = SlackInstall {
            account_id,
            team_id: access.team_id.clone(),
            team_name: access.team_name.clone(),
            bot_user_id: access.bot_user_id.clone(),
            installer_user_id: user.id,
            installer_slack_user_id: approver.id.clone(),
            installer_slack_email: approver.email.clone(),
            scopes: access.scopes.clone(),
            bot_token_ciphertext: self.secret_key().encrypt(&access.bot_token),
        };
        let mut tx = self.store().begin_write().await?;
        let refused = match connect_slack_on(&mut tx, &install).await? {
            Ok(_) => None,
            Err(SlackInstallRefused::AccountHasOtherTeam { team_name }) => {
                Some(ConnectRefused::AccountHasOtherTeam {
                    current: team_name,
                    new: team.clone(),
                })
            }
            Err(SlackInstallRefused::TeamOnOtherAccount) => {
                Some(ConnectRefused::TeamOnOtherAccount { team: team.clone() })
            }
        };
        if let Some(refused) = refused {
            drop(tx);
            self.revoke_unless_in_use(&access).await;
            return Ok(Err(refused));
        }
        // Finding every user's Slack account calls Slack once per user: a
        // job, committed with the connection.
        Job::MapSlackUsers { user_ids: None }
            .enqueue_on(&mut tx, account_id)
            .await?;
        // The same workspace again: its conversations' threads go on.
        self.resume_slack_threads_on(&mut tx, account_id, &access.team_id, None)
            .await?;
        let body = format!(
            "The Slack workspace {team} is now connected to the hub, installed by you (Slack user @{}).",
            approver.name
        );
        notify_on(
            &mut tx,
            account_id,
            NewNotification {
                user_id: user.id,
                topic: Topic::SlackConnected,
                title: format!("Slack connected: {team}"),
                body: body.clone(),
                link: return_to.to_owned(),
            },
        )
        .await?;
        let mail = messages::slack_connected(user, &team, &body, &self.config().url(return_to));
        enqueue_mail(&mut tx, account_id, &mail).await?;
        tx.commit().await?;
        self.wake_worker();
        tracing::info!(account_id, team_id = %access.team_id, "connected a Slack workspace");
        Ok(Ok(()))
    }

    /// Revokes a token the hub will not keep, unless a live connection
    /// already holds this same token (Slack hands the installed app's bot
    /// token back when it is installed again): revoking it would cut that
    /// connection off.
    async fn revoke_unless_in_use(&self, access: &OAuthAccess) {
        let holder = match self.store().account_for_slack_team(&access.team_id).await {
            Ok(Some(account_id)) => self
                .store()
                .slack_connection(account_id)
                .await
                .ok()
                .flatten(),
            _ => None,
        };
        let in_use = holder
            .and_then(|c| c.bot_token_ciphertext)
            .and_then(|sealed| self.secret_key().decrypt(&sealed).ok())
            .is_some_and(|held| held == access.bot_token);
        if in_use {
            return;
        }
        if let Err(e) = self.slack_api().auth_revoke(&access.bot_token).await {
            tracing::warn!(error = %e, team_id = %access.team_id, "could not revoke a refused Slack token");
        }
    }

    /// "Disconnect": revokes the token at Slack and disconnects the
    /// account in the hub.
    pub async fn disconnect_slack(&self, actor: &Actor) -> Result<Disconnected> {
        self.authorize(actor, Permission::ConnectApps).await?;
        let account_id = actor.account_id();
        let revoked = match self.workspace_access(account_id).await? {
            WorkspaceAccess::NotConnected(_) => return Ok(Disconnected::NotConnected),
            WorkspaceAccess::Unreadable(_) => Err(super::workspace::UNREADABLE_TOKEN.to_owned()),
            WorkspaceAccess::Live(live) => {
                let result = self.slack_api().auth_revoke(&live.token).await;
                match self.check_bot_call(account_id, result).await {
                    Ok(()) => Ok(()),
                    // Slack had already ended it: `check_bot_call`
                    // disconnected the account as removed in Slack and told
                    // the super admins.
                    Err(e) if e.is_dead_token() => return Ok(Disconnected::AlreadyEndedBySlack),
                    Err(e) => Err(slack_reason(&e)),
                }
            }
        };
        let detail = match &revoked {
            Ok(()) => "the token was revoked in Slack".to_owned(),
            Err(why) => {
                tracing::warn!(account_id, reason = %why, "disconnecting Slack without revoking the token");
                format!("Slack could not revoke the token ({why}); disconnected in the hub only")
            }
        };
        self.store()
            .disconnect_slack(account_id, actor.user_id(), &detail)
            .await?;
        Ok(if revoked.is_ok() {
            Disconnected::Revoked
        } else {
            Disconnected::LocallyOnly
        })
    }

    /// The account's connection, live or not, for the settings pages.
    pub async fn slack_connection_info(&self, account_id: i64) -> Result<Option<ConnectionInfo>> {
        let (connection, token_unreadable) = match self.workspace_access(account_id).await? {
            WorkspaceAccess::NotConnected(None) => return Ok(None),
            WorkspaceAccess::NotConnected(Some(c)) => (c, false),
            WorkspaceAccess::Live(live) => (live.connection, false),
            WorkspaceAccess::Unreadable(c) => (c, true),
        };
        let installer = match connection.installer_user_id {
            Some(id) => self.store().user(account_id, id).await.ok(),
            None => None,
        };
        let email_mismatch = match (&installer, &connection.installer_slack_email) {
            (Some(user), Some(slack)) if !user.email.trim().eq_ignore_ascii_case(slack.trim()) => {
                Some((user.email.clone(), slack.clone()))
            }
            _ => None,
        };
        let slack_side = (!connection.is_live() && connection.disconnect_reason.is_some())
            .then_some((LIKELY_CAUSE, PREVENTION));
        Ok(Some(ConnectionInfo {
            connection,
            installer,
            email_mismatch,
            token_unreadable,
            slack_side,
        }))
    }
}
