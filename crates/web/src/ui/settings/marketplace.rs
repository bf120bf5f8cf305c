//! The App Marketplace: the apps the hub can connect (today, Slack), what
//! each asks for and why, and the "Connect app" button. Only super admins
//! and users with the App Marketplace permission may connect.

use askama::Template;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

use hubbub_app::jobs::ParkedJob;
use hubbub_app::slack::connect::Disconnected;
use hubbub_app::Permission;

use super::slack::{connection_view, notice_for, start_connect, ConnectionView};
use super::{NoFields, Notice};
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

/// What happened, after a redirect back here (only known codes show).
#[derive(Deserialize, Default)]
pub struct SlackQuery {
    #[serde(default)]
    slack: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<SlackQuery>,
) -> PageResult {
    let reason = cannot_connect(&state, &viewer).await?;
    let connection = connection_view(&state, viewer.account_id()).await?;
    let page = MarketplacePage {
        chrome: Chrome::new(&viewer, "settings", "App Marketplace"),
        tab: "marketplace",
        permissions: SLACK_PERMISSIONS,
        may_connect: reason.is_none(),
        reason: reason.unwrap_or_default(),
        configured: state.app.config().slack_app.is_some(),
        notice: notice_for(query.slack.as_deref(), connection.as_ref()),
        connection_live: connection.as_ref().is_some_and(|c| c.live),
        connection,
        parked: state.app.parked_jobs(&viewer.actor(), 20).await?,
    };
    Ok(render(&page))
}

/// "Retry" on a parked job: back in the queue, due at once.
pub async fn retry_job(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    state.app.retry_job(&viewer.actor(), id).await?;
    Ok(see_other("/settings/marketplace?slack=job_retried"))
}

/// Why the viewer may not connect apps (shown beside the disabled
/// buttons, naming whom to ask); `None` when they may.
pub(super) async fn cannot_connect(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Option<String>, PageError> {
    let denial = state
        .app
        .denial(&viewer.actor(), Permission::ConnectApps)
        .await?;
    Ok(denial.map(|refusal| refusal.to_string()))
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
    let code = match state.app.disconnect_slack(&viewer.actor()).await? {
        Disconnected::Revoked => "disconnected",
        Disconnected::LocallyOnly => "disconnected_locally",
        Disconnected::AlreadyEndedBySlack => "disconnected_by_slack",
        Disconnected::NotConnected => "not_connected",
    };
    Ok(see_other(&format!("/settings/marketplace?slack={code}")))
}
