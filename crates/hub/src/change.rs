//! What happened to a record, as the parts of the hub that react to
//! changes (notifications, automation rules) see it: computed once by the
//! write that made the change, from the record before and after it.

use crate::{ObjectType, Record};

/// One record's change.
#[derive(Debug, Clone, Copy)]
pub enum RecordEvent<'a> {
    Created(&'a Record),
    Changed {
        before: &'a Record,
        after: &'a Record,
    },
}

impl<'a> RecordEvent<'a> {
    /// The record as the change left it.
    pub fn record(&self) -> &'a Record {
        match self {
            RecordEvent::Created(r) => r,
            RecordEvent::Changed { after, .. } => after,
        }
    }

    pub fn object_type(&self) -> ObjectType {
        self.record().object_type
    }

    /// The value of `property` before the change (`None` for a new
    /// record, or when it had none).
    pub fn before(&self, property: &str) -> Option<&'a str> {
        match self {
            RecordEvent::Created(_) => None,
            RecordEvent::Changed { before, .. } => {
                before.properties.get(property).map(String::as_str)
            }
        }
    }

    /// The value of `property` after the change.
    pub fn after(&self, property: &str) -> Option<&'a str> {
        self.record().properties.get(property).map(String::as_str)
    }

    /// Whether the change gave `property` a new value (a new record
    /// "changes" every property it has).
    pub fn changed(&self, property: &str) -> bool {
        self.after(property).filter(|v| !v.is_empty())
            != self.before(property).filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn deal(stage: &str) -> Record {
        Record {
            id: 7,
            object_type: ObjectType::Deal,
            properties: BTreeMap::from([("dealstage".to_owned(), stage.to_owned())]),
            created_at: 0,
            updated_at: 0,
            archived: false,
            archived_at: None,
        }
    }

    #[test]
    fn a_change_knows_what_it_changed() {
        let (before, after) = (deal("a"), deal("b"));
        let e = RecordEvent::Changed {
            before: &before,
            after: &after,
        };
        assert!(e.changed("dealstage"));
        assert!(!e.changed("amount"));
        assert_eq!(e.before("dealstage"), Some("a"));
        let same = RecordEvent::Changed {
            before: &before,
            after: &before,
        };
        assert!(!same.changed("dealstage"));
        assert!(RecordEvent::Created(&after).changed("dealstage"));
    }
}
