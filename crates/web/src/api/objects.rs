//! `/crm/v3/objects/{objectType}`: list, create, read, update, archive and
//! search records, plus the helpers the batch endpoints share.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use hubbub_app::records::Records;
use hubbub_app::Permission;
use hubbub_hub::auth::Access;
use hubbub_hub::property::PropertySet;
use hubbub_hub::search::{known_properties, SearchRequest};
use hubbub_hub::{record, HubError, ObjectType, Record};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::present::{self, AssociationsByType};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Grant, QueryParams};
use crate::AppState;

pub const MAX_LIST_LIMIT: u32 = 100;

/// The records of a request's object type, opened for the token (its
/// scopes checked), with the account's properties for the type.
pub struct Ctx<'a> {
    pub account_id: i64,
    pub object_type: ObjectType,
    pub records: Records<'a>,
}

impl<'a> Ctx<'a> {
    pub async fn load(
        state: &'a AppState,
        grant: &'a Grant,
        object_type: &str,
        access: Access,
    ) -> ApiResult<Ctx<'a>> {
        let object_type: ObjectType = object_type.parse()?;
        let records = state.app.records(&grant.0, object_type, access).await?;
        Ok(Ctx {
            account_id: grant.account_id(),
            object_type,
            records,
        })
    }

    pub fn props(&self) -> &PropertySet {
        self.records.props()
    }

    /// Properties a read asks for, or the type's defaults.
    pub fn shown(&self, requested: &[String]) -> Vec<String> {
        if requested.is_empty() {
            self.props().default_shown()
        } else {
            known_properties(requested, self.props())
        }
    }

    /// What a create or update answers with: the type's defaults and the
    /// properties it set.
    pub fn shown_after_write(&self, written: impl IntoIterator<Item = String>) -> Vec<String> {
        let mut shown = self.props().default_shown();
        shown.extend(written);
        shown.dedup();
        shown
    }

    /// Resolves a record reference: a numeric id, or with `idProperty` a
    /// unique property value (a contact's email).
    pub async fn resolve_id(
        &self,
        state: &AppState,
        raw: &str,
        id_property: Option<&str>,
    ) -> ApiResult<i64> {
        let by_unique = match id_property {
            None | Some("") | Some("hs_object_id") => false,
            Some(p) if Some(p) == record::unique_property(self.object_type) => true,
            Some(p) => {
                return Err(HubError::field(
                    "INVALID_ID_PROPERTY",
                    "idProperty",
                    format!("{p} is not a unique property of {}", self.object_type),
                )
                .into())
            }
        };
        let found = if by_unique {
            state
                .app
                .store()
                .record_id_by_unique_value(self.account_id, self.object_type, raw)
                .await?
        } else {
            raw.trim().parse().ok()
        };
        found.ok_or_else(|| {
            HubError::NotFound(format!(
                "Object not found. objectId are usually numeric: {raw}"
            ))
            .into()
        })
    }

    /// Associations of `records` to the types named in `?associations=`.
    pub async fn associations_of(
        &self,
        state: &AppState,
        grant: &Grant,
        records: &[Record],
        names: &[String],
    ) -> ApiResult<AssociationsByType> {
        let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
        let mut out = Vec::new();
        for name in names {
            let to_type: ObjectType = name.parse()?;
            grant
                .require(state, Permission::Records(to_type, Access::Read))
                .await?;
            out.push((
                to_type,
                state
                    .app
                    .store()
                    .associations(self.account_id, &ids, to_type)
                    .await?,
            ));
        }
        Ok(out)
    }
}

/// Prefixes a validation error in a batch with a hint to look per input.
pub fn in_batch(e: hubbub_app::Error, count: usize) -> ApiError {
    match e {
        hubbub_app::Error::Refused(HubError::Validation { message, errors }) if count > 1 => {
            HubError::Validation {
                message: format!("One or more inputs are invalid: {message}"),
                errors,
            }
            .into()
        }
        other => other.into(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropertiesInput {
    pub properties: Map<String, Value>,
    #[serde(default)]
    pub associations: Vec<super::associations::AssociationInput>,
}

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
    let new = super::associations::record_input(&state, &ctx, input).await?;
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
    let (total, records) = state
        .app
        .store()
        .search_records(ctx.account_id, ctx.object_type, &plan)
        .await?;
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
