//! The hub's error vocabulary. The web layer maps each variant onto HubSpot's
//! error body; nothing here knows about HTTP.

use thiserror::Error;

/// One problem with one input field, reported beside the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub message: String,
    /// HubSpot's machine-readable code, e.g. `PROPERTY_DOESNT_EXIST`.
    pub code: &'static str,
    /// The property (or request field) the problem is about.
    pub field: Option<String>,
}

impl FieldError {
    pub fn new(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code,
            field: Some(field.into()),
        }
    }
}

#[derive(Debug, Error, PartialEq)]
pub enum HubError {
    #[error("{message}")]
    Validation {
        message: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{message}")]
    MissingScopes {
        message: String,
        missing: Vec<String>,
    },
    #[error("{0}")]
    Forbidden(String),
    #[error("Authentication credentials not found or invalid.")]
    Unauthenticated,
}

impl HubError {
    pub fn invalid(message: impl Into<String>) -> Self {
        HubError::Validation {
            message: message.into(),
            errors: Vec::new(),
        }
    }

    /// A validation failure made of field errors; the summary lists them all.
    pub fn fields(errors: Vec<FieldError>) -> Self {
        let message = errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        HubError::Validation { message, errors }
    }

    pub fn field(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::fields(vec![FieldError::new(code, field, message)])
    }
}

pub type HubResult<T> = Result<T, HubError>;
