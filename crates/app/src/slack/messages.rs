//! The Block Kit messages the app posts, built in one place. Every
//! message has a plain `text` too: Slack shows it in notifications and
//! where blocks cannot be shown. Hub text in mrkdwn is escaped.

use hubbub_hub::{ObjectType, RecordRef};
use hubbub_slack::blocks::{
    self, actions, button, context, controls, controls_in, escape, escape_within, fields, limits,
    link_button, message, plain_within, primary_button, section, select,
};
use hubbub_slack::{SlackActionBlockElement, SlackBlock, SlackMessageContent};

use super::cards::CardPlace;

pub mod previews;

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

/// The action ids of the buttons under a record, in a notification or a
/// card; each button's value is the record's
/// [`RecordRef`](hubbub_hub::RecordRef) (`deal:12`), a stage option's is
/// the record's and the stage's (`deal:12:won`). The ids say
/// "notification" because notifications had them first, and messages
/// already posted still carry them.
pub mod record_actions {
    pub const OPEN: &str = "notification.open";
    pub const ASSIGN_TO_ME: &str = "notification.assign_to_me";
    pub const COMPLETE_TASK: &str = "notification.complete_task";
    pub const SNOOZE_HOUR: &str = "notification.snooze_hour";
    pub const SNOOZE_TOMORROW: &str = "notification.snooze_tomorrow";
    pub const MOVE_STAGE: &str = "notification.move_stage";
    pub const ADD_NOTE: &str = "notification.add_note";
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
    /// Show "Add note".
    pub notable: bool,
    /// A deal's or ticket's stages `(label, id)` and its current one.
    pub stages: Vec<(String, String)>,
    pub stage: Option<String>,
}

impl RecordPart {
    /// The key properties as fields: the label in bold over the value.
    fn property_fields(&self) -> Vec<String> {
        self.properties
            .iter()
            .map(|(label, value)| {
                format!(
                    "*{}*\n{}",
                    escape_within(label, 100),
                    escape_within(value, limits::FIELD_TEXT - 110)
                )
            })
            .collect()
    }
}

/// A notification's direct message: the headline linked to the record,
/// what was said, the record's key properties, who did it, and buttons
/// that act on the record as the Slack user's hub user.
pub fn notification(n: &NotificationMessage<'_>) -> SlackMessageContent {
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
        blocks.push(fields(r.property_fields()));
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
    let row = record_controls(n.url, record);
    blocks.push(controls(row));
    blocks.truncate(limits::BLOCKS);
    let fallback = format!(
        "{}{}",
        n.headline,
        n.outcome.map(|o| format!(" ({o})")).unwrap_or_default()
    );
    message(&plain_within(&fallback, limits::SECTION_TEXT), blocks)
}

/// "Open in hub", then what can be done to the record.
fn record_controls(url: &url::Url, record: Option<&RecordPart>) -> Vec<SlackActionBlockElement> {
    use record_actions as ids;
    let mut row: Vec<SlackActionBlockElement> =
        vec![link_button("Open in hub", ids::OPEN, url.clone()).into()];
    let Some(r) = record else {
        return row;
    };
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
    if r.notable {
        row.push(button("Add note", ids::ADD_NOTE, value()).into());
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
    row
}

/// A record as a card shows it: its title linked to the hub, its type,
/// its key properties and the buttons that act on it.
pub struct RecordCard {
    pub record: RecordRef,
    pub title: String,
    /// "Contact", "Deal"…
    pub kind: String,
    pub url: url::Url,
    pub part: RecordPart,
}

/// A card's two blocks; its buttons' block id says where it is (`place`),
/// so that a press can draw it again.
fn card_blocks(card: &RecordCard, place: &CardPlace) -> [SlackBlock; 2] {
    [
        blocks::card(card_title(card), card.part.property_fields(), None),
        controls_in(
            &place.block_id(card.record),
            record_controls(&card.url, Some(&card.part)),
        ),
    ]
}

/// A card's first line: its title linked to the hub, and its type.
fn card_title(card: &RecordCard) -> String {
    format!(
        "*<{}|{}>*  \u{b7}  {}",
        card.url,
        escape_within(&card.title, 200),
        escape_within(&card.kind, 50)
    )
}

/// What a press did, above the cards it drew again.
fn outcome_block(outcome: &str) -> SlackBlock {
    section(format!(
        ":white_check_mark: {}",
        escape_within(outcome, limits::SECTION_TEXT - 30)
    ))
}

/// One record's card (a record just created, or opened from a link),
/// with what was last done to it.
pub fn record_card(
    card: &RecordCard,
    place: &CardPlace,
    outcome: Option<&str>,
) -> SlackMessageContent {
    let mut blocks: Vec<SlackBlock> = outcome.map(outcome_block).into_iter().collect();
    blocks.extend(card_blocks(card, place));
    let fallback = match outcome {
        Some(o) => format!("{}: {} ({o})", card.kind, card.title),
        None => format!("{}: {}", card.kind, card.title),
    };
    message(&plain_within(&fallback, limits::SECTION_TEXT), blocks)
}

/// The records of one type a search found.
pub struct CardGroup {
    pub object_type: ObjectType,
    /// How many match in all.
    pub total: i64,
    /// The same search in the hub.
    pub more: url::Url,
    pub cards: Vec<RecordCard>,
}

/// `/hs search`'s answer: per type, how many matched and the newest
/// cards, with a link to the rest in the hub; `refused` names the types
/// the searcher may not see.
pub struct SearchResults<'a> {
    pub query: &'a str,
    pub groups: Vec<CardGroup>,
    pub refused: Vec<String>,
    pub outcome: Option<&'a str>,
    /// Where the cards are.
    pub place: &'a CardPlace,
}

pub fn search_results(r: &SearchResults<'_>) -> SlackMessageContent {
    let mut blocks: Vec<SlackBlock> = r.outcome.map(outcome_block).into_iter().collect();
    let query = escape_within(r.query, 200);
    let found: Vec<String> = r
        .groups
        .iter()
        .filter(|g| g.total > 0)
        .map(|g| {
            let t = g.object_type;
            let kind = if g.total == 1 {
                t.label()
            } else {
                t.label_plural()
            };
            format!("{} {}", g.total, kind.to_lowercase())
        })
        .collect();
    if found.is_empty() {
        blocks.push(section(format!(
            "Nothing in the hub matches \u{201c}{query}\u{201d}. Search finds words at the start of names, emails, domains and titles: try fewer or shorter words."
        )));
    } else {
        blocks.push(section(format!(
            "Found for \u{201c}{query}\u{201d}: {}.",
            found.join(", ")
        )));
    }
    for group in r.groups.iter().filter(|g| !g.cards.is_empty()) {
        let shown = group.cards.len() as i64;
        let heading = if group.total > shown {
            format!(
                "*{}*: the newest {shown} of {}",
                group.object_type.label_plural(),
                group.total
            )
        } else {
            format!("*{}*", group.object_type.label_plural())
        };
        let more = (group.total > shown)
            .then(|| link_button("More in the hub", record_actions::OPEN, group.more.clone()));
        blocks.push(blocks::card(heading, Vec::new(), more));
        for card in &group.cards {
            blocks.extend(card_blocks(card, r.place));
        }
    }
    if !r.refused.is_empty() {
        blocks.push(context(format!(
            "Not searched: {}, which your hub role does not let you see.",
            escape_within(&r.refused.join(", "), 500)
        )));
    }
    blocks.truncate(limits::BLOCKS);
    let fallback = if found.is_empty() {
        format!("Nothing in the hub matches \u{201c}{}\u{201d}.", r.query)
    } else {
        format!(
            "Found for \u{201c}{}\u{201d}: {}.",
            r.query,
            found.join(", ")
        )
    };
    message(&plain_within(&fallback, limits::SECTION_TEXT), blocks)
}

/// Shown only to someone who typed a command that acts as their hub user
/// while their Slack account is mapped to none.
pub fn command_from_unmapped(settings: &url::Url) -> SlackMessageContent {
    plain(&format!(
        "Your Slack account is not mapped to a Hubbub user, so the hub cannot tell whose records to show. Nothing was done. Open your notification settings in the hub ({settings}) and click here to map your email address."
    ))
}

/// The action ids of a conversation's root message; each button's value
/// is the conversation's id.
pub mod conversation_actions {
    pub const ASSIGN_TO_ME: &str = "conversation.assign_to_me";
    pub const CLOSE: &str = "conversation.close";
    pub const REOPEN: &str = "conversation.reopen";
    pub const OPEN_CONTACT: &str = "conversation.open_contact";
}

/// Where a conversation stands, as its root message's status line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadStatus {
    Unassigned,
    AssignedTo(String),
    Closed,
}

impl ThreadStatus {
    pub fn line(&self) -> String {
        match self {
            ThreadStatus::Unassigned => "Unassigned".to_owned(),
            ThreadStatus::AssignedTo(name) => format!("Assigned to {name}"),
            ThreadStatus::Closed => "Closed".to_owned(),
        }
    }
}

/// A conversation as its thread's root message shows it.
pub struct ConversationRoot<'a> {
    pub conversation_id: i64,
    /// The name the visitor gave, or "Website visitor".
    pub visitor: &'a str,
    pub email: Option<&'a str>,
    /// The page the visitor wrote from (as the visitor's browser said).
    pub page_url: Option<&'a str>,
    pub inbox: &'a str,
    /// The visitor's contact in the hub.
    pub contact_url: Option<url::Url>,
    pub status: ThreadStatus,
}

/// The name a visitor's messages are posted under when they gave none.
pub const ANONYMOUS_VISITOR: &str = "Website visitor";

/// Slack's longest `username` for a message.
const USERNAME_CHARS: usize = 80;

/// A conversation's root message: who wrote from which page, the contact
/// in the hub, the status line, and the buttons that act on it as the
/// Slack user's hub user. Everything the visitor gave is escaped, and the
/// page is text, never a link of theirs.
pub fn conversation_root(r: &ConversationRoot<'_>) -> SlackMessageContent {
    use conversation_actions as ids;
    let mut lines = vec![format!(
        "*{}* started a chat in {}.",
        escape_within(r.visitor, 200),
        escape_within(r.inbox, 200)
    )];
    if let Some(email) = r.email {
        lines.push(format!("Email: {}", escape_within(email, 300)));
    }
    if let Some(page) = r.page_url {
        lines.push(format!("Page: {}", escape_within(page, 1_000)));
    }
    let mut blocks = vec![
        section(lines.join("\n")),
        context(format!(
            "Status: *{}*",
            escape_within(&r.status.line(), 300)
        )),
    ];
    let value = || r.conversation_id.to_string();
    let mut row: Vec<SlackActionBlockElement> = Vec::new();
    if r.status != ThreadStatus::Closed {
        row.push(primary_button("Assign to me", ids::ASSIGN_TO_ME, value()).into());
        row.push(button("Close", ids::CLOSE, value()).into());
    } else {
        row.push(button("Reopen", ids::REOPEN, value()).into());
    }
    if let Some(url) = &r.contact_url {
        row.push(link_button("Open contact in hub", ids::OPEN_CONTACT, url.clone()).into());
    }
    blocks.push(controls(row));
    let fallback = format!(
        "{} started a chat in {} ({})",
        r.visitor,
        r.inbox,
        r.status.line()
    );
    message(&plain_within(&fallback, limits::SECTION_TEXT), blocks)
}

/// A message of the conversation in its thread, posted under `username`
/// (what Slack shows instead of the app's name).
pub struct ThreadMessage {
    pub username: String,
    pub content: SlackMessageContent,
}

/// Text in the thread: escaped, so that no one's text mentions anyone or
/// disguises a link.
fn said(text: &str) -> SlackMessageContent {
    SlackMessageContent::new().with_text(escape(text))
}

/// What the visitor wrote, under their name.
pub fn visitor_said(visitor: &str, text: &str) -> ThreadMessage {
    ThreadMessage {
        username: plain_within(visitor, USERNAME_CHARS),
        content: said(text),
    }
}

/// An agent's answer written in the hub, under "NAME (from the hub)".
pub fn agent_said(agent: &str, text: &str) -> ThreadMessage {
    ThreadMessage {
        username: plain_within(&format!("{agent} (from the hub)"), USERNAME_CHARS),
        content: said(text),
    }
}

/// A private note written in the hub: marked so, never the visitor's.
pub fn private_note(agent: &str, text: &str) -> ThreadMessage {
    ThreadMessage {
        username: plain_within(&format!("{agent} (from the hub)"), USERNAME_CHARS),
        content: SlackMessageContent::new().with_text(format!(
            ":lock: *Private note* (the visitor does not see it)\n{}",
            escape(text)
        )),
    }
}

/// Said in the thread when an answer could not reach the visitor.
pub fn delivery_failed(reason: &str) -> SlackMessageContent {
    SlackMessageContent::new().with_text(format!(
        ":warning: The answer above did not reach the visitor: {}",
        escape_within(reason, limits::SECTION_TEXT)
    ))
}

/// Shown only to a Slack user whose thread reply was not sent because the
/// hub does not know who they are.
pub fn reply_from_unmapped(settings: &url::Url) -> SlackMessageContent {
    let text = format!(
        "Your reply was not sent to the visitor: your Slack account is not mapped to a Hubbub user, so the hub cannot tell who is answering. Open your notification settings in the hub ({settings}) and click here to map your email address, then reply again."
    );
    message(
        &text,
        vec![
            section(format!(
                "Your reply was *not sent* to the visitor: your Slack account is not mapped to a Hubbub user, so the hub cannot tell who is answering. In the hub's <{settings}|notification settings>, choose *click here to map your email address*, then reply again."
            )),
        ],
    )
}

/// Shown only to a Slack user who pressed a conversation's button while
/// the hub does not know who they are.
pub fn press_from_unmapped(settings: &url::Url) -> SlackMessageContent {
    plain(&format!(
        "Your Slack account is not mapped to a Hubbub user, so the hub cannot tell who pressed the button. Nothing was changed. Open your notification settings in the hub ({settings}) and click here to map your email address."
    ))
}

/// Shown only to a Slack user whose thread reply the hub refused, with
/// why.
pub fn reply_refused(why: &str) -> SlackMessageContent {
    plain(&format!("Your reply was not sent to the visitor: {why}"))
}

/// `/hs help`: what the command does, with examples; `unknown` is a
/// sub-command typed that the app does not know.
pub fn hs_help(unknown: Option<&str>) -> SlackMessageContent {
    let mut blocks = Vec::new();
    if let Some(word) = unknown {
        blocks.push(section(format!(
            "`/hs {}` is not something Hubbub knows. Here is what it does:",
            escape_within(word, 100)
        )));
    }
    blocks.push(section(
        "*Hubbub in Slack*\n\u{2022} `/hs help` shows this.\n\u{2022} `/hs search {text}` finds contacts, companies, deals and tickets, shown only to you as cards with buttons: assign to me, move to a stage, add a note, open in the hub. Example: `/hs search Ada`.\n\u{2022} `/hs create contact|company|deal|ticket|task` opens a dialog to make one, linked to a record you choose. Example: `/hs create deal`.\n\u{2022} `/hs -feedback {your feedback}` sends feedback about Hubbub in Slack to your hub's admins: a dialog opens with your text, to choose its kind and add your name and email if you like. Example: `/hs -feedback The notifications are great`."
            .to_owned(),
    ));
    blocks.push(context(
        "On any message, the shortcuts menu (\u{22ee} More actions) has *Create task from message* and *Log message to record*. Notifications reach you here in direct messages; website chats are answered in their inbox's channel.".to_owned(),
    ));
    message(
        "Hubbub: /hs help shows this; /hs search {text} finds records; /hs create {type} makes one; /hs -feedback {your feedback} sends feedback.",
        blocks,
    )
}

/// Beside a dialog's field, when the Slack user who submitted it is
/// mapped to no hub user.
pub const UNMAPPED_DIALOG: &str = "Your Slack account is not mapped to a Hubbub user, so the hub cannot tell who you are. Nothing was saved. Map it in the hub's notification settings (click here to map your email address), then try again.";

/// `/hs create` with no type, or one it does not make.
pub fn create_what(typed: &str) -> SlackMessageContent {
    let asked = if typed.is_empty() {
        "Create what?".to_owned()
    } else {
        format!("Hubbub cannot create \u{201c}{typed}\u{201d}.")
    };
    plain(&format!(
        "{asked} Type /hs create contact, /hs create company, /hs create deal, /hs create ticket or /hs create task."
    ))
}

/// `/hs search` with nothing to search for.
pub fn search_needs_text() -> SlackMessageContent {
    plain("Type what to look for after /hs search, for example /hs search Ada or /hs search acme.com. It finds contacts, companies, deals and tickets by the start of their words.")
}

/// A command or action from a workspace that no Hubbub account has
/// connected.
pub fn workspace_not_connected(marketplace: &url::Url) -> SlackMessageContent {
    plain(&format!(
        "This Slack workspace is not connected to a Hubbub account. A super admin connects it in the hub: Settings > App Marketplace > Connect app ({marketplace})."
    ))
}

/// Slack's `trigger_id` ran out before the dialog could open.
pub fn dialog_too_late() -> SlackMessageContent {
    plain("The dialog could not open in time. Type the command again.")
}

/// Slack refused to open a dialog.
pub fn dialog_not_opened() -> SlackMessageContent {
    plain("Slack did not open the dialog. Try the command again in a moment.")
}

/// Shown only to whoever sent feedback.
pub fn feedback_thanks(kind: hubbub_hub::feedback::FeedbackKind) -> SlackMessageContent {
    plain(&format!(
        "Thank you: your feedback ({}) was sent to the admins of your Hubbub. Only you can see this message.",
        kind.label()
    ))
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
