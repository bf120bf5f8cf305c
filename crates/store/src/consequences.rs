//! What a change causes besides itself: in-app notifications, background
//! jobs, mail and timeline entries, written in the change's own transaction
//! so that they exist exactly when it does. The application layer decides
//! them (from the records before and after a write, see
//! `Store::create_records` and `Store::update_records`); the store only
//! writes them.

use hubbub_hub::timestamp::{now_millis, Millis};
use sqlx::AnyConnection;

use crate::mail::check_mail;
use crate::notifications::NewNotification;
use crate::outbox::QUEUED;
use crate::sql::{Arg, Statements};
use crate::{Backend, NewMail, StoreResult};

/// A background job to enqueue: its kind and JSON payload, due at
/// `run_at` (at once when `None`).
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: String,
    pub run_at: Option<Millis>,
}

/// A line on a record's timeline: who did what, from where (`hub`,
/// `slack`, `api`, …).
#[derive(Debug, Clone)]
pub struct NewActivity {
    pub object_id: i64,
    pub user_id: Option<i64>,
    pub via: &'static str,
    pub happened: Happened,
}

/// What a timeline line says happened to the record.
#[derive(Debug, Clone, PartialEq)]
pub enum Happened {
    /// In words ("Maria Member assigned the deal to themselves via Slack").
    Said(String),
    Created,
    Archived,
    /// A property's stored value changed (`None`: it had none, or has
    /// none now).
    Changed {
        property: String,
        before: Option<String>,
        after: Option<String>,
    },
}

impl Happened {
    /// `(kind, summary, property, old value, new value)` as stored.
    fn columns(
        self,
    ) -> (
        &'static str,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    ) {
        match self {
            Happened::Said(text) => ("said", text, None, None, None),
            Happened::Created => ("created", String::new(), None, None, None),
            Happened::Archived => ("archived", String::new(), None, None, None),
            Happened::Changed {
                property,
                before,
                after,
            } => ("changed", String::new(), Some(property), before, after),
        }
    }

    /// Read back from the stored columns; an unknown kind is read as text.
    pub(crate) fn from_columns(
        kind: Option<String>,
        summary: String,
        property: Option<String>,
        before: Option<String>,
        after: Option<String>,
    ) -> Happened {
        match (kind.as_deref(), property) {
            (Some("created"), _) => Happened::Created,
            (Some("archived"), _) => Happened::Archived,
            (Some("changed"), Some(property)) => Happened::Changed {
                property,
                before,
                after,
            },
            _ => Happened::Said(summary),
        }
    }
}

/// Everything one change causes, for one account.
#[derive(Debug, Clone, Default)]
pub struct Consequences {
    pub notifications: Vec<NewNotification>,
    pub jobs: Vec<NewJob>,
    pub mails: Vec<NewMail>,
    pub activity: Vec<NewActivity>,
}

impl Consequences {
    pub fn is_empty(&self) -> bool {
        self.notifications.is_empty()
            && self.jobs.is_empty()
            && self.mails.is_empty()
            && self.activity.is_empty()
    }

    pub fn extend(&mut self, other: Consequences) {
        self.notifications.extend(other.notifications);
        self.jobs.extend(other.jobs);
        self.mails.extend(other.mails);
        self.activity.extend(other.activity);
    }

    /// Adds the inserts to `batch`. A mail to an address that is not one
    /// refuses the whole change.
    pub(crate) fn insert_into(self, account_id: i64, batch: &mut Statements) -> StoreResult<()> {
        for mail in &self.mails {
            check_mail(mail)?;
        }
        let now = now_millis();
        let rows = |n: usize| Vec::with_capacity(n);
        let mut notifications: Vec<Vec<Arg>> = rows(self.notifications.len());
        for n in self.notifications {
            notifications.push(vec![
                account_id.into(),
                n.user_id.into(),
                n.topic.as_str().into(),
                n.title.into(),
                n.body.into(),
                n.link.into(),
                now.into(),
            ]);
        }
        let mut jobs: Vec<Vec<Arg>> = rows(self.jobs.len());
        for j in self.jobs {
            jobs.push(vec![
                account_id.into(),
                j.kind.into(),
                j.payload.into(),
                QUEUED.into(),
                0i64.into(),
                now.into(),
                j.run_at.unwrap_or(now).into(),
            ]);
        }
        let mut mails: Vec<Vec<Arg>> = rows(self.mails.len());
        for m in self.mails {
            mails.push(vec![
                account_id.into(),
                m.to_address.trim().to_owned().into(),
                m.subject.into(),
                m.text_body.into(),
                m.html_body.into(),
                QUEUED.into(),
                now.into(),
                0i64.into(),
                now.into(),
            ]);
        }
        let mut activity: Vec<Vec<Arg>> = rows(self.activity.len());
        for a in self.activity {
            let (kind, summary, property, before, after) = a.happened.columns();
            activity.push(vec![
                account_id.into(),
                a.object_id.into(),
                a.user_id.into(),
                a.via.into(),
                kind.into(),
                summary.into(),
                property.into(),
                before.into(),
                after.into(),
                now.into(),
            ]);
        }
        let inserts = [
            (
                "INSERT INTO notifications (account_id, user_id, topic, title, body, link, created_at)",
                notifications,
            ),
            (
                "INSERT INTO jobs (account_id, kind, payload, status, attempts, created_at, run_at)",
                jobs,
            ),
            (
                "INSERT INTO mail_outbox (account_id, to_address, subject, text_body, html_body, \
                 status, created_at, attempts, next_attempt_at)",
                mails,
            ),
            (
                "INSERT INTO record_activity (account_id, object_id, user_id, via, kind, summary, \
                 property, old_value, new_value, created_at)",
                activity,
            ),
        ];
        for (head, rows) in inserts {
            if !rows.is_empty() {
                batch.insert(head, rows);
            }
        }
        Ok(())
    }

    /// Writes them on `conn`, inside the caller's transaction.
    pub async fn write_on(
        self,
        conn: &mut AnyConnection,
        backend: Backend,
        account_id: i64,
    ) -> StoreResult<()> {
        if self.is_empty() {
            return Ok(());
        }
        let mut batch = Statements::new(backend);
        self.insert_into(account_id, &mut batch)?;
        batch.run(conn).await?;
        Ok(())
    }
}
