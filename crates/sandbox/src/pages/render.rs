//! Messages as HTML: who wrote them and when, their content (blocks, or
//! text as mrkdwn; then attachments), reactions, thread links, and the
//! forms to react and to write.

use std::fmt::Write as _;

use serde_json::Value;

use super::drafts::Draft;
use super::emoji;
use super::layout::{esc, safe_url, ts_time, url_enc, user_name};
use crate::state::{Ephemeral, Message, State, User};

/// What rendering a message or view needs to know.
#[derive(Clone, Copy)]
pub(super) struct Render<'a> {
    pub(super) state: &'a State,
    /// The channel shown ("" for views).
    pub(super) channel: &'a str,
    pub(super) me: Option<&'a User>,
    /// The page to come back to after a form.
    pub(super) back: &'a str,
    /// What the person has under way in the view shown, if anything.
    pub(super) draft: Option<&'a Draft>,
}

/// A text object's text, or a plain string.
pub(super) fn plain(value: &Value) -> String {
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

impl Render<'_> {
    pub(super) fn hidden_back(&self) -> String {
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

    pub(super) fn message(&self, m: &Message, in_channel: bool) -> String {
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
                // As Slack's tooltip: who, and the shortcode behind the emoji.
                let _ = write!(
                    html,
                    "<span title=\"{} reacted with :{}:\">{} {}</span>",
                    esc(&who.join(", ")),
                    esc(&r.name),
                    esc(&emoji::reaction(&r.name)),
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
            html.push_str(&self.more_actions(m));
            html.push_str("</div>");
        } else {
            html.push_str("<div class=\"row\">");
            html.push_str(&self.reaction_form(&m.ts));
            html.push_str(&self.more_actions(m));
            html.push_str("</div>");
        }
        html.push_str("</div>");
        html
    }

    pub(super) fn ephemeral(&self, e: &Ephemeral) -> String {
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
        // Its buttons act as a message's do: Slack sends `block_actions`
        // with the ephemeral message as the container.
        html.push_str(&self.content(&e.text, e.blocks.as_ref(), None, Some(&e.ts)));
        html.push_str("</div>");
        html
    }

    /// A message's body: its blocks when it has them, else its text as
    /// mrkdwn; then any attachments.
    pub(super) fn content(
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

    /// The form to add a reaction to the message `ts`.
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
    pub(super) fn compose(&self, thread_ts: Option<&str>) -> String {
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
            "<form method=\"post\" action=\"/channels/{}/messages\" style=\"margin-top:1.2em\">{}{thread}<textarea class=\"compose\" name=\"text\" rows=\"3\" required placeholder=\"Message as {}, or a slash command like /hs help or /invite @name\"></textarea><div class=\"row\"><button class=\"primary\">{what}</button>{broadcast}</div></form>",
            url_enc(self.channel),
            self.hidden_back(),
            esc(&me.real_name)
        )
    }
}
