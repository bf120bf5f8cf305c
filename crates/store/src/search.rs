//! Runs a checked search plan. Conditions on words, equality and presence
//! become look-ups of terms in the full-text index; numeric comparisons use
//! `crm_numbers`; comparisons on record columns use the columns. Only text
//! ordering (`LT` on a string, sorting by a string) reads the records'
//! properties themselves.

use std::time::Duration;

use hubbub_hub::search::{CmpOp, Condition, Field, Scalar, SearchPlan};
use hubbub_hub::{ObjectType, Record};

use crate::indexing::{eq_term, has_term, property_key, token_term};
use crate::objects::RECORD_COLUMNS;
use crate::sql::Sql;
use crate::{Backend, Store, StoreResult};

/// How long each statement of a search may run before the database stops
/// it (see `bounded`).
pub(crate) const SEARCH_STATEMENT_TIMEOUT: Duration = Duration::from_secs(5);

/// A term to look for; `prefix` matches every term that starts with it.
struct Term {
    text: String,
    prefix: bool,
}

impl Term {
    fn exact(text: String) -> Term {
        Term {
            text,
            prefix: false,
        }
    }
}

struct Scope<'a> {
    backend: Backend,
    account_id: i64,
    object_type: &'a str,
}

impl Scope<'_> {
    fn key(&self, property: &str) -> String {
        property_key(self.account_id, self.object_type, property)
    }

    /// Records whose terms include any of `terms`.
    fn any_term(&self, sql: &mut Sql, terms: &[Term]) {
        self.all_of_any(sql, &[terms]);
    }

    /// Records whose terms include one of each of `groups`: one look-up in
    /// the index however many groups there are, since a record's terms
    /// are one document.
    fn all_of_any(&self, sql: &mut Sql, groups: &[&[Term]]) {
        if groups.iter().any(|terms| terms.is_empty()) {
            sql.push("1 = 0");
            return;
        }
        let (or, and, term): (&str, &str, fn(&Term) -> String) = match self.backend {
            Backend::Sqlite => (" OR ", " AND ", |t| {
                if t.prefix {
                    format!("{}*", t.text)
                } else {
                    t.text.clone()
                }
            }),
            Backend::Postgres => (" | ", " & ", |t| {
                if t.prefix {
                    format!("'{}':*", t.text)
                } else {
                    format!("'{}'", t.text)
                }
            }),
        };
        let query = groups
            .iter()
            .map(|terms| {
                let any: Vec<String> = terms.iter().map(term).collect();
                format!("({})", any.join(or))
            })
            .collect::<Vec<_>>()
            .join(and);
        match self.backend {
            Backend::Sqlite => {
                sql.push("o.id IN (SELECT rowid FROM crm_search WHERE crm_search MATCH ")
                    .bind(query)
                    .push(")");
            }
            Backend::Postgres => {
                sql.push("o.id IN (SELECT object_id FROM crm_search WHERE lexemes @@ CAST(")
                    .bind(query)
                    .push(" AS tsquery))");
            }
        }
    }

    /// Records with a numeric value of `property` for which `term` holds.
    fn number(&self, sql: &mut Sql, property: &str, term: impl FnOnce(&mut Sql)) {
        sql.push("o.id IN (SELECT object_id FROM crm_numbers WHERE account_id = ")
            .bind(self.account_id)
            .push(" AND object_type = ")
            .bind(self.object_type)
            .push(" AND property = ")
            .bind(property)
            .push(" AND ");
        term(sql);
        sql.push(")");
    }

    /// The lower-cased text of a property, read from the record itself.
    fn stored_text(&self, sql: &mut Sql, property: &str) {
        match self.backend {
            Backend::Sqlite => sql
                .push("lower(json_extract(o.properties, ")
                .bind(format!("$.\"{property}\""))
                .push("))"),
            Backend::Postgres => sql
                .push("lower(CAST(o.properties AS json) ->> ")
                .bind(property)
                .push(")"),
        };
    }

    fn column(field: &Field) -> Option<&'static str> {
        match field {
            Field::Id => Some("o.id"),
            Field::CreatedAt => Some("o.created_at"),
            Field::UpdatedAt => Some("o.updated_at"),
            _ => None,
        }
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
            Condition::In { field, values } => self.one_of(sql, field, values),
            Condition::HasValue(field) => match field {
                Field::Text(p) | Field::Number(p) => {
                    self.any_term(sql, &[Term::exact(has_term(&self.key(p)))])
                }
                _ => {
                    sql.push("1 = 1");
                }
            },
            Condition::Tokens {
                properties,
                patterns,
            } => {
                let parts: Vec<Vec<Term>> = patterns
                    .iter()
                    .map(|p| {
                        properties
                            .iter()
                            .map(|prop| Term {
                                text: token_term(&self.key(prop), &p.token),
                                prefix: p.prefix,
                            })
                            .collect()
                    })
                    .collect();
                if parts.is_empty() {
                    sql.push("1 = 1");
                    return;
                }
                let groups: Vec<&[Term]> = parts.iter().map(Vec::as_slice).collect();
                self.all_of_any(sql, &groups);
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
        let op_text = match op {
            CmpOp::Eq => " = ",
            CmpOp::Lt => " < ",
            CmpOp::Lte => " <= ",
            CmpOp::Gt => " > ",
            CmpOp::Gte => " >= ",
        };
        if let Some(column) = Self::column(field) {
            sql.push(column).push(op_text);
            bind_scalar(sql, value);
            return;
        }
        match (field, value) {
            (Field::Number(p), _) => self.number(sql, p, |sql| {
                sql.push("num_value").push(op_text);
                bind_scalar(sql, value);
            }),
            (Field::Text(p), Scalar::Text(v)) if op == CmpOp::Eq => {
                self.any_term(sql, &[Term::exact(eq_term(&self.key(p), v))])
            }
            (Field::Text(p), _) => {
                self.stored_text(sql, p);
                sql.push(op_text);
                bind_scalar(sql, value);
            }
            _ => unreachable!("columns handled above"),
        }
    }

    fn one_of(&self, sql: &mut Sql, field: &Field, values: &[Scalar]) {
        let bind_all = |sql: &mut Sql| {
            sql.push("(");
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                bind_scalar(sql, v);
            }
            sql.push(")");
        };
        if let Some(column) = Self::column(field) {
            sql.push(column).push(" IN ");
            bind_all(sql);
            return;
        }
        match field {
            Field::Number(p) => self.number(sql, p, |sql| {
                sql.push("num_value IN ");
                bind_all(sql);
            }),
            Field::Text(p) => {
                let key = self.key(p);
                let terms: Vec<Term> = values
                    .iter()
                    .map(|v| match v {
                        Scalar::Text(t) => Term::exact(eq_term(&key, t)),
                        Scalar::Number(n) => Term::exact(eq_term(&key, &n.to_string())),
                    })
                    .collect();
                self.any_term(sql, &terms);
            }
            _ => unreachable!("columns handled above"),
        }
    }
}

fn bind_scalar(sql: &mut Sql, value: &Scalar) {
    match value {
        Scalar::Text(t) => sql.bind(t.as_str()),
        Scalar::Number(n) => sql.bind(*n),
    };
}

/// The WHERE clause shared by the page and the count.
fn where_clause(sql: &mut Sql, scope: &Scope<'_>, plan: &SearchPlan) {
    sql.push(" WHERE o.account_id = ")
        .bind(scope.account_id)
        .push(" AND o.object_type = ")
        .bind(scope.object_type)
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
        let scope = Scope {
            backend: self.backend,
            account_id,
            object_type: object_type.as_str(),
        };
        let mut count = Sql::new("SELECT COUNT(*) FROM crm_objects o");
        where_clause(&mut count, &scope, plan);
        let mut read = self.bounded_read(SEARCH_STATEMENT_TIMEOUT).await?;
        let total = read.scalar(&count).await?;
        if total == 0 || i64::from(plan.offset) >= total {
            read.finish().await?;
            return Ok((total, Vec::new()));
        }

        let mut page = Sql::new(&format!("SELECT {RECORD_COLUMNS} FROM crm_objects o"));
        if let Field::Number(p) = &plan.sort.field {
            page.push(" LEFT JOIN crm_numbers s ON s.object_id = o.id AND s.property = ")
                .bind(p.as_str());
        }
        let order_by = |sql: &mut Sql| match &plan.sort.field {
            Field::Number(_) => {
                sql.push("s.num_value");
            }
            Field::Text(p) => scope.stored_text(sql, p),
            column => {
                sql.push(Scope::column(column).expect("a record column"));
            }
        };
        where_clause(&mut page, &scope, plan);
        let direction = if plan.sort.descending {
            " DESC"
        } else {
            " ASC"
        };
        // Records without the sort property come last either way, as in HubSpot.
        page.push(" ORDER BY CASE WHEN ");
        order_by(&mut page);
        page.push(" IS NULL THEN 1 ELSE 0 END, ");
        order_by(&mut page);
        page.push(direction)
            .push(", o.id")
            .push(direction)
            .push(" LIMIT ")
            .bind(i64::from(plan.limit))
            .push(" OFFSET ")
            .bind(i64::from(plan.offset));
        let records = read.records(&page).await?;
        read.finish().await?;
        Ok((total, records))
    }
}
