//! Calls from the sandbox to an app, the way Slack makes them: Events API
//! deliveries (envelope, `authorizations`, signing, a 3-second timeout and
//! up to 3 retries carrying `X-Slack-Retry-Num`/`X-Slack-Retry-Reason`),
//! the `url_verification` handshake, and the one-shot signed POSTs that
//! slash commands and interactivity make. Every attempt is recorded as a
//! [`Delivery`].

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::ids::{id, now_secs, secret};
use crate::sandbox::Sandbox;
use crate::state::{AppConfig, Delivery, Installation, State};

/// Something a Web API call or a person's action causes the sandbox to
/// send to an app once the state lock is released.
#[derive(Debug, Clone)]
pub enum Effect {
    /// An Events API event (`message`, `reaction_added`, …) for the apps
    /// installed in `team_id` that may receive it: their bot is in the
    /// event's channel and they hold the event's scope. A user's `message`
    /// also yields `app_mention` for a mentioned bot and `link_shared` for
    /// links to an app's unfurl domains.
    Event { team_id: String, event: Value },
    /// An event for one app only, whether or not it is still installed
    /// (`app_uninstalled`, `tokens_revoked`), or whether or not its bot is
    /// in the channel (`channel_left`, which needs its scope).
    AppEvent {
        team_id: String,
        app_id: String,
        event: Value,
    },
}

/// Slack's `v0` request signature: `v0=` + hex HMAC-SHA256 of
/// `v0:{timestamp}:{body}` keyed with the app's signing secret.
pub fn sign(signing_secret: &str, timestamp: &str, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(signing_secret.as_bytes()).expect("HMAC takes any key");
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// The app's (deprecated) verification token that Slack still puts in
/// payloads: stable per app, derived from its signing secret.
pub fn verification_token(app: &AppConfig) -> String {
    let digest = Sha256::digest(format!("verification:{}", app.signing_secret).as_bytes());
    hex::encode(&digest[..12])
}

/// Which scope an app needs to receive an event about a channel.
fn event_scopes(event_type: &str, channel_type: &str) -> &'static [&'static str] {
    match (event_type, channel_type) {
        ("message", "channel") => &["channels:history"],
        ("message", "group") => &["groups:history"],
        ("message", "im") => &["im:history"],
        ("message", "mpim") => &["mpim:history"],
        ("app_mention", _) => &["app_mentions:read"],
        ("reaction_added" | "reaction_removed", _) => &["reactions:read"],
        ("link_shared", _) => &["links:read"],
        ("member_joined_channel" | "member_left_channel", "group") => &["groups:read"],
        ("member_joined_channel" | "member_left_channel", _) => &["channels:read"],
        ("channel_left", _) => &["channels:read"],
        ("group_left", _) => &["groups:read"],
        ("channel_created" | "channel_rename" | "channel_archive", _) => &["channels:read"],
        ("group_archive", _) => &["groups:read"],
        ("team_join" | "user_change", _) => &["users:read"],
        _ => &[],
    }
}

/// One request to an app, before it is sent.
struct Outgoing {
    kind: String,
    url: String,
    body: String,
    signing_secret: String,
}

/// Sends effects in the background.
pub fn deliver(sandbox: &Sandbox, effects: Vec<Effect>) {
    if effects.is_empty() {
        return;
    }
    let outgoing = {
        let state = sandbox.state();
        effects
            .into_iter()
            .flat_map(|e| envelopes(&state, e))
            .collect::<Vec<_>>()
    };
    for out in outgoing {
        let sandbox = sandbox.clone();
        tokio::spawn(async move { send_event(&sandbox, out).await });
    }
}

/// The envelopes an effect turns into, one per receiving app.
fn envelopes(state: &State, effect: Effect) -> Vec<Outgoing> {
    let mut out = Vec::new();
    match effect {
        Effect::AppEvent {
            team_id,
            app_id,
            event,
        } => {
            // Scoped events still need the scope; `app_uninstalled` and
            // `tokens_revoked` need none and reach a removed app.
            let scopes = event_scopes(event["type"].as_str().unwrap_or_default(), "");
            let allowed = scopes.is_empty()
                || state
                    .installation(&team_id, &app_id)
                    .is_some_and(|inst| holds(inst, scopes));
            if let Some(o) = allowed
                .then(|| envelope(state, &team_id, &app_id, event))
                .flatten()
            {
                out.push(o);
            }
        }
        Effect::Event { team_id, event } => {
            let event_type = event["type"].as_str().unwrap_or_default().to_owned();
            let channel_id = event["channel"]
                .as_str()
                .or_else(|| event["item"]["channel"].as_str())
                .or_else(|| event["channel"]["id"].as_str())
                .map(str::to_owned);
            let channel = channel_id.as_deref().and_then(|c| state.channel(c));
            let channel_type = channel
                .map(crate::state_queries::channel_type)
                .unwrap_or("channel");
            let from_person = event["bot_id"].is_null() && event["subtype"].is_null();
            for inst in state
                .installations
                .iter()
                .filter(|i| i.team_id == team_id && i.active)
            {
                let in_channel = channel.is_none_or(|c| c.members.contains(&inst.bot_user_id));
                // Public-channel lifecycle events reach apps outside it.
                let needs_membership = !matches!(
                    event_type.as_str(),
                    "channel_created" | "channel_archive" | "team_join" | "user_change"
                );
                if (in_channel || !needs_membership)
                    && holds(inst, event_scopes(&event_type, channel_type))
                {
                    if let Some(o) = envelope(state, &team_id, &inst.app_id, event.clone()) {
                        out.push(o);
                    }
                }
                if event_type != "message" || !from_person {
                    continue;
                }
                let text = event["text"].as_str().unwrap_or_default();
                if in_channel
                    && text.contains(&format!("<@{}>", inst.bot_user_id))
                    && holds(inst, event_scopes("app_mention", channel_type))
                {
                    let mut mention = json!({
                        "type": "app_mention",
                        "user": event["user"],
                        "text": text,
                        "ts": event["ts"],
                        "channel": event["channel"],
                        "event_ts": event["ts"],
                        "team": team_id,
                    });
                    for key in ["thread_ts", "client_msg_id", "blocks"] {
                        if !event[key].is_null() {
                            mention[key] = event[key].clone();
                        }
                    }
                    if let Some(o) = envelope(state, &team_id, &inst.app_id, mention) {
                        out.push(o);
                    }
                }
                if let Some(shared) = link_shared(state, inst, &event, in_channel) {
                    if let Some(o) = envelope(state, &team_id, &inst.app_id, shared) {
                        out.push(o);
                    }
                }
            }
        }
    }
    out
}

fn holds(inst: &Installation, scopes: &[&str]) -> bool {
    scopes.is_empty()
        || scopes
            .iter()
            .any(|s| inst.bot_scopes.iter().any(|g| g == s))
}

/// `link_shared` for the links of a person's message that point at the
/// app's unfurl domains (or their subdomains).
fn link_shared(
    state: &State,
    inst: &Installation,
    event: &Value,
    in_channel: bool,
) -> Option<Value> {
    let app = state.app(&inst.app_id)?;
    if app.unfurl_domains.is_empty() || !holds(inst, &["links:read"]) {
        return None;
    }
    let text = event["text"].as_str().unwrap_or_default();
    let links: Vec<Value> = extract_links(text)
        .into_iter()
        .filter_map(|url| {
            let host = host_of(&url)?;
            let domain = app
                .unfurl_domains
                .iter()
                .find(|d| host == **d || host.ends_with(&format!(".{d}")))?;
            Some(json!({"domain": domain, "url": url}))
        })
        .collect();
    if links.is_empty() {
        return None;
    }
    let ts = event["ts"].as_str().unwrap_or_default();
    let mut shared = json!({
        "type": "link_shared",
        "channel": event["channel"],
        "is_bot_user_member": in_channel,
        "user": event["user"],
        "message_ts": ts,
        "unfurl_id": format!("{}.{}", ts, secret(8)),
        "source": "conversations_history",
        "links": links,
        "event_ts": ts,
    });
    if !event["thread_ts"].is_null() {
        shared["thread_ts"] = event["thread_ts"].clone();
    }
    Some(shared)
}

/// The URLs in message text: Slack's `<https://…|label>` markup and bare
/// `http(s)://` words.
pub fn extract_links(text: &str) -> Vec<String> {
    let mut links = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("http") {
        let candidate = &rest[start..];
        if candidate.starts_with("https://") || candidate.starts_with("http://") {
            let end = candidate
                .find(|c: char| c.is_whitespace() || c == '>' || c == '|' || c == '<')
                .unwrap_or(candidate.len());
            links.push(candidate[..end].to_owned());
            rest = &candidate[end..];
        } else {
            rest = &candidate[4..];
        }
    }
    links
}

fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?;
    Some(host.to_ascii_lowercase())
}

/// Wraps an event in Slack's `event_callback` envelope for one app.
fn envelope(state: &State, team_id: &str, app_id: &str, mut event: Value) -> Option<Outgoing> {
    let app = state.app(app_id)?;
    let url = app.events_url.clone()?;
    let now = now_secs();
    if event.get("event_ts").is_none() {
        event["event_ts"] = json!(format!("{now:.6}"));
    }
    let bot_user_id = state
        .installations
        .iter()
        .find(|i| i.team_id == team_id && i.app_id == app_id)
        .map(|i| i.bot_user_id.clone());
    let authorizations: Vec<Value> = bot_user_id
        .into_iter()
        .map(|user_id| {
            json!({
                "enterprise_id": null,
                "team_id": team_id,
                "user_id": user_id,
                "is_bot": true,
                "is_enterprise_install": false,
            })
        })
        .collect();
    let event_type = event["type"].as_str().unwrap_or("event").to_owned();
    let body = json!({
        "token": verification_token(app),
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": null,
        "api_app_id": app_id,
        "event": event,
        "type": "event_callback",
        "event_id": id_ev(),
        "event_time": now as u64,
        "authorizations": authorizations,
        "is_ext_shared_channel": false,
        "event_context": format!("4-{}", secret(24)),
    });
    Some(Outgoing {
        kind: format!("event:{event_type}"),
        url,
        body: body.to_string(),
        signing_secret: app.signing_secret.clone(),
    })
}

/// An event id shaped like Slack's, `Ev` and upper-case letters/digits.
fn id_ev() -> String {
    format!("Ev{}", &id('X')[1..])
}

/// Why an attempt failed, in `X-Slack-Retry-Reason` terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailReason {
    HttpTimeout,
    TooManyRedirects,
    ConnectionFailed,
    SslError,
    HttpError,
    UnknownError,
}

impl FailReason {
    pub fn as_str(self) -> &'static str {
        match self {
            FailReason::HttpTimeout => "http_timeout",
            FailReason::TooManyRedirects => "too_many_redirects",
            FailReason::ConnectionFailed => "connection_failed",
            FailReason::SslError => "ssl_error",
            FailReason::HttpError => "http_error",
            FailReason::UnknownError => "unknown_error",
        }
    }
}

/// What an app answered one request with.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: Option<u16>,
    pub content_type: String,
    pub body: String,
    /// The app asked for no retries (`X-Slack-No-Retry: 1`).
    pub no_retry: bool,
    pub failure: Option<FailReason>,
}

impl Answer {
    pub fn ok(&self) -> bool {
        self.failure.is_none()
    }
}

fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::limited(2))
        .user_agent("Slackbot 1.0 (+https://api.slack.com/robots)")
        .build()
        .expect("a reqwest client")
}

/// Sends one signed POST and records it as a [`Delivery`].
pub async fn post_signed(
    sandbox: &Sandbox,
    kind: &str,
    url: &str,
    content_type: &str,
    body: &str,
    signing_secret: &str,
    retry: Option<(u32, FailReason)>,
) -> Answer {
    let timeout = sandbox.state().request_timeout;
    let timestamp = (now_secs() as u64).to_string();
    let mut request = client(timeout)
        .post(url)
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", &timestamp)
        .header("x-slack-signature", sign(signing_secret, &timestamp, body))
        .body(body.to_owned());
    if let Some((num, reason)) = retry {
        request = request
            .header("x-slack-retry-num", num.to_string())
            .header("x-slack-retry-reason", reason.as_str());
    }
    let answer = match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let no_retry = response
                .headers()
                .get("x-slack-no-retry")
                .is_some_and(|v| v.as_bytes() == b"1");
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            match response.text().await {
                Ok(text) => Answer {
                    status: Some(status),
                    content_type,
                    body: text,
                    no_retry,
                    failure: (!(200..300).contains(&status)).then_some(FailReason::HttpError),
                },
                Err(e) => Answer {
                    status: Some(status),
                    content_type,
                    body: String::new(),
                    no_retry,
                    failure: Some(if e.is_timeout() {
                        FailReason::HttpTimeout
                    } else {
                        FailReason::UnknownError
                    }),
                },
            }
        }
        Err(e) => Answer {
            status: None,
            content_type: String::new(),
            body: String::new(),
            no_retry: false,
            failure: Some(classify(&e)),
        },
    };
    sandbox.state().deliveries.push(Delivery {
        kind: kind.to_owned(),
        url: url.to_owned(),
        body: body.to_owned(),
        attempt: retry.map_or(0, |(n, _)| n),
        status: answer.status,
        response: (answer.status.is_some()).then(|| answer.body.clone()),
        at: now_secs(),
    });
    answer
}

fn classify(e: &reqwest::Error) -> FailReason {
    if e.is_timeout() {
        FailReason::HttpTimeout
    } else if e.is_redirect() {
        FailReason::TooManyRedirects
    } else if e.is_connect() {
        let text = format!("{e:?}").to_ascii_lowercase();
        if text.contains("tls") || text.contains("ssl") || text.contains("certificate") {
            FailReason::SslError
        } else {
            FailReason::ConnectionFailed
        }
    } else {
        FailReason::UnknownError
    }
}

/// Delivers one event with Slack's retry policy: the first attempt, then up
/// to 3 retries after the state's `retry_delays` while the app times out
/// or answers other than 2xx (unless it sends `X-Slack-No-Retry: 1`).
async fn send_event(sandbox: &Sandbox, out: Outgoing) {
    let mut retry = None;
    for attempt in 0..=3u32 {
        if attempt > 0 {
            let delay = sandbox
                .state()
                .retry_delays
                .get(attempt as usize - 1)
                .copied()
                .unwrap_or_default();
            tokio::time::sleep(delay).await;
        }
        let answer = post_signed(
            sandbox,
            &out.kind,
            &out.url,
            "application/json",
            &out.body,
            &out.signing_secret,
            retry,
        )
        .await;
        match answer.failure {
            None => return,
            Some(_) if answer.no_retry => return,
            Some(reason) => retry = Some((attempt + 1, reason)),
        }
    }
    tracing::info!(url = %out.url, kind = %out.kind, "event not delivered after 3 retries");
}

/// Slack's `url_verification` handshake with an app's events URL (its
/// configured one unless `url` is given): sends `{token, challenge, type}`
/// and checks that the app answers 2xx echoing the challenge as plain
/// text, `challenge=…` or `{"challenge": …}`. `Err` says what went wrong.
pub async fn verify_url(sandbox: &Sandbox, app_id: &str, url: Option<&str>) -> Result<(), String> {
    let (url, token, secret_key) = {
        let state = sandbox.state();
        let app = state.app(app_id).ok_or("unknown app")?;
        let url = url
            .map(str::to_owned)
            .or_else(|| app.events_url.clone())
            .ok_or("the app has no events URL")?;
        (url, verification_token(app), app.signing_secret.clone())
    };
    let challenge = secret(24);
    let body =
        json!({"token": token, "challenge": challenge, "type": "url_verification"}).to_string();
    let answer = post_signed(
        sandbox,
        "url_verification",
        &url,
        "application/json",
        &body,
        &secret_key,
        None,
    )
    .await;
    if let Some(reason) = answer.failure {
        return Err(format!(
            "request failed: {} (status {:?})",
            reason.as_str(),
            answer.status
        ));
    }
    let text = answer.body.trim();
    let echoed = text == challenge
        || serde_json::from_str::<Value>(text)
            .ok()
            .is_some_and(|v| v["challenge"].as_str() == Some(&challenge))
        || serde_urlencoded::from_str::<Vec<(String, String)>>(text)
            .ok()
            .is_some_and(|pairs| {
                pairs
                    .iter()
                    .any(|(k, v)| k == "challenge" && *v == challenge)
            });
    if echoed {
        Ok(())
    } else {
        Err(format!(
            "the app did not echo the challenge (answered {text:?})"
        ))
    }
}
