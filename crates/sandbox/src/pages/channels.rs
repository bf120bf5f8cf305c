//! A channel's page and a thread's page, and what a person does there:
//! post or reply (or type a slash command), react, click a message's
//! buttons, use an app's shortcuts (a message's "More actions" menu, and
//! the global ones beside the message box).

use std::fmt::Write as _;

use axum::extract::{Path, Query, State as AxumState};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use serde_json::Value;

use super::drafts::Drafts;
use super::forms::{actor, back_or_error, back_with, finish, interact, link_of, open_views, Act};
use super::layout::{
    channel_kind, channel_label, esc, layout, safe_back, url_enc, user_name, NotFound, PageQuery,
};
use super::render::Render;
use super::session::acting_user;
use crate::actions;
use crate::sandbox::Sandbox;
use crate::state::{AppConfig, AppShortcut, Channel, Message, ShortcutKind, State};

/// The channel a page is about, or the page saying it is not there.
fn find_channel<'s>(state: &'s State, id: &str) -> Result<&'s Channel, NotFound> {
    state.channel(id).ok_or(NotFound("Channel"))
}

/// `/channels/{id}`: the channel's messages (thread parents and replies
/// also sent to the channel), the person's ephemeral ones, and the
/// compose box.
pub(super) async fn channel_page(
    AxumState(sandbox): AxumState<Sandbox>,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, NotFound> {
    let state = sandbox.state();
    let me = acting_user(&state, &headers, &query);
    let channel = find_channel(&state, &id)?;
    let here = format!("/channels/{}", url_enc(&channel.id));
    let label = channel_label(&state, channel, me.as_ref());
    let mut body = format!(
        "<p><a href=\"/\">← Workspaces</a></p><h1>{}</h1><p class=\"meta\">{} · {} · {} members: {}</p>",
        esc(&label),
        esc(&channel.id),
        channel_kind(channel),
        channel.members.len(),
        esc(&channel.members.iter().map(|m| user_name(&state, m)).collect::<Vec<_>>().join(", "))
    );
    if !channel.topic.is_empty() {
        let _ = write!(body, "<p class=\"meta\">Topic: {}</p>", esc(&channel.topic));
    }
    let ctx = Render {
        state: &state,
        channel: &channel.id,
        me: me.as_ref(),
        back: &here,
        draft: None,
    };
    let mut shown = 0;
    for m in state
        .messages
        .iter()
        .filter(|m| m.channel == channel.id && !m.deleted)
        .filter(|m| {
            m.thread_ts.is_none() || m.thread_ts.as_deref() == Some(&m.ts) || m.reply_broadcast
        })
    {
        body.push_str(&ctx.message(m, true));
        shown += 1;
    }
    if let Some(me) = &me {
        for e in state
            .ephemerals
            .iter()
            .filter(|e| e.channel == channel.id && e.user == me.id && e.thread_ts.is_none())
        {
            body.push_str(&ctx.ephemeral(e));
            shown += 1;
        }
    }
    if shown == 0 {
        body.push_str("<p class=\"hint\">No messages yet.</p>");
    }
    body.push_str(&ctx.compose(None));
    body.push_str(&ctx.global_shortcuts());
    Ok(layout(&state, me.as_ref(), &here, &query, &label, &body).into_response())
}

/// `/channels/{id}/threads/{ts}`: a message and its replies.
pub(super) async fn thread_page(
    AxumState(sandbox): AxumState<Sandbox>,
    Path((id, ts)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, NotFound> {
    let state = sandbox.state();
    let me = acting_user(&state, &headers, &query);
    let channel = find_channel(&state, &id)?;
    let parent = state.message(&channel.id, &ts).ok_or(NotFound("Message"))?;
    let channel_url = format!("/channels/{}", url_enc(&channel.id));
    let here = format!("{channel_url}/threads/{}", url_enc(&ts));
    let label = channel_label(&state, channel, me.as_ref());
    let mut body = format!(
        "<p><a href=\"{channel_url}\">← {}</a></p><h1>Thread in {}</h1>",
        esc(&label),
        esc(&label)
    );
    let ctx = Render {
        state: &state,
        channel: &channel.id,
        me: me.as_ref(),
        back: &here,
        draft: None,
    };
    body.push_str(&ctx.message(parent, false));
    let replies: Vec<&Message> = state
        .messages
        .iter()
        .filter(|m| {
            m.channel == channel.id
                && !m.deleted
                && m.ts != ts
                && m.thread_ts.as_deref() == Some(ts.as_str())
        })
        .collect();
    let _ = write!(
        body,
        "<h2>{} {}</h2>",
        replies.len(),
        if replies.len() == 1 {
            "reply"
        } else {
            "replies"
        }
    );
    for m in replies {
        body.push_str(&ctx.message(m, false));
    }
    if let Some(me) = &me {
        for e in state.ephemerals.iter().filter(|e| {
            e.channel == channel.id
                && e.user == me.id
                && e.thread_ts.as_deref() == Some(ts.as_str())
        }) {
            body.push_str(&ctx.ephemeral(e));
        }
    }
    body.push_str(&ctx.compose(Some(&ts)));
    let title = format!("Thread in {label}");
    Ok(layout(&state, me.as_ref(), &here, &query, &title, &body).into_response())
}

#[derive(Deserialize)]
pub(super) struct Send {
    #[serde(default)]
    back: String,
    text: String,
    #[serde(default)]
    thread_ts: Option<String>,
    #[serde(default)]
    broadcast: Option<String>,
}

/// A message, a thread reply, or `/command text`.
pub(super) async fn send(
    AxumState(sandbox): AxumState<Sandbox>,
    Extension(drafts): Extension<Drafts>,
    Path(channel): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Send>,
) -> Result<Response, Redirect> {
    let actor = actor(&sandbox, &headers, &form.back)?;
    let text = form.text.trim();
    if text.starts_with('/') && form.thread_ts.is_none() {
        let (command, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        let input = actions::SlashCommandInput {
            team: Some(actor.team.clone()),
            user: actor.user.clone(),
            channel,
            command: command.to_owned(),
            text: rest.trim().to_owned(),
        };
        let before = open_views(&sandbox, &actor.user);
        let result = actions::slash_command(&sandbox, input).await;
        return Ok(match &result {
            Ok(answer) if answer["built_in"] == true => slack_answered(&form.back, text, answer),
            _ => {
                let done = format!("Sent {command}");
                finish(
                    &sandbox,
                    &drafts,
                    &actor.user,
                    &before,
                    &form.back,
                    &done,
                    &result,
                )
            }
        });
    }
    let result = actions::post_message(
        &sandbox,
        actions::PostMessage {
            team: Some(actor.team),
            user: actor.user,
            channel,
            text: form.text.clone(),
            thread_ts: form.thread_ts.clone().filter(|t| !t.is_empty()),
            reply_broadcast: form.broadcast.is_some(),
        },
    );
    Ok(back_or_error(&form.back, &result))
}

/// After one of Slack's own commands: what Slackbot answered shows in the
/// channel, only to the person; otherwise a note that it was done.
fn slack_answered(back: &str, typed: &str, answer: &Value) -> Response {
    if answer["shown"].is_null() {
        back_with(back, "notice", &format!("{typed}: done."))
    } else {
        Redirect::to(safe_back(back)).into_response()
    }
}

#[derive(Deserialize)]
pub(super) struct React {
    #[serde(default)]
    back: String,
    ts: String,
    name: String,
}

pub(super) async fn react(
    AxumState(sandbox): AxumState<Sandbox>,
    Path(channel): Path<String>,
    headers: HeaderMap,
    Form(form): Form<React>,
) -> Result<Response, Redirect> {
    let actor = actor(&sandbox, &headers, &form.back)?;
    let result = actions::react(
        &sandbox,
        actions::ReactionInput {
            team: Some(actor.team),
            user: actor.user,
            channel,
            ts: form.ts,
            name: form.name.trim().to_owned(),
        },
        true,
    );
    Ok(back_or_error(&form.back, &result))
}

/// A button (or select) in a message.
pub(super) async fn message_action(
    AxumState(sandbox): AxumState<Sandbox>,
    Extension(drafts): Extension<Drafts>,
    Path((channel, ts)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<Act>,
) -> Result<Response, Redirect> {
    let actor = actor(&sandbox, &headers, &form.back)?;
    let link = {
        let state = sandbox.state();
        let blocks = match state.message(&channel, &ts) {
            Some(m) => m.blocks.clone(),
            None => state
                .ephemerals
                .iter()
                .find(|e| e.channel == channel && e.ts == ts && e.user == actor.user)
                .and_then(|e| e.blocks.clone()),
        };
        blocks.and_then(|b| link_of(&b, &form.action_id, form.block_id.as_deref()))
    };
    let input = actions::Click {
        channel: Some(channel),
        ts: Some(ts),
        ..form.click(&actor)
    };
    let result = actions::click(&sandbox, input);
    if let Some(url) = link {
        // Slack opens the link whatever the app answers.
        let _ = result.await;
        return Ok(Redirect::to(&url).into_response());
    }
    Ok(interact(&sandbox, &drafts, &actor, &form.back, "Clicked", result).await)
}

/// The form of one shortcut in a menu.
#[derive(Deserialize)]
pub(super) struct UseShortcut {
    #[serde(default)]
    back: String,
    app: String,
    callback_id: String,
}

/// A message shortcut, from the message's "More actions" menu: the app
/// gets `message_action`, as through `/control/shortcut`.
pub(super) async fn message_shortcut(
    AxumState(sandbox): AxumState<Sandbox>,
    Extension(drafts): Extension<Drafts>,
    Path((channel, ts)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<UseShortcut>,
) -> Result<Response, Redirect> {
    let place = Some((channel, ts));
    use_shortcut(
        &sandbox,
        &drafts,
        &headers,
        form,
        ShortcutKind::Message,
        place,
    )
    .await
}

/// A global shortcut, from the menu beside the message box: the app gets
/// `shortcut`.
pub(super) async fn global_shortcut(
    AxumState(sandbox): AxumState<Sandbox>,
    Extension(drafts): Extension<Drafts>,
    Path(_channel): Path<String>,
    headers: HeaderMap,
    Form(form): Form<UseShortcut>,
) -> Result<Response, Redirect> {
    use_shortcut(
        &sandbox,
        &drafts,
        &headers,
        form,
        ShortcutKind::Global,
        None,
    )
    .await
}

async fn use_shortcut(
    sandbox: &Sandbox,
    drafts: &Drafts,
    headers: &HeaderMap,
    form: UseShortcut,
    kind: ShortcutKind,
    message: Option<(String, String)>,
) -> Result<Response, Redirect> {
    let actor = actor(sandbox, headers, &form.back)?;
    let name = sandbox
        .state()
        .app(&form.app)
        .and_then(|app| {
            app.shortcuts
                .iter()
                .find(|s| s.kind == kind && s.callback_id == form.callback_id)
        })
        .map(|s| s.name.clone());
    let Some(name) = name else {
        return Ok(back_with(
            &form.back,
            "error",
            "The app offers that shortcut no more.",
        ));
    };
    let (channel, ts) = message.unzip();
    let input = actions::Shortcut {
        team: Some(actor.team.clone()),
        user: actor.user.clone(),
        callback_id: form.callback_id,
        channel,
        ts,
        app: Some(form.app),
    };
    let result = actions::shortcut(sandbox, input);
    let done = format!("Used {name}");
    Ok(interact(sandbox, drafts, &actor, &form.back, &done, result).await)
}

impl Render<'_> {
    /// The apps installed where this page's channel is, and their
    /// shortcuts of `kind`, as the menus list them.
    fn shortcuts(&self, kind: ShortcutKind) -> Vec<(&AppConfig, &AppShortcut)> {
        let Some(team) = self.state.channel(self.channel).map(|c| &c.team_id) else {
            return Vec::new();
        };
        self.state
            .apps
            .iter()
            .filter(|app| self.state.installation(team, &app.app_id).is_some())
            .flat_map(|app| app.shortcuts.iter().map(move |s| (app, s)))
            .filter(|(_, s)| s.kind == kind)
            .collect()
    }

    /// One form per shortcut, posting to `action`.
    fn shortcut_forms(&self, action: &str, shortcuts: &[(&AppConfig, &AppShortcut)]) -> String {
        let mut html = String::new();
        for (app, s) in shortcuts {
            let _ = write!(
                html,
                "<form method=\"post\" action=\"{action}\" class=\"row\">{}<input type=\"hidden\" name=\"app\" value=\"{}\"><button name=\"callback_id\" value=\"{}\" title=\"{}\">{}</button><span class=\"meta\">{}</span></form>",
                self.hidden_back(),
                esc(&app.app_id),
                esc(&s.callback_id),
                esc(&s.description),
                esc(&s.name),
                esc(&app.name)
            );
        }
        html
    }

    /// A message's "More actions" menu (Slack's ⋮): the message shortcuts
    /// of the apps installed in the workspace.
    pub(super) fn more_actions(&self, m: &Message) -> String {
        let shortcuts = self.shortcuts(ShortcutKind::Message);
        if self.me.is_none() || shortcuts.is_empty() {
            return String::new();
        }
        let action = format!(
            "/channels/{}/messages/{}/shortcuts",
            url_enc(&m.channel),
            url_enc(&m.ts)
        );
        format!(
            "<details class=\"more-actions\"><summary>More actions</summary>{}</details>",
            self.shortcut_forms(&action, &shortcuts)
        )
    }

    /// The global shortcuts of the apps installed in the workspace (Slack
    /// lists them from the message box).
    fn global_shortcuts(&self) -> String {
        let shortcuts = self.shortcuts(ShortcutKind::Global);
        if self.me.is_none() || shortcuts.is_empty() {
            return String::new();
        }
        let action = format!("/channels/{}/shortcuts", url_enc(self.channel));
        format!(
            "<details class=\"shortcuts\"><summary>Shortcuts</summary>{}</details>",
            self.shortcut_forms(&action, &shortcuts)
        )
    }
}
