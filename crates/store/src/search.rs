//! Runs a checked search plan. Each condition becomes a sub-select over
//! the index tables, so both databases drive the search from the index
//! rather than scanning records.

use hubbub_hub::search::{CmpOp, Condition, Field, Scalar, SearchPlan};
use hubbub_hub::{ObjectType, Record};

use crate::objects::{record_from_row, RECORD_COLUMNS};
use crate::sql::Sql;
use crate::{Store, StoreResult};

/// Sorts after every token that starts with the same letters: a prefix
/// search for `lov` looks for tokens in [`lov`, `lov\u{10FFFF}`).
const PREFIX_END: char = '\u{10FFFF}';

struct Scope<'a> {
    account_id: i64,
    object_type: &'a str,
}

impl Scope<'_> {
    /// `o.id IN (SELECT object_id FROM table WHERE <this scope> AND …`,
    /// left open for the caller's own terms.
    fn open_subselect(&self, sql: &mut Sql, table: &str) {
        sql.push("o.id IN (SELECT object_id FROM ")
            .push(table)
            .push(" WHERE account_id = ")
            .bind(self.account_id)
            .push(" AND object_type = ")
            .bind(self.object_type);
    }

    fn condition(&self, sql: &mut Sql, cond: &Condition) {
        match cond {
            Condition::All(parts) => self.join(sql, parts, " AND ", "1 = 1"),
            Condition::Any(parts) => self.join(sql, parts, " OR ", "1 = 0"),
            Condition::Not(inner) => {
                sql.push("NOT (");
                self.condition(sql, inner);
                sql.push(")");
            }
            Condition::Compare { field, op, value } => self.compare(sql, field, *op, value),
            Condition::In { field, values } => {
                self.field_term(sql, field, |sql, column| {
                    sql.push(column).push(" IN ");
                    sql.push("(");
                    for (i, v) in values.iter().enumerate() {
                        if i > 0 {
                            sql.push(", ");
                        }
                        bind_scalar(sql, v);
                    }
                    sql.push(")");
                });
            }
            Condition::HasValue(field) => match field {
                Field::Text(p) | Field::Number(p) => {
                    self.open_subselect(sql, "crm_values");
                    sql.push(" AND property = ").bind(p.as_str()).push(")");
                }
                _ => {
                    sql.push("1 = 1");
                }
            },
            Condition::Tokens {
                properties,
                patterns,
            } => {
                if properties.is_empty() {
                    sql.push("1 = 0");
                    return;
                }
                let parts: Vec<_> = patterns.iter().collect();
                sql.push("(");
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        sql.push(" AND ");
                    }
                    self.open_subselect(sql, "crm_tokens");
                    if p.prefix {
                        sql.push(" AND token >= ")
                            .bind(p.token.as_str())
                            .push(" AND token < ")
                            .bind(format!("{}{PREFIX_END}", p.token));
                    } else {
                        sql.push(" AND token = ").bind(p.token.as_str());
                    }
                    sql.push(" AND property IN ")
                        .bind_list(properties.iter().map(String::as_str))
                        .push(")");
                }
                if parts.is_empty() {
                    sql.push("1 = 1");
                }
                sql.push(")");
            }
        }
    }

    fn join(&self, sql: &mut Sql, parts: &[Condition], sep: &str, empty: &str) {
        if parts.is_empty() {
            sql.push(empty);
            return;
        }
        sql.push("(");
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                sql.push(sep);
            }
            self.condition(sql, part);
        }
        sql.push(")");
    }

    fn compare(&self, sql: &mut Sql, field: &Field, op: CmpOp, value: &Scalar) {
        let op = match op {
            CmpOp::Eq => " = ",
            CmpOp::Lt => " < ",
            CmpOp::Lte => " <= ",
            CmpOp::Gt => " > ",
            CmpOp::Gte => " >= ",
        };
        self.field_term(sql, field, |sql, column| {
            sql.push(column).push(op);
            bind_scalar(sql, value);
        });
    }

    /// Writes `term(column)` against the right column: a record column
    /// directly, a property through a sub-select on `crm_values`.
    fn field_term(&self, sql: &mut Sql, field: &Field, term: impl FnOnce(&mut Sql, &str)) {
        let (property, column) = match field {
            Field::Id => return term(sql, "o.id"),
            Field::CreatedAt => return term(sql, "o.created_at"),
            Field::UpdatedAt => return term(sql, "o.updated_at"),
            Field::Text(p) => (p, "text_value"),
            Field::Number(p) => (p, "num_value"),
        };
        self.open_subselect(sql, "crm_values");
        sql.push(" AND property = ")
            .bind(property.as_str())
            .push(" AND ");
        term(sql, column);
        sql.push(")");
    }
}

fn bind_scalar(sql: &mut Sql, value: &Scalar) {
    match value {
        Scalar::Text(t) => sql.bind(t.as_str()),
        Scalar::Number(n) => sql.bind(*n),
    };
}

/// The WHERE clause shared by the page and the count.
fn where_clause(sql: &mut Sql, account_id: i64, object_type: ObjectType, plan: &SearchPlan) {
    let scope = Scope {
        account_id,
        object_type: object_type.as_str(),
    };
    sql.push(" WHERE o.account_id = ")
        .bind(account_id)
        .push(" AND o.object_type = ")
        .bind(object_type.as_str())
        .push(" AND o.archived = 0");
    if let Some(cond) = &plan.condition {
        sql.push(" AND ");
        scope.condition(sql, cond);
    }
}

impl Store {
    /// The matching live records (one page) and how many match in all.
    pub async fn search_records(
        &self,
        account_id: i64,
        object_type: ObjectType,
        plan: &SearchPlan,
    ) -> StoreResult<(i64, Vec<Record>)> {
        let mut count = Sql::new("SELECT COUNT(*) FROM crm_objects o");
        where_clause(&mut count, account_id, object_type, plan);
        let total: i64 = sqlx::query_scalar_with(&count.text, count.arguments())
            .fetch_one(&self.pool)
            .await?;
        if total == 0 || i64::from(plan.offset) >= total {
            return Ok((total, Vec::new()));
        }

        let mut page = Sql::new(&format!("SELECT {RECORD_COLUMNS} FROM crm_objects o"));
        let order_column = match &plan.sort.field {
            Field::Id => "o.id",
            Field::CreatedAt => "o.created_at",
            Field::UpdatedAt => "o.updated_at",
            Field::Text(p) | Field::Number(p) => {
                page.push(" LEFT JOIN crm_values s ON s.object_id = o.id AND s.property = ")
                    .bind(p.as_str());
                if matches!(plan.sort.field, Field::Text(_)) {
                    "s.text_value"
                } else {
                    "s.num_value"
                }
            }
        };
        where_clause(&mut page, account_id, object_type, plan);
        let direction = if plan.sort.descending {
            " DESC"
        } else {
            " ASC"
        };
        // Records without the sort property come last either way, as in HubSpot.
        page.push(" ORDER BY CASE WHEN ")
            .push(order_column)
            .push(" IS NULL THEN 1 ELSE 0 END, ")
            .push(order_column)
            .push(direction)
            .push(", o.id")
            .push(direction)
            .push(" LIMIT ")
            .bind(i64::from(plan.limit))
            .push(" OFFSET ")
            .bind(i64::from(plan.offset));
        let rows = page.query().fetch_all(&self.pool).await?;
        let records = rows
            .iter()
            .map(record_from_row)
            .collect::<StoreResult<_>>()?;
        Ok((total, records))
    }
}
