//! `/crm/v3/objects/{objectType}/batch/*`: up to 100 records per request,
//! each batch applied all or nothing.

use std::collections::HashSet;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hubbub_hub::auth::Access;
use hubbub_hub::timestamp::now_millis;
use hubbub_hub::HubError;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::ctx::{in_batch, Ctx};
use super::input::{record_input, PropertiesInput};
use super::present;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Grant};
use crate::AppState;

/// HubSpot's limit on inputs per batch request.
pub const MAX_BATCH: usize = 100;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Batch<T> {
    pub inputs: Vec<T>,
    #[serde(default)]
    pub properties: Vec<String>,
    #[serde(default)]
    pub id_property: Option<String>,
    #[serde(default)]
    pub archived: bool,
}

impl<T> Batch<T> {
    fn check_size(&self) -> Result<(), HubError> {
        if self.inputs.is_empty() || self.inputs.len() > MAX_BATCH {
            return Err(HubError::field(
                "INVALID_BATCH_SIZE",
                "inputs",
                format!(
                    "A batch takes 1 to {MAX_BATCH} inputs, not {}",
                    self.inputs.len()
                ),
            ));
        }
        Ok(())
    }
}

#[derive(Deserialize)]
pub struct IdInput {
    pub id: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInput {
    pub id: Value,
    pub properties: Map<String, Value>,
    #[serde(default)]
    pub id_property: Option<String>,
}

fn id_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub async fn read(
    State(state): State<AppState>,
    grant: Grant,
    Path(object_type): Path<String>,
    ApiJson(batch): ApiJson<Batch<IdInput>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let started = now_millis();
    batch.check_size()?;
    let ctx = Ctx::load(&state, &grant, &object_type, Access::Read).await?;
    let mut ids = Vec::new();
    let mut missing = Vec::new();
    for input in &batch.inputs {
        let raw = id_text(&input.id);
        match ctx
            .resolve_id(&state, &raw, batch.id_property.as_deref())
            .await
        {
            Ok(id) => ids.push((raw, id)),
            Err(_) => missing.push(raw),
        }
    }
    let numeric: Vec<i64> = ids.iter().map(|(_, id)| *id).collect();
    let records = state
        .app
        .store()
        .records_by_ids(ctx.account_id, ctx.object_type, &numeric, batch.archived)
        .await?;
    missing.extend(
        ids.iter()
            .filter(|(_, id)| !records.iter().any(|r| r.id == *id))
            .map(|(raw, _)| raw.clone()),
    );
    let shown = ctx.shown(&batch.properties);
    let results = records.iter().map(|r| present::object(r, &shown)).collect();
    let errors = if missing.is_empty() {
        Vec::new()
    } else {
        vec![json!({
            "status": "error",
            "category": "OBJECT_NOT_FOUND",
            "message": format!("Could not get some {} objects, they may be deleted or not exist. Check that ids are valid.", ctx.object_type.singular().to_uppercase()),
            "context": {"ids": missing},
            "errors": [],
            "links": {},
        })]
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::MULTI_STATUS
    };
    Ok((status, Json(present::batch(results, started, errors))))
}

pub async fn create(
    State(state): State<AppState>,
    grant: Grant,
    Path(object_type): Path<String>,
    ApiJson(batch): ApiJson<Batch<PropertiesInput>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let started = now_millis();
    batch.check_size()?;
    let ctx = Ctx::load(&state, &grant, &object_type, Access::Write).await?;
    let count = batch.inputs.len();
    let mut inputs = Vec::with_capacity(count);
    for input in batch.inputs {
        inputs.push(record_input(&state, &ctx, input).await?);
    }
    let records = ctx
        .records
        .create(inputs)
        .await
        .map_err(|e| in_batch(e, count))?;
    let results = records
        .iter()
        .map(|r| present::object(r, &ctx.shown_after_write(r.properties.keys().cloned())))
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(present::batch(results, started, Vec::new())),
    ))
}

pub async fn update(
    State(state): State<AppState>,
    grant: Grant,
    Path(object_type): Path<String>,
    ApiJson(batch): ApiJson<Batch<UpdateInput>>,
) -> ApiResult<Json<Value>> {
    let started = now_millis();
    batch.check_size()?;
    let ctx = Ctx::load(&state, &grant, &object_type, Access::Write).await?;
    let mut inputs = Vec::with_capacity(batch.inputs.len());
    let mut seen = HashSet::new();
    for input in batch.inputs {
        let id_property = input
            .id_property
            .as_deref()
            .or(batch.id_property.as_deref());
        let raw = id_text(&input.id);
        let id = ctx.resolve_id(&state, &raw, id_property).await?;
        // Like HubSpot: two changes to one record in one batch are ambiguous.
        if !seen.insert(id) {
            return Err(HubError::field(
                "DUPLICATE_ID",
                "inputs",
                format!("Duplicate IDs found in batch input: [{raw}]. IDs must be unique"),
            )
            .into());
        }
        inputs.push((id, input.properties));
    }
    let count = inputs.len();
    let updated = ctx
        .records
        .update(inputs)
        .await
        .map_err(|e| in_batch(e, count))?;
    let results = updated
        .into_iter()
        .map(|u| present::object(&u.record, &ctx.shown_after_write(u.changed)))
        .collect();
    Ok(Json(present::batch(results, started, Vec::new())))
}

pub async fn archive(
    State(state): State<AppState>,
    grant: Grant,
    Path(object_type): Path<String>,
    ApiJson(batch): ApiJson<Batch<IdInput>>,
) -> ApiResult<StatusCode> {
    batch.check_size()?;
    let ctx = Ctx::load(&state, &grant, &object_type, Access::Write).await?;
    let mut ids = Vec::with_capacity(batch.inputs.len());
    for input in &batch.inputs {
        ids.push(ctx.resolve_id(&state, &id_text(&input.id), None).await?);
    }
    ctx.records.archive(&ids).await?;
    Ok(StatusCode::NO_CONTENT)
}
