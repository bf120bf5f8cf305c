//! Calls from the sandbox to an app, the way Slack makes them (being
//! written: events with retries, signing).

use serde_json::Value;

use crate::Sandbox;

/// Something a Web API call or a person's action causes the sandbox to
/// send to an app once the state lock is released.
#[derive(Debug, Clone)]
pub enum Effect {
    /// An Events API event (`message`, `reaction_added`, …) for the apps
    /// installed in `team_id` that subscribe to it.
    Event { team_id: String, event: Value },
}

/// Sends effects in the background.
pub fn deliver(_sandbox: &Sandbox, _effects: Vec<Effect>) {}
