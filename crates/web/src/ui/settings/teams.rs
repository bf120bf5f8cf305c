//! Teams: creating them, adding and removing members. Super admins only.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hubbub_app::Error as AppError;
use hubbub_hub::HubError;
use hubbub_store::User;
use serde::Deserialize;

use super::{require_user_manager, with_status, NoFields, Notice};
use crate::ui::flash::see_other_confirming;
use crate::ui::page::{render, Chrome, PageError, PageResult};
use crate::ui::session::{CsrfForm, Viewer};
use crate::AppState;

pub struct Member {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub archived: bool,
}

impl Member {
    fn of(u: &User) -> Member {
        Member {
            id: u.id,
            name: u.display_name(),
            email: u.email.clone(),
            archived: u.archived,
        }
    }
}

pub struct TeamView {
    pub id: i64,
    pub name: String,
    pub members: Vec<Member>,
    /// Active users who could join.
    pub candidates: Vec<Member>,
}

#[derive(Template)]
#[template(path = "settings/teams.html")]
struct TeamsPage {
    chrome: Chrome,
    tab: &'static str,
    notice: Option<Notice>,
    teams: Vec<TeamView>,
    /// The new-team form as last submitted, and what was wrong with it.
    new_name: String,
    name_error: Option<String>,
}

async fn teams_page(
    state: &AppState,
    viewer: &Viewer,
    notice: Option<Notice>,
    new_name: String,
    name_error: Option<String>,
) -> Result<TeamsPage, PageError> {
    let account_id = viewer.account_id();
    let users = state.app.store().users(account_id).await?;
    let teams = state
        .app
        .store()
        .teams(account_id)
        .await?
        .into_iter()
        .map(|t| TeamView {
            id: t.id,
            members: users
                .iter()
                .filter(|u| u.team_ids.contains(&t.id))
                .map(Member::of)
                .collect(),
            candidates: users
                .iter()
                .filter(|u| !u.archived && !u.team_ids.contains(&t.id))
                .map(Member::of)
                .collect(),
            name: t.name,
        })
        .collect();
    Ok(TeamsPage {
        chrome: Chrome::new(viewer, "settings", "Teams"),
        tab: "teams",
        notice,
        teams,
        new_name,
        name_error,
    })
}

/// Where every change to a team lands.
const TEAMS: &str = "/settings/teams";

/// Back to the teams page after a change of membership, confirming it
/// ("Ada was added to Support").
async fn membership_changed(
    state: &AppState,
    viewer: &Viewer,
    team_id: i64,
    user_id: i64,
    how: &str,
) -> PageResult {
    let account_id = viewer.account_id();
    let users = state.app.store().users(account_id).await?;
    let teams = state.app.store().teams(account_id).await?;
    let user = users
        .iter()
        .find(|u| u.id == user_id)
        .map(User::display_name)
        .unwrap_or_default();
    let team = teams
        .iter()
        .find(|t| t.id == team_id)
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let done = format!("{user} was {how} {team}.");
    Ok(see_other_confirming(state, viewer, TEAMS, &done))
}

pub async fn show(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    require_user_manager(&state, &viewer).await?;
    let page = teams_page(&state, &viewer, None, String::new(), None).await?;
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct TeamFields {
    #[serde(default)]
    name: String,
}

pub async fn create(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<TeamFields>,
) -> PageResult {
    let (status, message) = match state.app.create_team(&viewer.actor(), &form.name).await {
        Ok(team) => {
            let done = format!("Team {} was created. Add its members below.", team.name);
            return Ok(see_other_confirming(&state, &viewer, TEAMS, &done));
        }
        Err(AppError::Refused(e @ HubError::Validation { .. })) => {
            (StatusCode::BAD_REQUEST, e.to_string())
        }
        Err(AppError::Refused(HubError::Conflict(m))) => (StatusCode::CONFLICT, m),
        Err(other) => return Err(other.into()),
    };
    let notice = Notice::error("The team was not created: correct the form below.");
    let page = teams_page(&state, &viewer, Some(notice), form.name, Some(message)).await?;
    Ok(with_status(status, render(&page)))
}

#[derive(Deserialize)]
pub struct MemberFields {
    #[serde(default)]
    user_id: String,
}

pub async fn add_member(
    State(state): State<AppState>,
    Path(team_id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<MemberFields>,
) -> PageResult {
    let Ok(user_id) = form.user_id.trim().parse::<i64>() else {
        let notice = Notice::error("Choose a user to add to the team.");
        let page = teams_page(&state, &viewer, Some(notice), String::new(), None).await?;
        return Ok(with_status(StatusCode::BAD_REQUEST, render(&page)));
    };
    state
        .app
        .add_team_member(&viewer.actor(), team_id, user_id)
        .await?;
    membership_changed(&state, &viewer, team_id, user_id, "added to").await
}

pub async fn remove_member(
    State(state): State<AppState>,
    Path((team_id, user_id)): Path<(i64, i64)>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    state
        .app
        .remove_team_member(&viewer.actor(), team_id, user_id)
        .await?;
    membership_changed(&state, &viewer, team_id, user_id, "removed from").await
}
