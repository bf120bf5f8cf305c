//! The mail worker: takes due mail from the outbox (`mail_outbox`, see
//! `hubbub_store::enqueue_mail`) and sends it over SMTP with lettre when
//! `HUBBUB_SMTP_URL` is set. Failures are retried with backoff and, past the
//! last attempt or on a permanent refusal, parked where super admins see them
//! on the mailbox page. Without an SMTP server the worker sends nothing: it
//! marks mail as kept in the local mailbox (`/mailbox`).

use std::time::{Duration, SystemTime};

use hubbub_hub::timestamp::now_millis;
use hubbub_store::{Mail, MailStatus, Store, StoreResult};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How many mails one pass claims.
const BATCH: i64 = 20;
/// How often the worker looks for due mail.
const POLL: Duration = Duration::from_secs(2);
/// An SMTP exchange that takes longer than this fails (and is retried).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

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

enum Delivery {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Local,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    pub kept: usize,
    pub failed: usize,
    pub parked: usize,
}

impl Pass {
    pub fn handled(&self) -> usize {
        self.sent + self.kept + self.failed + self.parked
    }
}

/// Sends due mail from the outbox.
pub struct Mailer {
    store: Store,
    delivery: Delivery,
    from: Mailbox,
    /// The domain of message ids.
    domain: String,
}

impl Mailer {
    pub fn new(store: Store, config: &MailConfig) -> Result<Mailer, MailSetupError> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| MailSetupError::InvalidFrom(format!("{}: {e}", config.from)))?;
        let domain = from.email.domain().to_owned();
        let delivery = match &config.smtp_url {
            Some(url) => Delivery::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    // The error names the URL's problem, never its password.
                    .map_err(|e| MailSetupError::InvalidSmtpUrl(e.to_string()))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
            ),
            None => Delivery::Local,
        };
        Ok(Mailer {
            store,
            delivery,
            from,
            domain,
        })
    }

    /// Whether mail goes out over SMTP (otherwise it is kept locally).
    pub fn sends(&self) -> bool {
        matches!(self.delivery, Delivery::Smtp(_))
    }

    /// Handles the mail due at `now` (epoch ms), one batch after another
    /// until none is due.
    pub async fn deliver_due(&self, now: i64) -> StoreResult<Pass> {
        let mut pass = Pass::default();
        loop {
            let batch = self.store.claim_due_mail(now, BATCH).await?;
            if batch.is_empty() {
                return Ok(pass);
            }
            for mail in batch {
                // A mail whose outcome cannot be recorded is claimed again
                // when its lease runs out.
                if let Err(e) = self.deliver(&mail, now, &mut pass).await {
                    tracing::error!(mail_id = mail.id, error = %e, "cannot record a mail's outcome");
                }
            }
        }
    }

    async fn deliver(&self, mail: &Mail, now: i64, pass: &mut Pass) -> StoreResult<()> {
        let transport = match &self.delivery {
            Delivery::Local => {
                self.store.mark_mail_kept(mail.id, now).await?;
                pass.kept += 1;
                return Ok(());
            }
            Delivery::Smtp(transport) => transport,
        };
        let outcome = match self.message(mail) {
            // A mail lettre cannot build will never go: park it.
            Err(e) => Err((format!("cannot build the message: {e}"), true)),
            Ok(message) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| (e.to_string(), e.is_permanent())),
        };
        match outcome {
            Ok(()) => {
                self.store.mark_mail_sent(mail.id, now_millis()).await?;
                tracing::info!(mail_id = mail.id, "mail sent");
                pass.sent += 1;
            }
            Err((error, permanent)) => {
                let status = self
                    .store
                    .mark_mail_failed(mail.id, &error, permanent, now)
                    .await?;
                tracing::warn!(mail_id = mail.id, attempts = mail.attempts, %error, parked = (status == MailStatus::Parked), "mail not sent");
                if status == MailStatus::Parked {
                    pass.parked += 1;
                } else {
                    pass.failed += 1;
                }
            }
        }
        Ok(())
    }

    /// The message for a mail: plain text, or plain text and HTML as
    /// alternatives; a message id that stays the same across retries.
    pub fn message(&self, mail: &Mail) -> Result<Message, String> {
        let to: Mailbox = mail.to_address.parse().map_err(|e| format!("{e}"))?;
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!(
                "<hubbub.mail.{}.{}@{}>",
                mail.id, mail.created_at, self.domain
            )))
            .date(
                SystemTime::UNIX_EPOCH
                    + Duration::from_millis(u64::try_from(mail.created_at).unwrap_or(0)),
            );
        let built = match &mail.html_body {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                mail.text_body.clone(),
                html.clone(),
            )),
            None => builder.singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(mail.text_body.clone()),
            ),
        };
        built.map_err(|e| e.to_string())
    }

    /// Delivers due mail every couple of seconds, for ever (the server
    /// aborts the task when it stops; a mail cut off mid-send is claimed
    /// again when its lease runs out).
    pub async fn run(self) {
        tracing::info!(
            delivery = if self.sends() { "smtp" } else { "local mailbox" },
            from = %self.from,
            "mail worker started"
        );
        loop {
            if let Err(e) = self.deliver_due(now_millis()).await {
                tracing::error!(error = %e, "mail worker pass failed");
            }
            tokio::time::sleep(POLL).await;
        }
    }
}
