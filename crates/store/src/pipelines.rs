//! Deal and ticket pipelines with their stages, per account.

use hubbub_hub::pipeline::{Pipeline, Stage};
use hubbub_hub::ObjectType;
use sqlx::{Any, Row, Transaction};

use crate::{Store, StoreResult};

pub(crate) async fn insert_pipeline(
    tx: &mut Transaction<'_, Any>,
    account_id: i64,
    object_type: ObjectType,
    pipeline: &Pipeline,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO pipelines (account_id, object_type, id, label, display_order, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(account_id)
    .bind(object_type.as_str())
    .bind(&pipeline.id)
    .bind(&pipeline.label)
    .bind(pipeline.display_order)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    for stage in &pipeline.stages {
        let metadata: serde_json::Map<String, serde_json::Value> = stage
            .metadata
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        sqlx::query(
            "INSERT INTO pipeline_stages (account_id, object_type, pipeline_id, id, label, \
             display_order, metadata, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(account_id)
        .bind(object_type.as_str())
        .bind(&pipeline.id)
        .bind(&stage.id)
        .bind(&stage.label)
        .bind(stage.display_order)
        .bind(serde_json::Value::Object(metadata).to_string())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// The account's pipelines for a type, in display order, with stages.
    pub async fn pipelines(
        &self,
        account_id: i64,
        object_type: ObjectType,
    ) -> StoreResult<Vec<Pipeline>> {
        let rows = sqlx::query(
            "SELECT id, label, display_order, created_at, updated_at FROM pipelines \
             WHERE account_id = $1 AND object_type = $2 ORDER BY display_order, id",
        )
        .bind(account_id)
        .bind(object_type.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut pipelines = rows
            .iter()
            .map(|r| {
                Ok(Pipeline {
                    id: r.try_get(0)?,
                    label: r.try_get(1)?,
                    display_order: r.try_get(2)?,
                    stages: Vec::new(),
                    created_at: r.try_get(3)?,
                    updated_at: r.try_get(4)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let stages = sqlx::query(
            "SELECT pipeline_id, id, label, display_order, metadata, created_at, updated_at \
             FROM pipeline_stages WHERE account_id = $1 AND object_type = $2 ORDER BY display_order, id",
        )
        .bind(account_id)
        .bind(object_type.as_str())
        .fetch_all(&self.pool)
        .await?;
        for r in stages {
            let pipeline_id: String = r.try_get(0)?;
            let metadata: String = r.try_get(4)?;
            let metadata: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&metadata).unwrap_or_default();
            let stage = Stage {
                id: r.try_get(1)?,
                label: r.try_get(2)?,
                display_order: r.try_get(3)?,
                metadata: metadata
                    .into_iter()
                    .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_owned()))
                    .collect(),
                created_at: r.try_get(5)?,
                updated_at: r.try_get(6)?,
            };
            if let Some(p) = pipelines.iter_mut().find(|p| p.id == pipeline_id) {
                p.stages.push(stage);
            }
        }
        Ok(pipelines)
    }
}
