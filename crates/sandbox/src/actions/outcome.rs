//! What an action answers: the JSON of what happened, or why it was
//! refused (an HTTP status for the control API and Slack's error code).

use serde_json::Value;

/// A refused action: an HTTP status for the control API and Slack-style
/// error code.
#[derive(Debug, Clone)]
pub struct ActionError {
    pub status: u16,
    pub error: String,
    pub detail: Option<String>,
}

impl ActionError {
    pub fn new(status: u16, error: &str) -> ActionError {
        ActionError {
            status,
            error: error.to_owned(),
            detail: None,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> ActionError {
        self.detail = Some(detail.into());
        self
    }
}

pub type ActionResult = Result<Value, ActionError>;

pub(super) fn not_found(what: &str) -> ActionError {
    ActionError::new(404, &format!("{what}_not_found"))
}

pub(super) fn bad(error: &str) -> ActionError {
    ActionError::new(400, error)
}
