//! What several methods read from their arguments alike: the channel a
//! call names, as the caller may see it, and message timestamps.

use super::request::{ApiError, Args, Caller};
use crate::state::{Channel, State};

/// The channel named by `key` that the caller can see, or
/// `channel_not_found` (private channels and DMs the caller is not in do
/// not exist for it).
pub(super) fn visible_channel(
    state: &State,
    caller: &Caller,
    key: &str,
    args: &Args,
) -> Result<Channel, ApiError> {
    let wanted = args.str(key).ok_or(ApiError::slack("channel_not_found"))?;
    let channel = state
        .channel_by_id_or_name(caller.team_id(), wanted)
        .ok_or(ApiError::slack("channel_not_found"))?;
    if !state.can_see_channel(channel, &caller.token.user_id) {
        return Err(ApiError::slack("channel_not_found"));
    }
    Ok(channel.clone())
}

/// A message `ts` (or bare seconds) as a sortable (seconds, micros).
pub(super) fn ts_key(ts: &str) -> Option<(u64, u32)> {
    let (secs, frac) = ts.split_once('.').unwrap_or((ts, ""));
    let secs: u64 = secs.parse().ok()?;
    if frac.len() > 6 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let micros = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<6}").parse().ok()?
    };
    Some((secs, micros))
}
