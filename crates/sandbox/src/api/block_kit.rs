//! Block Kit's published limits, which Slack enforces on every message it
//! takes (`chat.postMessage`, `chat.update`, response URLs): a message
//! breaking one is refused with `invalid_blocks`. From Slack's Block Kit
//! reference: a section's text at most 3,000 characters and at most 10
//! fields of 2,000 each; a header's text 150; an actions block at most 25
//! elements; a context block 10; a button's text 75, its value 2,000 and
//! its URL 3,000; a select at most 100 options, each with text of 75 and a
//! value of 150; any `action_id` or `block_id` 255.

use serde_json::Value;

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

/// The `text` of a text object (`{"type": "mrkdwn", "text": …}`).
fn text_len(object: Option<&Value>) -> usize {
    object.and_then(|o| o.get("text")).map_or(0, chars)
}

fn count(v: Option<&Value>) -> usize {
    v.and_then(Value::as_array).map_or(0, Vec::len)
}

fn within(len: usize, max: usize) -> Result<(), ()> {
    if len <= max {
        Ok(())
    } else {
        Err(())
    }
}

/// One interactive element of an actions block or a section's accessory.
fn element(e: &Value) -> Result<(), ()> {
    within(e.get("action_id").map_or(0, chars), 255)?;
    match e.get("type").and_then(Value::as_str) {
        Some("button") => {
            within(text_len(e.get("text")), 75)?;
            within(e.get("value").map_or(0, chars), 2_000)?;
            within(e.get("url").map_or(0, chars), 3_000)
        }
        Some("static_select" | "multi_static_select") => {
            within(text_len(e.get("placeholder")), 150)?;
            let options = e.get("options").and_then(Value::as_array);
            within(options.map_or(0, Vec::len), 100)?;
            for o in options.into_iter().flatten().chain(e.get("initial_option")) {
                within(text_len(o.get("text")), 75)?;
                within(o.get("value").map_or(0, chars), 150)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn block(b: &Value) -> Result<(), ()> {
    within(b.get("block_id").map_or(0, chars), 255)?;
    match b.get("type").and_then(Value::as_str) {
        Some("section") => {
            within(text_len(b.get("text")), 3_000)?;
            let fields = b.get("fields").and_then(Value::as_array);
            within(fields.map_or(0, Vec::len), 10)?;
            for f in fields.into_iter().flatten() {
                within(text_len(Some(f)), 2_000)?;
            }
            b.get("accessory").map_or(Ok(()), element)
        }
        Some("header") => within(text_len(b.get("text")), 150),
        Some("actions") => {
            within(count(b.get("elements")), 25)?;
            b.get("elements")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .try_for_each(element)
        }
        Some("context") => within(count(b.get("elements")), 10),
        _ => Ok(()),
    }
}

/// Whether every block keeps within Block Kit's limits.
pub(super) fn within_limits(blocks: &[Value]) -> bool {
    blocks.iter().all(|b| block(b).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refuses_what_slack_refuses() {
        let ok = json!([{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]);
        assert!(within_limits(ok.as_array().unwrap()));
        let long = "x".repeat(3_001);
        let too_long = json!([{"type": "section", "text": {"type": "mrkdwn", "text": long}}]);
        assert!(!within_limits(too_long.as_array().unwrap()));
        let button = json!([{"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "b".repeat(76)}, "action_id": "a"}
        ]}]);
        assert!(!within_limits(button.as_array().unwrap()));
        let options: Vec<Value> = (0..101)
            .map(|i| json!({"text": {"type": "plain_text", "text": "o"}, "value": i.to_string()}))
            .collect();
        let select = json!([{"type": "actions", "elements": [
            {"type": "static_select", "action_id": "s", "options": options}
        ]}]);
        assert!(!within_limits(select.as_array().unwrap()));
    }
}
