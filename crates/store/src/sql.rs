//! A small SQL builder for queries whose shape depends on the request
//! (batches, search filters). It numbers `$n` placeholders, which both
//! SQLite and PostgreSQL read, and keeps the arguments beside them.

use sqlx::any::AnyArguments;
use sqlx::AnyConnection;
use sqlx::Arguments;

#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Int(i64),
    Float(f64),
    Text(String),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}
impl From<f64> for Arg {
    fn from(v: f64) -> Self {
        Arg::Float(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_owned())
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}

#[derive(Debug, Default)]
pub struct Sql {
    pub text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `arg`.
    pub fn bind(&mut self, arg: impl Into<Arg>) -> &mut Self {
        self.args.push(arg.into());
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }

    /// Appends `(a, b, c)` placeholders for a list.
    pub fn bind_list<A: Into<Arg>>(&mut self, items: impl IntoIterator<Item = A>) -> &mut Self {
        self.push("(");
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(item);
        }
        self.push(")")
    }

    pub fn arguments<'q>(&self) -> AnyArguments<'q> {
        let mut out = AnyArguments::default();
        for arg in &self.args {
            // Adding to AnyArguments only fails for unsupported types.
            let _ = match arg.clone() {
                Arg::Int(v) => out.add(v),
                Arg::Float(v) => out.add(v),
                Arg::Text(v) => out.add(v),
            };
        }
        out
    }

    pub fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, AnyArguments<'_>> {
        sqlx::query_with(&self.text, self.arguments())
    }
}

/// Placeholders per multi-row INSERT. SQLite finds a `$n` placeholder by
/// walking the statement's list of parameter names, both when it parses and
/// each time sqlx binds, so one statement costs time quadratic in its
/// placeholders: with 2,000-row INSERTs (12,000 placeholders), binding and
/// parsing took three quarters of a batch create. Statements of one size
/// also stay in sqlx's statement cache; only a batch's last is parsed anew.
const PARAMS_PER_INSERT: usize = 250;

/// A multi-row `INSERT INTO table (cols) VALUES (…), (…)` for `rows`.
fn insert_rows(head: &str, rows: &[Vec<Arg>]) -> Sql {
    let mut sql = Sql::new(head);
    sql.push(" VALUES ");
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind_list(row.iter().cloned());
    }
    sql
}

/// Inserts `rows`, all as wide as the columns in `head`, a few hundred
/// placeholders per statement.
pub async fn insert_all(
    conn: &mut AnyConnection,
    head: &str,
    rows: &[Vec<Arg>],
) -> Result<(), sqlx::Error> {
    let width = rows.first().map_or(1, Vec::len).max(1);
    for chunk in rows.chunks((PARAMS_PER_INSERT / width).max(1)) {
        insert_rows(head, chunk).query().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Like [`insert_all`], with `suffix` after each statement (`ON CONFLICT
/// DO NOTHING RETURNING …`); returns the rows the statements return.
pub async fn insert_all_returning(
    conn: &mut AnyConnection,
    head: &str,
    rows: &[Vec<Arg>],
    suffix: &str,
) -> Result<Vec<sqlx::any::AnyRow>, sqlx::Error> {
    let width = rows.first().map_or(1, Vec::len).max(1);
    let mut out = Vec::new();
    for chunk in rows.chunks((PARAMS_PER_INSERT / width).max(1)) {
        let mut sql = insert_rows(head, chunk);
        sql.push(" ").push(suffix);
        out.extend(sql.query().fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_placeholders_in_order() {
        let mut sql = Sql::new("SELECT * FROM t WHERE a = ");
        sql.bind(1i64).push(" AND b IN ").bind_list(["x", "y"]);
        assert_eq!(sql.text, "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)");
        assert_eq!(sql.args.len(), 3);
    }
}
