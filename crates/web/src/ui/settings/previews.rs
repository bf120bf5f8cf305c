//! Settings > App Marketplace > Slack link previews: how much a link to a
//! hub record pasted in Slack shows (the rules are
//! `hubbub_app::slack::previews`). Super admins only.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use hubbub_hub::link_preview::PreviewLevel;
use serde::Deserialize;

use super::{with_status, Notice};
use crate::ui::flash::see_other_confirming;
use crate::ui::page::{render, Chrome, PageResult};
use crate::ui::session::{CsrfForm, Viewer};
use crate::AppState;

/// Where the page is.
pub const PATH: &str = "/settings/marketplace/slack/previews";

/// One level as the form offers it.
pub struct LevelChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub explained: &'static str,
    pub chosen: bool,
    pub default: bool,
}

#[derive(Template)]
#[template(path = "settings/slack_previews.html")]
struct PreviewsPage {
    chrome: Chrome,
    tab: &'static str,
    notice: Option<Notice>,
    levels: Vec<LevelChoice>,
}

/// What the channel sees at `level`.
fn explained(level: PreviewLevel) -> &'static str {
    match level {
        PreviewLevel::Off => "Links to hub records stay plain links: nothing is shown.",
        PreviewLevel::ButtonOnly => "A button under the link. Whoever presses it sees the record in a dialog only they see, as their own hub permissions allow; the channel sees no record data.",
        PreviewLevel::NameAndType => "The record's type and name (\u{201c}Deal: Big deal\u{201d}) and an Open in hub link.",
        PreviewLevel::FullDetails => "The record's card: its key properties and its buttons (assign to me, change stage, add note), as the person who shared the link may see it. Everyone in the channel sees it; each button acts as whoever presses it, with their permissions.",
    }
}

fn page(viewer: &Viewer, level: PreviewLevel, notice: Option<Notice>) -> PreviewsPage {
    PreviewsPage {
        chrome: Chrome::new(viewer, "settings", "Slack link previews"),
        tab: "marketplace",
        notice,
        levels: PreviewLevel::ALL
            .into_iter()
            .map(|l| LevelChoice {
                value: l.as_str(),
                label: l.label(),
                explained: explained(l),
                chosen: l == level,
                default: l == PreviewLevel::default(),
            })
            .collect(),
    }
}

pub async fn show(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let level = state.app.link_preview_level(&viewer.actor()).await?;
    Ok(render(&page(&viewer, level, None)))
}

#[derive(Deserialize)]
pub struct LevelField {
    #[serde(default)]
    level: String,
}

pub async fn save(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<LevelField>,
) -> PageResult {
    let actor = viewer.actor();
    let Some(level) = PreviewLevel::parse(&form.level) else {
        let current = state.app.link_preview_level(&actor).await?;
        let notice = Notice::error("Choose one of the levels below. Nothing was changed.");
        let page = page(&viewer, current, Some(notice));
        return Ok(with_status(StatusCode::BAD_REQUEST, render(&page)));
    };
    state.app.set_link_preview_level(&actor, level).await?;
    let done = format!("Settings saved: link previews are now {}.", level.label());
    Ok(see_other_confirming(&state, &viewer, PATH, &done))
}
