//! Deal and ticket pipelines: the defaults every account starts with, and
//! the rule that a record's stage belongs to its pipeline.

use crate::property::PropertyChanges;
use crate::{HubError, ObjectType};

#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub id: String,
    pub label: String,
    pub display_order: i64,
    /// Stage metadata as HubSpot reports it (`probability`, `isClosed`, …).
    pub metadata: Vec<(String, String)>,
    pub created_at: crate::timestamp::Millis,
    pub updated_at: crate::timestamp::Millis,
}

impl Stage {
    /// A deal stage that ends the deal (won or lost), as its `isClosed`
    /// metadata says.
    pub fn is_closed(&self) -> bool {
        self.metadata
            .iter()
            .any(|(k, v)| k == "isClosed" && v == "true")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub id: String,
    pub label: String,
    pub display_order: i64,
    pub stages: Vec<Stage>,
    pub created_at: crate::timestamp::Millis,
    pub updated_at: crate::timestamp::Millis,
}

fn stage(id: &str, label: &str, order: i64, metadata: &[(&str, &str)]) -> Stage {
    Stage {
        id: id.into(),
        label: label.into(),
        display_order: order,
        metadata: metadata
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect(),
        created_at: 0,
        updated_at: 0,
    }
}

/// The stage with id `stage` in any of `pipelines`.
pub fn find_stage<'a>(pipelines: &'a [Pipeline], stage: &str) -> Option<&'a Stage> {
    pipelines
        .iter()
        .flat_map(|p| &p.stages)
        .find(|s| s.id == stage)
}

/// What people call a stage: its label, or its id when no pipeline has it.
pub fn stage_label(pipelines: &[Pipeline], stage: &str) -> String {
    find_stage(pipelines, stage).map_or_else(|| stage.to_owned(), |s| s.label.clone())
}

/// HubSpot's default pipeline for deals or tickets.
pub fn default_pipeline(object_type: ObjectType) -> Option<Pipeline> {
    match object_type {
        ObjectType::Deal => Some(Pipeline {
            id: "default".into(),
            label: "Sales Pipeline".into(),
            display_order: 0,
            stages: vec![
                stage(
                    "appointmentscheduled",
                    "Appointment Scheduled",
                    0,
                    &[("isClosed", "false"), ("probability", "0.2")],
                ),
                stage(
                    "qualifiedtobuy",
                    "Qualified To Buy",
                    1,
                    &[("isClosed", "false"), ("probability", "0.4")],
                ),
                stage(
                    "presentationscheduled",
                    "Presentation Scheduled",
                    2,
                    &[("isClosed", "false"), ("probability", "0.6")],
                ),
                stage(
                    "decisionmakerboughtin",
                    "Decision Maker Bought-In",
                    3,
                    &[("isClosed", "false"), ("probability", "0.8")],
                ),
                stage(
                    "contractsent",
                    "Contract Sent",
                    4,
                    &[("isClosed", "false"), ("probability", "0.9")],
                ),
                stage(
                    "closedwon",
                    "Closed Won",
                    5,
                    &[("isClosed", "true"), ("probability", "1.0")],
                ),
                stage(
                    "closedlost",
                    "Closed Lost",
                    6,
                    &[("isClosed", "true"), ("probability", "0.0")],
                ),
            ],
            created_at: 0,
            updated_at: 0,
        }),
        ObjectType::Ticket => Some(Pipeline {
            id: "0".into(),
            label: "Support Pipeline".into(),
            display_order: 0,
            stages: vec![
                stage("1", "New", 0, &[("ticketState", "OPEN")]),
                stage("2", "Waiting on contact", 1, &[("ticketState", "OPEN")]),
                stage("3", "Waiting on us", 2, &[("ticketState", "OPEN")]),
                stage("4", "Closed", 3, &[("ticketState", "CLOSED")]),
            ],
            created_at: 0,
            updated_at: 0,
        }),
        _ => None,
    }
}

/// Fills in and checks a record's pipeline and stage. On create, a missing
/// pipeline means the first one and a missing stage its first stage. On
/// update, `current` holds the record's stored pipeline and stage.
pub fn place_in_pipeline(
    object_type: ObjectType,
    pipelines: &[Pipeline],
    changes: &mut PropertyChanges,
    current: Option<(Option<&str>, Option<&str>)>,
) -> Result<(), HubError> {
    let Some((pipeline_prop, stage_prop)) = object_type.pipeline_properties() else {
        return Ok(());
    };
    let changed = |name: &str| {
        changes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let new_pipeline = changed(pipeline_prop);
    let new_stage = changed(stage_prop);
    if current.is_some() && new_pipeline.is_none() && new_stage.is_none() {
        return Ok(());
    }
    let (cur_pipeline, cur_stage) = current.unwrap_or((None, None));
    let pipeline_id = new_pipeline
        .flatten()
        .or(cur_pipeline.map(str::to_owned))
        .or_else(|| pipelines.first().map(|p| p.id.clone()));
    let Some(pipeline) = pipeline_id
        .as_deref()
        .and_then(|id| pipelines.iter().find(|p| p.id == id))
    else {
        return Err(HubError::field(
            "INVALID_OPTION",
            pipeline_prop,
            format!(
                "{:?} is not a pipeline of {}",
                pipeline_id.unwrap_or_default(),
                object_type
            ),
        ));
    };
    let stage_id = match new_stage {
        Some(s) => s,
        None => cur_stage.map(str::to_owned),
    }
    .or_else(|| pipeline.stages.first().map(|s| s.id.clone()));
    let Some(stage_id) = stage_id.filter(|s| pipeline.stages.iter().any(|st| &st.id == s)) else {
        let allowed: Vec<&str> = pipeline.stages.iter().map(|s| s.id.as_str()).collect();
        return Err(HubError::field(
            "INVALID_OPTION",
            stage_prop,
            format!(
                "{stage_prop} must be a stage of pipeline {:?}: one of {}",
                pipeline.id,
                allowed.join(", ")
            ),
        ));
    };
    let pipeline_id = pipeline.id.clone();
    set(changes, pipeline_prop, pipeline_id);
    set(changes, stage_prop, stage_id);
    Ok(())
}

fn set(changes: &mut PropertyChanges, name: &str, value: String) {
    changes.retain(|(n, _)| n != name);
    changes.push((name.to_owned(), Some(value)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deals() -> Vec<Pipeline> {
        vec![default_pipeline(ObjectType::Deal).unwrap()]
    }

    #[test]
    fn new_deals_land_in_the_first_stage() {
        let mut changes = vec![("dealname".to_owned(), Some("Big".to_owned()))];
        place_in_pipeline(ObjectType::Deal, &deals(), &mut changes, None).unwrap();
        assert!(changes.contains(&("pipeline".into(), Some("default".into()))));
        assert!(changes.contains(&("dealstage".into(), Some("appointmentscheduled".into()))));
    }

    #[test]
    fn a_stage_outside_the_pipeline_is_refused() {
        let mut changes = vec![("dealstage".to_owned(), Some("nope".to_owned()))];
        let err = place_in_pipeline(
            ObjectType::Deal,
            &deals(),
            &mut changes,
            Some((Some("default"), Some("closedwon"))),
        );
        assert!(err.is_err());
    }

    #[test]
    fn updates_without_pipeline_changes_pass_untouched() {
        let mut changes = vec![("amount".to_owned(), Some("5".to_owned()))];
        place_in_pipeline(
            ObjectType::Deal,
            &deals(),
            &mut changes,
            Some((Some("default"), Some("closedwon"))),
        )
        .unwrap();
        assert_eq!(changes.len(), 1);
    }
}
