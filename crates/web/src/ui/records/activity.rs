//! What people do on a record's page besides editing it: comment (with
//! @mentions, which notify the mentioned users), add a note, archive. The
//! rules are `hubbub_app::records`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use hubbub_app::Error as AppError;
use hubbub_hub::{HubError, ObjectType};
use serde::Deserialize;

use super::{detail, parse_id, Drafts, Kind};
use crate::ui::flash::see_other_confirming;
use crate::ui::page::{see_other, PageError, PageResult};
use crate::ui::session::{CsrfForm, Viewer};
use crate::AppState;

#[derive(Deserialize)]
pub struct TextForm {
    #[serde(default)]
    body: String,
}

#[derive(Deserialize)]
pub struct NoFields {}

/// The message of a validation failure, to show beside the form; other
/// failures become error pages.
fn validation_message(e: AppError) -> Result<String, PageError> {
    match e {
        AppError::Refused(HubError::Validation { message, .. }) => Ok(message),
        other => Err(other.into()),
    }
}

/// The record's page again, the draft kept beside why it was refused.
async fn refused(
    state: &AppState,
    viewer: &Viewer,
    t: ObjectType,
    id: i64,
    error: AppError,
    drafts_with: impl FnOnce(String) -> Drafts,
) -> PageResult {
    let drafts = drafts_with(validation_message(error)?);
    detail(
        state,
        viewer,
        t,
        id,
        drafts,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

pub async fn comment(
    State(state): State<AppState>,
    Kind(t): Kind,
    Path(id): Path<String>,
    CsrfForm { viewer, form }: CsrfForm<TextForm>,
) -> PageResult {
    let id = parse_id(t, &id)?;
    if let Err(e) = state.app.comment(&viewer.actor(), t, id, &form.body).await {
        let drafts_with = |error| Drafts {
            comment: form.body,
            comment_error: Some(error),
            ..Drafts::default()
        };
        return refused(&state, &viewer, t, id, e, drafts_with).await;
    }
    Ok(see_other(&format!("{}#timeline", t.record_path(id))))
}

pub async fn note(
    State(state): State<AppState>,
    Kind(t): Kind,
    Path(id): Path<String>,
    CsrfForm { viewer, form }: CsrfForm<TextForm>,
) -> PageResult {
    let id = parse_id(t, &id)?;
    if let Err(e) = state.app.add_note(&viewer.actor(), t, id, &form.body).await {
        let drafts_with = |error| Drafts {
            note: form.body,
            note_error: Some(error),
            ..Drafts::default()
        };
        return refused(&state, &viewer, t, id, e, drafts_with).await;
    }
    Ok(see_other(&format!("{}#timeline", t.record_path(id))))
}

pub async fn archive(
    State(state): State<AppState>,
    Kind(t): Kind,
    Path(id): Path<String>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    let id = parse_id(t, &id)?;
    state.app.archive_record(&viewer.actor(), t, id).await?;
    let done = format!("{} archived", t.label());
    Ok(see_other_confirming(
        &state,
        &viewer,
        &format!("/{t}"),
        &done,
    ))
}

/// Follow: hear about the record's comments and stage changes.
pub async fn follow(
    state: State<AppState>,
    kind: Kind,
    id: Path<String>,
    form: CsrfForm<NoFields>,
) -> PageResult {
    following(state, kind, id, form, true).await
}

pub async fn unfollow(
    state: State<AppState>,
    kind: Kind,
    id: Path<String>,
    form: CsrfForm<NoFields>,
) -> PageResult {
    following(state, kind, id, form, false).await
}

async fn following(
    State(state): State<AppState>,
    Kind(t): Kind,
    Path(id): Path<String>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
    on: bool,
) -> PageResult {
    let id = parse_id(t, &id)?;
    let actor = viewer.actor();
    match on {
        true => state.app.follow(&actor, t, id).await?,
        false => state.app.unfollow(&actor, t, id).await?,
    }
    Ok(see_other(&format!("{}#followers", t.record_path(id))))
}
