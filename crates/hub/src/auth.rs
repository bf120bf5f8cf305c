//! Who may do what: user roles, API token scopes, password and token
//! hashing.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{HubError, ObjectType};

/// What a hub user may do beyond working with records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Roles {
    pub super_admin: bool,
    /// HubSpot's "App Marketplace" permission: may connect apps.
    pub marketplace: bool,
    /// HubSpot's view-only seat: may read records, not change them.
    pub view_only: bool,
}

impl Roles {
    /// Whether the user may connect or disconnect apps such as Slack.
    pub fn may_connect_apps(self) -> bool {
        self.super_admin || self.marketplace
    }

    /// Whether the user may create, change or archive records (and link
    /// them, and add their properties).
    pub fn may_change_records(self) -> bool {
        !self.view_only
    }

    pub fn may_manage_users(self) -> bool {
        self.super_admin
    }

    /// Whether the user may add inboxes. Each inbox's Slack setting is
    /// for whoever may connect apps ([`Roles::may_connect_apps`]).
    pub fn may_add_inboxes(self) -> bool {
        self.super_admin
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// The scope a token needs to read or write records of a type.
pub fn object_scope(object_type: ObjectType, access: Access) -> String {
    match (object_type, access) {
        (ObjectType::Ticket, _) => "tickets".to_owned(),
        (t, Access::Read) => format!("{}.read", t.scope_stem()),
        (t, Access::Write) => format!("{}.write", t.scope_stem()),
    }
}

pub const OWNERS_SCOPE: &str = "crm.objects.owners.read";

/// HubSpot's scope for reading, or also sending in, conversations.
pub fn conversations_scope(access: Access) -> &'static str {
    match access {
        Access::Read => "conversations.read",
        Access::Write => "conversations.write",
    }
}

/// Every scope the hub knows, granted by default to a new token.
pub fn all_scopes() -> Vec<String> {
    let mut scopes: Vec<String> = ObjectType::ALL
        .into_iter()
        .flat_map(|t| {
            [
                object_scope(t, Access::Read),
                object_scope(t, Access::Write),
            ]
        })
        .collect();
    scopes.push(OWNERS_SCOPE.to_owned());
    for access in [Access::Read, Access::Write] {
        scopes.push(conversations_scope(access).to_owned());
    }
    scopes.sort();
    scopes.dedup();
    scopes
}

/// Fails with HubSpot's `MISSING_SCOPES` unless `granted` holds `needed`.
pub fn require_scope(granted: &[String], needed: &str) -> Result<(), HubError> {
    if granted.iter().any(|s| s == needed) {
        Ok(())
    } else {
        Err(HubError::MissingScopes {
            message: format!(
                "This app hasn't been granted all required scopes to make this call. \
                 Read more about required scopes here: https://developers.hubspot.com/scopes. \
                 Missing: {needed}"
            ),
            missing: vec![needed.to_owned()],
        })
    }
}

/// Checks a requested scope list against the known scopes.
pub fn validate_scopes(requested: &[String]) -> Result<(), HubError> {
    let known = all_scopes();
    let unknown: Vec<&str> = requested
        .iter()
        .filter(|s| !known.contains(s))
        .map(String::as_str)
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(HubError::invalid(format!(
            "Unknown scopes: {}. Known scopes: {}",
            unknown.join(", "),
            known.join(", ")
        )))
    }
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Minimum rules for a password chosen by a person.
pub fn check_password_strength(password: &str) -> Result<(), HubError> {
    if password.chars().count() < 8 {
        return Err(HubError::field(
            "INVALID_PASSWORD",
            "password",
            "Password must be at least 8 characters long",
        ));
    }
    Ok(())
}

/// A new private-app token (shown once) and the hash the store keeps.
pub fn new_api_token() -> (String, String) {
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = format!("pat-hb1-{}", hex::encode(bytes));
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Light check that an address looks like one: something@something.tld,
/// with no blanks or control characters.
pub fn check_email(email: &str) -> Result<String, HubError> {
    let email = email.trim().to_lowercase();
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !email.contains(|c: char| c.is_whitespace() || c.is_control());
    if valid {
        Ok(email)
    } else {
        Err(HubError::field(
            "INVALID_EMAIL",
            "email",
            format!("{email:?} is not a valid email address"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("correct horse");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn scopes_follow_hubspot_names() {
        assert_eq!(
            object_scope(ObjectType::Deal, Access::Write),
            "crm.objects.deals.write"
        );
        assert_eq!(object_scope(ObjectType::Ticket, Access::Read), "tickets");
        assert!(require_scope(&all_scopes(), "crm.objects.contacts.read").is_ok());
        assert!(matches!(
            require_scope(&[], "tickets"),
            Err(HubError::MissingScopes { .. })
        ));
    }

    #[test]
    fn emails_hold_no_blanks_or_control_characters() {
        assert_eq!(check_email(" Ada@Example.com ").unwrap(), "ada@example.com");
        for bad in [
            "a\u{0}@x.example",
            "a@x.exam\u{7f}ple",
            "a\u{1b}[31m@x.example",
            "a b@x.example",
        ] {
            assert!(check_email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn tokens_hash_stably() {
        let (token, hash) = new_api_token();
        assert!(token.starts_with("pat-hb1-"));
        assert_eq!(hash_token(&token), hash);
    }
}
