//! The page chrome (header with the user picker, flash notices), the query
//! every page takes, HTML escaping, safe links and redirects, and the names
//! and labels every page shows.

use std::fmt::Write as _;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::state::{Channel, State, User};

/// `?as=`, `?error=` and `?notice=` on any page.
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
pub(super) fn layout(
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

pub(super) fn channel_kind(c: &Channel) -> &'static str {
    if c.is_im {
        "direct message"
    } else if c.is_private {
        "private"
    } else {
        "public"
    }
}

/// `#name`, `🔒name` or the DM's other people.
pub(super) fn channel_label(state: &State, c: &Channel, me: Option<&User>) -> String {
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

pub(super) fn user_name(state: &State, id: &str) -> String {
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

/// The page for a channel, message or view that is not there.
pub(super) struct NotFound(pub(super) &'static str);

impl IntoResponse for NotFound {
    fn into_response(self) -> Response {
        let page = format!(
            "<!doctype html><p>{} not found. <a href=\"/\">Back</a></p>",
            esc(self.0)
        );
        (StatusCode::NOT_FOUND, Html(page)).into_response()
    }
}

/// A ts as a UTC clock time.
pub(super) fn ts_time(ts: &str) -> String {
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

/// Links only to http(s) and mailto, never `javascript:`.
pub(super) fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:")
}

/// Only local paths are redirected to.
pub(super) fn safe_back(back: &str) -> &str {
    if back.starts_with('/') && !back.starts_with("//") {
        back
    } else {
        "/"
    }
}
