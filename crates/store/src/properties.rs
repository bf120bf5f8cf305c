//! Custom property definitions, per account and object type.

use hubbub_hub::property::{EnumOption, PropertyDef, PropertySet, PropertyType, Storage};
use hubbub_hub::timestamp::now_millis;
use hubbub_hub::ObjectType;
use sqlx::{AnyConnection, Row};

use crate::{Backend, Store, StoreResult};

impl Store {
    /// Default and custom properties of a type for the account.
    pub async fn property_set(
        &self,
        account_id: i64,
        object_type: ObjectType,
    ) -> StoreResult<PropertySet> {
        let mut conn = self.pool.acquire().await?;
        property_set_on(&mut conn, account_id, object_type).await
    }

    /// Defines a custom property, once the hub's rules for a new one hold
    /// (see `PropertySet::check_new_custom`). The check and the write are
    /// one transaction, on PostgreSQL with the account's row locked, so
    /// that concurrent definitions take turns within the type's limits
    /// (SQLite's single writer already serialises them).
    pub async fn create_property(
        &self,
        account_id: i64,
        object_type: ObjectType,
        def: PropertyDef,
    ) -> StoreResult<PropertyDef> {
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT id FROM accounts WHERE id = $1 FOR UPDATE")
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
        }
        property_set_on(&mut tx, account_id, object_type)
            .await?
            .check_new_custom(&def)?;
        let options: &[EnumOption] = &def.options;
        sqlx::query(
            "INSERT INTO property_defs (account_id, object_type, name, label, ptype, field_type, \
             group_name, options, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(account_id)
        .bind(object_type.as_str())
        .bind(&def.name)
        .bind(&def.label)
        .bind(def.ptype.as_str())
        .bind(&def.field_type)
        .bind(&def.group)
        .bind(serde_json::to_string(options).unwrap_or_else(|_| "[]".into()))
        .bind(now_millis())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(PropertyDef {
            custom: true,
            storage: Storage::Value,
            ..def
        })
    }
}

async fn property_set_on(
    conn: &mut AnyConnection,
    account_id: i64,
    object_type: ObjectType,
) -> StoreResult<PropertySet> {
    let rows = sqlx::query(
        "SELECT name, label, ptype, field_type, group_name, options FROM property_defs \
         WHERE account_id = $1 AND object_type = $2 ORDER BY name",
    )
    .bind(account_id)
    .bind(object_type.as_str())
    .fetch_all(conn)
    .await?;
    let custom = rows
        .iter()
        .map(|r| {
            let ptype: String = r.try_get(2)?;
            let options: String = r.try_get(5)?;
            Ok(PropertyDef {
                name: r.try_get(0)?,
                label: r.try_get(1)?,
                ptype: serde_json::from_value(serde_json::Value::String(ptype))
                    .unwrap_or(PropertyType::String),
                field_type: r.try_get(3)?,
                group: r.try_get(4)?,
                options: serde_json::from_str(&options).unwrap_or_default(),
                storage: Storage::Value,
                in_query: false,
                default_shown: false,
                custom: true,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(PropertySet::new(object_type, custom))
}
