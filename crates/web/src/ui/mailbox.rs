//! The mailbox: the mail the hub wrote, read in the web app. It is the only
//! place to read mail when no SMTP server is configured (the mail is kept
//! locally), and where super admins see why mail could not be sent.
//! Super admins see all of the account's mail; everyone else the mail
//! addressed to them.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::Router;
use hubbub_app::Permission;
use hubbub_hub::timestamp::{format_instant, to_iso};
use hubbub_store::{Mail, MailStatus};
use serde::Deserialize;

use super::page::{render, see_other, Chrome, PageResult};
use super::session::{CsrfForm, Viewer};
use crate::AppState;

/// The list shows this many of the newest mails.
const SHOWN: i64 = 200;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/mailbox", get(list))
        .route("/mailbox/{id}", get(show))
        .route("/mailbox/{id}/retry", post(retry))
}

/// A mail as the pages show it.
pub struct Item {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: Option<String>,
    /// `queued`, `sent`, `kept` or `parked`, for tests and styling.
    pub status: &'static str,
    /// In words: "Sent", "Kept locally", …
    pub status_text: String,
    pub iso: String,
    pub when: String,
    pub last_error: Option<String>,
    /// When the next attempt is due, for mail being retried.
    pub next_attempt: Option<String>,
}

impl From<Mail> for Item {
    fn from(m: Mail) -> Item {
        let iso = to_iso(m.created_at);
        let retrying = m.status == MailStatus::Queued && m.last_error.is_some();
        let status_text = match m.status {
            MailStatus::Sent => "Sent".to_owned(),
            MailStatus::Kept => "Kept locally".to_owned(),
            MailStatus::Parked => format!(
                "Not sent: gave up after {} attempt{}",
                m.attempts,
                if m.attempts == 1 { "" } else { "s" }
            ),
            MailStatus::Queued if retrying => format!(
                "Retrying: {} failed attempt{}",
                m.attempts,
                if m.attempts == 1 { "" } else { "s" }
            ),
            MailStatus::Queued => "Queued".to_owned(),
        };
        Item {
            id: m.id,
            to: m.to_address,
            subject: m.subject,
            text_body: m.text_body,
            html_body: m.html_body,
            status: m.status.as_str(),
            status_text,
            when: format_instant(m.created_at),
            iso,
            last_error: m.last_error,
            next_attempt: retrying.then(|| format_instant(m.next_attempt_at)),
        }
    }
}

#[derive(Template)]
#[template(path = "mailbox/index.html")]
struct MailboxPage {
    chrome: Chrome,
    /// The settings' navigation entry to highlight.
    tab: &'static str,
    items: Vec<Item>,
    /// Everyone's mail (super admins) or only the viewer's.
    all: bool,
}

#[derive(Template)]
#[template(path = "mailbox/show.html")]
struct MailPage {
    chrome: Chrome,
    tab: &'static str,
    mail: Item,
    done: Option<&'static str>,
}

async fn list(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let actor = viewer.actor();
    let all = state.app.may(&actor, Permission::ReadAllMail);
    let items = state
        .app
        .mailbox(&actor, SHOWN)
        .await?
        .into_iter()
        .map(Item::from)
        .collect();
    let page = MailboxPage {
        chrome: Chrome::new(&viewer, "settings", "Mailbox"),
        tab: "mailbox",
        items,
        all,
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let mail = state.app.mail(&viewer.actor(), id).await?;
    let done = match q.done.as_deref() {
        Some("retry") => Some("The mail is queued again and will be sent shortly."),
        _ => None,
    };
    let page = MailPage {
        chrome: Chrome::new(&viewer, "settings", "Mail"),
        tab: "mailbox",
        mail: mail.into(),
        done,
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct NoFields {}

/// A super admin puts a parked mail back in the queue.
async fn retry(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    state.app.retry_mail(&viewer.actor(), id).await?;
    Ok(see_other(&format!("/mailbox/{id}?done=retry")))
}
