//! Injected faults (being written).

use crate::api::ApiError;
use crate::Sandbox;

/// The fault to answer a call of `method` with, if one applies; waits
/// first when a delay is set.
pub async fn check(_sandbox: &Sandbox, _method: &str) -> Option<ApiError> {
    None
}
