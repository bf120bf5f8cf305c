//! Conversations: a website visitor's chat with the team, in an inbox.
//! The rules that hold wherever a message comes from (the widget, the
//! hub's inbox page, a Slack thread, the API): what a message may hold,
//! which replies stay private, what a conversation's status may be.

use crate::HubError;

/// Longest message accepted, in characters (the widget's box and a Slack
/// thread reply alike; Slack's own limit for a message's text is 40,000,
/// but a chat message this long is a paste gone wrong).
pub const MAX_MESSAGE_CHARS: usize = 5_000;

/// Longest visitor name kept, in characters.
pub const MAX_VISITOR_NAME_CHARS: usize = 100;

/// Where a conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Open,
    Closed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s.to_ascii_lowercase().as_str() {
            "open" => Some(Status::Open),
            "closed" => Some(Status::Closed),
            _ => None,
        }
    }
}

/// Who wrote a message, and so who sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Author {
    /// The website visitor.
    Visitor,
    /// A hub user answering the visitor: the visitor sees it.
    Agent,
    /// A hub user's private note: only the team sees it.
    Note,
}

impl Author {
    pub fn as_str(self) -> &'static str {
        match self {
            Author::Visitor => "visitor",
            Author::Agent => "agent",
            Author::Note => "note",
        }
    }

    pub fn parse(s: &str) -> Option<Author> {
        match s {
            "visitor" => Some(Author::Visitor),
            "agent" => Some(Author::Agent),
            "note" => Some(Author::Note),
            _ => None,
        }
    }

    /// Whether the visitor sees messages of this kind.
    pub fn is_visible_to_visitor(self) -> bool {
        !matches!(self, Author::Note)
    }
}

/// How far an agent's message to the visitor got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Delivery {
    /// Stored, not yet confirmed by the visitor's widget.
    Sent,
    /// The visitor's widget has it.
    Delivered,
    /// The visitor has seen it (the chat was open and in view).
    Seen,
    /// It could not reach the visitor (the reason is kept beside it).
    Failed,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Sent => "sent",
            Delivery::Delivered => "delivered",
            Delivery::Seen => "seen",
            Delivery::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Delivery> {
        match s {
            "sent" => Some(Delivery::Sent),
            "delivered" => Some(Delivery::Delivered),
            "seen" => Some(Delivery::Seen),
            "failed" => Some(Delivery::Failed),
            _ => None,
        }
    }
}

/// The prefixes that keep a reply from Slack (or the hub's box) private.
const NOTE_PREFIXES: [&str; 2] = ["note:", "private:"];

/// What an agent's reply is: for the visitor, or a private note (when it
/// begins with `note:` or `private:`, whatever the case), and its text
/// without the prefix.
pub fn classify_reply(text: &str) -> (Author, &str) {
    let trimmed = text.trim_start();
    for prefix in NOTE_PREFIXES {
        let head = trimmed.get(..prefix.len());
        if head.is_some_and(|h| h.eq_ignore_ascii_case(prefix)) {
            return (Author::Note, trimmed[prefix.len()..].trim());
        }
    }
    (Author::Agent, text.trim())
}

/// The message's text, trimmed, or why it cannot be sent.
pub fn checked_text(text: &str) -> Result<&str, HubError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(HubError::field(
            "REQUIRED",
            "text",
            "A message needs some text.",
        ));
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(HubError::field(
            "TOO_LONG",
            "text",
            format!("A message has at most {MAX_MESSAGE_CHARS} characters."),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Err(HubError::field(
            "INVALID_TEXT",
            "text",
            "A message may not hold control characters.",
        ));
    }
    Ok(text)
}

/// A visitor's name as given on the pre-chat form: trimmed, on one line,
/// cut to [`MAX_VISITOR_NAME_CHARS`]; `None` when blank.
pub fn visitor_name(name: &str) -> Option<String> {
    let one_line: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let name = one_line.split_whitespace().collect::<Vec<_>>().join(" ");
    (!name.is_empty()).then(|| name.chars().take(MAX_VISITOR_NAME_CHARS).collect())
}

/// HubSpot's actor ids: `V-` a visitor, `A-` an agent (a hub user).
pub fn visitor_actor_id(visitor_id: i64) -> String {
    format!("V-{visitor_id}")
}

pub fn agent_actor_id(user_id: i64) -> String {
    format!("A-{user_id}")
}

/// The hub user an `A-…` actor id names.
pub fn parse_agent_actor_id(actor: &str) -> Option<i64> {
    actor.strip_prefix("A-")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_beginning_with_note_or_private_stays_private() {
        assert_eq!(
            classify_reply("note: call back"),
            (Author::Note, "call back")
        );
        assert_eq!(classify_reply("  PRIVATE:  vip"), (Author::Note, "vip"));
        assert_eq!(classify_reply("Private:x"), (Author::Note, "x"));
        assert_eq!(
            classify_reply("notes are here"),
            (Author::Agent, "notes are here")
        );
        assert_eq!(
            classify_reply("a note: later"),
            (Author::Agent, "a note: later")
        );
        assert_eq!(classify_reply("ü"), (Author::Agent, "ü"));
    }

    #[test]
    fn messages_are_checked() {
        assert!(checked_text("  ").is_err());
        assert!(checked_text(&"a".repeat(MAX_MESSAGE_CHARS + 1)).is_err());
        assert!(checked_text("bell\u{7}").is_err());
        assert_eq!(checked_text(" hi\nthere\t ").unwrap(), "hi\nthere");
    }

    #[test]
    fn visitor_names_are_one_line() {
        assert_eq!(
            visitor_name("  Ada \n Lovelace "),
            Some("Ada Lovelace".into())
        );
        assert_eq!(visitor_name(" \t"), None);
        assert_eq!(
            visitor_name(&"x".repeat(300)).unwrap().len(),
            MAX_VISITOR_NAME_CHARS
        );
    }

    #[test]
    fn actor_ids_round_trip() {
        assert_eq!(parse_agent_actor_id(&agent_actor_id(7)), Some(7));
        assert_eq!(parse_agent_actor_id(&visitor_actor_id(7)), None);
        assert_eq!(parse_agent_actor_id("A-x"), None);
    }
}
