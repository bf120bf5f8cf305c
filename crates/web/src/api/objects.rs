//! `/crm/v3/objects/{objectType}`: list, create, read, update, archive and
//! search records.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use hubbub_hub::auth::Access;
use hubbub_hub::search::SearchRequest;
use hubbub_hub::HubError;
use serde_json::{json, Value};

use super::ctx::{Ctx, MAX_LIST_LIMIT};
use super::input::{record_input, PropertiesInput};
use super::present;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Grant, QueryParams};
use crate::AppState;

pub async fn list(
    State(state): State<AppState>,
    grant: Grant,
    Path(object_type): Path<String>,
    params: QueryParams,
) -> ApiResult<Json<Value>> {
    let ctx = Ctx::load(&state, &grant, &object_type, Access::Read).await?;
    let limit = params.limit(10, MAX_LIST_LIMIT)?;
    let after = match params.get("after").filter(|a| !a.is_empty()) {
        None => 0,
        Some(a) => a.parse::<i64>().map_err(|_| {
            HubError::field(
                "INVALID_AFTER",
                "after",
                format!("after must be a paging token from a previous page, not {a:?}"),
            )
        })?,
    };
    let page = state
        .app
        .store()
        .list_records(
            ctx.account_id,
            ctx.object_type,
            after,
            limit,
            params.flag("archived")?,
        )
        .await?;
    let shown = ctx.shown(&params.list("properties"));
    let associations = ctx
        .associations_of(&state, &grant, &page.records, &params.list("associations"))
        .await?;
    let results: Vec<Value> = page
        .records
        .iter()
        .map(|r| present::object_with_associations(r, &shown, &associations))
        .collect();
    let mut body = json!({ "results": results });
    if let Some(paging) = present::paging(page.next_after, |after| {
        format!(
            "/crm/v3/objects/{}?limit={limit}&after={after}",
            ctx.object_type
        )
    }) {
        body["paging"] = paging;
    }
    Ok(Json(body))
}

pub async fn create(
    State(state): State<AppState>,
    grant: Grant,
    Path(object_type): Path<String>,
    ApiJson(input): ApiJson<PropertiesInput>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::load(&state, &grant, &object_type, Access::Write).await?;
    let new = record_input(&state, &ctx, input).await?;
    let record = ctx
        .records
        .create(vec![new])
        .await?
        .pop()
        .expect("one record created");
    let shown = ctx.shown_after_write(record.properties.keys().cloned());
    Ok((StatusCode::CREATED, Json(present::object(&record, &shown))))
}

pub async fn read(
    State(state): State<AppState>,
    grant: Grant,
    Path((object_type, id)): Path<(String, String)>,
    params: QueryParams,
) -> ApiResult<Json<Value>> {
    let ctx = Ctx::load(&state, &grant, &object_type, Access::Read).await?;
    let id = ctx
        .resolve_id(&state, &id, params.get("idProperty"))
        .await?;
    let record = state
        .app
        .store()
        .record(
            ctx.account_id,
            ctx.object_type,
            id,
            params.flag("archived")?,
        )
        .await?;
    let associations = ctx
        .associations_of(
            &state,
            &grant,
            std::slice::from_ref(&record),
            &params.list("associations"),
        )
        .await?;
    let shown = ctx.shown(&params.list("properties"));
    Ok(Json(present::object_with_associations(
        &record,
        &shown,
        &associations,
    )))
}

pub async fn update(
    State(state): State<AppState>,
    grant: Grant,
    Path((object_type, id)): Path<(String, String)>,
    params: QueryParams,
    ApiJson(input): ApiJson<PropertiesInput>,
) -> ApiResult<Json<Value>> {
    let ctx = Ctx::load(&state, &grant, &object_type, Access::Write).await?;
    let id = ctx
        .resolve_id(&state, &id, params.get("idProperty"))
        .await?;
    let updated = ctx
        .records
        .update(vec![(id, input.properties)])
        .await?
        .pop()
        .expect("one record updated");
    let shown = ctx.shown_after_write(updated.changed);
    Ok(Json(present::object(&updated.record, &shown)))
}

pub async fn archive(
    State(state): State<AppState>,
    grant: Grant,
    Path((object_type, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let ctx = Ctx::load(&state, &grant, &object_type, Access::Write).await?;
    let id = ctx.resolve_id(&state, &id, None).await?;
    ctx.records.archive(&[id]).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn search(
    State(state): State<AppState>,
    grant: Grant,
    Path(object_type): Path<String>,
    ApiJson(request): ApiJson<SearchRequest>,
) -> ApiResult<Json<Value>> {
    let ctx = Ctx::load(&state, &grant, &object_type, Access::Read).await?;
    let plan = request.plan(ctx.props())?;
    let (total, records) = ctx.records.search(&plan).await?;
    let results: Vec<Value> = records
        .iter()
        .map(|r| present::object(r, &plan.properties))
        .collect();
    let next = i64::from(plan.offset) + records.len() as i64;
    let mut body = json!({ "total": total, "results": results });
    if next < total && next <= i64::from(hubbub_hub::search::MAX_OFFSET) {
        body["paging"] = json!({"next": {"after": next.to_string()}});
    }
    Ok(Json(body))
}
