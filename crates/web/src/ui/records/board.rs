//! The boards of deals and tickets: one column per stage of a pipeline, a
//! card per record, and a stage picker on each card that moves it (app.js
//! lets a card be dragged to another column, posting the same form).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hubbub_app::Permission;
use hubbub_hub::auth::Access;
use hubbub_hub::pipeline::Pipeline;
use hubbub_hub::search::{CmpOp, Condition, Field, Scalar, SearchPlan, Sort};
use hubbub_hub::ObjectType;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::view::{format_number, KindView};
use super::{load_record, parse_id, saved_message, Kind};
use crate::ui::flash::see_other_confirming;
use crate::ui::page::{render, Chrome, PageError, PageResult};
use crate::ui::session::{CsrfForm, Viewer};
use crate::AppState;

/// Records one board shows at most.
const BOARD_LIMIT: u32 = 500;

pub struct StageChoice {
    id: String,
    label: String,
    selected: bool,
}

pub struct Card {
    id: i64,
    name: String,
    amount: String,
    href: String,
    stages: Vec<StageChoice>,
}

pub struct Column {
    id: String,
    label: String,
    total: String,
    cards: Vec<Card>,
}

pub struct PipelineChoice {
    id: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    chrome: Chrome,
    kind: KindView,
    /// The property the stage picker posts (`dealstage`).
    stage_field: &'static str,
    /// The viewer may move cards (a view-only seat may not).
    can_move: bool,
    pipelines: Vec<PipelineChoice>,
    pipeline_id: String,
    pipeline_label: String,
    columns: Vec<Column>,
    total: i64,
    shown: usize,
    truncated: bool,
}

#[derive(Deserialize)]
pub struct BoardQuery {
    #[serde(default)]
    pipeline: String,
}

/// The pipeline and stage properties of a type that has a board.
fn stage_properties(t: ObjectType) -> Result<(&'static str, &'static str), PageError> {
    t.pipeline_properties()
        .ok_or_else(|| PageError::not_found(format!("{} have no board.", t.label_plural())))
}

/// The amount a card shows and its column sums: deals have one, tickets
/// none.
fn amount_property(t: ObjectType) -> Option<&'static str> {
    (t == ObjectType::Deal).then_some("amount")
}

fn board_path(t: ObjectType, pipeline_id: &str) -> String {
    let qs = serde_urlencoded::to_string([("pipeline", pipeline_id)]).unwrap_or_default();
    format!("/{t}/board?{qs}")
}

pub async fn show(
    State(state): State<AppState>,
    Kind(t): Kind,
    viewer: Viewer,
    Query(q): Query<BoardQuery>,
) -> PageResult {
    let (pipeline_prop, stage_prop) = stage_properties(t)?;
    let actor = viewer.actor();
    let records = state.app.records(&actor, t, Access::Read).await?;
    let pipelines = records.pipelines().await?;
    let Some(pipeline): Option<&Pipeline> = pipelines
        .iter()
        .find(|p| p.id == q.pipeline)
        .or(pipelines.first())
    else {
        return Err(PageError::not_found(format!(
            "This account has no {} pipeline.",
            t.singular()
        )));
    };
    let plan = SearchPlan {
        condition: Some(Condition::Compare {
            field: Field::Text(pipeline_prop.into()),
            op: CmpOp::Eq,
            value: Scalar::Text(pipeline.id.to_lowercase()),
        }),
        sort: Sort {
            field: Field::Id,
            descending: true,
        },
        limit: BOARD_LIMIT,
        offset: 0,
        properties: Vec::new(),
    };
    let (total, found) = records.search(&plan).await?;
    let mut columns: Vec<Column> = pipeline
        .stages
        .iter()
        .map(|s| Column {
            id: s.id.clone(),
            label: s.label.clone(),
            total: String::new(),
            cards: Vec::new(),
        })
        .collect();
    let mut sums = vec![0f64; columns.len()];
    for record in &found {
        let stage = record
            .properties
            .get(stage_prop)
            .cloned()
            .unwrap_or_default();
        let Some(i) = columns.iter().position(|c| c.id == stage) else {
            continue;
        };
        let amount = amount_property(t)
            .and_then(|a| record.properties.get(a))
            .cloned()
            .unwrap_or_default();
        sums[i] += amount.parse::<f64>().unwrap_or(0.0);
        columns[i].cards.push(Card {
            id: record.id,
            name: record.title(),
            amount: if amount.is_empty() {
                amount
            } else {
                format_number(&amount)
            },
            href: t.record_path(record.id),
            stages: pipeline
                .stages
                .iter()
                .map(|s| StageChoice {
                    id: s.id.clone(),
                    label: s.label.clone(),
                    selected: s.id == stage,
                })
                .collect(),
        });
    }
    for (column, sum) in columns.iter_mut().zip(sums) {
        if sum != 0.0 {
            let rounded = format!("{:.0}", sum.round());
            column.total = format_number(&rounded);
        }
    }
    let kind = KindView::of(t);
    let page = BoardPage {
        chrome: Chrome::new(&viewer, kind.path, format!("{} board", pipeline.label)),
        kind,
        stage_field: stage_prop,
        can_move: state.app.may(&actor, Permission::Records(t, Access::Write)),
        pipelines: pipelines
            .iter()
            .map(|p| PipelineChoice {
                id: p.id.clone(),
                label: p.label.clone(),
                selected: p.id == pipeline.id,
            })
            .collect(),
        pipeline_id: pipeline.id.clone(),
        pipeline_label: pipeline.label.clone(),
        shown: found.len(),
        truncated: (found.len() as i64) < total,
        total,
        columns,
    };
    Ok(render(&page))
}

/// Moves a deal or ticket to another stage of its pipeline (the form
/// posts the type's stage property, `dealstage` or `hs_pipeline_stage`),
/// then back to the board.
pub async fn change_stage(
    State(state): State<AppState>,
    Kind(t): Kind,
    Path(id): Path<String>,
    CsrfForm { viewer, mut form }: CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let (pipeline_prop, stage_prop) = stage_properties(t)?;
    let id = parse_id(t, &id)?;
    load_record(&state, &viewer, t, id).await?;
    let stage = form.remove(stage_prop).ok_or_else(|| {
        PageError::new(StatusCode::BAD_REQUEST, "Invalid form", "Choose a stage.")
    })?;
    let mut input = Map::new();
    input.insert(stage_prop.into(), Value::String(stage));
    let actor = viewer.actor();
    let records = state.app.records(&actor, t, Access::Write).await?;
    let updated = records
        .update(vec![(id, input)])
        .await?
        .pop()
        .expect("one record updated");
    let pipeline_id = updated
        .record
        .properties
        .get(pipeline_prop)
        .cloned()
        .unwrap_or_default();
    let done = saved_message(t, &updated, &records.pipelines().await?);
    Ok(see_other_confirming(
        &state,
        &viewer,
        &board_path(t, &pipeline_id),
        &done,
    ))
}
