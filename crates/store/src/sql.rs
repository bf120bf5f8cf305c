//! A small SQL builder for queries whose shape depends on the request
//! (batches, search filters). It numbers `$n` placeholders, which both
//! SQLite and PostgreSQL read, and keeps the arguments beside them; and
//! [`Statements`], the writes of one transaction sent together.

use sqlx::any::AnyArguments;
use sqlx::{Any, AnyConnection, Arguments, Database, Encode, Type};

use crate::Backend;

#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Int(i64),
    Float(f64),
    Text(String),
    /// A nullable column's value.
    OptInt(Option<i64>),
    OptText(Option<String>),
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
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::OptInt(v)
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::OptText(v)
    }
}

#[derive(Debug, Default)]
pub struct Sql {
    pub text: String,
    args: Vec<Arg>,
    /// `?` placeholders, bound in order (SQLite only), instead of `$n`.
    anonymous: bool,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_owned(),
            args: Vec::new(),
            anonymous: false,
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `arg`.
    pub fn bind(&mut self, arg: impl Into<Arg>) -> &mut Self {
        self.args.push(arg.into());
        if self.anonymous {
            self.text.push('?');
        } else {
            self.text.push('$');
            self.text.push_str(&self.args.len().to_string());
        }
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
        self.arguments_for::<Any>()
    }

    /// The arguments for a driver of its own (see `bounded`).
    pub fn arguments_for<'q, DB: Database>(&self) -> <DB as Database>::Arguments<'q>
    where
        i64: Encode<'q, DB> + Type<DB>,
        f64: Encode<'q, DB> + Type<DB>,
        String: Encode<'q, DB> + Type<DB>,
        Option<i64>: Encode<'q, DB>,
        Option<String>: Encode<'q, DB>,
    {
        let mut out = <DB as Database>::Arguments::default();
        for arg in &self.args {
            // Adding arguments only fails for types a driver does not know.
            let _ = match arg.clone() {
                Arg::Int(v) => out.add(v),
                Arg::Float(v) => out.add(v),
                Arg::Text(v) => out.add(v),
                Arg::OptInt(v) => out.add(v),
                Arg::OptText(v) => out.add(v),
            };
        }
        out
    }

    pub fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, AnyArguments<'_>> {
        sqlx::query_with(&self.text, self.arguments())
    }
}

/// Placeholders per multi-row INSERT on PostgreSQL. Statements of one size
/// stay in the driver's statement cache; only a batch's last is parsed anew.
const PARAMS_PER_INSERT: usize = 250;

/// Placeholders per multi-row INSERT on SQLite, whose `?` placeholders cost
/// the same however many there are (SQLite allows 32,766).
const SQLITE_PARAMS_PER_INSERT: usize = 10_000;

/// The writes of one transaction, sent to the database together.
///
/// SQLite has one writer, so a write transaction's length limits every
/// writer's throughput, and each statement sent on its own is a round trip
/// between the request's task and the connection's thread. Here SQLite gets
/// all statements in one string (its driver runs them in order, binding `?`
/// placeholders across them): one round trip. `$n` placeholders are not used
/// there because SQLite finds each one by walking the statement's list of
/// names, when it parses and each time the driver binds, which made a
/// 2,000-row INSERT cost three quarters of a batch create. PostgreSQL cannot
/// take several statements with parameters in one message; it gets them one
/// by one, with `$n` placeholders.
pub struct Statements {
    backend: Backend,
    list: Vec<Sql>,
}

impl Statements {
    pub fn new(backend: Backend) -> Self {
        Statements {
            backend,
            list: Vec::new(),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Adds `INSERT head VALUES (…), (…)` for `rows`, all as wide as the
    /// columns in `head`, as several statements when they are many.
    pub fn insert(&mut self, head: &str, rows: Vec<Vec<Arg>>) -> &mut Self {
        let anonymous = self.backend == Backend::Sqlite;
        let params = if anonymous {
            SQLITE_PARAMS_PER_INSERT
        } else {
            PARAMS_PER_INSERT
        };
        let width = rows.first().map_or(1, Vec::len).max(1);
        let per_statement = (params / width).max(1);
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let mut sql = Sql::new(head);
            sql.anonymous = anonymous;
            sql.push(" VALUES ");
            for (i, row) in rows.by_ref().take(per_statement).enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind_list(row);
            }
            self.add(sql);
        }
        self
    }

    /// On SQLite, appends `sql` to the one string of statements.
    fn add(&mut self, sql: Sql) {
        match self.list.last_mut() {
            Some(all) if all.anonymous => {
                all.text.push_str(";\n");
                all.text.push_str(&sql.text);
                all.args.extend(sql.args);
            }
            _ => self.list.push(sql),
        }
    }

    /// Runs the statements in order.
    pub async fn run(&self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        for sql in &self.list {
            sql.query().execute(&mut *conn).await?;
        }
        Ok(())
    }
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

    fn rows(n: i64) -> Vec<Vec<Arg>> {
        (0..n)
            .map(|i| vec![i.into(), format!("v{i}").into()])
            .collect()
    }

    #[test]
    fn sqlite_gets_one_string_with_ordered_placeholders() {
        let mut batch = Statements::new(Backend::Sqlite);
        batch
            .insert("INSERT INTO a (x, y)", rows(2))
            .insert("INSERT INTO b (x, y)", rows(1));
        assert_eq!(batch.list.len(), 1);
        let all = &batch.list[0];
        assert_eq!(
            all.text,
            "INSERT INTO a (x, y) VALUES (?, ?), (?, ?);\nINSERT INTO b (x, y) VALUES (?, ?)"
        );
        assert_eq!(all.args.len(), 6);
        assert_eq!(all.args[4], Arg::Int(0));
    }

    #[test]
    fn postgres_gets_numbered_statements_of_bounded_size() {
        let mut batch = Statements::new(Backend::Postgres);
        batch.insert("INSERT INTO a (x, y)", rows(200));
        assert_eq!(batch.list.len(), 2);
        assert!(batch.list[0].text.ends_with("($249, $250)"));
        assert!(batch.list[1]
            .text
            .starts_with("INSERT INTO a (x, y) VALUES ($1, $2)"));
    }
}
