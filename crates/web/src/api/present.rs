//! The JSON shapes HubSpot's API answers with, built in one place.

use std::collections::BTreeMap;

use hubbub_hub::timestamp::to_iso;
use hubbub_hub::{ObjectType, Record};
use hubbub_store::Association;
use serde_json::{json, Map, Value};

/// Associated records by type, for `?associations=` reads.
pub type AssociationsByType = Vec<(ObjectType, BTreeMap<i64, Vec<Association>>)>;

/// HubSpot's `SimplePublicObject`: the asked-for properties (null when
/// unset) plus the system ones HubSpot always returns.
pub fn object(record: &Record, names: &[String]) -> Value {
    let mut properties = Map::new();
    for name in names {
        properties.insert(
            name.clone(),
            record.value(name).map_or(Value::Null, Value::String),
        );
    }
    for name in [
        "hs_object_id",
        "createdate",
        modified_property(record.object_type),
    ] {
        properties.insert(
            name.to_owned(),
            record.value(name).map_or(Value::Null, Value::String),
        );
    }
    let mut out = json!({
        "id": record.id.to_string(),
        "properties": properties,
        "createdAt": to_iso(record.created_at),
        "updatedAt": to_iso(record.updated_at),
        "archived": record.archived,
    });
    if let Some(at) = record.archived_at {
        out["archivedAt"] = json!(to_iso(at));
    }
    out
}

/// Contacts keep `lastmodifieddate`; the other types `hs_lastmodifieddate`.
fn modified_property(object_type: ObjectType) -> &'static str {
    if object_type == ObjectType::Contact {
        "lastmodifieddate"
    } else {
        "hs_lastmodifieddate"
    }
}

/// A record with its `associations` block, as list and read return it.
pub fn object_with_associations(
    record: &Record,
    names: &[String],
    associations: &AssociationsByType,
) -> Value {
    let mut out = object(record, names);
    let mut block = Map::new();
    for (to_type, by_record) in associations {
        let Some(list) = by_record.get(&record.id).filter(|l| !l.is_empty()) else {
            continue;
        };
        let kind = format!(
            "{}_to_{}",
            record.object_type.singular(),
            to_type.singular()
        );
        let results: Vec<Value> = list
            .iter()
            .map(|a| json!({"id": a.to_id.to_string(), "type": kind}))
            .collect();
        block.insert(to_type.as_str().to_owned(), json!({"results": results}));
    }
    if !block.is_empty() {
        out["associations"] = Value::Object(block);
    }
    out
}

/// `paging.next` for a page followed by another, else nothing.
pub fn paging(next_after: Option<String>, link: impl FnOnce(&str) -> String) -> Option<Value> {
    next_after.map(|after| json!({"next": {"after": after, "link": link(&after)}}))
}

/// HubSpot's batch response envelope.
pub fn batch(results: Vec<Value>, started_at: i64, errors: Vec<Value>) -> Value {
    let mut out = json!({
        "status": "COMPLETE",
        "results": results,
        "startedAt": to_iso(started_at),
        "completedAt": to_iso(hubbub_hub::timestamp::now_millis()),
        "links": {},
    });
    if !errors.is_empty() {
        out["numErrors"] = json!(errors.len());
        out["errors"] = Value::Array(errors);
    }
    out
}
