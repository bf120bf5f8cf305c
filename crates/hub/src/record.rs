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

/// Turns one create input into checked properties, every rule applied:
/// property types, [`check_changes`], and the pipeline (a record in a
/// pipeline lands in its first stage unless told otherwise). Cleared
/// (empty) values are left out. `pipelines` are the account's pipelines
/// for the type (none for types without pipelines).
pub fn prepare_new(
    props: &PropertySet,
    pipelines: &[Pipeline],
    input: &serde_json::Map<String, serde_json::Value>,
) -> Result<PropertyChanges, HubError> {
    let mut changes = props.normalize_input(input)?;
    check_changes(props.object_type, &mut changes, true)?;
    place_in_pipeline(props.object_type, pipelines, &mut changes, None)?;
    changes.retain(|(_, v)| v.is_some());
    Ok(changes)
}

/// Turns one update input into checked changes. `stored` is the record as
/// stored, when known: a record in a pipeline needs it to check a new
/// pipeline or stage against the other.
pub fn prepare_update(
    props: &PropertySet,
    pipelines: &[Pipeline],
    input: &serde_json::Map<String, serde_json::Value>,
    stored: Option<&Record>,
) -> Result<PropertyChanges, HubError> {
    let mut changes = props.normalize_input(input)?;
    check_changes(props.object_type, &mut changes, false)?;
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

    #[test]
    fn tasks_need_a_timestamp() {
        let mut changes = vec![("hs_task_subject".to_owned(), Some("Call".to_owned()))];
        assert!(check_changes(ObjectType::Task, &mut changes, true).is_err());
        assert!(check_changes(ObjectType::Task, &mut changes, false).is_ok());
    }
}
