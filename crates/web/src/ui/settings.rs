//! Settings: the home page, users and teams (super admins only), the
//! App Marketplace, the inboxes' settings, notification rules and the
//! feedback sent from Slack (super admins only).

mod feedback;
mod inbox;
mod marketplace;
mod previews;
mod rules;
mod slack;
mod teams;
mod users;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hubbub_app::Permission;
use serde::Deserialize;

use super::page::{render, Chrome, PageError, PageResult};
use super::session::Viewer;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings", get(home))
        .route("/settings/users", get(users::show).post(users::invite))
        .route("/settings/users/{id}/roles", post(users::set_role))
        .route("/settings/users/{id}/deactivate", post(users::deactivate))
        .route("/settings/users/{id}/reactivate", post(users::reactivate))
        .route("/settings/teams", get(teams::show).post(teams::create))
        .route("/settings/teams/{id}/members", post(teams::add_member))
        .route(
            "/settings/teams/{id}/members/{user_id}/remove",
            post(teams::remove_member),
        )
        .route("/settings/marketplace", get(marketplace::show))
        .route("/marketplace", get(marketplace::show))
        .route(
            "/settings/marketplace/slack/connect",
            post(marketplace::connect),
        )
        .route(
            "/settings/marketplace/slack/disconnect",
            post(marketplace::disconnect),
        )
        .route(
            "/settings/marketplace/jobs/{id}/retry",
            post(marketplace::retry_job),
        )
        .route(previews::PATH, get(previews::show).post(previews::save))
        .route("/settings/inbox", get(inbox::show).post(inbox::create))
        .route("/settings/inbox/{id}/slack", post(inbox::save_slack))
        .route("/settings/inbox/{id}/origins", post(inbox::save_origins))
        .route("/settings/inbox/{id}/slack/connect", post(inbox::connect))
        .route(
            "/settings/inbox/{id}/slack/disconnect",
            post(inbox::disconnect_slack),
        )
        .route("/settings/feedback", get(feedback::show))
        .route("/settings/rules", get(rules::show).post(rules::create))
        .route("/settings/rules/{id}", post(rules::update))
        .route("/settings/rules/{id}/{action}", post(rules::act))
        .route(
            hubbub_app::links::SLACK_OAUTH_CALLBACK,
            get(slack::callback),
        )
}

/// A message shown at the top of a page: a confirmation after a change,
/// or why a change was refused.
pub struct Notice {
    /// `ok` or `error` (the alert's CSS class).
    pub kind: &'static str,
    pub text: String,
}

impl Notice {
    pub fn ok(text: impl Into<String>) -> Notice {
        Notice {
            kind: "ok",
            text: text.into(),
        }
    }

    pub fn error(text: impl Into<String>) -> Notice {
        Notice {
            kind: "error",
            text: text.into(),
        }
    }
}

/// A form whose only field is `_csrf`.
#[derive(Deserialize)]
pub struct NoFields {}

/// Users and teams are for super admins; anyone else gets the 403 page.
async fn require_user_manager(state: &AppState, viewer: &Viewer) -> Result<(), PageError> {
    Ok(state
        .app
        .authorize(&viewer.actor(), Permission::ManageUsers)
        .await?)
}

#[derive(Template)]
#[template(path = "settings/home.html")]
struct HomePage {
    chrome: Chrome,
    tab: &'static str,
    super_admin: bool,
    marketplace: bool,
    email: String,
}

async fn home(viewer: Viewer) -> PageResult {
    let roles = viewer.session.user.roles;
    let page = HomePage {
        chrome: Chrome::new(&viewer, "settings", "Settings"),
        tab: "home",
        super_admin: roles.super_admin,
        marketplace: roles.marketplace,
        email: viewer.session.user.email.clone(),
    };
    Ok(render(&page))
}

/// A response with a status other than 200 (a form shown again with its
/// errors, a refused change).
pub fn with_status(status: StatusCode, page: Response) -> Response {
    (status, page).into_response()
}
