//! Outgoing email through a transactional outbox (`mail_outbox`).
//!
//! A change that must send mail enqueues it with [`enqueue_mail`] on the
//! connection of its own transaction, so the mail exists exactly when the
//! change does. The worker claims due mail ([`Store::claim_due_mail`]),
//! sends it and settles the attempt ([`Store::settle`]): sent, or failed
//! and retried with backoff until it is parked. With no SMTP server
//! configured the worker keeps mail locally instead; the outbox is then the
//! local mailbox.

use hubbub_hub::timestamp::{now_millis, Millis};
use hubbub_hub::HubError;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::outbox::{Claim, Outbox, PARKED, QUEUED};
use crate::{Store, StoreResult};

/// Where a mail stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailStatus {
    /// Waiting to be sent, or to be retried after a failure.
    Queued,
    Sent,
    /// No SMTP server is configured: kept in the local mailbox.
    Kept,
    /// Given up on after too many failures, or a permanent refusal.
    Parked,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Queued => QUEUED,
            MailStatus::Sent => "sent",
            MailStatus::Kept => "kept",
            MailStatus::Parked => PARKED,
        }
    }

    fn parse(s: &str) -> Result<MailStatus, sqlx::Error> {
        match s {
            QUEUED => Ok(MailStatus::Queued),
            "sent" => Ok(MailStatus::Sent),
            "kept" => Ok(MailStatus::Kept),
            PARKED => Ok(MailStatus::Parked),
            other => Err(sqlx::Error::Decode(
                format!("unknown mail status {other:?}").into(),
            )),
        }
    }
}

/// A mail in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    pub id: i64,
    pub account_id: i64,
    pub to_address: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: Option<String>,
    pub status: MailStatus,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: i64,
}

impl Mail {
    pub fn claim(&self) -> Claim {
        Claim {
            outbox: Outbox::Mail,
            id: self.id,
            attempts: self.attempts,
        }
    }
}

/// What enqueuing a mail takes.
#[derive(Debug, Clone, Default)]
pub struct NewMail {
    pub to_address: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: Option<String>,
}

const COLUMNS: &str = "id, account_id, to_address, subject, text_body, html_body, status, \
                       created_at, sent_at, attempts, last_error, next_attempt_at";

fn from_row(r: &AnyRow) -> Result<Mail, sqlx::Error> {
    let status: String = r.try_get(6)?;
    Ok(Mail {
        id: r.try_get(0)?,
        account_id: r.try_get(1)?,
        to_address: r.try_get(2)?,
        subject: r.try_get(3)?,
        text_body: r.try_get(4)?,
        html_body: r.try_get(5)?,
        status: MailStatus::parse(&status)?,
        created_at: r.try_get(7)?,
        sent_at: r.try_get(8)?,
        attempts: r.try_get(9)?,
        last_error: r.try_get(10)?,
        next_attempt_at: r.try_get(11)?,
    })
}

/// One address: `local@domain`, no spaces, no control characters (which
/// could inject headers).
pub(crate) fn check_mail(mail: &NewMail) -> StoreResult<()> {
    let to = mail.to_address.trim();
    let valid_address = to.len() <= 320
        && to
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
        && !to
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c));
    if !valid_address {
        return Err(
            HubError::invalid(format!("{:?} is not an email address", mail.to_address)).into(),
        );
    }
    if mail.subject.chars().any(|c| c.is_control()) {
        return Err(HubError::invalid("a mail subject is one line of text").into());
    }
    Ok(())
}

/// Enqueues a mail on `conn`, which may be inside the caller's transaction
/// (pass `&mut *tx`): the mail is then sent exactly when that transaction
/// commits. It is due at once.
pub async fn enqueue_mail(
    conn: &mut AnyConnection,
    account_id: i64,
    mail: &NewMail,
) -> StoreResult<i64> {
    check_mail(mail)?;
    let now = now_millis();
    Ok(sqlx::query_scalar(
        "INSERT INTO mail_outbox (account_id, to_address, subject, text_body, html_body, \
         status, created_at, attempts, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $7) RETURNING id",
    )
    .bind(account_id)
    .bind(mail.to_address.trim())
    .bind(&mail.subject)
    .bind(&mail.text_body)
    .bind(mail.html_body.as_deref())
    .bind(QUEUED)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

impl Store {
    /// Claims up to `limit` queued mails due at `now`, oldest due first
    /// (see `Store::claim_due`); the worker settles each ([`Store::settle`]).
    pub async fn claim_due_mail(&self, now: Millis, limit: i64) -> StoreResult<Vec<Mail>> {
        let rows = self.claim_due(Outbox::Mail, COLUMNS, now, limit).await?;
        let mut mails = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
        mails.sort_by_key(|m| m.id);
        Ok(mails)
    }

    /// Puts a parked mail back in the queue, due at once, with its attempts
    /// counted afresh.
    pub async fn retry_mail(&self, account_id: i64, id: i64) -> StoreResult<()> {
        if !self.requeue_parked(Outbox::Mail, account_id, id).await? {
            return Err(HubError::NotFound(format!("Parked mail {id} does not exist")).into());
        }
        Ok(())
    }

    /// The account's newest mail, or only that addressed to `to` (compared
    /// without regard to case), newest first.
    pub async fn list_mail(
        &self,
        account_id: i64,
        to: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<Mail>> {
        let rows = match to {
            Some(to) => {
                sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM mail_outbox WHERE account_id = $1 \
                     AND LOWER(to_address) = LOWER($2) ORDER BY id DESC LIMIT $3"
                ))
                .bind(account_id)
                .bind(to.trim())
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM mail_outbox WHERE account_id = $1 \
                     ORDER BY id DESC LIMIT $2"
                ))
                .bind(account_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
        };
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// One mail of the account; another account's is a 404.
    pub async fn mail(&self, account_id: i64, id: i64) -> StoreResult<Mail> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM mail_outbox WHERE id = $1 AND account_id = $2"
        ))
        .bind(id)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok(from_row(&r)?),
            None => Err(HubError::NotFound(format!("Mail {id} does not exist")).into()),
        }
    }
}
