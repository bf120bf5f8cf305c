//! Association types between object types: HubSpot's default
//! (`HUBSPOT_DEFINED`) type ids, in both directions.

use crate::ObjectType;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssociationType {
    pub type_id: i64,
    pub label: Option<&'static str>,
}

pub const CATEGORY: &str = "HUBSPOT_DEFINED";

use ObjectType::*;

/// (from, to, type id, label) for every default association HubSpot
/// defines between the types the hub stores.
const TYPES: &[(ObjectType, ObjectType, i64, Option<&str>)] = &[
    (Contact, Company, 279, None),
    (Contact, Company, 1, Some("Primary")),
    (Company, Contact, 280, None),
    (Company, Contact, 2, Some("Primary")),
    (Deal, Contact, 3, None),
    (Contact, Deal, 4, None),
    (Deal, Company, 341, None),
    (Deal, Company, 5, Some("Primary")),
    (Company, Deal, 342, None),
    (Company, Deal, 6, Some("Primary")),
    (Ticket, Contact, 16, None),
    (Contact, Ticket, 15, None),
    (Ticket, Company, 339, None),
    (Company, Ticket, 340, None),
    (Ticket, Deal, 28, None),
    (Deal, Ticket, 27, None),
    (Task, Contact, 204, None),
    (Contact, Task, 203, None),
    (Task, Company, 192, None),
    (Company, Task, 191, None),
    (Task, Deal, 216, None),
    (Deal, Task, 215, None),
    (Task, Ticket, 230, None),
    (Ticket, Task, 229, None),
    (Note, Contact, 202, None),
    (Contact, Note, 201, None),
    (Note, Company, 190, None),
    (Company, Note, 189, None),
    (Note, Deal, 214, None),
    (Deal, Note, 213, None),
    (Note, Ticket, 228, None),
    (Ticket, Note, 227, None),
];

/// The unlabeled default type from `from` to `to`, if the pair associates.
pub fn default_type(from: ObjectType, to: ObjectType) -> Option<AssociationType> {
    TYPES
        .iter()
        .find(|(f, t, _, label)| *f == from && *t == to && label.is_none())
        .map(|&(_, _, type_id, label)| AssociationType { type_id, label })
}

/// Looks up a type id between the pair; `None` if HubSpot defines no such.
pub fn find_type(from: ObjectType, to: ObjectType, type_id: i64) -> Option<AssociationType> {
    TYPES
        .iter()
        .find(|(f, t, id, _)| *f == from && *t == to && *id == type_id)
        .map(|&(_, _, type_id, label)| AssociationType { type_id, label })
}

/// The type id of the same association read from the other side.
pub fn inverse(from: ObjectType, to: ObjectType, type_id: i64) -> Option<AssociationType> {
    let index = TYPES
        .iter()
        .filter(|(f, t, _, _)| *f == from && *t == to)
        .position(|(_, _, id, _)| *id == type_id)?;
    TYPES
        .iter()
        .filter(|(f, t, _, _)| *f == to && *t == from)
        .nth(index)
        .map(|&(_, _, type_id, label)| AssociationType { type_id, label })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_an_inverse() {
        for &(from, to, id, label) in TYPES {
            let inv = inverse(from, to, id).expect("inverse");
            assert_eq!(inv.label, label);
            assert_eq!(inverse(to, from, inv.type_id).unwrap().type_id, id);
        }
        assert_eq!(default_type(Deal, Contact).unwrap().type_id, 3);
    }
}
