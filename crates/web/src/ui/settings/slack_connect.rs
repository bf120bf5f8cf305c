//! Connecting a Slack workspace through Slack's OAuth v2, and
//! disconnecting it.
//!
//! 1. "Connect app" ([`authorize_url`]) records a random `state` (only its
//!    hash is kept) bound to the signed-in user and their session, valid
//!    10 minutes and usable once, and sends the browser to Slack's consent
//!    screen.
//! 2. Slack sends the browser back to `GET /slack/oauth/callback` with a
//!    `code` (or `error=access_denied`) and the `state`. [`callback`] takes
//!    the state back (only the same user in the same session can), checks
//!    the user may still connect apps, exchanges the code
//!    (`oauth.v2.access`), and asks `users.info` whether the approver is an
//!    admin or owner of the workspace. A refusal revokes the new token and
//!    stores nothing. Otherwise the token is encrypted with the hub's
//!    secret key and stored, the installer is notified (in the app and by
//!    email), the audit log records it, and the browser returns to the page
//!    it started from.
//! 3. Disconnect ([`disconnect`]) revokes the token at Slack, forgets it,
//!    and keeps the row (marked disconnected) so that reconnecting the same
//!    workspace can restore its settings.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hubbub_hub::auth::hash_token;
use hubbub_slack::{OAuthAccess, SlackApiError};
use hubbub_store::{
    NewMail, NewNotification, NewOAuthState, OAuthStateTaken, SlackInstall, SlackInstallRefused,
};
use serde::Deserialize;

use super::marketplace::require_app_connector;
use crate::jobs;
use crate::slack::connection;
use crate::ui::page::{see_other, user_name, PageError, PageResult};
use crate::ui::records::format_instant;
use crate::ui::session::Viewer;
use crate::{AppState, SlackAppConfig};

/// Where Slack sends the browser back, under the hub's public URL.
pub const CALLBACK_PATH: &str = "/slack/oauth/callback";

/// The hash that binds a `state` to one browser session: the session's
/// CSRF token is random, secret and unique to the session.
fn session_hash(viewer: &Viewer) -> String {
    hash_token(&format!("slack-oauth:{}", viewer.session.csrf_token))
}

fn redirect_uri(state: &AppState) -> String {
    format!("{}{CALLBACK_PATH}", state.web.public_url)
}

/// Records a fresh `state` for this session and returns the URL of
/// Slack's consent screen. `return_to` is the hub page to come back to.
pub async fn authorize_url(
    state: &AppState,
    app: &SlackAppConfig,
    viewer: &Viewer,
    return_to: &str,
) -> Result<String, PageError> {
    let oauth_state = state
        .store
        .create_slack_oauth_state(&NewOAuthState {
            account_id: viewer.account_id(),
            user_id: viewer.session.user.id,
            session_hash: session_hash(viewer),
            return_to: return_to.to_owned(),
        })
        .await?;
    let query = serde_urlencoded::to_string([
        ("client_id", app.client_id.as_str()),
        ("scope", &hubbub_slack::manifest::scope_list()),
        ("redirect_uri", &redirect_uri(state)),
        ("state", &oauth_state),
    ])
    .map_err(|e| PageError::internal(e.to_string()))?;
    let sep = if app.authorize_url.contains('?') {
        '&'
    } else {
        '?'
    };
    Ok(format!("{}{sep}{query}", app.authorize_url))
}

#[derive(Deserialize, Default)]
pub struct CallbackQuery {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

fn refused(status: StatusCode, message: impl Into<String>) -> PageError {
    PageError::new(status, "Slack was not connected", message)
}

const START_AGAIN: &str = "Nothing was changed. To connect Slack, start again from Settings > App Marketplace or Settings > Inbox.";

/// `GET /slack/oauth/callback`: Slack's answer to the consent screen.
pub async fn callback(
    State(state): State<AppState>,
    viewer: Result<Viewer, Response>,
    Query(query): Query<CallbackQuery>,
) -> PageResult {
    let Ok(viewer) = viewer else {
        return Err(refused(
            StatusCode::UNAUTHORIZED,
            format!("This Slack connection was not started by anyone signed in to the hub in this browser. {START_AGAIN}"),
        ));
    };
    let Some(oauth_state) = query.state.as_deref().filter(|s| !s.is_empty()) else {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            format!("Slack's answer is missing its state. {START_AGAIN}"),
        ));
    };
    let taken = state
        .store
        .take_slack_oauth_state(oauth_state, viewer.session.user.id, &session_hash(&viewer))
        .await?;
    let return_to = match taken {
        OAuthStateTaken::Valid {
            account_id,
            return_to,
        } if account_id == viewer.account_id() => return_to,
        OAuthStateTaken::Valid { .. } | OAuthStateTaken::Unknown => {
            return Err(refused(
                StatusCode::FORBIDDEN,
                format!("This Slack connection link is not valid for you: it was already used, or it was started by someone else or in another session. {START_AGAIN}"),
            ))
        }
        OAuthStateTaken::Expired { .. } => {
            return Err(refused(
                StatusCode::BAD_REQUEST,
                format!("This Slack connection request expired: it must be completed within 10 minutes. {START_AGAIN}"),
            ))
        }
    };
    require_app_connector(&state, &viewer).await?;
    if let Some(error) = query.error.as_deref() {
        if error == "access_denied" {
            return Ok(see_other(&with_code(&return_to, "cancelled")));
        }
        return Err(refused(
            StatusCode::BAD_REQUEST,
            format!("Slack did not complete the installation ({error}). {START_AGAIN}"),
        ));
    }
    let Some(code) = query.code.as_deref().filter(|c| !c.is_empty()) else {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            format!("Slack's answer has no authorization code. {START_AGAIN}"),
        ));
    };
    let Some(app) = state.web.slack_app.clone() else {
        return Err(refused(
            StatusCode::SERVICE_UNAVAILABLE,
            "Slack is not configured on this hub (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET).",
        ));
    };
    let access = state
        .slack_api
        .oauth_v2_access(
            &app.client_id,
            &app.client_secret,
            code,
            &redirect_uri(&state),
        )
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "Slack refused the OAuth code");
            refused(
                StatusCode::BAD_GATEWAY,
                format!(
                    "Slack did not accept the authorization ({}). {START_AGAIN}",
                    slack_reason(&e)
                ),
            )
        })?;
    complete(&state, &viewer, access, &return_to).await
}

fn with_code(return_to: &str, code: &str) -> String {
    let sep = if return_to.contains('?') { '&' } else { '?' };
    format!("{return_to}{sep}slack={code}")
}

fn slack_reason(e: &SlackApiError) -> String {
    match e {
        SlackApiError::Slack(code) => format!("Slack answered {code}"),
        SlackApiError::RateLimited { .. } => "Slack asked the hub to slow down".to_owned(),
        SlackApiError::Transport(_) => "Slack could not be reached".to_owned(),
    }
}

/// After the code exchange: check the approver, enforce one workspace per
/// account, store, tell the installer.
async fn complete(
    state: &AppState,
    viewer: &Viewer,
    access: OAuthAccess,
    return_to: &str,
) -> PageResult {
    let account_id = viewer.account_id();
    let team = if access.team_name.is_empty() {
        access.team_id.clone()
    } else {
        access.team_name.clone()
    };
    let installer = match state
        .slack_api
        .users_info(&access.bot_token, &access.authed_user_id)
        .await
    {
        Ok(info) => info,
        Err(e) => {
            revoke_unless_in_use(state, &access).await;
            return Err(refused(
                StatusCode::BAD_GATEWAY,
                format!(
                    "Slack did not say who approved the installation ({}). {START_AGAIN}",
                    slack_reason(&e)
                ),
            ));
        }
    };
    if !installer.is_workspace_admin() {
        revoke_unless_in_use(state, &access).await;
        state
            .store
            .audit(
                account_id,
                Some(viewer.session.user.id),
                "slack.refused",
                &format!(
                    "Slack user {} is not an admin of {team} ({})",
                    installer.id, access.team_id
                ),
            )
            .await?;
        return Err(refused(
            StatusCode::FORBIDDEN,
            format!("A Slack admin must install the app: the person who approved it in Slack (@{}) is not an admin or owner of the {team} workspace. Ask a Slack workspace admin to connect it, or to make you an admin. Nothing was stored and the app's access was revoked.", installer.name),
        ));
    }
    let install = SlackInstall {
        account_id,
        team_id: access.team_id.clone(),
        team_name: access.team_name.clone(),
        bot_user_id: access.bot_user_id.clone(),
        installer_user_id: viewer.session.user.id,
        installer_slack_user_id: installer.id.clone(),
        installer_slack_email: installer.email.clone(),
        scopes: access.scopes.clone(),
        bot_token_ciphertext: state.secret_key.encrypt(&access.bot_token),
    };
    // Finding every user's Slack account is a job enqueued with the
    // connection: it calls Slack once per user.
    let map_users = [(jobs::kind::MAP_SLACK_USERS, serde_json::json!({}))];
    match state.store.connect_slack_then(&install, &map_users).await? {
        Ok(_) => state.wake_jobs(),
        Err(SlackInstallRefused::AccountHasOtherTeam { team_name }) => {
            revoke_unless_in_use(state, &access).await;
            return Err(refused(
                StatusCode::CONFLICT,
                format!("This hub account is already connected to the Slack workspace {team_name}, and an account connects to exactly one workspace. Disconnect {team_name} in Settings > App Marketplace first, then connect {team}."),
            ));
        }
        Err(SlackInstallRefused::TeamOnOtherAccount) => {
            revoke_unless_in_use(state, &access).await;
            return Err(refused(
                StatusCode::CONFLICT,
                format!("The Slack workspace {team} is already connected to another hub account, and a workspace connects to exactly one account. Disconnect it from that account first."),
            ));
        }
    }
    tracing::info!(account_id, team_id = %access.team_id, "connected a Slack workspace");
    let user = &viewer.session.user;
    let body = format!(
        "The Slack workspace {team} is now connected to the hub, installed by you (Slack user @{}).",
        installer.name
    );
    state
        .store
        .notify(
            account_id,
            NewNotification {
                user_id: user.id,
                topic: "slack_connected".to_owned(),
                title: format!("Slack connected: {team}"),
                body: body.clone(),
                link: return_to.to_owned(),
            },
        )
        .await?;
    let mail = NewMail {
        to_address: user.email.clone(),
        subject: format!("Slack workspace {team} connected to the hub"),
        text_body: format!(
            "Hello {},\n\n{body}\n\nManage the connection at {}{return_to}\n",
            user_name(user),
            state.web.public_url
        ),
        html_body: None,
    };
    if let Err(e) = state.store.enqueue_mail(account_id, &mail).await {
        // The connection is made; a mail that cannot be queued must not undo it.
        tracing::warn!(error = %e, "could not queue the Slack connection email");
    }
    Ok(see_other(&with_code(return_to, "connected")))
}

/// Revokes a token the hub will not keep, unless a live connection
/// already holds this same token (Slack hands the same bot token out
/// again when an app is reinstalled): revoking it would cut that one off.
async fn revoke_unless_in_use(state: &AppState, access: &OAuthAccess) {
    let holder = match state.store.account_for_slack_team(&access.team_id).await {
        Ok(Some(account_id)) => state
            .store
            .slack_connection(account_id)
            .await
            .ok()
            .flatten(),
        _ => None,
    };
    let in_use = holder
        .and_then(|c| c.bot_token_ciphertext)
        .and_then(|sealed| state.secret_key.decrypt(&sealed).ok())
        .is_some_and(|held| held == access.bot_token);
    if in_use {
        return;
    }
    if let Err(e) = state.slack_api.auth_revoke(&access.bot_token).await {
        tracing::warn!(error = %e, team_id = %access.team_id, "could not revoke a refused Slack token");
    }
}

/// Disconnects the viewer's account; answers the code the marketplace
/// page shows (`disconnected`, `disconnected_locally`, `not_connected`,
/// `disconnected_by_slack` when Slack answered that the token was already
/// dead).
pub async fn disconnect(state: &AppState, viewer: &Viewer) -> Result<&'static str, PageError> {
    let account_id = viewer.account_id();
    let Some(current) = state
        .store
        .slack_connection(account_id)
        .await?
        .filter(|c| c.is_live())
    else {
        return Ok("not_connected");
    };
    let revoked = match current
        .bot_token_ciphertext
        .as_deref()
        .map(|sealed| state.secret_key.decrypt(sealed))
    {
        Some(Ok(token)) => {
            let result = state.slack_api.auth_revoke(&token).await;
            match connection::check_bot_call(state, account_id, result).await {
                Ok(()) => Ok(()),
                // Slack had already ended it: `check_bot_call` disconnected
                // the account as removed in Slack and told the super admins.
                Err(e) if connection::is_dead_token(&e) => return Ok("disconnected_by_slack"),
                Err(e) => Err(slack_reason(&e)),
            }
        }
        Some(Err(e)) => Err(e.to_string()),
        None => Err("no token was stored".to_owned()),
    };
    let detail = match &revoked {
        Ok(()) => "the token was revoked in Slack".to_owned(),
        Err(why) => {
            format!("Slack could not revoke the token ({why}); disconnected in the hub only")
        }
    };
    if let Err(why) = &revoked {
        tracing::warn!(account_id, reason = %why, "disconnecting Slack without revoking the token");
    }
    state
        .store
        .disconnect_slack(account_id, Some(viewer.session.user.id), &detail)
        .await?;
    Ok(if revoked.is_ok() {
        "disconnected"
    } else {
        "disconnected_locally"
    })
}

/// The connection as the marketplace page shows it.
pub struct ConnectionView {
    pub live: bool,
    pub team_id: String,
    pub team_name: String,
    pub installer: String,
    pub installer_slack_user_id: String,
    pub connected_at: String,
    pub disconnected_at: String,
    /// The installer's hub and Slack emails differ: (hub, Slack).
    pub email_mismatch: Option<(String, String)>,
    /// The last disconnect came from Slack's side: the likely cause and
    /// how to prevent it.
    pub slack_side: Option<(&'static str, &'static str)>,
}

pub async fn connection_view(
    state: &AppState,
    account_id: i64,
) -> Result<Option<ConnectionView>, PageError> {
    let Some(c) = state.store.slack_connection(account_id).await? else {
        return Ok(None);
    };
    let installer = match c.installer_user_id {
        Some(id) => state.store.user(account_id, id).await.ok(),
        None => None,
    };
    let email_mismatch = match (&installer, &c.installer_slack_email) {
        (Some(user), Some(slack)) if !user.email.trim().eq_ignore_ascii_case(slack.trim()) => {
            Some((user.email.clone(), slack.clone()))
        }
        _ => None,
    };
    let slack_side = (!c.is_live() && c.disconnect_reason.is_some())
        .then_some((connection::LIKELY_CAUSE, connection::PREVENTION));
    Ok(Some(ConnectionView {
        slack_side,
        live: c.is_live(),
        team_name: c.team_label().to_owned(),
        team_id: c.team_id,
        installer: installer
            .as_ref()
            .map(user_name)
            .unwrap_or_else(|| "someone no longer in the hub".to_owned()),
        installer_slack_user_id: c.installer_slack_user_id,
        connected_at: format_instant(c.connected_at),
        disconnected_at: c.disconnected_at.map(format_instant).unwrap_or_default(),
        email_mismatch,
    }))
}
