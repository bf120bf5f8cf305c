//! `/conversations/v3/conversations/threads`: HubSpot's Conversations API
//! over the inbox's chats. A thread is a conversation, its messages are
//! the visitor's and the team's (`MESSAGE`) and the team's private notes
//! (`COMMENT`); they are read, answered and closed or reopened through the
//! same use cases as the hub's inbox page, with the token's
//! `conversations.read` and `conversations.write` scopes.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use hubbub_app::conversations::{Reply, ReplySender};
use hubbub_hub::conversation::{
    agent_actor_id, parse_agent_actor_id, visitor_actor_id, Author, Delivery, Status,
};
use hubbub_hub::timestamp::to_iso;
use hubbub_hub::HubError;
use hubbub_store::{Conversation, ConversationFilter, Message, User, Visitor};
use serde::Deserialize;
use serde_json::{json, Value};

use super::present;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Grant, QueryParams};
use crate::AppState;

/// HubSpot's channel id for live chat, which every conversation here is.
const LIVE_CHAT_CHANNEL: &str = "1000";

const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 100;

const THREADS_PATH: &str = "/conversations/v3/conversations/threads";

fn thread_not_found(raw: &str) -> HubError {
    HubError::NotFound(format!("Thread {raw} does not exist"))
}

/// A thread id from the path: anything but a number is a thread that does
/// not exist.
fn thread_id(raw: &str) -> Result<i64, HubError> {
    raw.trim().parse().map_err(|_| thread_not_found(raw))
}

/// A number given as a query parameter, or a clear refusal.
fn number_param(params: &QueryParams, name: &'static str) -> ApiResult<Option<i64>> {
    match params.get(name).map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(raw) => raw.parse().map(Some).map_err(|_| {
            HubError::field(
                "INVALID_PARAMETER",
                name,
                format!("{name} must be a number, not {raw:?}"),
            )
            .into()
        }),
    }
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Open => "OPEN",
        Status::Closed => "CLOSED",
    }
}

fn parse_status(raw: &str, field: &'static str) -> Result<Status, HubError> {
    Status::parse(raw).ok_or_else(|| {
        HubError::field(
            "INVALID_STATUS",
            field,
            format!("{field} must be OPEN or CLOSED, not {raw:?}"),
        )
    })
}

/// HubSpot's thread.
fn thread(c: &Conversation) -> Value {
    let mut out = json!({
        "id": c.id.to_string(),
        "createdAt": to_iso(c.created_at),
        "status": status_name(c.status),
        "latestMessageTimestamp": to_iso(c.last_message_at),
        "inboxId": c.inbox_id.to_string(),
        "originalChannelId": LIVE_CHAT_CHANNEL,
        "originalChannelAccountId": c.inbox_id.to_string(),
        "spam": false,
        "archived": false,
    });
    if let Some(at) = c.closed_at {
        out["closedAt"] = json!(to_iso(at));
    }
    if let Some(contact) = c.contact_id {
        out["associatedContactId"] = json!(contact.to_string());
    }
    if let Some(user) = c.assignee_id {
        out["assignedTo"] = json!(agent_actor_id(user));
    }
    out
}

/// Who is who in a thread's messages.
struct Cast<'a> {
    conversation: &'a Conversation,
    visitor: &'a Visitor,
    users: &'a [User],
}

impl Cast<'_> {
    fn visitor_actor(&self) -> Value {
        let mut actor = json!({ "actorId": visitor_actor_id(self.visitor.id) });
        if let Some(name) = &self.visitor.name {
            actor["name"] = json!(name);
        }
        actor
    }

    fn agent_id(&self, m: &Message) -> String {
        m.user_id
            .map(agent_actor_id)
            .unwrap_or_else(|| "S-hubbub".to_owned())
    }

    fn agent_actor(&self, m: &Message) -> Value {
        let mut actor = json!({ "actorId": self.agent_id(m) });
        if let Some(user) = self.users.iter().find(|u| Some(u.id) == m.user_id) {
            actor["name"] = json!(user.display_name());
        }
        actor
    }

    /// HubSpot's message: `MESSAGE` between the visitor and the team, or
    /// `COMMENT` for a private note.
    fn message(&self, m: &Message) -> Value {
        let client = match m.via.as_str() {
            "slack" | "api" => "INTEGRATION",
            _ => "HUBSPOT",
        };
        let common = json!({
            "id": m.id.to_string(),
            "conversationsThreadId": self.conversation.id.to_string(),
            "createdAt": to_iso(m.created_at),
            "updatedAt": to_iso(m.created_at),
            "client": { "clientType": client },
            "text": m.text,
            "richText": rich_text(&m.text),
            "attachments": [],
            "archived": false,
        });
        let Value::Object(mut out) = common else {
            unreachable!("a JSON object")
        };
        let specific = match m.author {
            Author::Note => json!({
                "type": "COMMENT",
                "createdBy": self.agent_id(m),
            }),
            Author::Visitor => json!({
                "type": "MESSAGE",
                "createdBy": visitor_actor_id(self.visitor.id),
                "senders": [self.visitor_actor()],
                "recipients": [],
                "direction": "INCOMING",
                "truncationStatus": "NOT_TRUNCATED",
                "channelId": LIVE_CHAT_CHANNEL,
                "channelAccountId": self.conversation.inbox_id.to_string(),
            }),
            Author::Agent => {
                let mut sent = json!({
                    "type": "MESSAGE",
                    "createdBy": self.agent_id(m),
                    "senders": [self.agent_actor(m)],
                    "recipients": [self.visitor_actor()],
                    "direction": "OUTGOING",
                    "truncationStatus": "NOT_TRUNCATED",
                    "channelId": LIVE_CHAT_CHANNEL,
                    "channelAccountId": self.conversation.inbox_id.to_string(),
                });
                if let Some(status) = delivery_status(m) {
                    sent["status"] = status;
                }
                sent
            }
        };
        if let Value::Object(specific) = specific {
            out.extend(specific);
        }
        Value::Object(out)
    }
}

/// HubSpot's `status` of an outgoing message: SENT until the visitor read
/// it (READ), or FAILED with why.
fn delivery_status(m: &Message) -> Option<Value> {
    Some(match m.delivery? {
        Delivery::Sent | Delivery::Delivered => json!({ "statusType": "SENT" }),
        Delivery::Seen => json!({ "statusType": "READ" }),
        Delivery::Failed => json!({
            "statusType": "FAILED",
            "failureDetails": { "errorMessage": m.delivery_reason.clone().unwrap_or_default() },
        }),
    })
}

/// The text as HTML, every character escaped, line breaks kept.
fn rich_text(text: &str) -> String {
    let escaped = askama::filters::escape(text, askama::filters::Html)
        .map(|safe| safe.to_string())
        .unwrap_or_default();
    format!("<div>{}</div>", escaped.replace('\n', "<br>"))
}

/// `paging.next` when more follow, its link keeping the request's filters.
fn next_page(path: &str, mut query: Vec<(&str, String)>, next: Option<i64>) -> Option<Value> {
    present::paging(next.map(|id| id.to_string()), |after| {
        query.push(("after", after.to_owned()));
        format!(
            "{path}?{}",
            serde_urlencoded::to_string(&query).unwrap_or_default()
        )
    })
}

/// `GET /conversations/v3/conversations/threads`: ascending ids, filtered
/// by `threadStatus` (or `status`), `associatedContactId` and `inboxId`.
pub async fn list_threads(
    State(state): State<AppState>,
    grant: Grant,
    params: QueryParams,
) -> ApiResult<Json<Value>> {
    let limit = params.limit(DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = number_param(&params, "after")?.unwrap_or(0);
    let (status_field, status) = match (params.get("threadStatus"), params.get("status")) {
        (Some(s), _) => ("threadStatus", Some(s)),
        (None, s) => ("status", s),
    };
    let status = status
        .filter(|s| !s.is_empty())
        .map(|s| parse_status(s, status_field))
        .transpose()?;
    match params.get("sort").filter(|s| !s.is_empty()) {
        None | Some("id") => {}
        Some(other) => {
            return Err(HubError::field(
                "INVALID_SORT",
                "sort",
                format!("Threads are sorted by id here, not {other:?}"),
            )
            .into())
        }
    }
    let filter = ConversationFilter {
        status,
        contact_id: number_param(&params, "associatedContactId")?,
        inbox_id: number_param(&params, "inboxId")?,
        after_id: Some(after),
        ..ConversationFilter::default()
    };
    // Nothing here is archived.
    let mut page = if params.flag("archived")? {
        Vec::new()
    } else {
        state
            .app
            .conversations(&grant.0, &filter, i64::from(limit) + 1)
            .await?
    };
    let more = page.len() > limit as usize;
    page.truncate(limit as usize);
    let mut query = vec![("limit", limit.to_string())];
    if let Some(status) = status {
        query.push((status_field, status_name(status).to_owned()));
    }
    for (name, value) in [
        ("associatedContactId", filter.contact_id),
        ("inboxId", filter.inbox_id),
    ] {
        if let Some(value) = value {
            query.push((name, value.to_string()));
        }
    }
    let results: Vec<Value> = page.iter().map(thread).collect();
    let mut body = json!({ "results": results });
    let next = more.then(|| page.last().map(|c| c.id)).flatten();
    if let Some(paging) = next_page(THREADS_PATH, query, next) {
        body["paging"] = paging;
    }
    Ok(Json(body))
}

/// `GET …/threads/{threadId}`
pub async fn read_thread(
    State(state): State<AppState>,
    grant: Grant,
    Path(raw): Path<String>,
) -> ApiResult<Json<Value>> {
    let (conversation, _, _) = state.app.conversation(&grant.0, thread_id(&raw)?).await?;
    Ok(Json(thread(&conversation)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadChange {
    status: String,
}

/// `PATCH …/threads/{threadId}` with `{"status": "CLOSED"}` (or `OPEN`).
pub async fn update_thread(
    State(state): State<AppState>,
    grant: Grant,
    Path(raw): Path<String>,
    ApiJson(change): ApiJson<ThreadChange>,
) -> ApiResult<Json<Value>> {
    let id = thread_id(&raw)?;
    let conversation = match parse_status(&change.status, "status")? {
        Status::Closed => state.app.close_conversation(&grant.0, id).await?,
        Status::Open => state.app.reopen_conversation(&grant.0, id).await?,
    };
    Ok(Json(thread(&conversation)))
}

/// `GET …/threads/{threadId}/messages`: newest first unless
/// `sort=createdAt`, as HubSpot does; `after` is the last id read.
pub async fn list_messages(
    State(state): State<AppState>,
    grant: Grant,
    Path(raw): Path<String>,
    params: QueryParams,
) -> ApiResult<Json<Value>> {
    let limit = params.limit(DEFAULT_LIMIT, MAX_LIMIT)? as usize;
    let after = number_param(&params, "after")?;
    let sort = params.get("sort").filter(|s| !s.is_empty());
    let oldest_first = match sort {
        None | Some("-createdAt") => false,
        Some("createdAt") => true,
        Some(other) => {
            return Err(HubError::field(
                "INVALID_SORT",
                "sort",
                format!("sort must be createdAt or -createdAt, not {other:?}"),
            )
            .into())
        }
    };
    let archived = params.flag("archived")?;
    let (conversation, visitor, mut messages) =
        state.app.conversation(&grant.0, thread_id(&raw)?).await?;
    if !oldest_first {
        messages.reverse();
    }
    let after_cursor = |m: &&Message| match after {
        None => true,
        Some(after) if oldest_first => m.id > after,
        Some(after) => m.id < after,
    };
    let page: Vec<&Message> = messages
        .iter()
        .filter(|_| !archived)
        .filter(after_cursor)
        .take(limit + 1)
        .collect();
    let users = state.app.store().users(grant.account_id()).await?;
    let cast = Cast {
        conversation: &conversation,
        visitor: &visitor,
        users: &users,
    };
    let results: Vec<Value> = page.iter().take(limit).map(|m| cast.message(m)).collect();
    let mut body = json!({ "results": results });
    let next = (page.len() > limit).then(|| page[limit - 1].id);
    let mut query = vec![("limit", limit.to_string())];
    if let Some(sort) = sort {
        query.push(("sort", sort.to_owned()));
    }
    let path = format!("{THREADS_PATH}/{}/messages", conversation.id);
    if let Some(paging) = next_page(&path, query, next) {
        body["paging"] = paging;
    }
    Ok(Json(body))
}

/// `GET …/threads/{threadId}/messages/{messageId}`
pub async fn read_message(
    State(state): State<AppState>,
    grant: Grant,
    Path((raw, message_raw)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let (conversation, visitor, messages) =
        state.app.conversation(&grant.0, thread_id(&raw)?).await?;
    let message = message_raw
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| messages.iter().find(|m| m.id == id))
        .ok_or_else(|| HubError::NotFound(format!("Message {message_raw} does not exist")))?;
    let users = state.app.store().users(grant.account_id()).await?;
    let cast = Cast {
        conversation: &conversation,
        visitor: &visitor,
        users: &users,
    };
    Ok(Json(cast.message(message)))
}

/// What `POST …/messages` takes. The channel and recipients are the
/// thread's own (live chat, its visitor), so HubSpot's other fields
/// (`channelId`, `channelAccountId`, `recipients`, `richText`) are not read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewMessageInput {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    sender_actor_id: Option<String>,
    #[serde(default)]
    attachments: Vec<Value>,
}

/// `POST …/threads/{threadId}/messages`: `MESSAGE` answers the visitor,
/// `COMMENT` leaves a private note; from the agent `senderActorId` names
/// (`A-<userId>`). Answers 201 with the message.
pub async fn send_message(
    State(state): State<AppState>,
    grant: Grant,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<NewMessageInput>,
) -> ApiResult<impl IntoResponse> {
    let id = thread_id(&raw)?;
    let private = match input.kind.as_str() {
        "MESSAGE" => false,
        "COMMENT" => true,
        other => {
            return Err(HubError::field(
                "INVALID_TYPE",
                "type",
                format!("type must be MESSAGE or COMMENT, not {other:?}"),
            )
            .into())
        }
    };
    if !input.attachments.is_empty() {
        return Err(HubError::field(
            "ATTACHMENTS_NOT_SUPPORTED",
            "attachments",
            "Messages here carry text only, not attachments",
        )
        .into());
    }
    let text = input
        .text
        .as_deref()
        .ok_or_else(|| HubError::field("REQUIRED", "text", "A message needs its text"))?;
    let sender = match input.sender_actor_id.as_deref() {
        None => ReplySender::Actor,
        Some(actor) => ReplySender::Agent(parse_agent_actor_id(actor).ok_or_else(|| {
            HubError::field(
                "INVALID_SENDER",
                "senderActorId",
                format!("senderActorId must be an agent's actor id, like A-123, not {actor:?}"),
            )
        })?),
    };
    let message = state
        .app
        .reply(
            &grant.0,
            id,
            &Reply {
                text,
                private,
                sender,
                slack_ts: None,
            },
        )
        .await?;
    let store = state.app.store();
    let conversation = store.conversation(grant.account_id(), id).await?;
    let visitor = store
        .visitor(grant.account_id(), conversation.visitor_id)
        .await?;
    let users = store.users(grant.account_id()).await?;
    let cast = Cast {
        conversation: &conversation,
        visitor: &visitor,
        users: &users,
    };
    Ok((StatusCode::CREATED, Json(cast.message(&message))))
}
