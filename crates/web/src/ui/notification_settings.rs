//! Notification settings: where the signed-in user hears from the hub
//! (in the app, by email, in Slack), and the Slack email mapping: when the
//! hub cannot find the user's Slack account by their hub email, a warning
//! beside Slack offers "click here to map your email address", whose
//! dialog sends a confirmation request to the Slack user they name.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use hubbub_store::{MappingRequestStatus, SlackLink, SlackPerson};
use serde::Deserialize;

use super::page::{render, see_other, Chrome, PageResult};
use super::records::format_instant;
use super::session::{CsrfForm, Viewer};
use super::settings::with_status;
use crate::slack::user_mapping::{self, SETTINGS_PATH};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route(SETTINGS_PATH, get(show)).route(
        "/settings/notifications/slack-mapping",
        post(request_mapping),
    )
}

/// The user's standing with the connected workspace.
pub enum SlackStanding {
    /// No live connection; `kept` names the Slack user the mapping will
    /// come back to when the same workspace is reconnected.
    NotConnected { kept: Option<String> },
    Mapped {
        team: String,
        person: SlackPerson,
        confirmed: bool,
    },
    /// A request waits for the Slack user's Confirm.
    Pending {
        team: String,
        person: SlackPerson,
        expires: String,
    },
    /// The hub found no Slack user with the hub email (or has not looked
    /// yet); `expired` names the Slack user whose request ran out.
    NeedsMapping {
        team: String,
        expired: Option<String>,
    },
}

impl SlackStanding {
    /// The warning beside Slack, with the mapping link.
    pub fn needs_mapping(&self) -> bool {
        matches!(self, SlackStanding::NeedsMapping { .. })
    }
}

#[derive(Template)]
#[template(path = "settings/notifications.html")]
struct NotificationSettingsPage {
    chrome: Chrome,
    tab: &'static str,
    email: String,
    slack: SlackStanding,
    /// Show the mapping dialog (with the email typed and why it failed).
    dialog: Option<MappingDialog>,
    /// The request just sent: show "confirm in Slack within 24 hours".
    sent: Option<SentRequest>,
}

#[derive(Default)]
struct MappingDialog {
    slack_email: String,
    error: Option<String>,
}

struct SentRequest {
    slack_name: String,
    slack_email: String,
    expires: String,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    /// `map=1` opens the mapping dialog.
    #[serde(default)]
    map: Option<String>,
    /// `done=requested` after "Verify in Slack".
    #[serde(default)]
    done: Option<String>,
}

async fn standing(state: &AppState, viewer: &Viewer) -> Result<SlackStanding, super::PageError> {
    let account_id = viewer.account_id();
    let user_id = viewer.session.user.id;
    let Some(c) = state.store.slack_connection(account_id).await? else {
        return Ok(SlackStanding::NotConnected { kept: None });
    };
    let link = state
        .store
        .slack_link(account_id, &c.team_id, user_id)
        .await?;
    if !c.is_live() {
        let kept = match link {
            Some(SlackLink::Mapped { person, .. }) => {
                Some(format!("@{} ({})", person.name, person.email))
            }
            _ => None,
        };
        return Ok(SlackStanding::NotConnected { kept });
    }
    let team = c.team_label().to_owned();
    if let Some(SlackLink::Mapped { person, confirmed }) = link {
        return Ok(SlackStanding::Mapped {
            team,
            person,
            confirmed,
        });
    }
    let request = state
        .store
        .latest_mapping_request(account_id, &c.team_id, user_id)
        .await?;
    Ok(match request {
        Some(r) if r.status == MappingRequestStatus::Pending => SlackStanding::Pending {
            team,
            expires: format_instant(r.expires_at),
            person: r.person,
        },
        Some(r) if r.status == MappingRequestStatus::Expired => SlackStanding::NeedsMapping {
            team,
            expired: Some(format!("@{} ({})", r.person.name, r.person.email)),
        },
        _ => SlackStanding::NeedsMapping {
            team,
            expired: None,
        },
    })
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    dialog: Option<MappingDialog>,
    sent: bool,
) -> Result<NotificationSettingsPage, super::PageError> {
    let slack = standing(state, viewer).await?;
    let sent = match (&slack, sent) {
        (
            SlackStanding::Pending {
                person, expires, ..
            },
            true,
        ) => Some(SentRequest {
            slack_name: person.name.clone(),
            slack_email: person.email.clone(),
            expires: expires.clone(),
        }),
        _ => None,
    };
    Ok(NotificationSettingsPage {
        chrome: Chrome::new(viewer, "settings", "Notification settings"),
        tab: "notifications",
        email: viewer.session.user.email.clone(),
        slack,
        dialog,
        sent,
    })
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<PageQuery>,
) -> PageResult {
    let dialog = query.map.is_some().then(MappingDialog::default);
    let sent = query.done.as_deref() == Some("requested");
    Ok(render(&page(&state, &viewer, dialog, sent).await?))
}

#[derive(Deserialize)]
pub struct MappingFields {
    #[serde(default)]
    slack_email: String,
}

/// "Verify in Slack".
async fn request_mapping(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<MappingFields>,
) -> PageResult {
    let email = form.slack_email.trim().to_owned();
    match user_mapping::request(&state, &viewer.session.user, &email).await? {
        Ok(_) => Ok(see_other(&format!("{SETTINGS_PATH}?done=requested"))),
        Err(refused) => {
            let dialog = MappingDialog {
                error: Some(refused.message(&email)),
                slack_email: email,
            };
            let shown = page(&state, &viewer, Some(dialog), false).await?;
            Ok(with_status(StatusCode::BAD_REQUEST, render(&shown)))
        }
    }
}
