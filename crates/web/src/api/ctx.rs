//! The records of one API request's object type, opened for the token
//! that asks, and what the object endpoints share.

use hubbub_app::records::Records;
use hubbub_app::Permission;
use hubbub_hub::auth::Access;
use hubbub_hub::property::PropertySet;
use hubbub_hub::search::known_properties;
use hubbub_hub::{record, HubError, ObjectType, Record};

use super::present::AssociationsByType;
use crate::error::{ApiError, ApiResult};
use crate::extract::Grant;
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
