//! What each actor may do, checked in one place. A use case asks
//! [`App::authorize`] before it changes anything; a page that shows a
//! disabled button asks [`App::denial`] for the reason to show beside it.
//! Both read the same rules ([`allows`]).

use hubbub_hub::auth::{conversations_scope, object_scope, require_scope, Access, OWNERS_SCOPE};
use hubbub_hub::{HubError, ObjectType};
use hubbub_store::User;

use crate::{Actor, App, Result};

/// Something an actor may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Invite users, change their permissions, deactivate them; teams.
    ManageUsers,
    /// Connect or disconnect apps such as Slack, and set an inbox's Slack
    /// channel (super admins and the App Marketplace permission).
    ConnectApps,
    AddInboxes,
    /// Put background work that gave up back in the queue.
    RetryJobs,
    /// Put mail that could not be sent back in the queue.
    RetryMail,
    /// Read every mail of the account, not only one's own.
    ReadAllMail,
    /// Set the account's notification defaults.
    ManageNotifications,
    /// Define, pause and delete custom notification rules.
    ManageRules,
    /// Read the feedback people sent from Slack.
    ReadFeedback,
    /// Choose how much links to hub records pasted in Slack show.
    ManageLinkPreviews,
    /// Read or change records of a type.
    Records(ObjectType, Access),
    ReadOwners,
    /// Read the inbox's conversations, or also answer, assign and close
    /// them.
    Conversations(Access),
}

/// Why an actor may not: a role they lack, or a scope their token lacks.
enum Denied {
    Role,
    Scope(String),
}

/// The rules: `Ok` when the actor may.
fn allows(actor: &Actor, permission: Permission) -> Result<(), Denied> {
    let roles = match actor {
        Actor::Operator { .. } => return Ok(()),
        Actor::WebChat { .. } => {
            return match permission {
                Permission::Records(ObjectType::Contact, _) => Ok(()),
                _ => Err(Denied::Role),
            }
        }
        Actor::Token(grant) => {
            let scope = match permission {
                Permission::Records(t, access) => object_scope(t, access),
                Permission::ReadOwners => OWNERS_SCOPE.to_owned(),
                Permission::Conversations(access) => conversations_scope(access).to_owned(),
                // A private-app token reaches records only.
                _ => return Err(Denied::Role),
            };
            return require_scope(&grant.scopes, &scope).map_err(|_| Denied::Scope(scope));
        }
        Actor::User(user) => user.roles,
        Actor::Slack(slack) => slack.user.roles,
    };
    let may = match permission {
        Permission::ManageUsers => roles.may_manage_users(),
        Permission::ConnectApps => roles.may_connect_apps(),
        Permission::AddInboxes => roles.may_add_inboxes(),
        Permission::RetryJobs
        | Permission::RetryMail
        | Permission::ReadAllMail
        | Permission::ManageNotifications
        | Permission::ManageRules
        | Permission::ReadFeedback
        | Permission::ManageLinkPreviews => roles.super_admin,
        Permission::Records(_, Access::Write) | Permission::Conversations(Access::Write) => {
            roles.may_change_records()
        }
        Permission::Records(_, Access::Read)
        | Permission::ReadOwners
        | Permission::Conversations(Access::Read) => true,
    };
    if may {
        Ok(())
    } else {
        Err(Denied::Role)
    }
}

impl App {
    /// Whether `actor` may; no refusal message is built.
    pub fn may(&self, actor: &Actor, permission: Permission) -> bool {
        allows(actor, permission).is_ok()
    }

    /// `Ok` when `actor` may; otherwise the refusal, saying whom to ask.
    pub async fn authorize(&self, actor: &Actor, permission: Permission) -> Result<()> {
        match self.denial(actor, permission).await? {
            None => Ok(()),
            Some(refusal) => Err(refusal.into()),
        }
    }

    /// Why `actor` may not, as people read it (naming the super admins to
    /// ask); `None` when they may.
    pub async fn denial(&self, actor: &Actor, permission: Permission) -> Result<Option<HubError>> {
        let needed = match allows(actor, permission) {
            Ok(()) => return Ok(None),
            Err(Denied::Scope(scope)) => {
                return Ok(require_scope(&[], &scope).err());
            }
            Err(Denied::Role) => permission,
        };
        let admins = super_admin_names(&self.store().users(actor.account_id()).await?);
        let message = match needed {
            Permission::ManageUsers => format!(
                "Only super admins manage users and teams. Ask {admins} if someone should be invited or their permissions changed."
            ),
            Permission::ConnectApps => format!(
                "Only super admins and users with the App Marketplace permission can connect apps. Ask {admins} to connect Slack, or to give you the App Marketplace permission."
            ),
            Permission::AddInboxes => format!("Only super admins add inboxes. Ask {admins} to add one."),
            Permission::RetryJobs => "Only super admins retry background work.".to_owned(),
            Permission::RetryMail => "Only super admins retry mail.".to_owned(),
            Permission::ReadAllMail => "Only super admins read everyone's mail.".to_owned(),
            Permission::ManageNotifications => format!(
                "Only super admins set the account's notification defaults. Ask {admins} to change them; your own settings are yours to change."
            ),
            Permission::ManageRules => format!(
                "Only super admins manage notification rules. Ask {admins} to add or change one."
            ),
            Permission::ReadFeedback => format!(
                "Only super admins read the feedback sent from Slack. Ask {admins} what it says."
            ),
            Permission::ManageLinkPreviews => format!(
                "Only super admins choose what links to hub records show in Slack. Ask {admins} to change it."
            ),
            Permission::Records(t, Access::Write) => format!(
                "You have a view-only seat: you may read {} but not change them. Ask {admins} for a seat that may edit records.",
                t.label_plural().to_lowercase()
            ),
            Permission::Records(t, Access::Read) => {
                format!("You may not work with {} here.", t.label_plural().to_lowercase())
            }
            Permission::ReadOwners => "You may not list the account's owners.".to_owned(),
            Permission::Conversations(Access::Write) => format!(
                "You have a view-only seat: you may read conversations but not answer, assign or close them. Ask {admins} for a seat that may."
            ),
            Permission::Conversations(Access::Read) => "You may not read the inbox here.".to_owned(),
        };
        Ok(Some(HubError::Forbidden(message)))
    }
}

/// "a super admin (Ada Admin or Bo Boss)": whom to ask for something only
/// super admins do.
pub fn super_admin_names(users: &[User]) -> String {
    let names: Vec<String> = users
        .iter()
        .filter(|u| u.roles.super_admin && !u.archived)
        .map(User::display_name)
        .collect();
    match names.as_slice() {
        [] => "a super admin".to_owned(),
        [one] => format!("a super admin ({one})"),
        [rest @ .., last] => format!("a super admin ({} or {last})", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hubbub_hub::auth::Roles;
    use hubbub_store::TokenGrant;

    fn user(roles: Roles) -> Actor {
        Actor::User(User {
            id: 1,
            account_id: 1,
            email: "a@b.test".into(),
            first_name: String::new(),
            last_name: String::new(),
            roles,
            archived: false,
            created_at: 0,
            updated_at: 0,
            team_ids: Vec::new(),
        })
    }

    #[test]
    fn roles_decide_for_people_and_scopes_for_tokens() {
        let member = user(Roles::default());
        let marketplace = user(Roles {
            marketplace: true,
            ..Roles::default()
        });
        assert!(allows(&member, Permission::ConnectApps).is_err());
        assert!(allows(&marketplace, Permission::ConnectApps).is_ok());
        assert!(allows(&marketplace, Permission::ManageUsers).is_err());
        let viewer = user(Roles {
            view_only: true,
            ..Roles::default()
        });
        let deals = |access| Permission::Records(ObjectType::Deal, access);
        assert!(allows(&viewer, deals(Access::Read)).is_ok());
        assert!(matches!(
            allows(&viewer, deals(Access::Write)),
            Err(Denied::Role)
        ));
        assert!(allows(&member, deals(Access::Write)).is_ok());
        let contacts = Actor::Token(TokenGrant {
            account_id: 1,
            scopes: vec!["crm.objects.contacts.read".into()],
        });
        let read = Permission::Records(ObjectType::Contact, Access::Read);
        let write = Permission::Records(ObjectType::Contact, Access::Write);
        assert!(allows(&contacts, read).is_ok());
        assert!(matches!(allows(&contacts, write), Err(Denied::Scope(_))));
        assert!(allows(&contacts, Permission::ManageUsers).is_err());
        assert!(allows(&Actor::Operator { account_id: 1 }, Permission::ManageUsers).is_ok());
    }
}
