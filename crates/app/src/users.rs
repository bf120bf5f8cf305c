//! The account's people: inviting them (from the users page or the
//! command line, with the same rules), their permissions, deactivating and
//! reactivating them.

use hubbub_hub::auth::Roles;
use hubbub_hub::HubError;
use hubbub_store::{create_user_on, NewUser, User};

use crate::{Actor, App, Permission, Result};

/// A permission beyond working with records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    SuperAdmin,
    /// HubSpot's "App Marketplace" permission: may connect apps.
    Marketplace,
    /// HubSpot's view-only seat: may read records, not change them.
    ViewOnly,
}

impl Role {
    /// `super_admin`, `marketplace` or `view_only`, as forms send it.
    pub fn parse(name: &str) -> Option<Role> {
        match name {
            "super_admin" => Some(Role::SuperAdmin),
            "marketplace" => Some(Role::Marketplace),
            "view_only" => Some(Role::ViewOnly),
            _ => None,
        }
    }

    fn set(self, roles: Roles, granted: bool) -> Roles {
        match self {
            Role::SuperAdmin => Roles {
                super_admin: granted,
                ..roles
            },
            Role::Marketplace => Roles {
                marketplace: granted,
                ..roles
            },
            Role::ViewOnly => Roles {
                view_only: granted,
                ..roles
            },
        }
    }
}

impl App {
    /// Adds a user to the actor's account. When the account's workspace
    /// is connected, finding their Slack account by email is enqueued in
    /// the same transaction.
    pub async fn invite_user(&self, actor: &Actor, new_user: NewUser) -> Result<User> {
        self.authorize(actor, Permission::ManageUsers).await?;
        let account_id = actor.account_id();
        self.store().account(account_id).await?;
        let mut tx = self.store().begin_write().await?;
        let user = create_user_on(&mut tx, account_id, &new_user, self.now()).await?;
        let lookup = self
            .map_new_users_on(&mut tx, account_id, vec![user.id])
            .await?;
        tx.commit().await?;
        if lookup {
            self.wake_worker();
        }
        Ok(user)
    }

    /// Grants or revokes a role. An account always keeps a super admin.
    pub async fn set_user_role(
        &self,
        actor: &Actor,
        user_id: i64,
        role: Role,
        granted: bool,
    ) -> Result<User> {
        self.authorize(actor, Permission::ManageUsers).await?;
        let account_id = actor.account_id();
        let user = self.store().user(account_id, user_id).await?;
        let roles = role.set(user.roles, granted);
        Ok(self.store().set_roles(account_id, user_id, roles).await?)
    }

    /// Deactivates (`active: false`: they can no longer sign in) or
    /// reactivates a user. Nobody deactivates themselves, and an account
    /// always keeps an active super admin.
    pub async fn set_user_active(&self, actor: &Actor, user_id: i64, active: bool) -> Result<User> {
        self.authorize(actor, Permission::ManageUsers).await?;
        if !active && actor.user_id() == Some(user_id) {
            return Err(HubError::Conflict(
                "You cannot deactivate yourself. Ask another super admin to do it.".to_owned(),
            )
            .into());
        }
        Ok(self
            .store()
            .set_user_archived(actor.account_id(), user_id, !active)
            .await?)
    }
}
