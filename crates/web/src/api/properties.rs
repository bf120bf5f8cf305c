//! `/crm/v3/properties/{objectType}`: the properties records may carry,
//! and custom properties an account adds.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hubbub_app::Permission;
use hubbub_hub::auth::Access;
use hubbub_hub::property::{EnumOption, PropertyDef, PropertyType, Storage};
use hubbub_hub::{HubError, ObjectType};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::ApiResult;
use crate::extract::{ApiJson, Grant};
use crate::AppState;

fn property(d: &PropertyDef) -> Value {
    let options: Vec<Value> = d
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| json!({"label": o.label, "value": o.value, "displayOrder": i, "hidden": false}))
        .collect();
    json!({
        "name": d.name,
        "label": d.label,
        "type": d.ptype.as_str(),
        "fieldType": d.field_type,
        "groupName": d.group,
        "description": "",
        "options": options,
        "displayOrder": -1,
        "calculated": false,
        "externalOptions": false,
        "hasUniqueValue": d.name == "email",
        "hidden": false,
        "hubspotDefined": !d.custom,
        "formField": !d.read_only(),
        "modificationMetadata": {
            "archivable": d.custom,
            "readOnlyDefinition": !d.custom,
            "readOnlyValue": d.read_only(),
        },
    })
}

async fn object_type(
    state: &AppState,
    grant: &Grant,
    raw: &str,
    access: Access,
) -> ApiResult<ObjectType> {
    let t: ObjectType = raw.parse()?;
    grant.require(state, Permission::Records(t, access)).await?;
    Ok(t)
}

pub async fn list(
    State(state): State<AppState>,
    grant: Grant,
    Path(raw): Path<String>,
) -> ApiResult<Json<Value>> {
    let t = object_type(&state, &grant, &raw, Access::Read).await?;
    let set = state
        .app
        .store()
        .property_set(grant.account_id(), t)
        .await?;
    Ok(Json(
        json!({ "results": set.all().iter().map(property).collect::<Vec<_>>() }),
    ))
}

pub async fn read(
    State(state): State<AppState>,
    grant: Grant,
    Path((raw, name)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let t = object_type(&state, &grant, &raw, Access::Read).await?;
    let set = state
        .app
        .store()
        .property_set(grant.account_id(), t)
        .await?;
    let def = set
        .get(&name)
        .ok_or_else(|| HubError::NotFound(format!("Property {name} does not exist on {t}")))?;
    Ok(Json(property(def)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewProperty {
    name: String,
    label: String,
    #[serde(rename = "type")]
    ptype: PropertyType,
    #[serde(default)]
    field_type: Option<String>,
    #[serde(default)]
    group_name: Option<String>,
    #[serde(default)]
    options: Vec<EnumOption>,
}

pub async fn create(
    State(state): State<AppState>,
    grant: Grant,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<NewProperty>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let t = object_type(&state, &grant, &raw, Access::Write).await?;
    let def = PropertyDef {
        field_type: input
            .field_type
            .unwrap_or_else(|| input.ptype.default_field_type().to_owned()),
        group: input
            .group_name
            .unwrap_or_else(|| format!("{}information", t.singular())),
        name: input.name,
        label: input.label,
        ptype: input.ptype,
        options: input.options,
        storage: Storage::Value,
        in_query: false,
        default_shown: false,
        custom: true,
    };
    let created = state.app.create_property(&grant.0, t, def).await?;
    Ok((StatusCode::CREATED, Json(property(&created))))
}
