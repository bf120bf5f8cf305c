//! Link previews: a link to one of this hub's records posted in Slack
//! (`link_shared`) is unfurled (`chat.unfurl`) as the account's level
//! says ([`PreviewLevel`]), only when the Slack user who posted it is
//! mapped to a hub user who may see the record, and as that user may see
//! it. Links to anything else are left to Slack.
//!
//! - Button only: a button whose press opens the record's card in a
//!   dialog, as the presser may see it.
//! - Name and type: "Deal: Big deal" and an "Open in hub" link.
//! - Full details: the record's card with its buttons
//!   ([`CardPlace::Preview`]); a press acts as the presser, like any
//!   card's, and the preview is drawn again as the sharer may see it.

use hubbub_hub::link_preview::PreviewLevel;
use hubbub_hub::{ObjectType, RecordRef};
use hubbub_slack::{
    EventCallback, InteractionPayload, LinkShared, SlackApiError, SlackBlock, SlackErrorCode,
};
use hubbub_store::AnyConnection;
use serde::{Deserialize, Serialize};

use super::actions::Reply;
use super::cards::{CardPlace, CardRedraw, Unfurled};
use super::messages::{self, previews};
use super::workspace::LiveWorkspace;
use crate::jobs::{Job, JobError};
use crate::{Actor, App, Error, Permission, Result};

/// The links of one message to preview, as `link_shared` named them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkPreviews {
    pub team_id: String,
    pub channel: String,
    pub ts: String,
    /// The Slack user who posted the links.
    pub sharer: String,
    pub links: Vec<RecordLink>,
}

/// A link to one of this hub's records, exactly as the message has it
/// (`chat.unfurl` is keyed by it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordLink {
    pub url: String,
    pub record: RecordRef,
}

/// The record a link points at when it is one of this hub's record pages
/// (`{public URL}/deals/12`, a trailing slash, query or fragment allowed);
/// `None` for anything else, another hub's links included.
pub fn record_of_link(public_url: &str, link: &str) -> Option<RecordRef> {
    let (Ok(hub), Ok(url)) = (url::Url::parse(public_url), url::Url::parse(link)) else {
        return None;
    };
    let same_origin = url.scheme() == hub.scheme()
        && url.host_str() == hub.host_str()
        && url.port_or_known_default() == hub.port_or_known_default()
        && url.username().is_empty()
        && url.password().is_none();
    if !same_origin {
        return None;
    }
    let path = url
        .path()
        .strip_prefix(hub.path().trim_end_matches('/'))?
        .strip_prefix('/')?;
    let (kind, id) = path.strip_suffix('/').unwrap_or(path).split_once('/')?;
    // Notes have no page of their own.
    let t = ObjectType::ALL
        .into_iter()
        .find(|t| *t != ObjectType::Note && t.as_str() == kind)?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(RecordRef::new(t, id.parse().ok()?))
}

/// Slack's answers that say the message or its link is no longer there
/// to unfurl: retrying cannot help.
fn unfurl_gone(code: &SlackErrorCode) -> bool {
    code.is_channel_lost()
        || matches!(
            code.as_str(),
            "cannot_find_message"
                | "cannot_unfurl_url"
                | "cannot_unfurl_message"
                | "cannot_find_channel"
                | "message_not_found"
        )
}

impl App {
    /// The account's link preview level: super admins only, who choose it.
    pub async fn link_preview_level(&self, actor: &Actor) -> Result<PreviewLevel> {
        self.authorize(actor, Permission::ManageLinkPreviews)
            .await?;
        Ok(self.store().link_preview_level(actor.account_id()).await?)
    }

    pub async fn set_link_preview_level(&self, actor: &Actor, level: PreviewLevel) -> Result<()> {
        self.authorize(actor, Permission::ManageLinkPreviews)
            .await?;
        self.store()
            .set_link_preview_level(actor.account_id(), level)
            .await?;
        tracing::info!(
            account_id = actor.account_id(),
            level = level.as_str(),
            "link preview level set"
        );
        Ok(())
    }

    /// `link_shared`: on the event's transaction, a job to preview the
    /// message's links to this hub's records, if it has any.
    pub(crate) async fn on_link_shared(
        &self,
        conn: &mut AnyConnection,
        account_id: i64,
        callback: &EventCallback,
    ) -> Result<()> {
        let Some(shared) = LinkShared::of(&callback.event) else {
            return Ok(());
        };
        let mut links: Vec<RecordLink> = Vec::new();
        for link in shared.links {
            let Some(record) = record_of_link(&self.config().public_url, &link.url) else {
                continue;
            };
            if !links.iter().any(|l| l.url == link.url) {
                links.push(RecordLink {
                    url: link.url,
                    record,
                });
            }
        }
        if links.is_empty() {
            return Ok(());
        }
        let job = Job::UnfurlLinks(LinkPreviews {
            team_id: callback.team_id.clone(),
            channel: shared.channel,
            ts: shared.message_ts,
            sharer: shared.user,
            links,
        });
        job.enqueue_on(conn, account_id).await?;
        Ok(())
    }

    /// Job: unfurls the links the sharer may see, at the account's level
    /// as it stands now; nothing at all when it is off or the sharer is
    /// mapped to no hub user.
    pub(crate) async fn unfurl_links(
        &self,
        account_id: i64,
        request: &LinkPreviews,
    ) -> Result<(), JobError> {
        let level = self.store().link_preview_level(account_id).await?;
        if level == PreviewLevel::Off {
            return Ok(());
        }
        let Some(sharer) = self
            .slack_actor(account_id, &request.team_id, &request.sharer)
            .await?
        else {
            return Ok(());
        };
        let Some(live) = self.live_workspace(account_id).await? else {
            return Ok(());
        };
        let place = CardPlace::Preview {
            sharer: request.sharer.clone(),
            at: None,
        };
        let mut unfurls = Vec::new();
        for link in &request.links {
            let shown = self
                .preview_blocks(&sharer, level, link.record, &place, None)
                .await?;
            if let Some(blocks) = shown {
                unfurls.push((link.url.clone(), blocks));
            }
        }
        if unfurls.is_empty() {
            return Ok(());
        }
        self.send_unfurls(&live, &request.channel, &request.ts, unfurls)
            .await
    }

    /// What the preview of `record` shows at `level` for `sharer`; `None`
    /// when it shows nothing (off, or a record they may not see).
    async fn preview_blocks(
        &self,
        sharer: &Actor,
        level: PreviewLevel,
        record: RecordRef,
        place: &CardPlace,
        outcome: Option<&str>,
    ) -> Result<Option<Vec<SlackBlock>>> {
        if level == PreviewLevel::Off {
            return Ok(None);
        }
        let t = record.object_type;
        let found = match self.record(sharer, t, record.id).await {
            Ok(found) => found,
            Err(Error::Refused(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(Some(match level {
            PreviewLevel::Off => return Ok(None),
            PreviewLevel::ButtonOnly => previews::button_only(record),
            PreviewLevel::NameAndType => {
                let url = self.config().parsed_url(&t.record_path(record.id))?;
                previews::name_and_type(t, &found.title(), &url)
            }
            PreviewLevel::FullDetails => {
                let card = self.card_of_record(sharer, &found).await?;
                messages::record_card(&card, place, outcome)
                    .blocks
                    .unwrap_or_default()
            }
        }))
    }

    /// `chat.unfurl` for one message; a message or link gone since is no
    /// failure.
    async fn send_unfurls(
        &self,
        live: &LiveWorkspace,
        channel: &str,
        ts: &str,
        unfurls: Vec<(String, Vec<SlackBlock>)>,
    ) -> Result<(), JobError> {
        let account_id = live.connection.account_id;
        let sent = self
            .slack_api()
            .unfurl(&live.token, channel, ts, unfurls)
            .await;
        match self.check_bot_call(account_id, sent).await {
            Err(SlackApiError::Slack(code)) if unfurl_gone(&code) => {
                tracing::info!(account_id, %code, "a link preview's message is gone; nothing to unfurl");
                Ok(())
            }
            other => Ok(other?),
        }
    }

    /// Job: a full-details preview's button did something: the preview is
    /// drawn again as the sharer may see the record now, with what was
    /// done. When it may no longer show the card (the level changed, the
    /// record went, the sharer lost sight of it), it shows what it may,
    /// and the presser alone is told what was done.
    pub(crate) async fn redraw_preview(
        &self,
        account_id: i64,
        sharer_id: &str,
        at: Option<&Unfurled>,
        redraw: &CardRedraw,
    ) -> Result<(), JobError> {
        let told = messages::plain(&redraw.outcome);
        let (Some(at), Some(live)) = (at, self.live_workspace(account_id).await?) else {
            return self
                .respond_in_slack(&redraw.response_url, told, false)
                .await;
        };
        let level = self.store().link_preview_level(account_id).await?;
        let sharer = self
            .slack_actor(account_id, &live.connection.team_id, sharer_id)
            .await?;
        let place = CardPlace::Preview {
            sharer: sharer_id.to_owned(),
            at: None,
        };
        let shown = match &sharer {
            Some(sharer) => {
                self.preview_blocks(sharer, level, redraw.record, &place, Some(&redraw.outcome))
                    .await?
            }
            None => None,
        };
        let card_shown = shown.is_some() && level == PreviewLevel::FullDetails;
        let blocks = shown.unwrap_or_else(previews::no_longer_shown);
        self.send_unfurls(&live, &at.channel, &at.ts, vec![(at.url.clone(), blocks)])
            .await?;
        if card_shown {
            return Ok(());
        }
        self.respond_in_slack(&redraw.response_url, told, false)
            .await
    }

    /// A button-only preview's button: opens the record's card in a
    /// dialog at once (while the press's `trigger_id` is fresh), as the
    /// presser may see it. The unmapped, and anyone who may not see the
    /// record, are told so, only them.
    pub(crate) async fn open_preview(
        &self,
        account_id: i64,
        payload: &InteractionPayload,
        record: RecordRef,
    ) -> Result<()> {
        let reply = Reply::to_press(self, account_id, payload);
        let Some(presser) = self.presser(&reply, payload).await? else {
            return Ok(());
        };
        let card = match self.card_of(&presser, record).await {
            Ok(card) => card,
            Err(Error::Refused(why)) => {
                return self
                    .answer(&reply, reply.only_to_them(&why.to_string()))
                    .await
            }
            Err(e) => return Err(e),
        };
        let trigger_id = payload.trigger_id.as_deref().unwrap_or_default();
        let opened = self
            .open_dialog(account_id, trigger_id, previews::record_dialog(&card))
            .await?;
        match opened {
            None => Ok(()),
            Some(why) => self.answer(&reply, reply.shown_only_to_them(why)).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_hubs_record_pages_are_previewed() {
        let hub = "https://hub.example.com";
        let deal = Some(RecordRef::new(ObjectType::Deal, 12));
        for link in [
            "https://hub.example.com/deals/12",
            "https://hub.example.com/deals/12/",
            "https://hub.example.com/deals/12?view=all#notes",
            "https://HUB.example.com:443/deals/12",
        ] {
            assert_eq!(record_of_link(hub, link), deal, "{link}");
        }
        assert_eq!(
            record_of_link(hub, "https://hub.example.com/contacts/3"),
            Some(RecordRef::new(ObjectType::Contact, 3))
        );
        for other in [
            "https://other-hub.example.com/deals/12",
            "http://hub.example.com/deals/12",
            "https://hub.example.com:8443/deals/12",
            "https://someone@hub.example.com/deals/12",
            "https://hub.example.com/deals",
            "https://hub.example.com/deals/board",
            "https://hub.example.com/deals/12/edit",
            "https://hub.example.com/deals/+12",
            "https://hub.example.com/notes/5",
            "https://hub.example.com/widgets/5",
            "https://hub.example.com/settings/marketplace",
            "not a link",
        ] {
            assert_eq!(record_of_link(hub, other), None, "{other}");
        }
        // A hub under a path keeps its path.
        let under = "https://example.com/hub";
        assert_eq!(
            record_of_link(under, "https://example.com/hub/deals/12"),
            deal
        );
        assert_eq!(record_of_link(under, "https://example.com/deals/12"), None);
        assert_eq!(
            record_of_link(under, "https://example.com/hubdeals/12"),
            None
        );
    }
}
