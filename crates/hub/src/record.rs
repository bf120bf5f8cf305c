//! A stored CRM record and the rules every write to one must follow.

use std::collections::BTreeMap;

use crate::auth::check_email;
use crate::pipeline::{place_in_pipeline, Pipeline};
use crate::property::{PropertyChanges, PropertySet};
use crate::timestamp::{to_iso, Millis};
use crate::{HubError, ObjectType};

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: i64,
    pub object_type: ObjectType,
    /// Stored values of the record's own (settable) properties.
    pub properties: BTreeMap<String, String>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub archived: bool,
    pub archived_at: Option<Millis>,
}

impl Record {
    /// A property's value as HubSpot shows it, system properties included.
    pub fn value(&self, name: &str) -> Option<String> {
        match name {
            "hs_object_id" => Some(self.id.to_string()),
            "createdate" => Some(to_iso(self.created_at)),
            "lastmodifieddate" | "hs_lastmodifieddate" => Some(to_iso(self.updated_at)),
            _ => self.properties.get(name).cloned(),
        }
    }

    /// What the record is called wherever people see it: a contact's
    /// name (or email), a company's name (or domain), a deal's or ticket's
    /// name, a task's title, the start of a note; `Contact #12` when it has
    /// none.
    /// The properties [`Record::title`] is made of, first choice first:
    /// showing them beside the title would only repeat it.
    pub fn title_properties(t: ObjectType) -> &'static [&'static str] {
        match t {
            ObjectType::Contact => &["firstname", "lastname"],
            ObjectType::Company => &["name"],
            ObjectType::Deal => &["dealname"],
            ObjectType::Ticket => &["subject"],
            ObjectType::Task => &["hs_task_subject"],
            ObjectType::Note => &[],
        }
    }

    pub fn title(&self) -> String {
        let named = match self.object_type {
            ObjectType::Contact => {
                let name = [self.text("firstname"), self.text("lastname")]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                Some(name)
                    .filter(|n| !n.is_empty())
                    .or_else(|| self.text("email").map(str::to_owned))
            }
            ObjectType::Company => self
                .text("name")
                .or_else(|| self.text("domain"))
                .map(str::to_owned),
            ObjectType::Deal => self.text("dealname").map(str::to_owned),
            ObjectType::Ticket => self.text("subject").map(str::to_owned),
            ObjectType::Task => self.text("hs_task_subject").map(str::to_owned),
            ObjectType::Note => self.text("hs_note_body").map(|b| shorten(b, 60)),
        };
        named.unwrap_or_else(|| format!("{} #{}", self.object_type.label(), self.id))
    }

    /// Where the record lives in the web app (`/contacts/12`).
    pub fn path(&self) -> String {
        self.object_type.record_path(self.id)
    }

    /// A stored value with its blanks trimmed, if it has any text.
    fn text(&self, name: &str) -> Option<&str> {
        self.properties
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Applies normalized changes; `None` removes a value.
    pub fn apply(&mut self, changes: &PropertyChanges) {
        for (name, value) in changes {
            match value {
                Some(v) => self.properties.insert(name.clone(), v.clone()),
                None => self.properties.remove(name),
            };
        }
    }
}

/// The first line of `text`, cut to `max` characters with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() <= max && line.len() == text.len() {
        return line.to_owned();
    }
    let cut: String = line.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}

/// The property whose value must be unique among an account's live records
/// of a type, compared case-insensitively (a contact's email).
pub fn unique_property(object_type: ObjectType) -> Option<&'static str> {
    (object_type == ObjectType::Contact).then_some("email")
}

/// Rules beyond property types: a contact's email must look like one, and
/// tasks and notes carry a timestamp.
pub fn check_changes(
    object_type: ObjectType,
    changes: &mut PropertyChanges,
    creating: bool,
) -> Result<(), HubError> {
    if let Some(prop) = unique_property(object_type) {
        for (name, value) in changes.iter_mut() {
            if name == prop {
                if let Some(v) = value {
                    *v = check_email(v).map_err(|_| {
                        HubError::field(
                            "INVALID_EMAIL",
                            prop,
                            format!("Email address {v} is invalid"),
                        )
                    })?;
                }
            }
        }
    }
    let needs_timestamp = matches!(object_type, ObjectType::Task | ObjectType::Note);
    let has_timestamp = changes
        .iter()
        .any(|(n, v)| n == "hs_timestamp" && v.is_some());
    if creating && needs_timestamp && !has_timestamp {
        return Err(HubError::field(
            "REQUIRED_PROPERTY",
            "hs_timestamp",
            format!("hs_timestamp is required to create {}", object_type),
        ));
    }
    Ok(())
}

/// What a record of each type cannot be without: one of these properties
/// must hold text (a contact needs an email, a first name or a last name;
/// the others their name or title), and why, as people read it. A note's
/// body is checked where notes are written.
fn required(object_type: ObjectType) -> (&'static [&'static str], &'static str) {
    match object_type {
        ObjectType::Contact => (
            &["email", "firstname", "lastname"],
            "A contact needs an email, a first name or a last name.",
        ),
        ObjectType::Company => (&["name"], "A company needs a name."),
        ObjectType::Deal => (&["dealname"], "A deal needs a name."),
        ObjectType::Ticket => (&["subject"], "A ticket needs a name."),
        ObjectType::Task => (&["hs_task_subject"], "A task needs a title."),
        ObjectType::Note => (&[], ""),
    }
}

/// Whether an update input empties one of the properties its type cannot
/// be without: then the record as stored decides whether another is left.
pub fn clears_required(
    object_type: ObjectType,
    input: &serde_json::Map<String, serde_json::Value>,
) -> bool {
    let (names, _) = required(object_type);
    input.iter().any(|(name, value)| {
        names.contains(&name.as_str())
            && match value {
                serde_json::Value::Null => true,
                serde_json::Value::String(s) => s.trim().is_empty(),
                _ => false,
            }
    })
}

/// Refuses a record left without every property of [`required`]: a new one
/// from its `changes` alone, a changed one from its `changes` over what is
/// `stored` (only when the change empties one of them, so that records
/// stored before the rule can still be changed otherwise). Blank text
/// counts as none. The error names the first property, which forms show
/// first.
fn check_required(
    object_type: ObjectType,
    changes: &PropertyChanges,
    stored: Option<&Record>,
) -> Result<(), HubError> {
    let (names, why) = required(object_type);
    let blank = |v: Option<&str>| v.is_none_or(|v| v.trim().is_empty());
    let emptied = changes
        .iter()
        .any(|(n, v)| names.contains(&n.as_str()) && blank(v.as_deref()));
    if names.is_empty() || (stored.is_some() && !emptied) {
        return Ok(());
    }
    let filled = names
        .iter()
        .any(|name| match changes.iter().find(|(n, _)| n == name) {
            Some((_, value)) => !blank(value.as_deref()),
            None => stored.is_some_and(|r| r.text(name).is_some()),
        });
    if filled {
        return Ok(());
    }
    Err(HubError::field("REQUIRED_PROPERTY", names[0], why))
}

/// Turns one create input into checked properties, every rule applied:
/// property types, [`check_changes`], what the type cannot be without, and
/// the pipeline (a record in a pipeline lands in its first stage unless
/// told otherwise). Cleared (empty) values are left out. `pipelines` are the account's pipelines
/// for the type (none for types without pipelines).
pub fn prepare_new(
    props: &PropertySet,
    pipelines: &[Pipeline],
    input: &serde_json::Map<String, serde_json::Value>,
) -> Result<PropertyChanges, HubError> {
    let mut changes = props.normalize_input(input)?;
    check_changes(props.object_type, &mut changes, true)?;
    check_required(props.object_type, &changes, None)?;
    place_in_pipeline(props.object_type, pipelines, &mut changes, None)?;
    changes.retain(|(_, v)| v.is_some());
    Ok(changes)
}

/// Turns one update input into checked changes. `stored` is the record as
/// stored, when known: a record in a pipeline needs it to check a new
/// pipeline or stage against the other, and an input that
/// [`clears_required`] to check something is left.
pub fn prepare_update(
    props: &PropertySet,
    pipelines: &[Pipeline],
    input: &serde_json::Map<String, serde_json::Value>,
    stored: Option<&Record>,
) -> Result<PropertyChanges, HubError> {
    let mut changes = props.normalize_input(input)?;
    check_changes(props.object_type, &mut changes, false)?;
    if let Some(stored) = stored {
        check_required(props.object_type, &changes, Some(stored))?;
    }
    if let (Some(stored), Some((p, s))) = (stored, props.object_type.pipeline_properties()) {
        let at = (
            stored.properties.get(p).map(String::as_str),
            stored.properties.get(s).map(String::as_str),
        );
        place_in_pipeline(props.object_type, pipelines, &mut changes, Some(at))?;
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_emails_are_checked_and_lowercased() {
        let mut changes = vec![("email".to_owned(), Some(" Ada@Example.COM ".to_owned()))];
        check_changes(ObjectType::Contact, &mut changes, true).unwrap();
        assert_eq!(changes[0].1.as_deref(), Some("ada@example.com"));
        let mut bad = vec![("email".to_owned(), Some("not-an-email".to_owned()))];
        assert!(check_changes(ObjectType::Contact, &mut bad, true).is_err());
    }

    fn record(t: ObjectType, properties: &[(&str, &str)]) -> Record {
        Record {
            id: 1,
            object_type: t,
            properties: properties
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            created_at: 0,
            updated_at: 0,
            archived: false,
            archived_at: None,
        }
    }

    fn set(name: &str, value: Option<&str>) -> PropertyChanges {
        vec![(name.to_owned(), value.map(str::to_owned))]
    }

    #[test]
    fn a_new_record_needs_its_name() {
        let refused = check_required(ObjectType::Deal, &set("amount", Some("5")), None);
        let Err(HubError::Validation { errors, .. }) = refused else {
            panic!("a deal without a name: {refused:?}");
        };
        assert_eq!(errors[0].field.as_deref(), Some("dealname"));
        assert!(check_required(ObjectType::Deal, &set("dealname", Some("  ")), None).is_err());
        assert!(check_required(ObjectType::Deal, &set("dealname", Some("Big")), None).is_ok());
        for name in ["email", "firstname", "lastname"] {
            assert!(check_required(ObjectType::Contact, &set(name, Some("x")), None).is_ok());
        }
        assert!(check_required(ObjectType::Contact, &set("phone", Some("1")), None).is_err());
        assert!(check_required(ObjectType::Note, &Vec::new(), None).is_ok());
    }

    #[test]
    fn a_change_cannot_empty_what_is_left() {
        let ada = record(
            ObjectType::Contact,
            &[("email", "a@x.io"), ("firstname", "Ada")],
        );
        let no_email = set("email", None);
        assert!(check_required(ObjectType::Contact, &no_email, Some(&ada)).is_ok());
        let mut neither = no_email.clone();
        neither.extend(set("firstname", Some(" ")));
        assert!(check_required(ObjectType::Contact, &neither, Some(&ada)).is_err());
        // A record stored without a name can still change otherwise.
        let blank = record(ObjectType::Deal, &[]);
        assert!(check_required(ObjectType::Deal, &set("amount", Some("5")), Some(&blank)).is_ok());
        let named = record(ObjectType::Deal, &[("dealname", "Big")]);
        assert!(check_required(ObjectType::Deal, &set("dealname", None), Some(&named)).is_err());
    }

    #[test]
    fn emptying_a_required_property_is_seen_in_the_input() {
        let input = |v: serde_json::Value| {
            serde_json::json!({ "lastname": v })
                .as_object()
                .unwrap()
                .clone()
        };
        assert!(clears_required(ObjectType::Contact, &input("".into())));
        assert!(clears_required(
            ObjectType::Contact,
            &input(serde_json::Value::Null)
        ));
        assert!(!clears_required(
            ObjectType::Contact,
            &input("Lovelace".into())
        ));
        assert!(!clears_required(ObjectType::Deal, &input("".into())));
    }

    #[test]
    fn tasks_need_a_timestamp() {
        let mut changes = vec![("hs_task_subject".to_owned(), Some("Call".to_owned()))];
        assert!(check_changes(ObjectType::Task, &mut changes, true).is_err());
        assert!(check_changes(ObjectType::Task, &mut changes, false).is_ok());
    }
}
