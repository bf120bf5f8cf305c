//! The Block Kit messages the app posts, built in one place. Every
//! message has a plain `text` too: Slack shows it in notifications and
//! where blocks cannot be shown. Hub text in mrkdwn is escaped.

use hubbub_slack::blocks::{
    actions, button, context, controls, escape, escape_within, fields, limits, link_button,
    message, plain_within, primary_button, section, select,
};
use hubbub_slack::{SlackActionBlockElement, SlackMessageContent};

/// The button that confirms a hub-to-Slack user mapping; its value is the
/// request's id.
pub const MAPPING_CONFIRM: &str = "user_mapping.confirm";

/// Who asks to be mapped to the Slack user reading the message.
pub struct MappingRequestMessage<'a> {
    pub request_id: i64,
    pub hub_user_name: &'a str,
    pub hub_user_email: &'a str,
    /// "28 Nov 2026, 23:40 UTC"
    pub expires: &'a str,
}

/// The direct message asking a Slack user to confirm that a hub user is
/// them, with a Confirm button only they can use.
pub fn mapping_request(r: &MappingRequestMessage<'_>) -> SlackMessageContent {
    let ask = format!(
        "*{}* ({}) asked to connect their Hubbub account to your Slack account, so that their hub notifications and actions reach you here.",
        escape(r.hub_user_name),
        escape(r.hub_user_email)
    );
    let confirm = primary_button("Confirm", MAPPING_CONFIRM, r.request_id.to_string());
    message(
        &format!(
            "{} ({}) asked to connect their Hubbub account to you. Confirm in Slack by {}.",
            r.hub_user_name, r.hub_user_email, r.expires
        ),
        vec![
            section(ask),
            section(format!(
                "If that is you, press *Confirm* by {}. If it is not, ignore this message: nothing changes.",
                escape(r.expires)
            )),
            actions(vec![confirm]),
        ],
    )
}

/// Replaces the request once confirmed.
pub fn mapping_confirmed(hub_user_name: &str) -> SlackMessageContent {
    let text = format!(
        "Done: your Slack account is now connected to {}'s Hubbub account.",
        hub_user_name
    );
    message(
        &text,
        vec![section(format!(
            ":white_check_mark: Done: your Slack account is now connected to *{}*'s Hubbub account.",
            escape(hub_user_name)
        ))],
    )
}

/// Replaces a request that can no longer be confirmed (expired or
/// replaced by a newer one).
pub fn mapping_no_longer_valid(hub_user_name: &str, why: &str) -> SlackMessageContent {
    plain(&format!(
        "This request from {hub_user_name} {why}. {hub_user_name} can send a new one from the hub's notification settings."
    ))
}

/// A message that only says `text` (escaped).
pub fn plain(text: &str) -> SlackMessageContent {
    message(text, vec![section(escape(text))])
}

/// Shown only to someone who pressed Confirm on a request meant for
/// another Slack user.
pub fn mapping_not_yours() -> SlackMessageContent {
    plain("This request is addressed to someone else: only the Slack user it was sent to can confirm it. Nothing was changed.")
}

/// The action ids of a notification's buttons; each button's value is
/// the record's [`RecordRef`](hubbub_hub::RecordRef) (`deal:12`),
/// a stage option's is the record's and the stage's (`deal:12:won`).
pub mod notification_actions {
    pub const OPEN: &str = "notification.open";
    pub const ASSIGN_TO_ME: &str = "notification.assign_to_me";
    pub const COMPLETE_TASK: &str = "notification.complete_task";
    pub const SNOOZE_HOUR: &str = "notification.snooze_hour";
    pub const SNOOZE_TOMORROW: &str = "notification.snooze_tomorrow";
    pub const MOVE_STAGE: &str = "notification.move_stage";
}

/// A notification as its Slack message shows it.
pub struct NotificationMessage<'a> {
    /// What happened, in one line.
    pub headline: &'a str,
    /// What was said (a comment), if anything.
    pub detail: &'a str,
    /// Who did it; `None` when the hub did (a reminder).
    pub actor: Option<&'a str>,
    /// The record in the hub, the target of the headline's link and of
    /// "Open in hub".
    pub url: &'a url::Url,
    pub record: Option<RecordPart>,
    /// What was done from Slack since, shown in place of the buttons that
    /// did it: "Ada assigned it to herself".
    pub outcome: Option<&'a str>,
}

/// The record a notification is about, with what can be done to it.
pub struct RecordPart {
    /// The record's [`RecordRef`](hubbub_hub::RecordRef).
    pub value: String,
    /// Its key properties, `(label, value)`, in order.
    pub properties: Vec<(String, String)>,
    /// Show "Assign to me".
    pub assignable: bool,
    /// A task not completed: show "Complete task".
    pub completable: bool,
    /// A task reminder: show the snooze buttons.
    pub snoozable: bool,
    /// A deal's or ticket's stages `(label, id)` and its current one.
    pub stages: Vec<(String, String)>,
    pub stage: Option<String>,
}

/// A notification's direct message: the headline linked to the record,
/// what was said, the record's key properties, who did it, and buttons
/// that act on the record as the Slack user's hub user.
pub fn notification(n: &NotificationMessage<'_>) -> SlackMessageContent {
    use notification_actions as ids;
    let mut blocks = vec![section(escape_within(
        &format!("{}.", n.headline),
        limits::SECTION_TEXT,
    ))];
    if !n.detail.is_empty() {
        let quoted = escape_within(n.detail, limits::SECTION_TEXT - 200)
            .lines()
            .map(|l| format!(">{l}"))
            .collect::<Vec<_>>()
            .join("\n");
        blocks.push(section(quoted));
    }
    let record = n.record.as_ref();
    if let Some(r) = record.filter(|r| !r.properties.is_empty()) {
        blocks.push(fields(
            r.properties
                .iter()
                .map(|(label, value)| {
                    format!(
                        "*{}*\n{}",
                        escape_within(label, 100),
                        escape_within(value, limits::FIELD_TEXT - 110)
                    )
                })
                .collect(),
        ));
    }
    if let Some(actor) = n.actor {
        blocks.push(context(format!("By {}", escape_within(actor, 200))));
    }
    if let Some(outcome) = n.outcome {
        blocks.push(section(format!(
            ":white_check_mark: {}",
            escape_within(outcome, limits::SECTION_TEXT - 30)
        )));
    }
    let mut row: Vec<SlackActionBlockElement> = vec![SlackActionBlockElement::Button(link_button(
        "Open in hub",
        ids::OPEN,
        n.url.clone(),
    ))];
    if let Some(r) = record {
        let value = || r.value.clone();
        if r.assignable {
            row.push(button("Assign to me", ids::ASSIGN_TO_ME, value()).into());
        }
        if r.completable {
            row.push(primary_button("Complete task", ids::COMPLETE_TASK, value()).into());
        }
        if r.snoozable {
            row.push(button("Snooze 1 hour", ids::SNOOZE_HOUR, value()).into());
            row.push(button("Snooze until tomorrow", ids::SNOOZE_TOMORROW, value()).into());
        }
        if !r.stages.is_empty() {
            let options = r
                .stages
                .iter()
                .map(|(label, id)| (label.clone(), format!("{}:{id}", r.value)))
                .collect();
            let current = r.stage.as_ref().map(|s| format!("{}:{s}", r.value));
            row.push(
                select(
                    ids::MOVE_STAGE,
                    "Move to stage",
                    options,
                    current.as_deref(),
                )
                .into(),
            );
        }
    }
    blocks.push(controls(row));
    blocks.truncate(limits::BLOCKS);
    let fallback = format!(
        "{}{}",
        n.headline,
        n.outcome.map(|o| format!(" ({o})")).unwrap_or_default()
    );
    message(&plain_within(&fallback, limits::SECTION_TEXT), blocks)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::Value;

    /// What a hostile hub user might call themselves.
    pub(crate) const HOSTILE: &str = "<!channel> <http://evil.example|Click here to confirm> & co";

    /// Every string Slack reads as mrkdwn or shows: `text` at any depth.
    pub(crate) fn texts(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    match v {
                        Value::String(s) if key == "text" => out.push(s.clone()),
                        other => texts(other, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| texts(v, out)),
            _ => {}
        }
    }

    #[test]
    fn no_message_lets_hub_text_mention_everyone_or_disguise_a_link() {
        let messages = [
            mapping_request(&MappingRequestMessage {
                request_id: 1,
                hub_user_name: HOSTILE,
                hub_user_email: HOSTILE,
                expires: HOSTILE,
            }),
            mapping_confirmed(HOSTILE),
            mapping_no_longer_valid(HOSTILE, HOSTILE),
            mapping_not_yours(),
        ];
        for message in messages {
            let json = serde_json::to_value(&message).unwrap();
            let mut all = Vec::new();
            texts(&json, &mut all);
            assert!(!all.is_empty(), "{json}");
            for text in &all {
                assert!(!text.contains("<!channel>"), "a live @channel: {text}");
                assert!(!text.contains("<http://evil"), "a disguised link: {text}");
                assert!(!text.contains("& co"), "unescaped &: {text}");
            }
            assert!(json["text"].as_str().is_some(), "a fallback text: {json}");
        }
    }

    #[test]
    fn request_carries_its_id_on_the_confirm_button() {
        let m = mapping_request(&MappingRequestMessage {
            request_id: 42,
            hub_user_name: "Ada <script>",
            hub_user_email: "ada@hub.test",
            expires: "tomorrow",
        });
        let json = serde_json::to_value(&m).unwrap();
        let button = &json["blocks"][2]["elements"][0];
        assert_eq!(button["action_id"], MAPPING_CONFIRM);
        assert_eq!(button["value"], "42");
        assert_eq!(button["style"], "primary");
        assert!(json["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("Ada &lt;script&gt;"));
        assert!(json["text"].as_str().unwrap().contains("tomorrow"));
    }
}
