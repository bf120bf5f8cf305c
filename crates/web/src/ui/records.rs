//! Record pages for contacts, companies, deals, tickets and tasks, driven
//! by the object type and the account's properties: an index with search
//! and paging, a detail page with associations and a timeline, create and
//! edit forms, and the deal and ticket boards.

mod activity;
mod board;
mod form;
mod links;
mod view;

use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use hubbub_app::display::Lookups;
use hubbub_app::history;
use hubbub_app::records::Updated;
use hubbub_app::Permission;
use hubbub_hub::association::default_type;
use hubbub_hub::auth::Access;
use hubbub_hub::mention;
use hubbub_hub::pipeline::{stage_label, Pipeline};
use hubbub_hub::property::{PropertySet, Storage};
use hubbub_hub::search::{Field, SearchPlan, SearchRequest, Sort};
use hubbub_hub::timestamp::parse_instant;
use hubbub_hub::{ObjectType, Record};
use hubbub_store::{Activity, Happened, User};
use serde::Deserialize;

use super::page::{render, Chrome, PageError, PageResult};
use super::session::Viewer;
use crate::AppState;
use hubbub_hub::timestamp::{format_day, format_instant};
use view::{KindView, PAGE_TYPES};

/// Rows on one page of an index.
const PAGE_SIZE: u32 = 25;

pub fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for t in PAGE_TYPES {
        let base = format!("/{}", t.as_str());
        if t.pipeline_properties().is_some() {
            router = router
                .route(&format!("{base}/board"), get(board::show))
                .route(&format!("{base}/{{id}}/stage"), post(board::change_stage));
        }
        router = router
            .route(&base, get(index))
            .route(&format!("{base}/new"), get(form::new).post(form::create))
            .route(&format!("{base}/{{id}}"), get(show))
            .route(
                &format!("{base}/{{id}}/edit"),
                get(form::edit).post(form::update),
            )
            .route(&format!("{base}/{{id}}/archive"), post(activity::archive))
            .route(&format!("{base}/{{id}}/comments"), post(activity::comment))
            .route(&format!("{base}/{{id}}/notes"), post(activity::note))
            .route(&format!("{base}/{{id}}/follow"), post(activity::follow))
            .route(&format!("{base}/{{id}}/unfollow"), post(activity::unfollow))
            .route(
                &format!("{base}/{{id}}/link/{{other}}"),
                get(links::find).post(links::link),
            )
            .route(
                &format!("{base}/{{id}}/unlink/{{other}}/{{to}}"),
                post(links::unlink),
            );
    }
    router
}

/// The record type a page is about, read from the first path segment.
pub struct Kind(pub ObjectType);

impl<S: Send + Sync> FromRequestParts<S> for Kind {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let first = parts
            .uri
            .path()
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default();
        PAGE_TYPES
            .into_iter()
            .find(|t| t.as_str() == first)
            .map(Kind)
            .ok_or_else(|| PageError::not_found("There is no such page."))
    }
}

/// A record id from the path; anything else is a missing page.
fn parse_id(t: ObjectType, raw: &str) -> Result<i64, PageError> {
    raw.parse()
        .ok()
        .filter(|id: &i64| *id > 0)
        .ok_or_else(|| missing(t, raw))
}

fn missing(t: ObjectType, id: impl std::fmt::Display) -> PageError {
    PageError::not_found(format!(
        "There is no {} {id} here. It may have been archived, or the link is wrong.",
        t.singular()
    ))
}

/// The confirmation of a saved change: where a deal or ticket moved when
/// its stage changed ("Deal moved to Contract Sent"), else that it saved.
fn saved_message(t: ObjectType, updated: &Updated, pipelines: &[Pipeline]) -> String {
    let moved_to = t
        .pipeline_properties()
        .filter(|(_, stage)| updated.changed.iter().any(|c| c == stage))
        .and_then(|(_, stage)| updated.record.properties.get(stage));
    match moved_to {
        Some(stage) => format!("{} moved to {}", t.label(), stage_label(pipelines, stage)),
        None => format!("{} saved", t.label()),
    }
}

/// A live record of the viewer's account, or a 404 page.
async fn load_record(
    state: &AppState,
    viewer: &Viewer,
    t: ObjectType,
    id: i64,
) -> Result<Record, PageError> {
    let found = state
        .app
        .store()
        .records_by_ids(viewer.account_id(), t, &[id], false)
        .await?;
    found.into_iter().next().ok_or_else(|| missing(t, id))
}

// ---------------------------------------------------------------- index

#[derive(Deserialize)]
pub struct IndexQuery {
    #[serde(default)]
    query: String,
    #[serde(default)]
    page: String,
}

pub struct IndexRow {
    href: String,
    title: String,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "records/index.html")]
struct IndexPage {
    chrome: Chrome,
    kind: KindView,
    query: String,
    title_heading: &'static str,
    headings: Vec<String>,
    rows: Vec<IndexRow>,
    total: i64,
    first_shown: i64,
    last_shown: i64,
    prev: Option<String>,
    next: Option<String>,
    error: Option<String>,
    /// The type's records move through pipeline stages, shown on a board.
    has_board: bool,
}

fn index_link(t: ObjectType, query: &str, page: u32) -> String {
    let mut params: Vec<(&str, String)> = Vec::new();
    if !query.is_empty() {
        params.push(("query", query.to_owned()));
    }
    if page > 1 {
        params.push(("page", page.to_string()));
    }
    let qs = serde_urlencoded::to_string(&params).unwrap_or_default();
    if qs.is_empty() {
        format!("/{t}")
    } else {
        format!("/{t}?{qs}")
    }
}

/// The plan for one page: the plain list newest first, or a free-text
/// search through the same request the API's search takes.
fn index_plan(props: &PropertySet, query: &str, page: u32) -> Result<SearchPlan, PageError> {
    let offset = (page - 1).saturating_mul(PAGE_SIZE);
    if query.is_empty() {
        return Ok(SearchPlan {
            condition: None,
            sort: Sort {
                field: Field::Id,
                descending: true,
            },
            limit: PAGE_SIZE,
            offset,
            properties: Vec::new(),
        });
    }
    let request = SearchRequest::free_text(query, PAGE_SIZE, offset);
    request.plan(props).map_err(|e| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            "Search failed",
            format!("This search cannot be shown: {e}"),
        )
    })
}

pub async fn index(
    State(state): State<AppState>,
    Kind(t): Kind,
    viewer: Viewer,
    Query(q): Query<IndexQuery>,
) -> PageResult {
    let actor = viewer.actor();
    let found = state.app.records(&actor, t, Access::Read).await?;
    let props = found.props();
    let lookups = state.app.lookups(viewer.account_id(), t).await?;
    let query = q.query.trim().to_owned();
    let page: u32 = q.page.parse().ok().filter(|p| *p >= 1).unwrap_or(1);
    let (total, records, error) = match index_plan(props, &query, page) {
        Ok(plan) => {
            let (total, records) = found.search(&plan).await?;
            (total, records, None)
        }
        Err(e) => (0, Vec::new(), Some(e.message)),
    };
    let columns = view::index_columns(t);
    let headings = columns
        .iter()
        .map(|c| props.get(c).map(|d| d.label.clone()).unwrap_or_default())
        .collect();
    let rows = records
        .iter()
        .map(|r| IndexRow {
            href: t.record_path(r.id),
            title: r.title(),
            cells: columns
                .iter()
                .map(|c| {
                    props
                        .get(c)
                        .map(|d| lookups.display(d, r))
                        .unwrap_or_default()
                })
                .collect(),
        })
        .collect::<Vec<_>>();
    let first_shown = i64::from((page - 1) * PAGE_SIZE) + 1;
    let last_shown = first_shown + rows.len() as i64 - 1;
    let kind = KindView::of(t);
    let title = if query.is_empty() {
        kind.many.to_owned()
    } else {
        format!("{} matching “{query}”", kind.many)
    };
    let page_view = IndexPage {
        chrome: Chrome::new(&viewer, kind.path, title),
        prev: (page > 1 && total > 0).then(|| index_link(t, &query, page - 1)),
        next: (last_shown < total).then(|| index_link(t, &query, page + 1)),
        kind,
        query,
        title_heading: view::title_column(t),
        headings,
        rows,
        total,
        first_shown,
        last_shown,
        error,
        has_board: t.pipeline_properties().is_some(),
    };
    Ok(render(&page_view))
}

// --------------------------------------------------------------- detail

pub struct PropRow {
    label: String,
    value: String,
}

pub struct AssocItem {
    id: i64,
    href: String,
    title: String,
    sub: String,
}

pub struct AssocGroup {
    label: &'static str,
    /// The other type's path segment (`companies`).
    path: &'static str,
    items: Vec<AssocItem>,
    new_href: String,
    new_label: String,
}

pub struct TimelineEntry {
    /// `note`, `task`, `comment` or `activity` (what someone did to the
    /// record outside its form: "Ada Admin completed the task via Slack").
    kind: &'static str,
    title: String,
    href: String,
    /// The entry's text; a comment's or a note's @mentions of users as
    /// their names.
    body: Vec<BodyPiece>,
    author: String,
    when: String,
    meta: String,
    at: i64,
    id: i64,
}

pub struct BodyPiece {
    text: String,
    /// The mentioned user's email, when the piece is a mention.
    mentions: Option<String>,
}

/// `text` as it is.
fn plain(text: String) -> Vec<BodyPiece> {
    match text.is_empty() {
        true => Vec::new(),
        false => vec![BodyPiece {
            text,
            mentions: None,
        }],
    }
}

/// `text` with each @mention of a user shown as `@Their Name`; `emails`
/// are the users' `(id, email)`, as [`mention::pieces`] reads them.
fn with_mentions(text: &str, users: &[User], emails: &[(i64, String)]) -> Vec<BodyPiece> {
    mention::pieces(text, emails)
        .into_iter()
        .map(|piece| {
            let user = piece
                .user_id
                .and_then(|id| users.iter().find(|u| u.id == id));
            match user {
                Some(user) => BodyPiece {
                    text: format!("@{}", user.display_name()),
                    mentions: Some(user.email.clone()),
                },
                None => BodyPiece {
                    text: piece.text.to_owned(),
                    mentions: None,
                },
            }
        })
        .collect()
}

/// What a person typed into the detail page's forms, kept when it could
/// not be saved.
#[derive(Default)]
pub struct Drafts {
    pub comment: String,
    pub comment_error: Option<String>,
    pub note: String,
    pub note_error: Option<String>,
}

#[derive(Template)]
#[template(path = "records/show.html")]
struct ShowPage {
    chrome: Chrome,
    kind: KindView,
    id: i64,
    title: String,
    props: Vec<PropRow>,
    groups: Vec<AssocGroup>,
    timeline: Vec<TimelineEntry>,
    can_note: bool,
    /// The viewer may change the record (a view-only seat may not).
    can_edit: bool,
    new_task_href: Option<String>,
    drafts: Drafts,
    /// The names of the record's followers, in the order they followed.
    followers: Vec<String>,
    /// The viewer follows it.
    following: bool,
    /// Whom a comment can mention, offered as one types `@`.
    mention_users: Vec<MentionUser>,
}

pub struct MentionUser {
    handle: String,
    name: String,
}

/// The account's active users, each with the handle that mentions them.
fn mention_users(users: &[User]) -> Vec<MentionUser> {
    let active: Vec<&User> = users.iter().filter(|u| !u.archived).collect();
    let emails: Vec<&str> = active.iter().map(|u| u.email.as_str()).collect();
    active
        .iter()
        .map(|u| MentionUser {
            handle: mention::handle_for(&u.email, &emails),
            name: u.display_name(),
        })
        .collect()
}

pub async fn show(
    State(state): State<AppState>,
    Kind(t): Kind,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id(t, &id)?;
    let page = detail(&state, &viewer, t, id, Drafts::default(), StatusCode::OK).await?;
    // Only a page that showed the record counts as a visit.
    state.app.record_viewed(&viewer.actor(), t, id).await?;
    Ok(page)
}

/// The detail page of a record (also shown again, with the typed text,
/// when a comment or note could not be saved).
pub async fn detail(
    state: &AppState,
    viewer: &Viewer,
    t: ObjectType,
    id: i64,
    drafts: Drafts,
    status: StatusCode,
) -> PageResult {
    let account_id = viewer.account_id();
    let record = load_record(state, viewer, t, id).await?;
    let props = state.app.store().property_set(account_id, t).await?;
    let lookups = state.app.lookups(account_id, t).await?;

    let mut rows: Vec<PropRow> = props
        .all()
        .iter()
        .filter(|d| d.storage == Storage::Value)
        .filter_map(|d| {
            let value = lookups.display(d, &record);
            (d.default_shown || !value.is_empty()).then(|| PropRow {
                label: d.label.clone(),
                value,
            })
        })
        .collect();
    rows.push(PropRow {
        label: "Created".into(),
        value: format_instant(record.created_at),
    });
    rows.push(PropRow {
        label: "Last modified".into(),
        value: format_instant(record.updated_at),
    });

    let mut groups = Vec::new();
    for other in [
        ObjectType::Contact,
        ObjectType::Company,
        ObjectType::Deal,
        ObjectType::Ticket,
    ] {
        if other == t || default_type(t, other).is_none() {
            continue;
        }
        let items = associated(state, account_id, id, other)
            .await?
            .iter()
            .map(|r| AssocItem {
                id: r.id,
                href: other.record_path(r.id),
                title: r.title(),
                sub: subtitle(r),
            })
            .collect();
        let other_kind = KindView::of(other);
        groups.push(AssocGroup {
            label: other_kind.many,
            path: other_kind.path,
            items,
            new_href: format!("/{other}/new?with={t}/{id}"),
            new_label: format!("New {}", other.singular()),
        });
    }

    let mut timeline = Vec::new();
    let emails: Vec<(i64, String)> = lookups
        .users
        .iter()
        .map(|u| (u.id, u.email.clone()))
        .collect();
    let name_of = |owner: Option<&String>| {
        owner
            .and_then(|o| o.parse().ok())
            .and_then(|uid| lookups.user(uid))
            .map(User::display_name)
            .unwrap_or_default()
    };
    if default_type(t, ObjectType::Note).is_some() {
        for note in associated(state, account_id, id, ObjectType::Note).await? {
            let at = note
                .properties
                .get("hs_timestamp")
                .and_then(|v| parse_instant(v))
                .unwrap_or(note.created_at);
            timeline.push(TimelineEntry {
                kind: "note",
                title: String::new(),
                href: String::new(),
                body: with_mentions(
                    note.properties
                        .get("hs_note_body")
                        .map_or("", String::as_str),
                    &lookups.users,
                    &emails,
                ),
                author: name_of(note.properties.get("hubspot_owner_id")),
                when: format_instant(at),
                meta: String::new(),
                at,
                id: note.id,
            });
        }
    }
    if default_type(t, ObjectType::Task).is_some() {
        let task_props = state
            .app
            .store()
            .property_set(account_id, ObjectType::Task)
            .await?;
        for task in associated(state, account_id, id, ObjectType::Task).await? {
            let mut meta = Vec::new();
            if let Some(due) = task
                .properties
                .get("hs_timestamp")
                .and_then(|v| parse_instant(v))
            {
                meta.push(format!("Due {}", format_day(due)));
            }
            if let (Some(def), Some(status)) = (
                task_props.get("hs_task_status"),
                task.properties.get("hs_task_status"),
            ) {
                meta.push(view::display_value(def, status));
            }
            let assignee = name_of(task.properties.get("hubspot_owner_id"));
            if !assignee.is_empty() {
                meta.push(format!("Assigned to {assignee}"));
            }
            timeline.push(TimelineEntry {
                kind: "task",
                title: task.title(),
                href: ObjectType::Task.record_path(task.id),
                body: plain(
                    task.properties
                        .get("hs_task_body")
                        .cloned()
                        .unwrap_or_default(),
                ),
                author: String::new(),
                when: format_instant(task.created_at),
                meta: meta.join(" · "),
                at: task.created_at,
                id: task.id,
            });
        }
    }
    for c in state.app.store().comments(account_id, id).await? {
        timeline.push(TimelineEntry {
            kind: "comment",
            title: String::new(),
            href: String::new(),
            body: with_mentions(&c.body, &lookups.users, &emails),
            author: lookups
                .user(c.author_id)
                .map(User::display_name)
                .unwrap_or_else(|| "Someone".into()),
            when: format_instant(c.created_at),
            meta: String::new(),
            at: c.created_at,
            id: c.id,
        });
    }
    for a in state.app.store().record_activity(account_id, id).await? {
        timeline.push(history_entry(a, &record, &props, &lookups));
    }
    timeline.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));

    let actor = viewer.actor();
    let followers = state.app.followers(&actor, t, id).await?;
    let following = followers.iter().any(|u| u.id == viewer.session.user.id);
    let kind = KindView::of(t);
    let title = record.title();
    let page = ShowPage {
        followers: followers.iter().map(User::display_name).collect(),
        following,
        mention_users: mention_users(&lookups.users),
        chrome: Chrome::new(viewer, kind.path, format!("{} · {title}", kind.one)),
        kind,
        id,
        title,
        props: rows,
        groups,
        timeline,
        can_note: default_type(ObjectType::Note, t).is_some()
            && state
                .app
                .may(&actor, Permission::Records(ObjectType::Note, Access::Write)),
        can_edit: state.app.may(&actor, Permission::Records(t, Access::Write)),
        new_task_href: default_type(ObjectType::Task, t)
            .is_some()
            .then(|| format!("/tasks/new?with={t}/{id}")),
        drafts,
    };
    Ok((status, render(&page)).into_response())
}

/// A line of the record's history: in words as written, or what changed
/// (labels and values as they read today), who did it and from where.
fn history_entry(
    a: Activity,
    record: &Record,
    props: &PropertySet,
    lookups: &Lookups,
) -> TimelineEntry {
    let who = || match a.user_id {
        Some(user_id) => lookups
            .user(user_id)
            .map_or_else(|| "A former user".to_owned(), User::display_name),
        None if a.via == "api" => "An API client".to_owned(),
        None => "The hub".to_owned(),
    };
    let place = || history::via_words(&a.via).unwrap_or_default().to_owned();
    let one = record.object_type.singular();
    let (text, author, meta) = match a.happened {
        // Written in words, who and where included.
        Happened::Said(text) => (text, String::new(), String::new()),
        Happened::Created => (format!("Created the {one}"), who(), place()),
        Happened::Archived => (format!("Archived the {one}"), who(), place()),
        Happened::Changed {
            property,
            before,
            after,
        } => (
            change_text(&property, before, after, record, props, lookups),
            who(),
            place(),
        ),
    };
    TimelineEntry {
        kind: "activity",
        title: String::new(),
        href: String::new(),
        body: plain(text),
        author,
        when: format_instant(a.created_at),
        meta,
        at: a.created_at,
        id: a.id,
    }
}

/// "Stage: Qualified To Buy → Contract Sent".
fn change_text(
    property: &str,
    before: Option<String>,
    after: Option<String>,
    record: &Record,
    props: &PropertySet,
    lookups: &Lookups,
) -> String {
    let Some(def) = props.get(property) else {
        return format!("{property} changed");
    };
    let shown = |value: Option<String>| match value {
        Some(raw) => lookups.display_in(def, record, &raw),
        None => "—".to_owned(),
    };
    format!("{}: {} → {}", def.label, shown(before), shown(after))
}

/// The live records of `other` associated with record `id`.
async fn associated(
    state: &AppState,
    account_id: i64,
    id: i64,
    other: ObjectType,
) -> Result<Vec<Record>, PageError> {
    let ids: Vec<i64> = state
        .app
        .store()
        .associations(account_id, &[id], other)
        .await?
        .remove(&id)
        .unwrap_or_default()
        .into_iter()
        .map(|a| a.to_id)
        .collect();
    Ok(state
        .app
        .store()
        .records_by_ids(account_id, other, &ids, false)
        .await?)
}

/// A short second line for an associated record.
fn subtitle(r: &Record) -> String {
    let get = |n: &str| r.properties.get(n).cloned().unwrap_or_default();
    match r.object_type {
        ObjectType::Contact => get("email"),
        ObjectType::Company => get("domain"),
        ObjectType::Deal => {
            let amount = get("amount");
            if amount.is_empty() {
                amount
            } else {
                view::format_number(&amount)
            }
        }
        _ => String::new(),
    }
}
