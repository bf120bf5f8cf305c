//! How records read on a page: titles, human-readable values (option and
//! stage labels, owner names, dates), and the names pages use for a type.

use hubbub_hub::pipeline::Pipeline;
use hubbub_hub::property::{PropertyDef, PropertyType};
use hubbub_hub::timestamp::{parse_instant, Millis};
use hubbub_hub::{ObjectType, Record};
use hubbub_store::{StoreResult, User};
use time::macros::format_description;
use time::OffsetDateTime;

use crate::ui::page::user_name;
use crate::AppState;

/// The record types that have their own pages (notes live in timelines).
pub const PAGE_TYPES: [ObjectType; 5] = [
    ObjectType::Contact,
    ObjectType::Company,
    ObjectType::Deal,
    ObjectType::Ticket,
    ObjectType::Task,
];

/// A type as pages name it.
#[derive(Debug, Clone)]
pub struct KindView {
    /// `contacts`: the path segment and navigation section.
    pub path: &'static str,
    /// `Contact`
    pub one: &'static str,
    /// `Contacts`
    pub many: &'static str,
    /// `contact`, for sentences.
    pub lower: &'static str,
}

impl KindView {
    pub fn of(t: ObjectType) -> KindView {
        let (one, many) = labels(t);
        KindView {
            path: t.as_str(),
            one,
            many,
            lower: t.singular(),
        }
    }
}

pub fn labels(t: ObjectType) -> (&'static str, &'static str) {
    match t {
        ObjectType::Contact => ("Contact", "Contacts"),
        ObjectType::Company => ("Company", "Companies"),
        ObjectType::Deal => ("Deal", "Deals"),
        ObjectType::Ticket => ("Ticket", "Tickets"),
        ObjectType::Task => ("Task", "Tasks"),
        ObjectType::Note => ("Note", "Notes"),
    }
}

/// The property that names a record of the type, and its column heading.
pub fn title_column(t: ObjectType) -> &'static str {
    match t {
        ObjectType::Contact | ObjectType::Company => "Name",
        ObjectType::Deal => "Deal name",
        ObjectType::Ticket => "Ticket name",
        ObjectType::Task => "Task title",
        ObjectType::Note => "Note",
    }
}

/// The columns an index shows after the record's name.
pub fn index_columns(t: ObjectType) -> &'static [&'static str] {
    match t {
        ObjectType::Contact => &["email", "company", "phone", "lifecyclestage"],
        ObjectType::Company => &["domain", "industry", "city", "phone"],
        ObjectType::Deal => &["amount", "dealstage", "closedate", "hubspot_owner_id"],
        ObjectType::Ticket => &[
            "hs_pipeline_stage",
            "hs_ticket_priority",
            "hubspot_owner_id",
            "createdate",
        ],
        ObjectType::Task => &[
            "hs_timestamp",
            "hs_task_status",
            "hs_task_priority",
            "hubspot_owner_id",
        ],
        ObjectType::Note => &["hs_timestamp"],
    }
}

fn prop<'a>(r: &'a Record, name: &str) -> Option<&'a str> {
    r.properties
        .get(name)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
}

/// What a record is called on a page.
pub fn record_title(r: &Record) -> String {
    let named = match r.object_type {
        ObjectType::Contact => {
            let name = [prop(r, "firstname"), prop(r, "lastname")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            Some(name)
                .filter(|n| !n.is_empty())
                .or_else(|| prop(r, "email").map(str::to_owned))
        }
        ObjectType::Company => prop(r, "name")
            .or_else(|| prop(r, "domain"))
            .map(str::to_owned),
        ObjectType::Deal => prop(r, "dealname").map(str::to_owned),
        ObjectType::Ticket => prop(r, "subject").map(str::to_owned),
        ObjectType::Task => prop(r, "hs_task_subject").map(str::to_owned),
        ObjectType::Note => prop(r, "hs_note_body").map(|b| shorten(b, 60)),
    };
    named.unwrap_or_else(|| format!("{} #{}", labels(r.object_type).0, r.id))
}

fn shorten(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() <= max && line.len() == text.len() {
        return line.to_owned();
    }
    let cut: String = line.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}

/// The page of a record.
pub fn record_path(t: ObjectType, id: i64) -> String {
    format!("/{}/{id}", t.as_str())
}

/// `1 May 2024, 14:30 UTC`
pub fn format_instant(ms: Millis) -> String {
    let Some(t) = instant(ms) else {
        return String::new();
    };
    let fmt =
        format_description!("[day padding:none] [month repr:short] [year], [hour]:[minute] UTC");
    t.format(&fmt).unwrap_or_default()
}

/// `1 May 2024`
pub fn format_day(ms: Millis) -> String {
    let Some(t) = instant(ms) else {
        return String::new();
    };
    let fmt = format_description!("[day padding:none] [month repr:short] [year]");
    t.format(&fmt).unwrap_or_default()
}

fn instant(ms: Millis) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
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
    pub async fn load(state: &AppState, account_id: i64, t: ObjectType) -> StoreResult<Lookups> {
        let pipelines = if t.pipeline_properties().is_some() {
            state.store.pipelines(account_id, t).await?
        } else {
            Vec::new()
        };
        let users = state.store.users(account_id).await?;
        Ok(Lookups { pipelines, users })
    }

    pub fn user(&self, id: i64) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// A record's value of `def` as people read it; empty when unset.
    pub fn display(&self, def: &PropertyDef, r: &Record) -> String {
        let Some(raw) = r.value(&def.name).filter(|v| !v.is_empty()) else {
            return String::new();
        };
        if let Some((pipeline_prop, stage_prop)) = r.object_type.pipeline_properties() {
            if def.name == pipeline_prop {
                return self
                    .pipelines
                    .iter()
                    .find(|p| p.id == raw)
                    .map(|p| p.label.clone())
                    .unwrap_or(raw);
            }
            if def.name == stage_prop {
                let in_pipeline = r.properties.get(pipeline_prop);
                return self
                    .pipelines
                    .iter()
                    .filter(|p| in_pipeline.is_none_or(|id| &p.id == id))
                    .flat_map(|p| p.stages.iter())
                    .find(|s| s.id == raw)
                    .map(|s| s.label.clone())
                    .unwrap_or(raw);
            }
        }
        if def.name == "hubspot_owner_id" {
            return raw
                .parse()
                .ok()
                .and_then(|id| self.user(id))
                .map(user_name)
                .unwrap_or(raw);
        }
        display_value(def, &raw)
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

    #[test]
    fn instants_read_as_dates() {
        assert_eq!(format_day(1_714_521_600_000), "1 May 2024");
        assert_eq!(format_instant(1_714_564_800_000), "1 May 2024, 12:00 UTC");
    }
}
