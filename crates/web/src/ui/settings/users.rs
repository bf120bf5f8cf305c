//! Users: everyone in the account with their permissions; inviting,
//! granting and revoking permissions, deactivating. Super admins only.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hubbub_app::users::Role;
use hubbub_app::Error as AppError;
use hubbub_hub::HubError;
use hubbub_store::{NewUser, User};
use serde::Deserialize;

use super::{require_user_manager, with_status, NoFields, Notice};
use crate::ui::flash::see_other_confirming;
use crate::ui::page::{render, Chrome, PageError, PageResult};
use crate::ui::session::{CsrfForm, Viewer};
use crate::AppState;

/// One line of the users table.
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// The permission buttons: super admin, App Marketplace, view-only.
    pub toggles: Vec<RoleToggle>,
    pub archived: bool,
    /// The signed-in user's own line.
    pub is_me: bool,
    /// The user's teams, by name.
    pub teams: String,
}

/// A button that grants a permission, or revokes it when held.
pub struct RoleToggle {
    /// What the form sends (`super_admin`, …).
    pub role: &'static str,
    pub label: &'static str,
    pub testid: &'static str,
    pub granted: bool,
    /// The button's title when it grants and when it revokes.
    pub grant: &'static str,
    pub revoke: &'static str,
    /// Asked before revoking.
    pub confirm: Option<&'static str>,
}

fn toggles(user: &User, is_me: bool) -> Vec<RoleToggle> {
    let roles = user.roles;
    vec![
        RoleToggle {
            role: "super_admin",
            label: "Super admin",
            testid: "super-admin",
            granted: roles.super_admin,
            grant: "Make super admin",
            revoke: "Revoke super admin",
            confirm: is_me.then_some(
                "Revoke your own super admin permission? You will no longer be able to manage users.",
            ),
        },
        RoleToggle {
            role: "marketplace",
            label: "App Marketplace",
            testid: "marketplace",
            granted: roles.marketplace,
            grant: "Grant the App Marketplace permission",
            revoke: "Revoke the App Marketplace permission",
            confirm: None,
        },
        RoleToggle {
            role: "view_only",
            label: "View-only",
            testid: "view-only",
            granted: roles.view_only,
            grant: "Make view-only: may read records, not change them",
            revoke: "Let them change records again",
            confirm: None,
        },
    ]
}

/// The invite form as last submitted, with the problems found in it.
#[derive(Default)]
pub struct InviteForm {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub super_admin: bool,
    pub marketplace: bool,
    pub email_error: Option<String>,
    pub password_error: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "settings/users.html")]
struct UsersPage {
    chrome: Chrome,
    tab: &'static str,
    notice: Option<Notice>,
    rows: Vec<UserRow>,
    invite: InviteForm,
}

async fn users_page(
    state: &AppState,
    viewer: &Viewer,
    notice: Option<Notice>,
    invite: InviteForm,
) -> Result<UsersPage, PageError> {
    let account_id = viewer.account_id();
    let store = state.app.store();
    let users = store.users(account_id).await?;
    let teams = store.teams(account_id).await?;
    let rows = users
        .iter()
        .map(|u| UserRow {
            id: u.id,
            name: u.display_name(),
            email: u.email.clone(),
            toggles: toggles(u, u.id == viewer.session.user.id),
            archived: u.archived,
            is_me: u.id == viewer.session.user.id,
            teams: teams
                .iter()
                .filter(|t| u.team_ids.contains(&t.id))
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    Ok(UsersPage {
        chrome: Chrome::new(viewer, "settings", "Users"),
        tab: "users",
        notice,
        rows,
        invite,
    })
}

/// Where every change to a user lands.
const USERS: &str = "/settings/users";

pub async fn show(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    require_user_manager(&state, &viewer).await?;
    let page = users_page(&state, &viewer, None, InviteForm::default()).await?;
    Ok(render(&page))
}

/// Shows the users page again with why a change was refused.
async fn refused(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    message: String,
) -> PageResult {
    let page = users_page(
        state,
        viewer,
        Some(Notice::error(message)),
        InviteForm::default(),
    )
    .await?;
    Ok(with_status(status, render(&page)))
}

#[derive(Deserialize)]
pub struct InviteFields {
    #[serde(default)]
    email: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    super_admin: Option<String>,
    #[serde(default)]
    marketplace: Option<String>,
}

pub async fn invite(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<InviteFields>,
) -> PageResult {
    let new_user = NewUser {
        email: form.email.clone(),
        password: form.password,
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        super_admin: form.super_admin.is_some(),
        marketplace: form.marketplace.is_some(),
    };
    let mut shown = InviteForm {
        email: form.email,
        first_name: form.first_name,
        last_name: form.last_name,
        super_admin: new_user.super_admin,
        marketplace: new_user.marketplace,
        ..InviteForm::default()
    };
    let status = match state.app.invite_user(&viewer.actor(), new_user).await {
        Ok(user) => {
            let done = format!(
                "{} ({}) was invited. They can sign in with their email and the password you set.",
                user.display_name(),
                user.email
            );
            return Ok(see_other_confirming(&state, &viewer, USERS, &done));
        }
        Err(AppError::Refused(HubError::Validation { message, errors })) => {
            for e in errors {
                match e.field.as_deref() {
                    Some("email") => shown.email_error = Some(e.message),
                    Some("password") => shown.password_error = Some(e.message),
                    _ => shown.error = Some(e.message),
                }
            }
            if shown.email_error.is_none() && shown.password_error.is_none() {
                shown.error = Some(message);
            }
            StatusCode::BAD_REQUEST
        }
        Err(AppError::Refused(HubError::Conflict(message))) => {
            shown.email_error = Some(message);
            StatusCode::CONFLICT
        }
        Err(other) => return Err(other.into()),
    };
    let notice = Notice::error("The user was not invited: correct the form below.");
    let page = users_page(&state, &viewer, Some(notice), shown).await?;
    Ok(with_status(status, render(&page)))
}

#[derive(Deserialize)]
pub struct RoleFields {
    /// `super_admin`, `marketplace` or `view_only`.
    role: String,
    /// `1` grants, anything else revokes.
    #[serde(default)]
    grant: String,
}

pub async fn set_role(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<RoleFields>,
) -> PageResult {
    let Some(role) = Role::parse(&form.role) else {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            "Invalid form",
            format!("There is no permission called {:?}.", form.role),
        ));
    };
    let granted = form.grant == "1";
    let done = state
        .app
        .set_user_role(&viewer.actor(), id, role, granted)
        .await;
    changed(&state, &viewer, done, |user| {
        format!("{}'s permissions were updated.", user.display_name())
    })
    .await
}

/// After a change to a user: back to the users page, confirming it, or
/// showing why it was refused.
async fn changed(
    state: &AppState,
    viewer: &Viewer,
    done: Result<User, AppError>,
    confirmation: impl FnOnce(&User) -> String,
) -> PageResult {
    match done {
        Ok(user) => Ok(see_other_confirming(
            state,
            viewer,
            USERS,
            &confirmation(&user),
        )),
        Err(AppError::Refused(HubError::Conflict(message))) => {
            refused(state, viewer, StatusCode::CONFLICT, message).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn set_active(state: AppState, viewer: Viewer, id: i64, active: bool) -> PageResult {
    let done = state.app.set_user_active(&viewer.actor(), id, active).await;
    changed(&state, &viewer, done, |user| match active {
        true => format!("{} can sign in again.", user.display_name()),
        false => format!(
            "{} was deactivated and can no longer sign in.",
            user.display_name()
        ),
    })
    .await
}

pub async fn deactivate(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    set_active(state, viewer, id, false).await
}

pub async fn reactivate(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    set_active(state, viewer, id, true).await
}
