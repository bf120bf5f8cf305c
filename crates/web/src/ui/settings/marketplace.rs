//! The App Marketplace: the apps the hub can connect (today, Slack), what
//! each asks for and why, and the "Connect app" button. Only super admins
//! and users with the App Marketplace permission may connect.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::slack_connect::{self, ConnectionView};
use super::{super_admin_names, with_status, NoFields, Notice};
use crate::jobs;
use crate::ui::page::{render, see_other, Chrome, PageError, PageResult};
use crate::ui::session::{CsrfForm, Viewer};
use crate::AppState;

/// One permission the Slack app asks for at install, and why.
pub struct SlackPermission {
    pub what: &'static str,
    pub why: &'static str,
}

/// What Slack's consent screen will ask for, shown before connecting.
pub const SLACK_PERMISSIONS: &[SlackPermission] = &[
    SlackPermission {
        what: "Public and private channel content",
        why: "For web chat: conversations with your website's visitors are posted in the Slack channel you choose, and replies in their threads go back to the visitor.",
    },
    SlackPermission {
        what: "Member information",
        why: "To tie what people do in Slack to the right hub user, by matching Slack members' email addresses with hub users' emails.",
    },
    SlackPermission {
        what: "Reactions",
        why: "To show each web chat message's status (for example, delivered to the visitor) as a reaction on its Slack message.",
    },
];

#[derive(Template)]
#[template(path = "settings/marketplace.html")]
struct MarketplacePage {
    chrome: Chrome,
    tab: &'static str,
    permissions: &'static [SlackPermission],
    may_connect: bool,
    /// Why the button is disabled, when it is.
    reason: String,
    /// The client id and secret are set.
    configured: bool,
    notice: Option<Notice>,
    /// The account's connection, live or disconnected.
    connection: Option<ConnectionView>,
    connection_live: bool,
    /// Slack work that gave up (shown to super admins).
    parked: Vec<ParkedJob>,
}

/// A background job that gave up, as super admins see it.
pub struct ParkedJob {
    pub id: i64,
    pub what: &'static str,
    pub attempts: i64,
    pub error: String,
}

async fn parked_jobs(state: &AppState, viewer: &Viewer) -> Result<Vec<ParkedJob>, PageError> {
    if !viewer.session.user.roles.super_admin {
        return Ok(Vec::new());
    }
    let parked = state.store.parked_jobs(viewer.account_id(), 20).await?;
    Ok(parked
        .into_iter()
        .map(|j| ParkedJob {
            id: j.id,
            what: jobs::describe(&j.kind),
            attempts: j.attempts,
            error: j.last_error.unwrap_or_default(),
        })
        .collect())
}

fn cannot_connect_reason(admins: &str) -> String {
    format!(
        "Only super admins and users with the App Marketplace permission can connect apps. Ask {admins} to connect Slack, or to give you the App Marketplace permission."
    )
}

/// What happened, after a redirect back here (only known codes show).
#[derive(Deserialize, Default)]
pub struct SlackQuery {
    #[serde(default)]
    slack: Option<String>,
}

pub(super) fn notice_for(
    code: Option<&str>,
    connection: Option<&ConnectionView>,
) -> Option<Notice> {
    let team = connection.map(|c| c.team_name.as_str()).unwrap_or("Slack");
    Some(match code? {
        "job_retried" => Notice::ok("The job is queued again and runs in a moment."),
        "connected" => Notice::ok(format!("Connected to {team}.")),
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

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<SlackQuery>,
) -> PageResult {
    let reason = cannot_connect(&state, &viewer).await?;
    let connection = slack_connect::connection_view(&state, viewer.account_id()).await?;
    let page = MarketplacePage {
        chrome: Chrome::new(&viewer, "settings", "App Marketplace"),
        tab: "marketplace",
        permissions: SLACK_PERMISSIONS,
        may_connect: reason.is_none(),
        reason: reason.unwrap_or_default(),
        configured: state.web.slack_app.is_some(),
        notice: notice_for(query.slack.as_deref(), connection.as_ref()),
        connection_live: connection.as_ref().is_some_and(|c| c.live),
        connection,
        parked: parked_jobs(&state, &viewer).await?,
    };
    Ok(render(&page))
}

/// "Retry" on a parked job: back in the queue, due at once.
pub async fn retry_job(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    if !viewer.session.user.roles.super_admin {
        return Err(PageError::forbidden(
            "Only super admins retry background work.",
        ));
    }
    state.store.retry_job(viewer.account_id(), id).await?;
    state.wake_jobs();
    Ok(see_other("/settings/marketplace?slack=job_retried"))
}

#[derive(Template)]
#[template(path = "settings/slack_connect.html")]
struct NotConfiguredPage {
    chrome: Chrome,
    tab: &'static str,
    /// The page the button was on.
    return_to: String,
}

/// Why the viewer may not connect apps (shown beside the disabled
/// buttons, naming whom to ask); `None` when they may.
pub(super) async fn cannot_connect(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Option<String>, PageError> {
    if viewer.session.user.roles.may_connect_apps() {
        return Ok(None);
    }
    let users = state.store.users(viewer.account_id()).await?;
    Ok(Some(cannot_connect_reason(&super_admin_names(&users))))
}

/// Refuses anyone who may not connect apps, with the 403 page.
pub(super) async fn require_app_connector(
    state: &AppState,
    viewer: &Viewer,
) -> Result<(), PageError> {
    match cannot_connect(state, viewer).await? {
        None => Ok(()),
        Some(reason) => Err(PageError::forbidden(reason)),
    }
}

/// Starts connecting the account's Slack workspace from a settings page
/// (the App Marketplace, or an inbox's settings): refuses anyone who may
/// not connect apps, explains when Slack is not configured on the hub, and
/// otherwise sends the browser to Slack's consent screen with a fresh
/// `state` bound to this session (see [`slack_connect::authorize_url`]),
/// to come back to `return_to`. Both pages start here, so a connection
/// made from either is the one both show.
pub(super) async fn start_connect(
    state: &AppState,
    viewer: &Viewer,
    return_to: &str,
    tab: &'static str,
) -> PageResult {
    require_app_connector(state, viewer).await?;
    let Some(app) = state.web.slack_app.clone() else {
        let page = NotConfiguredPage {
            chrome: Chrome::new(viewer, "settings", "Connect Slack"),
            tab,
            return_to: return_to.to_owned(),
        };
        return Ok(with_status(StatusCode::SERVICE_UNAVAILABLE, render(&page)));
    };
    let url = slack_connect::authorize_url(state, &app, viewer, return_to).await?;
    Ok(see_other(&url))
}

/// "Connect app" for Slack.
pub async fn connect(
    State(state): State<AppState>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    start_connect(&state, &viewer, "/settings/marketplace", "marketplace").await
}

/// "Disconnect" for Slack.
pub async fn disconnect(
    State(state): State<AppState>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    require_app_connector(&state, &viewer).await?;
    let code = slack_connect::disconnect(&state, &viewer).await?;
    Ok(see_other(&format!("/settings/marketplace?slack={code}")))
}
