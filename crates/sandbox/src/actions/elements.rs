//! Interactive elements in blocks: finding the one a person used, its
//! options, and the `state.values` Slack reports for a view's inputs.

use serde_json::{json, Map, Value};

use super::outcome::{bad, ActionError};

/// Finds an interactive element by `action_id` in a list of blocks.
pub(super) fn find_element(
    blocks: &Value,
    action_id: &str,
    block_id: Option<&str>,
) -> Option<(String, Value)> {
    for block in blocks.as_array()? {
        let bid = block["block_id"].as_str().unwrap_or_default();
        if block_id.is_some_and(|b| b != bid) {
            continue;
        }
        let mut candidates: Vec<&Value> = block["elements"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        candidates.push(&block["accessory"]);
        candidates.push(&block["element"]);
        if let Some(el) = candidates
            .into_iter()
            .find(|e| e["action_id"].as_str() == Some(action_id))
        {
            return Some((bid.to_owned(), el.clone()));
        }
    }
    None
}

/// The option of a select whose value is `value` (or the option given as
/// an object; external selects take any value).
pub(super) fn find_option(element: &Value, value: &Value) -> Result<Value, ActionError> {
    if value.is_object() {
        return Ok(value.clone());
    }
    let wanted = value_str(value);
    let mut options: Vec<&Value> = element["options"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    if let Some(groups) = element["option_groups"].as_array() {
        for g in groups {
            options.extend(g["options"].as_array().into_iter().flatten());
        }
    }
    if let Some(o) = options
        .into_iter()
        .find(|o| o["value"].as_str() == Some(wanted.as_str()))
    {
        return Ok(o.clone());
    }
    if element["type"]
        .as_str()
        .unwrap_or_default()
        .contains("external")
    {
        return Ok(
            json!({"text": {"type": "plain_text", "text": wanted, "emoji": true}, "value": wanted}),
        );
    }
    Err(bad("invalid_option").detail(format!("no option with value {wanted:?}")))
}

pub(super) fn value_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn value_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

/// An element's state (`{"type": …, "value"|"selected_…": …}`) for a
/// given value; `None` leaves it empty.
pub(super) fn element_state(element: &Value, value: Option<&Value>) -> Result<Value, ActionError> {
    let kind = element["type"]
        .as_str()
        .unwrap_or("plain_text_input")
        .to_owned();
    // Nothing chosen in a select or picker (a form's empty field) is no
    // choice, which Slack reports as null, not an option valued "".
    let typed_in = matches!(
        kind.as_str(),
        "plain_text_input" | "email_text_input" | "url_text_input" | "number_input"
    );
    let value = value.filter(|v| typed_in || v.as_str() != Some(""));
    let mut out = json!({"type": kind});
    let key_and = |key: &str,
                   f: &dyn Fn(&Value) -> Result<Value, ActionError>|
     -> Result<(String, Value), ActionError> {
        Ok((
            key.to_owned(),
            value.map(f).transpose()?.unwrap_or(Value::Null),
        ))
    };
    let (key, v) = match kind.as_str() {
        "static_select" | "external_select" | "radio_buttons" => {
            key_and("selected_option", &|v| find_option(element, v))?
        }
        "multi_static_select" | "multi_external_select" | "checkboxes" => {
            let (k, v) = key_and("selected_options", &|v| {
                value_list(v)
                    .iter()
                    .map(|x| find_option(element, x))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::from)
            })?;
            (k, if v.is_null() { json!([]) } else { v })
        }
        "users_select" => key_and("selected_user", &|v| Ok(json!(value_str(v))))?,
        "multi_users_select" => key_and("selected_users", &|v| Ok(json!(value_list(v))))?,
        "conversations_select" => key_and("selected_conversation", &|v| Ok(json!(value_str(v))))?,
        "multi_conversations_select" => {
            key_and("selected_conversations", &|v| Ok(json!(value_list(v))))?
        }
        "channels_select" => key_and("selected_channel", &|v| Ok(json!(value_str(v))))?,
        "multi_channels_select" => key_and("selected_channels", &|v| Ok(json!(value_list(v))))?,
        "datepicker" => key_and("selected_date", &|v| Ok(json!(value_str(v))))?,
        "timepicker" => key_and("selected_time", &|v| Ok(json!(value_str(v))))?,
        "datetimepicker" => key_and("selected_date_time", &|v| {
            Ok(v.as_i64()
                .map(Value::from)
                .unwrap_or_else(|| json!(value_str(v).parse::<i64>().ok())))
        })?,
        "rich_text_input" => key_and("rich_text_value", &|v| {
            Ok(
                json!({"type": "rich_text", "elements": [{"type": "rich_text_section",
                "elements": [{"type": "text", "text": value_str(v)}]}]}),
            )
        })?,
        _ => key_and("value", &|v| Ok(json!(value_str(v))))?,
    };
    out[key] = v;
    Ok(out)
}

/// The given value for an element: `values[block_id][action_id]`,
/// `values[block_id]` or `values[action_id]`.
fn given<'a>(values: &'a Value, block_id: &str, action_id: &str) -> Option<&'a Value> {
    match values.get(block_id) {
        Some(Value::Object(inner)) if inner.contains_key(action_id) => inner.get(action_id),
        Some(v) if !v.is_object() || v.get("value").is_some() || v.get("text").is_some() => Some(v),
        _ => values.get(action_id),
    }
    .filter(|v| !v.is_null())
}

/// What an element holds before anyone touches it, as a given value:
/// `initial_value`, the value of `initial_option`, the values of
/// `initial_options`, or the element's other `initial_…` field.
fn initial_value(element: &Value) -> Option<Value> {
    let option_value = |o: &Value| o["value"].clone();
    if let Some(option) = element.get("initial_option").filter(|o| o.is_object()) {
        return Some(option_value(option));
    }
    if let Some(options) = element["initial_options"].as_array() {
        return Some(Value::Array(options.iter().map(option_value).collect()));
    }
    [
        "initial_value",
        "initial_date",
        "initial_time",
        "initial_date_time",
        "initial_user",
        "initial_users",
        "initial_conversation",
        "initial_conversations",
        "initial_channel",
        "initial_channels",
    ]
    .iter()
    .find_map(|key| element.get(*key).filter(|v| !v.is_null()).cloned())
}

/// `view.state.values` for a submission: every input block (and any
/// other element given a value), refusing when a required input is empty
/// as Slack's client does.
pub(super) fn fill_values(
    view: &Value,
    values: &Value,
    require: bool,
) -> Result<Value, ActionError> {
    let mut out = Map::new();
    for block in view["blocks"].as_array().into_iter().flatten() {
        let block_id = block["block_id"].as_str().unwrap_or_default();
        let mut elements: Vec<&Value> = Vec::new();
        if block["type"] == "input" {
            elements.push(&block["element"]);
        } else {
            elements.extend(block["elements"].as_array().into_iter().flatten());
            elements.push(&block["accessory"]);
        }
        for element in elements {
            let Some(action_id) = element["action_id"].as_str() else {
                continue;
            };
            if element["type"] == "button" || element["type"] == "overflow" {
                continue;
            }
            // Untouched, an element holds what the app put in it.
            let initial = initial_value(element);
            let value = given(values, block_id, action_id).or(initial.as_ref());
            let empty = value
                .is_none_or(|v| v.as_str() == Some("") || v.as_array().is_some_and(Vec::is_empty));
            if block["type"] == "input" && require && empty && block["optional"] != true {
                return Err(
                    bad("missing_required_input").detail(format!("block {block_id} needs a value"))
                );
            }
            if block["type"] != "input" && value.is_none() {
                continue;
            }
            let state = element_state(element, value)?;
            out.entry(block_id.to_owned())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("an object")
                .insert(action_id.to_owned(), state);
        }
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_untouched_input_submits_what_the_app_put_in_it() {
        let view = json!({"blocks": [
            {"type": "input", "block_id": "kind", "element": {"type": "static_select", "action_id": "kind",
                "initial_option": {"text": {"type": "plain_text", "text": "Bug"}, "value": "bug"},
                "options": [{"text": {"type": "plain_text", "text": "Bug"}, "value": "bug"},
                            {"text": {"type": "plain_text", "text": "Idea"}, "value": "idea"}]}},
            {"type": "input", "block_id": "details", "element": {"type": "plain_text_input",
                "action_id": "details", "initial_value": "as typed"}},
            {"type": "input", "block_id": "name", "optional": true,
                "element": {"type": "plain_text_input", "action_id": "name"}},
        ]});
        let untouched = fill_values(&view, &json!({}), true).unwrap();
        assert_eq!(untouched["kind"]["kind"]["selected_option"]["value"], "bug");
        assert_eq!(untouched["details"]["details"]["value"], "as typed");
        assert_eq!(untouched["name"]["name"]["value"], Value::Null);
        let changed = fill_values(&view, &json!({"kind": "idea", "details": "new"}), true).unwrap();
        assert_eq!(changed["kind"]["kind"]["selected_option"]["value"], "idea");
        assert_eq!(changed["details"]["details"]["value"], "new");
        // Emptied by the person, a required input cannot be submitted.
        assert!(fill_values(&view, &json!({"details": ""}), true).is_err());
    }

    #[test]
    fn an_optional_select_left_empty_is_no_choice() {
        let view = json!({"blocks": [
            {"type": "input", "block_id": "priority", "optional": true, "element": {"type": "static_select",
                "action_id": "priority", "options": [{"text": {"type": "plain_text", "text": "High"}, "value": "HIGH"}]}},
            {"type": "input", "block_id": "due", "optional": true,
                "element": {"type": "datepicker", "action_id": "due"}},
        ]});
        let values = fill_values(&view, &json!({"priority": "", "due": ""}), true).unwrap();
        assert_eq!(
            values["priority"]["priority"]["selected_option"],
            Value::Null
        );
        assert_eq!(values["due"]["due"]["selected_date"], Value::Null);
    }
}
