//! The CRM object types the hub stores.

use std::fmt;
use std::str::FromStr;

use crate::HubError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectType {
    Contact,
    Company,
    Deal,
    Ticket,
    Task,
    Note,
}

impl ObjectType {
    pub const ALL: [ObjectType; 6] = [
        ObjectType::Contact,
        ObjectType::Company,
        ObjectType::Deal,
        ObjectType::Ticket,
        ObjectType::Task,
        ObjectType::Note,
    ];

    /// The plural name HubSpot uses in paths and association keys.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectType::Contact => "contacts",
            ObjectType::Company => "companies",
            ObjectType::Deal => "deals",
            ObjectType::Ticket => "tickets",
            ObjectType::Task => "tasks",
            ObjectType::Note => "notes",
        }
    }

    /// HubSpot's object type id (`0-1` for contacts, …).
    pub fn type_id(self) -> &'static str {
        match self {
            ObjectType::Contact => "0-1",
            ObjectType::Company => "0-2",
            ObjectType::Deal => "0-3",
            ObjectType::Ticket => "0-5",
            ObjectType::Task => "0-27",
            ObjectType::Note => "0-46",
        }
    }

    pub fn singular(self) -> &'static str {
        match self {
            ObjectType::Contact => "contact",
            ObjectType::Company => "company",
            ObjectType::Deal => "deal",
            ObjectType::Ticket => "ticket",
            ObjectType::Task => "task",
            ObjectType::Note => "note",
        }
    }

    /// The type as people read it: `Contact`.
    pub fn label(self) -> &'static str {
        match self {
            ObjectType::Contact => "Contact",
            ObjectType::Company => "Company",
            ObjectType::Deal => "Deal",
            ObjectType::Ticket => "Ticket",
            ObjectType::Task => "Task",
            ObjectType::Note => "Note",
        }
    }

    /// The plural as people read it: `Contacts`.
    pub fn label_plural(self) -> &'static str {
        match self {
            ObjectType::Contact => "Contacts",
            ObjectType::Company => "Companies",
            ObjectType::Deal => "Deals",
            ObjectType::Ticket => "Tickets",
            ObjectType::Task => "Tasks",
            ObjectType::Note => "Notes",
        }
    }

    /// Where a record of this type lives in the web app (`/contacts/12`),
    /// a path under the hub's public URL.
    pub fn record_path(self, id: i64) -> String {
        format!("/{}/{id}", self.as_str())
    }

    /// The OAuth-style scope prefix HubSpot uses for this type.
    pub fn scope_stem(self) -> &'static str {
        match self {
            ObjectType::Contact | ObjectType::Task | ObjectType::Note => "crm.objects.contacts",
            ObjectType::Company => "crm.objects.companies",
            ObjectType::Deal => "crm.objects.deals",
            ObjectType::Ticket => "tickets",
        }
    }

    /// Whether records of this type live in a pipeline, and under which
    /// pipeline and stage property names.
    pub fn pipeline_properties(self) -> Option<(&'static str, &'static str)> {
        match self {
            ObjectType::Deal => Some(("pipeline", "dealstage")),
            ObjectType::Ticket => Some(("hs_pipeline", "hs_pipeline_stage")),
            _ => None,
        }
    }
}

impl fmt::Display for ObjectType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ObjectType {
    type Err = HubError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        ObjectType::ALL
            .into_iter()
            .find(|t| lower == t.as_str() || lower == t.singular() || lower == t.type_id())
            .ok_or_else(|| HubError::invalid(format!("Unable to infer object type from: {s}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plural_singular_and_type_ids() {
        assert_eq!(
            "contacts".parse::<ObjectType>().unwrap(),
            ObjectType::Contact
        );
        assert_eq!("Deal".parse::<ObjectType>().unwrap(), ObjectType::Deal);
        assert_eq!("0-5".parse::<ObjectType>().unwrap(), ObjectType::Ticket);
        assert!("widgets".parse::<ObjectType>().is_err());
    }
}
