//! Property definitions: HubSpot's default properties for each object type,
//! plus whatever custom properties an account defines, and the rules that
//! turn an input value into the string the hub stores.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::timestamp::{parse_instant, to_date, to_iso, Millis};
use crate::{FieldError, ObjectType};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PropertyType {
    String,
    Number,
    Date,
    Datetime,
    Enumeration,
    Bool,
}

impl PropertyType {
    pub fn as_str(self) -> &'static str {
        match self {
            PropertyType::String => "string",
            PropertyType::Number => "number",
            PropertyType::Date => "date",
            PropertyType::Datetime => "datetime",
            PropertyType::Enumeration => "enumeration",
            PropertyType::Bool => "bool",
        }
    }

    /// HubSpot's default form field for a type.
    pub fn default_field_type(self) -> &'static str {
        match self {
            PropertyType::String => "text",
            PropertyType::Number => "number",
            PropertyType::Date | PropertyType::Datetime => "date",
            PropertyType::Enumeration => "select",
            PropertyType::Bool => "booleancheckbox",
        }
    }

    /// Whether comparisons on this type are numeric (numbers and instants).
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            PropertyType::Number | PropertyType::Date | PropertyType::Datetime
        )
    }

    /// Whether values of this type are split into words for token search.
    pub fn is_tokenized(self) -> bool {
        matches!(self, PropertyType::String)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumOption {
    pub label: String,
    pub value: String,
}

/// Where the hub keeps a property's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// Kept in the record's property map and indexed for search.
    Value,
    /// The record id (`hs_object_id`).
    Id,
    /// The creation instant.
    CreatedAt,
    /// The last-modification instant.
    UpdatedAt,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PropertyDef {
    pub name: String,
    pub label: String,
    pub ptype: PropertyType,
    pub field_type: String,
    pub group: String,
    pub options: Vec<EnumOption>,
    pub storage: Storage,
    /// Searched by the free-text `query` of a search request.
    pub in_query: bool,
    /// Shown by default when a request names no properties.
    pub default_shown: bool,
    pub custom: bool,
}

impl PropertyDef {
    pub fn read_only(&self) -> bool {
        self.storage != Storage::Value
    }

    /// Whether the property holds paragraphs (notes, descriptions): its
    /// values may keep line breaks and tabs.
    pub fn is_multiline(&self) -> bool {
        self.ptype == PropertyType::String
            && MULTILINE_FIELD_TYPES.contains(&self.field_type.as_str())
    }

    /// Turns an input value into the stored string, or explains why not.
    /// An empty string clears the property (returns `None`).
    pub fn normalize(&self, raw: &str) -> Result<Option<String>, FieldError> {
        if self.read_only() {
            return Err(self.error(
                "READ_ONLY_VALUE",
                format!(
                    "{} is a read only property; its value cannot be set.",
                    self.name
                ),
            ));
        }
        if raw.is_empty() {
            return Ok(None);
        }
        let invalid = |why: &str| {
            self.error(
                "INVALID_OPTION",
                format!(
                    "{raw:?} is not a valid value for property {}: {why}",
                    self.name
                ),
            )
        };
        let stored = match self.ptype {
            PropertyType::String => {
                if raw.len() > MAX_STRING_BYTES {
                    return Err(invalid("longer than 65536 bytes"));
                }
                let multiline = self.is_multiline();
                if let Some(c) = control_character(raw, multiline) {
                    let allowed = if multiline {
                        "only line breaks and tabs may be among its control characters"
                    } else {
                        "a single-line text may not hold control characters"
                    };
                    return Err(invalid(&format!("{allowed}, and it holds {}", unicode(c))));
                }
                raw.to_owned()
            }
            PropertyType::Number => {
                let n: f64 = raw
                    .trim()
                    .parse()
                    .map_err(|_| invalid("expected a number"))?;
                if !n.is_finite() {
                    return Err(invalid("expected a finite number"));
                }
                raw.trim().to_owned()
            }
            PropertyType::Datetime => {
                let ms = parse_instant(raw).ok_or_else(|| {
                    invalid("expected epoch milliseconds or an ISO 8601 datetime")
                })?;
                to_iso(ms)
            }
            PropertyType::Date => {
                let ms = parse_instant(raw)
                    .ok_or_else(|| invalid("expected YYYY-MM-DD or epoch milliseconds"))?;
                to_date(ms)
            }
            PropertyType::Bool => match raw.to_ascii_lowercase().as_str() {
                "true" => "true".to_owned(),
                "false" => "false".to_owned(),
                _ => return Err(invalid("expected true or false")),
            },
            PropertyType::Enumeration => {
                if raw.len() > MAX_STRING_BYTES {
                    return Err(invalid("longer than 65536 bytes"));
                }
                let known: HashSet<&str> = self.options.iter().map(|o| o.value.as_str()).collect();
                let all_known = raw.split(';').all(|v| known.contains(v));
                if !all_known {
                    let allowed: Vec<&str> =
                        self.options.iter().map(|o| o.value.as_str()).collect();
                    return Err(invalid(&format!(
                        "allowed options are {}",
                        allowed.join(", ")
                    )));
                }
                raw.to_owned()
            }
        };
        Ok(Some(stored))
    }

    /// The number a stored value sorts and compares by, for numeric types.
    pub fn numeric_value(&self, stored: &str) -> Option<f64> {
        match self.ptype {
            PropertyType::Number => stored.parse().ok(),
            PropertyType::Date | PropertyType::Datetime => {
                parse_instant(stored).map(|ms: Millis| ms as f64)
            }
            _ => None,
        }
    }

    fn error(&self, code: &'static str, message: String) -> FieldError {
        FieldError::new(code, self.name.clone(), message)
    }
}

pub const MAX_STRING_BYTES: usize = 65_536;

/// HubSpot's form field types; `fieldType` is one of them.
const FIELD_TYPES: &[&str] = &[
    "booleancheckbox",
    "calculation_equation",
    "checkbox",
    "date",
    "file",
    "html",
    "number",
    "phonenumber",
    "radio",
    "select",
    "text",
    "textarea",
];

/// The field types of text that takes paragraphs.
const MULTILINE_FIELD_TYPES: &[&str] = &["textarea", "html"];

/// The first control character of `text`, line breaks and tabs left out
/// when it may span lines. Control characters have no place in text
/// people read, and some (NUL) break what the text is written into.
fn control_character(text: &str, multiline: bool) -> Option<char> {
    text.chars()
        .find(|&c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
}

/// A character as `U+0000`.
fn unicode(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// A definition written compactly for the built-in tables below.
struct Builtin {
    name: &'static str,
    label: &'static str,
    ptype: PropertyType,
    options: &'static [(&'static str, &'static str)],
    in_query: bool,
    default_shown: bool,
    multiline: bool,
}

const fn prop(name: &'static str, label: &'static str, ptype: PropertyType) -> Builtin {
    Builtin {
        name,
        label,
        ptype,
        options: &[],
        in_query: false,
        default_shown: false,
        multiline: false,
    }
}

impl Builtin {
    const fn shown(mut self) -> Self {
        self.default_shown = true;
        self
    }
    const fn queried(mut self) -> Self {
        self.in_query = true;
        self
    }
    const fn options(mut self, options: &'static [(&'static str, &'static str)]) -> Self {
        self.options = options;
        self
    }
    const fn multiline(mut self) -> Self {
        self.multiline = true;
        self
    }
}

use PropertyType::{Datetime, Enumeration, Number};
const TEXT: PropertyType = PropertyType::String;

const LIFECYCLE: &[(&str, &str)] = &[
    ("subscriber", "Subscriber"),
    ("lead", "Lead"),
    ("marketingqualifiedlead", "Marketing Qualified Lead"),
    ("salesqualifiedlead", "Sales Qualified Lead"),
    ("opportunity", "Opportunity"),
    ("customer", "Customer"),
    ("evangelist", "Evangelist"),
    ("other", "Other"),
];
const LEAD_STATUS: &[(&str, &str)] = &[
    ("NEW", "New"),
    ("OPEN", "Open"),
    ("IN_PROGRESS", "In Progress"),
    ("OPEN_DEAL", "Open Deal"),
    ("UNQUALIFIED", "Unqualified"),
    ("ATTEMPTED_TO_CONTACT", "Attempted to Contact"),
    ("CONNECTED", "Connected"),
    ("BAD_TIMING", "Bad Timing"),
];
const PRIORITY: &[(&str, &str)] = &[
    ("LOW", "Low"),
    ("MEDIUM", "Medium"),
    ("HIGH", "High"),
    ("URGENT", "Urgent"),
];
const TASK_STATUS: &[(&str, &str)] = &[
    ("NOT_STARTED", "Not started"),
    ("IN_PROGRESS", "In progress"),
    ("WAITING", "Waiting"),
    ("COMPLETED", "Completed"),
    ("DEFERRED", "Deferred"),
];
const TASK_PRIORITY: &[(&str, &str)] = &[
    ("NONE", "None"),
    ("LOW", "Low"),
    ("MEDIUM", "Medium"),
    ("HIGH", "High"),
];
const TASK_TYPE: &[(&str, &str)] = &[("TODO", "To-do"), ("CALL", "Call"), ("EMAIL", "Email")];
const DEAL_TYPE: &[(&str, &str)] = &[
    ("newbusiness", "New Business"),
    ("existingbusiness", "Existing Business"),
];

const CONTACT: &[Builtin] = &[
    prop("email", "Email", TEXT).shown().queried(),
    prop("firstname", "First name", TEXT).shown().queried(),
    prop("lastname", "Last name", TEXT).shown().queried(),
    prop("phone", "Phone number", TEXT).queried(),
    prop("mobilephone", "Mobile phone number", TEXT),
    prop("company", "Company name", TEXT).queried(),
    prop("jobtitle", "Job title", TEXT),
    prop("website", "Website URL", TEXT),
    prop("address", "Street address", TEXT),
    prop("city", "City", TEXT),
    prop("state", "State/Region", TEXT),
    prop("zip", "Postal code", TEXT),
    prop("country", "Country/Region", TEXT),
    prop("lifecyclestage", "Lifecycle stage", Enumeration).options(LIFECYCLE),
    prop("hs_lead_status", "Lead status", Enumeration).options(LEAD_STATUS),
    prop("hubspot_owner_id", "Contact owner", TEXT),
];
const COMPANY: &[Builtin] = &[
    prop("name", "Company name", TEXT).shown().queried(),
    prop("domain", "Company domain name", TEXT)
        .shown()
        .queried(),
    prop("industry", "Industry", TEXT),
    prop("phone", "Phone number", TEXT).queried(),
    prop("website", "Website URL", TEXT),
    prop("city", "City", TEXT),
    prop("state", "State/Region", TEXT),
    prop("country", "Country/Region", TEXT),
    prop("numberofemployees", "Number of employees", Number),
    prop("annualrevenue", "Annual revenue", Number),
    prop("description", "Description", TEXT).multiline(),
    prop("lifecyclestage", "Lifecycle stage", Enumeration).options(LIFECYCLE),
    prop("hubspot_owner_id", "Company owner", TEXT),
];
const DEAL: &[Builtin] = &[
    prop("dealname", "Deal name", TEXT).shown().queried(),
    prop("amount", "Amount", Number).shown(),
    prop("pipeline", "Pipeline", TEXT).shown(),
    prop("dealstage", "Deal stage", TEXT).shown(),
    prop("closedate", "Close date", Datetime).shown(),
    prop("dealtype", "Deal type", Enumeration).options(DEAL_TYPE),
    prop("description", "Deal description", TEXT).multiline(),
    prop("hs_priority", "Priority", Enumeration).options(PRIORITY),
    prop("hubspot_owner_id", "Deal owner", TEXT),
];
const TICKET: &[Builtin] = &[
    prop("subject", "Ticket name", TEXT).shown().queried(),
    prop("content", "Ticket description", TEXT)
        .shown()
        .queried()
        .multiline(),
    prop("hs_pipeline", "Pipeline", TEXT).shown(),
    prop("hs_pipeline_stage", "Ticket status", TEXT).shown(),
    prop("hs_ticket_priority", "Priority", Enumeration).options(PRIORITY),
    prop("hs_ticket_category", "Category", TEXT),
    prop("source_type", "Source", TEXT),
    prop("hubspot_owner_id", "Ticket owner", TEXT),
];
const TASK: &[Builtin] = &[
    prop("hs_timestamp", "Due date", Datetime).shown(),
    prop("hs_task_subject", "Task title", TEXT)
        .shown()
        .queried(),
    prop("hs_task_body", "Task notes", TEXT)
        .queried()
        .multiline(),
    prop("hs_task_status", "Task status", Enumeration)
        .shown()
        .options(TASK_STATUS),
    prop("hs_task_reminders", "Reminder", Datetime),
    prop("hs_task_priority", "Priority", Enumeration).options(TASK_PRIORITY),
    prop("hs_task_type", "Task type", Enumeration).options(TASK_TYPE),
    prop("hubspot_owner_id", "Assigned to", TEXT),
];
const NOTE: &[Builtin] = &[
    prop("hs_timestamp", "Activity date", Datetime).shown(),
    prop("hs_note_body", "Note body", TEXT)
        .shown()
        .queried()
        .multiline(),
    prop("hubspot_owner_id", "Activity assigned to", TEXT),
];

fn builtins(object_type: ObjectType) -> &'static [Builtin] {
    match object_type {
        ObjectType::Contact => CONTACT,
        ObjectType::Company => COMPANY,
        ObjectType::Deal => DEAL,
        ObjectType::Ticket => TICKET,
        ObjectType::Task => TASK,
        ObjectType::Note => NOTE,
    }
}

/// Properties every type has, kept by the hub itself.
fn system_properties() -> Vec<PropertyDef> {
    let sys = |name: &str, label: &str, ptype, storage| PropertyDef {
        name: name.into(),
        label: label.into(),
        ptype,
        field_type: "text".into(),
        group: "system".into(),
        options: Vec::new(),
        storage,
        in_query: false,
        // The API adds the system properties to every answer by itself.
        default_shown: false,
        custom: false,
    };
    vec![
        sys("hs_object_id", "Record ID", Number, Storage::Id),
        sys("createdate", "Create date", Datetime, Storage::CreatedAt),
        sys(
            "lastmodifieddate",
            "Last modified date",
            Datetime,
            Storage::UpdatedAt,
        ),
        sys(
            "hs_lastmodifieddate",
            "Last modified date",
            Datetime,
            Storage::UpdatedAt,
        ),
    ]
}

/// HubSpot's default properties for `object_type`, system ones included.
/// Datetime properties that people set and read as a day (a deal's close
/// date, a task's due date): shown without a time of day.
pub fn is_day(object_type: ObjectType, name: &str) -> bool {
    matches!(
        (object_type, name),
        (ObjectType::Deal, "closedate") | (ObjectType::Task, "hs_timestamp")
    )
}

pub fn default_properties(object_type: ObjectType) -> Vec<PropertyDef> {
    let group = format!("{}information", object_type.singular());
    let mut defs: Vec<PropertyDef> = builtins(object_type)
        .iter()
        .map(|b| PropertyDef {
            name: b.name.into(),
            label: b.label.into(),
            ptype: b.ptype,
            field_type: if b.multiline {
                "textarea".into()
            } else {
                b.ptype.default_field_type().into()
            },
            group: group.clone(),
            options: b
                .options
                .iter()
                .map(|(value, label)| EnumOption {
                    value: (*value).into(),
                    label: (*label).into(),
                })
                .collect(),
            storage: Storage::Value,
            in_query: b.in_query,
            default_shown: b.default_shown,
            custom: false,
        })
        .collect();
    defs.extend(system_properties());
    defs
}

// Every request on records loads the definitions of their type, and the
// property list shows them: these bound both.

/// Custom properties an account may define on one object type.
pub const MAX_CUSTOM_PROPERTIES: usize = 500;
/// Options one property may have.
pub const MAX_OPTIONS: usize = 1_000;
/// Options all custom properties of one type may have together.
pub const MAX_OPTIONS_PER_TYPE: usize = 2_000;
/// Characters of a property's name, label and group, and of an option's
/// label and value: HubSpot's limit for internal names.
pub const MAX_LABEL_CHARS: usize = 100;

/// A property name an account may define: lower-case letters, digits and
/// underscores, starting with a letter, not clashing with HubSpot's `hs_`.
fn validate_custom_name(name: &str) -> Result<(), FieldError> {
    let ok = name.len() <= MAX_LABEL_CHARS
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with("hs_");
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            "INVALID_PROPERTY_NAME",
            "name",
            format!(
                "{name:?} is not a valid property name: use at most {MAX_LABEL_CHARS} lower-case \
                 letters, digits and underscores, start with a letter, and do not start with hs_"
            ),
        ))
    }
}

/// A label or name people read: one line of at most `max` characters.
fn check_text(field: &str, what: &str, text: &str, max: usize) -> Result<(), FieldError> {
    let problem = if text.trim().is_empty() {
        "must not be empty".to_owned()
    } else if text.chars().count() > max {
        format!("must be at most {max} characters")
    } else if let Some(c) = control_character(text, false) {
        format!("must not hold control characters such as {}", unicode(c))
    } else {
        return Ok(());
    };
    Err(FieldError::new(
        "INVALID_PROPERTY_DEFINITION",
        field,
        format!("{what} {problem}"),
    ))
}

fn check_option(o: &EnumOption) -> Result<(), FieldError> {
    check_text("options", "An option's label", &o.label, MAX_LABEL_CHARS)?;
    check_text("options", "An option's value", &o.value, MAX_LABEL_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(object_type: ObjectType, name: &str) -> PropertyDef {
        default_properties(object_type)
            .into_iter()
            .find(|d| d.name == name)
            .unwrap()
    }

    #[test]
    fn normalizes_by_type() {
        let amount = def(ObjectType::Deal, "amount");
        assert_eq!(
            amount.normalize(" 1500.50 ").unwrap().as_deref(),
            Some("1500.50")
        );
        assert_eq!(
            amount.normalize("lots").unwrap_err().field.as_deref(),
            Some("amount")
        );
        assert_eq!(amount.normalize("").unwrap(), None);

        let close = def(ObjectType::Deal, "closedate");
        assert_eq!(
            close.normalize("2024-05-01").unwrap().as_deref(),
            Some("2024-05-01T00:00:00.000Z")
        );
        assert_eq!(
            close.numeric_value("2024-05-01T00:00:00.000Z"),
            Some(1_714_521_600_000.0)
        );

        let stage = def(ObjectType::Contact, "lifecyclestage");
        assert!(stage.normalize("lead").is_ok());
        assert!(stage.normalize("Lead").is_err());
    }

    #[test]
    fn system_properties_are_read_only() {
        let id = def(ObjectType::Contact, "hs_object_id");
        assert_eq!(id.normalize("5").unwrap_err().code, "READ_ONLY_VALUE");
    }

    #[test]
    fn text_refuses_control_characters_but_paragraphs_keep_line_breaks() {
        let name = def(ObjectType::Contact, "firstname");
        assert_eq!(name.normalize("Ada").unwrap().as_deref(), Some("Ada"));
        for bad in ["A\u{0}da", "Ada\n", "Ada\t", "\u{1b}[2J", "Ada\u{85}"] {
            let err = name.normalize(bad).unwrap_err();
            assert_eq!(err.field.as_deref(), Some("firstname"), "{bad:?}");
        }
        let note = def(ObjectType::Note, "hs_note_body");
        assert!(note.is_multiline());
        assert!(note.normalize("Met at the fair.\r\n\tTwice.").is_ok());
        assert!(note.normalize("Met\u{0} at the fair").is_err());
        assert!(note.normalize("Met\u{7}").is_err());
    }

    fn custom(name: &str, options: usize) -> PropertyDef {
        PropertyDef {
            name: name.into(),
            label: format!("Label of {name}"),
            ptype: if options > 0 {
                PropertyType::Enumeration
            } else {
                PropertyType::String
            },
            field_type: if options > 0 { "select" } else { "text" }.into(),
            group: "contactinformation".into(),
            options: (0..options)
                .map(|i| EnumOption {
                    label: format!("Option {i}"),
                    value: format!("o{i}"),
                })
                .collect(),
            storage: Storage::Value,
            in_query: false,
            default_shown: false,
            custom: true,
        }
    }

    fn refusal(set: &PropertySet, def: &PropertyDef) -> (&'static str, String) {
        match set.check_new_custom(def) {
            Err(crate::HubError::Validation { errors, .. }) => {
                (errors[0].code, errors[0].field.clone().unwrap_or_default())
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn custom_properties_stay_within_their_limits() {
        let empty = PropertySet::new(ObjectType::Contact, vec![]);
        assert!(empty
            .check_new_custom(&custom("colour", MAX_OPTIONS))
            .is_ok());
        assert_eq!(
            refusal(&empty, &custom("colour", MAX_OPTIONS + 1)),
            ("TOO_MANY_OPTIONS", "options".to_owned())
        );
        let mut long_label = custom("colour", 0);
        long_label.label = "x".repeat(MAX_LABEL_CHARS + 1);
        assert_eq!(
            refusal(&empty, &long_label),
            ("INVALID_PROPERTY_DEFINITION", "label".to_owned())
        );
        let mut odd_option = custom("colour", 3);
        odd_option.options[1].label = "Re\u{0}d".into();
        assert_eq!(
            refusal(&empty, &odd_option),
            ("INVALID_PROPERTY_DEFINITION", "options".to_owned())
        );
        let mut odd_field = custom("colour", 0);
        odd_field.field_type = "marquee".into();
        assert_eq!(
            refusal(&empty, &odd_field),
            ("INVALID_PROPERTY_DEFINITION", "fieldType".to_owned())
        );

        let per_property = MAX_OPTIONS_PER_TYPE / MAX_CUSTOM_PROPERTIES;
        let full = PropertySet::new(
            ObjectType::Contact,
            (0..MAX_CUSTOM_PROPERTIES)
                .map(|i| custom(&format!("p{i}"), per_property))
                .collect(),
        );
        assert_eq!(
            refusal(&full, &custom("one_more", 0)),
            ("TOO_MANY_PROPERTIES", "one_more".to_owned())
        );
        let options_used = PropertySet::new(
            ObjectType::Contact,
            vec![custom("many", MAX_OPTIONS_PER_TYPE - 1)],
        );
        assert!(options_used.check_new_custom(&custom("one", 1)).is_ok());
        assert_eq!(
            refusal(&options_used, &custom("two", 2)),
            ("TOO_MANY_OPTIONS", "options".to_owned())
        );
        assert!(matches!(
            empty.check_new_custom(&custom("email", 0)),
            Err(crate::HubError::Conflict(_))
        ));
    }

    #[test]
    fn custom_names_are_checked() {
        assert!(validate_custom_name("favourite_colour").is_ok());
        assert!(validate_custom_name("hs_secret").is_err());
        assert!(validate_custom_name("Bad Name").is_err());
    }
}

/// All properties an account's records of one type may carry.
#[derive(Debug, Clone)]
pub struct PropertySet {
    pub object_type: ObjectType,
    defs: Vec<PropertyDef>,
}

/// Normalized changes to a record: `None` clears the property.
pub type PropertyChanges = Vec<(String, Option<String>)>;

impl PropertySet {
    pub fn new(object_type: ObjectType, custom: Vec<PropertyDef>) -> Self {
        let mut defs = default_properties(object_type);
        defs.extend(custom);
        Self { object_type, defs }
    }

    pub fn get(&self, name: &str) -> Option<&PropertyDef> {
        self.defs.iter().find(|d| d.name == name)
    }

    pub fn all(&self) -> &[PropertyDef] {
        &self.defs
    }

    /// The properties shown when a request names none.
    pub fn default_shown(&self) -> Vec<String> {
        self.defs
            .iter()
            .filter(|d| d.default_shown)
            .map(|d| d.name.clone())
            .collect()
    }

    /// The properties a free-text `query` looks in.
    pub fn query_properties(&self) -> Vec<String> {
        self.defs
            .iter()
            .filter(|d| d.in_query)
            .map(|d| d.name.clone())
            .collect()
    }

    /// Checks a custom property before it joins the set: a new, valid
    /// name; a label, group and options that are short single lines; one
    /// of HubSpot's field types; and room left for it within the type's
    /// limits. Reports every problem of the definition at once.
    pub fn check_new_custom(&self, def: &PropertyDef) -> Result<(), crate::HubError> {
        if self.get(&def.name).is_some() {
            return Err(crate::HubError::Conflict(format!(
                "A property named {} already exists on {}",
                def.name, self.object_type
            )));
        }
        let custom: Vec<&PropertyDef> = self.defs.iter().filter(|d| d.custom).collect();
        let options_in_use: usize = custom.iter().map(|d| d.options.len()).sum();
        let mut errors = Vec::new();
        let mut check = |result: Result<(), FieldError>| errors.extend(result.err());
        check(validate_custom_name(&def.name));
        check(check_text(
            "label",
            "The label",
            &def.label,
            MAX_LABEL_CHARS,
        ));
        check(check_text(
            "groupName",
            "The group name",
            &def.group,
            MAX_LABEL_CHARS,
        ));
        if !FIELD_TYPES.contains(&def.field_type.as_str()) {
            check(Err(FieldError::new(
                "INVALID_PROPERTY_DEFINITION",
                "fieldType",
                format!(
                    "{:?} is not a field type; use one of {}",
                    def.field_type,
                    FIELD_TYPES.join(", ")
                ),
            )));
        }
        if def.ptype == PropertyType::Enumeration && def.options.is_empty() {
            check(Err(FieldError::new(
                "REQUIRED",
                "options",
                "An enumeration property needs options",
            )));
        }
        if def.options.len() > MAX_OPTIONS {
            check(Err(FieldError::new(
                "TOO_MANY_OPTIONS",
                "options",
                format!(
                    "A property has at most {MAX_OPTIONS} options, not {}",
                    def.options.len()
                ),
            )));
        } else if options_in_use + def.options.len() > MAX_OPTIONS_PER_TYPE {
            check(Err(FieldError::new(
                "TOO_MANY_OPTIONS",
                "options",
                format!(
                    "The custom properties of {} have at most {MAX_OPTIONS_PER_TYPE} options in \
                     all; {options_in_use} are in use",
                    self.object_type
                ),
            )));
        } else if let Some(bad) = def.options.iter().find_map(|o| check_option(o).err()) {
            check(Err(bad));
        }
        if custom.len() >= MAX_CUSTOM_PROPERTIES {
            check(Err(FieldError::new(
                "TOO_MANY_PROPERTIES",
                &def.name,
                format!(
                    "An account defines at most {MAX_CUSTOM_PROPERTIES} custom properties on {}; \
                     {} would be one more",
                    self.object_type, def.name
                ),
            )));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(crate::HubError::fields(errors))
        }
    }

    pub fn doesnt_exist(&self, name: &str) -> FieldError {
        FieldError::new(
            "PROPERTY_DOESNT_EXIST",
            name,
            format!(
                "Property \"{name}\" does not exist on {}",
                self.object_type.as_str()
            ),
        )
    }

    /// Checks and normalizes input properties (strings, numbers, booleans or
    /// null), reporting every bad one at once.
    pub fn normalize_input(
        &self,
        input: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<PropertyChanges, crate::HubError> {
        let mut changes = Vec::with_capacity(input.len());
        let mut errors = Vec::new();
        for (name, value) in input {
            let Some(def) = self.get(name) else {
                errors.push(self.doesnt_exist(name));
                continue;
            };
            let raw = match value {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => {
                    errors.push(FieldError::new(
                        "INVALID_OPTION",
                        name,
                        format!("Property \"{name}\" must be a string, number or boolean"),
                    ));
                    continue;
                }
            };
            match def.normalize(&raw) {
                Ok(stored) => changes.push((name.clone(), stored)),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(changes)
        } else {
            Err(crate::HubError::fields(errors))
        }
    }
}
