//! What a write of records or a comment causes, decided inside its
//! transaction from what it read beforehand: the notices of [`plan`], where
//! each goes ([`Recipients`]), and the jobs of task alarms.
//!
//! [`plan`]: super::plan

use hubbub_hub::pipeline::Pipeline;
use hubbub_hub::timestamp::Millis;
use hubbub_hub::{ObjectType, Record, RecordEvent};
use hubbub_store::{Consequences, User};

use super::deliver::Recipients;
use super::plan::{self, Audience, Doer};
use crate::jobs::Job;
use crate::rules::{rule_jobs, Rule};
use crate::{Actor, App, AppConfig, Result};

/// Who is concerned by changes to records of one type, read once before
/// the write.
pub(crate) struct ChangeContext {
    doer_id: Option<i64>,
    doer_name: String,
    recipients: Recipients,
    readers: Vec<User>,
    followers: Vec<(i64, i64)>,
    pipelines: Vec<Pipeline>,
    /// The account's active notification rules about the type.
    rules: Vec<Rule>,
}

impl App {
    /// Reads what deciding the notices of `actor`'s change to records
    /// `ids` (none yet for new ones) of type `t` needs.
    pub(crate) async fn change_context(
        &self,
        actor: &Actor,
        t: ObjectType,
        ids: &[i64],
        pipelines: Vec<Pipeline>,
    ) -> Result<ChangeContext> {
        let rules = self.active_rules(actor.account_id(), t).await?;
        self.change_context_with(actor, t, ids, pipelines, rules)
            .await
    }

    /// The context of a change to records `ids` (none yet for new ones),
    /// when it can concern anyone: through `concerns_people` (see
    /// `plan::may_concern_people`) or a rule about their type. Batches of
    /// plain changes skip the other reads.
    pub(crate) async fn records_context(
        &self,
        actor: &Actor,
        t: ObjectType,
        ids: &[i64],
        pipelines: Vec<Pipeline>,
        concerns_people: bool,
    ) -> Result<Option<ChangeContext>> {
        if quiet(actor) {
            return Ok(None);
        }
        let rules = self.active_rules(actor.account_id(), t).await?;
        if !concerns_people && rules.is_empty() {
            return Ok(None);
        }
        let context = self
            .change_context_with(actor, t, ids, pipelines, rules)
            .await?;
        Ok(Some(context))
    }

    async fn change_context_with(
        &self,
        actor: &Actor,
        t: ObjectType,
        ids: &[i64],
        pipelines: Vec<Pipeline>,
        rules: Vec<Rule>,
    ) -> Result<ChangeContext> {
        let account_id = actor.account_id();
        let recipients = self.recipients(account_id).await?;
        let (readers, rules) = match quiet(actor) {
            true => (Vec::new(), Vec::new()),
            false => (self.readers(&recipients.users, t), rules),
        };
        let followers = self.store().followers(account_id, ids).await?;
        Ok(ChangeContext {
            doer_id: actor.user_id(),
            doer_name: actor.name(),
            recipients,
            readers,
            followers,
            pipelines,
            rules,
        })
    }
}

/// The operator's loads at the command line (the demo's seed, an import)
/// did nothing to anybody: they tell nobody and fire no rule (task alarms
/// are still set).
fn quiet(actor: &Actor) -> bool {
    matches!(actor, Actor::Operator { .. })
}

impl ChangeContext {
    fn doer(&self) -> Doer<'_> {
        Doer {
            user_id: self.doer_id,
            name: &self.doer_name,
        }
    }

    fn audience(&self) -> Audience<'_> {
        Audience {
            readers: &self.readers,
            followers: &self.followers,
            pipelines: &self.pipelines,
        }
    }

    /// What `events` cause; a note's @mentions are about the record
    /// `note_subject` gives for it.
    pub fn record_consequences(
        &self,
        config: &AppConfig,
        events: &[RecordEvent<'_>],
        note_subject: impl Fn(i64) -> Option<Record>,
    ) -> Consequences {
        let notices = plan::record_notices(self.doer(), &self.audience(), events, note_subject);
        let mut out = self.recipients.consequences(config, notices);
        let rules = rule_jobs(&self.rules, events);
        out.jobs.extend(rules.iter().map(|job| job.to_new(None)));
        out
    }

    /// What a comment on `record` causes.
    pub fn comment_consequences(
        &self,
        config: &AppConfig,
        record: &Record,
        body: &str,
    ) -> Consequences {
        let notices = plan::comment_notices(self.doer(), &self.audience(), record, body);
        self.recipients.consequences(config, notices)
    }
}

/// The jobs that wait for the tasks' reminders and due dates `events` set.
pub(crate) fn alarm_jobs(events: &[RecordEvent<'_>], now: Millis) -> Consequences {
    let mut out = Consequences::default();
    for alarm in plan::task_alarms(events, now) {
        let job = Job::TaskAlarm {
            task_id: alarm.task_id,
            topic: alarm.topic,
            at: alarm.at,
        };
        out.jobs.push(job.to_new(Some(alarm.at)));
    }
    out
}
