//! A record's history, written with each change on the record's timeline:
//! created, every property whose stored value changed (before and after),
//! archived; each with who did it and from where. A change whose caller
//! tells it in its own words (a Slack button's "Maria Member assigned the
//! deal to themselves via Slack") is told once, in those words.

use hubbub_hub::property::{PropertySet, Storage};
use hubbub_hub::Record;
use hubbub_store::{Consequences, Happened, NewActivity};

use crate::{Actor, Via};

/// Where a change was made, as the timeline keeps it.
pub fn via_code(via: Via) -> &'static str {
    match via {
        Via::Hub => "hub",
        Via::Slack => "slack",
        Via::Api => "api",
        Via::CommandLine => "command_line",
        Via::WebChat => "web_chat",
    }
}

/// [`via_code`] back, as people read it ("via Slack"); `None` for a code
/// this version does not know.
pub fn via_words(code: &str) -> Option<&'static str> {
    [
        Via::Hub,
        Via::Slack,
        Via::Api,
        Via::CommandLine,
        Via::WebChat,
    ]
    .into_iter()
    .find(|v| via_code(*v) == code)
    .map(Via::as_str)
}

fn line(actor: &Actor, object_id: i64, happened: Happened) -> NewActivity {
    NewActivity {
        object_id,
        user_id: actor.user_id(),
        via: via_code(actor.via()),
        happened,
    }
}

/// The records `also` already tells of in words.
fn told(also: &Consequences) -> Vec<i64> {
    also.activity.iter().map(|a| a.object_id).collect()
}

/// "Created" for each new record `also` does not tell of.
pub(crate) fn created(actor: &Actor, records: &[Record], also: &Consequences) -> Vec<NewActivity> {
    let told = told(also);
    records
        .iter()
        .filter(|r| !told.contains(&r.id))
        .map(|r| line(actor, r.id, Happened::Created))
        .collect()
}

/// A line per property whose stored value the change gave a new one
/// (empty counts as none), for each record `also` does not tell of.
pub(crate) fn changed(
    actor: &Actor,
    props: &PropertySet,
    pairs: &[(Record, Record)],
    also: &Consequences,
) -> Vec<NewActivity> {
    let told = told(also);
    let mut lines = Vec::new();
    for (before, after) in pairs.iter().filter(|(_, r)| !told.contains(&r.id)) {
        let value =
            |r: &Record, name: &str| r.properties.get(name).filter(|v| !v.is_empty()).cloned();
        let mut names: Vec<&String> = before
            .properties
            .keys()
            .chain(after.properties.keys())
            .collect();
        names.sort();
        names.dedup();
        for name in names {
            let stored = props.get(name).is_some_and(|d| d.storage == Storage::Value);
            let (was, is) = (value(before, name), value(after, name));
            if stored && was != is {
                let happened = Happened::Changed {
                    property: name.clone(),
                    before: was,
                    after: is,
                };
                lines.push(line(actor, after.id, happened));
            }
        }
    }
    lines
}

/// "Archived" for each record.
pub(crate) fn archived(actor: &Actor, ids: &[i64]) -> Consequences {
    Consequences {
        activity: ids
            .iter()
            .map(|id| line(actor, *id, Happened::Archived))
            .collect(),
        ..Consequences::default()
    }
}
