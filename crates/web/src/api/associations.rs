//! Associations: `/crm/v4/objects/{from}/{id}/associations/…`, and the
//! `associations` given with records on create.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hubbub_app::Permission;
use hubbub_hub::association::{inverse, CATEGORY};
use hubbub_hub::auth::Access;
use hubbub_hub::timestamp::now_millis;
use hubbub_hub::{HubError, ObjectType};
use serde_json::{json, Value};

use super::ctx::{Ctx, MAX_LIST_LIMIT};
use super::input::{parse_id, AssociationSpec};
use crate::error::ApiResult;
use crate::extract::{ApiJson, Grant, QueryParams};
use crate::AppState;

/// Both ends of a v4 association request, scopes checked.
async fn ends<'a>(
    state: &'a AppState,
    grant: &'a Grant,
    from_type: &str,
    from_id: &str,
    to_type: &str,
    access: Access,
) -> ApiResult<(Ctx<'a>, i64, ObjectType)> {
    let ctx = Ctx::load(state, grant, from_type, access).await?;
    let from_id = ctx.resolve_id(state, from_id, None).await?;
    let to_type: ObjectType = to_type.parse()?;
    grant
        .require(state, Permission::Records(to_type, access))
        .await?;
    Ok((ctx, from_id, to_type))
}

/// Both records a v4 request names (`{from}/{id}/associations/{to}/{id}`),
/// for a change to the association between them.
async fn write_ends<'a>(
    state: &'a AppState,
    grant: &'a Grant,
    (from_type, from_id, to_type, to_id): (String, String, String, String),
) -> ApiResult<(Ctx<'a>, i64, ObjectType, i64)> {
    let (ctx, from_id, to_type) =
        ends(state, grant, &from_type, &from_id, &to_type, Access::Write).await?;
    let to_id = parse_id(&Value::String(to_id))?;
    Ok((ctx, from_id, to_type, to_id))
}

pub async fn create_default(
    State(state): State<AppState>,
    grant: Grant,
    Path(path): Path<(String, String, String, String)>,
) -> ApiResult<Json<Value>> {
    let started = now_millis();
    let (ctx, from_id, to_type, to_id) = write_ends(&state, &grant, path).await?;
    let forward = state
        .app
        .associate_default(&grant.0, (ctx.object_type, from_id), (to_type, to_id))
        .await?;
    let back = inverse(ctx.object_type, to_type, forward.type_id).expect("defaults have inverses");
    let item = |from: i64, to: i64, type_id: i64| {
        json!({
            "from": {"id": from.to_string()},
            "to": {"id": to.to_string()},
            "associationSpec": {"associationCategory": CATEGORY, "associationTypeId": type_id},
        })
    };
    let results = vec![
        item(from_id, to_id, forward.type_id),
        item(to_id, from_id, back.type_id),
    ];
    Ok(Json(super::present::batch(results, started, Vec::new())))
}

pub async fn create(
    State(state): State<AppState>,
    grant: Grant,
    Path(path): Path<(String, String, String, String)>,
    ApiJson(specs): ApiJson<Vec<AssociationSpec>>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (ctx, from_id, to_type, to_id) = write_ends(&state, &grant, path).await?;
    if specs.is_empty() {
        return Err(HubError::field(
            "REQUIRED",
            "associationTypeId",
            "Give at least one association type",
        )
        .into());
    }
    if let Some(bad) = specs
        .iter()
        .filter_map(|s| s.association_category.as_deref())
        .find(|c| *c != CATEGORY)
    {
        return Err(HubError::field(
            "INVALID_ASSOCIATION_CATEGORY",
            "associationCategory",
            format!("Only {CATEGORY} association types exist here, not {bad}"),
        )
        .into());
    }
    let type_ids: Vec<i64> = specs.iter().map(|s| s.association_type_id).collect();
    state
        .app
        .associate(
            &grant.0,
            (ctx.object_type, from_id),
            (to_type, to_id),
            &type_ids,
        )
        .await?;
    let labels: Vec<&str> = type_ids
        .iter()
        .filter_map(|id| hubbub_hub::association::find_type(ctx.object_type, to_type, *id))
        .filter_map(|t| t.label)
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "fromObjectTypeId": ctx.object_type.type_id(),
            "fromObjectId": from_id,
            "toObjectTypeId": to_type.type_id(),
            "toObjectId": to_id,
            "labels": labels,
        })),
    ))
}

pub async fn remove(
    State(state): State<AppState>,
    grant: Grant,
    Path(path): Path<(String, String, String, String)>,
) -> ApiResult<StatusCode> {
    let (ctx, from_id, to_type, to_id) = write_ends(&state, &grant, path).await?;
    state
        .app
        .dissociate(&grant.0, (ctx.object_type, from_id), (to_type, to_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list(
    State(state): State<AppState>,
    grant: Grant,
    Path((from_type, from_id, to_type)): Path<(String, String, String)>,
    params: QueryParams,
) -> ApiResult<Json<Value>> {
    let (ctx, from_id, to_type) =
        ends(&state, &grant, &from_type, &from_id, &to_type, Access::Read).await?;
    state
        .app
        .store()
        .record(ctx.account_id, ctx.object_type, from_id, false)
        .await?;
    let limit = params.limit(500, 500.max(MAX_LIST_LIMIT))? as usize;
    let after: i64 = params
        .get("after")
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let all = state
        .app
        .store()
        .associations(ctx.account_id, &[from_id], to_type)
        .await?
        .remove(&from_id)
        .unwrap_or_default();
    let page: Vec<_> = all
        .iter()
        .filter(|a| a.to_id > after)
        .take(limit + 1)
        .collect();
    let results: Vec<Value> = page
        .iter()
        .take(limit)
        .map(|a| {
            let types: Vec<Value> = a
                .type_ids
                .iter()
                .map(|id| {
                    let label = hubbub_hub::association::find_type(ctx.object_type, to_type, *id)
                        .and_then(|t| t.label);
                    json!({"category": CATEGORY, "typeId": id, "label": label})
                })
                .collect();
            json!({"toObjectId": a.to_id, "associationTypes": types})
        })
        .collect();
    let mut body = json!({ "results": results });
    if page.len() > limit {
        body["paging"] = json!({"next": {"after": page[limit - 1].to_id.to_string()}});
    }
    Ok(Json(body))
}
