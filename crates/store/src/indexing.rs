//! The search index of a record: one `crm_values` row per set property
//! and one `crm_tokens` row per word of its text properties. Rows are built
//! here and written in batches by the record writers.

use hubbub_hub::property::PropertySet;
use hubbub_hub::token::tokens;
use sqlx::{Any, Transaction};

use crate::sql::{insert_rows, Arg, ROWS_PER_INSERT};
use crate::StoreResult;

/// Stored text values are cut to this many bytes in the index (full values
/// stay in the record), which keeps index keys within PostgreSQL's limits.
const INDEXED_TEXT_BYTES: usize = 1_000;
/// Words indexed per property value: enough for any name or subject, and a
/// bound on what one long note costs.
const TOKENS_PER_VALUE: usize = 256;

#[derive(Default)]
pub(crate) struct IndexRows {
    values: Vec<Vec<Arg>>,
    tokens: Vec<Vec<Arg>>,
}

fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

impl IndexRows {
    /// Adds the rows for one property value of one record.
    pub fn add(
        &mut self,
        account_id: i64,
        props: &PropertySet,
        object_id: i64,
        name: &str,
        value: &str,
    ) {
        let object_type = props.object_type.as_str();
        let def = props.get(name);
        let num = def.and_then(|d| d.numeric_value(value));
        self.values.push(vec![
            object_id.into(),
            account_id.into(),
            object_type.into(),
            name.into(),
            cut(&value.to_lowercase(), INDEXED_TEXT_BYTES).into(),
            num.into(),
        ]);
        if def.is_none_or(|d| d.ptype.is_tokenized()) {
            for token in tokens(value).into_iter().take(TOKENS_PER_VALUE) {
                self.tokens.push(vec![
                    object_id.into(),
                    account_id.into(),
                    object_type.into(),
                    name.into(),
                    cut(&token, INDEXED_TEXT_BYTES).to_owned().into(),
                ]);
            }
        }
    }

    pub async fn write(self, tx: &mut Transaction<'_, Any>) -> StoreResult<()> {
        for chunk in self.values.chunks(ROWS_PER_INSERT) {
            insert_rows(
                "INSERT INTO crm_values (object_id, account_id, object_type, property, text_value, num_value)",
                chunk,
            )
            .query()
            .execute(&mut **tx)
            .await?;
        }
        for chunk in self.tokens.chunks(ROWS_PER_INSERT) {
            insert_rows(
                "INSERT INTO crm_tokens (object_id, account_id, object_type, property, token)",
                chunk,
            )
            .query()
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}
