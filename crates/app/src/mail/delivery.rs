//! Delivering one mail: over SMTP, or into the local mailbox.

use std::time::{Duration, SystemTime};

use hubbub_store::{Finished, Mail, Settlement};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{MailConfig, MailSetupError};

/// An SMTP exchange that takes longer than this fails (and is retried).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

enum Delivery {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Local,
}

/// How mail leaves the hub, from [`MailConfig`].
pub struct Mailer {
    delivery: Delivery,
    from: Mailbox,
    /// The domain of message ids.
    domain: String,
}

impl Mailer {
    pub fn new(config: &MailConfig) -> Result<Mailer, MailSetupError> {
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
            delivery,
            from,
            domain,
        })
    }

    /// Whether mail goes out over SMTP (otherwise it is kept locally).
    pub fn sends(&self) -> bool {
        matches!(self.delivery, Delivery::Smtp(_))
    }

    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// Delivers one claimed mail; says how its attempt ended.
    pub(crate) async fn deliver(&self, mail: &Mail) -> Settlement {
        let transport = match &self.delivery {
            Delivery::Local => return Settlement::Finished(Finished::Kept),
            Delivery::Smtp(transport) => transport,
        };
        let message = match self.message(mail) {
            Ok(message) => message,
            // A mail lettre cannot build will never go: park it.
            Err(e) => {
                return Settlement::Failed {
                    error: format!("cannot build the message: {e}"),
                    give_up: true,
                }
            }
        };
        match transport.send(message).await {
            Ok(_) => Settlement::Finished(Finished::Sent),
            Err(e) => Settlement::Failed {
                error: e.to_string(),
                give_up: e.is_permanent(),
            },
        }
    }

    /// The message for a mail: plain text, or plain text and HTML as
    /// alternatives; a message id that stays the same across retries.
    fn message(&self, mail: &Mail) -> Result<Message, String> {
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
}
