//! Which websites may use an inbox's widget. Browsers send the embedding
//! page's `Origin` with every cross-site request; the answer names that
//! origin back only when the inbox allows it (or it is the hub's own), so
//! a page elsewhere can neither write as a visitor nor read the answers.
//! By hand rather than tower-http's CORS layer: the allowed origins are
//! each inbox's own, read from the store with the inbox.

use axum::extract::{Path, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hubbub_app::conversations::WidgetInbox;

use crate::{AppState, WebConfig};

/// The CORS headers an answer carries: the allowed origin, or none.
pub struct Cors {
    origin: Option<HeaderValue>,
}

impl Cors {
    /// No origin named: a browser on another site reads nothing.
    pub fn none() -> Cors {
        Cors { origin: None }
    }

    /// For a request from `origin`: `None` when the inbox does not allow
    /// it. A request without an `Origin` is the hub's own page or not a
    /// browser's: it proves nothing and is let through, since the
    /// visitor's secret, not the origin, guards a conversation.
    pub fn for_origin(
        web: &WebConfig,
        widget: &WidgetInbox,
        origin: Option<String>,
    ) -> Option<Cors> {
        let Some(origin) = origin else {
            return Some(Cors::none());
        };
        let hub = web.public_url.origin().ascii_serialization();
        if !widget.allows_origin(&hub, Some(&origin)) {
            return None;
        }
        Some(Cors {
            origin: HeaderValue::try_from(origin).ok(),
        })
    }

    /// `response` with the CORS headers.
    pub fn answer(&self, response: impl IntoResponse) -> Response {
        let mut response = response.into_response();
        let headers = response.headers_mut();
        headers.insert(VARY, HeaderValue::from_static("Origin"));
        if let Some(origin) = &self.origin {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        }
        response
    }
}

/// A browser asks whether the page may POST JSON to the widget.
pub async fn preflight(
    State(state): State<AppState>,
    Path(params): Path<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let key = params
        .iter()
        .find(|(name, _)| name == "key")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    let origin = headers
        .get(ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_owned);
    let widget = match state.app.widget_inbox(key).await {
        Ok(Ok(widget)) => widget,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match Cors::for_origin(&state.web, &widget, origin) {
        Some(cors) if cors.origin.is_some() => {
            let mut response = cors.answer(StatusCode::NO_CONTENT);
            let headers = response.headers_mut();
            headers.insert(
                ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("POST"),
            );
            headers.insert(
                ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("content-type"),
            );
            headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
            response
        }
        _ => StatusCode::FORBIDDEN.into_response(),
    }
}
