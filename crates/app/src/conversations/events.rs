//! What a visitor's widget is told, as stored events with JSON payloads.
//! The widget reads these and nothing else: notes, Slack details and hub
//! ids other than the conversation's never appear here.

use hubbub_hub::conversation::{Author, Status};
use hubbub_store::Message;
use serde_json::json;

/// One thing the widget is told.
#[derive(Debug, Clone)]
pub enum WidgetEvent {
    /// A message the visitor sees: theirs, or an agent's (with the agent's
    /// name).
    Message {
        message: Message,
        agent_name: Option<String>,
    },
    /// An agent saw the visitor's messages up to this one.
    Seen { up_to: i64 },
    /// The conversation was closed or reopened, or its agent changed.
    Status {
        status: Status,
        agent_name: Option<String>,
    },
}

impl WidgetEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            WidgetEvent::Message { .. } => "message",
            WidgetEvent::Seen { .. } => "seen",
            WidgetEvent::Status { .. } => "status",
        }
    }

    pub fn payload(&self) -> String {
        match self {
            WidgetEvent::Message {
                message,
                agent_name,
            } => {
                let author = match message.author {
                    Author::Visitor => "visitor",
                    _ => "agent",
                };
                json!({
                    "id": message.id,
                    "author": author,
                    "name": agent_name,
                    "text": message.text,
                    "at": message.created_at,
                    "client_ref": message.client_ref,
                })
            }
            WidgetEvent::Seen { up_to } => json!({ "up_to": up_to }),
            WidgetEvent::Status { status, agent_name } => {
                json!({ "status": status.as_str(), "agent": agent_name })
            }
        }
        .to_string()
    }
}
