//! The modals the app opens, built in one place (as `messages` builds its
//! messages): each names its `callback_id`, so that its submission comes
//! back to the use case that opened it, and its fields by the names that
//! a submission's values and errors are given under.

use hubbub_hub::feedback::{FeedbackField, FeedbackKind, MAX_DETAILS, MAX_NAME};
use hubbub_slack::blocks::{input, modal, plain_within, Field};
use hubbub_slack::SlackView;

/// The feedback dialog's `callback_id`.
pub const FEEDBACK: &str = "hubbub_feedback";

/// The "Add note" dialog's `callback_id`.
pub const NOTE: &str = "hubbub_note";

/// The "Add note" dialog's one field (its block's and element's id).
pub const NOTE_BODY: &str = "note";

/// The longest note the dialog takes (Slack's plain-text input allows
/// 3,000 characters).
pub const MAX_NOTE: usize = 3_000;

/// "Add note" on a record card: the note's text, Submit. `metadata`
/// comes back with the submission.
pub fn note(record_title: &str, metadata: String) -> SlackView {
    modal(
        "Add note",
        NOTE,
        metadata,
        vec![input(
            NOTE_BODY,
            &format!("Note on {}", plain_within(record_title, 100)),
            Field::Text {
                max: MAX_NOTE,
                multiline: true,
                initial: None,
            },
            false,
        )],
    )
}

/// `/hs -feedback {typed}`'s dialog: a kind ("Thoughts" chosen), the
/// details prefilled with what was typed, an optional name and email,
/// Submit. `metadata` comes back with the submission.
pub fn feedback(typed: &str, metadata: String) -> SlackView {
    let kinds = FeedbackKind::ALL
        .into_iter()
        .map(|k| (k.label().to_owned(), k.as_str().to_owned()))
        .collect();
    let text = |max, multiline, initial| Field::Text {
        max,
        multiline,
        initial,
    };
    let field = |f: FeedbackField| f.as_str();
    modal(
        "Send feedback",
        FEEDBACK,
        metadata,
        vec![
            input(
                field(FeedbackField::Kind),
                "Kind",
                Field::Choice {
                    options: kinds,
                    initial: FeedbackKind::Thoughts.as_str().to_owned(),
                },
                false,
            ),
            input(
                field(FeedbackField::Details),
                "Details",
                text(MAX_DETAILS, true, Some(typed.trim().to_owned())),
                false,
            ),
            input(
                field(FeedbackField::Name),
                "Name",
                text(MAX_NAME, false, None),
                true,
            ),
            input(field(FeedbackField::Email), "Email", Field::Email, true),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_feedback_dialog_is_prefilled_and_names_its_fields() {
        let view = serde_json::to_value(feedback("  Love it <!channel> ", "meta".into())).unwrap();
        assert_eq!(view["type"], "modal");
        assert_eq!(view["callback_id"], FEEDBACK);
        assert_eq!(view["private_metadata"], "meta");
        assert_eq!(view["submit"]["text"], "Submit");
        let blocks = view["blocks"].as_array().unwrap();
        let ids: Vec<_> = blocks.iter().map(|b| b["block_id"].clone()).collect();
        assert_eq!(ids, ["kind", "details", "name", "email"]);
        assert_eq!(blocks[0]["element"]["initial_option"]["value"], "thoughts");
        assert_eq!(
            blocks[0]["element"]["options"][0]["text"]["text"],
            "Thoughts"
        );
        // Plain text in an input: shown as typed, never read as mrkdwn.
        assert_eq!(blocks[1]["element"]["initial_value"], "Love it <!channel>");
        assert_eq!(blocks[1]["element"]["multiline"], true);
        assert!(blocks[1].get("optional").is_none());
        assert_eq!(blocks[2]["optional"], true);
        assert_eq!(blocks[3]["element"]["type"], "email_text_input");
    }
}
