//! In-app notifications: the signed-in user's list, opening one (which
//! marks it read), marking one or all as read. The application layer
//! raises them.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::Router;
use hubbub_hub::timestamp::{format_instant, to_iso};
use serde::Deserialize;

use super::page::{render, see_other, Chrome, PageResult};
use super::session::{CsrfForm, Viewer};
use crate::AppState;

/// The list shows this many of the newest notifications.
const SHOWN: i64 = 100;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list))
        .route("/notifications/read-all", post(mark_all_read))
        .route("/notifications/{id}/read", post(mark_read))
        .route("/notifications/{id}/open", get(open))
}

pub struct Item {
    pub id: i64,
    pub title: String,
    pub body: String,
    /// The "View" link, which marks it read on the way to what it is
    /// about; `None` unless that is a path inside the hub.
    pub view: Option<String>,
    /// `2024-05-01T12:00:00.000Z`, for `<time datetime>`.
    pub iso: String,
    /// `1 May 2024, 12:00 UTC`, as every page shows an instant
    pub when: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    /// The settings' navigation entry to highlight.
    tab: &'static str,
    items: Vec<Item>,
    /// Confirmation of the change just made.
    done: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

/// Only links inside the hub become "View" links (never `javascript:` or
/// another site).
pub(crate) fn local_link(link: &str) -> Option<String> {
    (link.starts_with('/') && !link.starts_with("//") && !link.starts_with("/\\"))
        .then(|| link.to_owned())
}

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let items = state
        .app
        .notifications(&viewer.actor(), SHOWN)
        .await?
        .into_iter()
        .map(|n| {
            let iso = to_iso(n.created_at);
            Item {
                id: n.id,
                title: n.title,
                body: n.body,
                view: local_link(&n.link).map(|_| format!("/notifications/{}/open", n.id)),
                when: format_instant(n.created_at),
                iso,
                unread: n.read_at.is_none(),
            }
        })
        .collect();
    let done = match q.done.as_deref() {
        Some("read") => Some("Notification marked as read."),
        Some("all-read") => Some("All notifications marked as read."),
        _ => None,
    };
    let page = NotificationsPage {
        chrome: Chrome::new(&viewer, "settings", "Notifications"),
        tab: "notices",
        items,
        done,
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct NoFields {}

async fn mark_read(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    state
        .app
        .mark_notification_read(&viewer.actor(), id)
        .await?;
    Ok(see_other("/notifications?done=read"))
}

/// "View": marks the user's own notification read, then goes where it
/// leads (back to the list when that is not a path inside the hub).
async fn open(State(state): State<AppState>, viewer: Viewer, Path(id): Path<i64>) -> PageResult {
    let link = state
        .app
        .mark_notification_read(&viewer.actor(), id)
        .await?;
    Ok(see_other(
        local_link(&link)
            .as_deref()
            .unwrap_or("/notifications?done=read"),
    ))
}

async fn mark_all_read(
    State(state): State<AppState>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    state
        .app
        .mark_all_notifications_read(&viewer.actor())
        .await?;
    Ok(see_other("/notifications?done=all-read"))
}
