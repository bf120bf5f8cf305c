//! Slack's rate limits (being written).

use crate::api::{ApiError, Args, Caller, MethodSpec};
use crate::state::State;

/// `ratelimited` when this call goes over its method's limit.
pub fn check(_state: &mut State, _spec: &MethodSpec, _caller: Option<&Caller>, _args: &Args) -> Result<(), ApiError> {
    Ok(())
}
