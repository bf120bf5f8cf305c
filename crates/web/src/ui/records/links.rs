//! Linking a record to existing ones from its page: the records of another
//! type found as one types (the index's free-text search), linked with
//! the default association of the two types, as the v4 API's
//! `associations/default` does, or unlinked.

use std::str::FromStr;

use askama::Template;
use axum::extract::{Path, Query, State};
use hubbub_hub::association::default_type;
use hubbub_hub::auth::Access;
use hubbub_hub::search::SearchRequest;
use hubbub_hub::ObjectType;
use serde::Deserialize;

use super::view::{KindView, PAGE_TYPES};
use super::{associated, load_record, parse_id, subtitle, Kind};
use crate::ui::flash::see_other_confirming;
use crate::ui::page::{render, Chrome, PageError, PageResult};
use crate::ui::session::{CsrfForm, Viewer};
use crate::AppState;

/// Candidates one search shows.
const FOUND_SHOWN: u32 = 10;

#[derive(Deserialize)]
pub struct FindQuery {
    #[serde(default)]
    query: String,
}

#[derive(Deserialize)]
pub struct LinkForm {
    to: i64,
}

#[derive(Deserialize)]
pub struct NoFields {}

pub struct Candidate {
    id: i64,
    title: String,
    sub: String,
    linked: bool,
}

#[derive(Template)]
#[template(path = "records/link.html")]
struct LinkPage {
    chrome: Chrome,
    kind: KindView,
    other: KindView,
    id: i64,
    title: String,
    query: String,
    found: Vec<Candidate>,
    total: i64,
}

/// The type named in the path that records of type `t` link to, or a
/// missing page.
fn other_type(t: ObjectType, raw: &str) -> Result<ObjectType, PageError> {
    ObjectType::from_str(raw)
        .ok()
        .filter(|o| PAGE_TYPES.contains(o) && *o != t && default_type(t, *o).is_some())
        .ok_or_else(|| PageError::not_found("There is no such page."))
}

fn record_page(t: ObjectType, id: i64, other: ObjectType) -> String {
    format!("{}#associated-{}", t.record_path(id), other.as_str())
}

/// `/{type}/{id}/link/{other}?query=…`: the records of `other` matching
/// the query (the newest when it is empty), each with Link unless linked.
pub async fn find(
    State(state): State<AppState>,
    Kind(t): Kind,
    viewer: Viewer,
    Path((id, other)): Path<(String, String)>,
    Query(q): Query<FindQuery>,
) -> PageResult {
    let id = parse_id(t, &id)?;
    let other = other_type(t, &other)?;
    let record = load_record(&state, &viewer, t, id).await?;
    let actor = viewer.actor();
    let records = state.app.records(&actor, other, Access::Read).await?;
    let query = q.query.trim().to_owned();
    let plan = SearchRequest::free_text(&query, FOUND_SHOWN, 0).plan(records.props())?;
    let (total, found) = records.search(&plan).await?;
    let linked: Vec<i64> = associated(&state, viewer.account_id(), id, other)
        .await?
        .iter()
        .map(|r| r.id)
        .collect();
    let kind = KindView::of(t);
    let other_kind = KindView::of(other);
    let page = LinkPage {
        chrome: Chrome::new(
            &viewer,
            kind.path,
            format!("Link {} · {}", other_kind.lower, record.title()),
        ),
        found: found
            .iter()
            .map(|r| Candidate {
                id: r.id,
                title: r.title(),
                sub: subtitle(r),
                linked: linked.contains(&r.id),
            })
            .collect(),
        kind,
        other: other_kind,
        id,
        title: record.title(),
        query,
        total,
    };
    Ok(render(&page))
}

/// Links the record to record `to` of `other`, then back to its page.
pub async fn link(
    State(state): State<AppState>,
    Kind(t): Kind,
    Path((id, other)): Path<(String, String)>,
    CsrfForm { viewer, form }: CsrfForm<LinkForm>,
) -> PageResult {
    let id = parse_id(t, &id)?;
    let other = other_type(t, &other)?;
    state
        .app
        .associate_default(&viewer.actor(), (t, id), (other, form.to))
        .await?;
    let done = format!("{} linked", other.label());
    Ok(see_other_confirming(
        &state,
        &viewer,
        &record_page(t, id, other),
        &done,
    ))
}

/// Unlinks the record from record `to` of `other`, then back to its page.
pub async fn unlink(
    State(state): State<AppState>,
    Kind(t): Kind,
    Path((id, other, to)): Path<(String, String, String)>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    let id = parse_id(t, &id)?;
    let other = other_type(t, &other)?;
    let to = parse_id(other, &to)?;
    state
        .app
        .dissociate(&viewer.actor(), (t, id), (other, to))
        .await?;
    let done = format!("{} unlinked", other.label());
    Ok(see_other_confirming(
        &state,
        &viewer,
        &record_page(t, id, other),
        &done,
    ))
}
