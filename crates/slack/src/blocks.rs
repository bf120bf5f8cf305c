//! Generic Block Kit helpers for the messages the app builds: escaping
//! text for mrkdwn, and the few block shapes every message uses. What the
//! messages say is the application layer's.

use slack_morphism::prelude::*;

/// Escapes text for Slack's mrkdwn: `&`, `<` and `>` are the only
/// characters Slack asks apps to escape.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A message's text as Slack sends it (mrkdwn), as plain text for
/// someone outside Slack: a link as its URL (after its label when it has
/// one), a mention as `@name` or `#name` where Slack gave the name (the id
/// otherwise), and Slack's three escapes undone.
pub fn plain_text(mrkdwn: &str) -> String {
    let mut out = String::with_capacity(mrkdwn.len());
    let mut rest = mrkdwn;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('>') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let inner = &rest[start + 1..start + len];
        let (target, label) = match inner.split_once('|') {
            Some((t, l)) => (t, Some(l)),
            None => (inner, None),
        };
        match (target.chars().next(), label) {
            (Some('@' | '#'), Some(label)) => {
                out.push_str(&target[..1]);
                out.push_str(label.trim_start_matches(['@', '#']));
            }
            (Some('@' | '#'), None) => out.push_str(target),
            (Some('!'), Some(label)) => out.push_str(label),
            (Some('!'), None) => {
                out.push('@');
                out.push_str(&target[1..]);
            }
            (_, Some(label)) if label != target => {
                out.push_str(label);
                out.push_str(" (");
                out.push_str(target);
                out.push(')');
            }
            _ => out.push_str(target),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Block Kit's limits, from Slack's reference: a message holds at most 50
/// blocks; a section's text at most 3,000 characters and each of its (at
/// most 10) fields 2,000; a button's text 75 and its value 2,000; a select
/// at most 100 options, each with text of 75 and a value of 150.
pub mod limits {
    pub const BLOCKS: usize = 50;
    pub const SECTION_TEXT: usize = 3_000;
    pub const FIELDS: usize = 10;
    pub const FIELD_TEXT: usize = 2_000;
    pub const BUTTON_TEXT: usize = 75;
    pub const BUTTON_VALUE: usize = 2_000;
    pub const OPTIONS: usize = 100;
    pub const OPTION_TEXT: usize = 75;
    pub const OPTION_VALUE: usize = 150;
}

/// `text` escaped for mrkdwn and cut (with `…`) to at most `max`
/// characters once escaped, never inside an escape.
pub fn escape_within(text: &str, max: usize) -> String {
    let escaped = escape(text);
    if escaped.chars().count() <= max {
        return escaped;
    }
    within(text, max, escape)
}

/// Plain text (a button's or an option's) cut to at most `max`
/// characters.
pub fn plain_within(text: &str, max: usize) -> String {
    within(text, max, str::to_owned)
}

/// The longest start of `text` that, rendered, fits in `max - 1`
/// characters, followed by `…` (when anything was cut).
fn within(text: &str, max: usize, render: impl Fn(&str) -> String) -> String {
    if render(text).chars().count() <= max {
        return render(text);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let piece = render(c.encode_utf8(&mut [0; 4]));
        let n = piece.chars().count();
        if used + n > max.saturating_sub(1) {
            break;
        }
        used += n;
        out.push_str(&piece);
    }
    out.push('…');
    out
}

/// A section of mrkdwn text (already escaped where it holds hub text).
pub fn section(mrkdwn: String) -> SlackBlock {
    SlackSectionBlock::new()
        .with_text(SlackBlockMarkDownText::new(mrkdwn).into())
        .into()
}

/// A message with its plain `text` (what notifications and clients
/// without blocks show; Slack reads it as mrkdwn too, so it is escaped
/// here, whatever it holds) and its blocks.
pub fn message(plain_text: &str, blocks: Vec<SlackBlock>) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(escape(plain_text))
        .with_blocks(blocks)
}

/// The body of an answer to a slash command that only the person who
/// typed it sees: the message's own fields beside `response_type`.
pub fn ephemeral_answer(content: &SlackMessageContent) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Ephemeral<'a> {
        response_type: &'static str,
        #[serde(flatten)]
        message: &'a SlackMessageContent,
    }
    serde_json::to_vec(&Ephemeral {
        response_type: "ephemeral",
        message: content,
    })
    .expect("a Block Kit message serializes")
}

/// A button with an action id and a value.
pub fn button(text: &str, action_id: &str, value: String) -> SlackBlockButtonElement {
    SlackBlockButtonElement::new(SlackBlockPlainText::new(text.to_owned()).into())
        .with_action_id(SlackActionId::new(action_id.to_owned()))
        .with_value(value)
}

/// The button a message is about, shown as the primary one.
pub fn primary_button(text: &str, action_id: &str, value: String) -> SlackBlockButtonElement {
    button(text, action_id, value).with_style(SlackBlockButtonStyle::Primary)
}

/// A section of mrkdwn fields, shown two by two (already escaped).
pub fn fields(texts: Vec<String>) -> SlackBlock {
    SlackSectionBlock::new()
        .with_fields(
            texts
                .into_iter()
                .take(limits::FIELDS)
                .map(|t| SlackBlockMarkDownText::new(t).into())
                .collect(),
        )
        .into()
}

/// A line of small mrkdwn text under a message (already escaped).
pub fn context(mrkdwn: String) -> SlackBlock {
    SlackContextBlock::new(vec![SlackContextBlockElement::MarkDown(
        SlackBlockMarkDownText::new(mrkdwn),
    )])
    .into()
}

/// A button that opens `url` in the browser (Slack still tells the app it
/// was pressed).
pub fn link_button(text: &str, action_id: &str, url: url::Url) -> SlackBlockButtonElement {
    SlackBlockButtonElement::new(SlackBlockPlainText::new(text.to_owned()).into())
        .with_action_id(SlackActionId::new(action_id.to_owned()))
        .with_url(url)
}

/// A select of `(text, value)` options, `initial` chosen; options beyond
/// Block Kit's limits are left out.
pub fn select(
    action_id: &str,
    placeholder: &str,
    options: Vec<(String, String)>,
    initial: Option<&str>,
) -> SlackBlockStaticSelectElement {
    let items = choice_items(options);
    let chosen = initial.and_then(|v| items.iter().find(|i| i.value == v).cloned());
    let mut element = SlackBlockStaticSelectElement::new()
        .with_action_id(SlackActionId::new(action_id.to_owned()))
        .with_placeholder(SlackBlockPlainText::new(placeholder.to_owned()).into())
        .with_options(items);
    element.initial_option = chosen;
    element
}

/// A row of buttons and selects.
pub fn controls(elements: Vec<SlackActionBlockElement>) -> SlackBlock {
    SlackActionsBlock::new(elements).into()
}

/// A row of buttons and selects with a `block_id` of the app's: Slack
/// sends it back with every action in the row.
pub fn controls_in(block_id: &str, elements: Vec<SlackActionBlockElement>) -> SlackBlock {
    SlackActionsBlock::new(elements)
        .with_block_id(SlackBlockId::new(block_id.to_owned()))
        .into()
}

/// A section of mrkdwn text with mrkdwn fields under it, two by two, and
/// a button beside it (all already escaped).
pub fn card(
    mrkdwn: String,
    fields: Vec<String>,
    accessory: Option<SlackBlockButtonElement>,
) -> SlackBlock {
    let mut block = SlackSectionBlock::new().with_text(SlackBlockMarkDownText::new(mrkdwn).into());
    if !fields.is_empty() {
        block = block.with_fields(
            fields
                .into_iter()
                .take(limits::FIELDS)
                .map(|t| SlackBlockMarkDownText::new(t).into())
                .collect(),
        );
    }
    block.accessory = accessory.map(SlackSectionBlockElement::Button);
    block.into()
}

/// A row of buttons.
pub fn actions(buttons: Vec<SlackBlockButtonElement>) -> SlackBlock {
    SlackActionsBlock::new(
        buttons
            .into_iter()
            .map(SlackActionBlockElement::Button)
            .collect(),
    )
    .into()
}

/// A modal: its title, its fields, Submit and Cancel; `callback_id`
/// names it when it is submitted, `metadata` comes back with it.
pub fn modal(
    title: &str,
    callback_id: &str,
    metadata: String,
    blocks: Vec<SlackBlock>,
) -> SlackView {
    let plain =
        |t: &str| -> SlackBlockPlainTextOnly { SlackBlockPlainText::new(t.to_owned()).into() };
    SlackView::Modal(
        SlackModalView::new(plain(title), blocks)
            .with_callback_id(SlackCallbackId::new(callback_id.to_owned()))
            .with_submit(plain("Submit"))
            .with_close(plain("Cancel"))
            .with_private_metadata(metadata),
    )
}

/// A modal that only shows something: its title, its blocks and Close
/// (no fields, so no Submit).
pub fn info_modal(title: &str, blocks: Vec<SlackBlock>) -> SlackView {
    let plain =
        |t: &str| -> SlackBlockPlainTextOnly { SlackBlockPlainText::new(t.to_owned()).into() };
    SlackView::Modal(SlackModalView::new(plain(title), blocks).with_close(plain("Close")))
}

/// One of a modal's fields: `id` is its block's and its element's id
/// (what a submission's values and errors are keyed by).
pub fn input(id: &str, label: &str, element: Field, optional: bool) -> SlackBlock {
    let element = match element {
        Field::Text {
            max,
            multiline,
            initial,
        } => {
            let mut text = SlackBlockPlainTextInputElement::new()
                .with_action_id(SlackActionId::new(id.to_owned()))
                .with_max_length(max as u64)
                .with_multiline(multiline);
            if let Some(initial) = initial.filter(|i| !i.is_empty()) {
                text = text.with_initial_value(plain_within(&initial, max));
            }
            text.into()
        }
        Field::Email => SlackBlockEmailInputElement::new()
            .with_action_id(SlackActionId::new(id.to_owned()))
            .into(),
        Field::Choice { options, initial } => {
            select(id, "Choose", options, initial.as_deref()).into()
        }
        Field::Grouped { groups, initial } => grouped_select(id, groups, initial.as_deref()).into(),
        Field::Date { initial } => {
            let mut date = SlackBlockDatePickerElement::new()
                .with_action_id(SlackActionId::new(id.to_owned()));
            date.initial_date = initial;
            date.into()
        }
        Field::Search { placeholder } => SlackBlockExternalSelectElement::new()
            .with_action_id(SlackActionId::new(id.to_owned()))
            .with_placeholder(SlackBlockPlainText::new(placeholder.to_owned()).into())
            .with_min_query_length(1)
            .into(),
    };
    let mut block =
        SlackInputBlock::new(SlackBlockPlainText::new(label.to_owned()).into(), element)
            .with_block_id(SlackBlockId::new(id.to_owned()));
    if optional {
        block = block.with_optional(true);
    }
    block.into()
}

/// What a modal's field takes.
pub enum Field {
    /// Plain text, at most `max` characters, prefilled with `initial`.
    Text {
        max: usize,
        multiline: bool,
        initial: Option<String>,
    },
    Email,
    /// One of `(text, value)` options, `initial` (a value) chosen.
    Choice {
        options: Vec<(String, String)>,
        initial: Option<String>,
    },
    /// One of `(text, value)` options in labelled groups.
    Grouped {
        groups: Vec<OptionGroup>,
        initial: Option<String>,
    },
    /// A day (`YYYY-MM-DD`).
    Date {
        initial: Option<String>,
    },
    /// One of the options the app suggests as the person types (an
    /// external select: `block_suggestion` to the options URL).
    Search {
        placeholder: &'static str,
    },
}

/// Options under a label: `(label, [(text, value)])`.
pub type OptionGroup = (String, Vec<(String, String)>);

fn choice_items(
    options: Vec<(String, String)>,
) -> Vec<SlackBlockChoiceItem<SlackBlockPlainTextOnly>> {
    options
        .into_iter()
        .filter(|(_, value)| value.chars().count() <= limits::OPTION_VALUE)
        .take(limits::OPTIONS)
        .map(|(text, value)| {
            SlackBlockChoiceItem::new(
                SlackBlockPlainText::new(plain_within(&text, limits::OPTION_TEXT)).into(),
                value,
            )
        })
        .collect()
}

fn option_groups(groups: Vec<OptionGroup>) -> Vec<SlackBlockOptionGroup<SlackBlockPlainTextOnly>> {
    groups
        .into_iter()
        .filter(|(_, options)| !options.is_empty())
        .take(limits::OPTIONS)
        .map(|(label, options)| {
            SlackBlockOptionGroup::new(
                SlackBlockPlainText::new(plain_within(&label, limits::OPTION_TEXT)).into(),
                choice_items(options),
            )
        })
        .collect()
}

/// A select of options in labelled groups, `initial` chosen.
fn grouped_select(
    action_id: &str,
    groups: Vec<OptionGroup>,
    initial: Option<&str>,
) -> SlackBlockStaticSelectElement {
    let groups = option_groups(groups);
    let chosen = initial.and_then(|v| {
        groups
            .iter()
            .flat_map(|g| &g.options)
            .find(|i| i.value == v)
            .cloned()
    });
    let mut element = SlackBlockStaticSelectElement::new()
        .with_action_id(SlackActionId::new(action_id.to_owned()))
        .with_placeholder(SlackBlockPlainText::new("Choose".to_owned()).into())
        .with_option_groups(groups);
    element.initial_option = chosen;
    element
}

/// An options load's answer (`block_suggestion`): the options in groups.
pub fn suggestions(groups: Vec<OptionGroup>) -> serde_json::Value {
    serde_json::json!({ "option_groups": option_groups(groups) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_slack_asks() {
        assert_eq!(escape("a <b> & c"), "a &lt;b&gt; &amp; c");
    }

    #[test]
    fn slack_text_reads_as_plain_text() {
        assert_eq!(plain_text("a &lt;b&gt; &amp;amp; c"), "a <b> &amp; c");
        assert_eq!(
            plain_text("see <https://x.example/a|the page> or <https://y.example>"),
            "see the page (https://x.example/a) or https://y.example"
        );
        assert_eq!(
            plain_text("<https://x.example|https://x.example>"),
            "https://x.example"
        );
        assert_eq!(
            plain_text("hi <@U123> <@U9|ada> in <#C1|general> <!here> <!subteam^S1|@ops>"),
            "hi @U123 @ada in #general @here @ops"
        );
        assert_eq!(plain_text("a < b"), "a < b");
        assert_eq!(plain_text(&escape("<!channel> & co")), "<!channel> & co");
    }

    #[test]
    fn cuts_text_to_a_limit_never_inside_an_escape() {
        assert_eq!(escape_within("a&b", 10), "a&amp;b");
        let cut = escape_within("ab&cd", 5);
        assert_eq!(cut, "ab…");
        let long = "<".repeat(5_000);
        let cut = escape_within(&long, limits::SECTION_TEXT);
        assert!(cut.chars().count() <= limits::SECTION_TEXT);
        assert!(cut.ends_with("&lt;…"), "{}", &cut[cut.len() - 10..]);
        assert_eq!(plain_within("abcdef", 4), "abc…");
    }
}
