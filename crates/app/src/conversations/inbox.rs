//! The team's side: reading the inbox, answering visitors (or leaving a
//! private note), assigning, closing and reopening, from the hub's inbox
//! page, the API or a Slack thread, through the same checks.

use hubbub_hub::auth::Access;
use hubbub_hub::conversation::{checked_text, Author, Status};
use hubbub_hub::HubError;
use hubbub_store::{
    add_message_on, change_conversation_on, conversation_on, mark_seen_by_agent_on, AnyConnection,
    Conversation, ConversationFilter, Message, NewMail, NewMessage, User, Visitor,
};

use super::events::WidgetEvent;
use super::live::Typing;
use super::VISITOR_MAIL_DELAY_MS;
use crate::jobs::Job;
use crate::{Actor, App, Permission, Result};

/// Who sends a reply: the actor's own user, or (for an API token, which
/// is nobody) the agent the request names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplySender {
    Actor,
    Agent(i64),
}

/// An answer to the visitor, or a private note.
#[derive(Debug, Clone)]
pub struct Reply<'a> {
    pub text: &'a str,
    pub private: bool,
    pub sender: ReplySender,
    /// Set when it was typed in the conversation's Slack thread.
    pub slack_ts: Option<&'a str>,
}

/// How long the typing indicator shows after the last keystroke.
const TYPING_SHOWN_MS: i64 = 6_000;

impl App {
    /// The conversations the filter lets through.
    pub async fn conversations(
        &self,
        actor: &Actor,
        filter: &ConversationFilter,
        limit: i64,
    ) -> Result<Vec<Conversation>> {
        self.authorize(actor, Permission::Conversations(Access::Read))
            .await?;
        Ok(self
            .store()
            .conversations(actor.account_id(), filter, limit)
            .await?)
    }

    /// One conversation, with its visitor and every message (notes too).
    pub async fn conversation(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(Conversation, Visitor, Vec<Message>)> {
        self.authorize(actor, Permission::Conversations(Access::Read))
            .await?;
        let store = self.store();
        let conversation = store.conversation(actor.account_id(), id).await?;
        let visitor = store
            .visitor(actor.account_id(), conversation.visitor_id)
            .await?;
        let messages = store.messages(id, true).await?;
        Ok((conversation, visitor, messages))
    }

    /// A hub user has the conversation in front of them: the visitor's
    /// widget shows their messages as seen.
    pub async fn agent_sees(&self, actor: &Actor, id: i64) -> Result<()> {
        if actor.user().is_none() {
            return Ok(());
        }
        self.authorize(actor, Permission::Conversations(Access::Read))
            .await?;
        let mut tx = self.store().begin_write().await?;
        conversation_on(&mut tx, actor.account_id(), id).await?;
        let seen = mark_seen_by_agent_on(&mut tx, id, self.now()).await?;
        if let Some(&up_to) = seen.last() {
            self.tell_widget_on(&mut tx, id, &WidgetEvent::Seen { up_to })
                .await?;
        }
        tx.commit().await?;
        if !seen.is_empty() {
            self.live().push(id);
        }
        Ok(())
    }

    /// An agent answers the visitor or leaves a private note. The visitor's
    /// widget is told at once; the thread gets it through the outbox; a
    /// visitor who left an email and does not pick the answer up is
    /// mailed it.
    pub async fn reply(&self, actor: &Actor, id: i64, reply: &Reply<'_>) -> Result<Message> {
        let mut tx = self.store().begin_write().await?;
        let message = self.reply_on(&mut tx, actor, id, reply).await?;
        tx.commit().await?;
        self.live().typing(id, None);
        self.after_conversation_change(id);
        Ok(message)
    }

    /// [`App::reply`] on `conn`, inside the caller's transaction (a Slack
    /// event's, so that the event and the answer commit together). The
    /// caller calls [`App::after_conversation_change`] once it commits.
    pub(crate) async fn reply_on(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        reply: &Reply<'_>,
    ) -> Result<Message> {
        self.authorize(actor, Permission::Conversations(Access::Write))
            .await?;
        let account_id = actor.account_id();
        let text = checked_text(reply.text)?;
        let agent = self.reply_sender(actor, reply.sender).await?;
        let conversation = conversation_on(conn, account_id, id).await?;
        let posts = self
            .inbox_posts_to_slack(account_id, conversation.inbox_id)
            .await?;
        let author = if reply.private {
            Author::Note
        } else {
            Author::Agent
        };
        let now = self.now();
        let (message, _) = add_message_on(
            conn,
            account_id,
            id,
            &NewMessage {
                author,
                user_id: Some(agent.id),
                text,
                via: actor.via_name(),
                slack_ts: reply.slack_ts,
                post_to_slack: reply.slack_ts.is_none() && (posts || conversation.thread.is_some()),
                client_ref: None,
            },
            now,
        )
        .await?;
        if author == Author::Agent {
            self.tell_widget_on(
                conn,
                id,
                &WidgetEvent::Message {
                    message: message.clone(),
                    agent_name: Some(agent.display_name()),
                },
            )
            .await?;
            // Answering is seeing what was asked.
            let seen = mark_seen_by_agent_on(conn, id, now).await?;
            if let Some(&up_to) = seen.last() {
                self.tell_widget_on(conn, id, &WidgetEvent::Seen { up_to })
                    .await?;
            }
            Job::MailVisitor {
                conversation_id: id,
                message_id: message.id,
            }
            .enqueue_at_on(conn, account_id, now + VISITOR_MAIL_DELAY_MS)
            .await?;
        }
        self.sync_thread_on(conn, &conversation, posts || reply.slack_ts.is_some())
            .await?;
        Ok(message)
    }

    /// Assigns the conversation (`None` unassigns).
    pub async fn assign_conversation(
        &self,
        actor: &Actor,
        id: i64,
        assignee: Option<i64>,
    ) -> Result<Conversation> {
        if let Some(user_id) = assignee {
            let user = self.store().user(actor.account_id(), user_id).await?;
            if user.archived {
                return Err(HubError::invalid(format!(
                    "{} is deactivated, so cannot be assigned conversations.",
                    user.display_name()
                ))
                .into());
            }
        }
        self.change_conversation(actor, id, None, Some(assignee))
            .await
    }

    pub async fn close_conversation(&self, actor: &Actor, id: i64) -> Result<Conversation> {
        self.change_conversation(actor, id, Some(Status::Closed), None)
            .await
    }

    pub async fn reopen_conversation(&self, actor: &Actor, id: i64) -> Result<Conversation> {
        self.change_conversation(actor, id, Some(Status::Open), None)
            .await
    }

    async fn change_conversation(
        &self,
        actor: &Actor,
        id: i64,
        status: Option<Status>,
        assignee: Option<Option<i64>>,
    ) -> Result<Conversation> {
        self.authorize(actor, Permission::Conversations(Access::Write))
            .await?;
        let account_id = actor.account_id();
        let mut tx = self.store().begin_write().await?;
        let (conversation, changed) =
            change_conversation_on(&mut tx, account_id, id, status, assignee, self.now()).await?;
        if changed {
            let agent_name = match conversation.assignee_id {
                Some(user_id) => Some(self.store().user(account_id, user_id).await?.display_name()),
                None => None,
            };
            self.tell_widget_on(
                &mut tx,
                id,
                &WidgetEvent::Status {
                    status: conversation.status,
                    agent_name,
                },
            )
            .await?;
            self.sync_thread_on(&mut tx, &conversation, false).await?;
        }
        tx.commit().await?;
        if changed {
            self.after_conversation_change(id);
        }
        Ok(conversation)
    }

    /// An agent is typing an answer in the hub: the visitor's open widget
    /// shows it for a few seconds.
    pub async fn agent_typing(&self, actor: &Actor, id: i64) -> Result<()> {
        self.authorize(actor, Permission::Conversations(Access::Write))
            .await?;
        let conversation = self.store().conversation(actor.account_id(), id).await?;
        if let Some(user) = actor.user() {
            self.live().typing(
                conversation.id,
                Some(Typing {
                    name: user.display_name(),
                    until: self.now() + TYPING_SHOWN_MS,
                }),
            );
        }
        Ok(())
    }

    /// The hub user a reply is from.
    async fn reply_sender(&self, actor: &Actor, sender: ReplySender) -> Result<User> {
        let user = match (sender, actor.user()) {
            (ReplySender::Actor, Some(user)) => user.clone(),
            (ReplySender::Agent(id), _) => self.store().user(actor.account_id(), id).await?,
            (ReplySender::Actor, None) => return Err(HubError::invalid(
                "Say which agent sends the message: senderActorId must be an agent's id (A-123).",
            )
            .into()),
        };
        if user.archived {
            return Err(HubError::invalid(format!(
                "{} is deactivated, so cannot send messages.",
                user.display_name()
            ))
            .into());
        }
        Ok(user)
    }

    /// Job: an agent's answer that the visitor's widget did not pick up in
    /// time is mailed to them, when they left an email; otherwise it is
    /// marked failed, which the thread shows with the reason.
    pub(crate) async fn mail_visitor(
        &self,
        account_id: i64,
        conversation_id: i64,
        message_id: i64,
    ) -> Result<(), crate::jobs::JobError> {
        let store = self.store();
        let conversation = store.conversation(account_id, conversation_id).await?;
        let message = store.message(conversation_id, message_id).await?;
        if message.delivery != Some(hubbub_hub::conversation::Delivery::Sent) {
            return Ok(());
        }
        let visitor = store.visitor(account_id, conversation.visitor_id).await?;
        let mut tx = store.begin_write().await?;
        match visitor.email.as_deref() {
            Some(email) => {
                let mail = self
                    .visitor_mail(&conversation, &message, email, visitor.name.as_deref())
                    .await?;
                hubbub_store::enqueue_mail(&mut tx, account_id, &mail).await?;
            }
            None => {
                let failed =
                    hubbub_store::fail_delivery_on(&mut tx, conversation_id, message_id, UNREACHED)
                        .await?;
                if failed.is_some() {
                    self.sync_thread_on(&mut tx, &conversation, false).await?;
                }
            }
        }
        tx.commit().await?;
        self.wake_worker();
        Ok(())
    }

    /// The mail that brings an agent's answer to a visitor who went away.
    async fn visitor_mail(
        &self,
        conversation: &Conversation,
        message: &hubbub_store::Message,
        email: &str,
        visitor_name: Option<&str>,
    ) -> Result<NewMail> {
        let store = self.store();
        let account_id = conversation.account_id;
        let agent = match message.user_id {
            Some(id) => store.user(account_id, id).await?.display_name(),
            None => "The team".to_owned(),
        };
        let inbox = store.inbox(account_id, conversation.inbox_id).await?;
        Ok(crate::mail::messages::visitor_reply(
            email,
            visitor_name,
            &agent,
            &inbox.name,
            &message.text,
            conversation.page_url.as_deref(),
        ))
    }
}

/// Why an answer failed when its visitor left without an email.
const UNREACHED: &str = "the visitor left the chat before it arrived and gave no email to send it to. They will see it if they come back to the chat.";

impl Actor {
    /// Where a message was written, as stored.
    fn via_name(&self) -> &'static str {
        match self.via() {
            crate::Via::Hub => "hub",
            crate::Via::Slack => "slack",
            crate::Via::Api => "api",
            crate::Via::CommandLine => "command_line",
            crate::Via::WebChat => "widget",
        }
    }
}
