//! How records read on a page: titles, human-readable values (option and
//! stage labels, owner names, dates), and the names pages use for a type.

use hubbub_hub::ObjectType;

/// The record types that have their own pages (notes live in timelines).
pub const PAGE_TYPES: [ObjectType; 5] = [
    ObjectType::Contact,
    ObjectType::Company,
    ObjectType::Deal,
    ObjectType::Ticket,
    ObjectType::Task,
];

/// A type as pages name it.
#[derive(Debug, Clone)]
pub struct KindView {
    /// `contacts`: the path segment and navigation section.
    pub path: &'static str,
    /// `Contact`
    pub one: &'static str,
    /// `Contacts`
    pub many: &'static str,
    /// `contact`, for sentences.
    pub lower: &'static str,
}

impl KindView {
    pub fn of(t: ObjectType) -> KindView {
        KindView {
            path: t.as_str(),
            one: t.label(),
            many: t.label_plural(),
            lower: t.singular(),
        }
    }
}

/// The property that names a record of the type, and its column heading.
pub fn title_column(t: ObjectType) -> &'static str {
    match t {
        ObjectType::Contact | ObjectType::Company => "Name",
        ObjectType::Deal => "Deal name",
        ObjectType::Ticket => "Ticket name",
        ObjectType::Task => "Task title",
        ObjectType::Note => "Note",
    }
}

/// The columns an index shows after the record's name.
pub fn index_columns(t: ObjectType) -> &'static [&'static str] {
    match t {
        ObjectType::Contact => &["email", "company", "phone", "lifecyclestage"],
        ObjectType::Company => &["domain", "industry", "city", "phone"],
        ObjectType::Deal => &["amount", "dealstage", "closedate", "hubspot_owner_id"],
        ObjectType::Ticket => &[
            "hs_pipeline_stage",
            "hs_ticket_priority",
            "hubspot_owner_id",
            "createdate",
        ],
        ObjectType::Task => &[
            "hs_timestamp",
            "hs_task_status",
            "hs_task_priority",
            "hubspot_owner_id",
        ],
        ObjectType::Note => &["hs_timestamp"],
    }
}

pub use hubbub_app::display::{display_value, format_number, Lookups};
