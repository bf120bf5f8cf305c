//! What a Web API call carries and how it fails: its arguments, the
//! caller, the context a method's handler works with, and Slack's errors.
//! Every method module, the dispatcher and the HTTP layer share these.

use serde_json::{json, Map, Value};

use crate::outbound::Effect;
use crate::state::{State, Token, TokenKind};

/// Arguments of a call. Form values are strings; JSON bodies may carry
/// objects (`blocks`, `view`) and numbers, which `Args` reads alike.
#[derive(Debug, Default, Clone)]
pub struct Args(pub Map<String, Value>);

impl Args {
    pub fn str(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// A required string argument, or Slack's error for a missing one.
    pub fn required(&self, key: &str, error: &'static str) -> Result<&str, ApiError> {
        self.str(key).ok_or(ApiError::slack(error))
    }

    /// `true`, `1` or a JSON true.
    pub fn flag(&self, key: &str) -> bool {
        match self.0.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s == "true" || s == "1",
            Some(Value::Number(n)) => n.as_i64() == Some(1),
            _ => false,
        }
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        match self.0.get(key) {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        }
    }

    /// A JSON argument given as an object/array or as a JSON string (form
    /// encoding). A string that is not JSON is `invalid_arguments`.
    pub fn json(&self, key: &str) -> Result<Option<Value>, ApiError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => serde_json::from_str(s)
                .map(Some)
                .map_err(|_| ApiError::slack("invalid_arguments")),
            Some(other) => Ok(Some(other.clone())),
        }
    }
}

/// Who is calling: the token's record, resolved and checked.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token: Token,
}

impl Caller {
    pub fn team_id(&self) -> &str {
        &self.token.team_id
    }

    pub fn is_bot(&self) -> bool {
        self.token.kind == TokenKind::Bot
    }
}

/// A failed call, answered the way Slack answers it.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// HTTP 200 with `{"ok": false, "error": …}` and any extra fields
    /// (`needed`/`provided` for `missing_scope`).
    Slack {
        error: String,
        extra: Map<String, Value>,
    },
    /// HTTP 429 with `Retry-After`.
    RateLimited { retry_after: u64 },
    /// A bare HTTP status (injected 5xx).
    Status(u16),
}

impl ApiError {
    pub fn slack(error: &str) -> ApiError {
        ApiError::Slack {
            error: error.to_owned(),
            extra: Map::new(),
        }
    }

    pub fn missing_scope(needed: &str, provided: &[String]) -> ApiError {
        let mut extra = Map::new();
        extra.insert("needed".into(), json!(needed));
        extra.insert("provided".into(), json!(provided.join(",")));
        ApiError::Slack {
            error: "missing_scope".into(),
            extra,
        }
    }
}

/// The successful part of an answer, without `ok`.
pub type ApiResult = Result<Map<String, Value>, ApiError>;

/// What a handler works with. Effects (events for the app) are collected
/// and delivered after the state lock is released.
pub struct Ctx<'a> {
    pub state: &'a mut State,
    pub caller: Option<Caller>,
    pub args: &'a Args,
    pub effects: Vec<Effect>,
}

impl Ctx<'_> {
    /// The authenticated caller (the dispatcher guarantees one for
    /// methods whose token rule is not `None`).
    pub fn caller(&self) -> &Caller {
        self.caller.as_ref().expect("method requires a token")
    }

    /// Fails with `missing_scope` unless the caller holds one of `scopes`.
    pub fn require_any(&self, scopes: &[&str]) -> Result<(), ApiError> {
        let granted = &self.caller().token.scopes;
        if scopes.iter().any(|s| granted.iter().any(|g| g == s)) {
            Ok(())
        } else {
            Err(ApiError::missing_scope(&scopes.join(","), granted))
        }
    }
}
