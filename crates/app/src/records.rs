//! What people do to records besides editing their properties: comment
//! (with @mentions, which notify the mentioned users), add a note, archive.

use hubbub_hub::association::default_type;
use hubbub_hub::auth::Access;
use hubbub_hub::mention::mentioned_users;
use hubbub_hub::timestamp::to_iso;
use hubbub_hub::{record, HubError, ObjectType, Record, Topic};
use hubbub_store::{notify_on, Comment, NewNotification};
use serde_json::{Map, Value};

use crate::{Actor, App, Permission, Result};

impl App {
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

    /// Comments on a record; everyone @mentioned in it (but the author)
    /// is notified, in the same transaction.
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
        let comment = self
            .store()
            .add_comment(account_id, id, author.id, body)
            .await?;
        let users = self.store().users(account_id).await?;
        let handles: Vec<(i64, String)> = users
            .iter()
            .filter(|u| !u.archived)
            .map(|u| (u.id, u.email.clone()))
            .collect();
        let title = format!(
            "{} mentioned you on {} {}",
            author.display_name(),
            t.label(),
            record.title()
        );
        let mentioned: Vec<i64> = mentioned_users(&comment.body, &handles)
            .into_iter()
            .filter(|user_id| *user_id != author.id)
            .collect();
        if !mentioned.is_empty() {
            let mut tx = self.store().begin_write().await?;
            for user_id in mentioned {
                notify_on(
                    &mut tx,
                    account_id,
                    NewNotification {
                        user_id,
                        topic: Topic::Mention,
                        title: title.clone(),
                        body: comment.body.clone(),
                        link: record.path(),
                    },
                )
                .await?;
            }
            tx.commit().await?;
        }
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
        self.record(actor, t, id).await?;
        self.authorize(actor, Permission::Records(ObjectType::Note, Access::Write))
            .await?;
        let Some(kind) = default_type(ObjectType::Note, t) else {
            return Err(
                HubError::NotFound(format!("Notes cannot be added to {}.", t.as_str())).into(),
            );
        };
        let account_id = actor.account_id();
        let body = body.trim();
        if body.is_empty() {
            return Err(HubError::field(
                "REQUIRED_PROPERTY",
                "hs_note_body",
                "Write the note first.",
            )
            .into());
        }
        let props = self
            .store()
            .property_set(account_id, ObjectType::Note)
            .await?;
        let mut input = Map::new();
        input.insert("hs_note_body".into(), Value::String(body.to_owned()));
        input.insert("hs_timestamp".into(), Value::String(to_iso(self.now())));
        if let Some(author) = actor.user_id() {
            input.insert("hubspot_owner_id".into(), Value::String(author.to_string()));
        }
        let changes = record::prepare_new(&props, &[], &input)?;
        let note = self
            .store()
            .create_records(account_id, &props, vec![changes])
            .await?
            .pop()
            .expect("one note created");
        self.store()
            .associate(
                account_id,
                (ObjectType::Note, note.id),
                (t, id),
                &[kind.type_id],
            )
            .await?;
        Ok(note)
    }

    /// Archives a record.
    pub async fn archive_record(&self, actor: &Actor, t: ObjectType, id: i64) -> Result<()> {
        self.record(actor, t, id).await?;
        self.authorize(actor, Permission::Records(t, Access::Write))
            .await?;
        self.store()
            .archive_records(actor.account_id(), t, &[id])
            .await?;
        Ok(())
    }
}
