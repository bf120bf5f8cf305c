//! Record cards: a record as a Slack message shows it, with the buttons
//! that act on it as the Slack user's hub user (their presses are
//! [`actions`](super::actions)'). Cards are shown in `/hs search`'s answer,
//! for a record made from Slack and in full-details link previews; a press
//! draws the card's message again where it is, through the press's
//! `response_url`, as the record then stands and as the presser may see it
//! (a preview through `chat.unfurl`, as the sharer may see it:
//! [`previews`](super::previews)).

use hubbub_hub::association::default_type;
use hubbub_hub::property::{PropertySet, PropertyType};
use hubbub_hub::{ObjectType, Record, RecordRef};
use hubbub_slack::{InteractionPayload, SlackMessageContent};
use serde::{Deserialize, Serialize};

use super::messages::{self, RecordCard, RecordPart};
use crate::display::Lookups;
use crate::jobs::{Job, JobError};
use crate::notifications::plan::{owner_of, TASK_COMPLETED, TASK_STATUS};
use crate::{Actor, App, Result};

/// Key properties a card or a notification shows at most.
const SHOWN_PROPERTIES: usize = 6;

/// Where a card is shown. It rides in the block id of the card's buttons,
/// since Slack sends no copy of an ephemeral message with a press; the
/// block id names the card's record too, as block ids must differ within
/// a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "in", rename_all = "snake_case")]
pub enum CardPlace {
    /// `/hs search QUERY`'s answer.
    Search { query: String },
    /// A message of this one card.
    Record,
    /// A link's preview (its unfurl), drawn as the Slack user who shared
    /// the link may see the record. `at` comes from the press: the block
    /// id has no room for the link.
    Preview {
        sharer: String,
        #[serde(default)]
        at: Option<Unfurled>,
    },
}

/// Where a preview is: the message its link was posted in, and the link
/// (as the message has it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unfurled {
    pub channel: String,
    pub ts: String,
    pub url: String,
}

const SEARCH_PLACE: &str = "card.search";
const RECORD_PLACE: &str = "card.record";
const PREVIEW_PLACE: &str = "card.preview";

impl CardPlace {
    /// The block id of `record`'s buttons here: `card.record:deal:12`,
    /// `card.search:deal:12:QUERY`, `card.preview:deal:12:U123`.
    pub fn block_id(&self, record: RecordRef) -> String {
        let record = record.encode();
        match self {
            CardPlace::Search { query } => format!("{SEARCH_PLACE}:{record}:{query}"),
            CardPlace::Record => format!("{RECORD_PLACE}:{record}"),
            CardPlace::Preview { sharer, .. } => format!("{PREVIEW_PLACE}:{record}:{sharer}"),
        }
    }

    /// The place of a press in `payload`: a preview's is completed with
    /// where the preview is.
    pub(crate) fn pressed_in(self, payload: &InteractionPayload) -> CardPlace {
        match self {
            CardPlace::Preview { sharer, .. } => CardPlace::Preview {
                sharer,
                at: payload
                    .unfurl_location()
                    .map(|(channel, ts, url)| Unfurled {
                        channel: channel.to_owned(),
                        ts: ts.to_owned(),
                        url: url.to_owned(),
                    }),
            },
            other => other,
        }
    }

    /// From a block id; `None` for blocks that are not a card's.
    pub fn parse(block_id: &str) -> Option<CardPlace> {
        let mut parts = block_id.splitn(4, ':');
        let (place, t, id) = (parts.next()?, parts.next()?, parts.next()?);
        RecordRef::decode(&format!("{t}:{id}"))?;
        match (place, parts.next()) {
            (RECORD_PLACE, None) => Some(CardPlace::Record),
            (SEARCH_PLACE, Some(query)) => Some(CardPlace::Search {
                query: query.to_owned(),
            }),
            (PREVIEW_PLACE, Some(sharer)) if !sharer.is_empty() => Some(CardPlace::Preview {
                sharer: sharer.to_owned(),
                at: None,
            }),
            _ => None,
        }
    }
}

/// A record's part of a message, for `viewer`: its key properties (not
/// its title, which the message names already) and the buttons that apply.
pub(crate) fn record_part(
    record: &Record,
    props: &PropertySet,
    lookups: &Lookups,
    viewer: Option<i64>,
) -> RecordPart {
    let t = record.object_type;
    let in_title = Record::title_properties(t);
    let title = record.title();
    let properties = props
        .all()
        .iter()
        .filter(|d| d.default_shown && d.ptype != PropertyType::Bool)
        .filter(|d| !in_title.contains(&d.name.as_str()))
        .map(|d| (d.label.clone(), lookups.display(d, record)))
        .filter(|(_, v)| !v.is_empty() && *v != title)
        .take(SHOWN_PROPERTIES)
        .collect();
    let is_task = t == ObjectType::Task;
    let done = record.properties.get(TASK_STATUS).map(String::as_str) == Some(TASK_COMPLETED);
    RecordPart {
        value: RecordRef::new(t, record.id).encode(),
        properties,
        assignable: t != ObjectType::Note && viewer.is_some() && owner_of(record) != viewer,
        completable: is_task && !done,
        snoozable: false,
        notable: default_type(ObjectType::Note, t).is_some(),
        stages: stages_of(record, &lookups.pipelines),
        stage: t
            .pipeline_properties()
            .and_then(|(_, s)| record.properties.get(s).cloned()),
    }
}

/// The stages of the record's pipeline, `(label, id)`.
fn stages_of(
    record: &Record,
    pipelines: &[hubbub_hub::pipeline::Pipeline],
) -> Vec<(String, String)> {
    let Some((pipeline, _)) = record.object_type.pipeline_properties() else {
        return Vec::new();
    };
    let current = record.properties.get(pipeline);
    pipelines
        .iter()
        .find(|p| current.is_none_or(|id| &p.id == id))
        .map(|p| {
            p.stages
                .iter()
                .map(|s| (s.label.clone(), s.id.clone()))
                .collect()
        })
        .unwrap_or_default()
}

impl App {
    /// `record`'s card, for `actor`.
    pub(crate) fn card(
        &self,
        actor: &Actor,
        record: &Record,
        props: &PropertySet,
        lookups: &Lookups,
    ) -> Result<RecordCard> {
        let t = record.object_type;
        Ok(RecordCard {
            record: RecordRef::new(t, record.id),
            title: record.title(),
            kind: t.label().to_owned(),
            url: self.config().parsed_url(&t.record_path(record.id))?,
            part: record_part(record, props, lookups, actor.user_id()),
        })
    }

    /// One record's card, as `actor` may see it.
    pub(crate) async fn card_of(&self, actor: &Actor, record: RecordRef) -> Result<RecordCard> {
        let found = self.record(actor, record.object_type, record.id).await?;
        self.card_of_record(actor, &found).await
    }

    /// The card of a record already read for `actor`.
    pub(crate) async fn card_of_record(
        &self,
        actor: &Actor,
        record: &Record,
    ) -> Result<RecordCard> {
        let t = record.object_type;
        let props = self.store().property_set(actor.account_id(), t).await?;
        let lookups = self.lookups(actor.account_id(), t).await?;
        self.card(actor, record, &props, &lookups)
    }

    /// A message of one record's card, as `actor` may see it.
    pub(crate) async fn card_message(
        &self,
        actor: &Actor,
        record: RecordRef,
        outcome: Option<&str>,
    ) -> Result<SlackMessageContent> {
        let card = self.card_of(actor, record).await?;
        Ok(messages::record_card(&card, &CardPlace::Record, outcome))
    }

    /// Job: draws a card's message again through a press's
    /// `response_url`, for the hub user who pressed, with `outcome`.
    pub(crate) async fn redraw_cards(
        &self,
        account_id: i64,
        redraw: &CardRedraw,
    ) -> Result<(), JobError> {
        let user = self.store().user(account_id, redraw.user_id).await?;
        let actor = Actor::User(user);
        let outcome = Some(redraw.outcome.as_str());
        let drawn = match &redraw.place {
            CardPlace::Search { query } => self.search_message(&actor, query, outcome).await,
            CardPlace::Record => self.card_message(&actor, redraw.record, outcome).await,
            CardPlace::Preview { sharer, at } => {
                return self
                    .redraw_preview(account_id, sharer, at.as_ref(), redraw)
                    .await
            }
        };
        let content = match drawn {
            Ok(content) => content,
            // The record went, or the presser lost sight of it, since.
            Err(crate::Error::Refused(why)) => {
                messages::plain(&format!("{} {why}", redraw.outcome))
            }
            Err(e) => return Err(e.into()),
        };
        self.respond_in_slack(&redraw.response_url, content, redraw.replace_original)
            .await
    }
}

/// The job that shows `record`'s card, with what was `done` to it, only
/// to `actor` through `response_url` (a new message: nothing was pressed).
pub(crate) fn card_shown(
    response_url: Option<&str>,
    actor: &Actor,
    record: RecordRef,
    done: &str,
) -> Option<Job> {
    let (url, user_id) = response_url.zip(actor.user_id())?;
    Some(Job::RedrawCards(CardRedraw {
        response_url: url.to_owned(),
        user_id,
        place: CardPlace::Record,
        record,
        outcome: done.to_owned(),
        replace_original: false,
    }))
}

/// What a card's press draws again, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardRedraw {
    pub response_url: String,
    /// The hub user who pressed.
    pub user_id: i64,
    pub place: CardPlace,
    pub record: RecordRef,
    pub outcome: String,
    /// Replace the message pressed in (a press), or show a new one (a
    /// record just created).
    #[serde(default = "replaces")]
    pub replace_original: bool,
}

fn replaces() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_ride_in_block_ids() {
        let deal = RecordRef::new(ObjectType::Deal, 12);
        for place in [
            CardPlace::Record,
            CardPlace::Search {
                query: "ada: lovelace".into(),
            },
            CardPlace::Search { query: "".into() },
            CardPlace::Preview {
                sharer: "U123".into(),
                at: None,
            },
        ] {
            assert_eq!(CardPlace::parse(&place.block_id(deal)), Some(place));
        }
        assert_eq!(
            CardPlace::Search { query: "a".into() }.block_id(deal),
            "card.search:deal:12:a"
        );
        assert_eq!(CardPlace::parse("a1b2"), None);
        assert_eq!(CardPlace::parse("card.record:deal:x"), None);
        assert_eq!(CardPlace::parse("card.record:deal:12:extra"), None);
        assert_eq!(CardPlace::parse("card.preview:deal:12"), None);
        assert_eq!(CardPlace::parse("card.preview:deal:12:"), None);
    }
}
