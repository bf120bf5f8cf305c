//! What people do on a record's page besides editing it: comment (with
//! @mentions, which notify the mentioned users), add a note, archive.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use hubbub_hub::association::default_type;
use hubbub_hub::mention::mentioned_users;
use hubbub_hub::timestamp::{now_millis, to_iso};
use hubbub_hub::{record, HubError, ObjectType};
use hubbub_store::{NewNotification, StoreError};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::view::{labels, record_path, record_title};
use super::{detail, load_record, parse_id, Drafts, Kind};
use crate::ui::page::{see_other, user_name, PageError, PageResult};
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
fn validation_message(e: StoreError) -> Result<String, PageError> {
    match e {
        StoreError::Hub(HubError::Validation { message, .. }) => Ok(message),
        other => Err(other.into()),
    }
}

/// The record's page again, the draft kept beside why it was refused.
async fn refused(
    state: &AppState,
    viewer: &Viewer,
    t: ObjectType,
    id: i64,
    error: StoreError,
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
    let account_id = viewer.account_id();
    let id = parse_id(t, &id)?;
    let record = load_record(&state, &viewer, t, id).await?;
    let author = &viewer.session.user;
    let comment = match state
        .store
        .add_comment(account_id, id, author.id, &form.body)
        .await
    {
        Ok(c) => c,
        Err(e) => {
            let drafts_with = |error| Drafts {
                comment: form.body,
                comment_error: Some(error),
                ..Drafts::default()
            };
            return refused(&state, &viewer, t, id, e, drafts_with).await;
        }
    };
    let users = state.store.users(account_id).await?;
    let handles: Vec<(i64, String)> = users
        .iter()
        .filter(|u| !u.archived)
        .map(|u| (u.id, u.email.clone()))
        .collect();
    let title = format!(
        "{} mentioned you on {} {}",
        user_name(author),
        labels(t).0,
        record_title(&record)
    );
    for user_id in mentioned_users(&comment.body, &handles) {
        if user_id == author.id {
            continue;
        }
        state
            .store
            .notify(
                account_id,
                NewNotification {
                    user_id,
                    topic: "mention".into(),
                    title: title.clone(),
                    body: comment.body.clone(),
                    link: record_path(t, id),
                },
            )
            .await?;
    }
    Ok(see_other(&format!("{}#timeline", record_path(t, id))))
}

pub async fn note(
    State(state): State<AppState>,
    Kind(t): Kind,
    Path(id): Path<String>,
    CsrfForm { viewer, form }: CsrfForm<TextForm>,
) -> PageResult {
    let account_id = viewer.account_id();
    let id = parse_id(t, &id)?;
    load_record(&state, &viewer, t, id).await?;
    let Some(kind) = default_type(ObjectType::Note, t) else {
        return Err(PageError::not_found(format!(
            "Notes cannot be added to {}.",
            t.as_str()
        )));
    };
    let body = form.body.trim();
    let props = state
        .store
        .property_set(account_id, ObjectType::Note)
        .await?;
    let mut input = Map::new();
    input.insert("hs_note_body".into(), Value::String(body.to_owned()));
    input.insert("hs_timestamp".into(), Value::String(to_iso(now_millis())));
    input.insert(
        "hubspot_owner_id".into(),
        Value::String(viewer.session.user.id.to_string()),
    );
    let prepared = if body.is_empty() {
        Err(HubError::field(
            "REQUIRED_PROPERTY",
            "hs_note_body",
            "Write the note first.",
        ))
    } else {
        record::prepare_new(&props, &[], &input)
    };
    let created = match prepared {
        Ok(changes) => state
            .store
            .create_records(account_id, &props, vec![changes])
            .await
            .map(|mut r| r.pop().expect("one note created")),
        Err(e) => Err(e.into()),
    };
    let note = match created {
        Ok(note) => note,
        Err(e) => {
            let drafts_with = |error| Drafts {
                note: form.body,
                note_error: Some(error),
                ..Drafts::default()
            };
            return refused(&state, &viewer, t, id, e, drafts_with).await;
        }
    };
    state
        .store
        .associate(
            account_id,
            (ObjectType::Note, note.id),
            (t, id),
            &[kind.type_id],
        )
        .await?;
    Ok(see_other(&format!("{}#timeline", record_path(t, id))))
}

pub async fn archive(
    State(state): State<AppState>,
    Kind(t): Kind,
    Path(id): Path<String>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    let id = parse_id(t, &id)?;
    load_record(&state, &viewer, t, id).await?;
    state
        .store
        .archive_records(viewer.account_id(), t, &[id])
        .await?;
    Ok(see_other(&format!("/{t}")))
}
