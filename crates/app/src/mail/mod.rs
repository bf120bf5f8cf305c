//! Mail: what the hub writes ([`messages`], one function per mail) and
//! how it leaves ([`Mailer`]: over SMTP with lettre when `HUBBUB_SMTP_URL`
//! is set, otherwise kept in the local mailbox, `/mailbox` in the web app).
//! Mail is enqueued in the transaction of the change that causes it and
//! delivered by the one worker ([`crate::jobs::Worker`]), which retries
//! failures with backoff and parks the hopeless where super admins see
//! them.

mod delivery;
pub mod messages;

pub use delivery::Mailer;

use hubbub_store::Mail;

use crate::{Actor, App, Permission, Result};

impl App {
    /// The account's newest mail the actor may read: everyone's for a
    /// super admin, otherwise only what is addressed to them.
    pub async fn mailbox(&self, actor: &Actor, limit: i64) -> Result<Vec<Mail>> {
        let to = if self.may(actor, Permission::ReadAllMail) {
            None
        } else {
            match actor.user() {
                Some(user) => Some(user.email.as_str()),
                None => return Ok(Vec::new()),
            }
        };
        Ok(self
            .store()
            .list_mail(actor.account_id(), to, limit)
            .await?)
    }

    /// One mail, when the actor may read it (others' are not found, as if
    /// absent).
    pub async fn mail(&self, actor: &Actor, id: i64) -> Result<Mail> {
        let mail = self.store().mail(actor.account_id(), id).await?;
        let own = actor
            .user()
            .is_some_and(|u| mail.to_address.eq_ignore_ascii_case(u.email.trim()));
        if own || self.may(actor, Permission::ReadAllMail) {
            Ok(mail)
        } else {
            Err(hubbub_hub::HubError::NotFound(format!("Mail {id} does not exist")).into())
        }
    }

    /// Puts a parked mail back in the queue, due at once.
    pub async fn retry_mail(&self, actor: &Actor, id: i64) -> Result<()> {
        self.authorize(actor, Permission::RetryMail).await?;
        self.store().retry_mail(actor.account_id(), id).await?;
        self.wake_worker();
        Ok(())
    }
}

/// How mail leaves the hub.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://user:pass@host:port`, `smtps://…` or
    /// `smtp://…?tls=required`; `None` keeps mail in the local mailbox.
    pub smtp_url: Option<String>,
    /// The From address.
    pub from: String,
}

impl MailConfig {
    /// `from` defaults to `hubbub@<host of public_url>`.
    pub fn new(smtp_url: Option<String>, from: Option<String>, public_url: &str) -> MailConfig {
        MailConfig {
            smtp_url,
            from: from.unwrap_or_else(|| default_from(public_url)),
        }
    }
}

/// `hubbub@<host of public_url>` (`hubbub@localhost` when it has none, or
/// an IPv6 address).
pub fn default_from(public_url: &str) -> String {
    let rest = public_url
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(public_url);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(authority);
    let host = if authority.starts_with('[') {
        // An IPv6 literal is no usable mail domain.
        ""
    } else {
        authority.split(':').next().unwrap_or("")
    };
    let host = if host.is_empty() { "localhost" } else { host };
    format!("hubbub@{host}")
}

/// Bad mail settings, found at start-up.
#[derive(Debug)]
pub enum MailSetupError {
    InvalidFrom(String),
    InvalidSmtpUrl(String),
}

impl std::error::Error for MailSetupError {}

impl std::fmt::Display for MailSetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailSetupError::InvalidFrom(e) => write!(f, "HUBBUB_MAIL_FROM is not an address: {e}"),
            MailSetupError::InvalidSmtpUrl(e) => write!(
                f,
                "HUBBUB_SMTP_URL is not smtp://user:pass@host:port or smtps://…: {e}"
            ),
        }
    }
}
