//! The Web API methods over HTTP, held to Slack's documented shapes and
//! error codes: authentication, scopes (per channel type), visibility,
//! posting rules, threads, reactions, permalinks, unfurls and views.

mod support;

use serde_json::{json, Value};
use support::{start, Env, ALL_BOT_SCOPES};

fn ok(v: &Value) -> &Value {
    assert_eq!(v["ok"], true, "{v}");
    v
}

fn err(v: &Value, code: &str) {
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["error"], code, "{v}");
}

async fn env() -> Env {
    start(ALL_BOT_SCOPES).await
}

#[tokio::test]
async fn authentication_errors_come_first() {
    let env = env().await;
    let url = format!("{}conversations.list", env.sandbox.api_url());
    let none: Value = env
        .http
        .post(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    err(&none, "not_authed");
    err(
        &env.call("conversations.list", "xoxb-nope", &[]).await,
        "invalid_auth",
    );
    // The token may also come as a form field.
    let form: Value = env
        .http
        .post(&url)
        .form(&[("token", env.bot_token.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    ok(&form);
    env.sandbox
        .state()
        .tokens
        .iter_mut()
        .find(|t| t.token == env.bot_token)
        .unwrap()
        .revoked = true;
    err(
        &env.bot(
            "chat.postMessage",
            &[("channel", "general"), ("text", "hi")],
        )
        .await,
        "token_revoked",
    );
}

#[tokio::test]
async fn missing_scope_names_needed_and_provided() {
    let env = env().await;
    let token = env.bot_token_with(&["channels:read"]);
    let r = env
        .call(
            "chat.postMessage",
            &token,
            &[("channel", "general"), ("text", "x")],
        )
        .await;
    err(&r, "missing_scope");
    assert_eq!(r["needed"], "chat:write");
    assert_eq!(r["provided"], "channels:read");
    // Scopes that depend on the channel type name the one needed.
    let r = env
        .call(
            "conversations.list",
            &token,
            &[("types", "public_channel,private_channel")],
        )
        .await;
    err(&r, "missing_scope");
    assert_eq!(r["needed"], "groups:read");
    env.add_bot_to("support-private");
    let r = env
        .call(
            "conversations.info",
            &token,
            &[("channel", &env.channel("support-private"))],
        )
        .await;
    err(&r, "missing_scope");
    assert_eq!(r["needed"], "groups:read");
}

#[tokio::test]
async fn team_and_users() {
    let env = env().await;
    let team = env.bot("team.info", &[]).await;
    assert_eq!(ok(&team)["team"]["id"], env.team_id.as_str());
    assert_eq!(team["team"]["domain"], "acme");
    assert!(team["team"]["icon"].is_object());

    let maria = env.user("maria");
    let info = env.bot("users.info", &[("user", &maria)]).await;
    assert_eq!(ok(&info)["user"]["name"], "maria");
    assert_eq!(info["user"]["profile"]["email"], "maria@acme.example");
    assert_eq!(info["user"]["is_bot"], false);
    err(
        &env.bot("users.info", &[("user", "U000NOPE00")]).await,
        "user_not_found",
    );
    // Without users:read.email, no email.
    let token = env.bot_token_with(&["users:read"]);
    let info = env.call("users.info", &token, &[("user", &maria)]).await;
    assert!(ok(&info)["user"]["profile"].get("email").is_none());

    let found = env
        .bot("users.lookupByEmail", &[("email", "mark@acme.example")])
        .await;
    assert_eq!(ok(&found)["user"]["id"], env.user("mark").as_str());
    err(
        &env.bot("users.lookupByEmail", &[("email", "nobody@acme.example")])
            .await,
        "users_not_found",
    );

    // Paging: 4 people and the bot, two at a time.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = env
            .bot("users.list", &[("limit", "2"), ("cursor", &cursor)])
            .await;
        ok(&page);
        assert!(page["members"].as_array().unwrap().len() <= 2);
        for m in page["members"].as_array().unwrap() {
            seen.push(m["id"].as_str().unwrap().to_owned());
        }
        cursor = page["response_metadata"]["next_cursor"]
            .as_str()
            .unwrap()
            .to_owned();
        if cursor.is_empty() {
            break;
        }
    }
    assert_eq!(seen.len(), 5);
    assert!(seen.contains(&env.bot_user_id));
    err(
        &env.bot("users.list", &[("cursor", "garbage")]).await,
        "invalid_cursor",
    );
}

#[tokio::test]
async fn conversations_list_sees_what_slack_shows_and_pages() {
    let env = env().await;
    let names = |v: &Value| -> Vec<String> {
        v["channels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let public = env.bot("conversations.list", &[]).await;
    assert_eq!(names(ok(&public)), ["general", "sales"]);
    assert_eq!(public["response_metadata"]["next_cursor"], "");
    // A bot only sees private channels it is a member of.
    let both = env
        .bot(
            "conversations.list",
            &[("types", "public_channel,private_channel")],
        )
        .await;
    assert_eq!(names(&both), ["general", "sales"]);
    env.add_bot_to("support-private");
    let both = env
        .bot(
            "conversations.list",
            &[("types", "public_channel,private_channel")],
        )
        .await;
    assert_eq!(names(&both), ["general", "sales", "support-private"]);
    let private = &both["channels"][2];
    assert_eq!(private["is_private"], true);
    assert_eq!(private["is_member"], true);
    // Archived channels go with exclude_archived.
    let sales = env.channel("sales");
    env.sandbox.state().channel_mut(&sales).unwrap().is_archived = true;
    let r = env
        .bot("conversations.list", &[("exclude_archived", "true")])
        .await;
    assert_eq!(names(&r), ["general"]);
    // Cursor paging.
    let first = env
        .bot(
            "conversations.list",
            &[("types", "public_channel,private_channel"), ("limit", "2")],
        )
        .await;
    assert_eq!(names(&first), ["general", "sales"]);
    let cursor = first["response_metadata"]["next_cursor"].as_str().unwrap();
    assert!(!cursor.is_empty());
    let second = env
        .bot(
            "conversations.list",
            &[
                ("types", "public_channel,private_channel"),
                ("limit", "2"),
                ("cursor", cursor),
            ],
        )
        .await;
    assert_eq!(names(&second), ["support-private"]);
    assert_eq!(second["response_metadata"]["next_cursor"], "");
}

#[tokio::test]
async fn conversations_info_join_members() {
    let env = env().await;
    let general = env.channel("general");
    let info = env
        .bot(
            "conversations.info",
            &[("channel", &general), ("include_num_members", "true")],
        )
        .await;
    assert_eq!(ok(&info)["channel"]["name"], "general");
    assert_eq!(info["channel"]["is_general"], true);
    assert_eq!(info["channel"]["is_member"], false);
    assert_eq!(info["channel"]["num_members"], 4);
    let private = env.channel("support-private");
    err(
        &env.bot("conversations.info", &[("channel", &private)])
            .await,
        "channel_not_found",
    );
    err(
        &env.bot("conversations.info", &[("channel", "C0NOPE0000")])
            .await,
        "channel_not_found",
    );

    let joined = env
        .bot("conversations.join", &[("channel", &general)])
        .await;
    assert_eq!(ok(&joined)["channel"]["is_member"], true);
    assert!(env.sandbox.state().is_member(&general, &env.bot_user_id));
    let again = env
        .bot("conversations.join", &[("channel", &general)])
        .await;
    assert_eq!(ok(&again)["warning"], "already_in_channel");
    env.add_bot_to("support-private");
    err(
        &env.bot("conversations.join", &[("channel", &private)])
            .await,
        "method_not_supported_for_channel_type",
    );
    let no_join = env.bot_token_with(&["channels:read"]);
    err(
        &env.call("conversations.join", &no_join, &[("channel", &general)])
            .await,
        "missing_scope",
    );

    let members = env
        .bot(
            "conversations.members",
            &[("channel", &general), ("limit", "3")],
        )
        .await;
    assert_eq!(ok(&members)["members"].as_array().unwrap().len(), 3);
    let cursor = members["response_metadata"]["next_cursor"]
        .as_str()
        .unwrap();
    let rest = env
        .bot(
            "conversations.members",
            &[("channel", &general), ("limit", "3"), ("cursor", cursor)],
        )
        .await;
    assert_eq!(rest["members"].as_array().unwrap().len(), 2);
    assert_eq!(rest["response_metadata"]["next_cursor"], "");
}

#[tokio::test]
async fn conversations_open_creates_the_dm_once() {
    let env = env().await;
    let maria = env.user("maria");
    let first = env.bot("conversations.open", &[("users", &maria)]).await;
    let id = ok(&first)["channel"]["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with('D'));
    assert!(first.get("already_open").is_none());
    let again = env
        .bot(
            "conversations.open",
            &[("users", &maria), ("return_im", "true")],
        )
        .await;
    assert_eq!(ok(&again)["channel"]["id"], id.as_str());
    assert_eq!(again["already_open"], true);
    assert_eq!(again["channel"]["is_im"], true);
    assert_eq!(again["channel"]["user"], maria.as_str());
    err(
        &env.bot("conversations.open", &[]).await,
        "users_list_not_supplied",
    );
    err(
        &env.bot("conversations.open", &[("users", "U0NOBODY00")])
            .await,
        "user_not_found",
    );
    let no_im = env.bot_token_with(&["chat:write"]);
    let r = env
        .call("conversations.open", &no_im, &[("users", &maria)])
        .await;
    err(&r, "missing_scope");
    // The bot can post in its DM and read it back.
    ok(&env
        .bot(
            "chat.postMessage",
            &[("channel", &id), ("text", "hello maria")],
        )
        .await);
    let history = env.bot("conversations.history", &[("channel", &id)]).await;
    assert_eq!(ok(&history)["messages"][0]["text"], "hello maria");
}

#[tokio::test]
async fn history_and_replies_follow_membership_and_windows() {
    let env = env().await;
    let general = env.channel("general");
    // Not a member: public channel → not_in_channel; private → not found.
    err(
        &env.bot("conversations.history", &[("channel", &general)])
            .await,
        "not_in_channel",
    );
    let private = env.channel("support-private");
    err(
        &env.bot("conversations.history", &[("channel", &private)])
            .await,
        "channel_not_found",
    );
    // A person's token reads every public channel.
    ok(&env
        .call(
            "conversations.history",
            &env.user_token,
            &[("channel", &general)],
        )
        .await);

    env.add_bot_to("general");
    let mut ts = Vec::new();
    for i in 0..5 {
        let r = env
            .bot(
                "chat.postMessage",
                &[("channel", &general), ("text", &format!("m{i}"))],
            )
            .await;
        ts.push(ok(&r)["ts"].as_str().unwrap().to_owned());
    }
    let reply = env
        .bot(
            "chat.postMessage",
            &[
                ("channel", &general),
                ("text", "in thread"),
                ("thread_ts", &ts[0]),
            ],
        )
        .await;
    let reply_ts = ok(&reply)["ts"].as_str().unwrap().to_owned();

    let all = env
        .bot("conversations.history", &[("channel", &general)])
        .await;
    let texts: Vec<&str> = ok(&all)["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        ["m4", "m3", "m2", "m1", "m0"],
        "newest first, replies left out"
    );
    assert_eq!(all["has_more"], false);
    let parent = &all["messages"][4];
    assert_eq!(parent["reply_count"], 1);
    assert_eq!(parent["latest_reply"], reply_ts.as_str());
    assert_eq!(parent["reply_users"], json!([env.bot_user_id]));
    assert_eq!(parent["thread_ts"], ts[0].as_str());
    assert_eq!(parent["bot_id"], env.bot_id.as_str());
    assert_eq!(parent["app_id"], env.app_id.as_str());
    assert_eq!(parent["user"], env.bot_user_id.as_str());

    let window = env
        .bot(
            "conversations.history",
            &[
                ("channel", &general),
                ("oldest", &ts[1]),
                ("latest", &ts[3]),
            ],
        )
        .await;
    assert_eq!(
        window["messages"].as_array().unwrap().len(),
        1,
        "exclusive by default"
    );
    let window = env
        .bot(
            "conversations.history",
            &[
                ("channel", &general),
                ("oldest", &ts[1]),
                ("latest", &ts[3]),
                ("inclusive", "true"),
            ],
        )
        .await;
    assert_eq!(window["messages"].as_array().unwrap().len(), 3);
    err(
        &env.bot(
            "conversations.history",
            &[("channel", &general), ("latest", "yesterday")],
        )
        .await,
        "invalid_ts_latest",
    );

    let page = env
        .bot(
            "conversations.history",
            &[("channel", &general), ("limit", "2")],
        )
        .await;
    assert_eq!(page["has_more"], true);
    let cursor = page["response_metadata"]["next_cursor"].as_str().unwrap();
    let next = env
        .bot(
            "conversations.history",
            &[("channel", &general), ("limit", "2"), ("cursor", cursor)],
        )
        .await;
    assert_eq!(next["messages"][0]["text"], "m2");

    let replies = env
        .bot(
            "conversations.replies",
            &[("channel", &general), ("ts", &ts[0])],
        )
        .await;
    let msgs = ok(&replies)["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0]["ts"], ts[0].as_str());
    assert_eq!(msgs[1]["thread_ts"], ts[0].as_str());
    assert_eq!(msgs[1]["parent_user_id"], env.bot_user_id.as_str());
    err(
        &env.bot(
            "conversations.replies",
            &[("channel", &general), ("ts", "1.000001")],
        )
        .await,
        "thread_not_found",
    );
}

#[tokio::test]
async fn conversations_create_and_invite() {
    let env = env().await;
    let created = env
        .bot("conversations.create", &[("name", "deals-2024")])
        .await;
    let channel = ok(&created)["channel"].clone();
    assert_eq!(channel["name"], "deals-2024");
    assert_eq!(channel["creator"], env.bot_user_id.as_str());
    assert_eq!(channel["is_private"], false);
    err(
        &env.bot("conversations.create", &[("name", "general")])
            .await,
        "name_taken",
    );
    err(
        &env.bot("conversations.create", &[("name", "Bad Name!")])
            .await,
        "invalid_name_specials",
    );
    err(
        &env.bot("conversations.create", &[("name", "---")]).await,
        "invalid_name_punctuation",
    );
    err(
        &env.bot("conversations.create", &[("name", &"x".repeat(81))])
            .await,
        "invalid_name_maxlength",
    );
    err(
        &env.bot("conversations.create", &[]).await,
        "invalid_name_required",
    );
    let private = env
        .bot(
            "conversations.create",
            &[("name", "secret"), ("is_private", "true")],
        )
        .await;
    assert_eq!(ok(&private)["channel"]["is_private"], true);
    let no_groups = env.bot_token_with(&["channels:manage"]);
    let r = env
        .call(
            "conversations.create",
            &no_groups,
            &[("name", "s2"), ("is_private", "true")],
        )
        .await;
    err(&r, "missing_scope");
    assert_eq!(r["needed"], "groups:write");

    let id = channel["id"].as_str().unwrap();
    let maria = env.user("maria");
    let invited = env
        .bot(
            "conversations.invite",
            &[("channel", id), ("users", &maria)],
        )
        .await;
    ok(&invited);
    assert!(env.sandbox.state().is_member(id, &maria));
    let again = env
        .bot(
            "conversations.invite",
            &[("channel", id), ("users", &maria)],
        )
        .await;
    err(&again, "already_in_channel");
    assert_eq!(again["errors"][0]["user"], maria.as_str());
    err(
        &env.bot(
            "conversations.invite",
            &[("channel", id), ("users", &env.bot_user_id)],
        )
        .await,
        "cant_invite_self",
    );
    err(
        &env.bot(
            "conversations.invite",
            &[("channel", id), ("users", "U0NOBODY00")],
        )
        .await,
        "user_not_found",
    );
    err(
        &env.bot("conversations.invite", &[("channel", id)]).await,
        "no_user",
    );
    let general = env.channel("general");
    err(
        &env.bot(
            "conversations.invite",
            &[("channel", &general), ("users", &maria)],
        )
        .await,
        "not_in_channel",
    );
}

#[tokio::test]
async fn post_message_rules() {
    let env = env().await;
    let general = env.channel("general");
    err(
        &env.bot("chat.postMessage", &[("channel", &general), ("text", "hi")])
            .await,
        "not_in_channel",
    );
    let public = env.bot_token_with(&["chat:write", "chat:write.public"]);
    ok(&env
        .call(
            "chat.postMessage",
            &public,
            &[("channel", &general), ("text", "hi")],
        )
        .await);
    err(
        &env.bot(
            "chat.postMessage",
            &[("channel", "C0NOPE0000"), ("text", "hi")],
        )
        .await,
        "channel_not_found",
    );
    // Private channels the bot is not in do not exist for it, even with chat:write.public.
    let private = env.channel("support-private");
    err(
        &env.call(
            "chat.postMessage",
            &public,
            &[("channel", &private), ("text", "x")],
        )
        .await,
        "channel_not_found",
    );

    env.add_bot_to("general");
    err(
        &env.bot("chat.postMessage", &[("channel", &general)]).await,
        "no_text",
    );
    err(
        &env.bot(
            "chat.postMessage",
            &[("channel", &general), ("blocks", r#"[{"text":"no type"}]"#)],
        )
        .await,
        "invalid_blocks",
    );
    err(
        &env.bot(
            "chat.postMessage",
            &[("channel", &general), ("blocks", "not json")],
        )
        .await,
        "invalid_blocks_format",
    );
    err(
        &env.bot(
            "chat.postMessage",
            &[("channel", &general), ("blocks", r#"{"type":"section"}"#)],
        )
        .await,
        "invalid_blocks_format",
    );
    // By name, with blocks and metadata, as JSON.
    let blocks = json!([{"type": "section", "text": {"type": "mrkdwn", "text": "*deal*"}}]);
    let metadata = json!({"event_type": "deal_updated", "event_payload": {"id": "42"}});
    let posted = env
        .bot_json(
            "chat.postMessage",
            json!({"channel": "#general", "text": "deal", "blocks": blocks, "metadata": metadata,
                   "username": "Someone Else", "icon_emoji": ":ghost:"}),
        )
        .await;
    ok(&posted);
    assert_eq!(posted["channel"], general.as_str());
    let m = &posted["message"];
    assert_eq!(m["type"], "message");
    assert_eq!(m["text"], "deal");
    assert_eq!(m["blocks"], blocks);
    assert_eq!(m["metadata"], metadata);
    assert_eq!(m["bot_id"], env.bot_id.as_str());
    assert_eq!(m["app_id"], env.app_id.as_str());
    assert_eq!(m["user"], env.bot_user_id.as_str());
    assert_eq!(m["ts"], posted["ts"]);
    // username/icon are only honoured with chat:write.customize.
    assert!(
        m.get("username").is_none() && m.get("icons").is_none(),
        "{m}"
    );
    err(
        &env.bot_json(
            "chat.postMessage",
            json!({"channel": general, "text": "x", "metadata": {"event_payload": {}}}),
        )
        .await,
        "invalid_metadata_format",
    );
    let custom = env.bot_token_with(&["chat:write", "chat:write.customize"]);
    let r = env
        .call(
            "chat.postMessage",
            &custom,
            &[
                ("channel", &general),
                ("text", "x"),
                ("username", "Deal Desk"),
                ("icon_emoji", ":moneybag:"),
            ],
        )
        .await;
    assert_eq!(ok(&r)["message"]["username"], "Deal Desk");
    assert_eq!(r["message"]["icons"]["emoji"], ":moneybag:");

    // Threads: reply_broadcast shows the reply in the channel.
    let parent = posted["ts"].as_str().unwrap();
    let reply = env
        .bot(
            "chat.postMessage",
            &[
                ("channel", &general),
                ("text", "r"),
                ("thread_ts", parent),
                ("reply_broadcast", "true"),
            ],
        )
        .await;
    assert_eq!(ok(&reply)["message"]["thread_ts"], parent);
    let history = env
        .bot(
            "conversations.history",
            &[("channel", &general), ("limit", "1")],
        )
        .await;
    assert_eq!(history["messages"][0]["subtype"], "thread_broadcast");
    // Metadata only comes back from history when asked for.
    let all = env
        .bot("conversations.history", &[("channel", &general)])
        .await;
    let deal = all["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["text"] == "deal")
        .unwrap();
    assert!(deal.get("metadata").is_none());
    let all = env
        .bot(
            "conversations.history",
            &[("channel", &general), ("include_all_metadata", "true")],
        )
        .await;
    let deal = all["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["text"] == "deal")
        .unwrap();
    assert_eq!(deal["metadata"], metadata);
    assert_eq!(deal["reply_count"], 1);
    err(
        &env.bot(
            "chat.postMessage",
            &[
                ("channel", &general),
                ("text", "r"),
                ("thread_ts", "123.456"),
            ],
        )
        .await,
        "invalid_thread_ts",
    );

    let sales = env.channel("sales");
    env.add_bot_to("sales");
    env.sandbox.state().channel_mut(&sales).unwrap().is_archived = true;
    err(
        &env.bot("chat.postMessage", &[("channel", &sales), ("text", "x")])
            .await,
        "is_archived",
    );
}

/// Starts a receiver for the app's Events API requests and points the
/// app at it. Returns the events received so far, as they arrive.
async fn events_receiver(env: &Env) -> std::sync::Arc<std::sync::Mutex<Vec<Value>>> {
    use axum::routing::post;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let app = axum::Router::new().route(
        "/events",
        post(move |body: String| {
            let sink = sink.clone();
            async move {
                if let Ok(v) = serde_json::from_str::<Value>(&body) {
                    sink.lock().unwrap().push(v["event"].clone());
                }
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/events", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    env.sandbox.state().app_mut(&env.app_id).unwrap().events_url = Some(url);
    seen
}

async fn wait_for(seen: &std::sync::Mutex<Vec<Value>>, pred: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        if let Some(e) = seen.lock().unwrap().iter().find(|e| pred(e)) {
            return e.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no such event among {:?}", seen.lock().unwrap());
}

#[tokio::test]
async fn the_app_gets_events_for_its_channels() {
    let env = env().await;
    let seen = events_receiver(&env).await;
    env.add_bot_to("general");
    let general = env.channel("general");
    let r = env
        .bot(
            "chat.postMessage",
            &[("channel", &general), ("text", "evt")],
        )
        .await;
    let ts = r["ts"].as_str().unwrap().to_owned();
    let event = wait_for(&seen, |e| e["type"] == "message" && e["text"] == "evt").await;
    assert_eq!(event["channel"], general.as_str());
    assert_eq!(event["channel_type"], "channel");
    assert_eq!(event["user"], env.bot_user_id.as_str());
    assert_eq!(event["bot_id"], env.bot_id.as_str());
    assert_eq!(event["ts"], ts.as_str());
    assert_eq!(event["event_ts"], ts.as_str());

    let maria = env.user_token_for("maria", &["chat:write"]);
    ok(&env
        .call(
            "chat.postMessage",
            &maria,
            &[("channel", &general), ("text", "reply"), ("thread_ts", &ts)],
        )
        .await);
    let reply = wait_for(&seen, |e| e["type"] == "message" && e["text"] == "reply").await;
    assert_eq!(reply["thread_ts"], ts.as_str());
    assert_eq!(reply["user"], env.user("maria").as_str());
    assert!(reply.get("bot_id").is_none());

    ok(&env
        .bot(
            "reactions.add",
            &[("channel", &general), ("timestamp", &ts), ("name", "eyes")],
        )
        .await);
    let reaction = wait_for(&seen, |e| e["type"] == "reaction_added").await;
    assert_eq!(reaction["reaction"], "eyes");
    assert_eq!(
        reaction["item"],
        json!({"type": "message", "channel": general, "ts": ts})
    );
    assert_eq!(reaction["item_user"], env.bot_user_id.as_str());

    ok(&env
        .bot(
            "chat.update",
            &[("channel", &general), ("ts", &ts), ("text", "evt 2")],
        )
        .await);
    let changed = wait_for(&seen, |e| e["subtype"] == "message_changed").await;
    assert_eq!(changed["message"]["text"], "evt 2");
    assert_eq!(changed["previous_message"]["text"], "evt");
    ok(&env
        .bot("chat.delete", &[("channel", &general), ("ts", &ts)])
        .await);
    let deleted = wait_for(&seen, |e| e["subtype"] == "message_deleted").await;
    assert_eq!(deleted["deleted_ts"], ts.as_str());

    // Not in #sales: a person's message there does not reach the app.
    let sales = env.channel("sales");
    let olivia = env.user_token_for("olivia", &["chat:write"]);
    ok(&env
        .call(
            "chat.postMessage",
            &olivia,
            &[("channel", &sales), ("text", "private talk")],
        )
        .await);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!seen
        .lock()
        .unwrap()
        .iter()
        .any(|e| e["text"] == "private talk"));
}

#[tokio::test]
async fn ephemeral_update_delete_permalink() {
    let env = env().await;
    env.add_bot_to("general");
    let general = env.channel("general");
    let maria = env.user("maria");
    let eph = env
        .bot(
            "chat.postEphemeral",
            &[("channel", &general), ("user", &maria), ("text", "psst")],
        )
        .await;
    assert!(ok(&eph)["message_ts"].is_string());
    assert_eq!(env.sandbox.state().ephemerals.len(), 1);
    let bot_dm_user = env.user("adam");
    let sales = env.channel("sales");
    env.add_bot_to("sales");
    err(
        &env.bot(
            "chat.postEphemeral",
            &[("channel", &sales), ("user", &bot_dm_user), ("text", "x")],
        )
        .await,
        "user_not_in_channel",
    );

    let posted = env
        .bot("chat.postMessage", &[("channel", &general), ("text", "v1")])
        .await;
    let ts = posted["ts"].as_str().unwrap();
    let updated = env
        .bot(
            "chat.update",
            &[("channel", &general), ("ts", ts), ("text", "v2")],
        )
        .await;
    assert_eq!(ok(&updated)["text"], "v2");
    assert_eq!(updated["ts"], ts);
    assert_eq!(updated["message"]["text"], "v2");
    assert!(updated["message"]["edited"]["ts"].is_string());
    err(
        &env.bot(
            "chat.update",
            &[("channel", &general), ("ts", "1.000002"), ("text", "x")],
        )
        .await,
        "message_not_found",
    );

    // Maria's own message: the bot may neither edit nor delete it.
    let maria_token = env.user_token_for("maria", &["chat:write"]);
    let hers = env
        .call(
            "chat.postMessage",
            &maria_token,
            &[("channel", &general), ("text", "mine")],
        )
        .await;
    let her_ts = ok(&hers)["ts"].as_str().unwrap();
    assert!(hers["message"].get("bot_id").is_none());
    err(
        &env.bot(
            "chat.update",
            &[("channel", &general), ("ts", her_ts), ("text", "x")],
        )
        .await,
        "cant_update_message",
    );
    err(
        &env.bot("chat.delete", &[("channel", &general), ("ts", her_ts)])
            .await,
        "cant_delete_message",
    );

    let link = env
        .bot(
            "chat.getPermalink",
            &[("channel", &general), ("message_ts", ts)],
        )
        .await;
    assert_eq!(
        ok(&link)["permalink"],
        format!(
            "https://acme.slack.com/archives/{general}/p{}",
            ts.replace('.', "")
        )
    );
    let reply = env
        .bot(
            "chat.postMessage",
            &[("channel", &general), ("text", "r"), ("thread_ts", ts)],
        )
        .await;
    let reply_ts = reply["ts"].as_str().unwrap();
    let link = env
        .bot(
            "chat.getPermalink",
            &[("channel", &general), ("message_ts", reply_ts)],
        )
        .await;
    assert_eq!(
        link["permalink"],
        format!(
            "https://acme.slack.com/archives/{general}/p{}?thread_ts={ts}&cid={general}",
            reply_ts.replace('.', "")
        )
    );
    err(
        &env.bot(
            "chat.getPermalink",
            &[("channel", &general), ("message_ts", "1.000003")],
        )
        .await,
        "message_not_found",
    );

    let deleted = env
        .bot("chat.delete", &[("channel", &general), ("ts", ts)])
        .await;
    assert_eq!(ok(&deleted)["ts"], ts);
    err(
        &env.bot("chat.delete", &[("channel", &general), ("ts", ts)])
            .await,
        "message_not_found",
    );
}

#[tokio::test]
async fn unfurl_stores_the_unfurls_on_the_message() {
    let env = env().await;
    env.add_bot_to("general");
    let general = env.channel("general");
    let maria_token = env.user_token_for("maria", &["chat:write"]);
    let url = "https://crm.example/deals/42";
    let posted = env
        .call(
            "chat.postMessage",
            &maria_token,
            &[("channel", &general), ("text", &format!("see <{url}>"))],
        )
        .await;
    let ts = posted["ts"].as_str().unwrap();
    let unfurls = json!({url: {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Deal 42"}}]}});
    let r = env
        .bot(
            "chat.unfurl",
            &[
                ("channel", &general),
                ("ts", ts),
                ("unfurls", &unfurls.to_string()),
            ],
        )
        .await;
    ok(&r);
    let history = env
        .bot("conversations.history", &[("channel", &general)])
        .await;
    let attachment = &history["messages"][0]["attachments"][0];
    assert_eq!(attachment["app_unfurl_url"], url);
    assert_eq!(attachment["blocks"][0]["text"]["text"], "Deal 42");
    err(
        &env.bot("chat.unfurl", &[("channel", &general), ("ts", ts)])
            .await,
        "missing_unfurls",
    );
    let other = json!({"https://elsewhere.example/": {"text": "x"}});
    err(
        &env.bot(
            "chat.unfurl",
            &[
                ("channel", &general),
                ("ts", ts),
                ("unfurls", &other.to_string()),
            ],
        )
        .await,
        "cannot_unfurl_url",
    );
    let no_links = env.bot_token_with(&["chat:write"]);
    err(
        &env.call(
            "chat.unfurl",
            &no_links,
            &[
                ("channel", &general),
                ("ts", ts),
                ("unfurls", &unfurls.to_string()),
            ],
        )
        .await,
        "missing_scope",
    );
}

#[tokio::test]
async fn reactions_add_and_remove() {
    let env = env().await;
    env.add_bot_to("general");
    let general = env.channel("general");
    let posted = env
        .bot(
            "chat.postMessage",
            &[("channel", &general), ("text", "react")],
        )
        .await;
    let ts = posted["ts"].as_str().unwrap();
    let add = |name: &'static str| {
        let general = general.clone();
        let ts = ts.to_owned();
        let env = &env;
        async move {
            env.bot(
                "reactions.add",
                &[("channel", &general), ("timestamp", &ts), ("name", name)],
            )
            .await
        }
    };
    ok(&add("thumbsup").await);
    err(&add("thumbsup").await, "already_reacted");
    err(&add("Not An Emoji!").await, "invalid_name");
    ok(&add(":+1::skin-tone-3:").await);
    err(
        &env.bot("reactions.add", &[("channel", &general), ("name", "x")])
            .await,
        "no_item_specified",
    );
    err(
        &env.bot(
            "reactions.add",
            &[
                ("channel", &general),
                ("timestamp", "1.000004"),
                ("name", "x"),
            ],
        )
        .await,
        "message_not_found",
    );
    let history = env
        .bot("conversations.history", &[("channel", &general)])
        .await;
    let reactions = &history["messages"][0]["reactions"];
    assert_eq!(
        reactions[0],
        json!({"name": "thumbsup", "users": [env.bot_user_id], "count": 1})
    );
    ok(&env
        .bot(
            "reactions.remove",
            &[
                ("channel", &general),
                ("timestamp", ts),
                ("name", "thumbsup"),
            ],
        )
        .await);
    err(
        &env.bot(
            "reactions.remove",
            &[
                ("channel", &general),
                ("timestamp", ts),
                ("name", "thumbsup"),
            ],
        )
        .await,
        "no_reaction",
    );
}

fn modal(title: &str) -> Value {
    json!({
        "type": "modal",
        "callback_id": "log_deal",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [{"type": "input", "block_id": "amount", "label": {"type": "plain_text", "text": "Amount"},
                    "element": {"type": "plain_text_input", "action_id": "v"}}],
    })
}

#[tokio::test]
async fn views_open_push_update_publish() {
    let env = env().await;
    let trigger = env.trigger_for("maria");
    let opened = env
        .bot_json(
            "views.open",
            json!({"trigger_id": trigger, "view": modal("Log a deal")}),
        )
        .await;
    let view = &ok(&opened)["view"];
    let view_id = view["id"].as_str().unwrap().to_owned();
    assert!(view_id.starts_with('V'));
    assert_eq!(view["team_id"], env.team_id.as_str());
    assert_eq!(view["type"], "modal");
    assert_eq!(view["state"], json!({"values": {}}));
    assert_eq!(view["root_view_id"], view_id.as_str());
    assert_eq!(view["app_id"], env.app_id.as_str());
    assert_eq!(view["bot_id"], env.bot_id.as_str());
    assert_eq!(view["callback_id"], "log_deal");
    assert!(view["hash"].is_string());
    // A trigger is single use, expires after 3 s, and must exist.
    err(
        &env.bot_json(
            "views.open",
            json!({"trigger_id": trigger, "view": modal("x")}),
        )
        .await,
        "exchanged_trigger_id",
    );
    let stale = env.stale_trigger_for("maria");
    err(
        &env.bot_json(
            "views.open",
            json!({"trigger_id": stale, "view": modal("x")}),
        )
        .await,
        "expired_trigger_id",
    );
    err(
        &env.bot_json(
            "views.open",
            json!({"trigger_id": "1.2.nope", "view": modal("x")}),
        )
        .await,
        "invalid_trigger_id",
    );
    // Malformed views.
    let fresh = env.trigger_for("maria");
    let r = env
        .bot_json(
            "views.open",
            json!({"trigger_id": fresh, "view": {"type": "modal", "blocks": []}}),
        )
        .await;
    err(&r, "invalid_arguments");
    assert!(r["response_metadata"]["messages"][0]
        .as_str()
        .unwrap()
        .contains("title"));
    let too_many: Vec<Value> = (0..101).map(|_| json!({"type": "divider"})).collect();
    let mut big = modal("Big");
    big["blocks"] = Value::Array(too_many);
    err(
        &env.bot_json("views.open", json!({"trigger_id": fresh, "view": big}))
            .await,
        "invalid_arguments",
    );
    let mut no_submit = modal("No submit");
    no_submit.as_object_mut().unwrap().remove("submit");
    err(
        &env.bot_json(
            "views.open",
            json!({"trigger_id": fresh, "view": no_submit}),
        )
        .await,
        "invalid_arguments",
    );
    // Form-encoded view works too.
    let form = env
        .bot(
            "views.open",
            &[("trigger_id", &fresh), ("view", &modal("Form").to_string())],
        )
        .await;
    let root = ok(&form)["view"]["id"].as_str().unwrap().to_owned();

    // Push up to 3 views in a stack.
    for i in 0..2 {
        let t = env.trigger_for("maria");
        let pushed = env
            .bot_json(
                "views.push",
                json!({"trigger_id": t, "view": modal(&format!("Step {i}"))}),
            )
            .await;
        assert_eq!(ok(&pushed)["view"]["root_view_id"], root.as_str());
    }
    let t = env.trigger_for("maria");
    err(
        &env.bot_json(
            "views.push",
            json!({"trigger_id": t, "view": modal("Too far")}),
        )
        .await,
        "push_limit_reached",
    );

    // Update by id, guarded by hash.
    let hash = form["view"]["hash"].as_str().unwrap();
    let updated = env
        .bot_json(
            "views.update",
            json!({"view_id": root, "hash": hash, "view": modal("Updated")}),
        )
        .await;
    assert_eq!(ok(&updated)["view"]["title"]["text"], "Updated");
    assert_eq!(updated["view"]["id"], root.as_str());
    assert_ne!(updated["view"]["hash"], hash);
    err(
        &env.bot_json(
            "views.update",
            json!({"view_id": root, "hash": hash, "view": modal("Stale")}),
        )
        .await,
        "hash_conflict",
    );
    err(
        &env.bot_json(
            "views.update",
            json!({"view_id": "V0NOPE0000", "view": modal("x")}),
        )
        .await,
        "not_found",
    );
    // By external_id.
    let mut ext = modal("Ext");
    ext["external_id"] = json!("deal-42");
    let t = env.trigger_for("mark");
    ok(&env
        .bot_json("views.open", json!({"trigger_id": t, "view": ext}))
        .await);
    let by_ext = env
        .bot_json(
            "views.update",
            json!({"external_id": "deal-42", "view": modal("Ext 2")}),
        )
        .await;
    assert_eq!(ok(&by_ext)["view"]["title"]["text"], "Ext 2");

    // App Home.
    let maria = env.user("maria");
    let home = json!({"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}]});
    let published = env
        .bot_json("views.publish", json!({"user_id": maria, "view": home}))
        .await;
    assert_eq!(ok(&published)["view"]["type"], "home");
    let home_hash = published["view"]["hash"].as_str().unwrap().to_owned();
    let again = env
        .bot_json(
            "views.publish",
            json!({"user_id": maria, "view": home, "hash": home_hash}),
        )
        .await;
    assert_eq!(ok(&again)["view"]["id"], published["view"]["id"]);
    err(
        &env.bot_json(
            "views.publish",
            json!({"user_id": maria, "view": home, "hash": home_hash}),
        )
        .await,
        "hash_conflict",
    );
    err(
        &env.bot_json(
            "views.publish",
            json!({"user_id": maria, "view": modal("x")}),
        )
        .await,
        "invalid_arguments",
    );
}

/// Slack's official Python SDK drives the sandbox unchanged (needs
/// python3 and PyPI the first time; the venv is kept in target/).
#[tokio::test(flavor = "multi_thread")]
async fn slack_sdk_session() {
    let env = env().await;
    env.add_bot_to("general");
    env.add_bot_to("support-private");
    let python = tokio::task::spawn_blocking(|| support::python_with(&["slack_sdk==3.*"]))
        .await
        .unwrap();
    let stale = env.stale_trigger_for("maria");
    // Python's start-up and the calls before views.open must not eat the
    // 3 seconds on a busy machine; expiry itself is covered above.
    let fresh = env.trigger_for("maria");
    for t in env
        .sandbox
        .state()
        .triggers
        .iter_mut()
        .filter(|t| t.id == fresh)
    {
        t.expires_at += 60.0;
    }
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slack_sdk_session.py");
    let api_url = env.sandbox.api_url();
    let token = env.bot_token.clone();
    let channel = env.channel("general");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg(script)
            .env("SANDBOX_API_URL", api_url)
            .env("SANDBOX_TOKEN", token)
            .env("SANDBOX_EMAIL", "maria@acme.example")
            .env("SANDBOX_CHANNEL", channel)
            .env("FRESH_TRIGGER", fresh)
            .env("STALE_TRIGGER", stale)
            .env("EXPECTED_CHANNELS", "general,sales,support-private")
            .output()
            .expect("python runs")
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "slack_sdk session failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("slack_sdk session ok"));
}
