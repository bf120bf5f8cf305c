//! Channel membership changed by people: someone invites a person or an
//! app's bot user into a channel (`/invite @name`), or removes them
//! (`/remove @name`). Slack then sends `member_joined_channel` or
//! `member_left_channel` to the apps in the channel, and `channel_left`
//! (`group_left` for a private channel) to the app whose bot user was
//! removed.

use serde::Deserialize;
use serde_json::json;

use super::lookup::{bot_of, resolve_channel, resolve_team, resolve_user};
use super::outcome::{bad, ActionError, ActionResult};
use super::payload::action_ts;
use crate::events::{joined_event, left_event};
use crate::outbound::{self, Effect};
use crate::sandbox::Sandbox;
use crate::state::{Channel, State, User};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipChange {
    Invite,
    Remove,
}

/// `POST /control/invite`: the channel in the body.
#[derive(Debug, Clone, Deserialize)]
pub struct Invite {
    #[serde(default)]
    pub team: Option<String>,
    pub channel: String,
    /// The person (or the app's bot user) who joins.
    pub user: String,
    #[serde(default, alias = "by")]
    pub inviter: Option<String>,
}

/// `POST /control/channels/{id}/invite` and `…/remove`.
#[derive(Debug, Clone, Deserialize)]
pub struct ChannelMember {
    #[serde(default)]
    pub team: Option<String>,
    /// Who joins or leaves: an id, a handle or display name (`@maria`,
    /// `@Hubbub`), or an app's id or name for its bot user.
    pub user: String,
    /// Who invites or removes them; when given, Slack's rules for that
    /// person apply.
    #[serde(default)]
    pub by: Option<String>,
}

/// Someone is added to a channel: `member_joined_channel`. Inviting an
/// app's bot user is how a person adds the app to a channel.
pub fn invite(sandbox: &Sandbox, input: Invite) -> ActionResult {
    let member = ChannelMember {
        team: input.team,
        user: input.user,
        by: input.inviter,
    };
    change_membership(sandbox, &input.channel, member, MembershipChange::Invite)
}

/// Adds `member.user` to a channel (by id or name), or removes them, as
/// `member.by` would in Slack. Answers the channel and the user's id.
pub fn change_membership(
    sandbox: &Sandbox,
    channel: &str,
    member: ChannelMember,
    change: MembershipChange,
) -> ActionResult {
    let changed = {
        let mut state = sandbox.state();
        let team_id = resolve_team(&state, member.team.as_deref())?;
        let channel = resolve_channel(&state, &team_id, channel)?;
        let target = find_member(&state, &team_id, &member.user)?;
        let by = match &member.by {
            Some(by) => Some(resolve_user(&state, &team_id, by)?),
            None => None,
        };
        match change {
            MembershipChange::Invite => add(&mut state, &channel, &target, by.as_ref())?,
            MembershipChange::Remove => remove(&mut state, &channel, &target, by.as_ref())?,
        }
    };
    let Changed {
        ids: (channel, user),
        effects,
    } = changed;
    outbound::deliver(sandbox, effects);
    Ok(json!({"ok": true, "channel": channel, "user": user}))
}

/// What a change sends, and to whom it happened.
struct Changed {
    ids: (String, String),
    effects: Vec<Effect>,
}

/// `POST /control/channels/{id}/archive`: who archives it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ArchiveChannel {
    #[serde(default)]
    pub team: Option<String>,
    /// The person archiving; when given, Slack's rules for them apply
    /// (only members archive a channel).
    #[serde(default)]
    pub by: Option<String>,
}

/// Someone archives a channel: nobody can post in it any more (Slack
/// answers `is_archived`), its members stay, and the apps hear of it:
/// `channel_archive` (with `user`, sent to every app reading public
/// channels), or `group_archive` for a private channel (to its members).
pub fn archive(sandbox: &Sandbox, channel: &str, input: ArchiveChannel) -> ActionResult {
    let effect = {
        let mut state = sandbox.state();
        let team_id = resolve_team(&state, input.team.as_deref())?;
        let channel = resolve_channel(&state, &team_id, channel)?;
        let by = match &input.by {
            Some(by) => Some(resolve_user(&state, &team_id, by)?),
            None => None,
        };
        if channel.is_im {
            return Err(bad("method_not_supported_for_channel_type")
                .detail("A direct message cannot be archived."));
        }
        if channel.is_archived {
            return Err(bad("already_archived").detail("This channel is archived already."));
        }
        if !channel.is_private && channel.name == "general" {
            return Err(refused(
                403,
                "cant_archive_general",
                "#general cannot be archived.".into(),
            ));
        }
        if let Some(by) = &by {
            if !channel.members.contains(&by.id) {
                return Err(refused(
                    403,
                    "not_in_channel",
                    "Only members of a channel can archive it.".into(),
                ));
            }
        }
        let archived = {
            let c = state.channel_mut(&channel.id).expect("resolved above");
            c.is_archived = true;
            c.clone()
        };
        let mut event = json!({
            "type": if archived.is_private { "group_archive" } else { "channel_archive" },
            "channel": archived.id,
            "is_moving": 0,
            "event_ts": action_ts(),
        });
        if let (Some(by), false) = (&by, archived.is_private) {
            event["user"] = json!(by.id);
        }
        Effect::Event {
            team_id: archived.team_id.clone(),
            event,
        }
    };
    let channel_id = match &effect {
        Effect::Event { event, .. } => event["channel"].clone(),
        Effect::AppEvent { .. } => json!(null),
    };
    outbound::deliver(sandbox, vec![effect]);
    Ok(json!({"ok": true, "channel": channel_id}))
}

/// A live person or bot user of the workspace as typed after `/invite`:
/// `@handle` or `@Display Name` (either case), `<@U…>`, an id, or an app's
/// id or name for its bot user.
fn find_member(state: &State, team_id: &str, typed: &str) -> Result<User, ActionError> {
    let typed = typed.trim();
    let mention = typed
        .strip_prefix("<@")
        .and_then(|m| m.strip_suffix('>'))
        .map(|m| m.split('|').next().unwrap_or(m));
    let wanted = mention.unwrap_or_else(|| typed.strip_prefix('@').unwrap_or(typed));
    let unknown = || {
        ActionError::new(404, "user_not_found")
            .detail(format!("No one called {typed} is in this workspace."))
    };
    if wanted.is_empty() {
        return Err(unknown());
    }
    let person = state.users.iter().find(|u| {
        u.team_id == team_id
            && !u.deleted
            && (u.id == wanted
                || u.name.eq_ignore_ascii_case(wanted)
                || u.display_name.eq_ignore_ascii_case(wanted))
    });
    if let Some(user) = person {
        return Ok(user.clone());
    }
    state
        .apps
        .iter()
        .find(|a| a.app_id == wanted || a.name.eq_ignore_ascii_case(wanted))
        .and_then(|a| bot_of(state, team_id, &a.app_id))
        .and_then(|(bot_user_id, _)| state.user(&bot_user_id).filter(|u| !u.deleted))
        .cloned()
        .ok_or_else(unknown)
}

fn handle(user: &User) -> String {
    format!("@{}", user.name)
}

fn refused(status: u16, error: &str, text: String) -> ActionError {
    ActionError::new(status, error).detail(text)
}

fn add(
    state: &mut State,
    channel: &Channel,
    target: &User,
    by: Option<&User>,
) -> Result<Changed, ActionError> {
    if channel.is_im {
        return Err(bad("method_not_supported_for_channel_type")
            .detail("No one can be added to a direct message."));
    }
    if channel.is_archived {
        return Err(refused(
            403,
            "is_archived",
            "This channel is archived.".into(),
        ));
    }
    if let Some(by) = by {
        if channel.is_private && !channel.members.contains(&by.id) {
            return Err(refused(
                403,
                "not_in_channel",
                "Only members of a private channel can add people to it.".into(),
            ));
        }
        if by.id == target.id {
            return Err(refused(
                400,
                "cant_invite_self",
                "You are already in this channel.".into(),
            ));
        }
    }
    if channel.members.contains(&target.id) {
        return Err(refused(
            400,
            "already_in_channel",
            format!("{} is already in this channel.", handle(target)),
        ));
    }
    let joined = {
        let c = state.channel_mut(&channel.id).expect("resolved above");
        c.members.push(target.id.clone());
        c.clone()
    };
    Ok(Changed {
        ids: (channel.id.clone(), target.id.clone()),
        effects: vec![joined_event(&joined, &target.id, by.map(|b| b.id.as_str()))],
    })
}

/// Slack's defaults for who may remove whom: nobody leaves #general but
/// apps; in a private channel any member may remove others; in a public
/// one only admins may remove people, while any member may remove an app.
fn remove(
    state: &mut State,
    channel: &Channel,
    target: &User,
    by: Option<&User>,
) -> Result<Changed, ActionError> {
    if channel.is_im {
        return Err(bad("method_not_supported_for_channel_type")
            .detail("No one can be removed from a direct message."));
    }
    if let Some(by) = by {
        if by.id == target.id {
            return Err(refused(
                400,
                "cant_kick_self",
                "You can't remove yourself: leave the channel instead.".into(),
            ));
        }
        if !channel.members.contains(&by.id) {
            return Err(refused(
                403,
                "not_in_channel",
                "Only members of this channel can remove people from it.".into(),
            ));
        }
    }
    if !channel.members.contains(&target.id) {
        return Err(refused(
            400,
            "not_in_channel",
            format!("{} isn't in this channel.", handle(target)),
        ));
    }
    if !target.is_bot && channel.name == "general" && !channel.is_private {
        return Err(refused(
            403,
            "cant_kick_from_general",
            "No one can be removed from #general.".into(),
        ));
    }
    if let Some(by) = by {
        if !target.is_bot && !channel.is_private && !by.is_admin {
            return Err(refused(
                403,
                "restricted_action",
                "Only workspace admins can remove people from a public channel.".into(),
            ));
        }
    }
    let left = {
        let c = state.channel_mut(&channel.id).expect("resolved above");
        c.members.retain(|m| *m != target.id);
        c.clone()
    };
    let mut effects = vec![left_event(&left, &target.id)];
    if let Some(app_id) = &target.app_id {
        // The removed bot's app hears of it though it is no longer a member.
        let kind = if left.is_private {
            "group_left"
        } else {
            "channel_left"
        };
        let mut event = json!({"type": kind, "channel": left.id, "event_ts": action_ts()});
        if let Some(by) = by {
            event["actor_id"] = json!(by.id);
        }
        effects.push(Effect::AppEvent {
            team_id: left.team_id.clone(),
            app_id: app_id.clone(),
            event,
        });
    }
    Ok(Changed {
        ids: (channel.id.clone(), target.id.clone()),
        effects,
    })
}
