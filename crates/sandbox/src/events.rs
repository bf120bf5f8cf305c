//! Events API events that both the Web API methods and people's actions
//! send: any event about a channel, for the apps whose bot is in it, and a
//! member joining or leaving a channel. Built here, beneath both, so that
//! neither side imports the other.

use serde_json::{json, Value};

use crate::ids::now_secs;
use crate::outbound::Effect;
use crate::state::{Channel, State};

/// An Events API event about `channel`, when some installed app's bot is a
/// member there (the only apps Slack would tell).
pub(crate) fn channel_event(state: &State, channel: &Channel, event: Value) -> Option<Effect> {
    if state.installations_in_channel(channel).is_empty() {
        return None;
    }
    Some(Effect::Event {
        team_id: channel.team_id.clone(),
        event,
    })
}

/// `member_joined_channel` or `member_left_channel`, whose `channel_type`
/// is a letter: `C` for a public channel, `G` for a private one (the
/// sandbox makes private channels with `G` ids, as Slack did until 2021).
fn member_event(kind: &str, channel: &Channel, user: &str) -> Value {
    json!({
        "type": kind,
        "user": user,
        "channel": channel.id,
        "channel_type": if channel.is_private { "G" } else { "C" },
        "team": channel.team_id,
        "event_ts": format!("{:.6}", now_secs()),
    })
}

/// `member_joined_channel` for the apps in the channel (the joining bot's
/// own app included); `inviter` when someone else added them.
pub(crate) fn joined_event(channel: &Channel, user: &str, inviter: Option<&str>) -> Effect {
    let mut event = member_event("member_joined_channel", channel, user);
    if let Some(inviter) = inviter {
        event["inviter"] = json!(inviter);
    }
    Effect::Event {
        team_id: channel.team_id.clone(),
        event,
    }
}

/// `member_left_channel` for the apps still in the channel.
pub(crate) fn left_event(channel: &Channel, user: &str) -> Effect {
    Effect::Event {
        team_id: channel.team_id.clone(),
        event: member_event("member_left_channel", channel, user),
    }
}
