//! Slash commands a person types in a channel: Slack's built-in `/invite`
//! and `/remove` (also `/kick`) change the channel's members, `/archive`
//! archives it; any other command goes to the installed app that
//! registered it.

use serde::Deserialize;
use serde_json::{json, Value};

use super::app_call::{answer_body_json, answer_json};
use super::lookup::{actor, resolve_channel, Actor};
use super::membership::{self, ChannelMember, MembershipChange};
use super::outcome::{not_found, ActionError, ActionResult};
use super::payload::channel_name;
use super::responses::{new_response_url, show_message};
use crate::outbound;
use crate::sandbox::Sandbox;
use crate::state::{Channel, Ephemeral, State};

#[derive(Debug, Clone, Deserialize)]
pub struct SlashCommandInput {
    #[serde(default)]
    pub team: Option<String>,
    pub user: String,
    pub channel: String,
    /// `/hs`, with or without the slash.
    pub command: String,
    #[serde(default)]
    pub text: String,
}

/// A person types a slash command. Slack answers its own (`/invite`,
/// `/remove`, `/kick`); for an app's, a `trigger_id` (3 s) and a
/// `response_url` are made, the signed form is POSTed to the command's
/// URL, and the app's immediate answer is shown as Slack would (a JSON
/// message per its `response_type`, plain text as ephemeral, nothing for
/// an empty 200, an error for the person on failure).
pub async fn slash_command(sandbox: &Sandbox, input: SlashCommandInput) -> ActionResult {
    let command = format!("/{}", input.command.trim_start_matches('/'));
    if let Some(change) = built_in(&command) {
        return membership_command(sandbox, &input, &command, change);
    }
    if command == "/archive" {
        return archive_command(sandbox, &input);
    }
    let (app, url, form, channel, user, response_url, trigger_id) = {
        let mut state = sandbox.state();
        let (Actor { team_id, user }, channel) = in_channel(&state, &input)?;
        let (app, url) = state
            .apps
            .iter()
            .filter(|a| state.installation(&team_id, &a.app_id).is_some())
            .find_map(|a| {
                a.commands
                    .iter()
                    .find(|c| c.command == command)
                    .map(|c| (a.clone(), c.url.clone()))
            })
            .ok_or_else(|| {
                not_found("command").detail(format!("no installed app has {command}"))
            })?;
        let trigger_id = state.issue_trigger(&team_id, &user.id);
        let response_url = new_response_url(
            &mut state,
            &team_id,
            &channel.id,
            &user.id,
            &app.app_id,
            None,
        );
        let domain = state
            .team(&team_id)
            .map(|t| t.domain.clone())
            .unwrap_or_default();
        let form = vec![
            ("token", outbound::verification_token(&app)),
            ("team_id", team_id.clone()),
            ("team_domain", domain),
            ("channel_id", channel.id.clone()),
            ("channel_name", channel_name(&channel)),
            ("user_id", user.id.clone()),
            ("user_name", user.name.clone()),
            ("command", command.clone()),
            ("text", input.text.clone()),
            ("api_app_id", app.app_id.clone()),
            ("is_enterprise_install", "false".into()),
            ("response_url", response_url.clone()),
            ("trigger_id", trigger_id.clone()),
        ];
        (app, url, form, channel, user, response_url, trigger_id)
    };
    let body = serde_urlencoded::to_string(&form).unwrap_or_default();
    let answer = outbound::post_signed(
        sandbox,
        "slash_command",
        &url,
        "application/x-www-form-urlencoded",
        &body,
        &app.signing_secret,
        None,
    )
    .await;
    let mut shown = Value::Null;
    let mut effects = Vec::new();
    {
        let mut state = sandbox.state();
        let response_id = response_url
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        if let Some(reason) = answer.failure {
            let error = match reason {
                outbound::FailReason::HttpTimeout => "operation_timeout",
                outbound::FailReason::HttpError => "http_service_error",
                _ => "dispatch_failed",
            };
            let text = format!("{command} failed with the error \"{error}\"");
            shown = from_slackbot(&mut state, &channel, &user.id, &text);
            shown["error"] = json!(error);
        } else if !answer.body.trim().is_empty() {
            let message =
                answer_body_json(&answer).unwrap_or_else(|| json!({"text": answer.body.trim()}));
            match show_message(&mut state, &response_id, &message, &mut effects) {
                Ok(v) => shown = v,
                Err(e) => shown = json!({"error": e.error}),
            }
        }
    }
    outbound::deliver(sandbox, effects);
    Ok(json!({
        "ok": true,
        "command": command,
        "trigger_id": trigger_id,
        "response_url": response_url,
        "answer": answer_json(&answer),
        "shown": shown,
    }))
}

/// The channel a command is typed in, with who types it.
fn in_channel(state: &State, input: &SlashCommandInput) -> Result<(Actor, Channel), ActionError> {
    let actor = actor(state, input.team.as_deref(), &input.user)?;
    let channel = resolve_channel(state, &actor.team_id, &input.channel)?;
    Ok((actor, channel))
}

/// A message from Slackbot that only `user` sees: how Slack answers a
/// command it refuses. Returns it as the command's `shown`.
fn from_slackbot(state: &mut State, channel: &Channel, user: &str, text: &str) -> Value {
    let ts = state.next_ts();
    state.ephemerals.push(Ephemeral {
        channel: channel.id.clone(),
        user: user.to_owned(),
        ts: ts.clone(),
        text: text.to_owned(),
        blocks: None,
        thread_ts: None,
        app_id: None,
        replaced: false,
    });
    json!({"ephemeral": true, "ts": ts, "text": text})
}

/// Slack's own commands that change who is in the channel.
fn built_in(command: &str) -> Option<MembershipChange> {
    match command {
        "/invite" => Some(MembershipChange::Invite),
        "/remove" | "/kick" => Some(MembershipChange::Remove),
        _ => None,
    }
}

/// `/archive` typed in a channel archives it, as the person typing it
/// could in Slack; a refusal is told by Slackbot, only to them.
fn archive_command(sandbox: &Sandbox, input: &SlashCommandInput) -> ActionResult {
    let (Actor { team_id, user }, channel) = in_channel(&sandbox.state(), input)?;
    let by = membership::ArchiveChannel {
        team: Some(team_id),
        by: Some(user.id.clone()),
    };
    let shown = match membership::archive(sandbox, &channel.id, by) {
        Ok(_) => Value::Null,
        Err(e) => {
            let why = e.detail.as_deref().unwrap_or(&e.error).to_owned();
            let text = format!("/archive didn't work: {why} ({})", e.error);
            from_slackbot(&mut sandbox.state(), &channel, &user.id, &text)
        }
    };
    Ok(json!({"ok": true, "command": "/archive", "built_in": true, "shown": shown}))
}

/// `/invite @a @b` or `/remove @a` typed in a channel: each name is added
/// or removed as the person typing it could in Slack. What Slack refuses
/// is told by Slackbot, only to that person; the answer lists who changed
/// (`changed`) and what was shown (`shown`).
fn membership_command(
    sandbox: &Sandbox,
    input: &SlashCommandInput,
    command: &str,
    change: MembershipChange,
) -> ActionResult {
    let (Actor { team_id, user }, channel) = in_channel(&sandbox.state(), input)?;
    let names: Vec<&str> = input.text.split_whitespace().collect();
    let mut changed = Vec::new();
    let mut refusals = Vec::new();
    for name in &names {
        let member = ChannelMember {
            team: Some(team_id.clone()),
            user: (*name).to_owned(),
            by: Some(user.id.clone()),
        };
        match membership::change_membership(sandbox, &channel.id, member, change) {
            Ok(done) => changed.push(done["user"].clone()),
            Err(e) => refusals.push(format!(
                "{} ({})",
                e.detail.as_deref().unwrap_or(&e.error),
                e.error
            )),
        }
    }
    if names.is_empty() {
        refusals.push(format!("Usage: {command} @name"));
    }
    let shown = if refusals.is_empty() {
        Value::Null
    } else {
        let text = format!("{command} didn't work: {}", refusals.join(" "));
        from_slackbot(&mut sandbox.state(), &channel, &user.id, &text)
    };
    Ok(json!({
        "ok": true,
        "command": command,
        "built_in": true,
        "changed": changed,
        "shown": shown,
    }))
}
