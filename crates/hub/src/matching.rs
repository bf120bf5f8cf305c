//! A search condition read against one record in memory, as the store's
//! SQL reads it against the database: what an automation rule's filters
//! ask of the record a change left. Text compares lower-cased; numbers,
//! dates and datetimes compare as numbers; a token is a run of letters and
//! digits, and `word*` matches tokens that start with `word`.

use crate::search::{CmpOp, Condition, Field, Scalar};
use crate::timestamp::parse_instant;
use crate::token::tokens;
use crate::Record;

/// A field's value on the record, typed as the condition compares it.
enum Value {
    Text(String),
    Number(f64),
    /// The record has no value for the property.
    Missing,
}

fn value_of(record: &Record, field: &Field) -> Value {
    match field {
        Field::Id => Value::Number(record.id as f64),
        Field::CreatedAt => Value::Number(record.created_at as f64),
        Field::UpdatedAt => Value::Number(record.updated_at as f64),
        Field::Text(p) => match record.properties.get(p) {
            Some(v) => Value::Text(v.to_lowercase()),
            None => Value::Missing,
        },
        Field::Number(p) => match record.properties.get(p).and_then(|v| number(v)) {
            Some(n) => Value::Number(n),
            None => Value::Missing,
        },
    }
}

/// A stored number, date or datetime as the number it compares by.
fn number(stored: &str) -> Option<f64> {
    stored
        .trim()
        .parse::<f64>()
        .ok()
        .or_else(|| parse_instant(stored).map(|ms| ms as f64))
        .filter(|n| n.is_finite())
}

fn compare(value: &Value, op: CmpOp, with: &Scalar) -> bool {
    let ordering = match (value, with) {
        (Value::Text(v), Scalar::Text(w)) => v.as_str().cmp(w.as_str()),
        (Value::Text(v), Scalar::Number(n)) => match op {
            CmpOp::Eq => return *v == n.to_string(),
            _ => return false,
        },
        (Value::Number(v), Scalar::Number(n)) => match v.partial_cmp(n) {
            Some(o) => o,
            None => return false,
        },
        (Value::Number(_), Scalar::Text(_)) | (Value::Missing, _) => return false,
    };
    match op {
        CmpOp::Eq => ordering.is_eq(),
        CmpOp::Lt => ordering.is_lt(),
        CmpOp::Lte => ordering.is_le(),
        CmpOp::Gt => ordering.is_gt(),
        CmpOp::Gte => ordering.is_ge(),
    }
}

impl Condition {
    /// Whether `record` meets the condition.
    pub fn matches(&self, record: &Record) -> bool {
        match self {
            Condition::All(parts) => parts.iter().all(|c| c.matches(record)),
            Condition::Any(parts) => parts.iter().any(|c| c.matches(record)),
            Condition::Not(inner) => !inner.matches(record),
            Condition::Compare { field, op, value } => {
                compare(&value_of(record, field), *op, value)
            }
            Condition::In { field, values } => {
                let v = value_of(record, field);
                values.iter().any(|w| compare(&v, CmpOp::Eq, w))
            }
            Condition::HasValue(field) => !matches!(value_of(record, field), Value::Missing),
            Condition::Tokens {
                properties,
                patterns,
            } => {
                let words: Vec<String> = properties
                    .iter()
                    .filter_map(|p| record.properties.get(p))
                    .flat_map(|v| tokens(v))
                    .collect();
                patterns.iter().all(|p| {
                    words.iter().any(|w| {
                        if p.prefix {
                            w.starts_with(&p.token)
                        } else {
                            *w == p.token
                        }
                    })
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::property::PropertySet;
    use crate::search::{filters_condition, FilterInput};
    use crate::ObjectType;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn deal(props: &[(&str, &str)]) -> Record {
        Record {
            id: 7,
            object_type: ObjectType::Deal,
            properties: props
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
            created_at: 1_704_067_200_000,
            updated_at: 1_704_067_200_000,
            archived: false,
            archived_at: None,
        }
    }

    fn holds(filter: serde_json::Value, record: &Record) -> bool {
        let filter: FilterInput = serde_json::from_value(filter).unwrap();
        let props = PropertySet::new(ObjectType::Deal, vec![]);
        filters_condition(&[filter], &props)
            .expect("a valid filter")
            .matches(record)
    }

    #[test]
    fn every_search_operator_reads_one_record() {
        let d = deal(&[
            ("dealname", "Big Renewal for ACME"),
            ("amount", "1500.5"),
            ("dealstage", "closedwon"),
            ("closedate", "2024-05-01"),
        ]);
        let yes = [
            json!({"propertyName": "dealname", "operator": "EQ", "value": "big renewal for acme"}),
            json!({"propertyName": "dealstage", "operator": "NEQ", "value": "closedlost"}),
            json!({"propertyName": "amount", "operator": "GT", "value": "1000"}),
            json!({"propertyName": "amount", "operator": "LTE", "value": 1500.5}),
            json!({"propertyName": "amount", "operator": "BETWEEN", "value": "1000", "highValue": "2000"}),
            json!({"propertyName": "closedate", "operator": "GTE", "value": "2024-01-01"}),
            json!({"propertyName": "createdate", "operator": "LT", "value": "2024-02-01"}),
            json!({"propertyName": "dealstage", "operator": "IN", "values": ["closedwon", "contractsent"]}),
            json!({"propertyName": "dealstage", "operator": "NOT_IN", "values": ["closedlost"]}),
            json!({"propertyName": "amount", "operator": "HAS_PROPERTY"}),
            json!({"propertyName": "description", "operator": "NOT_HAS_PROPERTY"}),
            json!({"propertyName": "dealname", "operator": "CONTAINS_TOKEN", "value": "renew*"}),
            json!({"propertyName": "dealname", "operator": "NOT_CONTAINS_TOKEN", "value": "globex"}),
        ];
        for filter in yes {
            assert!(holds(filter.clone(), &d), "{filter}");
        }
        let no = [
            json!({"propertyName": "dealname", "operator": "EQ", "value": "big"}),
            json!({"propertyName": "amount", "operator": "LT", "value": "1000"}),
            json!({"propertyName": "amount", "operator": "BETWEEN", "value": "1", "highValue": "2"}),
            json!({"propertyName": "dealstage", "operator": "IN", "values": ["closedlost"]}),
            json!({"propertyName": "description", "operator": "HAS_PROPERTY"}),
            json!({"propertyName": "dealname", "operator": "CONTAINS_TOKEN", "value": "renewals"}),
            // A comparison with a value the record lacks does not hold.
            json!({"propertyName": "description", "operator": "GT", "value": "a"}),
        ];
        for filter in no {
            assert!(!holds(filter.clone(), &d), "{filter}");
        }
    }
}
