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
use hubbub_app::links::NOTIFICATION_SETTINGS as SETTINGS_PATH;
use hubbub_app::slack::user_mapping::SlackStanding;
use hubbub_hub::timestamp::{format_instant, Millis};
use serde::Deserialize;

use super::error::PageError;
use super::page::{render, see_other, Chrome, PageResult};
use super::session::{CsrfForm, Viewer};
use super::settings::with_status;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route(SETTINGS_PATH, get(show)).route(
        "/settings/notifications/slack-mapping",
        post(request_mapping),
    )
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

impl NotificationSettingsPage {
    /// An instant as the page shows it.
    fn when(&self, at: &Millis) -> String {
        format_instant(*at)
    }
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

async fn page(
    state: &AppState,
    viewer: &Viewer,
    dialog: Option<MappingDialog>,
    sent: bool,
) -> Result<NotificationSettingsPage, PageError> {
    let slack = state.app.slack_standing(&viewer.session.user).await?;
    let sent = match (&slack, sent) {
        (
            SlackStanding::Pending {
                person, expires_at, ..
            },
            true,
        ) => Some(SentRequest {
            slack_name: person.name.clone(),
            slack_email: person.email.clone(),
            expires: format_instant(*expires_at),
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
    match state
        .app
        .request_slack_mapping(&viewer.session.user, &email)
        .await?
    {
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
