//! When a rule fires: a pure function of the rule and what a write did to
//! a record ([`fires`]). The trigger says which change counts; its value
//! and the rule's filters are one search condition, read with the search
//! API's own parsing and matched against the record as the change left it.

use hubbub_hub::property::PropertySet;
use hubbub_hub::search::{filters_condition, Condition, FilterInput};
use hubbub_hub::{HubError, ObjectType, RecordEvent};
use hubbub_store::{NotificationRule, RuleTarget, StoredTrigger};
use serde_json::Value;

use crate::jobs::Job;
use hubbub_hub::RecordRef;

/// A deal's stage.
pub const DEAL_STAGE: &str = "dealstage";
/// A ticket's priority.
pub const TICKET_PRIORITY: &str = "hs_ticket_priority";

/// What fires a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// A record of the rule's type is created.
    Created,
    /// A change gives `property` the value `value` (a record created with
    /// it counts: it "changed" from nothing).
    PropertyChanged { property: String, value: String },
    /// A deal enters the stage (is moved there, or created in it).
    DealStage { stage: String },
    /// A ticket is created with the priority.
    TicketPriority { priority: String },
}

impl Trigger {
    /// The kinds as stored and as the form names them.
    pub const KINDS: [(&'static str, &'static str); 4] = [
        ("created", "A record is created"),
        ("property_changed", "A property changes to a value"),
        ("deal_stage", "A deal enters a stage"),
        ("ticket_priority", "A ticket is created with a priority"),
    ];

    /// Reads a stored (or submitted) trigger; `None` for an unknown kind.
    pub fn parse(t: &StoredTrigger) -> Option<Trigger> {
        let value = t.value.trim().to_owned();
        Some(match t.kind.as_str() {
            "created" => Trigger::Created,
            "property_changed" => Trigger::PropertyChanged {
                property: t.property.trim().to_owned(),
                value,
            },
            "deal_stage" => Trigger::DealStage { stage: value },
            "ticket_priority" => Trigger::TicketPriority { priority: value },
            _ => return None,
        })
    }

    pub fn stored(&self) -> StoredTrigger {
        let (kind, property, value) = match self {
            Trigger::Created => ("created", "", ""),
            Trigger::PropertyChanged { property, value } => {
                ("property_changed", property.as_str(), value.as_str())
            }
            Trigger::DealStage { stage } => ("deal_stage", "", stage.as_str()),
            Trigger::TicketPriority { priority } => ("ticket_priority", "", priority.as_str()),
        };
        StoredTrigger {
            kind: kind.to_owned(),
            property: property.to_owned(),
            value: value.to_owned(),
        }
    }

    /// The type the trigger is about, when it fixes one.
    pub fn object_type(&self) -> Option<ObjectType> {
        match self {
            Trigger::DealStage { .. } => Some(ObjectType::Deal),
            Trigger::TicketPriority { .. } => Some(ObjectType::Ticket),
            _ => None,
        }
    }

    /// The property the change must give a new value, and that value.
    fn property_and_value(&self) -> Option<(&str, &str)> {
        match self {
            Trigger::Created => None,
            Trigger::PropertyChanged { property, value } => Some((property, value)),
            Trigger::DealStage { stage } => Some((DEAL_STAGE, stage)),
            Trigger::TicketPriority { priority } => Some((TICKET_PRIORITY, priority)),
        }
    }

    /// Only a new record fires it.
    fn on_create_only(&self) -> bool {
        matches!(self, Trigger::Created | Trigger::TicketPriority { .. })
    }

    /// The change is of the kind the trigger waits for (its value is part
    /// of the rule's condition).
    fn holds(&self, event: &RecordEvent<'_>) -> bool {
        if self.on_create_only() && !matches!(event, RecordEvent::Created(_)) {
            return false;
        }
        match self.property_and_value() {
            Some((property, _)) if !self.on_create_only() => event.changed(property),
            _ => true,
        }
    }

    /// The trigger's value as a search filter (`property EQ value`).
    fn value_filter(&self) -> Option<FilterInput> {
        let (property, value) = self.property_and_value()?;
        Some(FilterInput {
            property_name: property.to_owned(),
            operator: "EQ".to_owned(),
            value: Some(Value::String(value.to_owned())),
            values: None,
            high_value: None,
        })
    }
}

/// A rule read for matching: its trigger, and its condition checked
/// against the type's properties.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: i64,
    pub name: String,
    pub object_type: ObjectType,
    pub trigger: Trigger,
    pub target: RuleTarget,
    pub paused: bool,
    /// The trigger's value and the filters, all of which must hold.
    condition: Condition,
}

/// The condition a trigger and its filters make; field errors name the
/// trigger's property as `trigger_value` and each filter's by its name.
pub fn rule_condition(
    trigger: &Trigger,
    filters: &[FilterInput],
    props: &PropertySet,
) -> Result<Condition, HubError> {
    let trigger_condition = match trigger.value_filter() {
        Some(filter) => {
            let read = filters_condition(&[filter], props).map_err(|e| match e {
                HubError::Validation { errors, .. } => HubError::fields(
                    errors
                        .into_iter()
                        .map(|mut e| {
                            e.field = Some("trigger_value".to_owned());
                            e
                        })
                        .collect(),
                ),
                other => other,
            });
            Some(read?)
        }
        None => None,
    };
    let filters = filters_condition(filters, props)?;
    Ok(Condition::All(
        trigger_condition.into_iter().chain([filters]).collect(),
    ))
}

impl Rule {
    /// Reads a stored rule against its type's properties; a rule whose
    /// filters no longer read (a property gone) is an error.
    pub fn read(stored: &NotificationRule, props: &PropertySet) -> Result<Rule, HubError> {
        let f = &stored.fields;
        let trigger = Trigger::parse(&f.trigger)
            .ok_or_else(|| HubError::invalid(format!("unknown trigger {:?}", f.trigger.kind)))?;
        let filters: Vec<FilterInput> = serde_json::from_str(&f.filters)
            .map_err(|e| HubError::invalid(format!("unreadable filters: {e}")))?;
        Ok(Rule {
            id: stored.id,
            name: f.name.clone(),
            object_type: f.object_type,
            condition: rule_condition(&trigger, &filters, props)?,
            trigger,
            target: f.target.clone(),
            paused: stored.paused,
        })
    }
}

/// Whether `event` fires `rule`.
pub fn fires(rule: &Rule, event: &RecordEvent<'_>) -> bool {
    let record = event.record();
    !rule.paused
        && !record.archived
        && event.object_type() == rule.object_type
        && rule.trigger.holds(event)
        && rule.condition.matches(record)
}

/// The deliveries `events` cause: one job per rule fired and record.
pub fn rule_jobs(rules: &[Rule], events: &[RecordEvent<'_>]) -> Vec<Job> {
    events
        .iter()
        .flat_map(|event| {
            rules.iter().filter(|r| fires(r, event)).map(|r| {
                let record = event.record();
                Job::DeliverRule {
                    rule_id: r.id,
                    record: RecordRef::new(record.object_type, record.id),
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hubbub_hub::Record;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn record(t: ObjectType, props: &[(&str, &str)]) -> Record {
        Record {
            id: 7,
            object_type: t,
            properties: props
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
            created_at: 0,
            updated_at: 0,
            archived: false,
            archived_at: None,
        }
    }

    fn rule(t: ObjectType, trigger: Trigger, filters: serde_json::Value) -> Rule {
        let filters: Vec<FilterInput> = serde_json::from_value(filters).unwrap();
        let props = PropertySet::new(t, vec![]);
        Rule {
            id: 1,
            name: "r".into(),
            object_type: t,
            condition: rule_condition(&trigger, &filters, &props).unwrap(),
            trigger,
            target: RuleTarget::Owner,
            paused: false,
        }
    }

    #[test]
    fn a_deal_entering_a_stage_fires_once_it_is_there() {
        let won = rule(
            ObjectType::Deal,
            Trigger::DealStage {
                stage: "closedwon".into(),
            },
            json!([{"propertyName": "amount", "operator": "GTE", "value": "1000"}]),
        );
        let open = record(
            ObjectType::Deal,
            &[("dealstage", "qualifiedtobuy"), ("amount", "5000")],
        );
        let closed = record(
            ObjectType::Deal,
            &[("dealstage", "closedwon"), ("amount", "5000")],
        );
        let small = record(
            ObjectType::Deal,
            &[("dealstage", "closedwon"), ("amount", "10")],
        );
        let moved = RecordEvent::Changed {
            before: &open,
            after: &closed,
        };
        assert!(fires(&won, &moved));
        assert!(fires(&won, &RecordEvent::Created(&closed)), "created in it");
        let stayed = RecordEvent::Changed {
            before: &closed,
            after: &closed,
        };
        assert!(!fires(&won, &stayed), "already there");
        let back = RecordEvent::Changed {
            before: &closed,
            after: &open,
        };
        assert!(!fires(&won, &back), "another stage");
        let filtered = RecordEvent::Changed {
            before: &open,
            after: &small,
        };
        assert!(!fires(&won, &filtered), "the filter does not hold");
        let paused = Rule {
            paused: true,
            ..won.clone()
        };
        assert!(!fires(&paused, &moved));
        let ticket = record(ObjectType::Ticket, &[("dealstage", "closedwon")]);
        assert!(!fires(&won, &RecordEvent::Created(&ticket)), "another type");
        assert_eq!(rule_jobs(&[won.clone(), paused], &[moved, stayed]).len(), 1);
    }

    #[test]
    fn creation_triggers_fire_on_new_records_only() {
        let urgent = rule(
            ObjectType::Ticket,
            Trigger::TicketPriority {
                priority: "URGENT".into(),
            },
            json!([]),
        );
        let t = record(ObjectType::Ticket, &[("hs_ticket_priority", "URGENT")]);
        let low = record(ObjectType::Ticket, &[("hs_ticket_priority", "LOW")]);
        assert!(fires(&urgent, &RecordEvent::Created(&t)));
        assert!(!fires(&urgent, &RecordEvent::Created(&low)));
        let raised = RecordEvent::Changed {
            before: &low,
            after: &t,
        };
        assert!(!fires(&urgent, &raised), "raised later is not created");

        let any = rule(
            ObjectType::Contact,
            Trigger::Created,
            json!([{"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "acme"}]),
        );
        let ada = record(ObjectType::Contact, &[("email", "ada@acme.example")]);
        let bob = record(ObjectType::Contact, &[("email", "bob@globex.example")]);
        assert!(fires(&any, &RecordEvent::Created(&ada)));
        assert!(!fires(&any, &RecordEvent::Created(&bob)));
    }

    #[test]
    fn a_property_changed_to_a_value_compares_as_search_does() {
        let big = rule(
            ObjectType::Deal,
            Trigger::PropertyChanged {
                property: "amount".into(),
                value: "1000".into(),
            },
            json!([]),
        );
        let before = record(ObjectType::Deal, &[("amount", "10")]);
        let after = record(ObjectType::Deal, &[("amount", "1000.0")]);
        let e = RecordEvent::Changed {
            before: &before,
            after: &after,
        };
        assert!(fires(&big, &e), "numbers compare as numbers");
    }

    #[test]
    fn bad_trigger_values_and_filters_name_their_field() {
        let props = PropertySet::new(ObjectType::Deal, vec![]);
        let trigger = Trigger::PropertyChanged {
            property: "amount".into(),
            value: "lots".into(),
        };
        let Err(HubError::Validation { errors, .. }) = rule_condition(&trigger, &[], &props) else {
            panic!("refused")
        };
        assert_eq!(errors[0].field.as_deref(), Some("trigger_value"));
        let filters: Vec<FilterInput> = serde_json::from_value(
            json!([{"propertyName": "shoe_size", "operator": "EQ", "value": "9"}]),
        )
        .unwrap();
        let Err(HubError::Validation { errors, .. }) =
            rule_condition(&Trigger::Created, &filters, &props)
        else {
            panic!("refused")
        };
        assert_eq!(errors[0].field.as_deref(), Some("shoe_size"));
    }
}
