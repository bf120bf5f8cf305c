//! The web chat's endpoints, for the widget a website embeds with one
//! script tag (`/widget.js`). HTTP only: who the visitor is (the widget's
//! own secret), which websites may embed an inbox's widget ([`cors`]),
//! how often one visitor or one address may write ([`limits`]); the use
//! cases decide the rest. The live channel is Server-Sent Events
//! ([`stream`]): each event carries its id, and a widget that lost its
//! connection resumes after the last one it saw (`Last-Event-ID`).

mod cors;
pub mod limits;
mod stream;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hubbub_app::conversations::{FirstContact, WidgetInbox, WidgetRefused};
use hubbub_store::Visitor;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use cors::Cors;

/// The live stream's route (served beside hyper on a connection of its
/// own: `stream_connections`).
pub(crate) const STREAM_PATH: &str = "/widget/v1/{key}/conversations/{id}/events";

pub fn routes() -> Router<AppState> {
    let api = Router::new()
        .route(
            "/widget/v1/{key}/messages",
            post(write).options(cors::preflight),
        )
        .route("/widget/v1/{key}/conversation", get(conversation))
        .route(
            "/widget/v1/{key}/conversations/{id}/ack",
            post(acknowledge).options(cors::preflight),
        )
        .layer(axum::middleware::map_response(close_connection));
    Router::new()
        .route("/widget.js", get(script))
        .route(STREAM_PATH, get(stream::events))
        .merge(api)
}

/// The widget's answers close their connection. A browser would otherwise
/// keep it for the widget's next request, which is its live stream, and a
/// stream on a connection hyper serves holds hyper's buffers (16 KiB) for
/// as long as the page is open; on a connection of its own it is served
/// leanly (`stream_connections`). The widget makes a few requests a
/// minute at most, so a connection each costs little.
async fn close_connection(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

/// The widget's script: cached for an hour, loaded by any website.
async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        include_str!("../../static/widget.js"),
    )
}

/// A refusal, as the widget reads it: `{"error": code, "message": …}`.
fn refused(cors: &Cors, why: WidgetRefused) -> Response {
    let (status, code, message) = match why {
        WidgetRefused::UnknownKey => (
            StatusCode::NOT_FOUND,
            "unknown_inbox",
            "This chat is not set up: its key matches no inbox.".to_owned(),
        ),
        WidgetRefused::OriginNotAllowed => (
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            "This website may not use this chat. Its administrator can allow it in the hub's inbox settings.".to_owned(),
        ),
        WidgetRefused::NotYours => (
            StatusCode::NOT_FOUND,
            "unknown_conversation",
            "That conversation does not exist.".to_owned(),
        ),
        WidgetRefused::Invalid(message) => (StatusCode::BAD_REQUEST, "invalid", message),
    };
    cors.answer((status, Json(json!({ "error": code, "message": message }))))
}

/// The inbox of `key`, when the request's page may use it; otherwise the
/// refusal to send.
async fn widget_for(
    state: &AppState,
    key: &str,
    headers: &HeaderMap,
) -> Result<(WidgetInbox, Cors), Response> {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_owned);
    let no_cors = Cors::none();
    let widget = match state.app.widget_inbox(key).await {
        Ok(Ok(widget)) => widget,
        Ok(Err(why)) => return Err(refused(&no_cors, why)),
        Err(e) => return Err(crate::ApiError::from(e).into_response()),
    };
    match Cors::for_origin(&state.web, &widget, origin) {
        Some(cors) => Ok((widget, cors)),
        None => Err(refused(&no_cors, WidgetRefused::OriginNotAllowed)),
    }
}

#[derive(Debug, Deserialize)]
struct Write {
    visitor: String,
    #[serde(default)]
    client_ref: Option<String>,
    text: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    page_url: Option<String>,
}

/// A visitor's message: stored before it is answered.
async fn write(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (widget, cors) = match widget_for(&state, &key, &headers).await {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    let Ok(input) = serde_json::from_slice::<Write>(&body) else {
        return refused(
            &cors,
            WidgetRefused::Invalid("The message could not be read.".to_owned()),
        );
    };
    if let Err(wait) = state
        .web
        .widget_limits
        .check_write(peer.ip(), &input.visitor)
    {
        return cors.answer(limits::too_many(wait));
    }
    let first = FirstContact {
        name: input.name,
        email: input.email,
        page_url: input.page_url,
    };
    let wrote = state
        .app
        .visitor_writes(
            &widget,
            &input.visitor,
            input.client_ref.as_deref(),
            &first,
            &input.text,
        )
        .await;
    match wrote {
        Ok(Ok(wrote)) => {
            let m = &wrote.message;
            let body = json!({
                "conversation_id": wrote.conversation.id,
                "message": {"id": m.id, "author": "visitor", "text": m.text, "at": m.created_at, "client_ref": m.client_ref},
            });
            let status = if wrote.repeated {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            cors.answer((status, Json(body)))
        }
        Ok(Err(why)) => refused(&cors, why),
        Err(e) => cors.answer(crate::ApiError::from(e)),
    }
}

#[derive(Debug, Deserialize)]
struct VisitorQuery {
    visitor: String,
}

/// The visitor's current conversation, if they have one.
async fn conversation(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<VisitorQuery>,
    headers: HeaderMap,
) -> Response {
    let (widget, cors) = match widget_for(&state, &key, &headers).await {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    let none = json!({"conversation_id": null, "status": null});
    let visitor = match state.app.widget_visitor(&widget, &q.visitor).await {
        Ok(Ok(visitor)) => visitor,
        Ok(Err(_)) => return cors.answer(Json(none)),
        Err(e) => return cors.answer(crate::ApiError::from(e)),
    };
    match state.app.visitor_conversation(&visitor).await {
        Ok(Some(c)) => cors.answer(Json(
            json!({"conversation_id": c.id, "status": c.status.as_str()}),
        )),
        Ok(None) => cors.answer(Json(none)),
        Err(e) => cors.answer(crate::ApiError::from(e)),
    }
}

#[derive(Debug, Deserialize)]
struct Ack {
    visitor: String,
    #[serde(default)]
    delivered: Option<i64>,
    #[serde(default)]
    seen: Option<i64>,
}

/// The widget has the agents' messages up to `delivered`; the visitor saw
/// those up to `seen`.
async fn acknowledge(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((key, id)): Path<(String, i64)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (widget, cors) = match widget_for(&state, &key, &headers).await {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    let Ok(ack) = serde_json::from_slice::<Ack>(&body) else {
        return refused(
            &cors,
            WidgetRefused::Invalid("The acknowledgement could not be read.".to_owned()),
        );
    };
    if let Err(wait) = state.web.widget_limits.check_ack(peer.ip(), &ack.visitor) {
        return cors.answer(limits::too_many(wait));
    }
    let visitor = match visitor_of(&state, &widget, &ack.visitor).await {
        Ok(v) => v,
        Err(why) => return refused(&cors, why),
    };
    match state
        .app
        .visitor_acknowledges(&visitor, id, ack.delivered, ack.seen)
        .await
    {
        Ok(Ok(())) => cors.answer(StatusCode::NO_CONTENT),
        Ok(Err(why)) => refused(&cors, why),
        Err(e) => cors.answer(crate::ApiError::from(e)),
    }
}

/// The visitor who holds `secret`; a store failure reads as unknown.
async fn visitor_of(
    state: &AppState,
    widget: &WidgetInbox,
    secret: &str,
) -> Result<Visitor, WidgetRefused> {
    match state.app.widget_visitor(widget, secret).await {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(error = %e, "could not read a widget's visitor");
            Err(WidgetRefused::NotYours)
        }
    }
}
