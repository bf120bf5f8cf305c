//! Slack's mrkdwn as HTML, simply: `<url|label>` links, `<@U…>`/`<#C…>`/
//! `<!here>` mentions, `*bold*`, `_italic_`, `~strike~`, `` `code` ``,
//! code blocks, line breaks and emoji shortcodes. Everything else is
//! shown as escaped text.

use std::fmt::Write as _;

use serde_json::Value;

use super::emoji;
use super::layout::{esc, safe_url, url_enc, user_name};
use super::render::{plain, Render};

impl Render<'_> {
    /// A text object: `mrkdwn` rendered; `plain_text` escaped, with its
    /// emoji shortcodes shown unless it says `"emoji": false`.
    pub(super) fn text(&self, t: &Value) -> String {
        match t["type"].as_str() {
            Some("mrkdwn") => self.mrkdwn(t["text"].as_str().unwrap_or_default()),
            _ => esc(&plain_text(t)).replace('\n', "<br>"),
        }
    }

    /// Slack's mrkdwn (see the module's doc).
    pub(super) fn mrkdwn(&self, text: &str) -> String {
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
}

/// A `plain_text` object's text as Slack shows it: shortcodes as emoji
/// unless `"emoji": false`.
pub(super) fn plain_text(t: &Value) -> String {
    if t["emoji"] == false {
        plain(t)
    } else {
        emoji::replace_shortcodes(&plain(t))
    }
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
        if let Some((emoji, next)) = emoji::shortcode_at(&chars, i) {
            html.push_str(&emoji);
            i = next;
            continue;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Seed, State};

    fn render(state: &State, text: &str) -> String {
        Render {
            state,
            channel: "C1",
            me: None,
            back: "/",
            draft: None,
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
    fn shortcodes_become_emoji_outside_code() {
        let state = State::from_seed(Seed::demo(), "http://x");
        assert_eq!(
            render(&state, ":white_check_mark: *Won :tada:* `:x:`"),
            "✅ <b>Won 🎉</b> <code>:x:</code>"
        );
        assert_eq!(render(&state, "```:eyes:```"), "<pre>:eyes:</pre>");
        assert_eq!(render(&state, ":no_such_emoji:"), ":no_such_emoji:");
    }
}
