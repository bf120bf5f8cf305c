//! Background work: one [`Job`] variant per kind, with its payload,
//! enqueued in the transaction of the change that causes it
//! ([`Job::enqueue_on`]) and run by the one [`Worker`], which also
//! delivers mail.
//!
//! A job is stored as its kind (the serde tag) and its payload (JSON), and
//! decoded once, when the worker claims it; a payload that does not decode
//! parks the job with the reason, since retrying cannot help.

mod worker;

pub(crate) use worker::JobError;
pub use worker::{Pass, Worker, SEEN_EVENT_RETENTION_MS};

use hubbub_hub::timestamp::Millis;
use hubbub_hub::Topic;
use hubbub_slack::SlackMessageContent;
use hubbub_store::{
    enqueue_job, enqueue_job_at, enqueue_job_unless_queued, AnyConnection, NewJob, StoreResult,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::notifications::plan::TaskAlarm;
use crate::slack::cards::CardRedraw;
use crate::slack::previews::LinkPreviews;
use crate::{Actor, App, Permission, Result};
use hubbub_hub::{Notice, RecordRef};

/// A kind of background work and what it needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum Job {
    /// Find hub users' Slack accounts by email (`users.lookupByEmail`):
    /// the listed users, or every active user when `None`.
    #[serde(rename = "slack.map_users")]
    MapSlackUsers {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user_ids: Option<Vec<i64>>,
    },
    /// Send a Slack user a mapping request's direct message.
    #[serde(rename = "slack.send_mapping_request")]
    SendMappingRequest { request_id: i64 },
    /// Answer a button press through its `response_url`: replace the
    /// message, or show `content` only to the person who pressed.
    #[serde(rename = "slack.respond")]
    RespondInSlack {
        response_url: String,
        content: Box<SlackMessageContent>,
        replace_original: bool,
    },
    /// Draw a notification's direct message again through a button
    /// press's `response_url` (`channel` and `ts` name the message), the
    /// record as it stands when the job runs, with `outcome`: what the
    /// press did.
    #[serde(rename = "notifications.slack_redraw")]
    RedrawNotice {
        response_url: String,
        channel: String,
        ts: String,
        outcome: String,
    },
    /// Draw a record card's message again through a press's
    /// `response_url`, as the record stands when the job runs and as the
    /// hub user who pressed may see it, with what the press did.
    #[serde(rename = "slack.redraw_cards")]
    RedrawCards(CardRedraw),
    /// Send one person a notification as a direct message from the app.
    #[serde(rename = "notifications.slack")]
    NotifyInSlack { notice: Notice },
    /// A task's reminder or due date, run at that time: tells the task's
    /// owner if it still holds.
    #[serde(rename = "notifications.task_alarm")]
    TaskAlarm {
        task_id: i64,
        #[serde(with = "alarm_topic")]
        topic: Topic,
        at: Millis,
    },
    /// Post a notification rule's message about a record it fired for.
    #[serde(rename = "rules.deliver")]
    DeliverRule { rule_id: i64, record: RecordRef },
    /// Bring a conversation's Slack thread up to date: its root message
    /// (posted once, then redrawn with the conversation's status), the
    /// messages not yet in the thread, in order, and the reactions that
    /// show how far each answer got to the visitor.
    #[serde(rename = "conversations.sync_thread")]
    SyncThread { conversation_id: i64 },
    /// Mail an agent's answer to a visitor whose widget did not pick it up.
    #[serde(rename = "conversations.mail_visitor")]
    MailVisitor {
        conversation_id: i64,
        message_id: i64,
    },
    /// Show one Slack user `content` only they see, in a channel (in a
    /// thread when `thread_ts` is set): why the reply they wrote there
    /// was not sent.
    #[serde(rename = "slack.ephemeral")]
    Ephemeral {
        channel: String,
        user: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thread_ts: Option<String>,
        content: Box<SlackMessageContent>,
    },
    /// Preview the links to hub records a person posted in Slack
    /// (`chat.unfurl`), as the account's preview level says and as that
    /// person may see the records.
    #[serde(rename = "slack.unfurl")]
    UnfurlLinks(LinkPreviews),
}

/// A task alarm's topic: a reminder or the overdue notice.
mod alarm_topic {
    use hubbub_hub::Topic;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Topic, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(t.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Topic, D::Error> {
        let name = String::deserialize(d)?;
        match Topic::parse(&name) {
            Some(t @ (Topic::TaskReminder | Topic::TaskOverdue)) => Ok(t),
            _ => Err(D::Error::custom(format!("not a task alarm: {name}"))),
        }
    }
}

/// Every kind's name as stored (the serde tags above).
const KINDS: [&str; 12] = [
    "slack.map_users",
    "slack.send_mapping_request",
    "slack.respond",
    "notifications.slack_redraw",
    "slack.redraw_cards",
    "notifications.slack",
    "notifications.task_alarm",
    "rules.deliver",
    "conversations.sync_thread",
    "conversations.mail_visitor",
    "slack.ephemeral",
    "slack.unfurl",
];

/// Why a stored job cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum Undecodable {
    /// Written by another version of the hub, perhaps.
    #[error("unknown job kind {0}")]
    UnknownKind(String),
    #[error("bad job payload for {kind}: {reason}")]
    BadPayload { kind: String, reason: String },
}

impl Job {
    /// What the job does, as super admins read it.
    pub fn describe(&self) -> String {
        match self {
            Job::MapSlackUsers { .. } => "Find hub users' Slack accounts by email".to_owned(),
            Job::SendMappingRequest { .. } => "Send a Slack user a mapping request".to_owned(),
            Job::RespondInSlack { .. } => "Answer a button press in Slack".to_owned(),
            Job::RedrawNotice { .. } | Job::RedrawCards(_) => {
                "Show in Slack what a button press did".to_owned()
            }
            Job::NotifyInSlack { notice } => {
                format!("Send a notification in Slack: {}", notice.headline)
            }
            Job::TaskAlarm { .. } => "Tell a task's owner it is due".to_owned(),
            Job::DeliverRule { .. } => "Post a notification rule's message".to_owned(),
            Job::SyncThread { conversation_id } => {
                format!("Bring conversation {conversation_id}'s Slack thread up to date")
            }
            Job::MailVisitor {
                conversation_id, ..
            } => format!("Mail an answer to conversation {conversation_id}'s visitor"),
            Job::Ephemeral { .. } => "Tell a Slack user why their reply was not sent".to_owned(),
            Job::UnfurlLinks(_) => "Preview links to hub records posted in Slack".to_owned(),
        }
    }

    /// Enqueues the job on `conn`, inside the caller's transaction: it
    /// runs exactly when that transaction commits.
    pub async fn enqueue_on(&self, conn: &mut AnyConnection, account_id: i64) -> StoreResult<i64> {
        let (kind, payload) = self.encode();
        enqueue_job(conn, account_id, &kind, &payload.to_string()).await
    }

    /// [`Job::enqueue_on`], unless the same job is queued and not yet
    /// claimed (a job that reads what it works on when it runs).
    pub async fn enqueue_unless_queued_on(
        &self,
        conn: &mut AnyConnection,
        account_id: i64,
    ) -> StoreResult<bool> {
        let (kind, payload) = self.encode();
        enqueue_job_unless_queued(conn, account_id, &kind, &payload.to_string()).await
    }

    /// [`Job::enqueue_on`], due at `run_at`.
    pub async fn enqueue_at_on(
        &self,
        conn: &mut AnyConnection,
        account_id: i64,
        run_at: Millis,
    ) -> StoreResult<i64> {
        let (kind, payload) = self.encode();
        enqueue_job_at(conn, account_id, &kind, &payload.to_string(), run_at).await
    }

    /// The job as a change's consequence, due at `run_at` (at once when
    /// `None`): written in the change's transaction.
    pub fn to_new(&self, run_at: Option<Millis>) -> NewJob {
        let (kind, payload) = self.encode();
        NewJob {
            kind,
            payload: payload.to_string(),
            run_at,
        }
    }

    /// The kind and payload as stored.
    fn encode(&self) -> (String, Value) {
        let tagged = serde_json::to_value(self).expect("a job serialises to JSON");
        let kind = tagged["kind"].as_str().unwrap_or_default().to_owned();
        let payload = tagged.get("payload").cloned().unwrap_or(Value::Null);
        (kind, payload)
    }

    /// Reads a stored job back.
    pub fn decode(kind: &str, payload: &str) -> Result<Job, Undecodable> {
        if !KINDS.contains(&kind) {
            return Err(Undecodable::UnknownKind(kind.to_owned()));
        }
        let undecodable = |reason: String| Undecodable::BadPayload {
            kind: kind.to_owned(),
            reason,
        };
        let payload: Value =
            serde_json::from_str(payload).map_err(|e| undecodable(e.to_string()))?;
        serde_json::from_value(serde_json::json!({ "kind": kind, "payload": payload }))
            .map_err(|e| undecodable(e.to_string()))
    }
}

/// A job that gave up, as super admins see it.
pub struct ParkedJob {
    pub id: i64,
    /// What it does ([`Job::describe`]).
    pub what: String,
    pub attempts: i64,
    pub error: String,
}

impl App {
    /// The account's background work that gave up, newest first: for the
    /// super admins, who may retry it; nobody else sees any.
    pub async fn parked_jobs(&self, actor: &Actor, limit: i64) -> Result<Vec<ParkedJob>> {
        if !self.may(actor, Permission::RetryJobs) {
            return Ok(Vec::new());
        }
        let parked = self.store().parked_jobs(actor.account_id(), limit).await?;
        Ok(parked
            .into_iter()
            .map(|j| ParkedJob {
                id: j.id,
                what: Job::decode(&j.kind, &j.payload).map_or_else(
                    |_| "Unknown background work".to_owned(),
                    |job| job.describe(),
                ),
                attempts: j.attempts,
                error: j.last_error.unwrap_or_default(),
            })
            .collect())
    }

    /// Puts parked background work back in the queue, due at once.
    pub async fn retry_job(&self, actor: &Actor, id: i64) -> Result<()> {
        self.authorize(actor, Permission::RetryJobs).await?;
        self.store().retry_job(actor.account_id(), id).await?;
        self.wake_worker();
        Ok(())
    }

    /// Runs one decoded job for `account_id`.
    pub(crate) async fn run_job(&self, account_id: i64, job: Job) -> Result<(), JobError> {
        match job {
            Job::MapSlackUsers { user_ids } => {
                self.map_slack_users(account_id, user_ids.as_deref()).await
            }
            Job::SendMappingRequest { request_id } => {
                self.send_mapping_request(account_id, request_id).await
            }
            Job::RespondInSlack {
                response_url,
                content,
                replace_original,
            } => {
                self.respond_in_slack(&response_url, *content, replace_original)
                    .await
            }
            Job::RedrawNotice {
                response_url,
                channel,
                ts,
                outcome,
            } => {
                self.redraw_notice(account_id, &response_url, (&channel, &ts), &outcome)
                    .await
            }
            Job::RedrawCards(redraw) => self.redraw_cards(account_id, &redraw).await,
            Job::NotifyInSlack { notice } => self.notify_in_slack(account_id, notice).await,
            Job::TaskAlarm { task_id, topic, at } => {
                self.sound_task_alarm(account_id, TaskAlarm { task_id, topic, at })
                    .await
            }
            Job::DeliverRule { rule_id, record } => {
                self.deliver_rule(account_id, rule_id, record).await
            }
            Job::SyncThread { conversation_id } => {
                self.sync_thread(account_id, conversation_id).await
            }
            Job::MailVisitor {
                conversation_id,
                message_id,
            } => {
                self.mail_visitor(account_id, conversation_id, message_id)
                    .await
            }
            Job::Ephemeral {
                channel,
                user,
                thread_ts,
                content,
            } => {
                self.post_ephemeral(account_id, &channel, &user, thread_ts.as_deref(), *content)
                    .await
            }
            Job::UnfurlLinks(links) => self.unfurl_links(account_id, &links).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slack::cards::CardPlace;

    #[test]
    fn every_kind_is_listed() {
        let jobs = [
            Job::MapSlackUsers { user_ids: None },
            Job::SendMappingRequest { request_id: 1 },
            Job::RespondInSlack {
                response_url: "https://hooks.slack.com/actions/T1/1/x".into(),
                content: Box::new(hubbub_slack::SlackMessageContent::new()),
                replace_original: false,
            },
            Job::RedrawNotice {
                response_url: "https://hooks.slack.com/actions/T1/1/x".into(),
                channel: "D1".into(),
                ts: "1.2".into(),
                outcome: "Ada completed the task".into(),
            },
            Job::RedrawCards(CardRedraw {
                response_url: "https://hooks.slack.com/actions/T1/1/x".into(),
                user_id: 1,
                place: CardPlace::Search {
                    query: "ada".into(),
                },
                record: RecordRef::new(hubbub_hub::ObjectType::Deal, 2),
                outcome: "Ada moved the deal to Won".into(),
                replace_original: true,
            }),
            Job::NotifyInSlack {
                notice: Notice {
                    user_id: 1,
                    topic: Topic::Mention,
                    headline: "Ada mentioned you".into(),
                    detail: String::new(),
                    actor: None,
                    link: "/deals/1".into(),
                    record: None,
                },
            },
            Job::TaskAlarm {
                task_id: 1,
                topic: Topic::TaskReminder,
                at: 5,
            },
            Job::DeliverRule {
                rule_id: 1,
                record: RecordRef::new(hubbub_hub::ObjectType::Deal, 2),
            },
            Job::SyncThread { conversation_id: 1 },
            Job::MailVisitor {
                conversation_id: 1,
                message_id: 2,
            },
            Job::Ephemeral {
                channel: "C1".into(),
                user: "U1".into(),
                thread_ts: Some("1.2".into()),
                content: Box::new(hubbub_slack::SlackMessageContent::new()),
            },
            Job::UnfurlLinks(LinkPreviews {
                team_id: "T1".into(),
                channel: "C1".into(),
                ts: "1.2".into(),
                sharer: "U1".into(),
                links: Vec::new(),
            }),
        ];
        let kinds: Vec<String> = jobs.iter().map(|j| j.encode().0).collect();
        assert_eq!(kinds, KINDS);
    }

    #[test]
    fn jobs_read_back_as_they_were_written() {
        let jobs = [
            Job::MapSlackUsers { user_ids: None },
            Job::MapSlackUsers {
                user_ids: Some(vec![3, 4]),
            },
            Job::SendMappingRequest { request_id: 9 },
            Job::TaskAlarm {
                task_id: 4,
                topic: Topic::TaskOverdue,
                at: 99,
            },
            Job::DeliverRule {
                rule_id: 3,
                record: RecordRef::new(hubbub_hub::ObjectType::Ticket, 8),
            },
        ];
        for job in jobs {
            let (kind, payload) = job.encode();
            let back = Job::decode(&kind, &payload.to_string()).unwrap();
            assert_eq!(back.encode(), (kind, payload));
        }
    }

    #[test]
    fn jobs_written_before_the_enum_still_read() {
        assert!(matches!(
            Job::decode("slack.map_users", "{}"),
            Ok(Job::MapSlackUsers { user_ids: None })
        ));
        assert!(matches!(
            Job::decode("slack.send_mapping_request", r#"{"request_id": 5}"#),
            Ok(Job::SendMappingRequest { request_id: 5 })
        ));
    }

    #[test]
    fn a_corrupt_payload_is_refused_with_the_reason() {
        let e = Job::decode("slack.send_mapping_request", r#"{"request": 5}"#).unwrap_err();
        assert!(e.to_string().contains("request_id"), "{e}");
        assert!(Job::decode("slack.send_mapping_request", "not json").is_err());
        let e = Job::decode("no.such.kind", "{}").unwrap_err();
        assert_eq!(e.to_string(), "unknown job kind no.such.kind");
    }
}
