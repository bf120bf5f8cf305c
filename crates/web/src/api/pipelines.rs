//! `/crm/v3/pipelines/{objectType}`: deal and ticket pipelines with stages.

use axum::extract::{Path, State};
use axum::Json;
use hubbub_app::Permission;
use hubbub_hub::auth::Access;
use hubbub_hub::pipeline::{Pipeline, Stage};
use hubbub_hub::timestamp::to_iso;
use hubbub_hub::{HubError, ObjectType};
use serde_json::{json, Map, Value};

use crate::error::ApiResult;
use crate::extract::Grant;
use crate::AppState;

fn stage(s: &Stage) -> Value {
    let metadata: Map<String, Value> = s
        .metadata
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    json!({
        "id": s.id,
        "label": s.label,
        "displayOrder": s.display_order,
        "metadata": metadata,
        "createdAt": to_iso(s.created_at),
        "updatedAt": to_iso(s.updated_at),
        "archived": false,
        "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
    })
}

fn pipeline(p: &Pipeline) -> Value {
    json!({
        "id": p.id,
        "label": p.label,
        "displayOrder": p.display_order,
        "stages": p.stages.iter().map(stage).collect::<Vec<_>>(),
        "createdAt": to_iso(p.created_at),
        "updatedAt": to_iso(p.updated_at),
        "archived": false,
    })
}

async fn load(state: &AppState, grant: &Grant, object_type: &str) -> ApiResult<Vec<Pipeline>> {
    let object_type: ObjectType = object_type.parse()?;
    if object_type.pipeline_properties().is_none() {
        return Err(HubError::invalid(format!(
            "{object_type} have no pipelines; deals and tickets do"
        ))
        .into());
    }
    grant
        .require(state, Permission::Records(object_type, Access::Read))
        .await?;
    Ok(state
        .app
        .store()
        .pipelines(grant.account_id(), object_type)
        .await?)
}

async fn find(state: &AppState, grant: &Grant, object_type: &str, id: &str) -> ApiResult<Pipeline> {
    load(state, grant, object_type)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| HubError::NotFound(format!("Pipeline {id} does not exist")).into())
}

pub async fn list(
    State(state): State<AppState>,
    grant: Grant,
    Path(object_type): Path<String>,
) -> ApiResult<Json<Value>> {
    let pipelines = load(&state, &grant, &object_type).await?;
    Ok(Json(
        json!({ "results": pipelines.iter().map(pipeline).collect::<Vec<_>>() }),
    ))
}

pub async fn read(
    State(state): State<AppState>,
    grant: Grant,
    Path((object_type, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    Ok(Json(pipeline(
        &find(&state, &grant, &object_type, &id).await?,
    )))
}

pub async fn stages(
    State(state): State<AppState>,
    grant: Grant,
    Path((object_type, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let p = find(&state, &grant, &object_type, &id).await?;
    Ok(Json(
        json!({ "results": p.stages.iter().map(stage).collect::<Vec<_>>() }),
    ))
}
