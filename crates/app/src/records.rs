//! Records: creating, changing and archiving them (from the API, the web
//! forms and, soon, Slack, through the same checks), linking them, and
//! what people do to them besides editing: comment (with @mentions, which
//! notify the mentioned users) and add notes.
//!
//! [`App::records`] opens the records of one type for one actor: it checks
//! the actor may read or change them and loads the type's properties once;
//! the front-end then creates, updates or archives through it, and reads
//! the properties to present what it got back.

use hubbub_hub::association::{default_type, AssociationType};
use hubbub_hub::auth::Access;
use hubbub_hub::pipeline::Pipeline;
use hubbub_hub::property::{PropertyChanges, PropertyDef, PropertySet};
use hubbub_hub::search::SearchPlan;
use hubbub_hub::timestamp::to_iso;
use hubbub_hub::{record, HubError, ObjectType, Record, RecordEvent};
use hubbub_store::{Comment, Consequences, RecordUpdate};
use serde_json::{Map, Value};

use crate::notifications::plan::{may_concern_people, OWNER};
use crate::notifications::{alarm_jobs, ChangeContext};
use crate::{history, Actor, App, Permission, Result};

/// A record to create: its properties as given, and the existing records
/// to link it to.
#[derive(Debug, Clone, Default)]
pub struct RecordInput {
    pub properties: Map<String, Value>,
    pub links: Vec<Link>,
}

/// A link to an existing record, through these association types.
#[derive(Debug, Clone)]
pub struct Link {
    pub to: (ObjectType, i64),
    pub type_ids: Vec<i64>,
}

/// A record as an update left it, and the properties the update set
/// (after the hub's rules: a stage may bring its pipeline).
#[derive(Debug, Clone)]
pub struct Updated {
    pub record: Record,
    pub changed: Vec<String>,
}

/// The records of one type, opened for one actor.
pub struct Records<'a> {
    app: &'a App,
    actor: &'a Actor,
    object_type: ObjectType,
    props: PropertySet,
}

impl App {
    /// The records of type `t`, for `actor` to read (`Access::Read`) or
    /// also change (`Access::Write`).
    pub async fn records<'a>(
        &'a self,
        actor: &'a Actor,
        t: ObjectType,
        access: Access,
    ) -> Result<Records<'a>> {
        self.authorize(actor, Permission::Records(t, access))
            .await?;
        let props = self.store().property_set(actor.account_id(), t).await?;
        Ok(Records {
            app: self,
            actor,
            object_type: t,
            props,
        })
    }

    /// Links two records with association types (both ends visible from
    /// either side).
    pub async fn associate(
        &self,
        actor: &Actor,
        from: (ObjectType, i64),
        to: (ObjectType, i64),
        type_ids: &[i64],
    ) -> Result<()> {
        self.authorize_link(actor, from.0, to.0).await?;
        Ok(self
            .store()
            .associate(actor.account_id(), from, to, type_ids)
            .await?)
    }

    /// Links two records with the default association of their types
    /// (the v4 API's `associations/default`), and returns it; two types
    /// with none cannot be linked.
    pub async fn associate_default(
        &self,
        actor: &Actor,
        from: (ObjectType, i64),
        to: (ObjectType, i64),
    ) -> Result<AssociationType> {
        let forward = default_type(from.0, to.0).ok_or_else(|| {
            HubError::invalid(format!("{} and {} cannot be associated", from.0, to.0))
        })?;
        self.associate(actor, from, to, &[forward.type_id]).await?;
        Ok(forward)
    }

    /// Unlinks two records.
    pub async fn dissociate(
        &self,
        actor: &Actor,
        from: (ObjectType, i64),
        to: (ObjectType, i64),
    ) -> Result<()> {
        self.authorize_link(actor, from.0, to.0).await?;
        Ok(self
            .store()
            .dissociate(actor.account_id(), from, to)
            .await?)
    }

    /// Linking changes both records.
    async fn authorize_link(&self, actor: &Actor, from: ObjectType, to: ObjectType) -> Result<()> {
        self.authorize(actor, Permission::Records(from, Access::Write))
            .await?;
        self.authorize(actor, Permission::Records(to, Access::Write))
            .await
    }

    /// A live record of the actor's account that they may see.
    pub async fn record(&self, actor: &Actor, t: ObjectType, id: i64) -> Result<Record> {
        self.authorize(actor, Permission::Records(t, Access::Read))
            .await?;
        let found = self
            .store()
            .records_by_ids(actor.account_id(), t, &[id], false)
            .await?;
        found.into_iter().next().ok_or_else(|| {
            HubError::NotFound(format!(
                "There is no {} {id} here. It may have been archived, or the link is wrong.",
                t.singular()
            ))
            .into()
        })
    }

    /// Comments on a record; everyone @mentioned in it, and its owner and
    /// followers, are notified (but the author), in the same transaction.
    pub async fn comment(
        &self,
        actor: &Actor,
        t: ObjectType,
        id: i64,
        body: &str,
    ) -> Result<Comment> {
        let record = self.record(actor, t, id).await?;
        let author = actor
            .user()
            .ok_or_else(|| HubError::Forbidden("Only a hub user can comment.".to_owned()))?;
        let account_id = actor.account_id();
        let context = self.change_context(actor, t, &[id], Vec::new()).await?;
        let config = self.config();
        let comment = self
            .store()
            .add_comment(account_id, id, author.id, body, |comment| {
                context.comment_consequences(config, &record, &comment.body)
            })
            .await?;
        self.wake_worker();
        Ok(comment)
    }

    /// Adds a note to a record, owned by its author, timestamped now.
    pub async fn add_note(
        &self,
        actor: &Actor,
        t: ObjectType,
        id: i64,
        body: &str,
    ) -> Result<Record> {
        self.add_note_with(actor, t, id, body, |_| Consequences::default())
            .await
    }

    /// [`App::add_note`], with what the caller adds in its transaction.
    pub async fn add_note_with(
        &self,
        actor: &Actor,
        t: ObjectType,
        id: i64,
        body: &str,
        also: impl FnOnce(&Record) -> Consequences,
    ) -> Result<Record> {
        self.record(actor, t, id).await?;
        let Some(kind) = default_type(ObjectType::Note, t) else {
            return Err(
                HubError::NotFound(format!("Notes cannot be added to {}.", t.as_str())).into(),
            );
        };
        let body = body.trim();
        if body.is_empty() {
            return Err(HubError::field(
                "REQUIRED_PROPERTY",
                "hs_note_body",
                "Write the note first.",
            )
            .into());
        }
        let mut properties = Map::new();
        properties.insert("hs_note_body".into(), Value::String(body.to_owned()));
        properties.insert("hs_timestamp".into(), Value::String(to_iso(self.now())));
        if let Some(author) = actor.user_id() {
            properties.insert("hubspot_owner_id".into(), Value::String(author.to_string()));
        }
        let note = RecordInput {
            properties,
            links: vec![Link {
                to: (t, id),
                type_ids: vec![kind.type_id],
            }],
        };
        let notes = self.records(actor, ObjectType::Note, Access::Write).await?;
        let mut created = notes
            .create_with(vec![note], |notes| {
                notes.first().map(also).unwrap_or_default()
            })
            .await?;
        Ok(created.pop().expect("one note created"))
    }

    /// Adds a custom property to a type (changing a type's records needs
    /// its write permission).
    pub async fn create_property(
        &self,
        actor: &Actor,
        t: ObjectType,
        def: PropertyDef,
    ) -> Result<PropertyDef> {
        self.authorize(actor, Permission::Records(t, Access::Write))
            .await?;
        Ok(self
            .store()
            .create_property(actor.account_id(), t, def)
            .await?)
    }

    /// Archives one record the actor sees.
    pub async fn archive_record(&self, actor: &Actor, t: ObjectType, id: i64) -> Result<()> {
        self.record(actor, t, id).await?;
        self.records(actor, t, Access::Write)
            .await?
            .archive(&[id])
            .await
    }
}

impl Records<'_> {
    pub fn object_type(&self) -> ObjectType {
        self.object_type
    }

    /// The type's properties, as the account defines them.
    pub fn props(&self) -> &PropertySet {
        &self.props
    }

    fn account_id(&self) -> i64 {
        self.actor.account_id()
    }

    /// The live records matching `plan` (one page), and how many match in
    /// all.
    pub async fn search(&self, plan: &SearchPlan) -> Result<(i64, Vec<Record>)> {
        Ok(self
            .app
            .store()
            .search_records(self.account_id(), self.object_type, plan)
            .await?)
    }

    async fn writable(&self) -> Result<()> {
        self.app
            .authorize(
                self.actor,
                Permission::Records(self.object_type, Access::Write),
            )
            .await
    }

    /// The account's pipelines of the type (none for a type without).
    pub async fn pipelines(&self) -> Result<Vec<Pipeline>> {
        if self.object_type.pipeline_properties().is_none() {
            return Ok(Vec::new());
        }
        Ok(self
            .app
            .store()
            .pipelines(self.account_id(), self.object_type)
            .await?)
    }

    /// Creates records, all or none: each input is checked by the hub's
    /// rules (a record in a pipeline lands in its first stage unless told
    /// otherwise) before any is stored, then each is linked as asked.
    pub async fn create(&self, inputs: Vec<RecordInput>) -> Result<Vec<Record>> {
        self.create_with(inputs, |_| Consequences::default()).await
    }

    /// [`Records::create`], with what the caller adds to the change in its
    /// transaction (a timeline line, a job), decided from the new records.
    pub async fn create_with(
        &self,
        inputs: Vec<RecordInput>,
        also: impl FnOnce(&[Record]) -> Consequences,
    ) -> Result<Vec<Record>> {
        self.writable().await?;
        for link in inputs.iter().flat_map(|i| &i.links) {
            self.app
                .authorize(self.actor, Permission::Records(link.to.0, Access::Write))
                .await?;
        }
        let pipelines = self.pipelines().await?;
        let changes = inputs
            .iter()
            .map(|input| record::prepare_new(&self.props, &pipelines, &input.properties))
            .collect::<Result<Vec<_>, HubError>>()?;
        self.check_owners(&changes).await?;
        let t = self.object_type;
        let concerns_people = changes.iter().any(|c| may_concern_people(t, c));
        let context = self.context(&[], pipelines, concerns_people).await?;
        let subjects = self.note_subjects(&inputs).await?;
        let (config, now) = (self.app.config(), self.app.now());
        let store = self.app.store();
        let records = store
            .create_records(self.account_id(), &self.props, changes, |records| {
                let events: Vec<RecordEvent> = records.iter().map(RecordEvent::Created).collect();
                let subject = |note: i64| {
                    let i = records.iter().position(|r| r.id == note)?;
                    subjects.get(i).cloned().flatten()
                };
                let mut out = alarm_jobs(&events, now);
                if let Some(context) = &context {
                    out.extend(context.record_consequences(config, &events, subject));
                }
                let also = also(records);
                out.activity
                    .extend(history::created(self.actor, records, &also));
                out.extend(also);
                out
            })
            .await?;
        self.app.wake_worker();
        for (record, input) in records.iter().zip(&inputs) {
            for link in &input.links {
                store
                    .associate(
                        self.account_id(),
                        (self.object_type, record.id),
                        link.to,
                        &link.type_ids,
                    )
                    .await?;
            }
        }
        Ok(records)
    }

    /// Changes records, all or none: each change is checked against the
    /// record as stored (a new stage must belong to its pipeline).
    pub async fn update(&self, updates: Vec<(i64, Map<String, Value>)>) -> Result<Vec<Updated>> {
        self.update_with(updates, |_| Consequences::default()).await
    }

    /// [`Records::update`], with what the caller adds to the change in its
    /// transaction (a timeline line, a job), decided from the records
    /// before and after it.
    pub async fn update_with(
        &self,
        updates: Vec<(i64, Map<String, Value>)>,
        also: impl FnOnce(&[(Record, Record)]) -> Consequences,
    ) -> Result<Vec<Updated>> {
        self.writable().await?;
        let pipelines = self.pipelines().await?;
        let store = self.app.store();
        let t = self.object_type;
        // The hub's rules check some changes against the records as stored.
        let needs_stored = !pipelines.is_empty()
            || updates
                .iter()
                .any(|(_, input)| record::clears_required(t, input));
        let current = if needs_stored {
            let ids: Vec<i64> = updates.iter().map(|(id, _)| *id).collect();
            store
                .records_by_ids(self.account_id(), t, &ids, false)
                .await?
        } else {
            Vec::new()
        };
        let updates = updates
            .into_iter()
            .map(|(id, input)| {
                let stored = current.iter().find(|r| r.id == id);
                let changes = record::prepare_update(&self.props, &pipelines, &input, stored)?;
                Ok(RecordUpdate { id, changes })
            })
            .collect::<Result<Vec<_>, HubError>>()?;
        self.check_owners(updates.iter().map(|u| &u.changes))
            .await?;
        let changed: Vec<Vec<String>> = updates
            .iter()
            .map(|u| u.changes.iter().map(|(name, _)| name.clone()).collect())
            .collect();
        let ids: Vec<i64> = updates.iter().map(|u| u.id).collect();
        let concerns_people = updates.iter().any(|u| may_concern_people(t, &u.changes));
        let context = self.context(&ids, pipelines, concerns_people).await?;
        let (config, now) = (self.app.config(), self.app.now());
        let records = store
            .update_records(self.account_id(), &self.props, updates, |pairs| {
                let events: Vec<RecordEvent> = pairs
                    .iter()
                    .map(|(before, after)| RecordEvent::Changed { before, after })
                    .collect();
                let mut out = alarm_jobs(&events, now);
                if let Some(context) = &context {
                    out.extend(context.record_consequences(config, &events, |_| None));
                }
                let also = also(pairs);
                out.activity
                    .extend(history::changed(self.actor, &self.props, pairs, &also));
                out.extend(also);
                out
            })
            .await?;
        self.app.wake_worker();
        Ok(records
            .into_iter()
            .zip(changed)
            .map(|(record, changed)| Updated { record, changed })
            .collect())
    }

    /// What deciding the notices of a change to records `ids` (none yet
    /// for new ones) needs; `None` when it cannot concern anyone (see
    /// [`may_concern_people`]), so that plain batches skip the reads.
    async fn context(
        &self,
        ids: &[i64],
        pipelines: Vec<Pipeline>,
        concerns_people: bool,
    ) -> Result<Option<ChangeContext>> {
        self.app
            .records_context(
                self.actor,
                self.object_type,
                ids,
                pipelines,
                concerns_people,
            )
            .await
    }

    /// For new notes, the record each is on (its first link), whose page
    /// their @mentions lead to.
    async fn note_subjects(&self, inputs: &[RecordInput]) -> Result<Vec<Option<Record>>> {
        let mut out = Vec::with_capacity(inputs.len());
        for input in inputs {
            let subject = match input
                .links
                .first()
                .filter(|_| self.object_type == ObjectType::Note)
            {
                Some(link) => self
                    .app
                    .store()
                    .records_by_ids(self.account_id(), link.to.0, &[link.to.1], false)
                    .await?
                    .pop(),
                None => None,
            };
            out.push(subject);
        }
        Ok(out)
    }

    /// Refuses an owner who is not a user of the account (a user id of
    /// another account, or no user id at all).
    async fn check_owners<'c>(
        &self,
        changes: impl IntoIterator<Item = &'c PropertyChanges>,
    ) -> Result<()> {
        let owners: Vec<&str> = changes
            .into_iter()
            .flatten()
            .filter(|(name, _)| name == OWNER)
            .filter_map(|(_, value)| value.as_deref())
            .collect();
        if owners.is_empty() {
            return Ok(());
        }
        let users = self.app.store().users(self.account_id()).await?;
        let unknown = owners
            .iter()
            .find(|owner| !users.iter().any(|u| owner.parse() == Ok(u.id)));
        match unknown {
            None => Ok(()),
            Some(owner) => Err(HubError::field(
                "INVALID_OWNER_ID",
                OWNER,
                format!("{owner} is not a valid owner id: an owner is a user of this account"),
            )
            .into()),
        }
    }

    /// Archives records (they stay readable with `archived`).
    pub async fn archive(&self, ids: &[i64]) -> Result<()> {
        self.writable().await?;
        Ok(self
            .app
            .store()
            .archive_records(
                self.account_id(),
                self.object_type,
                ids,
                history::archived(self.actor, ids),
            )
            .await?)
    }
}
