//! What the App Marketplace and the inbox settings share about Slack: the
//! connection as both pages show it, the messages after a redirect back,
//! starting to connect (from either page, so that a connection made from
//! one is the one both show), and the OAuth callback. The rules are
//! `hubbub_app::slack::connect`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hubbub_app::slack::connect::{
    ConnectDone, ConnectRefused, ConnectStart, ConnectionInfo, OAuthCallback,
};
use hubbub_app::slack::workspace::UNREADABLE_TOKEN;
use hubbub_hub::timestamp::format_instant;
use serde::Deserialize;

use super::{with_status, Notice};
use crate::ui::page::{render, see_other, Chrome, PageError, PageResult};
use crate::ui::session::Viewer;
use crate::AppState;

/// The connection as the pages show it.
pub struct ConnectionView {
    /// Connected, with a token the hub can use.
    pub live: bool,
    /// Connected (not disconnected), usable or not.
    pub connected: bool,
    /// Why a connected workspace cannot be used (a configuration error).
    pub unusable: Option<&'static str>,
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

impl From<ConnectionInfo> for ConnectionView {
    fn from(info: ConnectionInfo) -> ConnectionView {
        let c = &info.connection;
        ConnectionView {
            live: info.live(),
            connected: c.is_live(),
            unusable: info.token_unreadable.then_some(UNREADABLE_TOKEN),
            team_name: c.team_label().to_owned(),
            team_id: c.team_id.clone(),
            installer: info
                .installer
                .as_ref()
                .map(|u| u.display_name())
                .unwrap_or_else(|| "someone no longer in the hub".to_owned()),
            installer_slack_user_id: c.installer_slack_user_id.clone(),
            connected_at: format_instant(c.connected_at),
            disconnected_at: c.disconnected_at.map(format_instant).unwrap_or_default(),
            email_mismatch: info.email_mismatch,
            slack_side: info.slack_side,
        }
    }
}

/// The account's connection, live or disconnected, if it ever had one.
pub async fn connection_view(
    state: &AppState,
    account_id: i64,
) -> Result<Option<ConnectionView>, PageError> {
    Ok(state
        .app
        .slack_connection_info(account_id)
        .await?
        .map(ConnectionView::from))
}

/// The message for a `slack` code after a redirect back (only known codes
/// show, so a crafted link cannot put arbitrary text on the page).
pub fn notice_for(code: Option<&str>, connection: Option<&ConnectionView>) -> Option<Notice> {
    let team = connection.map(|c| c.team_name.as_str()).unwrap_or("Slack");
    Some(match code? {
        "job_retried" => Notice::ok("The job is queued again and runs in a moment."),
        "connected" => Notice::ok(format!("Connected to {team}.")),
        "already_connected" => Notice::error(format!(
            "Already connected to {team}: nothing was changed, and Slack was not asked. To connect another workspace, disconnect {team} first."
        )),
        "cancelled" => Notice::error(
            "Slack was not connected: the installation was cancelled on Slack's consent screen.",
        ),
        "disconnected" => Notice::ok(format!(
            "Disconnected from {team}. The app was removed from the workspace."
        )),
        "disconnected_locally" => Notice::error(format!(
            "Disconnected from {team} in the hub, but Slack could not be told (the token may already have been revoked, or Slack was unreachable). Check the workspace's installed apps in Slack and remove the app there if it is still listed."
        )),
        "disconnected_by_slack" => Notice::error(format!(
            "{team} was already disconnected on Slack's side: Slack answered that the hub's token no longer works. The connection is now marked disconnected; super admins were told."
        )),
        "not_connected" => Notice::error("Slack was not connected, so there was nothing to disconnect."),
        _ => return None,
    })
}

/// `return_to` with `slack=code` added to its query.
pub fn with_code(return_to: &str, code: &str) -> String {
    let sep = if return_to.contains('?') { '&' } else { '?' };
    format!("{return_to}{sep}slack={code}")
}

#[derive(Template)]
#[template(path = "settings/slack_connect.html")]
struct NotConfiguredPage {
    chrome: Chrome,
    tab: &'static str,
    /// The page the button was on.
    return_to: String,
}

/// Starts connecting the account's Slack workspace from a settings page
/// (`tab`), to come back to `return_to`.
pub async fn start_connect(
    state: &AppState,
    viewer: &Viewer,
    return_to: &str,
    tab: &'static str,
) -> PageResult {
    let start = state
        .app
        .start_slack_connect(&viewer.actor(), viewer.session_secret(), return_to)
        .await?;
    Ok(match start {
        ConnectStart::GoToSlack { url } => see_other(&url),
        ConnectStart::AlreadyConnected { .. } => {
            see_other(&with_code(return_to, "already_connected"))
        }
        ConnectStart::NotConfigured => {
            let page = NotConfiguredPage {
                chrome: Chrome::new(viewer, "settings", "Connect Slack"),
                tab,
                return_to: return_to.to_owned(),
            };
            with_status(StatusCode::SERVICE_UNAVAILABLE, render(&page))
        }
    })
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

/// How each refusal is answered.
fn status_of(refusal: &ConnectRefused) -> StatusCode {
    match refusal {
        ConnectRefused::StateNotValid | ConnectRefused::ApproverNotAdmin { .. } => {
            StatusCode::FORBIDDEN
        }
        ConnectRefused::NotConfigured => StatusCode::SERVICE_UNAVAILABLE,
        ConnectRefused::ExchangeFailed(_) | ConnectRefused::ApproverUnknown(_) => {
            StatusCode::BAD_GATEWAY
        }
        ConnectRefused::AccountHasOtherTeam { .. } | ConnectRefused::TeamOnOtherAccount { .. } => {
            StatusCode::CONFLICT
        }
        ConnectRefused::MissingState
        | ConnectRefused::StateExpired
        | ConnectRefused::SlackError(_)
        | ConnectRefused::NoCode => StatusCode::BAD_REQUEST,
    }
}

/// `GET /slack/oauth/callback`: Slack's answer to the consent screen.
pub async fn callback(
    State(state): State<AppState>,
    viewer: Result<Viewer, Response>,
    Query(query): Query<CallbackQuery>,
) -> PageResult {
    let Ok(viewer) = viewer else {
        return Err(refused(
            StatusCode::UNAUTHORIZED,
            "This Slack connection was not started by anyone signed in to the hub in this browser. Nothing was changed. To connect Slack, start again from Settings > App Marketplace or Settings > Inbox.",
        ));
    };
    let callback = OAuthCallback {
        state: query.state.as_deref(),
        code: query.code.as_deref(),
        error: query.error.as_deref(),
    };
    let done = state
        .app
        .complete_slack_connect(&viewer.actor(), viewer.session_secret(), callback)
        .await?;
    match done {
        Ok(ConnectDone::Connected { return_to }) => {
            Ok(see_other(&with_code(&return_to, "connected")))
        }
        Ok(ConnectDone::Cancelled { return_to }) => {
            Ok(see_other(&with_code(&return_to, "cancelled")))
        }
        Err(refusal) => Err(refused(status_of(&refusal), refusal.message())),
    }
}
