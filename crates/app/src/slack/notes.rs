//! "Add note" on a record card: the button opens a dialog at once (while
//! the press's `trigger_id` is fresh); its submission adds the note as
//! the Slack user's hub user ([`App::add_note_with`], the web form's use
//! case), writes "… via Slack" on the record's timeline and draws the card
//! again, in the note's own transaction. A refusal keeps the dialog open
//! with the reason beside the note.

use hubbub_hub::RecordRef;
use hubbub_slack::InteractionPayload;
use serde::{Deserialize, Serialize};

use super::actions::{done_from_slack, Place, Reply};
use super::cards::CardPlace;
use super::inbound::SlackReply;
use super::messages;
use super::views::{self, NOTE_BODY};
use crate::{App, Error, Result};

/// What the dialog carries to its submission (its `private_metadata`).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct NoteDialog {
    record: RecordRef,
    /// The press's, to draw the card again.
    response_url: Option<String>,
    place: Option<CardPlace>,
}

impl App {
    /// "Add note" pressed on `record`'s card.
    pub(crate) async fn open_note_dialog(
        &self,
        account_id: i64,
        payload: &InteractionPayload,
        record: RecordRef,
    ) -> Result<()> {
        let reply = Reply::to_press(self, account_id, payload);
        let Some(actor) = self.presser(&reply, payload).await? else {
            return Ok(());
        };
        let found = match self.record(&actor, record.object_type, record.id).await {
            Ok(found) => found,
            Err(Error::Refused(why)) => return self.refuse(&reply, &why.to_string()).await,
            Err(e) => return Err(e),
        };
        let dialog = NoteDialog {
            record,
            response_url: reply.response_url.map(str::to_owned),
            place: match &reply.place {
                Place::Card(place) => Some(place.clone()),
                _ => None,
            },
        };
        let metadata = serde_json::to_string(&dialog).expect("a note dialog serializes");
        let view = views::note(&found.title(), metadata);
        let trigger_id = payload.trigger_id.as_deref().unwrap_or_default();
        let Some(why) = self.open_dialog(account_id, trigger_id, view).await? else {
            return Ok(());
        };
        self.answer(&reply, reply.shown_only_to_them(why)).await
    }

    /// The "Add note" dialog submitted.
    pub(crate) async fn take_note(
        &self,
        account_id: i64,
        payload: &InteractionPayload,
    ) -> Result<SlackReply> {
        let view = &payload.payload["view"];
        let metadata = view["private_metadata"].as_str().unwrap_or_default();
        let Ok(dialog) = serde_json::from_str::<NoteDialog>(metadata) else {
            tracing::warn!(account_id, "a note dialog came back without its record");
            return Ok(SlackReply::Nothing);
        };
        let Some(actor) = self.slack_actor_of(account_id, payload).await? else {
            return Ok(SlackReply::field_error(
                NOTE_BODY,
                messages::UNMAPPED_DIALOG,
            ));
        };
        let body = view["state"]["values"][NOTE_BODY][NOTE_BODY]["value"]
            .as_str()
            .unwrap_or_default();
        let reply = Reply {
            account_id,
            response_url: self.slack_response_url(account_id, dialog.response_url.as_deref()),
            place: dialog.place.map_or(Place::Elsewhere, Place::Card),
        };
        let RecordRef { object_type: t, id } = dialog.record;
        let done = format!("{} added a note", actor.name());
        let added = self
            .add_note_with(&actor, t, id, body, |_| {
                let answer = reply.redraw(actor.user_id(), dialog.record, &done);
                done_from_slack(&actor, id, &done, answer)
            })
            .await;
        match added {
            Ok(_) => Ok(SlackReply::Nothing),
            Err(Error::Refused(why)) => Ok(SlackReply::field_error(NOTE_BODY, &why.to_string())),
            Err(e) => Err(e),
        }
    }
}
