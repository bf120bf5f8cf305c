//! The deal board: one column per stage of a pipeline, a card per deal,
//! and a stage picker on each card that moves the deal.

use askama::Template;
use axum::extract::{Path, Query, State};
use hubbub_hub::auth::Access;
use hubbub_hub::pipeline::Pipeline;
use hubbub_hub::search::{CmpOp, Condition, Field, Scalar, SearchPlan, Sort};
use hubbub_hub::ObjectType;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::view::format_number;
use super::{load_record, parse_id, saved_message};
use crate::ui::flash::see_other_confirming;
use crate::ui::page::{render, Chrome, PageError, PageResult};
use crate::ui::session::{CsrfForm, Viewer};
use crate::AppState;

/// Deals one board shows at most.
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

fn board_path(pipeline_id: &str) -> String {
    let qs = serde_urlencoded::to_string([("pipeline", pipeline_id)]).unwrap_or_default();
    format!("/deals/board?{qs}")
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BoardQuery>,
) -> PageResult {
    let account_id = viewer.account_id();
    let pipelines = state
        .app
        .store()
        .pipelines(account_id, ObjectType::Deal)
        .await?;
    let Some(pipeline): Option<&Pipeline> = pipelines
        .iter()
        .find(|p| p.id == q.pipeline)
        .or(pipelines.first())
    else {
        return Err(PageError::not_found("This account has no deal pipeline."));
    };
    let plan = SearchPlan {
        condition: Some(Condition::Compare {
            field: Field::Text("pipeline".into()),
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
    let (total, deals) = state
        .app
        .store()
        .search_records(account_id, ObjectType::Deal, &plan)
        .await?;
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
    for deal in &deals {
        let stage = deal
            .properties
            .get("dealstage")
            .cloned()
            .unwrap_or_default();
        let Some(i) = columns.iter().position(|c| c.id == stage) else {
            continue;
        };
        let amount = deal.properties.get("amount").cloned().unwrap_or_default();
        sums[i] += amount.parse::<f64>().unwrap_or(0.0);
        columns[i].cards.push(Card {
            id: deal.id,
            name: deal.title(),
            amount: if amount.is_empty() {
                amount
            } else {
                format_number(&amount)
            },
            href: ObjectType::Deal.record_path(deal.id),
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
    let page = BoardPage {
        chrome: Chrome::new(&viewer, "deals", format!("{} board", pipeline.label)),
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
        shown: deals.len(),
        truncated: (deals.len() as i64) < total,
        total,
        columns,
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct StageForm {
    dealstage: String,
}

/// Moves a deal to another stage of its pipeline, then back to the board.
pub async fn change_stage(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { viewer, form }: CsrfForm<StageForm>,
) -> PageResult {
    let t = ObjectType::Deal;
    let id = parse_id(t, &id)?;
    load_record(&state, &viewer, t, id).await?;
    let mut input = Map::new();
    input.insert("dealstage".into(), Value::String(form.dealstage));
    let actor = viewer.actor();
    let deals = state.app.records(&actor, t, Access::Write).await?;
    let updated = deals
        .update(vec![(id, input)])
        .await?
        .pop()
        .expect("one deal updated");
    let pipeline_id = updated
        .record
        .properties
        .get("pipeline")
        .cloned()
        .unwrap_or_default();
    let pipelines = state.app.store().pipelines(viewer.account_id(), t).await?;
    let done = saved_message(t, &updated, &pipelines);
    Ok(see_other_confirming(
        &state,
        &viewer,
        &board_path(&pipeline_id),
        &done,
    ))
}
