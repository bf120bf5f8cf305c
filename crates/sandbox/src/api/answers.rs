//! What successful answers share: their fields as a JSON object, and
//! Slack's cursor paging.

use serde_json::{Map, Value};

use super::request::{ApiError, Args};

/// A JSON object as a successful answer's fields.
pub(super) fn obj(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Cursor paging as Slack does it: an opaque `cursor` from the previous
/// page's `response_metadata.next_cursor`, empty on the last page.
pub(super) fn page<T: Clone>(
    items: &[T],
    args: &Args,
    default_limit: usize,
    max_limit: usize,
) -> Result<(Vec<T>, String), ApiError> {
    let limit = match args.int("limit") {
        None | Some(0) => default_limit,
        Some(n) if n < 0 => return Err(ApiError::slack("invalid_limit")),
        Some(n) => (n as usize).min(max_limit),
    };
    let start = match args.str("cursor") {
        None => 0,
        Some(cursor) => decode_cursor(cursor).ok_or(ApiError::slack("invalid_cursor"))?,
    };
    if start > items.len() {
        return Err(ApiError::slack("invalid_cursor"));
    }
    let end = (start + limit).min(items.len());
    let next = if end < items.len() {
        encode_cursor(end)
    } else {
        String::new()
    };
    Ok((items[start..end].to_vec(), next))
}

fn encode_cursor(offset: usize) -> String {
    hex::encode(format!("next:{offset}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let raw = hex::decode(cursor).ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("next:")?
        .parse()
        .ok()
}
