//! `/hs search TEXT`: the hub's contacts, companies, deals and tickets
//! matching a text, as cards only the caller sees, searched as their hub
//! user (the same search as the hub's search boxes, [`App::search_everywhere`]).

use hubbub_slack::{SlackMessageContent, SlashCommand};

use super::cards::CardPlace;
use super::inbound::SlackReply;
use super::messages::{self, CardGroup, SearchResults};
use crate::search::{FoundEverywhere, MAX_QUERY_CHARS, SEARCHED_TYPES};
use crate::{links, Actor, App, Error, Result};

/// Cards of each type a search shows at most.
pub const CARDS_PER_TYPE: u32 = 5;

impl App {
    /// `/hs search TEXT` typed in the workspace connected to `account_id`.
    pub(crate) async fn search_from_slack(
        &self,
        account_id: i64,
        command: &SlashCommand,
        text: &str,
    ) -> Result<SlackReply> {
        let Some(actor) = self
            .slack_actor(account_id, &command.team_id, &command.user_id)
            .await?
        else {
            let settings = self.config().parsed_url(links::NOTIFICATION_SETTINGS)?;
            return Ok(SlackReply::ephemeral(messages::command_from_unmapped(
                &settings,
            )));
        };
        if text.is_empty() {
            return Ok(SlackReply::ephemeral(messages::search_needs_text()));
        }
        if text.chars().count() > MAX_QUERY_CHARS {
            return Ok(SlackReply::ephemeral(messages::plain(&format!(
                "Search for at most {MAX_QUERY_CHARS} characters. Nothing was searched."
            ))));
        }
        match self.search_message(&actor, text, None).await {
            Ok(found) => Ok(SlackReply::ephemeral(found)),
            Err(Error::Refused(why)) => Ok(SlackReply::ephemeral(messages::plain(&format!(
                "This search cannot be run: {why}"
            )))),
            Err(e) => Err(e),
        }
    }

    /// `/hs search QUERY`'s answer, as `actor` may see it, with
    /// `outcome`: what a press did, when it is drawn again.
    pub(crate) async fn search_message(
        &self,
        actor: &Actor,
        query: &str,
        outcome: Option<&str>,
    ) -> Result<SlackMessageContent> {
        let FoundEverywhere { found, refused } = self
            .search_everywhere(actor, query, &SEARCHED_TYPES, CARDS_PER_TYPE)
            .await?;
        let mut groups = Vec::new();
        for f in found {
            let t = f.object_type;
            let lookups = self.lookups(actor.account_id(), t).await?;
            let mut more = self.config().parsed_url(&format!("/{t}"))?;
            more.query_pairs_mut().append_pair("query", query);
            groups.push(CardGroup {
                object_type: t,
                total: f.total,
                more,
                cards: f
                    .records
                    .iter()
                    .map(|r| self.card(actor, r, &f.props, &lookups))
                    .collect::<Result<_>>()?,
            });
        }
        let place = CardPlace::Search {
            query: query.to_owned(),
        };
        Ok(messages::search_results(&SearchResults {
            query,
            groups,
            refused: refused
                .iter()
                .map(|t| t.label_plural().to_owned())
                .collect(),
            outcome,
            place: &place,
        }))
    }
}
