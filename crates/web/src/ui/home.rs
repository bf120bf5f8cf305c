//! `/`: the signed-in user's home, what needs them today (the application
//! layer's [`App::home`](hubbub_app::App::home)).

use askama::Template;
use axum::extract::State;
use hubbub_app::display::format_number;
use hubbub_app::home::{self, DealsByStage, OpenTasks, DEALS_READ};
use hubbub_hub::timestamp::format_day;
use hubbub_hub::Record;
use hubbub_store::{Conversation, ConversationPreview, Notification};

use super::inbox::{conversation_path, shortened, visitor_title};
use super::notifications::local_link;
use super::page::{render, Chrome, PageResult};
use super::session::Viewer;
use crate::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    first_name: String,
    tasks: Option<TasksPart>,
    deals: Option<DealsPart>,
    conversations: Option<Vec<Link>>,
    notifications: Vec<Link>,
    recent: Vec<Link>,
}

/// One line of a part: a link, what it is, and a detail beside it.
struct Link {
    href: String,
    title: String,
    detail: String,
    /// Shown as a warning (an overdue task).
    flagged: bool,
}

struct TasksPart {
    tasks: Vec<Link>,
    overdue: usize,
    more: i64,
}

struct DealsPart {
    stages: Vec<StagePart>,
    /// Set when the user owns more deals than were summed.
    capped: Option<String>,
}

struct StagePart {
    label: String,
    count: usize,
    amount: String,
    deals: Vec<Link>,
}

pub async fn show(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let home = state.app.home(&viewer.actor()).await?;
    let user = &viewer.session.user;
    let first_name = match user.first_name.trim() {
        "" => user.display_name(),
        name => name.to_owned(),
    };
    let page = HomePage {
        chrome: Chrome::new(&viewer, "home", "Home"),
        first_name,
        tasks: home.tasks.map(tasks_part),
        deals: home.deals.map(deals_part),
        conversations: home
            .conversations
            .map(|c| c.into_iter().map(conversation_link).collect()),
        notifications: home
            .notifications
            .into_iter()
            .map(notification_link)
            .collect(),
        recent: home.recent.iter().map(record_link).collect(),
    };
    Ok(render(&page))
}

fn record_link(r: &Record) -> Link {
    Link {
        href: r.object_type.record_path(r.id),
        title: r.title(),
        detail: r.object_type.label().to_owned(),
        flagged: false,
    }
}

fn tasks_part(open: OpenTasks) -> TasksPart {
    let overdue = open.tasks.iter().filter(|t| t.overdue).count();
    let more = open.total - open.tasks.len() as i64;
    let tasks = open
        .tasks
        .into_iter()
        .map(|t| Link {
            detail: match (t.due, t.overdue) {
                (Some(due), true) => format!("Overdue, due {}", format_day(due)),
                (Some(due), false) => format!("Due {}", format_day(due)),
                (None, _) => "No due date".to_owned(),
            },
            flagged: t.overdue,
            ..record_link(&t.task)
        })
        .collect();
    TasksPart {
        tasks,
        overdue,
        more,
    }
}

fn deals_part(by_stage: DealsByStage) -> DealsPart {
    let multiple_pipelines = by_stage
        .stages
        .windows(2)
        .any(|w| w[0].pipeline != w[1].pipeline);
    let stages = by_stage
        .stages
        .into_iter()
        .map(|s| StagePart {
            label: match multiple_pipelines {
                true => format!("{} · {}", s.pipeline, s.stage),
                false => s.stage,
            },
            count: s.deals.len(),
            amount: money(s.amount),
            deals: s
                .deals
                .iter()
                .map(|d| Link {
                    detail: money(home::amount(d)),
                    ..record_link(d)
                })
                .collect(),
        })
        .collect();
    DealsPart {
        stages,
        capped: (by_stage.total > i64::from(DEALS_READ)).then(|| {
            format!(
                "You own {} deals; these sums are of the newest {DEALS_READ}.",
                by_stage.total
            )
        }),
    }
}

/// `12,500` or `12,500.5`: an amount as the record pages show numbers.
fn money(amount: f64) -> String {
    format_number(&format!("{}", (amount * 100.0).round() / 100.0))
}

fn conversation_link((c, preview): (Conversation, ConversationPreview)) -> Link {
    Link {
        href: conversation_path(c.id),
        title: visitor_title(preview.visitor_name.as_deref()),
        detail: shortened(&preview.last_text.unwrap_or_default()),
        flagged: false,
    }
}

/// Opening it marks it read (as "View" on the notifications page does).
fn notification_link(n: Notification) -> Link {
    Link {
        href: match local_link(&n.link) {
            Some(_) => format!("/notifications/{}/open", n.id),
            None => "/notifications".to_owned(),
        },
        title: n.title,
        detail: n.body,
        flagged: false,
    }
}
