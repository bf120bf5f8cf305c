//! The blocks of a link's preview (its unfurl) at the levels that show
//! less than a record's card, and the dialog a button-only preview opens.
//! A full-details preview is the record's card ([`super::record_card`]).

use hubbub_hub::{ObjectType, RecordRef};
use hubbub_slack::blocks::{self, button, escape_within, info_modal, link_button, plain_within};
use hubbub_slack::{SlackBlock, SlackView};

use super::{card_title, record_actions, RecordCard};

/// The button of a button-only preview; its value is the record
/// ([`RecordRef`], `deal:12`).
pub const OPEN_PREVIEW: &str = "preview.open";

/// Button only: a button that shows the record to whoever presses it,
/// and nothing of the record but its type (which its link says already).
pub fn button_only(record: RecordRef) -> Vec<SlackBlock> {
    let kind = record.object_type.singular();
    vec![blocks::card(
        format!("A {kind} in Hubbub. Whoever presses the button sees it as their hub permissions allow."),
        Vec::new(),
        Some(button(
            &format!("Preview the {kind}"),
            OPEN_PREVIEW,
            record.encode(),
        )),
    )]
}

/// Name and type: "Deal: Big deal", with a link to the record.
pub fn name_and_type(t: ObjectType, title: &str, url: &url::Url) -> Vec<SlackBlock> {
    vec![blocks::card(
        format!("{}: *{}*", t.label(), escape_within(title, 500)),
        Vec::new(),
        Some(link_button(
            "Open in hub",
            record_actions::OPEN,
            url.clone(),
        )),
    )]
}

/// What replaces a preview that may no longer show the record (it went,
/// or the person who shared the link lost sight of it).
pub fn no_longer_shown() -> Vec<SlackBlock> {
    vec![blocks::section(
        "This preview is no longer available.".to_owned(),
    )]
}

/// A button-only preview pressed: the record's card as the presser may
/// see it, in a dialog only they see, with a link to the hub (its other
/// buttons belong to messages, which a dialog is not).
pub fn record_dialog(card: &RecordCard) -> SlackView {
    info_modal(
        &plain_within(&card.kind, 24),
        vec![blocks::card(
            card_title(card),
            card.part.property_fields(),
            Some(link_button(
                "Open in hub",
                record_actions::OPEN,
                card.url.clone(),
            )),
        )],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slack::messages::tests::{texts, HOSTILE};
    use crate::slack::messages::RecordPart;

    #[test]
    fn previews_escape_hub_text_and_button_only_shows_no_record_data() {
        let deal = RecordRef::new(ObjectType::Deal, 12);
        let url: url::Url = "https://hub.example/deals/12".parse().unwrap();
        let card = RecordCard {
            record: deal,
            title: HOSTILE.to_owned(),
            kind: "Deal".to_owned(),
            url: url.clone(),
            part: RecordPart {
                value: deal.encode(),
                properties: vec![("Amount".into(), HOSTILE.into())],
                assignable: true,
                completable: false,
                snoozable: false,
                notable: true,
                stages: Vec::new(),
                stage: None,
            },
        };
        let shown = [
            serde_json::to_value(name_and_type(ObjectType::Deal, HOSTILE, &url)).unwrap(),
            serde_json::to_value(record_dialog(&card)).unwrap(),
        ];
        for json in &shown {
            let mut all = Vec::new();
            texts(json, &mut all);
            assert!(!all.is_empty(), "{json}");
            for text in &all {
                assert!(!text.contains("<!channel>"), "{text}");
                assert!(!text.contains("<http://evil"), "{text}");
            }
        }
        let dialog = &shown[1];
        assert_eq!(dialog["type"], "modal");
        assert_eq!(dialog["title"]["text"], "Deal");
        assert!(dialog.get("submit").is_none(), "{dialog}");
        let button = serde_json::to_value(button_only(deal)).unwrap();
        assert_eq!(button[0]["accessory"]["text"]["text"], "Preview the deal");
        assert_eq!(button[0]["accessory"]["action_id"], OPEN_PREVIEW);
        assert_eq!(button[0]["accessory"]["value"], "deal:12");
    }
}
