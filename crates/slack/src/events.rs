//! What Slack POSTs to an app, as far as Hubbub routes on it:
//!
//! - the Events API (`application/json`): the `url_verification` handshake,
//!   `event_callback` envelopes around one inner event, and
//!   `app_rate_limited` notices;
//! - slash commands (`application/x-www-form-urlencoded` fields);
//! - interactivity and options loads (a form with one `payload` field
//!   holding JSON): block actions, view submissions and closes, shortcuts,
//!   message actions, block suggestions.
//!
//! Only the envelope is typed; the rest stays JSON for the features that
//! read it. Parse only bodies whose signature has been verified.

use serde::Deserialize;
use serde_json::Value;
use thiserror::Error;

/// A body that is not what the endpoint expects.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("the body is not valid JSON of the expected shape: {0}")]
    Json(String),
    #[error("the body is not a valid form of the expected fields: {0}")]
    Form(String),
    #[error("the form has no `payload` field")]
    MissingPayload,
}

/// A request to the Events API request URL.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventsRequest {
    /// Slack checks that the URL is ours: answer with `challenge`.
    UrlVerification { challenge: String },
    /// One event from a workspace.
    EventCallback(EventCallback),
    /// Slack is holding back events for a workspace (more than 30,000 an
    /// hour); acknowledge it.
    AppRateLimited {
        #[serde(default)]
        team_id: Option<String>,
        #[serde(default)]
        minute_rate_limited: Option<i64>,
        #[serde(default)]
        api_app_id: Option<String>,
    },
    /// Any envelope type Slack adds later: acknowledge and ignore.
    #[serde(other)]
    Unknown,
}

impl EventsRequest {
    /// Parses a (verified) Events API body.
    pub fn parse(body: &[u8]) -> Result<EventsRequest, ParseError> {
        serde_json::from_slice(body).map_err(|e| ParseError::Json(e.to_string()))
    }
}

/// The `event_callback` envelope.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EventCallback {
    /// The workspace the event happened in: the only thing that decides
    /// which account it belongs to.
    pub team_id: String,
    pub api_app_id: String,
    /// Unique across Slack, and the same on every retry of this delivery.
    pub event_id: String,
    /// When the event happened (Unix seconds).
    pub event_time: i64,
    pub event: InnerEvent,
    #[serde(default)]
    pub enterprise_id: Option<String>,
    #[serde(default)]
    pub context_team_id: Option<String>,
    /// Which installations may see this event (one per receiving bot or
    /// user token; Slack sends one here).
    #[serde(default)]
    pub authorizations: Vec<Authorization>,
    #[serde(default)]
    pub is_ext_shared_channel: bool,
}

/// One entry of an envelope's `authorizations`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Authorization {
    #[serde(default)]
    pub enterprise_id: Option<String>,
    #[serde(default)]
    pub team_id: Option<String>,
    pub user_id: String,
    #[serde(default)]
    pub is_bot: bool,
    #[serde(default)]
    pub is_enterprise_install: bool,
}

/// The event inside an envelope: its `type` (`message`, `app_mention`,
/// `reaction_added`, `app_uninstalled`, …) and the whole JSON object.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "Value")]
pub struct InnerEvent {
    pub kind: String,
    pub body: Value,
}

impl TryFrom<Value> for InnerEvent {
    type Error = String;

    fn try_from(body: Value) -> Result<InnerEvent, String> {
        let kind = body
            .get("type")
            .and_then(Value::as_str)
            .ok_or("the event has no `type`")?
            .to_owned();
        Ok(InnerEvent { kind, body })
    }
}

/// A `link_shared` event: the links of a person's message that point at
/// the app's unfurl domains (the message itself is not sent).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LinkShared {
    pub channel: String,
    /// Who posted the message.
    pub user: String,
    #[serde(default)]
    pub message_ts: String,
    /// `conversations_history` for a posted message; `composer` for one
    /// still being written, which has no channel or `ts` yet.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub links: Vec<SharedLink>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SharedLink {
    #[serde(default)]
    pub domain: String,
    pub url: String,
}

impl LinkShared {
    /// The event, when it is a `link_shared` about a posted message.
    pub fn of(event: &InnerEvent) -> Option<LinkShared> {
        if event.kind != "link_shared" {
            return None;
        }
        let shared: LinkShared = serde_json::from_value(event.body.clone()).ok()?;
        let posted = shared.source.as_deref() != Some("composer") && !shared.message_ts.is_empty();
        posted.then_some(shared)
    }
}

/// A slash command invocation (form fields).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SlashCommand {
    pub team_id: String,
    #[serde(default)]
    pub team_domain: Option<String>,
    #[serde(default)]
    pub enterprise_id: Option<String>,
    #[serde(default)]
    pub api_app_id: Option<String>,
    pub channel_id: String,
    #[serde(default)]
    pub channel_name: Option<String>,
    pub user_id: String,
    #[serde(default)]
    pub user_name: Option<String>,
    /// `/hs`
    pub command: String,
    /// Everything typed after the command; may be empty.
    #[serde(default)]
    pub text: String,
    pub response_url: String,
    pub trigger_id: String,
}

impl SlashCommand {
    /// Parses a (verified) slash command body.
    pub fn parse(body: &[u8]) -> Result<SlashCommand, ParseError> {
        serde_urlencoded::from_bytes(body).map_err(|e| ParseError::Form(e.to_string()))
    }
}

/// The envelope of an interactivity or options-load payload. `payload`
/// keeps the whole JSON for the feature that handles it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InteractionPayload {
    /// `block_actions`, `view_submission`, `view_closed`, `shortcut`,
    /// `message_action`, `block_suggestion`, …
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub team: Option<TeamRef>,
    pub user: UserRef,
    #[serde(default)]
    pub api_app_id: Option<String>,
    #[serde(default)]
    pub trigger_id: Option<String>,
    /// Where to answer a message's action (block actions in messages,
    /// shortcuts on messages).
    #[serde(default)]
    pub response_url: Option<String>,
    /// Shortcuts and message actions: which one.
    #[serde(default)]
    pub callback_id: Option<String>,
    /// Block suggestions: the select asking for options.
    #[serde(default)]
    pub action_id: Option<String>,
    #[serde(skip)]
    pub payload: Value,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TeamRef {
    pub id: String,
    #[serde(default)]
    pub domain: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct UserRef {
    pub id: String,
    #[serde(default)]
    pub team_id: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
}

impl InteractionPayload {
    /// Parses a (verified) interactivity or options body: a form whose
    /// `payload` field is the JSON payload.
    pub fn parse(body: &[u8]) -> Result<InteractionPayload, ParseError> {
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_bytes(body).map_err(|e| ParseError::Form(e.to_string()))?;
        let json = fields
            .into_iter()
            .find(|(k, _)| k == "payload")
            .map(|(_, v)| v)
            .ok_or(ParseError::MissingPayload)?;
        let payload: Value =
            serde_json::from_str(&json).map_err(|e| ParseError::Json(e.to_string()))?;
        let mut parsed: InteractionPayload =
            serde_json::from_value(payload.clone()).map_err(|e| ParseError::Json(e.to_string()))?;
        parsed.payload = payload;
        Ok(parsed)
    }

    /// A `block_actions` payload's first action: its `action_id` and
    /// `value`: a button's, a select's chosen option's (empty when the
    /// element has none).
    pub fn first_action(&self) -> Option<(&str, &str)> {
        let action = self.payload.pointer("/actions/0")?;
        let id = action.get("action_id")?.as_str()?;
        let value = action
            .get("value")
            .or_else(|| action.pointer("/selected_option/value"))
            .and_then(Value::as_str)
            .unwrap_or("");
        Some((id, value))
    }

    /// The `block_id` of the block holding a `block_actions` payload's
    /// first action.
    pub fn first_action_block(&self) -> Option<&str> {
        self.payload.pointer("/actions/0/block_id")?.as_str()
    }

    /// The message an action happened in: its channel and `ts` (from the
    /// payload's `container`).
    pub fn message_location(&self) -> Option<(&str, &str)> {
        let container = self.payload.get("container")?;
        let channel = container.get("channel_id")?.as_str()?;
        let ts = container.get("message_ts")?.as_str()?;
        Some((channel, ts))
    }

    /// An action in one of the app's unfurls: the message the unfurl is
    /// attached to (channel, `ts`) and the link it unfurls, from the
    /// payload's `container` (a `message_attachment` with
    /// `is_app_unfurl`).
    pub fn unfurl_location(&self) -> Option<(&str, &str, &str)> {
        let container = self.payload.get("container")?;
        if container.get("is_app_unfurl").and_then(Value::as_bool) != Some(true) {
            return None;
        }
        let channel = container.get("channel_id")?.as_str()?;
        let ts = container.get("message_ts")?.as_str()?;
        let url = container.get("app_unfurl_url")?.as_str()?;
        Some((channel, ts, url))
    }

    /// The workspace the person acted in: `team.id`, or the person's own
    /// team where Slack leaves `team` null (org-wide installs).
    pub fn team_id(&self) -> Option<&str> {
        self.team
            .as_ref()
            .map(|t| t.id.as_str())
            .or(self.user.team_id.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn url_verification_as_documented() {
        let body = br#"{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
        assert_eq!(
            EventsRequest::parse(body).unwrap(),
            EventsRequest::UrlVerification {
                challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P".into()
            }
        );
    }

    #[test]
    fn event_callback_envelope() {
        let body = json!({
            "token": "XXYYZZ",
            "team_id": "T123ABC456",
            "api_app_id": "A123ABC456",
            "event": {
                "type": "message",
                "channel": "C123ABC456",
                "user": "U123ABC456",
                "text": "Live long and prospect.",
                "ts": "1355517523.000005",
                "event_ts": "1355517523.000005",
                "channel_type": "channel"
            },
            "type": "event_callback",
            "authorizations": [{
                "enterprise_id": null, "team_id": "T123ABC456", "user_id": "U0BOT",
                "is_bot": true, "is_enterprise_install": false
            }],
            "event_context": "EC123ABC456",
            "event_id": "Ev123ABC456",
            "event_time": 1355517523
        });
        let EventsRequest::EventCallback(cb) =
            EventsRequest::parse(body.to_string().as_bytes()).unwrap()
        else {
            panic!("not an event callback");
        };
        assert_eq!(cb.team_id, "T123ABC456");
        assert_eq!(cb.api_app_id, "A123ABC456");
        assert_eq!(cb.event_id, "Ev123ABC456");
        assert_eq!(cb.event_time, 1355517523);
        assert_eq!(cb.event.kind, "message");
        assert_eq!(cb.event.body["text"], "Live long and prospect.");
        assert_eq!(cb.authorizations[0].user_id, "U0BOT");
        assert!(cb.authorizations[0].is_bot);
    }

    #[test]
    fn other_envelopes() {
        let limited = br#"{"token":"x","team_id":"T1","minute_rate_limited":1518467820,"api_app_id":"A1","type":"app_rate_limited"}"#;
        assert!(matches!(
            EventsRequest::parse(limited).unwrap(),
            EventsRequest::AppRateLimited { team_id: Some(t), .. } if t == "T1"
        ));
        assert_eq!(
            EventsRequest::parse(br#"{"type":"something_new","x":1}"#).unwrap(),
            EventsRequest::Unknown
        );
    }

    #[test]
    fn malformed_event_bodies_are_errors() {
        for body in [
            &b""[..],
            b"not json",
            b"[]",
            br#"{"challenge":"c"}"#,
            br#"{"type":"url_verification"}"#,
            br#"{"type":"event_callback","team_id":"T1","api_app_id":"A1","event_id":"Ev1","event_time":1,"event":{}}"#,
            br#"{"type":"event_callback","api_app_id":"A1","event_id":"Ev1","event_time":1,"event":{"type":"message"}}"#,
        ] {
            assert!(
                EventsRequest::parse(body).is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn slash_command_from_slacks_example() {
        let body = "token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&team_domain=example&enterprise_id=E0001&enterprise_name=Globular%20Construct%20Inc&channel_id=C2147483705&channel_name=test&user_id=U2147483697&user_name=Steve&command=/weather&text=94070&response_url=https://hooks.slack.com/commands/1234/5678&trigger_id=13345224609.738474920.8088930838d88f008e0&api_app_id=A123456";
        let c = SlashCommand::parse(body.as_bytes()).unwrap();
        assert_eq!(c.team_id, "T0001");
        assert_eq!(c.user_id, "U2147483697");
        assert_eq!(c.channel_id, "C2147483705");
        assert_eq!(c.command, "/weather");
        assert_eq!(c.text, "94070");
        assert_eq!(c.response_url, "https://hooks.slack.com/commands/1234/5678");
        assert_eq!(c.trigger_id, "13345224609.738474920.8088930838d88f008e0");
        assert_eq!(c.enterprise_id.as_deref(), Some("E0001"));
        assert!(SlashCommand::parse(b"team_id=T1").is_err());
    }

    #[test]
    fn interaction_payload_envelope() {
        let payload = json!({
            "type": "block_actions",
            "team": {"id": "T9TK3CUKW", "domain": "example"},
            "user": {"id": "UA8RXUSPL", "username": "jtorrance", "team_id": "T9TK3CUKW"},
            "api_app_id": "AABA1ABCD",
            "trigger_id": "12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3",
            "response_url": "https://hooks.slack.com/actions/AABA1ABCD/1232321423432/D09sSasdasdAS9091209",
            "actions": [{"action_id": "WaXA", "type": "button", "value": "click_me_123"}]
        });
        let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        let p = InteractionPayload::parse(body.as_bytes()).unwrap();
        assert_eq!(p.kind, "block_actions");
        assert_eq!(p.team_id(), Some("T9TK3CUKW"));
        assert_eq!(p.user.id, "UA8RXUSPL");
        assert_eq!(
            p.trigger_id.as_deref(),
            Some("12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3")
        );
        assert!(p.response_url.is_some());
        assert_eq!(p.payload["actions"][0]["value"], "click_me_123");

        let org_wide = json!({"type": "shortcut", "team": null, "user": {"id": "U1", "team_id": "T2"}, "callback_id": "new_task", "trigger_id": "t"});
        let body = serde_urlencoded::to_string([("payload", org_wide.to_string())]).unwrap();
        let p = InteractionPayload::parse(body.as_bytes()).unwrap();
        assert_eq!(p.team_id(), Some("T2"));
        assert_eq!(p.callback_id.as_deref(), Some("new_task"));

        assert_eq!(
            InteractionPayload::parse(b"foo=bar"),
            Err(ParseError::MissingPayload)
        );
        assert!(InteractionPayload::parse(b"payload=%7Bnope").is_err());
        assert!(InteractionPayload::parse(b"payload=%7B%7D").is_err());
    }

    #[test]
    fn a_select_in_a_message_as_documented() {
        let payload = json!({
            "type": "block_actions",
            "team": {"id": "T9TK3CUKW"},
            "user": {"id": "UA8RXUSPL", "team_id": "T9TK3CUKW"},
            "container": {"type": "message", "message_ts": "1548261231.000200", "channel_id": "D0CJ1Q9C1", "is_ephemeral": false},
            "response_url": "https://hooks.slack.com/actions/AABA1ABCD/1232321423432/D09sSasdasdAS9091209",
            "actions": [{
                "action_id": "pick", "block_id": "b", "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": "Won"}, "value": "deal:1:won"},
                "action_ts": "1548426417.840180"
            }]
        });
        let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        let p = InteractionPayload::parse(body.as_bytes()).unwrap();
        assert_eq!(p.first_action(), Some(("pick", "deal:1:won")));
        assert_eq!(
            p.message_location(),
            Some(("D0CJ1Q9C1", "1548261231.000200"))
        );
    }

    #[test]
    fn link_shared_and_a_press_in_an_unfurl_as_documented() {
        let body = json!({
            "type": "event_callback", "team_id": "T1", "api_app_id": "A1",
            "event_id": "Ev1", "event_time": 1,
            "event": {
                "type": "link_shared", "channel": "Cxxxxxx", "is_bot_user_member": true,
                "user": "Uxxxxxxx", "message_ts": "123456789.9875",
                "unfurl_id": "C123456.123456789.987501.1b90fa1278528ce6e2f6c5c2bfa1abc9a41d57d02b29d173f40399c9ffdecf4b",
                "thread_ts": "123456621.1855", "source": "conversations_history",
                "links": [{"domain": "example.com", "url": "https://example.com/12345"}]
            }
        });
        let EventsRequest::EventCallback(cb) =
            EventsRequest::parse(body.to_string().as_bytes()).unwrap()
        else {
            panic!("not an event callback");
        };
        let shared = LinkShared::of(&cb.event).unwrap();
        assert_eq!(shared.user, "Uxxxxxxx");
        assert_eq!(shared.message_ts, "123456789.9875");
        assert_eq!(shared.links[0].url, "https://example.com/12345");
        let composing = InnerEvent::try_from(json!({
            "type": "link_shared", "channel": "COMPOSER", "user": "U1",
            "message_ts": "U1-909b5454", "source": "composer", "links": []
        }))
        .unwrap();
        assert_eq!(LinkShared::of(&composing), None);

        let payload = json!({
            "type": "block_actions",
            "team": {"id": "T123456"},
            "user": {"id": "U061F7AUR"},
            "actions": [{"action_id": "orbit", "block_id": "05cM", "type": "button"}],
            "app_unfurl": {"id": 1, "blocks": [], "app_unfurl_url": "https://figment.example.com/imagine", "is_app_unfurl": true},
            "container": {
                "type": "message_attachment", "message_ts": "123456789.9875", "attachment_id": 1,
                "channel_id": "C123456", "is_ephemeral": false, "is_app_unfurl": true,
                "app_unfurl_url": "https://figment.example.com/imagine"
            },
            "response_url": "https://hooks.slack.com/actions/T123456/XXXX/XXXX"
        });
        let form = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        let p = InteractionPayload::parse(form.as_bytes()).unwrap();
        assert_eq!(
            p.unfurl_location(),
            Some((
                "C123456",
                "123456789.9875",
                "https://figment.example.com/imagine"
            ))
        );
        assert_eq!(p.message_location(), Some(("C123456", "123456789.9875")));
    }

    proptest! {
        #[test]
        fn parsers_never_panic(body in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = EventsRequest::parse(&body);
            let _ = SlashCommand::parse(&body);
            let _ = InteractionPayload::parse(&body);
        }

        #[test]
        fn json_shaped_event_bodies_never_panic(s in r#"\{("[a-z_]{1,12}":("[A-Za-z0-9]{0,6}"|[0-9]{1,4}|null|\{\}),?){0,6}\}"#) {
            let _ = EventsRequest::parse(s.as_bytes());
        }
    }
}
