//! The visitor's side: the widget of an inbox, on a website the inbox
//! allows, writes and reads one visitor's conversation. A visitor is who
//! holds the secret they were given with their first message; nothing
//! here reads another visitor's conversation.

use hubbub_hub::auth::{check_email, hash_token};
use hubbub_hub::conversation::{checked_text, visitor_name, Author, Delivery, Status};
use hubbub_hub::{HubError, ObjectType};
use hubbub_store::{
    add_message_on, advance_delivery_on, change_conversation_on, create_visitor_on,
    identify_visitor_on, latest_conversation_on, open_conversation_on, visitor_by_token_on,
    Conversation, Inbox, Message, NewMessage, Visitor,
};
use serde_json::{json, Map, Value};

use super::events::WidgetEvent;
use crate::records::RecordInput;
use crate::{Actor, App, Result};

/// An inbox, as its widget's key finds it.
#[derive(Debug, Clone)]
pub struct WidgetInbox {
    pub inbox: Inbox,
    /// The websites allowed to embed the widget, besides the hub itself.
    pub allowed_origins: Vec<String>,
}

/// Why the widget's request was refused. Nothing was changed.
#[derive(Debug, Clone, PartialEq)]
pub enum WidgetRefused {
    /// No inbox has that key.
    UnknownKey,
    /// The page embedding the widget is not on a website the inbox allows.
    OriginNotAllowed,
    /// The visitor's secret is unknown, or the conversation is not theirs.
    NotYours,
    /// Bad input: what is wrong, for the visitor.
    Invalid(String),
}

/// What the pre-chat form gave, with the page the visitor wrote from.
#[derive(Debug, Clone, Default)]
pub struct FirstContact {
    pub name: Option<String>,
    pub email: Option<String>,
    pub page_url: Option<String>,
}

/// A visitor's message, stored.
#[derive(Debug, Clone)]
pub struct VisitorWrote {
    pub visitor: Visitor,
    pub conversation: Conversation,
    pub message: Message,
    /// The widget sent it before (its answer was lost): stored then.
    pub repeated: bool,
}

/// Whether `secret` can be a widget's visitor secret: at least 128 bits,
/// as hex (the widget makes 256 with the browser's crypto).
fn is_visitor_secret(secret: &str) -> bool {
    (32..=128).contains(&secret.len()) && secret.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The longest page address kept.
const MAX_PAGE_URL_CHARS: usize = 2_000;

impl WidgetInbox {
    /// Whether a page at `origin` may use the widget: the hub's own pages
    /// and the inbox's allowed websites. A request without an `Origin`
    /// (not from a browser's script) is refused: the widget always sends
    /// one.
    pub fn allows_origin(&self, hub_origin: &str, origin: Option<&str>) -> bool {
        let Some(origin) = origin.map(|o| o.trim_end_matches('/')) else {
            return false;
        };
        origin.eq_ignore_ascii_case(hub_origin.trim_end_matches('/'))
            || self
                .allowed_origins
                .iter()
                .any(|allowed| allowed.trim_end_matches('/').eq_ignore_ascii_case(origin))
    }
}

impl App {
    /// The inbox whose widget key this is.
    pub async fn widget_inbox(&self, key: &str) -> Result<Result<WidgetInbox, WidgetRefused>> {
        Ok(match self.store().inbox_by_public_key(key.trim()).await? {
            Some((inbox, allowed_origins)) => Ok(WidgetInbox {
                inbox,
                allowed_origins,
            }),
            None => Err(WidgetRefused::UnknownKey),
        })
    }

    /// The inbox's visitor who holds `secret`, if they wrote before.
    pub async fn widget_visitor(
        &self,
        widget: &WidgetInbox,
        secret: &str,
    ) -> Result<Result<Visitor, WidgetRefused>> {
        if !is_visitor_secret(secret) {
            return Ok(Err(WidgetRefused::NotYours));
        }
        Ok(self
            .store()
            .visitor_by_token(widget.inbox.id, &hash_token(secret))
            .await?
            .ok_or(WidgetRefused::NotYours))
    }

    /// The visitor's conversation (their latest), if they have one.
    pub async fn visitor_conversation(&self, visitor: &Visitor) -> Result<Option<Conversation>> {
        Ok(self.store().latest_conversation(visitor.id).await?)
    }

    /// A visitor writes. `secret` is the widget's own random secret for
    /// this visitor, and `client_ref` its id for this message: sent again
    /// after a lost answer, the same message is stored once. The first
    /// message makes the visitor, finds or creates their contact and opens
    /// the conversation; a message to a closed conversation reopens it.
    /// The message is stored before this returns.
    pub async fn visitor_writes(
        &self,
        widget: &WidgetInbox,
        secret: &str,
        client_ref: Option<&str>,
        first: &FirstContact,
        text: &str,
    ) -> Result<Result<VisitorWrote, WidgetRefused>> {
        if !is_visitor_secret(secret) {
            return Ok(Err(WidgetRefused::Invalid(
                "The chat's visitor key is missing or malformed; reload the page.".to_owned(),
            )));
        }
        let text = match checked_text(text) {
            Ok(text) => text,
            Err(e) => return Ok(Err(WidgetRefused::Invalid(e.to_string()))),
        };
        let email = match first.email.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(email) => match check_email(email) {
                Ok(email) => Some(email),
                Err(_) => {
                    return Ok(Err(WidgetRefused::Invalid(
                        "That email address does not look right.".to_owned(),
                    )))
                }
            },
        };
        let name = first.name.as_deref().and_then(visitor_name);
        let client_ref = client_ref.map(|r| r.chars().take(64).collect::<String>());
        let account_id = widget.inbox.account_id;
        let token_hash = hash_token(secret);
        let known = self
            .store()
            .visitor_by_token(widget.inbox.id, &token_hash)
            .await?;
        let contact_id = match &known {
            Some(v) if v.contact_id.is_some() && email.is_none() => v.contact_id,
            _ => Some(
                self.visitor_contact(account_id, name.as_deref(), email.as_deref())
                    .await?,
            ),
        };
        let posts = self
            .inbox_posts_to_slack(account_id, widget.inbox.id)
            .await?;
        let now = self.now();
        let mut tx = self.store().begin_write().await?;
        // Read again on the transaction: the same visitor's first messages
        // from two tabs at once make one visitor (the writer is one at a
        // time on SQLite; on PostgreSQL the unique index refuses the
        // second, whose retry from the widget then finds the first).
        let visitor = match visitor_by_token_on(&mut tx, widget.inbox.id, &token_hash).await? {
            Some(v) => v,
            None => {
                create_visitor_on(
                    &mut tx,
                    account_id,
                    widget.inbox.id,
                    &token_hash,
                    name.as_deref(),
                    email.as_deref(),
                    now,
                )
                .await?
            }
        };
        identify_visitor_on(
            &mut tx,
            visitor.id,
            name.as_deref(),
            email.as_deref(),
            contact_id,
        )
        .await?;
        let visitor = Visitor {
            name: name.or(visitor.name),
            email: email.or(visitor.email),
            contact_id: contact_id.or(visitor.contact_id),
            ..visitor
        };
        let page_url: Option<String> = first
            .page_url
            .as_deref()
            .map(|u| u.chars().take(MAX_PAGE_URL_CHARS).collect());
        let conversation = match latest_conversation_on(&mut tx, visitor.id).await? {
            Some(c) if c.status == Status::Closed => {
                let (c, _) = change_conversation_on(
                    &mut tx,
                    account_id,
                    c.id,
                    Some(Status::Open),
                    None,
                    now,
                )
                .await?;
                self.tell_widget_on(
                    &mut tx,
                    c.id,
                    &WidgetEvent::Status {
                        status: Status::Open,
                        agent_name: None,
                    },
                )
                .await?;
                c
            }
            Some(c) => c,
            None => open_conversation_on(&mut tx, &visitor, page_url.as_deref(), now).await?,
        };
        let (message, added) = add_message_on(
            &mut tx,
            account_id,
            conversation.id,
            &NewMessage {
                author: Author::Visitor,
                user_id: None,
                text,
                via: "widget",
                slack_ts: None,
                post_to_slack: posts || conversation.thread.is_some(),
                client_ref: client_ref.as_deref(),
            },
            now,
        )
        .await?;
        if !added {
            // Sent again after a lost answer: already stored, told and
            // queued for Slack.
            tx.rollback().await?;
            return Ok(Ok(VisitorWrote {
                visitor,
                conversation,
                message,
                repeated: true,
            }));
        }
        self.tell_widget_on(
            &mut tx,
            conversation.id,
            &WidgetEvent::Message {
                message: message.clone(),
                agent_name: None,
            },
        )
        .await?;
        self.sync_thread_on(&mut tx, &conversation, posts).await?;
        tx.commit().await?;
        self.after_conversation_change(conversation.id);
        Ok(Ok(VisitorWrote {
            visitor,
            conversation,
            message,
            repeated: false,
        }))
    }

    /// The visitor's widget has the agents' messages up to `delivered`,
    /// and the visitor has seen those up to `seen`.
    pub async fn visitor_acknowledges(
        &self,
        visitor: &Visitor,
        conversation_id: i64,
        delivered: Option<i64>,
        seen: Option<i64>,
    ) -> Result<Result<(), WidgetRefused>> {
        let conversation = match self.visitors_conversation(visitor, conversation_id).await? {
            Ok(c) => c,
            Err(refused) => return Ok(Err(refused)),
        };
        let mut tx = self.store().begin_write().await?;
        let mut moved = Vec::new();
        for (up_to, delivery) in [(delivered, Delivery::Delivered), (seen, Delivery::Seen)] {
            if let Some(up_to) = up_to {
                moved.extend(advance_delivery_on(&mut tx, conversation.id, up_to, delivery).await?);
            }
        }
        if !moved.is_empty() {
            self.sync_thread_on(&mut tx, &conversation, false).await?;
        }
        tx.commit().await?;
        if !moved.is_empty() {
            self.wake_worker();
        }
        Ok(Ok(()))
    }

    /// The conversation, when it is the visitor's.
    pub async fn visitors_conversation(
        &self,
        visitor: &Visitor,
        conversation_id: i64,
    ) -> Result<Result<Conversation, WidgetRefused>> {
        match self
            .store()
            .conversation(visitor.account_id, conversation_id)
            .await
        {
            Ok(c) if c.visitor_id == visitor.id => Ok(Ok(c)),
            Ok(_) | Err(hubbub_store::StoreError::Hub(HubError::NotFound(_))) => {
                Ok(Err(WidgetRefused::NotYours))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The contact a visitor is: the one with their email, or a new one.
    async fn visitor_contact(
        &self,
        account_id: i64,
        name: Option<&str>,
        email: Option<&str>,
    ) -> Result<i64> {
        if let Some(email) = email {
            if let Some(id) = self
                .store()
                .record_id_by_unique_value(account_id, ObjectType::Contact, email)
                .await?
            {
                return Ok(id);
            }
        }
        let mut properties = Map::new();
        let (first, last) = match name.map(|n| n.split_once(' ').unwrap_or((n, ""))) {
            Some((first, last)) => (first.to_owned(), last.to_owned()),
            None => ("Website visitor".to_owned(), String::new()),
        };
        properties.insert("firstname".into(), json!(first));
        if !last.is_empty() {
            properties.insert("lastname".into(), json!(last));
        }
        if let Some(email) = email {
            properties.insert("email".into(), Value::String(email.to_owned()));
        }
        let actor = Actor::WebChat { account_id };
        let records = self.records(&actor, ObjectType::Contact, hubbub_hub::auth::Access::Write);
        let created = records
            .await?
            .create(vec![RecordInput {
                properties,
                links: Vec::new(),
            }])
            .await;
        match created {
            Ok(mut records) => Ok(records.remove(0).id),
            // Two first messages with the same new email at once: the
            // other one made the contact.
            Err(crate::Error::Refused(HubError::Conflict(_))) if email.is_some() => Ok(self
                .store()
                .record_id_by_unique_value(account_id, ObjectType::Contact, email.unwrap_or(""))
                .await?
                .ok_or_else(|| HubError::Conflict("the contact could not be found".into()))?),
            Err(e) => Err(e),
        }
    }
}
