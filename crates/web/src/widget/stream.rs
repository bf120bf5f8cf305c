//! The widget's live channel: Server-Sent Events, one stream per open
//! widget. The stream sends what the store holds for the conversation
//! after the last event the widget saw (the `Last-Event-ID` a browser
//! sends when it reconnects, or `after` on a fresh page), then waits for
//! a push and reads again: a push carries no data, so one that arrives
//! while the stream reads is never lost, and a widget that was away gets
//! everything it missed, in order.
//!
//! Kept small per connection (the process holds thousands): the state is
//! the subscription, the last id and the events not yet sent.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use hubbub_app::conversations::live::{Subscription, Typing};
use hubbub_app::App;
use serde::Deserialize;

use super::{limits, refused, visitor_of, widget_for};
use crate::AppState;

/// Events read from the store at a time.
const BATCH: i64 = 100;

/// How long the stream waits before reading again after the store failed.
const STORE_RETRY: Duration = Duration::from_secs(2);

#[derive(Debug, Deserialize)]
pub struct StreamQuery {
    visitor: String,
    #[serde(default)]
    after: Option<i64>,
}

pub async fn events(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((key, id)): Path<(String, i64)>,
    Query(q): Query<StreamQuery>,
    headers: HeaderMap,
) -> Response {
    let (widget, cors) = match widget_for(&state, &key, &headers).await {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    if let Err(wait) = state.web.widget_limits.check_stream(peer.ip()) {
        return cors.answer(limits::too_many(wait));
    }
    let visitor = match visitor_of(&state, &widget, &q.visitor).await {
        Ok(v) => v,
        Err(why) => return refused(&cors, why),
    };
    match state.app.visitors_conversation(&visitor, id).await {
        Ok(Ok(_)) => {}
        Ok(Err(why)) => return refused(&cors, why),
        Err(e) => return cors.answer(crate::ApiError::from(e)),
    }
    let resumed_after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let after = resumed_after.or(q.after).unwrap_or(0).max(0);
    let live = LiveStream {
        app: state.app.clone(),
        subscription: state.app.live().subscribe(id),
        conversation_id: id,
        after,
        unsent: VecDeque::new(),
        typing_shown: None,
    };
    let mut response = Sse::new(live.into_stream())
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(25)))
        .into_response();
    // Proxies must pass events on as they come.
    response
        .headers_mut()
        .insert("x-accel-buffering", header::HeaderValue::from_static("no"));
    cors.answer(response)
}

struct LiveStream {
    app: App,
    subscription: Subscription,
    conversation_id: i64,
    after: i64,
    unsent: VecDeque<Event>,
    typing_shown: Option<Typing>,
}

impl LiveStream {
    fn into_stream(self) -> impl Stream<Item = Result<Event, Infallible>> {
        futures::stream::unfold(self, |mut s| async move {
            let event = s.next_event().await?;
            Some((Ok(event), s))
        })
    }

    /// The next event to send; `None` ends the stream (the process is
    /// stopping: the widget reconnects and resumes).
    async fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.unsent.pop_front() {
                return Some(event);
            }
            // Taken before reading, so that a push during the read wakes
            // the wait below at once.
            let pulse = self.subscription.receiver.borrow_and_update().clone();
            // Boxed: the read's future is large, and held inline it would
            // make every idle stream as large as a stream mid-read.
            let read = Box::pin(self.app.store().events_after(
                self.conversation_id,
                self.after,
                BATCH,
            ));
            match read.await {
                Ok(events) if !events.is_empty() => {
                    for e in events {
                        self.after = e.id;
                        self.unsent.push_back(
                            Event::default()
                                .id(e.id.to_string())
                                .event(e.kind)
                                .data(e.payload),
                        );
                    }
                    continue;
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "a widget's stream could not read its events");
                    tokio::time::sleep(STORE_RETRY).await;
                    continue;
                }
            }
            if pulse.typing != self.typing_shown {
                self.typing_shown = pulse.typing.clone();
                if let Some(typing) = pulse.typing {
                    let data = serde_json::json!({ "name": typing.name, "until": typing.until });
                    return Some(Event::default().event("typing").data(data.to_string()));
                }
            }
            self.subscription.receiver.changed().await.ok()?;
        }
    }
}
