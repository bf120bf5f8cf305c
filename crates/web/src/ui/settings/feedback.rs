//! Settings > Feedback: what people sent from Slack with `/hs -feedback`,
//! newest first. Super admins only.

use askama::Template;
use axum::extract::State;

use hubbub_hub::timestamp::format_instant;

use crate::ui::page::{render, Chrome, PageResult};
use crate::ui::session::Viewer;
use crate::AppState;

pub struct FeedbackView {
    pub kind: &'static str,
    pub details: String,
    /// "Slack user @ada (U123) in workspace T123"
    pub sender: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub when: String,
}

#[derive(Template)]
#[template(path = "settings/feedback.html")]
struct FeedbackPage {
    chrome: Chrome,
    tab: &'static str,
    feedback: Vec<FeedbackView>,
}

pub async fn show(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let sent = state.app.feedback_list(&viewer.actor()).await?;
    let feedback = sent
        .into_iter()
        .map(|f| FeedbackView {
            kind: f.feedback.kind.label(),
            details: f.feedback.details,
            sender: match f.slack_username {
                Some(name) => format!("@{name} ({}) in workspace {}", f.slack_user_id, f.team_id),
                None => format!("{} in workspace {}", f.slack_user_id, f.team_id),
            },
            name: f.feedback.name,
            email: f.feedback.email,
            when: format_instant(f.created_at),
        })
        .collect();
    Ok(render(&FeedbackPage {
        chrome: Chrome::new(&viewer, "settings", "Feedback"),
        tab: "feedback",
        feedback,
    }))
}
