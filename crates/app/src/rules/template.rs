//! A rule's message: its template with the record's properties put in
//! (`{{ dealname }}`, `{{ amount }}`, `{{ owner }}`), as Block Kit.
//!
//! The template's own text is the super admin's and keeps the Slack
//! formatting they typed (`*bold*`, a link); every value put in is hub
//! text and is escaped for mrkdwn, so a record named `<!channel>` mentions
//! nobody. A property the record lacks, or that does not exist, puts in
//! nothing. The text is cut into sections within Block Kit's limits.

use hubbub_slack::blocks::{
    context, controls, escape, escape_within, limits, link_button, message, plain_within, section,
};
use hubbub_slack::SlackMessageContent;

use crate::slack::messages::record_actions;

/// The longest template a rule keeps.
pub const MAX_TEMPLATE_CHARS: usize = 3_000;
/// Sections of text a message holds at most (with room left for the
/// record's link and button).
const MAX_TEXT_SECTIONS: usize = 10;

/// One piece of a template: its own text, or a property to put in.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Property(&'a str),
}

/// The template's pieces. `{{ name }}` names a property (letters, digits,
/// `_`, `.`, `-`); anything else between braces is the template's text.
fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            break;
        };
        let name = after[..close].trim();
        let is_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !is_name {
            out.push(Piece::Text(&rest[..open + 2]));
            rest = after;
            continue;
        }
        if open > 0 {
            out.push(Piece::Text(&rest[..open]));
        }
        out.push(Piece::Property(name));
        rest = &after[close + 2..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// The properties a template names, in order, without repeats.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for piece in pieces(template) {
        if let Piece::Property(name) = piece {
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// The template as mrkdwn: its own text as written, each value escaped.
pub fn render_mrkdwn(template: &str, value: impl Fn(&str) -> String) -> String {
    render(template, |name| escape(&value(name)))
}

/// The template as plain text (a notification's fallback).
pub fn render_plain(template: &str, value: impl Fn(&str) -> String) -> String {
    render(template, value)
}

fn render(template: &str, value: impl Fn(&str) -> String) -> String {
    pieces(template)
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => t.to_owned(),
            Piece::Property(name) => value(name),
        })
        .collect()
}

/// Where `window` (the start of the rest of the text) may end: at its last
/// line break or space in its second half, else at its end; never inside
/// an escape (`&amp;`) or a `<…>` the template holds.
fn cut_at(window: &str) -> usize {
    let half = window.len() / 2;
    let mut cut = window
        .rfind('\n')
        .filter(|&i| i >= half)
        .or_else(|| window.rfind(' ').filter(|&i| i >= half))
        .map_or(window.len(), |i| i + 1);
    let head = &window[..cut];
    if let Some(open) = head
        .rfind('<')
        .filter(|&i| head[i..].find('>').is_none() && i > 0)
    {
        cut = open;
    }
    let head = &window[..cut];
    if let Some(amp) = head
        .rfind('&')
        .filter(|&i| !head[i..].contains(';') && head.len() - i < 6 && i > 0)
    {
        cut = amp;
    }
    cut
}

/// `mrkdwn` as sections of at most `max` characters, at most `sections`
/// of them; what does not fit is cut, and the last section says so (`…`).
fn sections_of(mrkdwn: &str, max: usize, sections: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = mrkdwn.trim();
    while !rest.is_empty() {
        let end = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
        if end == rest.len() {
            out.push(rest.to_owned());
            break;
        }
        if out.len() + 1 == sections {
            let last = rest.char_indices().nth(max - 1).map_or(0, |(i, _)| i);
            let cut = cut_at(&rest[..last]);
            out.push(format!("{}…", rest[..cut].trim_end()));
            break;
        }
        let cut = cut_at(&rest[..end]);
        out.push(rest[..cut].trim_end().to_owned());
        rest = rest[cut..].trim_start();
    }
    out
}

/// What a rule's message holds.
pub struct RuleMessage<'a> {
    pub template: &'a str,
    /// A property's value as people read it (empty when it has none).
    pub value: &'a dyn Fn(&str) -> String,
    /// "Deal Big renewal"
    pub record_title: &'a str,
    /// The record in the hub.
    pub url: &'a url::Url,
    pub rule_name: &'a str,
}

/// A rule's Slack message: the rendered template, then the record's link
/// and which rule sent it, and "Open in hub".
pub fn rule_message(m: &RuleMessage<'_>) -> SlackMessageContent {
    let text = render_mrkdwn(m.template, m.value);
    let mut blocks: Vec<_> = sections_of(&text, limits::SECTION_TEXT, MAX_TEXT_SECTIONS)
        .into_iter()
        .map(section)
        .collect();
    blocks.push(context(format!(
        "<{}|{}> · Notification rule {}",
        m.url,
        escape_within(m.record_title, 500),
        escape_within(m.rule_name, 500)
    )));
    blocks.push(controls(vec![link_button(
        "Open in hub",
        record_actions::OPEN,
        m.url.clone(),
    )
    .into()]));
    let fallback = render_plain(m.template, m.value);
    message(&plain_within(&fallback, limits::SECTION_TEXT), blocks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slack::messages::tests::{texts, HOSTILE};
    use serde_json::Value;

    fn values(name: &str) -> String {
        match name {
            "dealname" => HOSTILE.to_owned(),
            "amount" => "12,500".to_owned(),
            "owner" => "Ada Admin".to_owned(),
            _ => String::new(),
        }
    }

    #[test]
    fn placeholders_are_read_with_or_without_spaces() {
        assert_eq!(
            placeholders("{{dealname}} for {{ amount }} ({{ owner}}) {{ amount }}"),
            ["dealname", "amount", "owner"]
        );
        assert_eq!(
            placeholders("{{ not a name }} {{ }} {{open"),
            Vec::<&str>::new()
        );
        assert_eq!(
            render_plain("a {{ x y }} {{ amount }} {{", values),
            "a {{ x y }} 12,500 {{"
        );
    }

    #[test]
    fn values_are_escaped_but_the_templates_own_formatting_is_kept() {
        let out = render_mrkdwn(
            "<!here> *Won:* {{ dealname }} for {{ amount }} by {{ owner }}{{ nosuch }}.",
            values,
        );
        assert_eq!(
            out,
            "<!here> *Won:* &lt;!channel&gt; &lt;http://evil.example|Click here to confirm&gt; \
             &amp; co for 12,500 by Ada Admin."
        );
    }

    fn built(template: &str, value: &dyn Fn(&str) -> String, title: &str) -> Value {
        let url = url::Url::parse("https://hub.example/deals/7").unwrap();
        serde_json::to_value(rule_message(&RuleMessage {
            template,
            value,
            record_title: title,
            url: &url,
            rule_name: HOSTILE,
        }))
        .unwrap()
    }

    #[test]
    fn a_hostile_record_mentions_nobody_anywhere_in_the_message() {
        let json = built("{{ dealname }} was won", &values, HOSTILE);
        let mut all = Vec::new();
        texts(&json, &mut all);
        for text in &all {
            assert!(!text.contains("<!channel>"), "a live @channel: {text}");
            assert!(!text.contains("<http://evil"), "a disguised link: {text}");
            assert!(!text.contains("& co"), "unescaped &: {text}");
        }
        assert!(json["blocks"][1]["elements"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("<https://hub.example/deals/7|&lt;!channel&gt;"));
    }

    #[test]
    fn long_values_stay_within_block_kit_limits() {
        let huge = |_: &str| "& <b> word ".repeat(20_000);
        let json = built("Start {{ dealname }} end", &huge, "Deal");
        let blocks = json["blocks"].as_array().unwrap();
        assert!(blocks.len() <= limits::BLOCKS);
        assert_eq!(blocks.len(), MAX_TEXT_SECTIONS + 2);
        for b in &blocks[..MAX_TEXT_SECTIONS] {
            let text = b["text"]["text"].as_str().unwrap();
            assert!(
                text.chars().count() <= limits::SECTION_TEXT,
                "{}",
                text.len()
            );
            // Never cut inside an escape.
            assert!(!text.ends_with('&') && !text.contains("&a ") && !text.contains("&l "));
            for (i, _) in text.match_indices('&') {
                let tail = &text[i..];
                assert!(
                    tail.starts_with("&amp;")
                        || tail.starts_with("&lt;")
                        || tail.starts_with("&gt;"),
                    "{tail:.10}"
                );
            }
        }
        let last = blocks[MAX_TEXT_SECTIONS - 1]["text"]["text"]
            .as_str()
            .unwrap();
        assert!(last.ends_with('…'));
        // The fallback is cut to a section's length before it is escaped;
        // Slack takes a message's text up to 40,000 characters.
        assert!(json["text"].as_str().unwrap().chars().count() <= 5 * limits::SECTION_TEXT);
        // A short one is one section.
        let json = built("Hi {{ owner }}", &values, "Deal");
        assert_eq!(json["blocks"][0]["text"]["text"], "Hi Ada Admin");
        assert_eq!(json["blocks"].as_array().unwrap().len(), 3);
    }
}
