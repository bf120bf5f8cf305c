//! The web page a person uses to play the Slack side: what it shows, and
//! that its forms act like the control API (posting, replying, reacting,
//! clicking a button, filling in and submitting a modal).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::State as AxumState;
use axum::routing::post;
use axum::{Form, Router};
use hubbub_sandbox::{Sandbox, Seed};
use serde_json::{json, Value};

struct Page {
    sandbox: Sandbox,
    http: reqwest::Client,
    bot_token: String,
    general: String,
    maria: String,
}

async fn start() -> Page {
    let seed = Seed {
        rate_limits: false,
        ..Seed::demo()
    };
    let sandbox = Sandbox::start("127.0.0.1:0".parse::<SocketAddr>().unwrap(), seed)
        .await
        .unwrap();
    let (bot_token, general, maria) = {
        let mut state = sandbox.state();
        let team = state.teams[0].id.clone();
        let app = state.apps[0].app_id.clone();
        let olivia = state.user_in_team(&team, "olivia").unwrap().id.clone();
        let maria = state.user_in_team(&team, "maria").unwrap().id.clone();
        let scopes = ["chat:write", "commands"].map(String::from);
        let granted = state.install(&team, &app, &olivia, &scopes, &[]);
        let general = state
            .channels
            .iter()
            .find(|c| c.name == "general")
            .unwrap()
            .id
            .clone();
        state
            .channel_mut(&general)
            .unwrap()
            .members
            .push(granted.bot_user_id);
        (granted.bot_token, general, maria)
    };
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Page {
        sandbox,
        http,
        bot_token,
        general,
        maria,
    }
}

impl Page {
    async fn get(&self, path: &str) -> String {
        let response = self
            .http
            .get(format!("{}{path}", self.sandbox.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        response.text().await.unwrap()
    }

    /// Submits a form and follows the redirect; returns the final path
    /// (with its query) and the page.
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (String, String) {
        let response = self
            .http
            .post(format!("{}{path}", self.sandbox.base_url))
            .form(form)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_redirection(),
            "POST {path}: {}",
            response.status()
        );
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let page = self.get(&location).await;
        (location, page)
    }

    async fn act_as(&self, user: &str) {
        self.post("/as", &[("user", user), ("back", "/")]).await;
    }

    async fn bot_post(&self, args: Value) -> Value {
        self.http
            .post(format!("{}chat.postMessage", self.sandbox.api_url()))
            .bearer_auth(&self.bot_token)
            .json(&args)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn the_index_lists_workspaces_channels_and_people() {
    let p = start().await;
    let html = p.get("/").await;
    assert!(html.contains("Acme"), "{html}");
    for channel in ["#general", "#sales", "🔒 support-private"] {
        assert!(html.contains(channel), "{channel}: {html}");
    }
    assert!(
        html.contains("<td>public</td><td>5</td>"),
        "general has 4 people and the bot: {html}"
    );
    assert!(html.contains("Maria Member") && html.contains("@maria"));
    assert!(html.contains("Installed apps: Hubbub"));
    // Nobody chosen yet: read only, with the picker.
    assert!(html.contains("Choose whom to act as"));
}

#[tokio::test]
async fn a_person_posts_replies_and_reacts_and_everything_is_escaped() {
    let p = start().await;
    p.act_as(&p.maria).await;
    let channel = format!("/channels/{}", p.general);
    let (location, html) = p
        .post(
            &format!("{channel}/messages"),
            &[
                ("text", "<script>x</script> & *bold* _it_"),
                ("back", &channel),
            ],
        )
        .await;
    assert_eq!(location, channel);
    assert!(!html.contains("<script>x"), "{html}");
    assert!(html.contains("Maria Member"));
    assert!(html.contains("<b>bold</b> <i>it</i>"), "{html}");
    let ts = p.sandbox.state().messages.last().unwrap().ts.clone();
    assert_eq!(
        p.sandbox.state().messages.last().unwrap().text,
        "<script>x</script> & *bold* _it_"
    );

    // A reaction.
    let (_, html) = p
        .post(
            &format!("{channel}/reactions"),
            &[("ts", &ts), ("name", ":tada:"), ("back", &channel)],
        )
        .await;
    // Shown as Slack shows it: the emoji, the shortcode on hover.
    assert!(html.contains("🎉 1"), "{html}");
    assert!(html.contains("reacted with :tada:"), "{html}");

    // A thread reply, shown on the thread's page and counted in the channel.
    let thread = format!("{channel}/threads/{ts}");
    let (location, html) = p
        .post(
            &format!("{channel}/messages"),
            &[("text", "a reply"), ("thread_ts", &ts), ("back", &thread)],
        )
        .await;
    assert_eq!(location, thread);
    assert!(
        html.contains("1 reply") && html.contains("a reply"),
        "{html}"
    );
    let html = p.get(&channel).await;
    assert!(html.contains("1 reply"), "{html}");
    assert!(
        !html.contains("a reply"),
        "replies stay in the thread: {html}"
    );

    // Someone not in the channel is refused, and told why.
    let mark_private = p
        .sandbox
        .state()
        .channels
        .iter()
        .find(|c| c.is_private)
        .unwrap()
        .id
        .clone();
    let private = format!("/channels/{mark_private}");
    let (location, html) = p
        .post(
            &format!("{private}/messages"),
            &[("text", "hi"), ("back", &private)],
        )
        .await;
    assert!(location.contains("error="), "{location}");
    assert!(html.contains("not_in_channel"), "{html}");
}

#[tokio::test]
async fn without_a_person_the_page_is_read_only() {
    let p = start().await;
    let channel = format!("/channels/{}", p.general);
    let html = p.get(&channel).await;
    assert!(!html.contains("name=\"text\""));
    let response = p
        .http
        .post(format!("{}{channel}/messages", p.sandbox.base_url))
        .form(&[("text", "hi"), ("back", &channel)])
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.contains("error="), "{location}");
    assert!(p.sandbox.state().messages.is_empty());
}

#[tokio::test]
async fn block_kit_messages_render_readably() {
    let p = start().await;
    let answer = p
        .bot_post(json!({
            "channel": p.general,
            "text": "Deal won",
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": "Deal <won>"}},
                {"type": "section", "text": {"type": "mrkdwn", "text": "*Acme* for <https://crm.example/d/1|5 000 €>"},
                 "fields": [{"type": "mrkdwn", "text": "*Owner*\nMaria"}]},
                {"type": "divider"},
                {"type": "context", "elements": [{"type": "mrkdwn", "text": "closed _today_"}]},
                {"type": "actions", "block_id": "deal", "elements": [
                    {"type": "button", "action_id": "open_deal", "text": {"type": "plain_text", "text": "Open"}, "value": "d1", "style": "primary"}
                ]}
            ]
        }))
        .await;
    assert_eq!(answer["ok"], true, "{answer}");
    let html = p.get(&format!("/channels/{}", p.general)).await;
    assert!(html.contains("Deal &lt;won&gt;"), "{html}");
    assert!(
        html.contains("<b>Acme</b> for <a href=\"https://crm.example/d/1\""),
        "{html}"
    );
    assert!(html.contains("<b>Owner</b><br>Maria"), "{html}");
    assert!(html.contains("closed <i>today</i>"));
    assert!(html.contains("<hr>"));
    assert!(html.contains("APP"));
    assert!(html.contains(">Open</button>"), "{html}");
}

#[tokio::test]
async fn emoji_shortcodes_show_as_the_emoji() {
    let p = start().await;
    p.act_as(&p.maria).await;
    let channel = format!("/channels/{}", p.general);
    let text = ":white_check_mark: Deal won :tada: :wave: :eyes: :+1: `:x:` :not_an_emoji:";
    let (_, html) = p
        .post(
            &format!("{channel}/messages"),
            &[("text", text), ("back", &channel)],
        )
        .await;
    assert!(
        html.contains("✅ Deal won 🎉 👋 👀 👍 <code>:x:</code> :not_an_emoji:"),
        "{html}"
    );
    // The message itself keeps Slack's text.
    assert_eq!(p.sandbox.state().messages.last().unwrap().text, text);

    // In an app's blocks, mrkdwn and plain text alike.
    let answer = p
        .bot_post(json!({
            "channel": p.general,
            "text": "Reminder",
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": ":bell: Reminder"}},
                {"type": "section", "text": {"type": "mrkdwn", "text": ":calendar: Call Ada :clock1: :speech_balloon:"}},
                {"type": "context", "elements": [{"type": "mrkdwn", "text": ":bust_in_silhouette: Maria :link: :memo:"}]}
            ]
        }))
        .await;
    assert_eq!(answer["ok"], true, "{answer}");
    let ts = answer["ts"].as_str().unwrap().to_owned();
    let html = p.get(&channel).await;
    assert!(html.contains("🔔 Reminder"), "{html}");
    assert!(html.contains("📆 Call Ada 🕐 💬"), "{html}");
    assert!(html.contains("👤 Maria 🔗 📝"), "{html}");

    // Reactions, known or not.
    for name in ["rocket", "partyparrot"] {
        p.post(
            &format!("{channel}/reactions"),
            &[("ts", &ts), ("name", name), ("back", &channel)],
        )
        .await;
    }
    let html = p.get(&channel).await;
    assert!(html.contains("🚀 1"), "{html}");
    assert!(html.contains(":partyparrot: 1"), "{html}");
}

/// A tiny app: records interactions, and opens a modal when its button is
/// clicked.
#[derive(Clone)]
struct FakeApp {
    api: String,
    token: String,
    seen: Arc<Mutex<Vec<Value>>>,
}

async fn interaction(
    AxumState(app): AxumState<FakeApp>,
    Form(form): Form<Vec<(String, String)>>,
) -> &'static str {
    let payload: Value =
        serde_json::from_str(&form.iter().find(|(k, _)| k == "payload").unwrap().1).unwrap();
    app.seen.lock().unwrap().push(payload.clone());
    if payload["type"] == "block_actions" && payload["actions"][0]["action_id"] == "log_call" {
        let view = json!({
            "type": "modal",
            "callback_id": "log_call",
            "title": {"type": "plain_text", "text": "Log a call"},
            "submit": {"type": "plain_text", "text": "Save"},
            "blocks": [
                {"type": "input", "block_id": "notes", "label": {"type": "plain_text", "text": "Notes"},
                 "element": {"type": "plain_text_input", "action_id": "text", "multiline": true}},
                {"type": "input", "block_id": "outcome", "label": {"type": "plain_text", "text": "Outcome"},
                 "element": {"type": "static_select", "action_id": "pick", "options": [
                     {"text": {"type": "plain_text", "text": "Interested"}, "value": "yes"},
                     {"text": {"type": "plain_text", "text": "Not now"}, "value": "no"}
                 ]}},
                {"type": "input", "block_id": "who", "optional": true, "label": {"type": "plain_text", "text": "Attendees"},
                 "element": {"type": "multi_users_select", "action_id": "users"}}
            ]
        });
        let answer: Value = reqwest::Client::new()
            .post(format!("{}views.open", app.api))
            .bearer_auth(&app.token)
            .json(&json!({"trigger_id": payload["trigger_id"], "view": view}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(answer["ok"], true, "{answer}");
    }
    ""
}

#[tokio::test]
async fn clicking_a_button_and_submitting_the_modal_it_opens() {
    let p = start().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let app = FakeApp {
        api: p.sandbox.api_url(),
        token: p.bot_token.clone(),
        seen: seen.clone(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/interactions", listener.local_addr().unwrap());
    let router = Router::new()
        .route("/interactions", post(interaction))
        .with_state(app);
    tokio::spawn(async move { axum::serve(listener, router).await });
    {
        let mut state = p.sandbox.state();
        let app_id = state.apps[0].app_id.clone();
        state.app_mut(&app_id).unwrap().interactivity_url = Some(url);
    }
    let posted = p
        .bot_post(json!({
            "channel": p.general,
            "text": "Call with Acme",
            "blocks": [{"type": "actions", "block_id": "b", "elements": [
                {"type": "button", "action_id": "log_call", "text": {"type": "plain_text", "text": "Log call"}, "value": "acme"}
            ]}]
        }))
        .await;
    let ts = posted["ts"].as_str().unwrap().to_owned();
    p.act_as(&p.maria).await;
    let channel = format!("/channels/{}", p.general);
    let html = p.get(&channel).await;
    let action = format!("{channel}/messages/{ts}/actions");
    assert!(html.contains(&format!("action=\"{action}\"")), "{html}");

    let (location, html) = p
        .post(
            &action,
            &[
                ("block_id", "b"),
                ("action_id", "log_call"),
                ("value", "acme"),
                ("back", &channel),
            ],
        )
        .await;
    assert!(location.starts_with("/views"), "{location}");
    {
        let seen = seen.lock().unwrap();
        let click = &seen[0];
        assert_eq!(click["type"], "block_actions");
        assert_eq!(click["user"]["id"], p.maria.as_str());
        assert_eq!(click["actions"][0]["value"], "acme");
    }
    // The modal, with its inputs tied to its submit form.
    assert!(html.contains("Log a call"), "{html}");
    let view_id = p.sandbox.state().views.last().unwrap().id.clone();
    let form = format!("submit-{view_id}");
    assert!(
        html.contains(&format!("<textarea form=\"{form}\" name=\"notes/text\"")),
        "{html}"
    );
    assert!(
        html.contains(&format!("<select form=\"{form}\" name=\"outcome/pick\"")),
        "{html}"
    );
    assert!(html.contains("<option value=\"yes\">Interested</option>"));
    assert!(
        html.contains(&format!(
            "<select form=\"{form}\" name=\"who/users\" multiple>"
        )),
        "{html}"
    );
    assert!(html.contains("Mark Member"));

    let mark = p
        .sandbox
        .state()
        .users
        .iter()
        .find(|u| u.name == "mark")
        .unwrap()
        .id
        .clone();
    let (location, _) = p
        .post(
            &format!("/views/{view_id}/submit"),
            &[
                ("notes/text", "Went <well>"),
                ("outcome/pick", "yes"),
                ("who/users", &p.maria),
                ("who/users", &mark),
                ("back", "/views"),
            ],
        )
        .await;
    assert!(location.contains("notice="), "{location}");
    let seen = seen.lock().unwrap();
    let submission = seen.last().unwrap();
    assert_eq!(submission["type"], "view_submission", "{submission}");
    let values = &submission["view"]["state"]["values"];
    assert_eq!(values["notes"]["text"]["value"], "Went <well>", "{values}");
    assert_eq!(
        values["outcome"]["pick"]["selected_option"]["value"], "yes",
        "{values}"
    );
    assert_eq!(
        values["who"]["users"]["selected_users"],
        json!([p.maria, mark]),
        "{values}"
    );
    assert!(p.sandbox.state().views.iter().all(|v| v.closed));
}

#[tokio::test]
async fn a_button_in_a_message_only_the_person_sees_is_clicked() {
    let p = start().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let app = FakeApp {
        api: p.sandbox.api_url(),
        token: p.bot_token.clone(),
        seen: seen.clone(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/interactions", listener.local_addr().unwrap());
    let router = Router::new()
        .route("/interactions", post(interaction))
        .with_state(app);
    tokio::spawn(async move { axum::serve(listener, router).await });
    {
        let mut state = p.sandbox.state();
        let app_id = state.apps[0].app_id.clone();
        state.app_mut(&app_id).unwrap().interactivity_url = Some(url);
    }
    let answer: Value = p
        .http
        .post(format!("{}chat.postEphemeral", p.sandbox.api_url()))
        .bearer_auth(&p.bot_token)
        .json(&json!({
            "channel": p.general,
            "user": p.maria,
            "text": "Your card",
            "blocks": [{"type": "actions", "block_id": "card", "elements": [
                {"type": "button", "action_id": "assign", "text": {"type": "plain_text", "text": "Assign to me"}, "value": "deal:1"},
                {"type": "button", "action_id": "open", "text": {"type": "plain_text", "text": "Open in hub"}, "url": "https://hub.example/deals/1"}
            ]}]
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["ok"], true, "{answer}");
    let ts = answer["message_ts"].as_str().unwrap().to_owned();
    p.act_as(&p.maria).await;
    let channel = format!("/channels/{}", p.general);
    let html = p.get(&channel).await;
    let action = format!("{channel}/messages/{ts}/actions");
    assert!(html.contains(&format!("action=\"{action}\"")), "{html}");
    let (location, _) = p
        .post(
            &action,
            &[
                ("block_id", "card"),
                ("action_id", "assign"),
                ("value", "deal:1"),
                ("back", &channel),
            ],
        )
        .await;
    assert!(location.contains("notice=Clicked"), "{location}");
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen[0]["type"], "block_actions");
        assert_eq!(seen[0]["container"]["is_ephemeral"], true, "{}", seen[0]);
        assert_eq!(seen[0]["container"]["message_ts"], ts.as_str());
        assert_eq!(seen[0]["actions"][0]["value"], "deal:1");
    }

    // A link button: the app gets its click, the link opens in a new tab.
    assert!(
        html.contains(&format!(
            "<form method=\"post\" action=\"{action}\" class=\"inline\" target=\"_blank\">"
        )),
        "{html}"
    );
    let response = p
        .http
        .post(format!("{}{action}", p.sandbox.base_url))
        .form(&[
            ("block_id", "card"),
            ("action_id", "open"),
            ("back", &channel),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        "https://hub.example/deals/1"
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1]["actions"][0]["action_id"], "open");
}

#[tokio::test]
async fn the_example_seed_file_is_a_seed() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/seed/demo.json");
    let seed: Seed = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let sandbox = Sandbox::start("127.0.0.1:0".parse().unwrap(), seed)
        .await
        .unwrap();
    let state = sandbox.state();
    assert_eq!(state.teams[0].id, "T0ACMEDEMO1");
    assert_eq!(state.users.len(), 4);
    let general = state.channel("C0GENERAL01").unwrap();
    assert_eq!(general.members.len(), 4);
    assert_eq!(state.apps[0].commands[0].command, "/hs");
    let shortcuts: Vec<&str> = state.apps[0]
        .shortcuts
        .iter()
        .map(|s| s.callback_id.as_str())
        .collect();
    assert_eq!(
        shortcuts,
        ["create_task_from_message", "log_message_to_record"]
    );
    assert!(state.rate_limits);
}
