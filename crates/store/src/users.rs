//! Users of the hub (each one is also a record owner) and teams.

use hubbub_hub::auth::{check_email, check_password_strength, hash_password, Roles};
use hubbub_hub::timestamp::now_millis;
use hubbub_hub::HubError;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row, Transaction};

use crate::{flag, Backend, Store, StoreError, StoreResult};

#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    pub super_admin: bool,
    pub marketplace: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub account_id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub roles: Roles,
    pub archived: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// Ids of the teams the user belongs to.
    pub team_ids: Vec<i64>,
}

impl User {
    /// How the user is named wherever people see them: their name, or
    /// their email when they have none.
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_owned();
        if name.is_empty() {
            self.email.clone()
        } else {
            name
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Team {
    pub id: i64,
    pub name: String,
}

pub(crate) const USER_COLUMNS: &str = "id, account_id, email, first_name, last_name, super_admin, \
                            marketplace, archived, created_at, updated_at, view_only";

pub(crate) fn user_from_row(row: &AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: row.try_get(0)?,
        account_id: row.try_get(1)?,
        email: row.try_get(2)?,
        first_name: row.try_get(3)?,
        last_name: row.try_get(4)?,
        roles: Roles {
            super_admin: row.try_get::<i64, _>(5)? != 0,
            marketplace: row.try_get::<i64, _>(6)? != 0,
            view_only: row.try_get::<i64, _>(10)? != 0,
        },
        archived: row.try_get::<i64, _>(7)? != 0,
        created_at: row.try_get(8)?,
        updated_at: row.try_get(9)?,
        team_ids: Vec::new(),
    })
}

/// Adds a user to an account on `conn`, inside the caller's transaction
/// (with whatever else joining causes).
pub async fn create_user_on(
    conn: &mut AnyConnection,
    account_id: i64,
    user: &NewUser,
    now: i64,
) -> StoreResult<User> {
    let email = check_email(&user.email)?;
    check_password_strength(&user.password)?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(&mut *conn)
        .await?;
    // Emails are unique across the deployment (sign-in is by email). The
    // refusal reads the same whichever account holds the address, so an
    // admin learns nothing about other accounts from it.
    if taken.is_some() {
        return Err(HubError::Conflict(
            "A user with this email address already exists. Use another address.".to_owned(),
        )
        .into());
    }
    let hash = hash_password(&user.password);
    let row = sqlx::query(&format!(
        "INSERT INTO users (account_id, email, password_hash, first_name, last_name, \
         super_admin, marketplace, archived, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8) RETURNING {USER_COLUMNS}"
    ))
    .bind(account_id)
    .bind(&email)
    .bind(hash)
    .bind(user.first_name.trim())
    .bind(user.last_name.trim())
    .bind(flag(user.super_admin))
    .bind(flag(user.marketplace))
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(user_from_row(&row)?)
}

/// The account's active super admins, oldest first (without their
/// teams), read on `conn`: inside the caller's transaction, the list
/// is the one its writes see.
pub async fn active_super_admins_on(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
) -> StoreResult<Vec<User>> {
    let rows = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users \
         WHERE account_id = $1 AND super_admin = 1 AND archived = 0 ORDER BY id"
    ))
    .bind(account_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(user_from_row)
        .collect::<Result<Vec<_>, _>>()?)
}

impl Store {
    /// The account's users, oldest first, with their teams.
    pub async fn users(&self, account_id: i64) -> StoreResult<Vec<User>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE account_id = $1 ORDER BY id"
        ))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        let mut users = rows
            .iter()
            .map(user_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let memberships = sqlx::query(
            "SELECT m.user_id, m.team_id FROM team_members m JOIN teams t ON t.id = m.team_id \
             WHERE t.account_id = $1 ORDER BY m.team_id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        for row in memberships {
            let (user_id, team_id): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
            if let Some(u) = users.iter_mut().find(|u| u.id == user_id) {
                u.team_ids.push(team_id);
            }
        }
        Ok(users)
    }

    pub async fn user(&self, account_id: i64, user_id: i64) -> StoreResult<User> {
        self.users(account_id)
            .await?
            .into_iter()
            .find(|u| u.id == user_id)
            .ok_or_else(|| {
                StoreError::Hub(HubError::NotFound(format!("User {user_id} does not exist")))
            })
    }

    pub async fn teams(&self, account_id: i64) -> StoreResult<Vec<Team>> {
        let rows = sqlx::query("SELECT id, name FROM teams WHERE account_id = $1 ORDER BY name")
            .bind(account_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Team {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                })
            })
            .collect()
    }

    pub async fn create_team(&self, account_id: i64, name: &str) -> StoreResult<Team> {
        let name = name.trim();
        if name.is_empty() {
            return Err(HubError::field("REQUIRED", "name", "A team needs a name").into());
        }
        if self.teams(account_id).await?.iter().any(|t| t.name == name) {
            return Err(HubError::Conflict(format!("A team named {name} already exists")).into());
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO teams (account_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(account_id)
        .bind(name)
        .bind(now_millis())
        .fetch_one(&self.writer)
        .await?;
        Ok(Team {
            id,
            name: name.to_owned(),
        })
    }

    pub async fn add_team_member(
        &self,
        account_id: i64,
        team_id: i64,
        user_id: i64,
    ) -> StoreResult<()> {
        self.user(account_id, user_id).await?;
        if !self
            .teams(account_id)
            .await?
            .iter()
            .any(|t| t.id == team_id)
        {
            return Err(HubError::NotFound(format!("Team {team_id} does not exist")).into());
        }
        sqlx::query(
            "INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(team_id)
        .bind(user_id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Takes a user out of a team; a user who is not in it is a 404.
    pub async fn remove_team_member(
        &self,
        account_id: i64,
        team_id: i64,
        user_id: i64,
    ) -> StoreResult<()> {
        let team = self
            .teams(account_id)
            .await?
            .into_iter()
            .find(|t| t.id == team_id)
            .ok_or_else(|| HubError::NotFound(format!("Team {team_id} does not exist")))?;
        let done = sqlx::query("DELETE FROM team_members WHERE team_id = $1 AND user_id = $2")
            .bind(team_id)
            .bind(user_id)
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(HubError::NotFound(format!(
                "User {user_id} is not a member of team {}",
                team.name
            ))
            .into());
        }
        Ok(())
    }

    /// Deactivates (`archived`) or reactivates a user. A deactivated user
    /// cannot sign in and their sessions end; their records keep them as
    /// owner. An account always keeps at least one active super admin.
    pub async fn set_user_archived(
        &self,
        account_id: i64,
        user_id: i64,
        archived: bool,
    ) -> StoreResult<User> {
        let mut tx = self.writer_tx().await?;
        let user = self
            .lock_for_role_change(&mut tx, account_id, user_id)
            .await?;
        if archived && user.roles.super_admin && !user.archived {
            refuse_if_last_admin(&mut tx, account_id, user_id, "active super admin").await?;
        }
        sqlx::query(
            "UPDATE users SET archived = $1, updated_at = $2 WHERE id = $3 AND account_id = $4",
        )
        .bind(flag(archived))
        .bind(now_millis())
        .bind(user_id)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        if archived {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.user(account_id, user_id).await
    }

    /// Grants or revokes super admin, the App Marketplace permission and
    /// the view-only seat.
    /// An account always keeps at least one super admin.
    pub async fn set_roles(
        &self,
        account_id: i64,
        user_id: i64,
        roles: Roles,
    ) -> StoreResult<User> {
        let mut tx = self.writer_tx().await?;
        let user = self
            .lock_for_role_change(&mut tx, account_id, user_id)
            .await?;
        if user.roles.super_admin && !roles.super_admin {
            refuse_if_last_admin(&mut tx, account_id, user_id, "super admin").await?;
        }
        sqlx::query("UPDATE users SET super_admin = $1, marketplace = $2, view_only = $3, updated_at = $4 WHERE id = $5 AND account_id = $6")
            .bind(flag(roles.super_admin))
            .bind(flag(roles.marketplace))
            .bind(flag(roles.view_only))
            .bind(now_millis())
            .bind(user_id)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.user(account_id, user_id).await
    }

    /// Starts a change to who the account's super admins are: on
    /// PostgreSQL the account's row is locked, so that concurrent changes
    /// of one account's admins take turns and each sees the other's
    /// outcome (SQLite's single writer already serialises them). Returns
    /// the user, read inside the transaction.
    async fn lock_for_role_change(
        &self,
        tx: &mut Transaction<'_, Any>,
        account_id: i64,
        user_id: i64,
    ) -> StoreResult<User> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT id FROM accounts WHERE id = $1 FOR UPDATE")
                .bind(account_id)
                .execute(&mut **tx)
                .await?;
        }
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND account_id = $2"
        ))
        .bind(user_id)
        .bind(account_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| HubError::NotFound(format!("User {user_id} does not exist")))?;
        Ok(user_from_row(&row)?)
    }
}

/// Refuses, inside the change's transaction, to take away the account's
/// last active super admin other than `user_id`.
async fn refuse_if_last_admin(
    tx: &mut Transaction<'_, Any>,
    account_id: i64,
    user_id: i64,
    what: &str,
) -> StoreResult<()> {
    let others: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users \
         WHERE account_id = $1 AND id <> $2 AND super_admin = 1 AND archived = 0",
    )
    .bind(account_id)
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await?;
    if others == 0 {
        return Err(HubError::Conflict(format!(
            "An account needs at least one {what}; make someone else super admin first"
        ))
        .into());
    }
    Ok(())
}
