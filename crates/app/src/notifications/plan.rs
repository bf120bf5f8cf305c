//! Who hears about a change, and what they are told: pure functions from
//! what happened (records before and after a write, a comment) to the
//! [`Notice`]s it raises. Where each notice goes (hub, email, Slack) is
//! decided next, by the recipients' settings (`deliver`).
//!
//! The rules: nobody is told about what they did themselves; only active
//! users who may read the record's type are told; one person hears once per
//! topic and record from one change.

use hubbub_hub::mention::mentioned_users;
use hubbub_hub::pipeline::{stage_label, Pipeline};
use hubbub_hub::property::PropertyChanges;
use hubbub_hub::timestamp::{format_instant, parse_instant, Millis};
use hubbub_hub::{ObjectType, Record, RecordEvent, Topic};
use hubbub_store::User;

use hubbub_hub::{Notice, RecordRef};

/// The property naming a record's owner (a user id of the account).
pub const OWNER: &str = "hubspot_owner_id";
/// A task's due date; past it, undone, the task is overdue.
pub const TASK_DUE: &str = "hs_timestamp";
/// When a task's owner wants to be reminded.
pub const TASK_REMINDER: &str = "hs_task_reminders";
pub const TASK_STATUS: &str = "hs_task_status";
pub const TASK_COMPLETED: &str = "COMPLETED";

/// Who made the change.
#[derive(Debug, Clone, Copy)]
pub struct Doer<'a> {
    pub user_id: Option<i64>,
    /// As people read it: a name, "An API client".
    pub name: &'a str,
}

/// The people a change may concern and what naming it needs.
pub struct Audience<'a> {
    /// Active users who may read the changed records' type.
    pub readers: &'a [User],
    /// `(record id, user id)` of the changed records' followers.
    pub followers: &'a [(i64, i64)],
    /// The type's pipelines, to name stages.
    pub pipelines: &'a [Pipeline],
}

impl Audience<'_> {
    fn reader(&self, user_id: i64) -> bool {
        self.readers.iter().any(|u| u.id == user_id)
    }

    fn followers_of(&self, record_id: i64) -> impl Iterator<Item = i64> + '_ {
        self.followers
            .iter()
            .filter(move |(r, _)| *r == record_id)
            .map(|(_, u)| *u)
    }
}

/// Whether a change setting `changes` on a record of type `t` can tell
/// anyone anything (a new owner, a stage, a note's @mentions); any other
/// change matters only to notification rules.
pub fn may_concern_people(t: ObjectType, changes: &PropertyChanges) -> bool {
    let stage = t.pipeline_properties().map(|(_, s)| s);
    changes.iter().any(|(name, value)| match name.as_str() {
        OWNER => value.is_some(),
        "hs_note_body" => t == ObjectType::Note,
        other => Some(other) == stage,
    })
}

/// A record's owner, when it has one.
pub fn owner_of(record: &Record) -> Option<i64> {
    record.properties.get(OWNER).and_then(|v| v.parse().ok())
}

/// "the deal Big renewal"
fn the(record: &Record) -> String {
    format!(
        "the {} {}",
        record.object_type.label().to_lowercase(),
        record.title()
    )
}

/// Collects notices, one per person, topic and record.
struct Notices<'a> {
    doer: Doer<'a>,
    audience: &'a Audience<'a>,
    out: Vec<Notice>,
}

impl<'a> Notices<'a> {
    fn new(doer: Doer<'a>, audience: &'a Audience<'a>) -> Self {
        Notices {
            doer,
            audience,
            out: Vec::new(),
        }
    }

    fn tell(&mut self, user_id: i64, topic: Topic, about: &Record, headline: String, detail: &str) {
        let record = RecordRef::new(about.object_type, about.id);
        let duplicate = self
            .out
            .iter()
            .any(|n| n.user_id == user_id && n.topic == topic && n.record == Some(record));
        if self.doer.user_id == Some(user_id) || !self.audience.reader(user_id) || duplicate {
            return;
        }
        self.out.push(Notice {
            user_id,
            topic,
            headline,
            detail: detail.to_owned(),
            actor: Some(self.doer.name.to_owned()),
            link: about.path(),
            record: Some(record),
        });
    }
}

/// What a write of records tells people: assignments, stage changes of
/// deals and tickets (to their owners and followers), @mentions in notes
/// (about the record each note is on, from `note_subjects`).
pub fn record_notices(
    doer: Doer<'_>,
    audience: &Audience<'_>,
    events: &[RecordEvent<'_>],
    note_subject: impl Fn(i64) -> Option<Record>,
) -> Vec<Notice> {
    let mut notices = Notices::new(doer, audience);
    for event in events {
        let record = event.record();
        if event.changed(OWNER) {
            if let Some(owner) = owner_of(record) {
                let headline = format!("{} assigned you {}", doer.name, the(record));
                notices.tell(owner, Topic::Assigned, record, headline, "");
            }
        }
        let stage = record.object_type.pipeline_properties().map(|(_, s)| s);
        if let (Some(stage), RecordEvent::Changed { .. }) = (stage, event) {
            if event.changed(stage) {
                let from = stage_label(audience.pipelines, event.before(stage).unwrap_or_default());
                let to = stage_label(audience.pipelines, event.after(stage).unwrap_or_default());
                let headline = format!("{} moved {} from {from} to {to}", doer.name, the(record));
                for user in owner_of(record)
                    .into_iter()
                    .chain(audience.followers_of(record.id))
                {
                    notices.tell(user, Topic::StageChanged, record, headline.clone(), "");
                }
            }
        }
        if record.object_type == ObjectType::Note && event.changed("hs_note_body") {
            let body = event.after("hs_note_body").unwrap_or_default();
            let about = note_subject(record.id).unwrap_or_else(|| record.clone());
            let headline = format!("{} mentioned you in a note on {}", doer.name, the(&about));
            for user in mentioned(body, audience.readers) {
                notices.tell(user, Topic::Mention, &about, headline.clone(), body);
            }
        }
    }
    notices.out
}

/// The users `text` @mentions, among `users`.
fn mentioned(text: &str, users: &[User]) -> Vec<i64> {
    let handles: Vec<(i64, String)> = users.iter().map(|u| (u.id, u.email.clone())).collect();
    mentioned_users(text, &handles)
}

/// What a comment tells people: those it @mentions, then the record's
/// owner and followers.
pub fn comment_notices(
    doer: Doer<'_>,
    audience: &Audience<'_>,
    record: &Record,
    body: &str,
) -> Vec<Notice> {
    let mut notices = Notices::new(doer, audience);
    let mentioned = mentioned(body, audience.readers);
    let headline = format!("{} mentioned you on {}", doer.name, the(record));
    for user in &mentioned {
        notices.tell(*user, Topic::Mention, record, headline.clone(), body);
    }
    let headline = format!("{} commented on {}", doer.name, the(record));
    let watchers = owner_of(record)
        .into_iter()
        .chain(audience.followers_of(record.id));
    for user in watchers.filter(|u| !mentioned.contains(u)) {
        notices.tell(user, Topic::Comment, record, headline.clone(), body);
    }
    notices.out
}

/// A task's reminder or due date coming up, which a job waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskAlarm {
    pub task_id: i64,
    pub topic: Topic,
    pub at: Millis,
}

/// The alarms a write of tasks sets: a reminder at its time, the overdue
/// notice at its due date, whenever either changes to a time not yet
/// past. A job that finds the task changed since does nothing.
pub fn task_alarms(events: &[RecordEvent<'_>], now: Millis) -> Vec<TaskAlarm> {
    let mut out = Vec::new();
    for event in events
        .iter()
        .filter(|e| e.object_type() == ObjectType::Task)
    {
        for (property, topic) in [
            (TASK_REMINDER, Topic::TaskReminder),
            (TASK_DUE, Topic::TaskOverdue),
        ] {
            let at = event.after(property).and_then(parse_instant);
            if let Some(at) = at.filter(|at| *at > now && event.changed(property)) {
                out.push(TaskAlarm {
                    task_id: event.record().id,
                    topic,
                    at,
                });
            }
        }
    }
    out
}

/// What a task's alarm says, when it is still due: the task exists, is
/// not completed, still has the alarm's time, and has an owner to tell.
pub fn task_alarm_notice(task: &Record, alarm: TaskAlarm) -> Option<Notice> {
    let property = match alarm.topic {
        Topic::TaskReminder => TASK_REMINDER,
        _ => TASK_DUE,
    };
    let still = task.properties.get(property).and_then(|v| parse_instant(v)) == Some(alarm.at);
    let done = task.properties.get(TASK_STATUS).map(String::as_str) == Some(TASK_COMPLETED);
    let owner = owner_of(task)?;
    if !still || done || task.archived {
        return None;
    }
    let due = task
        .properties
        .get(TASK_DUE)
        .and_then(|v| parse_instant(v))
        .map(format_instant)
        .unwrap_or_default();
    let headline = match alarm.topic {
        Topic::TaskReminder if due.is_empty() => format!("Reminder: {}", the(task)),
        Topic::TaskReminder => format!("Reminder: {} is due {due}", the(task)),
        _ => format!("{} is overdue: it was due {due}", capitalised(&the(task))),
    };
    Some(Notice {
        user_id: owner,
        topic: alarm.topic,
        headline,
        detail: String::new(),
        actor: None,
        link: task.path(),
        record: Some(RecordRef::new(ObjectType::Task, task.id)),
    })
}

/// `text` with its first letter in upper case.
pub(crate) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hubbub_hub::auth::Roles;
    use std::collections::BTreeMap;

    fn user(id: i64, email: &str) -> User {
        User {
            id,
            account_id: 1,
            email: email.into(),
            first_name: String::new(),
            last_name: String::new(),
            roles: Roles::default(),
            archived: false,
            created_at: 0,
            updated_at: 0,
            team_ids: Vec::new(),
        }
    }

    fn record(t: ObjectType, id: i64, props: &[(&str, &str)]) -> Record {
        Record {
            id,
            object_type: t,
            properties: props
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            created_at: 0,
            updated_at: 0,
            archived: false,
            archived_at: None,
        }
    }

    fn users() -> Vec<User> {
        vec![
            user(1, "ada@x.test"),
            user(2, "bob@x.test"),
            user(3, "cy@x.test"),
        ]
    }

    const ADA: Doer<'static> = Doer {
        user_id: Some(1),
        name: "Ada",
    };

    #[test]
    fn assigning_tells_the_new_owner_but_not_oneself() {
        let readers = users();
        let audience = Audience {
            readers: &readers,
            followers: &[],
            pipelines: &[],
        };
        let deal = record(ObjectType::Deal, 9, &[("dealname", "Big"), (OWNER, "2")]);
        let n = record_notices(ADA, &audience, &[RecordEvent::Created(&deal)], |_| None);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].user_id, 2);
        assert_eq!(n[0].topic, Topic::Assigned);
        assert_eq!(n[0].headline, "Ada assigned you the deal Big");
        assert_eq!(n[0].link, "/deals/9");
        let mine = record(ObjectType::Deal, 9, &[(OWNER, "1")]);
        assert!(
            record_notices(ADA, &audience, &[RecordEvent::Created(&mine)], |_| None).is_empty()
        );
        let unchanged = RecordEvent::Changed {
            before: &deal,
            after: &deal,
        };
        assert!(record_notices(ADA, &audience, &[unchanged], |_| None).is_empty());
    }

    #[test]
    fn a_stage_change_tells_owner_and_followers_once_each() {
        let readers = users();
        let audience = Audience {
            readers: &readers,
            followers: &[(9, 3), (9, 2), (8, 1)],
            pipelines: &[],
        };
        let before = record(ObjectType::Deal, 9, &[("dealstage", "a"), (OWNER, "2")]);
        let after = record(ObjectType::Deal, 9, &[("dealstage", "b"), (OWNER, "2")]);
        let event = RecordEvent::Changed {
            before: &before,
            after: &after,
        };
        let n = record_notices(ADA, &audience, &[event], |_| None);
        let told: Vec<(i64, Topic)> = n.iter().map(|n| (n.user_id, n.topic)).collect();
        assert_eq!(told, [(2, Topic::StageChanged), (3, Topic::StageChanged)]);
        assert!(n[0].headline.contains("from a to b"), "{}", n[0].headline);
    }

    #[test]
    fn only_owners_stages_and_notes_can_concern_people() {
        let set =
            |name: &str, value: Option<&str>| vec![(name.to_owned(), value.map(str::to_owned))];
        assert!(may_concern_people(ObjectType::Deal, &set(OWNER, Some("2"))));
        assert!(!may_concern_people(ObjectType::Deal, &set(OWNER, None)));
        assert!(may_concern_people(
            ObjectType::Deal,
            &set("dealstage", Some("won"))
        ));
        assert!(!may_concern_people(
            ObjectType::Contact,
            &set("dealstage", Some("won"))
        ));
        assert!(may_concern_people(
            ObjectType::Note,
            &set("hs_note_body", Some("@ada"))
        ));
        assert!(!may_concern_people(
            ObjectType::Deal,
            &set("amount", Some("5"))
        ));
    }

    #[test]
    fn only_readers_are_told() {
        let readers = vec![user(1, "ada@x.test")];
        let audience = Audience {
            readers: &readers,
            followers: &[],
            pipelines: &[],
        };
        let deal = record(ObjectType::Deal, 9, &[(OWNER, "2")]);
        assert!(
            record_notices(ADA, &audience, &[RecordEvent::Created(&deal)], |_| None).is_empty()
        );
    }

    #[test]
    fn a_comment_tells_the_mentioned_then_the_watchers() {
        let readers = users();
        let audience = Audience {
            readers: &readers,
            followers: &[(9, 3)],
            pipelines: &[],
        };
        let deal = record(ObjectType::Deal, 9, &[(OWNER, "2")]);
        let n = comment_notices(ADA, &audience, &deal, "@bob look");
        let told: Vec<(i64, Topic)> = n.iter().map(|n| (n.user_id, n.topic)).collect();
        assert_eq!(told, [(2, Topic::Mention), (3, Topic::Comment)]);
        assert_eq!(n[0].detail, "@bob look");
    }

    #[test]
    fn task_alarms_wait_for_their_time_and_check_it_still_holds() {
        let due = "2030-01-02T10:00:00Z";
        let at = parse_instant(due).unwrap();
        let task = record(
            ObjectType::Task,
            4,
            &[
                (TASK_DUE, due),
                (TASK_REMINDER, due),
                (OWNER, "2"),
                ("hs_task_subject", "Call"),
            ],
        );
        let alarms = task_alarms(&[RecordEvent::Created(&task)], 0);
        assert_eq!(alarms.len(), 2);
        assert!(alarms.iter().all(|a| a.at == at && a.task_id == 4));
        assert!(task_alarms(&[RecordEvent::Created(&task)], at).is_empty());
        let notice = task_alarm_notice(&task, alarms[0]).unwrap();
        assert_eq!(notice.user_id, 2);
        assert!(notice
            .headline
            .starts_with("Reminder: the task Call is due"));
        let done = record(
            ObjectType::Task,
            4,
            &[
                (TASK_REMINDER, due),
                (OWNER, "2"),
                (TASK_STATUS, TASK_COMPLETED),
            ],
        );
        assert_eq!(task_alarm_notice(&done, alarms[0]), None);
        let moved = record(
            ObjectType::Task,
            4,
            &[(TASK_REMINDER, "2031-01-01"), (OWNER, "2")],
        );
        assert_eq!(task_alarm_notice(&moved, alarms[0]), None);
    }
}
