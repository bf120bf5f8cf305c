//! What the object endpoints are sent: a record's properties and the
//! associations to make with it (HubSpot's shapes), resolved into what the
//! application layer takes.

use hubbub_app::records::{Link, RecordInput};
use hubbub_hub::{HubError, ObjectType};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::ctx::Ctx;
use crate::error::ApiResult;
use crate::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropertiesInput {
    pub properties: Map<String, Value>,
    #[serde(default)]
    pub associations: Vec<AssociationInput>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociationSpec {
    #[serde(default)]
    pub association_category: Option<String>,
    pub association_type_id: i64,
}

/// An association given with a record on create: `{to: {id}, types: […]}`.
#[derive(Deserialize)]
pub struct AssociationInput {
    pub to: Target,
    pub types: Vec<AssociationSpec>,
}

#[derive(Deserialize)]
pub struct Target {
    pub id: Value,
}

pub fn parse_id(raw: &Value) -> Result<i64, HubError> {
    let text = match raw {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    text.trim().parse().map_err(|_| {
        HubError::NotFound(format!(
            "Object not found. objectId are usually numeric: {text}"
        ))
    })
}

/// Finds which type a create-time association points at: the only live
/// record with that id whose type the association type id connects to.
async fn target_type(
    state: &AppState,
    ctx: &Ctx<'_>,
    input: &AssociationInput,
) -> ApiResult<(ObjectType, i64)> {
    let id = parse_id(&input.to.id)?;
    for to_type in ObjectType::ALL {
        let fits = input.types.iter().all(|t| {
            hubbub_hub::association::find_type(ctx.object_type, to_type, t.association_type_id)
                .is_some()
        });
        if fits
            && !state
                .app
                .store()
                .records_by_ids(ctx.account_id, to_type, &[id], false)
                .await?
                .is_empty()
        {
            return Ok((to_type, id));
        }
    }
    Err(HubError::field(
        "INVALID_ASSOCIATION",
        "associations",
        format!(
            "No record {id} can be associated with {} through the given association types",
            ctx.object_type
        ),
    )
    .into())
}

/// A record to create as the API gives it, its associations resolved to
/// the records they point at (refused before anything is written when one
/// points at nothing it can be associated with).
pub async fn record_input(
    state: &AppState,
    ctx: &Ctx<'_>,
    input: PropertiesInput,
) -> ApiResult<RecordInput> {
    let mut links = Vec::with_capacity(input.associations.len());
    for association in &input.associations {
        links.push(Link {
            to: target_type(state, ctx, association).await?,
            type_ids: association
                .types
                .iter()
                .map(|t| t.association_type_id)
                .collect(),
        });
    }
    Ok(RecordInput {
        properties: input.properties,
        links,
    })
}
