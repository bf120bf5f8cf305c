//! The inbox: the account's conversations with website visitors, by
//! status and assignee, and one conversation's page, where the team
//! answers, leaves private notes, assigns, closes and reopens. Everything
//! a visitor wrote is shown as text (the templates escape it).
//!
//! The conversation page works as plain forms; its script refreshes the
//! messages every few seconds and tells the visitor while an agent types.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use hubbub_app::conversations::{Reply, ReplySender};
use hubbub_app::{Error as AppError, Permission};
use hubbub_hub::auth::Access;
use hubbub_hub::conversation::{classify_reply, Author, Delivery, Status};
use hubbub_hub::timestamp::format_instant;
use hubbub_hub::{HubError, ObjectType};
use hubbub_store::{Conversation, ConversationFilter, Message, User, Visitor};
use serde::Deserialize;

use super::page::{render, see_other, Chrome, PageError, PageResult};
use super::session::{CsrfForm, Viewer};
use super::settings::{NoFields, Notice};
use crate::AppState;

/// Conversations on one page of the list.
const PAGE_SIZE: i64 = 50;

/// How much of the latest message the list shows, in characters.
const PREVIEW_CHARS: usize = 140;

/// What the list and the page call a visitor who gave no name.
const UNNAMED_VISITOR: &str = "Website visitor";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(index))
        .route("/inbox/{id}", get(show))
        .route("/inbox/{id}/messages", get(messages))
        .route("/inbox/{id}/reply", post(reply))
        .route("/inbox/{id}/assign", post(assign))
        .route("/inbox/{id}/close", post(close))
        .route("/inbox/{id}/reopen", post(reopen))
        .route("/inbox/{id}/typing", post(typing))
}

pub(crate) fn conversation_path(id: i64) -> String {
    format!("/inbox/{id}")
}

pub(crate) fn visitor_title(name: Option<&str>) -> String {
    name.unwrap_or(UNNAMED_VISITOR).to_owned()
}

/// A conversation id from the path; anything else is a missing page.
fn parse_id(raw: &str) -> Result<i64, PageError> {
    raw.parse()
        .ok()
        .filter(|id: &i64| *id > 0)
        .ok_or_else(|| PageError::not_found(format!("There is no conversation {raw} here.")))
}

// ----------------------------------------------------------------- list

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    assignee: String,
    /// The paging cursor: the last row's latest activity and id.
    #[serde(default)]
    before: String,
}

/// Which conversations by assignee: all, the viewer's, or nobody's.
#[derive(Clone, Copy, PartialEq)]
enum Whose {
    All,
    Mine,
    Unassigned,
}

impl Whose {
    fn parse(s: &str) -> Whose {
        match s {
            "mine" => Whose::Mine,
            "unassigned" => Whose::Unassigned,
            _ => Whose::All,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Whose::All => "all",
            Whose::Mine => "mine",
            Whose::Unassigned => "unassigned",
        }
    }
}

fn list_link(status: Status, whose: Whose, before: Option<(i64, i64)>) -> String {
    let mut params = vec![
        ("status", status.as_str().to_owned()),
        ("assignee", whose.as_str().to_owned()),
    ];
    if let Some((at, id)) = before {
        params.push(("before", format!("{at}.{id}")));
    }
    format!(
        "/inbox?{}",
        serde_urlencoded::to_string(&params).unwrap_or_default()
    )
}

fn parse_before(raw: &str) -> Option<(i64, i64)> {
    let (at, id) = raw.split_once('.')?;
    Some((at.parse().ok()?, id.parse().ok()?))
}

pub struct Tab {
    label: &'static str,
    href: String,
    current: bool,
    testid: &'static str,
}

pub struct Row {
    href: String,
    id: i64,
    visitor: String,
    email: String,
    /// Who wrote the latest message (`Visitor`, an agent's name, or
    /// `Note by` one).
    last_by: String,
    last_text: String,
    when: String,
    assignee: String,
    inbox: String,
}

#[derive(Template)]
#[template(path = "inbox/index.html")]
struct ListPage {
    chrome: Chrome,
    status_tabs: Vec<Tab>,
    whose_tabs: Vec<Tab>,
    rows: Vec<Row>,
    /// The account has several inboxes: each row says which.
    show_inbox: bool,
    older: Option<String>,
    empty: &'static str,
}

async fn index(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let status = Status::parse(&q.status).unwrap_or(Status::Open);
    let whose = Whose::parse(&q.assignee);
    let filter = ConversationFilter {
        status: Some(status),
        assignee: match whose {
            Whose::All => None,
            Whose::Mine => Some(Some(viewer.session.user.id)),
            Whose::Unassigned => Some(None),
        },
        before: parse_before(&q.before),
        ..ConversationFilter::default()
    };
    let actor = viewer.actor();
    let mut conversations = state
        .app
        .conversations(&actor, &filter, PAGE_SIZE + 1)
        .await?;
    let more = conversations.len() as i64 > PAGE_SIZE;
    conversations.truncate(PAGE_SIZE as usize);

    let account_id = viewer.account_id();
    let store = state.app.store();
    let ids: Vec<i64> = conversations.iter().map(|c| c.id).collect();
    let previews = store.conversation_previews(account_id, &ids).await?;
    let users = store.users(account_id).await?;
    let inboxes = store.inboxes(account_id).await?;
    let rows = conversations
        .iter()
        .map(|c| {
            let preview = previews.get(&c.id).cloned().unwrap_or_default();
            let agent = || name_of(&users, preview.last_user_id).unwrap_or_else(|| "Team".into());
            let last_by = match preview.last_author {
                Some(Author::Visitor) => "Visitor".to_owned(),
                Some(Author::Agent) => agent(),
                Some(Author::Note) => format!("Note by {}", agent()),
                None => String::new(),
            };
            Row {
                href: conversation_path(c.id),
                id: c.id,
                visitor: visitor_title(preview.visitor_name.as_deref()),
                email: preview.visitor_email.unwrap_or_default(),
                last_by,
                last_text: shortened(&preview.last_text.unwrap_or_default()),
                when: format_instant(c.last_message_at),
                assignee: name_of(&users, c.assignee_id).unwrap_or_default(),
                inbox: inboxes
                    .iter()
                    .find(|i| i.id == c.inbox_id)
                    .map(|i| i.name.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let tab = |label, s: Status, w: Whose, testid| Tab {
        label,
        href: list_link(s, w, None),
        current: s == status && w == whose,
        testid,
    };
    let status_tabs = vec![
        Tab {
            current: status == Status::Open,
            ..tab("Open", Status::Open, whose, "tab-open")
        },
        Tab {
            current: status == Status::Closed,
            ..tab("Closed", Status::Closed, whose, "tab-closed")
        },
    ];
    let whose_tabs = vec![
        tab("All", status, Whose::All, "tab-all"),
        tab("Mine", status, Whose::Mine, "tab-mine"),
        tab("Unassigned", status, Whose::Unassigned, "tab-unassigned"),
    ];
    let older = more
        .then(|| conversations.last())
        .flatten()
        .map(|c| list_link(status, whose, Some((c.last_message_at, c.id))));
    let empty = match (status, whose) {
        (Status::Open, Whose::All) => {
            "No open conversations. New chats from your website appear here."
        }
        (Status::Open, Whose::Mine) => "No open conversations are assigned to you.",
        (Status::Open, Whose::Unassigned) => "Every open conversation has someone on it.",
        (Status::Closed, _) => "No closed conversations here.",
    };
    let page = ListPage {
        chrome: Chrome::new(&viewer, "inbox", "Inbox"),
        status_tabs,
        whose_tabs,
        rows,
        show_inbox: inboxes.len() > 1,
        older,
        empty,
    };
    Ok(render(&page))
}

/// The start of a message, on one line.
pub(crate) fn shortened(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= PREVIEW_CHARS {
        line
    } else {
        let cut: String = line.chars().take(PREVIEW_CHARS).collect();
        format!("{}…", cut.trim_end())
    }
}

fn name_of(users: &[User], id: Option<i64>) -> Option<String> {
    let id = id?;
    users.iter().find(|u| u.id == id).map(User::display_name)
}

// ----------------------------------------------------------------- page

pub struct MessageView {
    id: i64,
    /// `visitor`, `agent` or `note` (the CSS class and the test id).
    kind: &'static str,
    author: String,
    text: String,
    when: String,
    /// How far an agent's answer got to the visitor.
    delivery: String,
    /// Written in Slack, or through the API.
    via: &'static str,
}

pub struct AssigneeOption {
    id: i64,
    name: String,
    selected: bool,
}

pub struct ContactLink {
    href: String,
    title: String,
}

/// What was typed in the reply box, kept when it could not be sent.
#[derive(Default)]
struct Draft {
    text: String,
    private: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "inbox/show.html")]
struct ConversationPage {
    chrome: Chrome,
    notice: Option<Notice>,
    id: i64,
    title: String,
    visitor_email: String,
    /// The page the visitor wrote from, and whether it is a web address
    /// that may be a link.
    page_url: String,
    page_link: bool,
    contact: Option<ContactLink>,
    inbox: String,
    open: bool,
    assignee: Option<String>,
    assigned_to_me: bool,
    messages: Vec<MessageView>,
    may_write: bool,
    /// Why the viewer may not answer, when they may not.
    read_only: String,
    assignees: Vec<AssigneeOption>,
    draft: Draft,
}

/// The messages alone, for the page's refresh.
#[derive(Template)]
#[template(path = "inbox/messages.html")]
struct MessagesFragment {
    id: i64,
    messages: Vec<MessageView>,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    done: Option<String>,
    /// The refresh asks with `seen=1` while the page is in view.
    #[serde(default)]
    seen: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let id = parse_id(&id)?;
    let actor = viewer.actor();
    // Opening the conversation is seeing it: the visitor's widget says so.
    state.app.agent_sees(&actor, id).await?;
    let mut page = conversation_page(&state, &viewer, id, Draft::default()).await?;
    page.notice = done_notice(q.done.as_deref(), &page);
    Ok(render(&page))
}

async fn messages(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let id = parse_id(&id)?;
    let actor = viewer.actor();
    if q.seen.as_deref() == Some("1") {
        state.app.agent_sees(&actor, id).await?;
    }
    let (conversation, visitor, messages) = state.app.conversation(&actor, id).await?;
    let users = state.app.store().users(viewer.account_id()).await?;
    Ok(render(&MessagesFragment {
        id: conversation.id,
        messages: message_views(&messages, &visitor, &users),
    }))
}

async fn conversation_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    draft: Draft,
) -> Result<ConversationPage, PageError> {
    let actor = viewer.actor();
    let (conversation, visitor, messages) = state.app.conversation(&actor, id).await?;
    let account_id = viewer.account_id();
    let store = state.app.store();
    let users = store.users(account_id).await?;
    let inbox = store.inbox(account_id, conversation.inbox_id).await?;
    let contact = contact_link(state, &conversation).await?;
    let permission = Permission::Conversations(Access::Write);
    let read_only = match state.app.denial(&actor, permission).await? {
        Some(refusal) => refusal.to_string(),
        None => String::new(),
    };
    let page_url = conversation.page_url.clone().unwrap_or_default();
    let page_link =
        url::Url::parse(&page_url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    let me = viewer.session.user.id;
    Ok(ConversationPage {
        chrome: Chrome::new(
            viewer,
            "inbox",
            format!("Conversation · {}", visitor_title(visitor.name.as_deref())),
        ),
        notice: None,
        id: conversation.id,
        title: visitor_title(visitor.name.as_deref()),
        visitor_email: visitor.email.clone().unwrap_or_default(),
        page_url,
        page_link,
        contact,
        inbox: inbox.name,
        open: conversation.status == Status::Open,
        assignee: name_of(&users, conversation.assignee_id),
        assigned_to_me: conversation.assignee_id == Some(me),
        messages: message_views(&messages, &visitor, &users),
        may_write: read_only.is_empty(),
        read_only,
        assignees: users
            .iter()
            .filter(|u| !u.archived)
            .map(|u| AssigneeOption {
                id: u.id,
                name: u.display_name(),
                selected: conversation.assignee_id == Some(u.id),
            })
            .collect(),
        draft,
    })
}

/// The contact the conversation is associated with, while it is live.
async fn contact_link(
    state: &AppState,
    conversation: &Conversation,
) -> Result<Option<ContactLink>, PageError> {
    let Some(contact_id) = conversation.contact_id else {
        return Ok(None);
    };
    let found = state
        .app
        .store()
        .records_by_ids(
            conversation.account_id,
            ObjectType::Contact,
            &[contact_id],
            false,
        )
        .await?;
    Ok(found.into_iter().next().map(|r| ContactLink {
        href: ObjectType::Contact.record_path(r.id),
        title: r.title(),
    }))
}

fn message_views(messages: &[Message], visitor: &Visitor, users: &[User]) -> Vec<MessageView> {
    let agent = |m: &Message| name_of(users, m.user_id).unwrap_or_else(|| "The team".into());
    messages
        .iter()
        .map(|m| {
            let (kind, author) = match m.author {
                Author::Visitor => ("visitor", visitor_title(visitor.name.as_deref())),
                Author::Agent => ("agent", agent(m)),
                Author::Note => ("note", agent(m)),
            };
            let delivery = match (m.delivery, m.delivery_reason.as_deref()) {
                (Some(Delivery::Failed), Some(why)) => format!("Not delivered: {why}"),
                (Some(Delivery::Failed), None) => "Not delivered".to_owned(),
                (Some(Delivery::Seen), _) => "Seen".to_owned(),
                (Some(Delivery::Delivered), _) => "Delivered".to_owned(),
                (Some(Delivery::Sent), _) => "Sent".to_owned(),
                (None, _) => String::new(),
            };
            MessageView {
                id: m.id,
                kind,
                author,
                text: m.text.clone(),
                when: format_instant(m.created_at),
                delivery,
                via: match m.via.as_str() {
                    "slack" => "via Slack",
                    "api" => "through the API",
                    _ => "",
                },
            }
        })
        .collect()
}

/// The message for a `done` code; only known codes show one.
fn done_notice(done: Option<&str>, page: &ConversationPage) -> Option<Notice> {
    let text = match done? {
        "replied" => "Sent to the visitor.".to_owned(),
        "noted" => "Private note added: only your team sees it.".to_owned(),
        "assigned" => match &page.assignee {
            Some(name) => format!("Assigned to {name}."),
            None => "The conversation is unassigned.".to_owned(),
        },
        "closed" => "The conversation is closed.".to_owned(),
        "reopened" => "The conversation is open again.".to_owned(),
        _ => return None,
    };
    Some(Notice::ok(text))
}

// -------------------------------------------------------------- actions

#[derive(Deserialize)]
pub struct ReplyFields {
    #[serde(default)]
    text: String,
    /// The "Private note" checkbox; absent when unchecked.
    #[serde(default)]
    private: Option<String>,
}

async fn reply(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { viewer, form }: CsrfForm<ReplyFields>,
) -> PageResult {
    let id = parse_id(&id)?;
    // A reply beginning with `note:` stays private, as it does from Slack.
    let (kind, text) = classify_reply(&form.text);
    let private = form.private.is_some() || kind == Author::Note;
    let sent = state
        .app
        .reply(
            &viewer.actor(),
            id,
            &Reply {
                text,
                private,
                sender: ReplySender::Actor,
                slack_ts: None,
            },
        )
        .await;
    match sent {
        Ok(_) => {
            let done = if private { "noted" } else { "replied" };
            Ok(see_other(&format!(
                "{}?done={done}#reply",
                conversation_path(id)
            )))
        }
        Err(AppError::Refused(e @ HubError::Validation { .. })) => {
            let draft = Draft {
                text: form.text,
                private: form.private.is_some(),
                error: Some(e.to_string()),
            };
            let page = conversation_page(&state, &viewer, id, draft).await?;
            Ok((StatusCode::BAD_REQUEST, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct AssignFields {
    /// A user's id; empty to unassign.
    #[serde(default)]
    assignee: String,
}

async fn assign(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { viewer, form }: CsrfForm<AssignFields>,
) -> PageResult {
    let id = parse_id(&id)?;
    let assignee = match form.assignee.trim() {
        "" => None,
        raw => Some(raw.parse::<i64>().map_err(|_| {
            PageError::new(
                StatusCode::BAD_REQUEST,
                "Invalid input",
                "Choose someone from the list to assign the conversation to.",
            )
        })?),
    };
    state
        .app
        .assign_conversation(&viewer.actor(), id, assignee)
        .await?;
    Ok(see_other(&format!(
        "{}?done=assigned",
        conversation_path(id)
    )))
}

async fn close(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    let id = parse_id(&id)?;
    state.app.close_conversation(&viewer.actor(), id).await?;
    Ok(see_other(&format!("{}?done=closed", conversation_path(id))))
}

async fn reopen(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    let id = parse_id(&id)?;
    state.app.reopen_conversation(&viewer.actor(), id).await?;
    Ok(see_other(&format!(
        "{}?done=reopened",
        conversation_path(id)
    )))
}

/// The page's script, while an agent types an answer: the visitor's
/// widget shows that someone is typing.
async fn typing(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    let id = parse_id(&id)?;
    state.app.agent_typing(&viewer.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
