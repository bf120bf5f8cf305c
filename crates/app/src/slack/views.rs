//! The modals the app opens, built in one place (as `messages` builds its
//! messages): each names its `callback_id`, so that its submission comes
//! back to the use case that opened it, and its fields by the names that
//! a submission's values and errors are given under.

use hubbub_hub::feedback::{FeedbackField, FeedbackKind, MAX_DETAILS, MAX_NAME};
use hubbub_hub::pipeline::Pipeline;
use hubbub_hub::property::PropertySet;
use hubbub_hub::ObjectType;
use hubbub_slack::blocks::{input, modal, plain_within, Field, OptionGroup};
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
                    initial: Some(FeedbackKind::Thoughts.as_str().to_owned()),
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

/// The "Log message to record" dialog's `callback_id`.
pub const LOG_MESSAGE: &str = "hubbub_log_message";

/// "Log message to record": the record to log it on, found as one
/// types, and the note (prefilled with the message and where it is from).
pub fn log_message(note: &str, metadata: String) -> SlackView {
    modal(
        "Log message",
        LOG_MESSAGE,
        metadata,
        vec![
            input(
                ASSOCIATE,
                "Record",
                Field::Search {
                    placeholder: "Search for a contact, company, deal or ticket",
                },
                false,
            ),
            input(
                NOTE_BODY,
                "Note",
                Field::Text {
                    max: MAX_NOTE,
                    multiline: true,
                    initial: Some(note.to_owned()),
                },
                false,
            ),
        ],
    )
}

/// The "create a record" dialog's `callback_id`.
pub const CREATE: &str = "hubbub_create";

/// The create dialog's field of a record's pipeline and stage (one
/// select, grouped by pipeline; see [`stage_value`]).
pub const STAGE: &str = "stage";

/// The create dialog's field of the record's owner.
pub const OWNER: &str = "hubspot_owner_id";

/// The create dialog's field of a record to link the new one to.
pub const ASSOCIATE: &str = "associate";

/// A stage option's value: its pipeline's and its own id, as JSON, since
/// either may hold any character.
pub fn stage_value(pipeline: &str, stage: &str) -> String {
    serde_json::to_string(&(pipeline, stage)).expect("two strings serialize")
}

/// What the create dialog starts with.
pub struct CreateDialog<'a> {
    pub object_type: ObjectType,
    pub props: &'a PropertySet,
    pub pipelines: &'a [Pipeline],
    /// The account's active users `(name, id)`, and the one chosen.
    pub owners: Vec<(String, String)>,
    pub owner: Option<String>,
    /// Prefilled values by property (a message's text for a task).
    pub initial: Vec<(&'static str, String)>,
    /// Comes back with the submission.
    pub metadata: String,
}

/// The properties the create dialog asks for, per type: `(name,
/// required, multiline)`; the title first, which is required, but for a
/// contact's, which the hub's rule replaces: an email, a first name or a
/// last name will do.
fn create_fields(t: ObjectType) -> &'static [(&'static str, bool, bool)] {
    match t {
        ObjectType::Contact => &[
            ("firstname", false, false),
            ("lastname", false, false),
            ("email", false, false),
            ("phone", false, false),
            ("jobtitle", false, false),
        ],
        ObjectType::Company => &[("name", true, false), ("domain", false, false)],
        ObjectType::Deal => &[("dealname", true, false), ("amount", false, false)],
        ObjectType::Ticket => &[("subject", true, false), ("content", false, true)],
        ObjectType::Task => &[
            ("hs_task_subject", true, false),
            ("hs_task_body", false, true),
        ],
        ObjectType::Note => &[],
    }
}

/// The create dialog's title field of type `t` (first).
pub fn title_field(t: ObjectType) -> &'static str {
    create_fields(t).first().map_or("", |(name, _, _)| *name)
}

/// Whether the create dialog of type `t` has a field of `property`.
pub fn create_fields_hold(t: ObjectType, property: &str) -> bool {
    create_fields(t)
        .iter()
        .any(|(name, _, _)| *name == property)
        || create_extras(t).iter().any(|(name, _)| *name == property)
}

/// More properties after the stage: dates and choices.
fn create_extras(t: ObjectType) -> &'static [(&'static str, bool)] {
    match t {
        ObjectType::Deal => &[("closedate", false)],
        ObjectType::Ticket => &[("hs_ticket_priority", false)],
        ObjectType::Task => &[("hs_timestamp", true), ("hs_task_priority", false)],
        _ => &[],
    }
}

/// What a record to link the new one to can be, as the dialog says it.
fn associate_hint(t: ObjectType) -> &'static str {
    match t {
        ObjectType::Contact => "Search for a company",
        ObjectType::Company => "Search for a contact",
        _ => "Search for a contact, company, deal or ticket",
    }
}

/// `/hs create TYPE`'s dialog: the type's main fields (the title
/// required), its pipeline and stage, dates and choices, the owner (the
/// creator chosen) and a record to link it to, found as one types.
pub fn create_record(d: &CreateDialog<'_>) -> SlackView {
    let t = d.object_type;
    let initial = |name: &str| {
        d.initial
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    };
    let label = |name: &str| {
        d.props
            .get(name)
            .map(|p| p.label.clone())
            .unwrap_or_else(|| name.to_owned())
    };
    let mut blocks = Vec::new();
    for &(name, required, multiline) in create_fields(t) {
        let field = if name == "email" {
            Field::Email
        } else {
            Field::Text {
                max: MAX_NOTE,
                multiline,
                initial: initial(name),
            }
        };
        blocks.push(input(name, &label(name), field, !required));
    }
    if let Some((_, stage_prop)) = t.pipeline_properties() {
        let groups: Vec<OptionGroup> = d
            .pipelines
            .iter()
            .map(|p| {
                let stages = p
                    .stages
                    .iter()
                    .map(|s| (s.label.clone(), stage_value(&p.id, &s.id)))
                    .collect();
                (p.label.clone(), stages)
            })
            .collect();
        let first = d
            .pipelines
            .first()
            .and_then(|p| Some(stage_value(&p.id, &p.stages.first()?.id)));
        let field = Field::Grouped {
            groups,
            initial: first,
        };
        blocks.push(input(STAGE, &label(stage_prop), field, false));
    }
    for &(name, required) in create_extras(t) {
        let Some(def) = d.props.get(name) else {
            continue;
        };
        let field = if def.options.is_empty() {
            Field::Date {
                initial: initial(name),
            }
        } else {
            Field::Choice {
                options: def
                    .options
                    .iter()
                    .map(|o| (o.label.clone(), o.value.clone()))
                    .collect(),
                initial: None,
            }
        };
        blocks.push(input(name, &def.label, field, !required));
    }
    let owner = Field::Choice {
        options: d.owners.clone(),
        initial: d.owner.clone(),
    };
    blocks.push(input(OWNER, &label(OWNER), owner, true));
    let associate = Field::Search {
        placeholder: associate_hint(t),
    };
    blocks.push(input(ASSOCIATE, "Link to", associate, true));
    modal(
        &format!("New {}", t.singular()),
        CREATE,
        d.metadata.clone(),
        blocks,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_create_dialog_asks_for_its_types_fields() {
        use hubbub_hub::pipeline::Stage;
        let stage = |id: &str| Stage {
            id: id.into(),
            label: id.into(),
            display_order: 0,
            metadata: Vec::new(),
            created_at: 0,
            updated_at: 0,
        };
        let pipeline = Pipeline {
            id: "support".into(),
            label: "Support".into(),
            display_order: 0,
            stages: vec![stage("new"), stage("done")],
            created_at: 0,
            updated_at: 0,
        };
        let expected: [(ObjectType, &[&str]); 5] = [
            (
                ObjectType::Contact,
                &[
                    "firstname",
                    "lastname",
                    "email",
                    "phone",
                    "jobtitle",
                    OWNER,
                    ASSOCIATE,
                ],
            ),
            (ObjectType::Company, &["name", "domain", OWNER, ASSOCIATE]),
            (
                ObjectType::Deal,
                &["dealname", "amount", STAGE, "closedate", OWNER, ASSOCIATE],
            ),
            (
                ObjectType::Ticket,
                &[
                    "subject",
                    "content",
                    STAGE,
                    "hs_ticket_priority",
                    OWNER,
                    ASSOCIATE,
                ],
            ),
            (
                ObjectType::Task,
                &[
                    "hs_task_subject",
                    "hs_task_body",
                    "hs_timestamp",
                    "hs_task_priority",
                    OWNER,
                    ASSOCIATE,
                ],
            ),
        ];
        for (t, fields) in expected {
            let props = PropertySet::new(t, Vec::new());
            let view = serde_json::to_value(create_record(&CreateDialog {
                object_type: t,
                props: &props,
                pipelines: std::slice::from_ref(&pipeline),
                owners: vec![("Ada".into(), "7".into())],
                owner: Some("7".into()),
                initial: Vec::new(),
                metadata: String::new(),
            }))
            .unwrap();
            let blocks = view["blocks"].as_array().unwrap();
            let ids: Vec<&str> = blocks
                .iter()
                .map(|b| b["block_id"].as_str().unwrap())
                .collect();
            assert_eq!(ids, fields, "{t:?}");
            assert_eq!(
                blocks[0].get("optional").is_none(),
                t != ObjectType::Contact,
                "{t:?}: the title is required, but a contact's (an email or a last name will do)"
            );
            if let Some(stage) = blocks.iter().find(|b| b["block_id"] == STAGE) {
                assert_eq!(
                    stage["element"]["initial_option"]["value"],
                    stage_value("support", "new")
                );
                assert_eq!(
                    stage["element"]["option_groups"][0]["label"]["text"],
                    "Support"
                );
            }
            let owner = blocks.iter().find(|b| b["block_id"] == OWNER).unwrap();
            assert_eq!(owner["element"]["initial_option"]["value"], "7");
            let link = blocks.iter().find(|b| b["block_id"] == ASSOCIATE).unwrap();
            assert_eq!(link["element"]["type"], "external_select");
        }
    }

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
