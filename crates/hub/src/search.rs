//! HubSpot's search request (filterGroups, sorts, query, paging) and the
//! validated condition tree the store turns into SQL. Filter groups are an
//! OR of ANDs; every filter names a property that must exist.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::property::{PropertyDef, PropertySet, Storage};
use crate::timestamp::parse_instant;
use crate::token::{self, TokenPattern};
use crate::{FieldError, HubError};

pub const MAX_FILTER_GROUPS: usize = 5;
pub const MAX_FILTERS_PER_GROUP: usize = 6;
pub const MAX_FILTERS: usize = 18;
pub const MAX_LIMIT: u32 = 200;
pub const DEFAULT_LIMIT: u32 = 10;
/// HubSpot stops search paging at 10,000 results.
pub const MAX_OFFSET: u32 = 10_000;
/// Values one `IN` or `NOT_IN` filter may list. With at most
/// [`MAX_FILTERS`] filters this bounds a search's work and the placeholders
/// of its SQL (SQLite takes at most 32,766).
pub const MAX_FILTER_VALUES: usize = 100;
/// Words one `CONTAINS_TOKEN` value or a free-text `query` may hold: each
/// is one more term for the index to match.
pub const MAX_WORDS: usize = 100;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SearchRequest {
    #[serde(default)]
    pub filter_groups: Vec<FilterGroupInput>,
    #[serde(default)]
    pub sorts: Vec<SortInput>,
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub properties: Vec<String>,
    #[serde(default)]
    pub limit: Option<i64>,
    #[serde(default)]
    pub after: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FilterGroupInput {
    #[serde(default)]
    pub filters: Vec<FilterInput>,
}

/// One filter as HubSpot's search takes it; automation rules keep theirs
/// in the same shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FilterInput {
    pub property_name: String,
    pub operator: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high_value: Option<Value>,
}

/// HubSpot's clients send sorts as objects or as bare property names.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum SortInput {
    Name(String),
    Spec {
        #[serde(rename = "propertyName")]
        property_name: String,
        #[serde(default)]
        direction: Option<String>,
    },
}

/// A column or property a condition looks at.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Id,
    CreatedAt,
    UpdatedAt,
    /// A property compared as lower-cased text.
    Text(String),
    /// A property compared as a number (numbers, dates, datetimes).
    Number(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Text(String),
    Number(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Lt,
    Lte,
    Gt,
    Gte,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Compare {
        field: Field,
        op: CmpOp,
        value: Scalar,
    },
    In {
        field: Field,
        values: Vec<Scalar>,
    },
    HasValue(Field),
    /// Every pattern matches a token of one of `properties`.
    Tokens {
        properties: Vec<String>,
        patterns: Vec<TokenPattern>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sort {
    pub field: Field,
    pub descending: bool,
}

/// A search request checked against the account's properties.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPlan {
    pub condition: Option<Condition>,
    pub sort: Sort,
    pub limit: u32,
    pub offset: u32,
    pub properties: Vec<String>,
}

impl SearchRequest {
    /// A free-text search, newest first: what a person types into a
    /// search box (the web app's, `/hs search`).
    pub fn free_text(query: &str, limit: u32, offset: u32) -> SearchRequest {
        SearchRequest {
            query: Some(query.to_owned()),
            sorts: vec![SortInput::Spec {
                property_name: "hs_object_id".into(),
                direction: Some("DESCENDING".into()),
            }],
            limit: Some(i64::from(limit)),
            after: Some(Value::String(offset.to_string())),
            ..SearchRequest::default()
        }
    }

    pub fn plan(&self, props: &PropertySet) -> Result<SearchPlan, HubError> {
        check_counts(&self.filter_groups)?;
        let mut errors = Vec::new();
        let groups: Vec<Condition> = self
            .filter_groups
            .iter()
            .map(|g| group_condition(&g.filters, props, &mut errors))
            .collect();
        let sort = self.sort(props).map_err(|e| errors.push(e)).ok();
        let query = self
            .query
            .as_deref()
            .filter(|q| !q.trim().is_empty())
            .and_then(|q| query_condition(q, props).map_err(|e| errors.push(e)).ok());
        if !errors.is_empty() {
            return Err(HubError::fields(errors));
        }
        let mut all = Vec::new();
        if !groups.is_empty() {
            all.push(Condition::Any(groups));
        }
        all.extend(query);
        Ok(SearchPlan {
            condition: (!all.is_empty()).then_some(Condition::All(all)),
            sort: sort.expect("checked above"),
            limit: parse_limit(self.limit)?,
            offset: parse_after(self.after.as_ref())?,
            properties: self.properties(props),
        })
    }

    fn sort(&self, props: &PropertySet) -> Result<Sort, FieldError> {
        let Some(first) = self.sorts.first() else {
            return Ok(Sort {
                field: Field::Id,
                descending: false,
            });
        };
        let (name, direction) = match first {
            SortInput::Name(n) => (n.as_str(), None),
            SortInput::Spec {
                property_name,
                direction,
            } => (property_name.as_str(), direction.as_deref()),
        };
        let def = props.get(name).ok_or_else(|| props.doesnt_exist(name))?;
        let descending = match direction.map(str::to_ascii_uppercase).as_deref() {
            None | Some("ASCENDING") => false,
            Some("DESCENDING") => true,
            Some(other) => {
                return Err(FieldError::new(
                    "INVALID_SORT",
                    "sorts",
                    format!("Sort direction must be ASCENDING or DESCENDING, not {other:?}"),
                ))
            }
        };
        Ok(Sort {
            field: field_of(def),
            descending,
        })
    }

    fn properties(&self, props: &PropertySet) -> Vec<String> {
        if self.properties.is_empty() {
            return props.default_shown();
        }
        known_properties(&self.properties, props)
    }
}

/// The AND of one filter group's filters; each filter that cannot be read
/// adds its error to `errors` and is left out.
fn group_condition(
    filters: &[FilterInput],
    props: &PropertySet,
    errors: &mut Vec<FieldError>,
) -> Condition {
    let filters = filters
        .iter()
        .filter_map(|f| f.condition(props).map_err(|e| errors.push(e)).ok())
        .collect();
    Condition::All(filters)
}

/// The AND of `filters`, read and checked as one filter group of a search
/// (at most [`MAX_FILTERS_PER_GROUP`]): what an automation rule's filters
/// mean. Every error names its filter's property.
pub fn filters_condition(
    filters: &[FilterInput],
    props: &PropertySet,
) -> Result<Condition, HubError> {
    if filters.len() > MAX_FILTERS_PER_GROUP {
        return Err(HubError::field(
            "TOO_MANY_FILTERS",
            "filters",
            format!("At most {MAX_FILTERS_PER_GROUP} filters"),
        ));
    }
    let mut errors = Vec::new();
    let condition = group_condition(filters, props, &mut errors);
    if errors.is_empty() {
        Ok(condition)
    } else {
        Err(HubError::fields(errors))
    }
}

/// The search operators, as HubSpot names them.
pub const OPERATORS: [&str; 13] = [
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
];

/// The properties a read asks for that exist. Like HubSpot, names that do
/// not exist are left out rather than refused.
pub fn known_properties(names: &[String], props: &PropertySet) -> Vec<String> {
    names
        .iter()
        .filter(|n| props.get(n).is_some())
        .cloned()
        .collect()
}

fn check_counts(groups: &[FilterGroupInput]) -> Result<(), HubError> {
    let total: usize = groups.iter().map(|g| g.filters.len()).sum();
    if groups.len() > MAX_FILTER_GROUPS
        || groups
            .iter()
            .any(|g| g.filters.len() > MAX_FILTERS_PER_GROUP)
        || total > MAX_FILTERS
    {
        return Err(HubError::field(
            "TOO_MANY_FILTERS",
            "filterGroups",
            format!(
                "A search takes at most {MAX_FILTER_GROUPS} filter groups of at most \
                 {MAX_FILTERS_PER_GROUP} filters each, {MAX_FILTERS} filters in all"
            ),
        ));
    }
    Ok(())
}

fn parse_limit(limit: Option<i64>) -> Result<u32, HubError> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => Ok(n as u32),
        Some(n) => Err(HubError::field(
            "INVALID_LIMIT",
            "limit",
            format!("limit must be between 1 and {MAX_LIMIT}, not {n}"),
        )),
    }
}

fn parse_after(after: Option<&Value>) -> Result<u32, HubError> {
    let text = match after {
        None | Some(Value::Null) => return Ok(0),
        Some(Value::String(s)) if s.is_empty() => return Ok(0),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    };
    match text.parse::<u32>() {
        Ok(n) if n <= MAX_OFFSET => Ok(n),
        _ => Err(HubError::field(
            "INVALID_AFTER",
            "after",
            format!("after must be a paging token from a previous page (0 to {MAX_OFFSET}), not {text:?}"),
        )),
    }
}

/// Every word of a free-text query must prefix-match a word of one of the
/// type's searchable properties.
fn query_condition(query: &str, props: &PropertySet) -> Result<Condition, FieldError> {
    // Counted before splitting, which drops repeated words at a cost that
    // grows with the square of their number.
    let words = token::count_words(query);
    if words > MAX_WORDS {
        return Err(FieldError::new(
            "TOO_MANY_WORDS",
            "query",
            format!("A query holds at most {MAX_WORDS} words, not {words}"),
        ));
    }
    let patterns = token::tokens(query)
        .into_iter()
        .map(|token| TokenPattern {
            token,
            prefix: true,
        })
        .collect();
    Ok(Condition::Tokens {
        properties: props.query_properties(),
        patterns,
    })
}

fn field_of(def: &PropertyDef) -> Field {
    match def.storage {
        Storage::Id => Field::Id,
        Storage::CreatedAt => Field::CreatedAt,
        Storage::UpdatedAt => Field::UpdatedAt,
        Storage::Value if def.ptype.is_numeric() => Field::Number(def.name.clone()),
        Storage::Value => Field::Text(def.name.clone()),
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl FilterInput {
    fn condition(&self, props: &PropertySet) -> Result<Condition, FieldError> {
        let def = props
            .get(&self.property_name)
            .ok_or_else(|| props.doesnt_exist(&self.property_name))?;
        let field = field_of(def);
        let op = self.operator.to_ascii_uppercase();
        let compare = |op: CmpOp| -> Result<Condition, FieldError> {
            Ok(Condition::Compare {
                field: field.clone(),
                op,
                value: self.scalar(def, self.value.as_ref())?,
            })
        };
        Ok(match op.as_str() {
            "EQ" => compare(CmpOp::Eq)?,
            "NEQ" => Condition::Not(Box::new(compare(CmpOp::Eq)?)),
            "LT" => compare(CmpOp::Lt)?,
            "LTE" => compare(CmpOp::Lte)?,
            "GT" => compare(CmpOp::Gt)?,
            "GTE" => compare(CmpOp::Gte)?,
            "BETWEEN" => Condition::All(vec![
                compare(CmpOp::Gte)?,
                Condition::Compare {
                    field: field.clone(),
                    op: CmpOp::Lte,
                    value: self.scalar(def, self.high_value.as_ref())?,
                },
            ]),
            "IN" => self.in_condition(def, field)?,
            "NOT_IN" => Condition::Not(Box::new(self.in_condition(def, field)?)),
            "HAS_PROPERTY" => Condition::HasValue(field),
            "NOT_HAS_PROPERTY" => Condition::Not(Box::new(Condition::HasValue(field))),
            "CONTAINS_TOKEN" => self.token_condition(def)?,
            "NOT_CONTAINS_TOKEN" => Condition::Not(Box::new(self.token_condition(def)?)),
            _ => {
                return Err(FieldError::new(
                    "INVALID_OPERATOR",
                    &self.property_name,
                    format!(
                        "Unknown operator {:?} on property {}; expected one of {}",
                        self.operator,
                        self.property_name,
                        OPERATORS.join(", ")
                    ),
                ))
            }
        })
    }

    fn in_condition(&self, def: &PropertyDef, field: Field) -> Result<Condition, FieldError> {
        let values = self.values.as_deref().unwrap_or_default();
        if values.is_empty() {
            return Err(self.error(format!(
                "{} on {} needs a non-empty values list",
                self.operator, self.property_name
            )));
        }
        if values.len() > MAX_FILTER_VALUES {
            return Err(FieldError::new(
                "TOO_MANY_VALUES",
                &self.property_name,
                format!(
                    "{} on {} takes at most {MAX_FILTER_VALUES} values, not {}",
                    self.operator,
                    self.property_name,
                    values.len()
                ),
            ));
        }
        let values = values
            .iter()
            .map(|v| self.scalar(def, Some(v)))
            .collect::<Result<_, _>>()?;
        Ok(Condition::In { field, values })
    }

    fn token_condition(&self, def: &PropertyDef) -> Result<Condition, FieldError> {
        if !def.ptype.is_tokenized() || def.storage != Storage::Value {
            return Err(self.error(format!(
                "{} only applies to text properties; {} is not one",
                self.operator, self.property_name
            )));
        }
        let raw = self.value.as_ref().map(value_text).unwrap_or_default();
        let patterns = token::patterns(&raw);
        if patterns.is_empty() {
            return Err(self.error(format!(
                "{} on {} needs a value with at least one word",
                self.operator, self.property_name
            )));
        }
        if patterns.len() > MAX_WORDS {
            return Err(FieldError::new(
                "TOO_MANY_WORDS",
                &self.property_name,
                format!(
                    "{} on {} takes a value of at most {MAX_WORDS} words, not {}",
                    self.operator,
                    self.property_name,
                    patterns.len()
                ),
            ));
        }
        Ok(Condition::Tokens {
            properties: vec![def.name.clone()],
            patterns,
        })
    }

    fn scalar(&self, def: &PropertyDef, value: Option<&Value>) -> Result<Scalar, FieldError> {
        let Some(raw) = value.map(value_text) else {
            return Err(self.error(format!(
                "{} on {} needs a value",
                self.operator, self.property_name
            )));
        };
        if !def.ptype.is_numeric() {
            return Ok(Scalar::Text(raw.to_lowercase()));
        }
        let number = match def.ptype {
            crate::property::PropertyType::Number => raw.trim().parse::<f64>().ok(),
            _ => parse_instant(&raw).map(|ms| ms as f64),
        };
        number
            .filter(|n| n.is_finite())
            .map(Scalar::Number)
            .ok_or_else(|| {
                self.error(format!(
                    "{raw:?} is not a valid {} value for {}",
                    def.ptype.as_str(),
                    self.property_name
                ))
            })
    }

    fn error(&self, message: String) -> FieldError {
        FieldError::new("INVALID_FILTER", &self.property_name, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ObjectType;
    use serde_json::json;

    fn plan(body: Value) -> Result<SearchPlan, HubError> {
        let req: SearchRequest = serde_json::from_value(body).unwrap();
        req.plan(&PropertySet::new(ObjectType::Contact, vec![]))
    }

    #[test]
    fn groups_are_an_or_of_ands() {
        let p = plan(json!({"filterGroups": [
            {"filters": [{"propertyName": "email", "operator": "EQ", "value": "A@x.io"}]},
            {"filters": [{"propertyName": "createdate", "operator": "GT", "value": "2024-01-01"}]}
        ]}))
        .unwrap();
        let email = Condition::Compare {
            field: Field::Text("email".into()),
            op: CmpOp::Eq,
            value: Scalar::Text("a@x.io".into()),
        };
        let created = Condition::Compare {
            field: Field::CreatedAt,
            op: CmpOp::Gt,
            value: Scalar::Number(1_704_067_200_000.0),
        };
        assert_eq!(
            p.condition,
            Some(Condition::All(vec![Condition::Any(vec![
                Condition::All(vec![email]),
                Condition::All(vec![created]),
            ])]))
        );
    }

    #[test]
    fn unknown_properties_and_operators_name_the_field() {
        let err = plan(json!({"filterGroups": [{"filters": [
            {"propertyName": "shoe_size", "operator": "EQ", "value": "9"},
            {"propertyName": "email", "operator": "LIKE", "value": "x"}
        ]}]}))
        .unwrap_err();
        let HubError::Validation { errors, .. } = err else {
            panic!()
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.clone().unwrap()).collect();
        assert_eq!(fields, ["shoe_size", "email"]);
    }

    fn in_filter(values: usize) -> Value {
        let values: Vec<String> = (0..values).map(|i| format!("v{i}@x.io")).collect();
        json!({"filterGroups": [{"filters": [
            {"propertyName": "email", "operator": "NOT_IN", "values": values}
        ]}]})
    }

    fn refused_field(body: Value) -> (&'static str, String) {
        let Err(HubError::Validation { errors, .. }) = plan(body) else {
            panic!("refused")
        };
        (errors[0].code, errors[0].field.clone().unwrap())
    }

    #[test]
    fn filter_values_and_words_are_bounded() {
        assert!(plan(in_filter(MAX_FILTER_VALUES)).is_ok());
        assert_eq!(
            refused_field(in_filter(MAX_FILTER_VALUES + 1)),
            ("TOO_MANY_VALUES", "email".to_owned())
        );
        let words = |n: usize| vec!["word"; n].join(" ");
        assert!(plan(json!({"query": words(MAX_WORDS)})).is_ok());
        assert_eq!(
            refused_field(json!({"query": words(MAX_WORDS + 1)})),
            ("TOO_MANY_WORDS", "query".to_owned())
        );
        let token = |n: usize| {
            json!({"filterGroups": [{"filters": [
                {"propertyName": "firstname", "operator": "CONTAINS_TOKEN", "value": words(n)}
            ]}]})
        };
        assert!(plan(token(MAX_WORDS)).is_ok());
        assert_eq!(
            refused_field(token(MAX_WORDS + 1)),
            ("TOO_MANY_WORDS", "firstname".to_owned())
        );
    }

    #[test]
    fn paging_is_bounded() {
        assert!(plan(json!({"limit": 201})).is_err());
        assert!(plan(json!({"after": "10001"})).is_err());
        assert_eq!(plan(json!({"after": "20", "limit": 5})).unwrap().offset, 20);
    }
}
