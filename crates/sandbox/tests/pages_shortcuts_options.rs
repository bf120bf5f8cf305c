//! The page's shortcuts and external selects, as a person uses them: an
//! app's shortcuts set through the control API, a message's "More
//! actions" menu sending `message_action` (and the global menu,
//! `shortcut`), the modal it opens, Find beside an external select sending
//! `block_suggestion` with the modal's fields as typed, the app's options
//! to choose from, and the submission carrying the chosen option as Slack
//! does; and what the page says when the app has no options for it.

mod support;

use std::sync::{Arc, Mutex};

use axum::extract::State as AxumState;
use axum::routing::post;
use axum::{Form, Json, Router};
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{start, Env};

/// A tiny app: records every payload; opens a modal for the message
/// shortcut `log_it`; answers options by what was typed; refuses a note
/// saying "bad".
#[derive(Clone)]
struct FakeApp {
    api: String,
    token: String,
    seen: Arc<Mutex<Vec<Value>>>,
}

fn payload_of(form: &[(String, String)]) -> Value {
    let raw = &form.iter().find(|(k, _)| k == "payload").unwrap().1;
    serde_json::from_str(raw).unwrap()
}

fn log_modal(note: &str) -> Value {
    json!({
        "type": "modal",
        "callback_id": "log",
        "title": {"type": "plain_text", "text": "Log message"},
        "submit": {"type": "plain_text", "text": "Log"},
        "blocks": [
            {"type": "input", "block_id": "record", "label": {"type": "plain_text", "text": "Record"},
             "element": {"type": "external_select", "action_id": "pick", "min_query_length": 1,
                         "placeholder": {"type": "plain_text", "text": "Search records"}}},
            {"type": "input", "block_id": "note", "label": {"type": "plain_text", "text": "Note"},
             "element": {"type": "plain_text_input", "action_id": "text", "multiline": true, "initial_value": note}},
            {"type": "input", "block_id": "tags", "optional": true, "label": {"type": "plain_text", "text": "Also on"},
             "element": {"type": "multi_external_select", "action_id": "more"}},
            {"type": "input", "block_id": "kind", "optional": true, "label": {"type": "plain_text", "text": "Kind"},
             "element": {"type": "static_select", "action_id": "kind", "options": [option("Call", "call")]}}
        ]
    })
}

async fn interaction(
    AxumState(app): AxumState<FakeApp>,
    Form(form): Form<Vec<(String, String)>>,
) -> Json<Value> {
    let payload = payload_of(&form);
    app.seen.lock().unwrap().push(payload.clone());
    if payload["type"] == "message_action" && payload["callback_id"] == "log_it" {
        let note = payload["message"]["text"].as_str().unwrap_or_default();
        let answer: Value = reqwest::Client::new()
            .post(format!("{}views.open", app.api))
            .bearer_auth(&app.token)
            .json(&json!({"trigger_id": payload["trigger_id"], "view": log_modal(note)}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(answer["ok"], true, "{answer}");
    }
    let values = &payload["view"]["state"]["values"];
    if payload["type"] == "view_submission" && values["note"]["text"]["value"] == "bad" {
        return Json(json!({"response_action": "errors", "errors": {"note": "Not that note"}}));
    }
    Json(json!({}))
}

fn option(text: &str, value: &str) -> Value {
    json!({"text": {"type": "plain_text", "text": text}, "value": value})
}

async fn options(
    AxumState(app): AxumState<FakeApp>,
    Form(form): Form<Vec<(String, String)>>,
) -> (StatusCode, Json<Value>) {
    let payload = payload_of(&form);
    app.seen.lock().unwrap().push(payload.clone());
    let answer = match payload["value"].as_str().unwrap_or_default() {
        "eng" => json!({"option_groups": [
            {"label": {"type": "plain_text", "text": "Deals"}, "options": [option("Engine <order>", "deal:1")]},
            {"label": {"type": "plain_text", "text": "Companies"}, "options": [option("Engines Ltd", "company:3")]}
        ]}),
        "ada" => json!({"options": [option("Ada Lovelace", "contact:7")]}),
        "boom" => return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({}))),
        "junk" => json!({"ok": true}),
        _ => json!({"options": []}),
    };
    (StatusCode::OK, Json(answer))
}

/// The sandbox with the app installed and the fake app serving its
/// interactivity and options URLs; a browser-like client acting as Maria.
struct Scene {
    env: Env,
    seen: Arc<Mutex<Vec<Value>>>,
    http: reqwest::Client,
    general: String,
    app_base: String,
}

async fn scene() -> Scene {
    let env = start(&["chat:write", "commands"]).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let app = FakeApp {
        api: env.sandbox.api_url(),
        token: env.bot_token.clone(),
        seen: seen.clone(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app_base = format!("http://{}", listener.local_addr().unwrap());
    let router = Router::new()
        .route("/interactions", post(interaction))
        .route("/options", post(options))
        .with_state(app);
    tokio::spawn(async move { axum::serve(listener, router).await });
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let general = env.channel("general");
    let scene = Scene {
        env,
        seen,
        http,
        general,
        app_base,
    };
    let (status, body) = scene
        .control(
            &format!("/control/apps/{}/urls", scene.env.app_id),
            json!({
                "interactivity_url": format!("{}/interactions", scene.app_base),
                "options_url": format!("{}/options", scene.app_base),
                "shortcuts": [
                    {"name": "Log it", "type": "message", "callback_id": "log_it", "description": "Log this <message>"},
                    {"name": "New thing", "type": "global", "callback_id": "new_thing", "description": "Start a thing"}
                ]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let maria = scene.env.user("maria");
    scene.post("/as", &[("user", &maria), ("back", "/")]).await;
    scene
}

impl Scene {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.env.sandbox.base_url)
    }

    async fn control(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self.http.post(self.url(path)).json(&body).send().await;
        let response = response.unwrap();
        (response.status(), response.json().await.unwrap())
    }

    async fn get(&self, path: &str) -> String {
        let response = self.http.get(self.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.unwrap()
    }

    /// Submits a form and follows the redirect: the path it went to (with
    /// its query) and that page.
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (String, String) {
        let response = self.http.post(self.url(path)).form(form).send().await;
        let response = response.unwrap();
        assert!(
            response.status().is_redirection(),
            "POST {path}: {}",
            response.status()
        );
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let page = self.get(&location).await;
        (location, page)
    }

    /// `handle` writes `text` in #general; its `ts`.
    async fn say(&self, handle: &str, text: &str) -> String {
        let (status, body) = self
            .control(
                "/control/messages",
                json!({"user": handle, "channel": self.general, "text": text}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["ts"].as_str().unwrap().to_owned()
    }

    /// Find beside the field `name` of modal `view_id`, having typed
    /// `typed` (and nothing else): the page it leads to.
    async fn find(&self, view_id: &str, name: &str, typed: &str) -> String {
        let typed_name = format!("typed:{name}");
        let path = format!("/views/{view_id}/options");
        let (location, html) = self
            .post(&path, &[("find", name), (&typed_name, typed)])
            .await;
        assert_eq!(location, "/views");
        html
    }

    /// The payloads of `kind` the app received.
    fn seen(&self, kind: &str) -> Vec<Value> {
        let seen = self.seen.lock().unwrap();
        seen.iter().filter(|p| p["type"] == kind).cloned().collect()
    }

    /// "More actions" > Log it on message `ts`, which opens the modal:
    /// its id and the page of modals.
    async fn log_it(&self, ts: &str) -> (String, String) {
        let channel = format!("/channels/{}", self.general);
        let (location, html) = self
            .post(
                &format!("{channel}/messages/{ts}/shortcuts"),
                &[
                    ("app", &self.env.app_id),
                    ("callback_id", "log_it"),
                    ("back", &channel),
                ],
            )
            .await;
        assert!(location.starts_with("/views"), "{location}");
        let view = self.env.sandbox.state().views.last().unwrap().id.clone();
        (view, html)
    }
}

#[tokio::test]
async fn the_control_api_sets_an_apps_shortcuts() {
    let s = scene().await;
    let urls = format!("/control/apps/{}/urls", s.env.app_id);
    let shortcuts = |s: &Scene| s.env.sandbox.state().apps[0].shortcuts.clone();
    assert_eq!(shortcuts(&s).len(), 2);
    assert_eq!(shortcuts(&s)[0].callback_id, "log_it");
    let workspace = s.http.get(s.url("/control/workspace")).send().await;
    let workspace: Value = workspace.unwrap().json().await.unwrap();
    assert_eq!(
        workspace["apps"][0]["shortcuts"][1],
        json!({"name": "New thing", "type": "global", "callback_id": "new_thing", "description": "Start a thing"})
    );

    // Other fields leave them be.
    let (status, _) = s.control(&urls, json!({"events_url": ""})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shortcuts(&s).len(), 2);

    // What no menu could offer is refused, and nothing changes.
    for bad in [
        json!([{"name": "X", "type": "sideways", "callback_id": "x"}]),
        json!([{"name": "", "type": "message", "callback_id": "x"}]),
        json!([{"name": "X", "type": "message", "callback_id": ""}]),
        json!([{"name": "X", "type": "message", "callback_id": "x"},
               {"name": "Y", "type": "global", "callback_id": "x"}]),
    ] {
        let (status, body) = s.control(&urls, json!({"shortcuts": bad})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["ok"], false, "{body}");
    }
    assert_eq!(shortcuts(&s).len(), 2);

    let (status, _) = s.control(&urls, json!({"shortcuts": []})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(shortcuts(&s).is_empty());
    let html = s.get(&format!("/channels/{}", s.general)).await;
    assert!(!html.contains("More actions"), "{html}");
}

#[tokio::test]
async fn more_actions_sends_the_shortcut_and_opens_its_modal() {
    let s = scene().await;
    let ts = s.say("mark", "Ada signed & paid").await;
    let channel = format!("/channels/{}", s.general);
    let html = s.get(&channel).await;
    let action = format!("{channel}/messages/{ts}/shortcuts");
    assert!(
        html.contains("<details class=\"more-actions\"><summary>More actions</summary>"),
        "{html}"
    );
    assert!(html.contains(&format!("action=\"{action}\"")), "{html}");
    assert!(
        html.contains("<button name=\"callback_id\" value=\"log_it\" title=\"Log this &lt;message&gt;\">Log it</button><span class=\"meta\">Hubbub</span>"),
        "{html}"
    );
    // The global shortcut is beside the message box, not on messages.
    assert!(
        html.contains(&format!("action=\"{channel}/shortcuts\"")) && html.contains(">New thing<"),
        "{html}"
    );
    assert_eq!(html.matches(">New thing<").count(), 1, "{html}");

    let (view_id, html) = s.log_it(&ts).await;
    let used = s.seen("message_action");
    assert_eq!(used.len(), 1);
    let used = &used[0];
    assert_eq!(used["callback_id"], "log_it");
    assert_eq!(used["user"]["id"], s.env.user("maria").as_str());
    assert_eq!(used["channel"]["id"], s.general.as_str());
    assert_eq!(used["message_ts"], ts.as_str());
    assert_eq!(used["message"]["text"], "Ada signed & paid");
    assert!(used["response_url"].is_string() && used["trigger_id"].is_string());

    // The modal: the external select is a search box with Find.
    assert!(html.contains("Log message"), "{html}");
    let form = format!("submit-{view_id}");
    assert!(
        html.contains(&format!(
            "<input form=\"{form}\" type=\"search\" name=\"typed:record/pick\" value=\"\" placeholder=\"Search records\""
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<button form=\"{form}\" formaction=\"/views/{view_id}/options\" formnovalidate name=\"find\" value=\"record/pick\">Find</button>"
        )),
        "{html}"
    );
    assert!(html.contains("Type, then Find"), "{html}");
    // No `close` given: Slack's Cancel.
    assert!(
        html.contains("<button class=\"primary\">Log</button>")
            && html.contains("<button>Cancel</button>"),
        "{html}"
    );

    // Cancel goes back to the channel it was opened from.
    let (location, _) = s
        .post(&format!("/views/{view_id}/close"), &[("back", "/views")])
        .await;
    assert!(location.starts_with(&channel), "{location}");

    // Nobody acting: no menu. A shortcut the app no longer offers: refused.
    let anonymous = reqwest::get(s.url(&channel)).await.unwrap();
    let html = anonymous.text().await.unwrap();
    assert!(!html.contains("More actions"), "{html}");
    let (location, html) = s
        .post(
            &action,
            &[
                ("app", &s.env.app_id),
                ("callback_id", "new_thing"),
                ("back", &channel),
            ],
        )
        .await;
    assert!(location.contains("error="), "{location}");
    assert!(html.contains("offers that shortcut no more"), "{html}");
    assert_eq!(s.seen("message_action").len(), 1);

    // The global one: `shortcut`, without a message.
    let (location, _) = s
        .post(
            &format!("{channel}/shortcuts"),
            &[
                ("app", &s.env.app_id),
                ("callback_id", "new_thing"),
                ("back", &channel),
            ],
        )
        .await;
    assert!(location.contains("notice=Used"), "{location}");
    let global = s.seen("shortcut");
    assert_eq!(global.len(), 1);
    assert_eq!(global[0]["callback_id"], "new_thing");
    assert!(global[0].get("message").is_none() && global[0].get("channel").is_none());
}

#[tokio::test]
async fn thread_replies_have_more_actions_too() {
    let s = scene().await;
    let ts = s.say("mark", "Parent").await;
    let (status, body) = s
        .control(
            "/control/messages",
            json!({"user": "olivia", "channel": s.general, "text": "A reply", "thread_ts": ts}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let reply = body["ts"].as_str().unwrap().to_owned();
    let thread = format!("/channels/{}/threads/{ts}", s.general);
    let html = s.get(&thread).await;
    for on in [&ts, &reply] {
        let action = format!("/channels/{}/messages/{on}/shortcuts", s.general);
        assert!(html.contains(&format!("action=\"{action}\"")), "{html}");
    }
    let (location, _) = s
        .post(
            &format!("/channels/{}/messages/{reply}/shortcuts", s.general),
            &[
                ("app", &s.env.app_id),
                ("callback_id", "log_it"),
                ("back", &thread),
            ],
        )
        .await;
    assert!(location.starts_with("/views"), "{location}");
    let used = s.seen("message_action");
    assert_eq!(used[0]["message"]["text"], "A reply");
    assert_eq!(used[0]["message"]["thread_ts"], ts.as_str());
    // Submitted, the modal goes back to the thread.
    let view_id = s.env.sandbox.state().views.last().unwrap().id.clone();
    s.post(
        &format!("/views/{view_id}/options"),
        &[("find", "record/pick"), ("typed:record/pick", "ada")],
    )
    .await;
    let (location, _) = s
        .post(
            &format!("/views/{view_id}/submit"),
            &[("record/pick", "contact:7"), ("note/text", "A reply")],
        )
        .await;
    assert!(location.starts_with(&thread), "{location}");
}

#[tokio::test]
async fn find_asks_the_app_and_the_chosen_option_is_submitted() {
    let s = scene().await;
    let ts = s.say("mark", "Ada signed").await;
    let (view_id, _) = s.log_it(&ts).await;
    let find = format!("/views/{view_id}/options");
    let (location, html) = s
        .post(
            &find,
            &[
                ("find", "record/pick"),
                ("typed:record/pick", "eng"),
                ("note/text", "My <draft> note"),
                ("typed:tags/more", ""),
                ("back", "/views"),
            ],
        )
        .await;
    assert_eq!(location, "/views");

    // Slack's block_suggestion, with the view as typed.
    let asked = s.seen("block_suggestion");
    assert_eq!(asked.len(), 1);
    let asked = &asked[0];
    assert_eq!(asked["value"], "eng");
    assert_eq!(asked["action_id"], "pick");
    assert_eq!(asked["block_id"], "record");
    assert_eq!(asked["user"]["id"], s.env.user("maria").as_str());
    assert_eq!(
        asked["container"],
        json!({"type": "view", "view_id": view_id})
    );
    assert_eq!(asked["view"]["id"], view_id.as_str());
    let values = &asked["view"]["state"]["values"];
    assert_eq!(
        values["note"]["text"]["value"], "My <draft> note",
        "{values}"
    );

    // The page: the options under their groups, the typed fields kept.
    let form = format!("submit-{view_id}");
    assert!(
        html.contains(&format!(
            "<select form=\"{form}\" name=\"record/pick\"><option value=\"\">Choose</option><optgroup label=\"Deals\"><option value=\"deal:1\">Engine &lt;order&gt;</option></optgroup><optgroup label=\"Companies\"><option value=\"company:3\">Engines Ltd</option></optgroup></select>"
        )),
        "{html}"
    );
    assert!(
        html.contains("name=\"typed:record/pick\" value=\"eng\""),
        "{html}"
    );
    assert!(html.contains(">My &lt;draft&gt; note</textarea>"), "{html}");
    assert!(
        html.contains("The app offered 2 options for “eng”."),
        "{html}"
    );

    // Plain options, in the multi-select; then a second search keeps the
    // first choice, with its text.
    let (_, html) = s
        .post(
            &find,
            &[
                ("find", "tags/more"),
                ("typed:tags/more", "ada"),
                ("record/pick", "deal:1"),
                ("note/text", "My <draft> note"),
            ],
        )
        .await;
    assert!(
        html.contains(&format!(
            "<select form=\"{form}\" name=\"tags/more\" multiple><option value=\"contact:7\">Ada Lovelace</option></select>"
        )),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"deal:1\" selected>Engine &lt;order&gt;</option>"),
        "the record chosen stays chosen: {html}"
    );
    let (_, html) = s
        .post(
            &find,
            &[
                ("find", "tags/more"),
                ("typed:tags/more", "eng"),
                ("tags/more", "contact:7"),
                ("record/pick", "deal:1"),
                ("note/text", "My <draft> note"),
            ],
        )
        .await;
    assert!(
        html.contains(&format!(
            "<select form=\"{form}\" name=\"tags/more\" multiple><option value=\"contact:7\" selected>Ada Lovelace</option><optgroup label=\"Deals\">"
        )),
        "{html}"
    );
    let suggested = s.seen("block_suggestion");
    assert_eq!(suggested.len(), 3);
    assert_eq!(
        suggested[2]["view"]["state"]["values"]["record"]["pick"]["selected_option"],
        option("Engine <order>", "deal:1"),
        "the view's state has the option chosen, with its text"
    );

    // The app refuses the note: the modal stays with what was typed.
    let (location, html) = s
        .post(
            &format!("/views/{view_id}/submit"),
            &[
                ("record/pick", "deal:1"),
                ("note/text", "bad"),
                ("tags/more", "contact:7"),
                ("tags/more", "company:3"),
                ("back", "/views"),
            ],
        )
        .await;
    assert!(location.starts_with("/views"), "{location}");
    assert!(html.contains("Not that note"), "{html}");
    assert!(html.contains(">bad</textarea>"), "{html}");
    assert!(
        html.contains("<option value=\"deal:1\" selected>Engine &lt;order&gt;</option>"),
        "{html}"
    );

    // Submitted: the options chosen as the app offered them.
    let (location, _) = s
        .post(
            &format!("/views/{view_id}/submit"),
            &[
                ("record/pick", "deal:1"),
                ("note/text", "Logged"),
                ("tags/more", "contact:7"),
                ("tags/more", "company:3"),
                ("kind/kind", ""),
                ("back", "/views"),
            ],
        )
        .await;
    assert!(
        location.starts_with(&format!("/channels/{}?notice=Submitted", s.general)),
        "back to the channel: {location}"
    );
    let submitted = s.seen("view_submission");
    let values = &submitted.last().unwrap()["view"]["state"]["values"];
    assert_eq!(
        values["record"]["pick"],
        json!({"type": "external_select", "selected_option": option("Engine <order>", "deal:1")}),
        "{values}"
    );
    assert_eq!(
        values["tags"]["more"]["selected_options"],
        json!([
            option("Ada Lovelace", "contact:7"),
            option("Engines Ltd", "company:3")
        ]),
        "{values}"
    );
    assert_eq!(values["note"]["text"]["value"], "Logged");
    // The optional select left at Choose: no choice.
    assert_eq!(
        values["kind"]["kind"],
        json!({"type": "static_select", "selected_option": null})
    );
    assert!(s.env.sandbox.state().views.iter().all(|v| v.closed));
}

#[tokio::test]
async fn find_says_when_there_is_nothing_to_choose() {
    let s = scene().await;
    let ts = s.say("mark", "Ada signed").await;
    let (view_id, _) = s.log_it(&ts).await;
    let find = format!("/views/{view_id}/options");
    let html = s.find(&view_id, "record/pick", "boom").await;
    assert!(html.contains("The app answered HTTP 500."), "{html}");
    let html = s.find(&view_id, "record/pick", "zzz").await;
    assert!(html.contains("The app has no options for “zzz”."), "{html}");
    assert!(!html.contains("name=\"record/pick\""), "{html}");
    let html = s.find(&view_id, "record/pick", "junk").await;
    assert!(html.contains("The app answered no options"), "{html}");
    assert_eq!(s.seen("block_suggestion").len(), 3);

    // Slack asks only once the element's min_query_length (3 unless
    // given) is typed.
    let html = s.find(&view_id, "tags/more", "ad").await;
    assert!(html.contains("Type at least 3 characters"), "{html}");
    let html = s.find(&view_id, "record/pick", "").await;
    assert!(html.contains("Type at least 1 character:"), "{html}");
    assert_eq!(s.seen("block_suggestion").len(), 3);

    // Without an options URL, Slack cannot ask.
    let (status, _) = s
        .control(
            &format!("/control/apps/{}/urls", s.env.app_id),
            json!({"options_url": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let html = s.find(&view_id, "record/pick", "eng").await;
    assert!(html.contains("No options: no_request_url"), "{html}");

    // A field that is no external select is not searched.
    let (location, _) = s
        .post(&find, &[("find", "note/text"), ("typed:note/text", "eng")])
        .await;
    assert!(location.contains("error="), "{location}");
    assert_eq!(s.seen("block_suggestion").len(), 3);
}
