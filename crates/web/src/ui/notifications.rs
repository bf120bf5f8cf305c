//! In-app notifications: the signed-in user's list, marking one or all as
//! read. The application layer raises them.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::Router;
use hubbub_hub::timestamp::to_iso;
use serde::Deserialize;

use super::page::{readable_iso, render, see_other, Chrome, PageResult};
use super::session::{CsrfForm, Viewer};
use crate::AppState;

/// The list shows this many of the newest notifications.
const SHOWN: i64 = 100;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list))
        .route("/notifications/read-all", post(mark_all_read))
        .route("/notifications/{id}/read", post(mark_read))
}

pub struct Item {
    pub id: i64,
    pub title: String,
    pub body: String,
    /// Where "View" leads; `None` unless it is a path inside the hub.
    pub link: Option<String>,
    /// `2024-05-01T12:00:00.000Z`, for `<time datetime>`.
    pub iso: String,
    /// `2024-05-01 12:00 UTC`
    pub when: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
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
                link: local_link(&n.link),
                when: readable_iso(&iso),
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
        chrome: Chrome::new(&viewer, "notifications", "Notifications"),
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
