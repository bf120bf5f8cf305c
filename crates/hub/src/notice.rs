//! One notification for one person, as every channel renders it: the
//! bell's entry, the email, the Slack direct message.

use crate::{ObjectType, Topic};
use serde::{Deserialize, Serialize};

/// What happened, for whom. Stored inside Slack delivery jobs, so it reads
/// back as it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The person told.
    pub user_id: i64,
    #[serde(with = "topic_name")]
    pub topic: Topic,
    /// What happened, in one line: "Ada assigned you the deal Big deal".
    pub headline: String,
    /// What was said (a comment, a note), when anything was.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// Who did it, as people read it; `None` when the hub itself did
    /// (a reminder coming due).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// Where "View" leads: a path inside the hub.
    pub link: String,
    /// The record it is about, when it is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<RecordRef>,
}

/// A record by type and id, as jobs and Slack button values carry it
/// (`deal:12`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRef {
    #[serde(with = "type_name")]
    pub object_type: ObjectType,
    pub id: i64,
}

impl RecordRef {
    pub fn new(object_type: ObjectType, id: i64) -> RecordRef {
        RecordRef { object_type, id }
    }

    /// `deal:12`.
    pub fn encode(self) -> String {
        format!("{}:{}", self.object_type.singular(), self.id)
    }

    /// Reads `deal:12` back; anything else is `None`.
    pub fn decode(text: &str) -> Option<RecordRef> {
        let (t, id) = text.split_once(':')?;
        Some(RecordRef {
            object_type: t.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

mod topic_name {
    use crate::Topic;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Topic, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(t.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Topic, D::Error> {
        let name = String::deserialize(d)?;
        Topic::parse(&name).ok_or_else(|| D::Error::custom(format!("unknown topic {name}")))
    }
}

mod type_name {
    use crate::ObjectType;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &ObjectType, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(t.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ObjectType, D::Error> {
        let name = String::deserialize(d)?;
        name.parse()
            .map_err(|_| D::Error::custom(format!("unknown object type {name}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_reads_back_as_written() {
        let n = Notice {
            user_id: 3,
            topic: Topic::StageChanged,
            headline: "Ada moved the deal Big to Won".into(),
            detail: String::new(),
            actor: Some("Ada".into()),
            link: "/deals/9".into(),
            record: Some(RecordRef::new(ObjectType::Deal, 9)),
        };
        let json = serde_json::to_string(&n).unwrap();
        assert!(json.contains("\"stage_changed\""), "{json}");
        assert_eq!(serde_json::from_str::<Notice>(&json).unwrap(), n);
    }

    #[test]
    fn record_refs_encode_as_type_and_id() {
        let r = RecordRef::new(ObjectType::Task, 12);
        assert_eq!(r.encode(), "task:12");
        assert_eq!(RecordRef::decode("task:12"), Some(r));
        assert_eq!(RecordRef::decode("task:x"), None);
        assert_eq!(RecordRef::decode("nope:1"), None);
    }
}
