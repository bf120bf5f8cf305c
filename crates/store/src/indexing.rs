//! The search index of a record, kept in the same transaction as the
//! record itself:
//!
//! - one *terms* document per record, in a full-text index built for bulk
//!   writes (SQLite FTS5, PostgreSQL GIN over a `tsvector`): a term says
//!   "has property p", "p equals v" or "p contains word w";
//! - one `crm_numbers` row per numeric or date property, for range filters
//!   and sorting.
//!
//! A term is plain ASCII letters and digits, so both engines read it as one
//! word: a kind letter, a key naming (account, object type, property), and
//! the value, hex-encoded. Hex keeps word prefixes prefixes, so `lov*` is a
//! prefix search on the index. Keys carry the account, so one account's
//! search never sees another's terms.

use hubbub_hub::property::PropertySet;
use hubbub_hub::token::tokens;
use hubbub_hub::Record;
use sha2::{Digest, Sha256};
use sqlx::{Any, Transaction};

use crate::sql::{Arg, Sql, Statements};
use crate::{Backend, StoreResult};

/// Words indexed per property value: enough for any name or subject, and a
/// bound on what one long note costs.
const TOKENS_PER_VALUE: usize = 256;
/// Longest word indexed, in bytes; longer ones are cut.
const TOKEN_BYTES: usize = 100;

/// Names one property of one object type of one account.
pub(crate) fn property_key(account_id: i64, object_type: &str, property: &str) -> String {
    let digest = Sha256::digest(format!("{account_id}/{object_type}/{property}"));
    hex::encode(&digest[..5])
}

/// "This record has a value for the property."
pub(crate) fn has_term(key: &str) -> String {
    format!("h{key}")
}

/// "The property equals `value`" (case-insensitively).
pub(crate) fn eq_term(key: &str, value: &str) -> String {
    let digest = Sha256::digest(value.to_lowercase());
    format!("e{key}{}", hex::encode(&digest[..8]))
}

/// "The property contains the word `token`"; with a prefix search, a word
/// that starts with `token`.
pub(crate) fn token_term(key: &str, token: &str) -> String {
    let mut end = token.len().min(TOKEN_BYTES);
    while !token.is_char_boundary(end) {
        end -= 1;
    }
    format!("t{key}{}", hex::encode(&token.as_bytes()[..end]))
}

/// Index rows for a batch of records, written together.
#[derive(Default)]
pub(crate) struct IndexRows {
    /// (record id, space-separated terms)
    documents: Vec<(i64, String)>,
    numbers: Vec<Vec<Arg>>,
}

impl IndexRows {
    /// Adds everything the index keeps about `record`.
    pub fn add(&mut self, account_id: i64, props: &PropertySet, record: &Record) {
        let object_type = props.object_type.as_str();
        let mut terms = Vec::new();
        for (name, value) in &record.properties {
            let key = property_key(account_id, object_type, name);
            terms.push(has_term(&key));
            let def = props.get(name);
            if let Some(num) = def.and_then(|d| d.numeric_value(value)) {
                self.numbers.push(vec![
                    account_id.into(),
                    object_type.into(),
                    name.as_str().into(),
                    num.into(),
                    record.id.into(),
                ]);
            } else {
                terms.push(eq_term(&key, value));
            }
            if def.is_none_or(|d| d.ptype.is_tokenized()) {
                terms.extend(
                    tokens(value)
                        .iter()
                        .take(TOKENS_PER_VALUE)
                        .map(|t| token_term(&key, t)),
                );
            }
        }
        self.documents.push((record.id, terms.join(" ")));
    }

    /// Adds the inserts that write these rows to `batch`.
    pub fn insert_into(self, batch: &mut Statements) {
        let documents: Vec<Vec<Arg>> = self
            .documents
            .into_iter()
            .map(|(id, terms)| vec![id.into(), terms.into()])
            .collect();
        let head = match batch.backend() {
            Backend::Sqlite => "INSERT INTO crm_search (rowid, terms)",
            Backend::Postgres => "INSERT INTO crm_search (object_id, terms)",
        };
        batch.insert(head, documents).insert(
            "INSERT INTO crm_numbers (account_id, object_type, property, num_value, object_id)",
            self.numbers,
        );
    }
}

/// Drops the index rows of records about to be indexed anew.
pub(crate) async fn remove(
    backend: Backend,
    tx: &mut Transaction<'_, Any>,
    ids: &[i64],
) -> StoreResult<()> {
    let key = match backend {
        Backend::Sqlite => "rowid",
        Backend::Postgres => "object_id",
    };
    let mut sql = Sql::new(&format!("DELETE FROM crm_search WHERE {key} IN "));
    sql.bind_list(ids.iter().copied());
    sql.query().execute(&mut **tx).await?;
    let mut sql = Sql::new("DELETE FROM crm_numbers WHERE object_id IN ");
    sql.bind_list(ids.iter().copied());
    sql.query().execute(&mut **tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_single_ascii_words() {
        let key = property_key(1, "contacts", "lastname");
        for term in [
            has_term(&key),
            eq_term(&key, "Lovelace"),
            token_term(&key, "josé"),
        ] {
            assert!(term.chars().all(|c| c.is_ascii_alphanumeric()), "{term}");
        }
        assert_eq!(eq_term(&key, "Lovelace"), eq_term(&key, "lovelace"));
        assert!(token_term(&key, "lovelace").starts_with(&token_term(&key, "lov")));
        assert_ne!(key, property_key(2, "contacts", "lastname"));
    }
}
