//! The sandbox's answers checked against the response schemas of Slack's
//! published Web API OpenAPI spec (`shared/contracts/slack/`, 2020, kept
//! beside the workspace). Without that folder the check is skipped, and
//! says so; with `HUBBUB_REQUIRE_SLACK_CONTRACTS=1` (CI) it fails instead.
//!
//! The spec predates some of what Slack's current docs describe, and uses
//! a few non-JSON-Schema idioms; both are handled here, each documented:
//! - `"items": [a, b]` on a non-array schema is the spec's way of writing
//!   "one of these shapes"; it becomes `anyOf` (otherwise it would be
//!   silently ignored and nothing would be checked).
//! - `objs_message` gains properties the current docs return and the 2020
//!   spec lacks: `app_id`, `metadata` (message metadata, 2022), `edited`,
//!   `is_locked`, `subscribed`; its attachment items accept the documented
//!   legacy attachment fields and unfurl fields (the spec only lists
//!   `id`, `fallback` and image sizes).
//! - conversations.replies' messages are, in the spec, inline shapes of a
//!   person's plain-text message (no `blocks`, `bot_id`, `attachments`,
//!   `reactions`); current docs return full message objects, so they are
//!   checked as `objs_message` with a `thread_ts`.
//! - chat.update's `message.blocks` is typed as an object in the spec; blocks
//!   are an array everywhere in Slack's docs (and in the spec's own
//!   `blocks` definition), which is what it is checked against.
//! - `objs_team` gains `url`, which current `team.info` answers carry.
//! - views.* answers are described by the spec only as "ok plus anything";
//!   they are checked against it anyway, and their shape by `web_api.rs`.

mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use support::{start, Env, ALL_BOT_SCOPES};

/// Slack's published specs, kept in `shared/contracts/slack` beside the
/// workspace (not in it: a plain clone has no such folder).
fn contracts_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/contracts/slack")
}

/// Set to `1` (as CI does) to make a missing spec a failure, not a skip.
const REQUIRE_CONTRACTS: &str = "HUBBUB_REQUIRE_SLACK_CONTRACTS";

/// The Web API spec in `dir`; `Ok(None)` when the folder is absent and the
/// contracts are not `required`, `Err` saying what is missing when they are.
fn find_spec(dir: &Path, required: bool) -> Result<Option<PathBuf>, String> {
    let spec = dir.join("slack_web_openapi_v2.json");
    if spec.exists() {
        return Ok(Some(spec));
    }
    if required {
        return Err(format!(
            "{REQUIRE_CONTRACTS}=1, but Slack's Web API spec is not at {}: put Slack's \
             published contracts in shared/contracts/slack beside the workspace",
            spec.display()
        ));
    }
    Ok(None)
}

/// The spec, ready to check against; `None` when the contract check is
/// skipped, which is said on stderr past the test harness's capture, so
/// that it shows in a plain `cargo test` run.
fn load_spec() -> Option<Value> {
    let required = std::env::var(REQUIRE_CONTRACTS).is_ok_and(|v| v == "1");
    let path = match find_spec(&contracts_dir(), required) {
        Ok(Some(path)) => path,
        Ok(None) => {
            let note = format!(
                "\nSKIPPED: the Slack contract check (openapi.rs) did not run: no folder {} \
                 (Slack's published specs, beside the workspace). Set {REQUIRE_CONTRACTS}=1 \
                 to make this a failure.\n",
                contracts_dir().display()
            );
            let _ = std::io::stderr().write_all(note.as_bytes());
            return None;
        }
        Err(why) => panic!("{why}"),
    };
    let raw = std::fs::read_to_string(&path).expect("the spec reads");
    let mut spec: Value = serde_json::from_str(&raw).unwrap();
    tuple_items_to_any_of(&mut spec);
    let message = &mut spec["definitions"]["objs_message"];
    let props = message["properties"].as_object_mut().unwrap();
    props.insert(
        "app_id".into(),
        json!({"$ref": "#/definitions/defs_app_id"}),
    );
    props.insert(
        "metadata".into(),
        json!({"type": "object", "required": ["event_type", "event_payload"],
               "properties": {"event_type": {"type": "string"}, "event_payload": {"type": "object"}}}),
    );
    props.insert(
        "edited".into(),
        json!({"type": "object", "required": ["user", "ts"], "additionalProperties": false,
               "properties": {"user": {"$ref": "#/definitions/defs_user_id"}, "ts": {"$ref": "#/definitions/defs_ts"}}}),
    );
    props.insert("is_locked".into(), json!({"type": "boolean"}));
    props.insert("subscribed".into(), json!({"type": "boolean"}));
    props["attachments"]["items"]["additionalProperties"] = json!(true);
    spec["paths"]["/conversations.replies"]["get"]["responses"]["200"]["schema"]["properties"]
        ["messages"]["items"] =
        json!({"allOf": [{"$ref": "#/definitions/objs_message"}, {"required": ["thread_ts"]}]});
    spec["paths"]["/chat.update"]["post"]["responses"]["200"]["schema"]["properties"]["message"]
        ["properties"]["blocks"] = json!({"$ref": "#/definitions/blocks"});
    spec["definitions"]["objs_team"]["properties"]["url"] =
        json!({"type": "string", "format": "uri"});
    Some(spec)
}

/// `"items": [..]` on a schema that is not an array → `anyOf`.
fn tuple_items_to_any_of(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let is_array = map.get("type").is_some_and(|t| t == "array");
            if !is_array {
                if let Some(Value::Array(alternatives)) = map.remove("items") {
                    map.insert("anyOf".into(), Value::Array(alternatives));
                }
            }
            for child in map.values_mut() {
                tuple_items_to_any_of(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(tuple_items_to_any_of),
        _ => {}
    }
}

struct Checker {
    spec: Value,
}

impl Checker {
    /// Fails unless `body` matches the spec's schema for `method`'s
    /// success (`ok: true`) or error answer.
    fn check(&self, method: &str, body: &Value) {
        let path = &self.spec["paths"][format!("/{method}")];
        let op = path
            .as_object()
            .and_then(|verbs| verbs.values().next())
            .unwrap_or_else(|| panic!("{method} is in the spec"));
        let which = if body["ok"] == true { "200" } else { "default" };
        let mut schema = op["responses"][which]["schema"].clone();
        schema["definitions"] = self.spec["definitions"].clone();
        let validator = jsonschema::draft4::new(&schema).expect("the spec's schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} answer does not match the spec:\n{}\n{body:#}",
            errors.join("\n")
        );
    }
}

#[test]
fn a_missing_spec_folder_skips_the_check_unless_required() {
    let dir = tempfile::tempdir().unwrap();
    let absent = dir.path().join("contracts");
    assert_eq!(find_spec(&absent, false), Ok(None));
    let why = find_spec(&absent, true).unwrap_err();
    assert!(why.contains(REQUIRE_CONTRACTS), "{why}");
    assert!(why.contains("slack_web_openapi_v2.json"), "{why}");
}

#[tokio::test]
async fn answers_match_the_published_response_schemas() {
    let Some(spec) = load_spec() else {
        return;
    };
    let checker = Checker { spec };
    let env: Env = start(ALL_BOT_SCOPES).await;
    let check = |method: &str, body: &Value| {
        assert_eq!(body["ok"], true, "{method}: {body}");
        checker.check(method, body);
    };
    env.add_bot_to("general");
    env.add_bot_to("support-private");
    let general = env.channel("general");
    let maria = env.user("maria");

    check("team.info", &env.bot("team.info", &[]).await);
    check(
        "users.info",
        &env.bot("users.info", &[("user", &maria)]).await,
    );
    check(
        "users.info",
        &env.bot("users.info", &[("user", &env.bot_user_id)]).await,
    );
    check(
        "users.list",
        &env.bot("users.list", &[("limit", "3")]).await,
    );
    check(
        "users.lookupByEmail",
        &env.bot("users.lookupByEmail", &[("email", "maria@acme.example")])
            .await,
    );
    check(
        "conversations.list",
        &env.bot(
            "conversations.list",
            &[
                ("types", "public_channel,private_channel,im"),
                ("limit", "2"),
            ],
        )
        .await,
    );
    check(
        "users.conversations",
        &env.bot(
            "users.conversations",
            &[
                ("types", "public_channel,private_channel"),
                ("user", &maria),
            ],
        )
        .await,
    );
    check(
        "conversations.info",
        &env.bot("conversations.info", &[("channel", &general)])
            .await,
    );
    check(
        "conversations.join",
        &env.bot("conversations.join", &[("channel", &env.channel("sales"))])
            .await,
    );
    check(
        "conversations.members",
        &env.bot("conversations.members", &[("channel", &general)])
            .await,
    );
    let dm = env.bot("conversations.open", &[("users", &maria)]).await;
    check("conversations.open", &dm);
    let dm_id = dm["channel"]["id"].as_str().unwrap().to_owned();
    check(
        "conversations.open",
        &env.bot(
            "conversations.open",
            &[("users", &maria), ("return_im", "true")],
        )
        .await,
    );
    check(
        "conversations.info",
        &env.bot("conversations.info", &[("channel", &dm_id)]).await,
    );
    let created = env
        .bot("conversations.create", &[("name", "spec-check")])
        .await;
    check("conversations.create", &created);
    let created_id = created["channel"]["id"].as_str().unwrap().to_owned();
    check(
        "conversations.invite",
        &env.bot(
            "conversations.invite",
            &[("channel", &created_id), ("users", &maria)],
        )
        .await,
    );

    let blocks = json!([{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]);
    let posted = env
        .bot_json(
            "chat.postMessage",
            json!({"channel": general, "text": "spec", "blocks": blocks,
                   "metadata": {"event_type": "x", "event_payload": {"a": 1}},
                   "attachments": [{"text": "legacy", "fallback": "legacy"}]}),
        )
        .await;
    check("chat.postMessage", &posted);
    let ts = posted["ts"].as_str().unwrap().to_owned();
    let reply = env
        .bot(
            "chat.postMessage",
            &[("channel", &general), ("text", "r"), ("thread_ts", &ts)],
        )
        .await;
    check("chat.postMessage", &reply);
    ok_reaction(&env, &general, &ts, &checker).await;
    check(
        "conversations.history",
        &env.bot(
            "conversations.history",
            &[("channel", &general), ("include_all_metadata", "true")],
        )
        .await,
    );
    check(
        "conversations.replies",
        &env.bot(
            "conversations.replies",
            &[("channel", &general), ("ts", &ts)],
        )
        .await,
    );
    check(
        "chat.postEphemeral",
        &env.bot(
            "chat.postEphemeral",
            &[("channel", &general), ("user", &maria), ("text", "e")],
        )
        .await,
    );
    check(
        "chat.getPermalink",
        &env.bot(
            "chat.getPermalink",
            &[("channel", &general), ("message_ts", &ts)],
        )
        .await,
    );
    let unfurl_target = env
        .bot(
            "chat.postMessage",
            &[("channel", &general), ("text", "<https://crm.example/d/1>")],
        )
        .await;
    let unfurls = json!({"https://crm.example/d/1": {"text": "Deal 1"}}).to_string();
    check(
        "chat.unfurl",
        &env.bot(
            "chat.unfurl",
            &[
                ("channel", &general),
                ("ts", unfurl_target["ts"].as_str().unwrap()),
                ("unfurls", &unfurls),
            ],
        )
        .await,
    );
    check(
        "chat.update",
        &env.bot(
            "chat.update",
            &[("channel", &general), ("ts", &ts), ("text", "spec 2")],
        )
        .await,
    );
    check(
        "chat.delete",
        &env.bot("chat.delete", &[("channel", &general), ("ts", &ts)])
            .await,
    );

    let modal =
        json!({"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []});
    let opened = env
        .bot_json(
            "views.open",
            json!({"trigger_id": env.trigger_for("maria"), "view": modal}),
        )
        .await;
    check("views.open", &opened);
    check(
        "views.update",
        &env.bot_json(
            "views.update",
            json!({"view_id": opened["view"]["id"], "view": modal}),
        )
        .await,
    );
    check(
        "views.push",
        &env.bot_json(
            "views.push",
            json!({"trigger_id": env.trigger_for("maria"), "view": modal}),
        )
        .await,
    );
    check(
        "views.publish",
        &env.bot_json(
            "views.publish",
            json!({"user_id": maria, "view": {"type": "home", "blocks": []}}),
        )
        .await,
    );

    // Error answers match the spec's error schemas too.
    for (method, form) in [
        (
            "chat.postMessage",
            vec![("channel", "C0NOPE0000"), ("text", "x")],
        ),
        ("conversations.history", vec![("channel", "C0NOPE0000")]),
        (
            "users.lookupByEmail",
            vec![("email", "nobody@acme.example")],
        ),
        (
            "chat.update",
            vec![
                ("channel", general.as_str()),
                ("ts", "1.000001"),
                ("text", "x"),
            ],
        ),
    ] {
        let body = env.bot(method, &form).await;
        assert_eq!(body["ok"], false);
        checker.check(method, &body);
    }
}

async fn ok_reaction(env: &Env, channel: &str, ts: &str, checker: &Checker) {
    let body = env
        .bot(
            "reactions.add",
            &[("channel", channel), ("timestamp", ts), ("name", "tada")],
        )
        .await;
    assert_eq!(body["ok"], true, "{body}");
    checker.check("reactions.add", &body);
}
