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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_slack_asks() {
        assert_eq!(escape("a <b> & c"), "a &lt;b&gt; &amp; c");
    }
}
