//! CRM records: create, read, update, archive and list, one record or a
//! batch at a time. Each write keeps the record's search index and unique
//! values in the same transaction.

use std::collections::{BTreeMap, HashSet};

use hubbub_hub::property::{PropertyChanges, PropertySet};
use hubbub_hub::record::unique_property;
use hubbub_hub::timestamp::now_millis;
use hubbub_hub::{HubError, ObjectType, Record};
use sqlx::any::AnyRow;
use sqlx::{Any, FromRow, Row, Transaction};

use crate::indexing::{self, IndexRows};
use crate::sql::{Arg, Sql, Statements};
use crate::Consequences;
use crate::{flag, Store, StoreError, StoreResult};

/// Normalized properties of a record to create.
pub type NewRecord = PropertyChanges;

#[derive(Debug, Clone)]
pub struct RecordUpdate {
    pub id: i64,
    pub changes: PropertyChanges,
}

#[derive(Debug, Clone)]
pub struct ListPage {
    pub records: Vec<Record>,
    /// The `after` cursor of the next page, when there is one.
    pub next_after: Option<String>,
}

/// Record ids a process reserves at a time.
const ID_BLOCK: i64 = 1_000;

/// The ids this process has reserved and not yet used: [next, end).
#[derive(Debug, Default)]
pub(crate) struct IdBlock {
    next: i64,
    end: i64,
}

pub(crate) const RECORD_COLUMNS: &str =
    "o.id, o.object_type, o.properties, o.created_at, o.updated_at, o.archived, o.archived_at";

/// The values of [`RECORD_COLUMNS`], in order.
pub(crate) type RecordColumns = (i64, String, String, i64, i64, i64, Option<i64>);

pub(crate) fn record_from_row(row: &AnyRow) -> StoreResult<Record> {
    record_from_columns(RecordColumns::from_row(row)?)
}

pub(crate) fn record_from_columns(
    (id, object_type, properties, created_at, updated_at, archived, archived_at): RecordColumns,
) -> StoreResult<Record> {
    Ok(Record {
        id,
        object_type: object_type.parse()?,
        properties: serde_json::from_str(&properties).unwrap_or_default(),
        created_at,
        updated_at,
        archived: archived != 0,
        archived_at,
    })
}

fn not_found(ids: &[i64]) -> StoreError {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    HubError::NotFound(format!(
        "Object not found. objectId are usually numeric. Missing: {}",
        ids.join(", ")
    ))
    .into()
}

impl Store {
    /// Reserves `n` consecutive record ids, returning the first. Ids come
    /// from a block this process reserved in `id_sequences`, so writers
    /// rarely touch that shared row; a block's unused ids are skipped when
    /// the process stops.
    async fn allocate_ids(&self, n: usize) -> StoreResult<i64> {
        let n = n as i64;
        let mut block = self.ids.lock().await;
        if block.end - block.next < n {
            let size = n.max(ID_BLOCK);
            let end: i64 = sqlx::query_scalar(
                "UPDATE id_sequences SET next_id = next_id + $1 WHERE name = 'crm_objects' RETURNING next_id",
            )
            .bind(size)
            .fetch_one(&self.writer)
            .await?;
            *block = IdBlock {
                next: end - size,
                end,
            };
        }
        let first = block.next;
        block.next += n;
        Ok(first)
    }

    /// Creates records from checked properties, all or none, with what
    /// their creation causes (decided once their ids are known).
    pub async fn create_records(
        &self,
        account_id: i64,
        props: &PropertySet,
        inputs: Vec<NewRecord>,
        consequences: impl FnOnce(&[Record]) -> Consequences,
    ) -> StoreResult<Vec<Record>> {
        if inputs.is_empty() {
            return Ok(Vec::new());
        }
        let object_type = props.object_type;
        let first_id = self.allocate_ids(inputs.len()).await?;
        let now = now_millis();
        let records: Vec<Record> = inputs
            .into_iter()
            .enumerate()
            .map(|(i, changes)| {
                let mut record = Record {
                    id: first_id + i as i64,
                    object_type,
                    properties: BTreeMap::new(),
                    created_at: now,
                    updated_at: now,
                    archived: false,
                    archived_at: None,
                };
                record.apply(&changes);
                record
            })
            .collect();

        // Everything that needs no database is built before the writer is
        // taken: on SQLite that one connection is the limit on throughput.
        let rows: Vec<Vec<Arg>> = records
            .iter()
            .map(|r| {
                vec![
                    r.id.into(),
                    account_id.into(),
                    object_type.as_str().into(),
                    properties_json(r).into(),
                    now.into(),
                    now.into(),
                ]
            })
            .collect();
        let claims = UniqueClaims::of(account_id, object_type, &records)?;
        let mut index = IndexRows::default();
        for r in &records {
            index.add(account_id, props, r);
        }
        let mut batch = Statements::new(self.backend);
        batch.insert(
            "INSERT INTO crm_objects (id, account_id, object_type, properties, created_at, updated_at)",
            rows,
        );
        claims.insert_into(&mut batch);
        index.insert_into(&mut batch);
        consequences(&records).insert_into(account_id, &mut batch)?;

        if let Err(e) = self.write_batch(batch).await {
            return Err(claims.explain(self, e).await);
        }
        Ok(records)
    }

    /// Records of a type by id, in the order asked; missing ids are left out.
    pub async fn records_by_ids(
        &self,
        account_id: i64,
        object_type: ObjectType,
        ids: &[i64],
        archived: bool,
    ) -> StoreResult<Vec<Record>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(&format!(
            "SELECT {RECORD_COLUMNS} FROM crm_objects o WHERE o.account_id = "
        ));
        sql.bind(account_id)
            .push(" AND o.object_type = ")
            .bind(object_type.as_str())
            .push(" AND o.archived = ")
            .bind(flag(archived))
            .push(" AND o.id IN ")
            .bind_list(ids.iter().copied());
        let rows = sql.query().fetch_all(&self.pool).await?;
        let mut found: BTreeMap<i64, Record> = BTreeMap::new();
        for row in &rows {
            let r = record_from_row(row)?;
            found.insert(r.id, r);
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// One record, or HubSpot's 404.
    pub async fn record(
        &self,
        account_id: i64,
        object_type: ObjectType,
        id: i64,
        archived: bool,
    ) -> StoreResult<Record> {
        self.records_by_ids(account_id, object_type, &[id], archived)
            .await?
            .pop()
            .ok_or_else(|| not_found(&[id]))
    }

    /// The id of the live record whose unique property (a contact's email)
    /// equals `value`, compared case-insensitively.
    pub async fn record_id_by_unique_value(
        &self,
        account_id: i64,
        object_type: ObjectType,
        value: &str,
    ) -> StoreResult<Option<i64>> {
        let Some(property) = unique_property(object_type) else {
            return Ok(None);
        };
        Ok(sqlx::query_scalar(
            "SELECT object_id FROM crm_unique_values WHERE account_id = $1 AND object_type = $2 \
             AND property = $3 AND value = $4",
        )
        .bind(account_id)
        .bind(object_type.as_str())
        .bind(property)
        .bind(value.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Applies checked changes to live records, all or none, with what
    /// they cause (decided from each record before and after, inside the
    /// transaction, so that it sees the record as the change found it).
    pub async fn update_records(
        &self,
        account_id: i64,
        props: &PropertySet,
        updates: Vec<RecordUpdate>,
        consequences: impl FnOnce(&[(Record, Record)]) -> Consequences,
    ) -> StoreResult<Vec<Record>> {
        let object_type = props.object_type;
        let ids: Vec<i64> = updates.iter().map(|u| u.id).collect();
        let mut tx = self.writer_tx().await?;
        let current = records_in_tx(&mut tx, account_id, object_type, &ids).await?;
        let missing: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !current.contains_key(id))
            .collect();
        if !missing.is_empty() {
            return Err(not_found(&missing));
        }
        let now = now_millis();
        let mut index = IndexRows::default();
        let mut updated = Vec::with_capacity(updates.len());
        let mut befores = Vec::with_capacity(updates.len());
        let unique = unique_property(object_type);
        for update in updates {
            let mut record = current[&update.id].clone();
            let before = record.clone();
            record.apply(&update.changes);
            record.updated_at = now;
            let changed: Vec<&str> = update.changes.iter().map(|(n, _)| n.as_str()).collect();
            if let Some(prop) = unique.filter(|p| changed.contains(p)) {
                if before.properties.get(prop) != record.properties.get(prop) {
                    sqlx::query("DELETE FROM crm_unique_values WHERE object_id = $1")
                        .bind(record.id)
                        .execute(&mut *tx)
                        .await?;
                    let claims =
                        UniqueClaims::of(account_id, object_type, std::slice::from_ref(&record))?;
                    let mut batch = Statements::new(self.backend);
                    claims.insert_into(&mut batch);
                    if let Err(e) = batch.run(&mut tx).await {
                        return Err(claims.explain(self, e.into()).await);
                    }
                }
            }
            sqlx::query("UPDATE crm_objects SET properties = $1, updated_at = $2 WHERE id = $3")
                .bind(properties_json(&record))
                .bind(now)
                .bind(record.id)
                .execute(&mut *tx)
                .await?;
            index.add(account_id, props, &record);
            befores.push(before);
            updated.push(record);
        }
        // Each updated record is indexed anew, as a whole.
        indexing::remove(self.backend, &mut tx, &ids).await?;
        let mut batch = Statements::new(self.backend);
        index.insert_into(&mut batch);
        let pairs: Vec<(Record, Record)> = befores.into_iter().zip(updated).collect();
        consequences(&pairs).insert_into(account_id, &mut batch)?;
        batch.run(&mut tx).await?;
        tx.commit().await?;
        Ok(pairs.into_iter().map(|(_, after)| after).collect())
    }

    /// Archives live records; every id must name one.
    /// Archives live records, all or none (a missing one is a 404), with
    /// what archiving them causes.
    pub async fn archive_records(
        &self,
        account_id: i64,
        object_type: ObjectType,
        ids: &[i64],
        consequences: Consequences,
    ) -> StoreResult<()> {
        let mut tx = self.writer_tx().await?;
        let current = records_in_tx(&mut tx, account_id, object_type, ids).await?;
        let missing: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !current.contains_key(id))
            .collect();
        if !missing.is_empty() {
            return Err(not_found(&missing));
        }
        let now = now_millis();
        let mut sql = Sql::new("UPDATE crm_objects SET archived = 1, archived_at = ");
        sql.bind(now)
            .push(", updated_at = ")
            .bind(now)
            .push(" WHERE id IN ")
            .bind_list(ids.iter().copied());
        sql.query().execute(&mut *tx).await?;
        let mut sql = Sql::new("DELETE FROM crm_unique_values WHERE object_id IN ");
        sql.bind_list(ids.iter().copied());
        sql.query().execute(&mut *tx).await?;
        consequences
            .write_on(&mut tx, self.backend, account_id)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A page of records in id order, after the cursor `after`.
    pub async fn list_records(
        &self,
        account_id: i64,
        object_type: ObjectType,
        after: i64,
        limit: u32,
        archived: bool,
    ) -> StoreResult<ListPage> {
        let rows = sqlx::query(&format!(
            "SELECT {RECORD_COLUMNS} FROM crm_objects o WHERE o.account_id = $1 AND o.object_type = $2 \
             AND o.archived = $3 AND o.id > $4 ORDER BY o.id LIMIT $5"
        ))
        .bind(account_id)
        .bind(object_type.as_str())
        .bind(flag(archived))
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.pool)
        .await?;
        let mut records = rows
            .iter()
            .map(record_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let next_after = if records.len() > limit as usize {
            records.truncate(limit as usize);
            records.last().map(|r| r.id.to_string())
        } else {
            None
        };
        Ok(ListPage {
            records,
            next_after,
        })
    }
}

fn properties_json(record: &Record) -> String {
    serde_json::to_string(&record.properties).unwrap_or_else(|_| "{}".into())
}

async fn records_in_tx(
    tx: &mut Transaction<'_, Any>,
    account_id: i64,
    object_type: ObjectType,
    ids: &[i64],
) -> StoreResult<BTreeMap<i64, Record>> {
    let mut sql = Sql::new(&format!(
        "SELECT {RECORD_COLUMNS} FROM crm_objects o WHERE o.account_id = "
    ));
    sql.bind(account_id)
        .push(" AND o.object_type = ")
        .bind(object_type.as_str())
        .push(" AND o.archived = 0 AND o.id IN ")
        .bind_list(ids.iter().copied());
    let rows = sql.query().fetch_all(&mut **tx).await?;
    rows.iter()
        .map(|row| record_from_row(row).map(|r| (r.id, r)))
        .collect()
}

/// The unique values (contact emails) a write claims for its records.
struct UniqueClaims {
    account_id: i64,
    object_type: ObjectType,
    property: &'static str,
    /// Lowercased value, record id.
    values: Vec<(String, i64)>,
}

impl UniqueClaims {
    /// The claims of `records`, refusing with HubSpot's conflict a value
    /// repeated within them.
    fn of(account_id: i64, object_type: ObjectType, records: &[Record]) -> StoreResult<Self> {
        // A type without a unique property claims nothing (no property is "").
        let property = unique_property(object_type).unwrap_or_default();
        let mut seen = HashSet::new();
        let mut values = Vec::new();
        for r in records {
            let Some(value) = r.properties.get(property) else {
                continue;
            };
            let value = value.to_lowercase();
            if !seen.insert(value.clone()) {
                return Err(HubError::Conflict(format!(
                    "Contact already exists: {value} appears more than once in this batch"
                ))
                .into());
            }
            values.push((value, r.id));
        }
        Ok(UniqueClaims {
            account_id,
            object_type,
            property,
            values,
        })
    }

    /// Adds the insert that claims the values. A value someone holds
    /// already fails it with a unique violation, which [`Self::explain`]
    /// turns into HubSpot's conflict; on PostgreSQL a concurrent writer of the same value is
    /// waited for, so two requests never both win.
    fn insert_into(&self, batch: &mut Statements) {
        let rows: Vec<Vec<Arg>> = self
            .values
            .iter()
            .map(|(value, id)| {
                vec![
                    self.account_id.into(),
                    self.object_type.as_str().into(),
                    self.property.into(),
                    value.as_str().into(),
                    (*id).into(),
                ]
            })
            .collect();
        batch.insert(
            "INSERT INTO crm_unique_values (account_id, object_type, property, value, object_id)",
            rows,
        );
    }

    /// The error of a write that made these claims: a unique violation
    /// becomes HubSpot's conflict, naming the record that holds one of the
    /// values (read once the failed write is undone).
    async fn explain(&self, store: &Store, error: StoreError) -> StoreError {
        if !error.is_unique_violation() {
            return error;
        }
        match self.holder(store).await {
            Ok(Some(existing)) => {
                HubError::Conflict(format!("Contact already exists. Existing ID: {existing}"))
                    .into()
            }
            // The holder was undone or archived meanwhile.
            Ok(None) => HubError::Conflict("Contact already exists".into()).into(),
            Err(e) => e,
        }
    }

    /// A record holding one of the values.
    async fn holder(&self, store: &Store) -> StoreResult<Option<i64>> {
        let mut sql = Sql::new("SELECT object_id FROM crm_unique_values WHERE account_id = ");
        sql.bind(self.account_id)
            .push(" AND object_type = ")
            .bind(self.object_type.as_str())
            .push(" AND property = ")
            .bind(self.property)
            .push(" AND value IN ")
            .bind_list(self.values.iter().map(|(v, _)| v.as_str()))
            .push(" LIMIT 1");
        let row = sql.query().fetch_optional(&store.pool).await?;
        Ok(row.map(|r| r.try_get::<i64, _>(0)).transpose()?)
    }
}
