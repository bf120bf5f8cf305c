//! A website visitor for tests: the web chat's HTTP API as the widget's
//! script uses it (its own random secret, an `Origin`, the live stream of
//! Server-Sent Events).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::TestApp;

/// One visitor of one inbox's widget.
pub struct WidgetVisitor {
    pub base: String,
    pub key: String,
    pub secret: String,
    /// The page's origin the requests carry.
    pub origin: String,
    http: reqwest::Client,
}

/// One event of the live stream.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveEvent {
    pub id: Option<i64>,
    pub event: String,
    pub data: Value,
}

impl WidgetVisitor {
    /// A new visitor of the account's first inbox, on the hub's own origin
    /// (always allowed).
    pub async fn new(app: &TestApp, account_id: i64) -> WidgetVisitor {
        let inbox = app.store.inboxes(account_id).await.unwrap()[0].id;
        WidgetVisitor::of_inbox(app, account_id, inbox).await
    }

    pub async fn of_inbox(app: &TestApp, account_id: i64, inbox_id: i64) -> WidgetVisitor {
        let (key, _) = app.store.inbox_widget(account_id, inbox_id).await.unwrap();
        WidgetVisitor {
            base: app.base_url.clone(),
            key,
            secret: uuid::Uuid::new_v4().simple().to_string()
                + &uuid::Uuid::new_v4().simple().to_string(),
            origin: app.base_url.clone(),
            // Keeps connections for reuse, as a browser does.
            http: reqwest::Client::new(),
        }
    }

    /// The visitor's requests reuse connections, as a browser does, with
    /// one left open by a request to the hub outside the widget (whose
    /// own answers close theirs): its stream then opens on a connection
    /// hyper already serves.
    pub async fn on_a_kept_connection(self) -> WidgetVisitor {
        let health = self
            .http
            .get(format!("{}/healthz", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status(), StatusCode::OK);
        assert!(health.headers().get("connection").is_none());
        self
    }

    fn url(&self, path: &str) -> String {
        format!("{}/widget/v1/{}{path}", self.base, self.key)
    }

    /// Posts a message body as the widget does; the status and answer.
    pub async fn send(&self, body: Value) -> (StatusCode, Value) {
        let res = self
            .http
            .post(self.url("/messages"))
            .header("origin", &self.origin)
            .json(&body)
            .send()
            .await
            .expect("the widget reaches the hub");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Writes `text`; answers the conversation's id and the message's.
    pub async fn write(&self, text: &str) -> (i64, i64) {
        let (status, body) = self
            .send(json!({"visitor": self.secret, "text": text, "page_url": "https://acme.example/pricing"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (
            body["conversation_id"].as_i64().unwrap(),
            body["message"]["id"].as_i64().unwrap(),
        )
    }

    /// Writes `text` with the pre-chat form's name and email.
    pub async fn write_as(&self, text: &str, name: &str, email: &str) -> (i64, i64) {
        let (status, body) = self
            .send(
                json!({"visitor": self.secret, "text": text, "name": name, "email": email,
                         "page_url": "https://acme.example/pricing"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (
            body["conversation_id"].as_i64().unwrap(),
            body["message"]["id"].as_i64().unwrap(),
        )
    }

    /// The visitor's current conversation.
    pub async fn conversation(&self) -> Value {
        self.http
            .get(self.url(&format!("/conversation?visitor={}", self.secret)))
            .header("origin", &self.origin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn ack(
        &self,
        conversation: i64,
        delivered: Option<i64>,
        seen: Option<i64>,
    ) -> StatusCode {
        self.http
            .post(self.url(&format!("/conversations/{conversation}/ack")))
            .header("origin", &self.origin)
            .json(&json!({"visitor": self.secret, "delivered": delivered, "seen": seen}))
            .send()
            .await
            .unwrap()
            .status()
    }

    /// Opens the live stream after event `after` (resuming with
    /// `Last-Event-ID` when `resume` is set, as a browser does).
    pub async fn open_stream(
        &self,
        conversation: i64,
        after: i64,
        resume: Option<i64>,
    ) -> reqwest::Response {
        let mut req = self
            .http
            .get(self.url(&format!(
                "/conversations/{conversation}/events?visitor={}&after={after}",
                self.secret
            )))
            .header("origin", &self.origin);
        if let Some(id) = resume {
            req = req.header("last-event-id", id.to_string());
        }
        req.send().await.unwrap()
    }

    pub async fn stream(&self, conversation: i64) -> LiveStream {
        let res = self.open_stream(conversation, 0, None).await;
        assert_eq!(res.status(), StatusCode::OK);
        LiveStream::new(res)
    }
}

/// A live stream being read.
pub struct LiveStream {
    response: reqwest::Response,
    buffer: String,
}

impl LiveStream {
    pub fn new(response: reqwest::Response) -> LiveStream {
        LiveStream {
            response,
            buffer: String::new(),
        }
    }

    /// The next event (keep-alive comments skipped), or `None` when none
    /// comes within `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<LiveEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if let Some(event) = parse(&block) {
                    return Some(event);
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?
                .expect("the stream reads")?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The next event, which must come within 5 seconds.
    pub async fn next(&mut self) -> LiveEvent {
        self.next_within(Duration::from_secs(5))
            .await
            .expect("an event within 5 s")
    }

    /// The events of kind `event` until none has come for `quiet`.
    pub async fn drain(&mut self, quiet: Duration) -> Vec<LiveEvent> {
        let mut out = Vec::new();
        while let Some(e) = self.next_within(quiet).await {
            out.push(e);
        }
        out
    }

    /// The next event of kind `kind`, skipping others.
    pub async fn next_of(&mut self, kind: &str) -> LiveEvent {
        loop {
            let e = self.next().await;
            if e.event == kind {
                return e;
            }
        }
    }
}

fn parse(block: &str) -> Option<LiveEvent> {
    let (mut id, mut event, mut data) = (None, "message".to_owned(), String::new());
    for line in block.lines() {
        if let Some(v) = line.strip_prefix("id:") {
            id = v.trim().parse().ok();
        } else if let Some(v) = line.strip_prefix("event:") {
            event = v.trim().to_owned();
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push_str(v.strip_prefix(' ').unwrap_or(v));
        }
    }
    if data.is_empty() {
        return None;
    }
    Some(LiveEvent {
        id,
        event,
        data: serde_json::from_str(&data).unwrap_or(Value::String(data)),
    })
}

/// An agent (the account's first user) sends `text` to the conversation
/// through HubSpot's Conversations API: `MESSAGE` to the visitor, or a
/// private `COMMENT`. Answers the message's id.
pub async fn agent_sends(
    app: &TestApp,
    account: &crate::harness::TestAccount,
    conversation: i64,
    kind: &str,
    text: &str,
) -> i64 {
    let agent = app.store.users(account.id).await.unwrap()[0].id;
    let (status, body) = app
        .post(
            &account.token,
            &format!("/conversations/v3/conversations/threads/{conversation}/messages"),
            json!({"type": kind, "text": text, "senderActorId": format!("A-{agent}")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().parse().unwrap()
}
