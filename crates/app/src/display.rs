//! Stored values as people read them (option and stage labels, owner
//! names, grouped numbers, dates): what pages, mail and Slack messages
//! show.

use hubbub_hub::pipeline::Pipeline;
use hubbub_hub::property::{is_day, PropertyDef, PropertyType};
use hubbub_hub::timestamp::{format_day, format_instant, parse_instant};
use hubbub_hub::{ObjectType, Record};
use hubbub_store::User;

use crate::{App, Result};

impl App {
    /// What turning the account's values of type `t` into words needs.
    pub async fn lookups(&self, account_id: i64, t: ObjectType) -> Result<Lookups> {
        let pipelines = if t.pipeline_properties().is_some() {
            self.store().pipelines(account_id, t).await?
        } else {
            Vec::new()
        };
        let users = self.store().users(account_id).await?;
        Ok(Lookups { pipelines, users })
    }
}

/// `12500.5` as `12,500.5`; anything that is not a plain number as it is.
pub fn format_number(raw: &str) -> String {
    let raw = raw.trim();
    let (sign, digits) = match raw.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", raw),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit());
    if !plain {
        return raw.to_owned();
    }
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// What a page needs to turn stored values into words: the type's
/// pipelines (stage labels) and the account's users (owner names).
pub struct Lookups {
    pub pipelines: Vec<Pipeline>,
    pub users: Vec<User>,
}

impl Lookups {
    pub fn user(&self, id: i64) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// A record's value of `def` as people read it; empty when unset.
    pub fn display(&self, def: &PropertyDef, r: &Record) -> String {
        match r.value(&def.name).filter(|v| !v.is_empty()) {
            Some(raw) => self.display_in(def, r, &raw),
            None => String::new(),
        }
    }

    /// `raw`, a value of `def` on record `r` (now or before a change), as
    /// people read it: a stage is looked up in the record's pipeline.
    pub fn display_in(&self, def: &PropertyDef, r: &Record, raw: &str) -> String {
        let pipeline = r
            .object_type
            .pipeline_properties()
            .and_then(|(pipeline, _)| r.properties.get(pipeline));
        self.display_stored(def, r.object_type, raw, pipeline.map(String::as_str))
    }

    /// A stored value of `def` (a property of type `t`) as people read it:
    /// a stage looked up in `pipeline` when it is known, else in any; an
    /// owner by name.
    fn display_stored(
        &self,
        def: &PropertyDef,
        t: ObjectType,
        raw: &str,
        pipeline: Option<&str>,
    ) -> String {
        if let Some((pipeline_prop, stage_prop)) = t.pipeline_properties() {
            if def.name == pipeline_prop {
                return self
                    .pipelines
                    .iter()
                    .find(|p| p.id == raw)
                    .map_or_else(|| raw.to_owned(), |p| p.label.clone());
            }
            if def.name == stage_prop {
                return self
                    .pipelines
                    .iter()
                    .filter(|p| pipeline.is_none_or(|id| p.id == id))
                    .flat_map(|p| p.stages.iter())
                    .find(|s| s.id == raw)
                    .map_or_else(|| raw.to_owned(), |s| s.label.clone());
            }
        }
        if def.name == "hubspot_owner_id" {
            return raw
                .parse()
                .ok()
                .and_then(|id| self.user(id))
                .map_or_else(|| raw.to_owned(), User::display_name);
        }
        if def.ptype == PropertyType::Datetime && is_day(t, &def.name) {
            if let Some(ms) = parse_instant(raw) {
                return format_day(ms);
            }
        }
        display_value(def, raw)
    }
}

/// A stored value of `def` as people read it, without lookups.
pub fn display_value(def: &PropertyDef, raw: &str) -> String {
    match def.ptype {
        PropertyType::Enumeration => raw
            .split(';')
            .map(|v| {
                def.options
                    .iter()
                    .find(|o| o.value == v)
                    .map(|o| o.label.as_str())
                    .unwrap_or(v)
            })
            .collect::<Vec<_>>()
            .join(", "),
        PropertyType::Bool => match raw {
            "true" => "Yes".to_owned(),
            "false" => "No".to_owned(),
            other => other.to_owned(),
        },
        PropertyType::Number => format_number(raw),
        PropertyType::Date => parse_instant(raw)
            .map(format_day)
            .unwrap_or_else(|| raw.to_owned()),
        PropertyType::Datetime => match parse_instant(raw) {
            Some(ms) if ms % 86_400_000 == 0 => format_day(ms),
            Some(ms) => format_instant(ms),
            None => raw.to_owned(),
        },
        PropertyType::String => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(format_number("12500"), "12,500");
        assert_eq!(format_number("1500.50"), "1,500.50");
        assert_eq!(format_number("-999"), "-999");
        assert_eq!(format_number("1e5"), "1e5");
    }
}
