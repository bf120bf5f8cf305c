//! Creating records from Slack: `/hs create TYPE` and "Create task from
//! message" open a dialog at once, while the `trigger_id` is fresh. Its
//! submission creates the record as the Slack user's hub user through the
//! web form's use case ([`Records::create_with`](crate::records::Records)),
//! links it to the record chosen, writes "… via Slack" on its timeline and
//! shows its card only to its creator, in the record's own transaction.
//! A refusal stays beside the field it is about, the dialog open.

use hubbub_hub::association::default_type;
use hubbub_hub::auth::Access;
use hubbub_hub::timestamp::to_iso;
use hubbub_hub::{HubError, ObjectType, RecordRef};
use hubbub_slack::{InteractionPayload, SlackMessageContent};
use hubbub_store::Consequences;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::actions::done_from_slack;
use super::cards::card_shown;
use super::inbound::SlackReply;
use super::messages;
use super::views::{self, CreateDialog, ASSOCIATE, OWNER, STAGE};
use crate::records::{Link, RecordInput};
use crate::search::SEARCHED_TYPES;
use crate::{links, Actor, App, Error, Result};

/// The types `/hs create` makes.
pub const CREATED_TYPES: [ObjectType; 5] = [
    ObjectType::Contact,
    ObjectType::Company,
    ObjectType::Deal,
    ObjectType::Ticket,
    ObjectType::Task,
];

/// A task's due date.
const TASK_DUE: &str = "hs_timestamp";

/// Records a "Link to" search suggests of each type at most.
const SUGGESTED_PER_TYPE: u32 = 5;

/// What the create dialog carries to its submission.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CreateMetadata {
    #[serde(rename = "type")]
    object_type: String,
    /// Where to show the new record's card (the command's or the
    /// shortcut's `response_url`).
    response_url: Option<String>,
}

impl CreateMetadata {
    /// From a dialog's `private_metadata`, with the type it creates.
    fn read(metadata: &str) -> Option<(CreateMetadata, ObjectType)> {
        let meta: CreateMetadata = serde_json::from_str(metadata).ok()?;
        let t = created_type(&meta.object_type)?;
        Some((meta, t))
    }
}

/// Who asks for a dialog, from where.
pub(crate) struct Asker<'a> {
    pub account_id: i64,
    pub team_id: &'a str,
    pub slack_user_id: &'a str,
    pub trigger_id: &'a str,
    pub response_url: Option<&'a str>,
}

/// The type `/hs create WORD` names (`deal`, `deals`).
pub(crate) fn created_type(word: &str) -> Option<ObjectType> {
    let t: ObjectType = word.parse().ok()?;
    CREATED_TYPES.contains(&t).then_some(t)
}

/// The types a "Link to" search looks in, for a new record of type `t`
/// (`None`: any record, as when logging a message).
pub(crate) fn linkable_types(t: Option<ObjectType>) -> Vec<ObjectType> {
    match t {
        Some(ObjectType::Contact) => vec![ObjectType::Company],
        Some(ObjectType::Company) => vec![ObjectType::Contact],
        _ => SEARCHED_TYPES.to_vec(),
    }
}

impl App {
    /// Opens the dialog that creates a record of type `t`, prefilled with
    /// `initial`, for the asker's hub user: `None` when it opened, else
    /// what to tell them.
    pub(crate) async fn open_create_dialog(
        &self,
        asker: &Asker<'_>,
        t: ObjectType,
        mut initial: Vec<(&'static str, String)>,
    ) -> Result<Option<SlackMessageContent>> {
        let account_id = asker.account_id;
        if t == ObjectType::Task && !initial.iter().any(|(name, _)| *name == TASK_DUE) {
            // Due today unless changed: a task needs a due date.
            let today: String = to_iso(self.now()).chars().take(10).collect();
            initial.push((TASK_DUE, today));
        }
        let Some(actor) = self
            .slack_actor(account_id, asker.team_id, asker.slack_user_id)
            .await?
        else {
            let settings = self.config().parsed_url(links::NOTIFICATION_SETTINGS)?;
            return Ok(Some(messages::command_from_unmapped(&settings)));
        };
        let records = match self.records(&actor, t, Access::Write).await {
            Ok(records) => records,
            Err(Error::Refused(why)) => {
                return Ok(Some(messages::plain(&format!(
                    "{why} Nothing was created."
                ))))
            }
            Err(e) => return Err(e),
        };
        let pipelines = self.store().pipelines(account_id, t).await?;
        let owners = self
            .store()
            .users(account_id)
            .await?
            .into_iter()
            .filter(|u| !u.archived)
            .map(|u| (u.display_name(), u.id.to_string()))
            .collect();
        let metadata = CreateMetadata {
            object_type: t.as_str().to_owned(),
            response_url: asker.response_url.map(str::to_owned),
        };
        let view = views::create_record(&CreateDialog {
            object_type: t,
            props: records.props(),
            pipelines: &pipelines,
            owners,
            owner: actor.user_id().map(|id| id.to_string()),
            initial,
            metadata: serde_json::to_string(&metadata).expect("metadata serializes"),
        });
        self.open_dialog(account_id, asker.trigger_id, view).await
    }

    /// The create dialog submitted.
    pub(crate) async fn take_created(
        &self,
        account_id: i64,
        payload: &InteractionPayload,
    ) -> Result<SlackReply> {
        let view = &payload.payload["view"];
        let metadata = view["private_metadata"].as_str().unwrap_or_default();
        let Some((meta, t)) = CreateMetadata::read(metadata) else {
            tracing::warn!(account_id, "a create dialog came back without its type");
            return Ok(SlackReply::Nothing);
        };
        let title = views::title_field(t);
        let Some(actor) = self.slack_actor_of(account_id, payload).await? else {
            return Ok(SlackReply::field_error(title, messages::UNMAPPED_DIALOG));
        };
        let input = match self
            .read_create_form(&actor, t, &view["state"]["values"])
            .await
        {
            Ok(input) => input,
            Err(Error::Refused(why)) => return Ok(field_errors(t, &why)),
            Err(e) => return Err(e),
        };
        let response_url = self.slack_response_url(account_id, meta.response_url.as_deref());
        let done = format!("{} created the {}", actor.name(), t.singular());
        let records = self.records(&actor, t, Access::Write).await?;
        let created = records
            .create_with(vec![input], |new| {
                let mut out = Consequences::default();
                for record in new {
                    let card =
                        card_shown(response_url, &actor, RecordRef::new(t, record.id), &done);
                    out.extend(done_from_slack(&actor, record.id, &done, card));
                }
                out
            })
            .await;
        match created {
            Ok(_) => Ok(SlackReply::Nothing),
            Err(Error::Refused(why)) => Ok(field_errors(t, &why)),
            Err(e) => Err(e),
        }
    }

    /// The record to create, from the dialog's values; the record to link
    /// it to must be one the actor sees.
    async fn read_create_form(
        &self,
        actor: &Actor,
        t: ObjectType,
        values: &Value,
    ) -> Result<RecordInput> {
        let mut properties = Map::new();
        let mut links = Vec::new();
        for (block, value) in form_values(values) {
            match block.as_str() {
                STAGE => {
                    let (pipeline, stage): (String, String) = serde_json::from_str(&value)
                        .map_err(|_| HubError::field("INVALID_OPTION", STAGE, "Choose a stage."))?;
                    let (pipeline_prop, stage_prop) = t
                        .pipeline_properties()
                        .expect("a stage field has a pipeline");
                    properties.insert(pipeline_prop.into(), pipeline.into());
                    properties.insert(stage_prop.into(), stage.into());
                }
                ASSOCIATE => links.push(self.link_to(actor, t, &value).await?),
                _ => {
                    properties.insert(block, value.into());
                }
            }
        }
        Ok(RecordInput { properties, links })
    }

    /// A link from a new record of type `t` to the record `value` names.
    async fn link_to(&self, actor: &Actor, t: ObjectType, value: &str) -> Result<Link> {
        let not_found = || {
            HubError::field(
                "INVALID_OPTION",
                ASSOCIATE,
                "Choose a record from the list.",
            )
        };
        let to = RecordRef::decode(value).ok_or_else(not_found)?;
        let kind = default_type(t, to.object_type).ok_or_else(|| {
            HubError::field(
                "INVALID_OPTION",
                ASSOCIATE,
                format!(
                    "A {} cannot be linked to a {}.",
                    t.singular(),
                    to.object_type.singular()
                ),
            )
        })?;
        self.record(actor, to.object_type, to.id)
            .await
            .map_err(|_| {
                HubError::field(
                    "INVALID_OPTION",
                    ASSOCIATE,
                    "That record is gone, or you may not see it: choose another.",
                )
            })?;
        Ok(Link {
            to: (to.object_type, to.id),
            type_ids: vec![kind.type_id],
        })
    }

    /// A "Link to" field's options (`block_suggestion`): the records the
    /// typing person sees whose words start with what they typed.
    pub(crate) async fn suggest_records(
        &self,
        account_id: i64,
        payload: &InteractionPayload,
    ) -> Result<SlackReply> {
        let typed = payload.payload["value"].as_str().unwrap_or_default().trim();
        let actor = self.slack_actor_of(account_id, payload).await?;
        let (Some(actor), false) = (actor, typed.is_empty()) else {
            return Ok(SlackReply::Options(Vec::new()));
        };
        let metadata = payload.payload["view"]["private_metadata"]
            .as_str()
            .unwrap_or_default();
        let new_type = CreateMetadata::read(metadata).map(|(_, t)| t);
        let types = linkable_types(new_type);
        let found = self
            .search_everywhere(&actor, typed, &types, SUGGESTED_PER_TYPE)
            .await?;
        let groups = found
            .found
            .into_iter()
            .map(|f| {
                let options = f
                    .records
                    .iter()
                    .map(|r| (r.title(), RecordRef::new(f.object_type, r.id).encode()))
                    .collect();
                (f.object_type.label_plural().to_owned(), options)
            })
            .collect();
        Ok(SlackReply::Options(groups))
    }
}

/// Each filled field of a submitted dialog: `(block id, value)`, from a
/// text input's value, a select's chosen option or a date picker's day.
fn form_values(values: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (block, elements) in values.as_object().into_iter().flatten() {
        for state in elements.as_object().into_iter().flat_map(|e| e.values()) {
            let value = state["value"]
                .as_str()
                .or_else(|| state["selected_option"]["value"].as_str())
                .or_else(|| state["selected_date"].as_str())
                .map(str::trim)
                .filter(|v| !v.is_empty());
            if let Some(v) = value {
                out.push((block.clone(), v.to_owned()));
            }
        }
    }
    out
}

/// A refusal shown beside the fields it names (a pipeline's or stage's
/// beside the stage), the rest beside the title.
fn field_errors(t: ObjectType, why: &HubError) -> SlackReply {
    let title = views::title_field(t);
    let block_of = |field: Option<&str>| -> String {
        let pipeline = t.pipeline_properties();
        match field {
            Some(f) if pipeline.is_some_and(|(p, s)| f == p || f == s) => STAGE.to_owned(),
            Some(f) if views::create_fields_hold(t, f) || f == ASSOCIATE || f == OWNER => {
                f.to_owned()
            }
            _ => title.to_owned(),
        }
    };
    let mut errors: Vec<(String, String)> = Vec::new();
    match why {
        HubError::Validation { errors: fields, .. } if !fields.is_empty() => {
            for e in fields {
                let block = block_of(e.field.as_deref());
                match errors.iter_mut().find(|(b, _)| *b == block) {
                    Some((_, text)) => {
                        text.push(' ');
                        text.push_str(&e.message);
                    }
                    None => errors.push((block, e.message.clone())),
                }
            }
        }
        other => errors.push((title.to_owned(), other.to_string())),
    }
    SlackReply::FieldErrors(errors)
}
