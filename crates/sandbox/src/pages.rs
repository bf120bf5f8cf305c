//! A plain web page onto the sandbox, so that a person trying the demo can
//! play the Slack side: it lists workspaces, people and channels, shows
//! messages and threads with Block Kit rendered readably, and lets the
//! person, acting as one of the sandbox's users, post, reply, react, type
//! slash commands, click buttons and fill in modals. Every action goes
//! through the same functions as the control API (`crate::actions`).
//!
//! Rendering happens on the server; everything shown is HTML-escaped. The
//! user acted as is chosen with a picker and kept in a cookie
//! (`sandbox_user`); `?as=U…` on any page overrides it.

use std::fmt::Write as _;

use axum::extract::{Path, Query, State as AxumState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use serde_json::Value;

use crate::state::{Channel, Message, State, User, View};
use crate::Sandbox;

const COOKIE: &str = "sandbox_user";

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/", get(index))
        .route("/as", post(choose_user))
        .route("/channels/{id}", get(channel_page))
        .route("/channels/{id}/threads/{ts}", get(thread_page))
        .route("/views", get(views_page))
        .merge(forms::routes())
}

/// `?as=` and `?error=` on any page.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(rename = "as")]
    pub as_user: Option<String>,
    pub error: Option<String>,
    pub notice: Option<String>,
}

/// HTML-escapes text for element content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a path segment or query value.
pub fn url_enc(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

const STYLE: &str = r#"
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d1c1d; background: #f8f8f8; }
header { background: #3f0e40; color: #fff; padding: .6em 1.2em; display: flex; gap: 1.5em; align-items: center; flex-wrap: wrap; }
header a { color: #fff; }
header form { margin: 0; }
main { max-width: 60em; margin: 0 auto; padding: 1em 1.2em 3em; }
a { color: #1264a3; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; } td, th { padding: .2em .8em .2em 0; text-align: left; vertical-align: top; }
.msg { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: .6em .8em; margin: .5em 0; }
.msg.ephemeral { border-style: dashed; background: #fbfbf0; }
.meta { color: #616061; font-size: .85em; }
.author { font-weight: 600; }
.block { margin: .35em 0; }
.header-block { font-size: 1.15em; font-weight: 700; }
.context { color: #616061; font-size: .85em; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: .2em 1em; }
.attachment { border-left: 4px solid #ddd; padding-left: .6em; margin: .4em 0; }
.reactions span { display: inline-block; border: 1px solid #ddd; border-radius: 1em; padding: 0 .5em; margin-right: .3em; font-size: .85em; }
button, .button { font: inherit; padding: .2em .8em; border: 1px solid #bbb; border-radius: 4px; background: #fff; cursor: pointer; }
button.primary { background: #007a5a; color: #fff; border-color: #007a5a; }
button.danger { background: #e01e5a; color: #fff; border-color: #e01e5a; }
.inline { display: inline; }
.row { display: flex; gap: .5em; align-items: center; flex-wrap: wrap; margin: .3em 0; }
.modal { background: #fff; border: 1px solid #ccc; border-radius: 8px; padding: 1em 1.2em; margin: 1em 0; max-width: 36em; }
.modal label { display: block; font-weight: 600; margin-top: .7em; }
.hint { color: #616061; font-size: .85em; }
.error { background: #fde8ee; border: 1px solid #e01e5a; padding: .5em .8em; border-radius: 4px; }
.notice { background: #e8f5fa; border: 1px solid #1264a3; padding: .5em .8em; border-radius: 4px; }
input[type=text], textarea, select { font: inherit; padding: .2em .4em; }
textarea.compose { width: 100%; box-sizing: border-box; }
code, pre { background: #f4f4f4; border: 1px solid #e3e3e3; border-radius: 3px; padding: 0 .2em; }
pre { padding: .4em; white-space: pre-wrap; }
img.accessory { float: right; max-width: 72px; max-height: 72px; border-radius: 4px; }
"#;

/// The page frame: header with the user picker, flash messages, content.
fn layout(
    state: &State,
    me: Option<&User>,
    back: &str,
    query: &PageQuery,
    title: &str,
    body: &str,
) -> Html<String> {
    let mut html = String::new();
    let _ = write!(
        html,
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{} · Slack sandbox</title><style>{STYLE}</style></head><body><header><a href=\"/\"><b>Slack sandbox</b></a>",
        esc(title)
    );
    if let Some(me) = me {
        let open = state
            .views
            .iter()
            .filter(|v| v.user_id == me.id && !v.closed)
            .count();
        let _ = write!(html, "<a href=\"/views\">Open modals ({open})</a>");
    }
    html.push_str(&user_picker(state, me, back));
    html.push_str("</header><main>");
    if let Some(error) = &query.error {
        let _ = write!(html, "<p class=\"error\">{}</p>", esc(error));
    }
    if let Some(notice) = &query.notice {
        let _ = write!(html, "<p class=\"notice\">{}</p>", esc(notice));
    }
    html.push_str(body);
    html.push_str("</main></body></html>");
    Html(html)
}

fn user_picker(state: &State, me: Option<&User>, back: &str) -> String {
    let mut html = format!(
        "<form method=\"post\" action=\"/as\" class=\"row\"><input type=\"hidden\" name=\"back\" value=\"{}\"><label>Acting as <select name=\"user\"><option value=\"\">(nobody: read only)</option>",
        esc(back)
    );
    for team in &state.teams {
        let _ = write!(html, "<optgroup label=\"{}\">", esc(&team.name));
        for u in state
            .users
            .iter()
            .filter(|u| u.team_id == team.id && !u.is_bot && !u.deleted)
        {
            let selected = if me.is_some_and(|m| m.id == u.id) {
                " selected"
            } else {
                ""
            };
            let _ = write!(
                html,
                "<option value=\"{}\"{selected}>{} (@{})</option>",
                esc(&u.id),
                esc(&u.real_name),
                esc(&u.name)
            );
        }
        html.push_str("</optgroup>");
    }
    html.push_str("</select></label> <button>Switch</button></form>");
    html
}

/// The user the person acts as: `?as=` first, then the cookie.
fn acting_user(state: &State, headers: &HeaderMap, query: &PageQuery) -> Option<User> {
    let id = query.as_user.clone().or_else(|| cookie(headers, COOKIE))?;
    state.user(&id).filter(|u| !u.is_bot && !u.deleted).cloned()
}

pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

#[derive(Deserialize)]
struct ChooseUser {
    user: String,
    #[serde(default)]
    back: String,
}

/// Only local paths are redirected to.
fn safe_back(back: &str) -> &str {
    if back.starts_with('/') && !back.starts_with("//") {
        back
    } else {
        "/"
    }
}

async fn choose_user(Form(form): Form<ChooseUser>) -> Response {
    let mut response = Redirect::to(safe_back(&form.back)).into_response();
    let value = if form.user.is_empty() {
        format!("{COOKIE}=; Path=/; Max-Age=0; SameSite=Lax")
    } else {
        format!("{COOKIE}={}; Path=/; SameSite=Lax", url_enc(&form.user))
    };
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

fn channel_kind(c: &Channel) -> &'static str {
    if c.is_im {
        "direct message"
    } else if c.is_private {
        "private"
    } else {
        "public"
    }
}

/// `#name`, `🔒name` or the DM's other people.
fn channel_label(state: &State, c: &Channel, me: Option<&User>) -> String {
    if c.is_im {
        let others: Vec<String> = c
            .members
            .iter()
            .filter(|m| c.members.len() == 1 || me.is_none_or(|me| me.id != **m))
            .map(|m| user_name(state, m))
            .collect();
        format!("DM: {}", others.join(", "))
    } else if c.is_private {
        format!("🔒 {}", c.name)
    } else {
        format!("#{}", c.name)
    }
}

fn user_name(state: &State, id: &str) -> String {
    state
        .user(id)
        .map(|u| {
            if u.display_name.is_empty() {
                u.name.clone()
            } else {
                u.display_name.clone()
            }
        })
        .unwrap_or_else(|| id.to_owned())
}

async fn index(
    AxumState(sandbox): AxumState<Sandbox>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Html<String> {
    let state = sandbox.state();
    let me = acting_user(&state, &headers, &query);
    let mut body = String::from("<h1>Workspaces</h1>");
    if me.is_none() {
        body.push_str("<p class=\"hint\">Choose whom to act as (top right) to post, reply, react, click buttons and fill in modals.</p>");
    }
    for team in &state.teams {
        let _ = write!(
            body,
            "<h2>{} <span class=\"meta\">{} · {}.slack.com</span></h2>",
            esc(&team.name),
            esc(&team.id),
            esc(&team.domain)
        );
        body.push_str(
            "<table><tr><th>Channel</th><th>Kind</th><th>Members</th><th>Messages</th></tr>",
        );
        let mut channels: Vec<&Channel> = state
            .channels
            .iter()
            .filter(|c| c.team_id == team.id)
            .collect();
        channels.sort_by_key(|c| (c.is_im, c.is_private, c.name.clone()));
        for c in channels {
            let count = state
                .messages
                .iter()
                .filter(|m| m.channel == c.id && !m.deleted)
                .count();
            let archived = if c.is_archived { " (archived)" } else { "" };
            let _ = write!(
                body,
                "<tr><td><a href=\"/channels/{}\">{}</a>{archived}</td><td>{}</td><td>{}</td><td>{count}</td></tr>",
                url_enc(&c.id),
                esc(&channel_label(&state, c, me.as_ref())),
                channel_kind(c),
                c.members.len()
            );
        }
        body.push_str("</table>");
        body.push_str("<h3>People</h3><table><tr><th>Name</th><th>Handle</th><th>Email</th><th>Role</th><th>Id</th></tr>");
        for u in state.users.iter().filter(|u| u.team_id == team.id) {
            let role = if u.is_bot {
                "app (bot)"
            } else if u.is_owner {
                "owner"
            } else if u.is_admin {
                "admin"
            } else {
                "member"
            };
            let gone = if u.deleted { " (deactivated)" } else { "" };
            let _ = write!(
                body,
                "<tr><td>{}{gone}</td><td>@{}</td><td>{}</td><td>{role}</td><td><code>{}</code></td></tr>",
                esc(&u.real_name),
                esc(&u.name),
                esc(&u.email),
                esc(&u.id)
            );
        }
        body.push_str("</table>");
        let apps: Vec<String> = state
            .installations
            .iter()
            .filter(|i| i.team_id == team.id && i.active)
            .map(|i| {
                state
                    .app(&i.app_id)
                    .map(|a| a.name.clone())
                    .unwrap_or_else(|| i.app_id.clone())
            })
            .collect();
        let _ = write!(
            body,
            "<p class=\"meta\">Installed apps: {}</p>",
            if apps.is_empty() {
                "none".to_owned()
            } else {
                esc(&apps.join(", "))
            }
        );
    }
    layout(&state, me.as_ref(), "/", &query, "Workspaces", &body)
}

fn not_found(what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(format!(
            "<!doctype html><p>{} not found. <a href=\"/\">Back</a></p>",
            esc(what)
        )),
    )
        .into_response()
}

async fn channel_page(
    AxumState(sandbox): AxumState<Sandbox>,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let state = sandbox.state();
    let me = acting_user(&state, &headers, &query);
    let Some(channel) = state.channel(&id) else {
        return not_found("Channel");
    };
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
    layout(&state, me.as_ref(), &here, &query, &label, &body).into_response()
}

async fn thread_page(
    AxumState(sandbox): AxumState<Sandbox>,
    Path((id, ts)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let state = sandbox.state();
    let me = acting_user(&state, &headers, &query);
    let Some(channel) = state.channel(&id) else {
        return not_found("Channel");
    };
    let Some(parent) = state.message(&channel.id, &ts) else {
        return not_found("Message");
    };
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
    layout(
        &state,
        me.as_ref(),
        &here,
        &query,
        &format!("Thread in {label}"),
        &body,
    )
    .into_response()
}

async fn views_page(
    AxumState(sandbox): AxumState<Sandbox>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let state = sandbox.state();
    let me = acting_user(&state, &headers, &query);
    let mut body =
        String::from("<p><a href=\"/\">← Workspaces</a></p><h1>Open modals and App Home</h1>");
    let Some(me_user) = me.as_ref() else {
        body.push_str("<p class=\"hint\">Choose whom to act as to see their modals.</p>");
        return layout(&state, None, "/views", &query, "Modals", &body).into_response();
    };
    let views: Vec<&View> = state
        .views
        .iter()
        .filter(|v| v.user_id == me_user.id && !v.closed)
        .collect();
    if views.is_empty() {
        body.push_str("<p class=\"hint\">No open modal. Apps open one in answer to a slash command or a button.</p>");
    }
    let ctx = Render {
        state: &state,
        channel: "",
        me: me.as_ref(),
        back: "/views",
    };
    // The newest first: it is the one on top of a modal stack.
    for v in views.iter().rev() {
        body.push_str(&ctx.view(v));
    }
    layout(&state, me.as_ref(), "/views", &query, "Modals", &body).into_response()
}

/// What rendering a message or view needs to know.
struct Render<'a> {
    state: &'a State,
    /// The channel shown ("" for views).
    channel: &'a str,
    me: Option<&'a User>,
    /// The page to come back to after a form.
    back: &'a str,
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Object(o) => o
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    }
}

/// A ts as a UTC clock time.
fn ts_time(ts: &str) -> String {
    let secs = ts
        .split('.')
        .next()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(0);
    match time::OffsetDateTime::from_unix_timestamp(secs) {
        Ok(t) => t
            .format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
            ))
            .unwrap_or_default(),
        Err(_) => ts.to_owned(),
    }
}

impl Render<'_> {
    fn hidden_back(&self) -> String {
        format!(
            "<input type=\"hidden\" name=\"back\" value=\"{}\">",
            esc(self.back)
        )
    }

    fn author(&self, m: &Message) -> String {
        if let Some(name) = &m.username {
            return name.clone();
        }
        user_name(self.state, &m.user)
    }

    fn message(&self, m: &Message, in_channel: bool) -> String {
        let mut html = String::from("<div class=\"msg\">");
        let app = if m.bot_id.is_some() {
            " <span class=\"meta\">APP</span>"
        } else {
            ""
        };
        let edited = if m.edited_ts.is_some() {
            " (edited)"
        } else {
            ""
        };
        let _ = write!(
            html,
            "<div><span class=\"author\">{}</span>{app} <span class=\"meta\">{} · ts {}{edited}</span></div>",
            esc(&self.author(m)),
            ts_time(&m.ts),
            esc(&m.ts)
        );
        if m.reply_broadcast && m.thread_ts.as_deref().is_some_and(|t| t != m.ts) {
            html.push_str(
                "<div class=\"meta\">replied to a thread (also sent to the channel)</div>",
            );
        }
        html.push_str(&self.content(
            &m.text,
            m.blocks.as_ref(),
            m.attachments.as_ref(),
            Some(&m.ts),
        ));
        if !m.reactions.is_empty() {
            html.push_str("<div class=\"reactions\">");
            for r in &m.reactions {
                let who: Vec<String> = r.users.iter().map(|u| user_name(self.state, u)).collect();
                let _ = write!(
                    html,
                    "<span title=\"{}\">:{}: {}</span>",
                    esc(&who.join(", ")),
                    esc(&r.name),
                    r.users.len()
                );
            }
            html.push_str("</div>");
        }
        let is_parent = m.thread_ts.is_none() || m.thread_ts.as_deref() == Some(&m.ts);
        if in_channel && is_parent {
            let replies = self
                .state
                .messages
                .iter()
                .filter(|r| {
                    r.channel == m.channel
                        && !r.deleted
                        && r.ts != m.ts
                        && r.thread_ts.as_deref() == Some(m.ts.as_str())
                })
                .count();
            let link = format!(
                "/channels/{}/threads/{}",
                url_enc(&m.channel),
                url_enc(&m.ts)
            );
            let text = match replies {
                0 => "Reply in thread".to_owned(),
                1 => "1 reply".to_owned(),
                n => format!("{n} replies"),
            };
            let _ = write!(html, "<div class=\"row\"><a href=\"{link}\">{text}</a>");
            html.push_str(&self.reaction_form(&m.ts));
            html.push_str("</div>");
        } else {
            html.push_str("<div class=\"row\">");
            html.push_str(&self.reaction_form(&m.ts));
            html.push_str("</div>");
        }
        html.push_str("</div>");
        html
    }

    fn ephemeral(&self, e: &crate::state::Ephemeral) -> String {
        let author = e
            .app_id
            .as_deref()
            .and_then(|a| self.state.app(a))
            .map(|a| a.name.clone())
            .unwrap_or_else(|| "Slackbot".into());
        let mut html = format!(
            "<div class=\"msg ephemeral\"><div><span class=\"author\">{}</span> <span class=\"meta\">{} · only visible to you</span></div>",
            esc(&author),
            ts_time(&e.ts)
        );
        html.push_str(&self.content(&e.text, e.blocks.as_ref(), None, None));
        html.push_str("</div>");
        html
    }

    /// A message's body: its blocks when it has them, else its text as
    /// mrkdwn; then any attachments.
    fn content(
        &self,
        text: &str,
        blocks: Option<&Value>,
        attachments: Option<&Value>,
        ts: Option<&str>,
    ) -> String {
        let mut html = String::new();
        match blocks.and_then(Value::as_array).filter(|b| !b.is_empty()) {
            Some(blocks) => html.push_str(&self.blocks(blocks, ts, None)),
            None => {
                let _ = write!(html, "<div class=\"block\">{}</div>", self.mrkdwn(text));
            }
        }
        for a in attachments.and_then(Value::as_array).into_iter().flatten() {
            html.push_str(&self.attachment(a, ts));
        }
        html
    }

    fn attachment(&self, a: &Value, ts: Option<&str>) -> String {
        let color = a["color"].as_str().unwrap_or("ddd");
        let color = if color.chars().all(|c| c.is_ascii_hexdigit()) {
            format!("#{color}")
        } else {
            esc(color)
        };
        let mut html = format!("<div class=\"attachment\" style=\"border-left-color:{color}\">");
        if let Some(pre) = a["pretext"].as_str() {
            let _ = write!(html, "<div>{}</div>", self.mrkdwn(pre));
        }
        if let Some(title) = a["title"].as_str() {
            match a["title_link"].as_str().filter(|l| safe_url(l)) {
                Some(link) => {
                    let _ = write!(
                        html,
                        "<div><b><a href=\"{}\">{}</a></b></div>",
                        esc(link),
                        esc(title)
                    );
                }
                None => {
                    let _ = write!(html, "<div><b>{}</b></div>", esc(title));
                }
            }
        }
        if let Some(text) = a["text"].as_str() {
            let _ = write!(html, "<div>{}</div>", self.mrkdwn(text));
        }
        if let Some(fields) = a["fields"].as_array() {
            html.push_str("<div class=\"fields\">");
            for f in fields {
                let _ = write!(
                    html,
                    "<div><b>{}</b><br>{}</div>",
                    esc(f["title"].as_str().unwrap_or_default()),
                    self.mrkdwn(f["value"].as_str().unwrap_or_default())
                );
            }
            html.push_str("</div>");
        }
        if let Some(blocks) = a["blocks"].as_array() {
            html.push_str(&self.blocks(blocks, ts, None));
        }
        if let Some(footer) = a["footer"].as_str() {
            let _ = write!(html, "<div class=\"context\">{}</div>", self.mrkdwn(footer));
        }
        html.push_str("</div>");
        html
    }

    /// A text object: `mrkdwn` rendered, `plain_text` escaped.
    fn text(&self, t: &Value) -> String {
        match t["type"].as_str() {
            Some("mrkdwn") => self.mrkdwn(t["text"].as_str().unwrap_or_default()),
            _ => esc(&plain(t)).replace('\n', "<br>"),
        }
    }

    /// Slack's mrkdwn, simply: `<url|label>` links, `<@U…>`/`<#C…>`/`<!here>`
    /// mentions, `*bold*`, `_italic_`, `~strike~`, `` `code` ``, code blocks
    /// and line breaks. Everything else is shown as escaped text.
    fn mrkdwn(&self, text: &str) -> String {
        let mut html = String::new();
        let mut rest = text;
        let mut plain_run = String::new();
        while let Some(start) = rest.find('<') {
            let Some(len) = rest[start..].find('>') else {
                break;
            };
            plain_run.push_str(&rest[..start]);
            let inner = &rest[start + 1..start + len];
            html.push_str(&emphasis(&unescape_slack(&plain_run)));
            plain_run.clear();
            html.push_str(&self.angle(inner));
            rest = &rest[start + len + 1..];
        }
        plain_run.push_str(rest);
        html.push_str(&emphasis(&unescape_slack(&plain_run)));
        html
    }

    /// The inside of `<…>` in mrkdwn.
    fn angle(&self, inner: &str) -> String {
        let (target, label) = match inner.split_once('|') {
            Some((t, l)) => (t, Some(unescape_slack(l))),
            None => (inner, None),
        };
        if let Some(user) = target.strip_prefix('@') {
            let name = label.unwrap_or_else(|| user_name(self.state, user));
            return format!("<b class=\"mention\">@{}</b>", esc(&name));
        }
        if let Some(channel) = target.strip_prefix('#') {
            let name = label.unwrap_or_else(|| {
                self.state
                    .channel(channel)
                    .map(|c| c.name.clone())
                    .unwrap_or_else(|| channel.to_owned())
            });
            return format!(
                "<a href=\"/channels/{}\">#{}</a>",
                url_enc(channel),
                esc(&name)
            );
        }
        if let Some(special) = target.strip_prefix('!') {
            let name =
                label.unwrap_or_else(|| special.split('^').next().unwrap_or(special).to_owned());
            return format!("<b class=\"mention\">@{}</b>", esc(&name));
        }
        let url = unescape_slack(target);
        let label = label.unwrap_or_else(|| url.clone());
        if safe_url(&url) {
            format!(
                "<a href=\"{}\" rel=\"noreferrer\">{}</a>",
                esc(&url),
                esc(&label)
            )
        } else {
            esc(&label)
        }
    }

    fn blocks(&self, blocks: &[Value], ts: Option<&str>, view: Option<&View>) -> String {
        blocks.iter().map(|b| self.block(b, ts, view)).collect()
    }

    fn block(&self, b: &Value, ts: Option<&str>, view: Option<&View>) -> String {
        let block_id = b["block_id"].as_str().unwrap_or_default();
        match b["type"].as_str().unwrap_or_default() {
            "section" => {
                let mut html = String::from("<div class=\"block section\">");
                if let Some(acc) = b.get("accessory") {
                    if acc["type"] == "image" {
                        html.push_str(&self.image(acc, "accessory"));
                    }
                }
                if let Some(t) = b.get("text") {
                    let _ = write!(html, "<div>{}</div>", self.text(t));
                }
                if let Some(fields) = b["fields"].as_array() {
                    html.push_str("<div class=\"fields\">");
                    for f in fields {
                        let _ = write!(html, "<div>{}</div>", self.text(f));
                    }
                    html.push_str("</div>");
                }
                if let Some(acc) = b.get("accessory").filter(|a| a["type"] != "image") {
                    let _ = write!(
                        html,
                        "<div class=\"row\">{}</div>",
                        self.element(acc, block_id, ts, view)
                    );
                }
                html.push_str("</div>");
                html
            }
            "header" => format!(
                "<div class=\"block header-block\">{}</div>",
                esc(&plain(&b["text"]))
            ),
            "divider" => "<hr>".to_owned(),
            "context" => {
                let parts: Vec<String> = b["elements"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| {
                        if e["type"] == "image" {
                            self.image(e, "")
                        } else {
                            self.text(e)
                        }
                    })
                    .collect();
                format!("<div class=\"block context\">{}</div>", parts.join(" · "))
            }
            "actions" => {
                let elements: String = b["elements"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| self.element(e, block_id, ts, view))
                    .collect();
                format!("<div class=\"block row\">{elements}</div>")
            }
            "image" => {
                let mut html = String::from("<div class=\"block\">");
                if let Some(title) = b.get("title") {
                    let _ = write!(html, "<div class=\"meta\">{}</div>", esc(&plain(title)));
                }
                html.push_str(&self.image(b, ""));
                html.push_str("</div>");
                html
            }
            "input" => self.input(b, view),
            "rich_text" => format!("<div class=\"block\">{}</div>", rich_text(&b["elements"])),
            other => format!("<div class=\"block meta\">[{} block]</div>", esc(other)),
        }
    }

    fn image(&self, img: &Value, class: &str) -> String {
        let url = img["image_url"].as_str().unwrap_or_default();
        let alt = img["alt_text"].as_str().unwrap_or_default();
        if safe_url(url) {
            format!(
                "<img class=\"{class}\" src=\"{}\" alt=\"{}\" style=\"max-width:100%\">",
                esc(url),
                esc(alt)
            )
        } else {
            format!("<span class=\"meta\">[image: {}]</span>", esc(alt))
        }
    }

    /// An interactive element outside an input block: buttons post a
    /// `block_actions` click; selects offer their options with a button.
    fn element(&self, e: &Value, block_id: &str, ts: Option<&str>, view: Option<&View>) -> String {
        let action_id = e["action_id"].as_str().unwrap_or_default();
        let kind = e["type"].as_str().unwrap_or_default();
        let target = self.action_target(ts, view);
        let can_act = self.me.is_some() && target.is_some();
        match kind {
            "button" => {
                let class = match e["style"].as_str() {
                    Some("primary") => "primary",
                    Some("danger") => "danger",
                    _ => "",
                };
                let label = esc(&plain(&e["text"]));
                if let (Some(url), false) = (e["url"].as_str().filter(|u| safe_url(u)), can_act) {
                    return format!("<a class=\"button\" href=\"{}\">{label}</a>", esc(url));
                }
                if !can_act {
                    return format!("<button class=\"{class}\" disabled>{label}</button>");
                }
                let mut html = format!(
                    "<form method=\"post\" action=\"{}\" class=\"inline\">{}<input type=\"hidden\" name=\"block_id\" value=\"{}\"><input type=\"hidden\" name=\"action_id\" value=\"{}\">",
                    target.unwrap_or_default(),
                    self.hidden_back(),
                    esc(block_id),
                    esc(action_id)
                );
                if let Some(value) = e["value"].as_str() {
                    let _ = write!(
                        html,
                        "<input type=\"hidden\" name=\"value\" value=\"{}\">",
                        esc(value)
                    );
                }
                let confirm = e
                    .get("confirm")
                    .map(|c| format!(" title=\"{}\"", esc(&plain(&c["text"]))))
                    .unwrap_or_default();
                let _ = write!(
                    html,
                    "<button class=\"{class}\"{confirm}>{label}</button></form>"
                );
                html
            }
            "overflow"
            | "static_select"
            | "external_select"
            | "users_select"
            | "conversations_select"
            | "channels_select"
            | "radio_buttons" => {
                let field = self.select_field("value", e, false);
                if !can_act {
                    return field.replace("<select", "<select disabled");
                }
                format!(
                    "<form method=\"post\" action=\"{}\" class=\"inline row\">{}<input type=\"hidden\" name=\"block_id\" value=\"{}\"><input type=\"hidden\" name=\"action_id\" value=\"{}\"><input type=\"hidden\" name=\"type\" value=\"{}\">{field}<button>Choose</button></form>",
                    target.unwrap_or_default(),
                    self.hidden_back(),
                    esc(block_id),
                    esc(action_id),
                    esc(kind)
                )
            }
            "image" => self.image(e, ""),
            other => format!("<span class=\"meta\">[{}]</span>", esc(other)),
        }
    }

    /// Where a click on an element goes: a message's or a view's actions.
    fn action_target(&self, ts: Option<&str>, view: Option<&View>) -> Option<String> {
        match (view, ts) {
            (Some(v), _) => Some(format!("/views/{}/actions", url_enc(&v.id))),
            (None, Some(ts)) if !self.channel.is_empty() => Some(format!(
                "/channels/{}/messages/{}/actions",
                url_enc(self.channel),
                url_enc(ts)
            )),
            _ => None,
        }
    }

    /// A `<select>` (or radio/checkbox group) for a select-like element.
    fn select_field(&self, name: &str, e: &Value, multi: bool) -> String {
        let kind = e["type"].as_str().unwrap_or_default();
        let name = esc(name);
        let initial: Vec<String> = initial_values(e);
        let selected = |v: &str| {
            if initial.iter().any(|i| i == v) {
                " selected"
            } else {
                ""
            }
        };
        let checked = |v: &str| {
            if initial.iter().any(|i| i == v) {
                " checked"
            } else {
                ""
            }
        };
        let multiple = if multi { " multiple" } else { "" };
        let mut html = String::new();
        match kind {
            "radio_buttons" | "checkboxes" => {
                let input = if kind == "checkboxes" {
                    "checkbox"
                } else {
                    "radio"
                };
                for o in e["options"].as_array().into_iter().flatten() {
                    let v = o["value"].as_str().unwrap_or_default();
                    let _ = write!(
                        html,
                        "<div><label style=\"font-weight:normal\"><input type=\"{input}\" name=\"{name}\" value=\"{}\"{}> {}</label></div>",
                        esc(v),
                        checked(v),
                        self.text(&o["text"])
                    );
                }
            }
            "users_select" | "multi_users_select" => {
                let _ = write!(html, "<select name=\"{name}\"{multiple}>");
                if !multi {
                    html.push_str("<option value=\"\">Choose someone</option>");
                }
                let team = self.me.map(|m| m.team_id.clone()).unwrap_or_default();
                for u in self
                    .state
                    .users
                    .iter()
                    .filter(|u| u.team_id == team && !u.deleted)
                {
                    let _ = write!(
                        html,
                        "<option value=\"{}\"{}>{}</option>",
                        esc(&u.id),
                        selected(&u.id),
                        esc(&u.real_name)
                    );
                }
                html.push_str("</select>");
            }
            "conversations_select"
            | "channels_select"
            | "multi_conversations_select"
            | "multi_channels_select" => {
                let _ = write!(html, "<select name=\"{name}\"{multiple}>");
                if !multi {
                    html.push_str("<option value=\"\">Choose a channel</option>");
                }
                let team = self.me.map(|m| m.team_id.clone()).unwrap_or_default();
                let only_public = kind.contains("channels_select");
                for c in self
                    .state
                    .channels
                    .iter()
                    .filter(|c| c.team_id == team && !c.is_archived)
                    .filter(|c| !only_public || (!c.is_private && !c.is_im))
                    .filter(|c| {
                        self.me
                            .is_some_and(|m| self.state.can_see_channel(c, &m.id))
                    })
                {
                    let _ = write!(
                        html,
                        "<option value=\"{}\"{}>{}</option>",
                        esc(&c.id),
                        selected(&c.id),
                        esc(&channel_label(self.state, c, self.me))
                    );
                }
                html.push_str("</select>");
            }
            "external_select" | "multi_external_select" => {
                let _ = write!(
                    html,
                    "<input type=\"text\" name=\"{name}\" value=\"{}\" placeholder=\"option value\"> <span class=\"hint\">(options come from the app)</span>",
                    esc(initial.first().map(String::as_str).unwrap_or_default())
                );
            }
            _ => {
                // static_select, multi_static_select, overflow.
                let _ = write!(html, "<select name=\"{name}\"{multiple}>");
                if !multi {
                    let placeholder = e
                        .get("placeholder")
                        .map(plain)
                        .unwrap_or_else(|| "Choose".into());
                    let _ = write!(html, "<option value=\"\">{}</option>", esc(&placeholder));
                }
                let option = |html: &mut String, o: &Value| {
                    let v = o["value"].as_str().unwrap_or_default();
                    let _ = write!(
                        html,
                        "<option value=\"{}\"{}>{}</option>",
                        esc(v),
                        selected(v),
                        esc(&plain(&o["text"]))
                    );
                };
                for o in e["options"].as_array().into_iter().flatten() {
                    option(&mut html, o);
                }
                for g in e["option_groups"].as_array().into_iter().flatten() {
                    let _ = write!(html, "<optgroup label=\"{}\">", esc(&plain(&g["label"])));
                    for o in g["options"].as_array().into_iter().flatten() {
                        option(&mut html, o);
                    }
                    html.push_str("</optgroup>");
                }
                html.push_str("</select>");
            }
        }
        html
    }

    /// An input block of a modal: a label and a form field named
    /// `{block_id}/{action_id}`.
    fn input(&self, b: &Value, view: Option<&View>) -> String {
        let e = &b["element"];
        let block_id = b["block_id"].as_str().unwrap_or_default();
        let action_id = e["action_id"].as_str().unwrap_or_default();
        let name = format!("{block_id}/{action_id}");
        let optional = if b["optional"] == true {
            " <span class=\"hint\">(optional)</span>"
        } else {
            ""
        };
        let mut html = format!("<label>{}{optional}</label>", esc(&plain(&b["label"])));
        let kind = e["type"].as_str().unwrap_or_default();
        let initial = initial_values(e);
        let first = initial.first().map(String::as_str).unwrap_or_default();
        let placeholder = e
            .get("placeholder")
            .map(|p| format!(" placeholder=\"{}\"", esc(&plain(p))))
            .unwrap_or_default();
        let required = if b["optional"] == true {
            ""
        } else {
            " required"
        };
        let error = view
            .and_then(|v| self.state.view_errors.get(&v.id))
            .and_then(|errors| errors[block_id].as_str())
            .map(|e| format!("<div class=\"error\">{}</div>", esc(e)))
            .unwrap_or_default();
        match kind {
            "plain_text_input" if e["multiline"] == true => {
                let _ = write!(html, "<textarea name=\"{}\" rows=\"4\" cols=\"50\"{placeholder}{required}>{}</textarea>", esc(&name), esc(first));
            }
            "plain_text_input" | "email_text_input" | "url_text_input" | "number_input"
            | "datepicker" | "timepicker" => {
                let input_type = match kind {
                    "email_text_input" => "email",
                    "url_text_input" => "url",
                    "number_input" => "number",
                    "datepicker" => "date",
                    "timepicker" => "time",
                    _ => "text",
                };
                let step = if kind == "number_input" && e["is_decimal_allowed"] == true {
                    " step=\"any\""
                } else {
                    ""
                };
                let _ = write!(
                    html,
                    "<input type=\"{input_type}\" name=\"{}\" value=\"{}\" size=\"40\"{step}{placeholder}{required}>",
                    esc(&name),
                    esc(first)
                );
            }
            k if k.starts_with("multi_") || k == "checkboxes" => {
                html.push_str(&self.select_field(&name, e, k != "checkboxes"))
            }
            _ => html.push_str(&self.select_field(&name, e, false)),
        }
        if let Some(hint) = b.get("hint") {
            let _ = write!(html, "<div class=\"hint\">{}</div>", esc(&plain(hint)));
        }
        html.push_str(&error);
        match view {
            Some(v) => {
                let attr = format!(" form=\"{}\" ", submit_form_id(v));
                html.replace("<input ", &format!("<input{attr}"))
                    .replace("<textarea ", &format!("<textarea{attr}"))
                    .replace("<select ", &format!("<select{attr}"))
            }
            None => html,
        }
    }

    /// A modal (or App Home) with its blocks as a form.
    fn view(&self, v: &View) -> String {
        let body = &v.view;
        let kind = body["type"].as_str().unwrap_or("modal");
        let title = plain(&body["title"]);
        let app = self
            .state
            .app(&v.app_id)
            .map(|a| a.name.clone())
            .unwrap_or_default();
        let mut html = format!(
            "<div class=\"modal\"><div class=\"meta\">{} · {} · {}</div><h2 style=\"margin-top:.2em\">{}</h2>",
            esc(&app),
            esc(kind),
            esc(&v.id),
            esc(&title)
        );
        let blocks: Vec<Value> = body["blocks"].as_array().cloned().unwrap_or_default();
        // Blocks render in order. Buttons and selects outside input blocks
        // act at once through forms of their own; the inputs belong to the
        // submit form at the end through their `form` attribute (forms
        // cannot nest).
        for b in &blocks {
            html.push_str(&self.block(b, None, Some(v)));
        }
        if kind == "modal"
            && (blocks.iter().any(|b| b["type"] == "input") || body.get("submit").is_some())
        {
            let submit = body
                .get("submit")
                .map(plain)
                .unwrap_or_else(|| "Submit".into());
            let _ = write!(
                html,
                "<form id=\"{}\" method=\"post\" action=\"/views/{}/submit\" class=\"row\" style=\"margin-top:1em\">{}<button class=\"primary\">{}</button></form>",
                submit_form_id(v),
                url_enc(&v.id),
                self.hidden_back(),
                esc(&submit)
            );
        }
        if kind == "modal" {
            let close = body
                .get("close")
                .map(plain)
                .unwrap_or_else(|| "Cancel".into());
            let _ = write!(
                html,
                "<form method=\"post\" action=\"/views/{}/close\" class=\"row\">{}<button>{}</button></form>",
                url_enc(&v.id),
                self.hidden_back(),
                esc(&close)
            );
        }
        html.push_str("</div>");
        html
    }

    fn reaction_form(&self, ts: &str) -> String {
        if self.me.is_none() || self.channel.is_empty() {
            return String::new();
        }
        format!(
            "<form method=\"post\" action=\"/channels/{}/reactions\" class=\"inline row\">{}<input type=\"hidden\" name=\"ts\" value=\"{}\"><input type=\"text\" name=\"name\" size=\"12\" placeholder=\"emoji name\" required><button>React</button></form>",
            url_enc(self.channel),
            self.hidden_back(),
            esc(ts)
        )
    }

    /// The compose box: a message, a thread reply, or a `/command`.
    fn compose(&self, thread_ts: Option<&str>) -> String {
        let Some(me) = self.me else {
            return "<p class=\"hint\">Choose whom to act as (top right) to write here.</p>".into();
        };
        let thread = thread_ts
            .map(|ts| {
                format!(
                    "<input type=\"hidden\" name=\"thread_ts\" value=\"{}\">",
                    esc(ts)
                )
            })
            .unwrap_or_default();
        let what = if thread_ts.is_some() { "Reply" } else { "Send" };
        let broadcast = if thread_ts.is_some() {
            "<label class=\"hint\"><input type=\"checkbox\" name=\"broadcast\" value=\"1\"> Also send to the channel</label>"
        } else {
            ""
        };
        format!(
            "<form method=\"post\" action=\"/channels/{}/messages\" style=\"margin-top:1.2em\">{}{thread}<textarea class=\"compose\" name=\"text\" rows=\"3\" required placeholder=\"Message as {}, or a slash command like /hs help\"></textarea><div class=\"row\"><button class=\"primary\">{what}</button>{broadcast}</div></form>",
            url_enc(self.channel),
            self.hidden_back(),
            esc(&me.real_name)
        )
    }
}

/// The id of a modal's submit form, which its inputs name.
fn submit_form_id(v: &View) -> String {
    format!("submit-{}", url_enc(&v.id))
}

/// The initial value(s) of an element, as plain strings.
fn initial_values(e: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in [
        "initial_value",
        "initial_date",
        "initial_time",
        "initial_user",
        "initial_conversation",
        "initial_channel",
    ] {
        if let Some(v) = e[key].as_str() {
            out.push(v.to_owned());
        }
    }
    for key in ["initial_users", "initial_conversations", "initial_channels"] {
        for v in e[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            out.push(v.to_owned());
        }
    }
    if let Some(v) = e["initial_option"]["value"].as_str() {
        out.push(v.to_owned());
    }
    for o in e["initial_options"].as_array().into_iter().flatten() {
        if let Some(v) = o["value"].as_str() {
            out.push(v.to_owned());
        }
    }
    out
}

/// Links only to http(s) and mailto, never `javascript:`.
fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:")
}

/// Slack escapes `&`, `<` and `>` in message text.
fn unescape_slack(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Escapes raw text and renders mrkdwn emphasis, code and line breaks.
fn emphasis(raw: &str) -> String {
    let mut html = String::new();
    // Code blocks first: their content is not formatted.
    let mut parts = raw.split("```");
    let mut in_code = false;
    for part in parts.by_ref() {
        if in_code {
            let _ = write!(html, "<pre>{}</pre>", esc(part.trim_matches('\n')));
        } else {
            html.push_str(&inline_marks(part));
        }
        in_code = !in_code;
    }
    html
}

/// `*bold*`, `_italic_`, `~strike~` and `` `code` `` within a line: an
/// opening mark must be followed by a non-space and closed on the same line
/// by a mark that follows a non-space.
fn inline_marks(raw: &str) -> String {
    let chars: Vec<char> = raw.chars().collect();
    let mut html = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let tag = match c {
            '*' => Some("b"),
            '_' => Some("i"),
            '~' => Some("s"),
            '`' => Some("code"),
            _ => None,
        };
        let starts_word = i == 0 || !chars[i - 1].is_alphanumeric();
        if let (Some(tag), true) = (tag, starts_word) {
            if let Some(end) = closing(&chars, i, c) {
                let inner: String = chars[i + 1..end].iter().collect();
                let inner_html = if tag == "code" {
                    esc(&inner)
                } else {
                    inline_marks(&inner)
                };
                let _ = write!(html, "<{tag}>{inner_html}</{tag}>");
                i = end + 1;
                continue;
            }
        }
        match c {
            '\n' => html.push_str("<br>"),
            c => html.push_str(&esc(c.encode_utf8(&mut [0; 4]))),
        }
        i += 1;
    }
    html
}

fn closing(chars: &[char], open: usize, mark: char) -> Option<usize> {
    let first = *chars.get(open + 1)?;
    if first.is_whitespace() || first == mark {
        return None;
    }
    (open + 2..chars.len())
        .take_while(|&j| chars[j] != '\n')
        .find(|&j| {
            chars[j] == mark
                && !chars[j - 1].is_whitespace()
                && chars.get(j + 1).is_none_or(|n| !n.is_alphanumeric())
        })
}

/// A `rich_text` block's text, plainly.
fn rich_text(elements: &Value) -> String {
    let mut html = String::new();
    for e in elements.as_array().into_iter().flatten() {
        match e["type"].as_str().unwrap_or_default() {
            "text" => {
                let mut t = esc(e["text"].as_str().unwrap_or_default()).replace('\n', "<br>");
                if e["style"]["bold"] == true {
                    t = format!("<b>{t}</b>");
                }
                if e["style"]["italic"] == true {
                    t = format!("<i>{t}</i>");
                }
                if e["style"]["code"] == true {
                    t = format!("<code>{t}</code>");
                }
                html.push_str(&t);
            }
            "link" => {
                let url = e["url"].as_str().unwrap_or_default();
                let label = e["text"].as_str().unwrap_or(url);
                if safe_url(url) {
                    let _ = write!(html, "<a href=\"{}\">{}</a>", esc(url), esc(label));
                } else {
                    html.push_str(&esc(label));
                }
            }
            "user" => {
                let _ = write!(
                    html,
                    "<b>@{}</b>",
                    esc(e["user_id"].as_str().unwrap_or_default())
                );
            }
            "emoji" => {
                let _ = write!(html, ":{}:", esc(e["name"].as_str().unwrap_or_default()));
            }
            "rich_text_section" | "rich_text_quote" | "rich_text_preformatted" => {
                let _ = write!(html, "<div>{}</div>", rich_text(&e["elements"]));
            }
            "rich_text_list" => {
                html.push_str("<ul>");
                for item in e["elements"].as_array().into_iter().flatten() {
                    let _ = write!(html, "<li>{}</li>", rich_text(&item["elements"]));
                }
                html.push_str("</ul>");
            }
            _ => {}
        }
    }
    html
}

mod forms {
    //! The forms a person submits, each handed to the same `actions`
    //! function the control API calls; then back to the page with what
    //! happened, or to the modals when the app opened one.

    use axum::extract::{Path, State as AxumState};
    use axum::http::HeaderMap;
    use axum::response::{IntoResponse, Redirect, Response};
    use axum::routing::post;
    use axum::{Form, Router};
    use serde::Deserialize;
    use serde_json::{json, Map, Value};

    use super::{cookie, safe_back, url_enc, COOKIE};
    use crate::actions::{self, ActionError, ActionResult};
    use crate::Sandbox;

    pub fn routes() -> Router<Sandbox> {
        Router::new()
            .route("/channels/{id}/messages", post(send))
            .route("/channels/{id}/reactions", post(react))
            .route("/channels/{id}/messages/{ts}/actions", post(message_action))
            .route("/views/{id}/actions", post(view_action))
            .route("/views/{id}/submit", post(submit))
            .route("/views/{id}/close", post(close))
    }

    /// The person acting, with their workspace.
    fn actor(sandbox: &Sandbox, headers: &HeaderMap) -> Option<(String, String)> {
        let id = cookie(headers, COOKIE)?;
        let state = sandbox.state();
        state
            .user(&id)
            .filter(|u| !u.is_bot && !u.deleted)
            .map(|u| (u.id.clone(), u.team_id.clone()))
    }

    fn back_with(back: &str, key: &str, text: &str) -> Response {
        let back = safe_back(back);
        let sep = if back.contains('?') { '&' } else { '?' };
        Redirect::to(&format!("{back}{sep}{key}={}", url_enc(text))).into_response()
    }

    fn nobody(back: &str) -> Response {
        back_with(back, "error", "Choose whom to act as first (top right).")
    }

    fn describe(e: &ActionError) -> String {
        match &e.detail {
            Some(d) => format!("{}: {d}", e.error),
            None => e.error.clone(),
        }
    }

    /// Straight back to the page, or back with what went wrong.
    fn back_or_error(back: &str, result: ActionResult) -> Response {
        match result {
            Ok(_) => Redirect::to(safe_back(back)).into_response(),
            Err(e) => back_with(back, "error", &describe(&e)),
        }
    }

    /// How many modals the person has open, to notice a new one.
    fn open_views(sandbox: &Sandbox, user: &str) -> usize {
        sandbox
            .state()
            .views
            .iter()
            .filter(|v| v.user_id == user && !v.closed)
            .count()
    }

    /// Back to the page with a note on what the app answered; to the
    /// modals when one opened meanwhile.
    fn finish(
        sandbox: &Sandbox,
        user: &str,
        before: usize,
        back: &str,
        done: &str,
        result: ActionResult,
    ) -> Response {
        match result {
            Err(e) => back_with(back, "error", &describe(&e)),
            Ok(v) => {
                if open_views(sandbox, user) > before {
                    return back_with("/views", "notice", "The app opened a modal.");
                }
                let answer = &v["answer"];
                if let Some(failure) = answer["failure"].as_str() {
                    return back_with(
                        back,
                        "error",
                        &format!("{done}, but the app did not answer properly ({failure})."),
                    );
                }
                match answer["status"].as_u64() {
                    Some(status) if status != 200 => back_with(
                        back,
                        "error",
                        &format!("{done}, but the app answered HTTP {status}."),
                    ),
                    _ => back_with(back, "notice", done),
                }
            }
        }
    }

    #[derive(Deserialize)]
    struct Send {
        #[serde(default)]
        back: String,
        text: String,
        #[serde(default)]
        thread_ts: Option<String>,
        #[serde(default)]
        broadcast: Option<String>,
    }

    /// A message, a thread reply, or `/command text`.
    async fn send(
        AxumState(sandbox): AxumState<Sandbox>,
        Path(channel): Path<String>,
        headers: HeaderMap,
        Form(form): Form<Send>,
    ) -> Response {
        let Some((user, team)) = actor(&sandbox, &headers) else {
            return nobody(&form.back);
        };
        let text = form.text.trim();
        if text.starts_with('/') && form.thread_ts.is_none() {
            let (command, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
            let before = open_views(&sandbox, &user);
            let result = actions::slash_command(
                &sandbox,
                actions::SlashCommandInput {
                    team: Some(team),
                    user: user.clone(),
                    channel,
                    command: command.to_owned(),
                    text: rest.trim().to_owned(),
                },
            )
            .await;
            let done = format!("Sent {command}");
            return finish(&sandbox, &user, before, &form.back, &done, result);
        }
        let result = actions::post_message(
            &sandbox,
            actions::PostMessage {
                team: Some(team),
                user,
                channel,
                text: form.text.clone(),
                thread_ts: form.thread_ts.clone().filter(|t| !t.is_empty()),
                reply_broadcast: form.broadcast.is_some(),
            },
        );
        back_or_error(&form.back, result)
    }

    #[derive(Deserialize)]
    struct React {
        #[serde(default)]
        back: String,
        ts: String,
        name: String,
    }

    async fn react(
        AxumState(sandbox): AxumState<Sandbox>,
        Path(channel): Path<String>,
        headers: HeaderMap,
        Form(form): Form<React>,
    ) -> Response {
        let Some((user, team)) = actor(&sandbox, &headers) else {
            return nobody(&form.back);
        };
        let result = actions::react(
            &sandbox,
            actions::ReactionInput {
                team: Some(team),
                user,
                channel,
                ts: form.ts,
                name: form.name.trim().to_owned(),
            },
            true,
        );
        back_or_error(&form.back, result)
    }

    #[derive(Deserialize)]
    struct Act {
        #[serde(default)]
        back: String,
        action_id: String,
        #[serde(default)]
        block_id: Option<String>,
        #[serde(default)]
        value: Option<String>,
    }

    fn click_input(user: String, team: String, form: &Act) -> actions::Click {
        actions::Click {
            team: Some(team),
            user,
            channel: None,
            ts: None,
            view_id: None,
            in_view: false,
            action_id: form.action_id.clone(),
            block_id: form.block_id.clone().filter(|b| !b.is_empty()),
            value: form
                .value
                .clone()
                .filter(|v| !v.is_empty())
                .map(Value::String),
            values: Value::Null,
        }
    }

    /// A button (or select) in a message.
    async fn message_action(
        AxumState(sandbox): AxumState<Sandbox>,
        Path((channel, ts)): Path<(String, String)>,
        headers: HeaderMap,
        Form(form): Form<Act>,
    ) -> Response {
        let Some((user, team)) = actor(&sandbox, &headers) else {
            return nobody(&form.back);
        };
        let before = open_views(&sandbox, &user);
        let input = actions::Click {
            channel: Some(channel),
            ts: Some(ts),
            ..click_input(user.clone(), team, &form)
        };
        let result = actions::click(&sandbox, input).await;
        finish(&sandbox, &user, before, &form.back, "Clicked", result)
    }

    /// A button (or select) in an open modal.
    async fn view_action(
        AxumState(sandbox): AxumState<Sandbox>,
        Path(view_id): Path<String>,
        headers: HeaderMap,
        Form(form): Form<Act>,
    ) -> Response {
        let Some((user, team)) = actor(&sandbox, &headers) else {
            return nobody(&form.back);
        };
        let before = open_views(&sandbox, &user);
        let input = actions::Click {
            view_id: Some(view_id),
            in_view: true,
            ..click_input(user.clone(), team, &form)
        };
        let result = actions::click(&sandbox, input).await;
        finish(&sandbox, &user, before, "/views", "Clicked", result)
    }

    /// `{block_id: {action_id: value}}` from a modal's form fields named
    /// `block_id/action_id`; multi-selects and checkboxes as lists.
    pub(super) fn values_from_form(view: &Value, fields: &[(String, String)]) -> Value {
        let mut out = Map::new();
        for block in view["blocks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|b| b["type"] == "input")
        {
            let element = &block["element"];
            let block_id = block["block_id"].as_str().unwrap_or_default();
            let Some(action_id) = element["action_id"].as_str() else {
                continue;
            };
            let name = format!("{block_id}/{action_id}");
            let given: Vec<&str> = fields
                .iter()
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.is_empty())
                .collect();
            let kind = element["type"].as_str().unwrap_or_default();
            let value = if kind.starts_with("multi_") || kind == "checkboxes" {
                json!(given)
            } else {
                json!(given.first().copied().unwrap_or_default())
            };
            if block_id.is_empty() {
                out.insert(action_id.to_owned(), value);
            } else {
                out.entry(block_id.to_owned())
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
                    .expect("an object")
                    .insert(action_id.to_owned(), value);
            }
        }
        Value::Object(out)
    }

    async fn submit(
        AxumState(sandbox): AxumState<Sandbox>,
        Path(view_id): Path<String>,
        headers: HeaderMap,
        Form(fields): Form<Vec<(String, String)>>,
    ) -> Response {
        let Some((user, team)) = actor(&sandbox, &headers) else {
            return nobody("/views");
        };
        let view = sandbox
            .state()
            .views
            .iter()
            .find(|v| v.id == view_id && v.user_id == user)
            .map(|v| v.view.clone());
        let Some(view) = view else {
            return back_with("/views", "error", "That modal is not open any more.");
        };
        let values = values_from_form(&view, &fields);
        let result = actions::submit_view(
            &sandbox,
            actions::SubmitView {
                team: Some(team),
                user: user.clone(),
                view_id: Some(view_id),
                values,
            },
        )
        .await;
        match &result {
            Ok(v) if v["result"] == "errors" => {
                back_with("/views", "error", "The app found errors in the form.")
            }
            Ok(v) if v["result"] == "updated" || v["result"] == "pushed" => {
                back_with("/views", "notice", "The app updated the modal.")
            }
            _ => {
                let before = open_views(&sandbox, &user);
                // A submission that closed the modal goes back to the list.
                finish(&sandbox, &user, before, "/views", "Submitted", result)
            }
        }
    }

    #[derive(Deserialize)]
    struct Close {
        #[serde(default)]
        back: String,
    }

    async fn close(
        AxumState(sandbox): AxumState<Sandbox>,
        Path(view_id): Path<String>,
        headers: HeaderMap,
        Form(form): Form<Close>,
    ) -> Response {
        let Some((user, team)) = actor(&sandbox, &headers) else {
            return nobody(&form.back);
        };
        let result = actions::close_view(
            &sandbox,
            actions::CloseView {
                team: Some(team),
                user,
                view_id: Some(view_id),
            },
        )
        .await;
        match result {
            Ok(_) => back_with(&form.back, "notice", "Closed."),
            Err(e) => back_with(&form.back, "error", &describe(&e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Seed;

    fn render(state: &State, text: &str) -> String {
        Render {
            state,
            channel: "C1",
            me: None,
            back: "/",
        }
        .mrkdwn(text)
    }

    #[test]
    fn mrkdwn_is_escaped_and_simply_formatted() {
        let state = State::from_seed(Seed::demo(), "http://x");
        assert!(!render(&state, "<script>alert(1)</script>").contains("<script"));
        assert_eq!(render(&state, "a &lt;b&gt; &amp; c"), "a &lt;b&gt; &amp; c");
        assert_eq!(
            render(&state, "*Deal* won _today_ ~no~ `x<y`"),
            "<b>Deal</b> won <i>today</i> <s>no</s> <code>x&lt;y</code>"
        );
        assert_eq!(
            render(&state, "2*3*4 and snake_case_name"),
            "2*3*4 and snake_case_name"
        );
        assert_eq!(
            render(&state, "see <https://crm.example/deals/1|Deal \"1\">"),
            "see <a href=\"https://crm.example/deals/1\" rel=\"noreferrer\">Deal &quot;1&quot;</a>"
        );
        assert_eq!(render(&state, "<javascript:alert(1)|click>"), "click");
        assert_eq!(render(&state, "line\nbreak"), "line<br>break");
        assert_eq!(
            render(&state, "```a &lt;b&gt; *c*```"),
            "<pre>a &lt;b&gt; *c*</pre>"
        );
        let maria = state
            .users
            .iter()
            .find(|u| u.name == "maria")
            .unwrap()
            .id
            .clone();
        assert_eq!(
            render(&state, &format!("hi <@{maria}>")),
            "hi <b class=\"mention\">@Maria Member</b>"
        );
    }

    #[test]
    fn blocks_render_readably() {
        let state = State::from_seed(Seed::demo(), "http://x");
        let ctx = Render {
            state: &state,
            channel: "C1",
            me: None,
            back: "/",
        };
        let blocks = serde_json::json!([
            {"type": "header", "text": {"type": "plain_text", "text": "New <deal>"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "*Acme* — 5000"},
             "fields": [{"type": "mrkdwn", "text": "*Stage*\nwon"}]},
            {"type": "divider"},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "by _olivia_"}]},
            {"type": "actions", "block_id": "b1", "elements": [
                {"type": "button", "action_id": "open", "text": {"type": "plain_text", "text": "Open"}, "style": "primary", "value": "v"}
            ]},
            {"type": "mystery"}
        ]);
        let html = ctx.blocks(blocks.as_array().unwrap(), Some("1.000001"), None);
        assert!(html.contains("New &lt;deal&gt;"), "{html}");
        assert!(html.contains("<b>Acme</b> — 5000"), "{html}");
        assert!(html.contains("<b>Stage</b><br>won"), "{html}");
        assert!(html.contains("<hr>"));
        assert!(html.contains("by <i>olivia</i>"));
        // Nobody to act as: the button is shown, disabled.
        assert!(
            html.contains("<button class=\"primary\" disabled>Open</button>"),
            "{html}"
        );
        assert!(html.contains("[mystery block]"));
    }
}
