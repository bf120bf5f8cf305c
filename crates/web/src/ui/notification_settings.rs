//! Notification settings: for each topic, which of the hub, email and
//! Slack it reaches the signed-in user in (their own choice, or the
//! account's default, which super admins set on the same page); and the
//! Slack email mapping: when the hub cannot find the user's Slack account
//! by their hub email, a warning beside Slack offers "click here to map
//! your email address", whose dialog sends a confirmation request to the
//! Slack user they name.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use hubbub_app::links::NOTIFICATION_SETTINGS as SETTINGS_PATH;
use hubbub_app::slack::user_mapping::SlackStanding;
use hubbub_app::Permission;
use hubbub_hub::timestamp::{format_instant, Millis};
use hubbub_hub::topic::{Channel, Channels};
use hubbub_hub::Topic;
use serde::Deserialize;

use super::error::PageError;
use super::flash::see_other_confirming;
use super::page::{render, see_other, Chrome, PageResult};
use super::session::{CsrfForm, Viewer};
use super::settings::with_status;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(SETTINGS_PATH, get(show))
        .route(
            "/settings/notifications/slack-mapping",
            post(request_mapping),
        )
        .route("/settings/notifications/topics", post(save_mine))
        .route("/settings/notifications/defaults", post(save_defaults))
}

/// One row of a topic grid: the topic and its three boxes.
pub struct TopicRow {
    name: &'static str,
    label: &'static str,
    channels: Channels,
    /// The user's row follows the account's default.
    follows_default: bool,
}

impl TopicRow {
    fn on(&self, channel: &str) -> bool {
        Channel::parse(channel).is_some_and(|c| self.channels.has(c))
    }
}

/// The three channels, as the grid's columns.
const CHANNELS: [(&str, &str); 3] = [
    ("hub", "In the hub"),
    ("email", "Email"),
    ("slack", "Slack"),
];

/// The boxes ticked in a posted grid: `topic.channel` names.
fn ticked(form: &[(String, String)]) -> Vec<(Topic, Channels)> {
    Topic::SETTABLE
        .into_iter()
        .filter(|t| t.is_raised())
        .map(|topic| {
            let channels = Channel::ALL.into_iter().fold(Channels::NONE, |c, channel| {
                let name = format!("{}.{}", topic.as_str(), channel.as_str());
                c.with(channel, form.iter().any(|(k, _)| *k == name))
            });
            (topic, channels)
        })
        .collect()
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
    mine: Vec<TopicRow>,
    /// The account's defaults, for super admins to change.
    defaults: Option<Vec<TopicRow>>,
    channels: [(&'static str, &'static str); 3],
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

fn rows(settings: &[(Topic, Channels, bool)]) -> Vec<TopicRow> {
    settings
        .iter()
        .map(|(topic, channels, follows_default)| TopicRow {
            name: topic.as_str(),
            label: topic.label(),
            channels: *channels,
            follows_default: *follows_default,
        })
        .collect()
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    dialog: Option<MappingDialog>,
    done: Option<&str>,
) -> Result<NotificationSettingsPage, PageError> {
    let sent = done == Some("requested");
    let actor = viewer.actor();
    let mine: Vec<(Topic, Channels, bool)> = state
        .app
        .my_notification_settings(&actor)
        .await?
        .iter()
        .map(|s| (s.topic, s.effective(), s.own.is_none()))
        .collect();
    let defaults = if state.app.may(&actor, Permission::ManageNotifications) {
        let d = state.app.notification_defaults(&actor).await?;
        Some(rows(
            &d.into_iter().map(|(t, c)| (t, c, true)).collect::<Vec<_>>(),
        ))
    } else {
        None
    };
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
        mine: rows(&mine),
        defaults,
        channels: CHANNELS,
    })
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<PageQuery>,
) -> PageResult {
    let dialog = query.map.is_some().then(MappingDialog::default);
    Ok(render(
        &page(&state, &viewer, dialog, query.done.as_deref()).await?,
    ))
}

/// The user's grid: a topic ticked as the account's default is left to
/// follow the default (later changes to it reach the user too).
async fn save_mine(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let actor = viewer.actor();
    let reset = form.iter().any(|(k, _)| k == "reset");
    let defaults = state.app.notification_defaults(&actor).await?;
    for (topic, channels) in ticked(&form) {
        let default = defaults.iter().find(|(t, _)| *t == topic).map(|(_, c)| *c);
        let own = (!reset && default != Some(channels)).then_some(channels);
        state
            .app
            .set_my_notification_setting(&actor, topic, own)
            .await?;
    }
    Ok(see_other_confirming(
        &state,
        &viewer,
        SETTINGS_PATH,
        "Settings saved: your notification settings.",
    ))
}

/// A super admin's grid of the account's defaults.
async fn save_defaults(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let actor = viewer.actor();
    for (topic, channels) in ticked(&form) {
        state
            .app
            .set_notification_default(&actor, topic, channels)
            .await?;
    }
    Ok(see_other_confirming(
        &state,
        &viewer,
        SETTINGS_PATH,
        "Settings saved: the account's defaults, for everyone who has not chosen for themselves.",
    ))
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
            let shown = page(&state, &viewer, Some(dialog), None).await?;
            Ok(with_status(StatusCode::BAD_REQUEST, render(&shown)))
        }
    }
}
