//! `/crm/v3/owners`: every hub user is a record owner.

use axum::extract::{Path, State};
use axum::Json;
use hubbub_app::Permission;
use hubbub_hub::timestamp::to_iso;
use hubbub_hub::HubError;
use hubbub_store::{Team, User};
use serde_json::{json, Value};

use crate::error::ApiResult;
use crate::extract::{Grant, QueryParams};
use crate::AppState;

fn owner(user: &User, teams: &[Team]) -> Value {
    let teams: Vec<Value> = user
        .team_ids
        .iter()
        .enumerate()
        .filter_map(|(i, id)| teams.iter().find(|t| t.id == *id).map(|t| (i, t)))
        .map(|(i, t)| json!({"id": t.id.to_string(), "name": t.name, "primary": i == 0}))
        .collect();
    json!({
        "id": user.id.to_string(),
        "email": user.email,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "userId": user.id,
        "userIdIncludingInactive": user.id,
        "type": "PERSON",
        "createdAt": to_iso(user.created_at),
        "updatedAt": to_iso(user.updated_at),
        "archived": user.archived,
        "teams": teams,
    })
}

pub async fn list(
    State(state): State<AppState>,
    grant: Grant,
    params: QueryParams,
) -> ApiResult<Json<Value>> {
    grant.require(&state, Permission::ReadOwners).await?;
    let limit = params.limit(100, 500)? as usize;
    let after: i64 = params
        .get("after")
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let archived = params.flag("archived")?;
    let email = params.get("email").map(str::to_lowercase);
    let users = state.app.store().users(grant.account_id()).await?;
    let teams = state.app.store().teams(grant.account_id()).await?;
    let matching: Vec<&User> = users
        .iter()
        .filter(|u| u.archived == archived && u.id > after)
        .filter(|u| email.as_deref().is_none_or(|e| u.email == e))
        .collect();
    let results: Vec<Value> = matching
        .iter()
        .take(limit)
        .map(|u| owner(u, &teams))
        .collect();
    let mut body = json!({ "results": results });
    if matching.len() > limit {
        body["paging"] = json!({"next": {"after": matching[limit - 1].id.to_string()}});
    }
    Ok(Json(body))
}

pub async fn read(
    State(state): State<AppState>,
    grant: Grant,
    Path(owner_id): Path<String>,
) -> ApiResult<Json<Value>> {
    grant.require(&state, Permission::ReadOwners).await?;
    let not_found = || HubError::NotFound(format!("Owner {owner_id} does not exist"));
    let id: i64 = owner_id.parse().map_err(|_| not_found())?;
    let user = state.app.store().user(grant.account_id(), id).await?;
    let teams = state.app.store().teams(grant.account_id()).await?;
    Ok(Json(owner(&user, &teams)))
}
