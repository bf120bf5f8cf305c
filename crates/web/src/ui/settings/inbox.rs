//! Settings > Inbox: the account's inboxes (the "Current view" menu, and
//! adding one, for super admins) and, for the inbox in view, "Connect to
//! Slack": connecting the workspace, the switch "Slack notifications and
//! conversations", the channel new conversations go to, and "Disconnect
//! from Slack" for that inbox alone; and the inbox's chat widget: the
//! snippet to paste into a website, and the websites allowed to embed it.
//!
//! The workspace connection is the account's, the same one the App
//! Marketplace shows: made from either page, it serves both, and neither
//! asks again. An inbox's setting belongs to that workspace and outlives
//! a disconnect (shown as paused), so reconnecting the same workspace
//! brings it back as it was.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hubbub_app::inboxes::{Channels, InboxSlackRefused};
use hubbub_app::{Error as AppError, Permission};
use hubbub_hub::HubError;
use hubbub_slack::client::{channel_id_in, SlackChannel};
use hubbub_store::{Inbox, InboxChannel, InboxSlackChoice, InboxSlackStatus, MAX_INBOX_NAME_CHARS};
use serde::Deserialize;

use super::marketplace::cannot_connect;
use super::slack::{connection_view, notice_for, start_connect, ConnectionView};
use super::{with_status, NoFields, Notice};
use crate::ui::flash::see_other_confirming;
use crate::ui::page::{render, see_other, Chrome, PageError, PageResult};
use crate::ui::session::{CsrfForm, Viewer};
use crate::AppState;

/// The inbox settings page of one inbox (where connecting from it returns).
fn inbox_path(inbox_id: i64) -> String {
    format!("/settings/inbox?inbox={inbox_id}")
}

/// What the page is asked to show: which inbox, and, after a redirect,
/// what was just done (`done`, or `slack` from the Slack callback). Only
/// known codes show a message.
#[derive(Deserialize, Default)]
pub struct InboxQuery {
    #[serde(default)]
    inbox: Option<i64>,
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    slack: Option<String>,
}

/// One entry of the channel picker.
pub struct ChannelOption {
    pub id: String,
    pub label: String,
    pub selected: bool,
}

/// The "Connect to Slack" part of the page.
pub struct SlackSection {
    /// The account's workspace connection, live or disconnected; `None`
    /// if it never connected one.
    pub connection: Option<ConnectionView>,
    /// The inbox's setting for that workspace, as saved.
    pub saved: InboxSlackChoice,
    /// The switch as the form shows it: as saved, or as just sent when
    /// saving was refused.
    pub switch_on: bool,
    /// The picker (filled only for someone who may change the setting
    /// while the workspace is live).
    pub options: Vec<ChannelOption>,
    /// Why Slack could not list the channels.
    pub channels_error: Option<String>,
    /// Slack has more channels than the picker offers.
    pub more_channels: bool,
    /// What was sent for a channel the picker does not offer (pasted as a
    /// link or id), shown again when saving it was refused.
    pub pasted_channel: String,
}

impl SlackSection {
    pub fn live(&self) -> bool {
        self.connection.as_ref().is_some_and(|c| c.live)
    }

    /// Something is on or would resume on a reconnect: "Disconnect from
    /// Slack" has something to end.
    pub fn in_use(&self) -> bool {
        self.saved.enabled || self.saved.channel.is_some()
    }
}

#[derive(Template)]
#[template(path = "settings/inbox.html")]
struct InboxPage {
    chrome: Chrome,
    tab: &'static str,
    notice: Option<Notice>,
    inboxes: Vec<Inbox>,
    /// The inbox in view.
    inbox: Inbox,
    may_add: bool,
    /// The add-inbox form as last submitted, and what was wrong with it.
    new_name: String,
    name_error: Option<String>,
    max_name_chars: usize,
    may_connect: bool,
    /// Why the Slack buttons are disabled, when they are.
    reason: String,
    /// The Slack app's client id and secret are set.
    configured: bool,
    slack: SlackSection,
    widget: WidgetSection,
}

/// The "Chat widget" part of the page.
pub struct WidgetSection {
    /// The `<script>` tag a website pastes in.
    pub snippet: String,
    /// The allowed websites as saved, one per line.
    pub saved: Vec<String>,
    /// The form's text: as saved, or as sent when it was refused.
    pub text: String,
    /// Each refused line, and why.
    pub errors: Vec<String>,
}

/// A form that was refused, to show again as it was sent.
#[derive(Default)]
struct Refused {
    new_name: String,
    name_error: Option<String>,
    /// The switch and channel id sent.
    slack: Option<(bool, String)>,
    /// The allowed websites' text sent, and what was wrong with it.
    origins: Option<(String, Vec<String>)>,
}

/// The page for `inbox_id` (the first inbox when `None`).
async fn inbox_page(
    state: &AppState,
    viewer: &Viewer,
    inbox_id: Option<i64>,
    refused: Refused,
) -> Result<InboxPage, PageError> {
    let account_id = viewer.account_id();
    let store = state.app.store();
    let inboxes = store.inboxes(account_id).await?;
    let inbox = match inbox_id {
        Some(id) => store.inbox(account_id, id).await?,
        None => inboxes
            .first()
            .cloned()
            .ok_or_else(|| PageError::not_found("This account has no inbox."))?,
    };
    let reason = cannot_connect(state, viewer).await?;
    let may_connect = reason.is_none();
    let slack = slack_section(state, account_id, &inbox, may_connect, refused.slack).await?;
    let widget = widget_section(state, account_id, &inbox, refused.origins).await?;
    Ok(InboxPage {
        chrome: Chrome::new(viewer, "settings", "Inbox"),
        tab: "inbox",
        notice: None,
        inboxes,
        inbox,
        may_add: state.app.may(&viewer.actor(), Permission::AddInboxes),
        new_name: refused.new_name,
        name_error: refused.name_error,
        max_name_chars: MAX_INBOX_NAME_CHARS,
        may_connect,
        reason: reason.unwrap_or_default(),
        configured: state.app.config().slack_app.is_some(),
        slack,
        widget,
    })
}

/// The widget's snippet, with the inbox's key, and its allowed websites.
async fn widget_section(
    state: &AppState,
    account_id: i64,
    inbox: &Inbox,
    submitted: Option<(String, Vec<String>)>,
) -> Result<WidgetSection, PageError> {
    let (key, saved) = state.app.store().inbox_widget(account_id, inbox.id).await?;
    let hub = state.web.public_url.as_str().trim_end_matches('/');
    let snippet = format!(r#"<script src="{hub}/widget.js" data-key="{key}" async></script>"#);
    let (text, errors) = submitted.unwrap_or_else(|| (saved.join("\n"), Vec::new()));
    Ok(WidgetSection {
        snippet,
        saved,
        text,
        errors,
    })
}

/// The Slack section. The channels are listed first: a listing that finds
/// the token dead disconnects the account, and the rest of the section
/// then shows it as it now is.
async fn slack_section(
    state: &AppState,
    account_id: i64,
    inbox: &Inbox,
    may_connect: bool,
    submitted: Option<(bool, String)>,
) -> Result<SlackSection, PageError> {
    let listing = if may_connect {
        state.app.slack_channels(account_id).await?
    } else {
        Channels::NotLive
    };
    let connection = connection_view(state, account_id).await?;
    let saved = saved_slack_choice(state, account_id, inbox.id).await?;
    let (switch_on, chosen) = submitted.unwrap_or_else(|| {
        let channel_id = saved.channel.as_ref().map(|c| c.id.clone());
        (saved.enabled, channel_id.unwrap_or_default())
    });
    let (options, channels_error, more_channels) = match listing {
        Channels::NotLive => (Vec::new(), None, false),
        Channels::Listed(listing) => (
            channel_options(&listing.channels, &chosen, saved.channel.as_ref()),
            None,
            listing.more,
        ),
        Channels::Failed(why) => (
            channel_options(&[], &chosen, saved.channel.as_ref()),
            Some(why),
            false,
        ),
    };
    let offered = chosen.is_empty() || options.iter().any(|o| o.id == chosen);
    Ok(SlackSection {
        connection,
        saved,
        switch_on,
        options,
        channels_error,
        more_channels,
        pasted_channel: if offered { String::new() } else { chosen },
    })
}

/// The inbox's Slack setting as saved (off, without a channel, when it
/// has none).
async fn saved_slack_choice(
    state: &AppState,
    account_id: i64,
    inbox_id: i64,
) -> Result<InboxSlackChoice, PageError> {
    let setting = match state
        .app
        .store()
        .inbox_slack_status(account_id, inbox_id)
        .await?
    {
        InboxSlackStatus::NotConnected => None,
        InboxSlackStatus::Paused { setting, .. } | InboxSlackStatus::Live { setting, .. } => {
            setting
        }
    };
    Ok(setting.map(|s| s.choice).unwrap_or_default())
}

/// The picker's entries, the chosen one selected. The saved channel stays
/// on offer even when Slack does not list it (a private channel the app
/// was removed from, or no listing at all), so that saving the form again
/// does not drop it unnoticed.
fn channel_options(
    channels: &[SlackChannel],
    chosen: &str,
    saved: Option<&InboxChannel>,
) -> Vec<ChannelOption> {
    let mut options: Vec<ChannelOption> = channels
        .iter()
        .map(|c| ChannelOption {
            id: c.id.clone(),
            label: channel_label(c),
            selected: c.id == chosen,
        })
        .collect();
    if let Some(saved) = saved.filter(|s| !channels.iter().any(|c| c.id == s.id)) {
        options.insert(
            0,
            ChannelOption {
                id: saved.id.clone(),
                label: format!("#{}", saved.name),
                selected: saved.id == chosen,
            },
        );
    }
    options
}

/// `#support-private (private)`, and whether the app still has to be
/// invited, so the admin sees which channels are ready.
pub(super) fn channel_label(c: &SlackChannel) -> String {
    let mut label = format!("#{}", c.name);
    if c.is_private {
        label.push_str(" (private)");
    }
    if !c.is_member {
        label.push_str(" (invite the app first)");
    }
    label
}

/// The message for a `done` or `slack` code, about the inbox in view
/// (what was saved is confirmed once, by the layout, instead).
fn done_notice(q: &InboxQuery, page: &InboxPage) -> Option<Notice> {
    if let Some(code) = q.slack.as_deref() {
        return match code {
            "connected" | "cancelled" | "already_connected" => {
                notice_for(Some(code), page.slack.connection.as_ref())
            }
            _ => None,
        };
    }
    let inbox = &page.inbox.name;
    match q.done.as_deref()? {
        "slack_not_on" => Some(Notice::error(format!(
            "{inbox} was not connected to Slack, so there was nothing to disconnect."
        ))),
        _ => None,
    }
}

/// Back to the inbox's settings, confirming what its change left.
async fn inbox_saved(
    state: &AppState,
    viewer: &Viewer,
    inbox_id: i64,
    confirmation: impl FnOnce(&str) -> String,
) -> PageResult {
    let inbox = state
        .app
        .store()
        .inbox(viewer.account_id(), inbox_id)
        .await?;
    let done = confirmation(&inbox.name);
    Ok(see_other_confirming(
        state,
        viewer,
        &inbox_path(inbox_id),
        &done,
    ))
}

/// `GET /settings/inbox`: anyone may look.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<InboxQuery>,
) -> PageResult {
    let mut page = inbox_page(&state, &viewer, q.inbox, Refused::default()).await?;
    page.notice = done_notice(&q, &page);
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct InboxFields {
    #[serde(default)]
    name: String,
}

/// Adding an inbox: super admins only.
pub async fn create(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<InboxFields>,
) -> PageResult {
    let (status, message) = match state.app.create_inbox(&viewer.actor(), &form.name).await {
        Ok(inbox) => {
            let done = format!(
                "The inbox {} was added. Connect it to Slack below.",
                inbox.name
            );
            return Ok(see_other_confirming(
                &state,
                &viewer,
                &inbox_path(inbox.id),
                &done,
            ));
        }
        Err(AppError::Refused(e @ HubError::Validation { .. })) => {
            (StatusCode::BAD_REQUEST, e.to_string())
        }
        Err(AppError::Refused(HubError::Conflict(m))) => (StatusCode::CONFLICT, m),
        Err(other) => return Err(other.into()),
    };
    let refused = Refused {
        new_name: form.name,
        name_error: Some(message),
        ..Refused::default()
    };
    let mut page = inbox_page(&state, &viewer, None, refused).await?;
    page.notice = Some(Notice::error(
        "The inbox was not added: correct the form below.",
    ));
    Ok(with_status(status, render(&page)))
}

/// "Connect account" under "Connect to Slack": the same connection as the
/// App Marketplace's, coming back to this inbox's settings.
pub async fn connect(
    State(state): State<AppState>,
    Path(inbox_id): Path<i64>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    let inbox = state
        .app
        .store()
        .inbox(viewer.account_id(), inbox_id)
        .await?;
    start_connect(&state, &viewer, &inbox_path(inbox.id), "inbox").await
}

#[derive(Deserialize)]
pub struct SlackFields {
    /// The switch; a checkbox, absent when off.
    #[serde(default)]
    enabled: Option<String>,
    /// A channel id, empty for none.
    #[serde(default)]
    channel: String,
    /// A channel the picker does not offer, as a link or an id; when given
    /// it wins over `channel`.
    #[serde(default)]
    channel_pasted: String,
}

/// Saving the switch and the channel.
pub async fn save_slack(
    State(state): State<AppState>,
    Path(inbox_id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<SlackFields>,
) -> PageResult {
    let account_id = viewer.account_id();
    let enabled = form.enabled.is_some();
    let saved = state
        .app
        .save_inbox_slack(
            &viewer.actor(),
            inbox_id,
            enabled,
            &form.channel,
            &form.channel_pasted,
        )
        .await?;
    let refusal = match saved {
        Ok(()) => {
            let saved = saved_slack_choice(&state, account_id, inbox_id).await?;
            return inbox_saved(&state, &viewer, inbox_id, |inbox| {
                match (&saved.channel, saved.enabled) {
                    (Some(c), true) => format!("Saved. Slack notifications and conversations are on for {inbox}: new conversations go to #{}.", c.name),
                    (Some(c), false) => format!("Saved. Slack notifications and conversations are off for {inbox}; its channel is #{}.", c.name),
                    (None, _) => format!("Saved. Slack notifications and conversations are off for {inbox}."),
                }
            })
            .await;
        }
        Err(refusal) => refusal,
    };
    let message = refusal.message();
    tracing::info!(account_id, inbox_id, reason = %message, "inbox Slack setting refused");
    // What was sent is shown again: the pasted text when given, else the
    // picked channel.
    let sent = match form.channel_pasted.trim() {
        "" => form.channel.trim(),
        pasted => pasted,
    };
    let refused = Refused {
        slack: Some((
            enabled,
            channel_id_in(sent).unwrap_or_else(|| sent.to_owned()),
        )),
        ..Refused::default()
    };
    let mut page = inbox_page(&state, &viewer, Some(inbox_id), refused).await?;
    page.notice = Some(Notice::error(message));
    Ok(with_status(refused_status(&refusal), render(&page)))
}

/// How each refusal is answered.
fn refused_status(refusal: &InboxSlackRefused) -> StatusCode {
    match refusal {
        InboxSlackRefused::NotAChannel | InboxSlackRefused::Invalid(_) => StatusCode::BAD_REQUEST,
        InboxSlackRefused::UnknownChannel => StatusCode::NOT_FOUND,
        InboxSlackRefused::Slack(_) => StatusCode::BAD_GATEWAY,
        InboxSlackRefused::NotConnected
        | InboxSlackRefused::Archived { .. }
        | InboxSlackRefused::AppNotInChannel { .. }
        | InboxSlackRefused::Conflict(_) => StatusCode::CONFLICT,
    }
}

/// "Disconnect from Slack" for this inbox: its setting is switched off
/// and its channel forgotten; the workspace stays connected.
pub async fn disconnect_slack(
    State(state): State<AppState>,
    Path(inbox_id): Path<i64>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    let ended = state
        .app
        .turn_off_inbox_slack(&viewer.actor(), inbox_id)
        .await?;
    if !ended {
        return Ok(see_other(&format!(
            "{}&done=slack_not_on",
            inbox_path(inbox_id)
        )));
    }
    inbox_saved(&state, &viewer, inbox_id, |inbox| {
        format!("{inbox} is disconnected from Slack: its conversations no longer go to Slack. The workspace stays connected for the rest of the hub.")
    })
    .await
}

#[derive(Deserialize)]
pub struct OriginsFields {
    /// The allowed websites, one per line.
    #[serde(default)]
    origins: String,
}

/// Saving the websites allowed to embed the inbox's chat widget.
pub async fn save_origins(
    State(state): State<AppState>,
    Path(inbox_id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<OriginsFields>,
) -> PageResult {
    let errors = match state
        .app
        .set_inbox_origins(&viewer.actor(), inbox_id, &form.origins)
        .await
    {
        Ok(saved) => {
            return inbox_saved(&state, &viewer, inbox_id, |inbox| match saved.len() {
                0 => format!("Saved. The chat widget of {inbox} works on the hub's own pages only."),
                1 => format!("Saved. The chat widget of {inbox} works on 1 website, and on the hub's own pages."),
                n => format!("Saved. The chat widget of {inbox} works on {n} websites, and on the hub's own pages."),
            })
            .await;
        }
        Err(AppError::Refused(HubError::Validation { errors, message })) if !errors.is_empty() => {
            tracing::info!(inbox_id, reason = %message, "allowed websites refused");
            errors.into_iter().map(|e| e.message).collect()
        }
        Err(other) => return Err(other.into()),
    };
    let refused = Refused {
        origins: Some((form.origins, errors)),
        ..Refused::default()
    };
    let mut page = inbox_page(&state, &viewer, Some(inbox_id), refused).await?;
    page.notice = Some(Notice::error(
        "The allowed websites were not saved: correct the lines below.",
    ));
    Ok(with_status(StatusCode::BAD_REQUEST, render(&page)))
}
