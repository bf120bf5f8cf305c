//! The web chat's Slack thread, end to end against the sandbox: a
//! visitor writes through the widget's HTTP API, the hub posts one root
//! message to the inbox's channel and every message into its thread; a
//! mapped Slack user's reply in the thread reaches the visitor's live
//! stream as that agent, a `note:` stays private, an unmapped one is told
//! only to them how to map; nothing the hub posts comes back as an
//! answer, a Slack retry answers once, outages and 429s delay without
//! losing or doubling; the root's buttons act as the mapped user; a lost channel tells the
//! admins and the same thread resumes when the app is back.

use std::time::Duration;

use hubbub_store::{SlackState, User};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::TestAccount;
use crate::slack_mapping::{add_user, scene, Scene};
use crate::slack_support::{
    channel_id, channel_messages, ephemerals, eventually, invite_app, sandbox_control,
    sandbox_read, slack_user, World,
};
use crate::web_client::WebClient;
use crate::widget_support::WidgetVisitor;

const HOSTILE: &str = "<!channel> <@U123> <http://evil.example|ok> & co";

/// An account connected to the sandbox's Acme workspace, whose first
/// inbox sends its conversations to `channel` (the app invited there):
/// Maria is mapped by email, Mark is not.
pub struct Chat {
    pub world: World,
    pub account: TestAccount,
    pub admin: WebClient,
    pub maria: User,
    pub channel: String,
}

async fn chat_in(channel_name: &str) -> Chat {
    let Scene {
        world,
        account,
        mut admin,
        maria,
        ..
    } = scene().await;
    invite_app(&world, channel_name).await;
    let channel = channel_id(&world, channel_name);
    let inbox = world.app.store.inboxes(account.id).await.unwrap()[0].id;
    admin
        .submit(
            &format!("/settings/inbox?inbox={inbox}"),
            &format!("/settings/inbox/{inbox}/slack"),
            &[("enabled", "1"), ("channel", &channel)],
        )
        .await
        .assert_ok();
    drain(&world).await;
    Chat {
        world,
        account,
        admin,
        maria,
        channel,
    }
}

pub async fn chat() -> Chat {
    chat_in("general").await
}

/// Runs the hub's background work until none is queued, moving the hub's
/// clock to each next due time (a short wait for a busy thread, a retry's
/// backoff, Slack's Retry-After) instead of waiting for it.
pub async fn drain(world: &World) {
    for _ in 0..200 {
        world.app.settle().await;
        let Some(due) = world.app.store.next_due().await.unwrap() else {
            return;
        };
        let now = world.app.hub.now();
        if due > now {
            let wait = u64::try_from(due - now + 1).unwrap();
            world.app.hub.clock().advance(Duration::from_millis(wait));
        }
    }
    panic!("the background work never ran out");
}

/// The conversation's root message in the channel: the app's top-level
/// message stamped with the conversation's id.
async fn roots(world: &World, channel: &str, conversation: i64) -> Vec<Value> {
    let id = conversation.to_string();
    channel_messages(world, channel)
        .await
        .into_iter()
        .filter(|m| {
            m["metadata"]["event_type"] == "hubbub_conversation_message"
                && m["metadata"]["event_payload"]["conversation_id"] == id.as_str()
                && m["metadata"]["event_payload"]["part"] == "root"
        })
        .collect()
}

/// The conversation's one root message, with its thread's `replies`.
pub async fn root(world: &World, channel: &str, conversation: i64) -> Value {
    let mut found = roots(world, channel, conversation).await;
    assert_eq!(found.len(), 1, "one root: {found:?}");
    found.remove(0)
}

pub fn replies(root: &Value) -> Vec<Value> {
    root["replies"].as_array().cloned().unwrap_or_default()
}

fn texts(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Every string Slack shows of a message: its text and its blocks' texts.
pub fn shown(message: &Value) -> String {
    format!("{} {}", message["text"], message["blocks"])
}

/// A person's reply in the conversation's thread, as typed in Slack.
pub async fn reply_in_slack(
    world: &World,
    chat: &Chat,
    handle: &str,
    root_ts: &str,
    text: &str,
) -> String {
    let (status, body) = sandbox_control(
        world,
        "/control/messages",
        json!({"user": handle, "channel": chat.channel, "thread_ts": root_ts, "text": text}),
    )
    .await;
    assert!(status.is_success(), "{body}");
    body["ts"].as_str().unwrap().to_owned()
}

/// Waits until the hub has answered the sandbox's delivery of the event
/// about the message `ts` (so that whatever it caused is committed).
pub async fn event_taken(world: &World, ts: &str) {
    let url = format!("{}/slack/events", world.app.base_url);
    eventually(&format!("the event about {ts} taken"), || async {
        let body = sandbox_read(
            world,
            "/control/deliveries",
            &[("kind", "event"), ("url", &url)],
        )
        .await;
        body["deliveries"].as_array().unwrap().iter().any(|d| {
            d["status"] == 200
                && serde_json::from_str::<Value>(d["body"].as_str().unwrap_or_default())
                    .is_ok_and(|e| e["event"]["ts"] == ts)
        })
    })
    .await;
}

/// The app's reactions on the message `ts`.
pub async fn reactions(world: &World, channel: &str, ts: &str) -> Vec<String> {
    let body = sandbox_read(
        world,
        "/control/reactions",
        &[("channel", channel), ("ts", ts)],
    )
    .await;
    let mut names: Vec<String> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["reactions"].as_array().cloned().unwrap_or_default())
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

/// The conversation's messages in the hub (notes too).
pub async fn hub_messages(world: &World, conversation: i64) -> Vec<hubbub_store::Message> {
    world.app.store.messages(conversation, true).await.unwrap()
}

/// What the visitor's widget was told: every stored event, from the start.
async fn widget_events(
    visitor: &WidgetVisitor,
    conversation: i64,
) -> Vec<crate::widget_support::LiveEvent> {
    let mut stream = visitor.stream(conversation).await;
    stream.drain(Duration::from_millis(400)).await
}

/// A visitor's first message, its conversation's thread opened: the
/// visitor, the conversation and the root message's `ts`.
pub async fn opened(chat: &Chat, text: &str) -> (WidgetVisitor, i64, String) {
    let world = &chat.world;
    let visitor = WidgetVisitor::new(&world.app, chat.account.id).await;
    let (conversation, _) = visitor.write(text).await;
    drain(world).await;
    let root_ts = root(world, &chat.channel, conversation).await["ts"]
        .as_str()
        .unwrap()
        .to_owned();
    (visitor, conversation, root_ts)
}

async fn the_user(world: &World, account: &TestAccount, email: &str) -> User {
    let users = world.app.store.users(account.id).await.unwrap();
    users.into_iter().find(|u| u.email == email).unwrap()
}

#[tokio::test]
async fn a_conversation_posts_one_root_and_each_message_into_its_thread_in_order() {
    let chat = chat().await;
    let world = &chat.world;
    let visitor = WidgetVisitor::new(&world.app, chat.account.id).await;
    let (conversation, _) = visitor
        .write_as(
            "Hello, is anyone there?",
            "Ada Lovelace",
            "ada@visitor.example",
        )
        .await;
    drain(world).await;
    for text in ["Second", "Third"] {
        visitor.write(text).await;
    }
    drain(world).await;

    let root = root(world, &chat.channel, conversation).await;
    assert!(root["bot_id"].is_string(), "{root}");
    let text = shown(&root);
    assert!(text.contains("Ada Lovelace"), "{text}");
    assert!(text.contains("ada@visitor.example"), "{text}");
    assert!(text.contains("https://acme.example/pricing"), "{text}");
    assert!(text.contains("Unassigned"), "{text}");
    let contact = world
        .app
        .store
        .conversation(chat.account.id, conversation)
        .await
        .unwrap()
        .contact_id
        .expect("a contact");
    assert!(
        text.contains(&format!("{}/contacts/{contact}", world.app.base_url)),
        "{text}"
    );
    let blocks = root["blocks"].to_string();
    assert!(blocks.contains("conversation.assign_to_me"), "{blocks}");
    assert!(blocks.contains("conversation.close"), "{blocks}");
    assert!(!blocks.contains("conversation.reopen"), "{blocks}");

    // The thread: the visitor's messages in order, under their name, each
    // stamped and recorded where it is.
    let thread = replies(&root);
    assert_eq!(
        texts(&thread),
        ["Hello, is anyone there?", "Second", "Third"]
    );
    for reply in &thread {
        assert_eq!(reply["username"], "Ada Lovelace", "{reply}");
        assert_eq!(reply["metadata"]["event_payload"]["part"], "message");
    }
    let stored = hub_messages(world, conversation).await;
    assert_eq!(stored.len(), 3);
    for (m, reply) in stored.iter().zip(&thread) {
        assert_eq!(m.slack_state, SlackState::Posted);
        assert_eq!(m.slack_ts.as_deref(), reply["ts"].as_str());
    }
    // Running the job again posts nothing more.
    world.app.hub.clock().advance(Duration::from_secs(5));
    drain(world).await;
    assert_eq!(
        replies(&root_now(world, &chat, conversation).await).len(),
        3
    );
    assert_eq!(roots(world, &chat.channel, conversation).await.len(), 1);
}

async fn root_now(world: &World, chat: &Chat, conversation: i64) -> Value {
    root(world, &chat.channel, conversation).await
}

#[tokio::test]
async fn hostile_visitor_text_arrives_escaped() {
    let chat = chat().await;
    let world = &chat.world;
    let visitor = WidgetVisitor::new(&world.app, chat.account.id).await;
    let (status, body) = visitor
        .send(
            json!({"visitor": visitor.secret, "text": HOSTILE, "name": "<!here> Eve",
                     "page_url": "<http://evil.example|pricing>"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let conversation = body["conversation_id"].as_i64().unwrap();
    drain(world).await;

    let root = root(world, &chat.channel, conversation).await;
    let thread = replies(&root);
    assert_eq!(
        texts(&thread),
        ["&lt;!channel&gt; &lt;@U123&gt; &lt;http://evil.example|ok&gt; &amp; co"]
    );
    for message in [&root, &thread[0]] {
        let text = shown(message);
        for live in ["<!channel>", "<!here>", "<@U123>", "<http://evil"] {
            assert!(!text.contains(live), "{live} in {text}");
        }
    }
    assert!(shown(&root).contains("&lt;!here&gt; Eve"), "{root}");
}

#[tokio::test]
async fn a_burst_of_first_messages_opens_one_thread() {
    let chat = chat().await;
    let world = &chat.world;
    // A second hub on the same database without the widget's rate limits
    // takes the burst (one visitor may write 10 at once otherwise).
    let front = world
        .app
        .restarted(|config| config.widget_rate_limits = false)
        .await;
    let visitor = WidgetVisitor::new(&front, chat.account.id).await;
    const BURST: usize = 30;
    let visitor = &visitor;
    let mut sends = Vec::new();
    for i in 0..BURST {
        let body = json!({"visitor": visitor.secret, "client_ref": format!("m{i}"),
                          "text": format!("Message {i}"), "name": "Burst Visitor"});
        sends.push(async move { (body.clone(), visitor.send(body).await) });
    }
    let answers = futures::future::join_all(sends).await;
    let mut conversations = Vec::new();
    for (body, (mut status, mut answer)) in answers {
        // Two first messages at once on PostgreSQL: the second is refused
        // and sent again by the widget, which then finds the first.
        for _ in 0..5 {
            if status.is_success() {
                break;
            }
            (status, answer) = visitor.send(body.clone()).await;
        }
        assert!(status.is_success(), "{status} {answer}");
        conversations.push(answer["conversation_id"].as_i64().unwrap());
    }
    conversations.dedup();
    assert_eq!(conversations.len(), 1, "{conversations:?}");
    let conversation = conversations[0];

    // The hub's clock runs fast meanwhile, so that the pacer lets the
    // posts go at once.
    let clock = world.app.hub.clock().clone();
    let ticker = tokio::spawn(async move {
        loop {
            clock.advance(Duration::from_millis(1_100));
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    drain(world).await;
    ticker.abort();

    assert_eq!(roots(world, &chat.channel, conversation).await.len(), 1);
    let thread = replies(&root(world, &chat.channel, conversation).await);
    let mut posted = texts(&thread);
    assert_eq!(posted.len(), BURST, "{posted:?}");
    posted.sort();
    posted.dedup();
    assert_eq!(posted.len(), BURST, "each message once");
    // In the order they were stored.
    let stored: Vec<String> = hub_messages(world, conversation)
        .await
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(texts(&thread), stored);
}

#[tokio::test]
async fn a_mapped_users_reply_reaches_the_visitor_as_that_agent_and_a_note_stays_private() {
    let chat = chat().await;
    let world = &chat.world;
    let (visitor, conversation, root_ts) = opened(&chat, "Do you ship to Norway?").await;
    let mut live = visitor.stream(conversation).await;
    live.next_of("message").await;

    let ts = reply_in_slack(
        world,
        &chat,
        "maria",
        &root_ts,
        "Yes &amp; we do, <https://acme.example/ship|see here>",
    )
    .await;
    let answer = live.next_of("message").await;
    assert_eq!(answer.data["author"], "agent", "{:?}", answer.data);
    assert_eq!(answer.data["name"], "Maria Member");
    assert_eq!(
        answer.data["text"],
        "Yes & we do, see here (https://acme.example/ship)"
    );
    let stored = hub_messages(world, conversation).await;
    let from_slack = stored.last().unwrap();
    assert_eq!(from_slack.user_id, Some(chat.maria.id));
    assert_eq!(from_slack.via, "slack");
    assert_eq!(from_slack.slack_ts.as_deref(), Some(ts.as_str()));
    // The widget says it has it, as it does on every message.
    visitor.ack(conversation, Some(from_slack.id), None).await;

    // A note stays in the hub.
    let note_ts = reply_in_slack(
        world,
        &chat,
        "maria",
        &root_ts,
        "note: VIP, ships every month",
    )
    .await;
    event_taken(world, &note_ts).await;
    drain(world).await;
    let stored = hub_messages(world, conversation).await;
    let note = stored.last().unwrap();
    assert_eq!(note.author, hubbub_hub::conversation::Author::Note);
    assert_eq!(note.text, "VIP, ships every month");
    let told = widget_events(&visitor, conversation).await;
    assert!(
        told.iter().all(|e| !e.data.to_string().contains("VIP")),
        "{told:?}"
    );
    // Neither reply is posted back into the thread.
    let thread = replies(&root(world, &chat.channel, conversation).await);
    assert_eq!(thread.len(), 3, "{thread:?}");
    assert!(
        thread[1..].iter().all(|m| m["bot_id"].is_null()),
        "{thread:?}"
    );
}

#[tokio::test]
async fn an_unmapped_users_reply_is_not_sent_and_they_are_told_how_to_map() {
    let chat = chat().await;
    let world = &chat.world;
    let (visitor, conversation, root_ts) = opened(&chat, "Anyone?").await;

    let ts = reply_in_slack(world, &chat, "mark", &root_ts, "I can help!").await;
    event_taken(world, &ts).await;
    drain(world).await;
    assert_eq!(hub_messages(world, conversation).await.len(), 1);
    let told = widget_events(&visitor, conversation).await;
    assert!(
        told.iter()
            .all(|e| !e.data.to_string().contains("I can help")),
        "{told:?}"
    );
    let shown_to_mark = ephemerals(world, "mark").await;
    assert_eq!(shown_to_mark.len(), 1, "{shown_to_mark:?}");
    let e = &shown_to_mark[0];
    assert_eq!(e["channel"], chat.channel.as_str());
    assert_eq!(e["thread_ts"], root_ts.as_str());
    let text = shown(e);
    assert!(text.contains("not sent"), "{text}");
    assert!(
        text.contains("click here to map your email address"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{}/settings/notifications", world.app.base_url)),
        "{text}"
    );
    assert!(ephemerals(world, "maria").await.is_empty());
}

#[tokio::test]
async fn a_view_only_seat_may_not_answer_or_close_from_slack() {
    let chat = chat().await;
    let world = &chat.world;
    let adam = add_user(world, &chat.account, "adam@acme.example", "Adam").await;
    drain(world).await;
    chat.admin
        .post(
            &format!("/settings/users/{}/roles", adam.id),
            &[("role", "view_only"), ("grant", "1")],
        )
        .await
        .assert_ok();
    let visitor = WidgetVisitor::new(&world.app, chat.account.id).await;
    let (conversation, _) = visitor.write("Hello").await;
    drain(world).await;
    let root = root(world, &chat.channel, conversation).await;
    let root_ts = root["ts"].as_str().unwrap().to_owned();

    let ts = reply_in_slack(world, &chat, "adam", &root_ts, "Hi there").await;
    event_taken(world, &ts).await;
    press(world, "adam", &root, "conversation.close").await;
    drain(world).await;
    assert_eq!(hub_messages(world, conversation).await.len(), 1);
    let status = world
        .app
        .store
        .conversation(chat.account.id, conversation)
        .await
        .unwrap()
        .status;
    assert_eq!(status, hubbub_hub::conversation::Status::Open);
    let told: Vec<String> = ephemerals(world, "adam").await.iter().map(shown).collect();
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(
        told.iter().all(|t| t.contains("view-only seat")),
        "{told:?}"
    );
}

#[tokio::test]
async fn what_the_hub_posts_and_edits_comes_back_but_is_never_taken_as_a_reply() {
    let mut chat = chat().await;
    let world = &chat.world;
    let visitor = WidgetVisitor::new(&world.app, chat.account.id).await;
    let (conversation, _) = visitor.write("Question").await;
    drain(world).await;
    // From the hub's inbox page: an answer, a note, and an assignment
    // that redraws the root (chat.update: `message_changed`).
    let admin = the_user(world, &chat.account, &chat.account.admin_email).await;
    let path = format!("/inbox/{conversation}");
    for fields in [
        vec![("text", "Answer from the hub")],
        vec![("text", "Internal note"), ("private", "1")],
    ] {
        let done = chat
            .admin
            .submit(&path, &format!("{path}/reply"), &fields)
            .await;
        done.assert_ok();
    }
    let me = admin.id.to_string();
    let done = chat
        .admin
        .submit(&path, &format!("{path}/assign"), &[("assignee", &me)])
        .await;
    done.assert_ok();
    let answer = hub_messages(world, conversation).await[1].id;
    visitor.ack(conversation, Some(answer), None).await;
    drain(world).await;

    let root = root(world, &chat.channel, conversation).await;
    let thread = replies(&root);
    assert_eq!(thread.len(), 3, "{thread:?}");
    assert_eq!(thread[1]["username"], "Ada Admin (from the hub)");
    assert_eq!(thread[1]["text"], "Answer from the hub");
    assert!(thread[2]["text"].as_str().unwrap().contains("Private note"));
    assert!(shown(&root).contains("Assigned to Ada Admin"), "{root}");
    // Slack sent the hub every one of them (and the edit) as events; the
    // hub took none as a reply.
    for reply in &thread {
        event_taken(world, reply["ts"].as_str().unwrap()).await;
    }
    let url = format!("{}/slack/events", world.app.base_url);
    eventually("the root's edit delivered", || async {
        let body = sandbox_read(
            world,
            "/control/deliveries",
            &[("kind", "event"), ("url", &url)],
        )
        .await;
        body["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["status"] == 200 && d["body"].as_str().unwrap().contains("message_changed"))
    })
    .await;
    drain(world).await;
    assert_eq!(hub_messages(world, conversation).await.len(), 3);
    assert_eq!(
        replies(&root_now(world, &chat, conversation).await).len(),
        3
    );
    let agents: Vec<_> = widget_events(&visitor, conversation)
        .await
        .into_iter()
        .filter(|e| e.event == "message" && e.data["author"] == "agent")
        .collect();
    assert_eq!(agents.len(), 1, "{agents:?}");
}

#[tokio::test]
async fn slacks_retry_of_a_reply_answers_the_visitor_once() {
    let chat = chat().await;
    let world = &chat.world;
    let (visitor, conversation, root_ts) = opened(&chat, "Hello?").await;
    let ts = reply_in_slack(world, &chat, "maria", &root_ts, "Hello from Slack").await;
    event_taken(world, &ts).await;

    // The same delivery again, as Slack retries it.
    let url = format!("{}/slack/events", world.app.base_url);
    let body = sandbox_read(
        world,
        "/control/deliveries",
        &[("kind", "event"), ("url", &url)],
    )
    .await;
    let delivered = body["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["body"].as_str().unwrap().contains(&ts))
        .unwrap()["body"]
        .as_str()
        .unwrap()
        .to_owned();
    for retry in ["1", "2"] {
        let secret = world.sandbox.state().apps[0].signing_secret.clone();
        let stamp = hubbub_test_support::now_secs().to_string();
        let status = world
            .raw
            .post(&url)
            .header("content-type", "application/json")
            .header("x-slack-request-timestamp", &stamp)
            .header(
                "x-slack-signature",
                hubbub_test_support::slack_signature(&secret, &stamp, delivered.as_bytes()),
            )
            .header("x-slack-retry-num", retry)
            .header("x-slack-retry-reason", "http_timeout")
            .body(delivered.clone())
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::OK);
    }
    drain(world).await;
    let answers: Vec<_> = hub_messages(world, conversation)
        .await
        .into_iter()
        .filter(|m| m.text == "Hello from Slack")
        .collect();
    assert_eq!(answers.len(), 1);
    let told: Vec<_> = widget_events(&visitor, conversation)
        .await
        .into_iter()
        .filter(|e| e.data["text"] == "Hello from Slack")
        .collect();
    assert_eq!(told.len(), 1, "{told:?}");
}

#[tokio::test]
async fn slack_down_rate_limiting_or_losing_answers_delays_messages_but_loses_and_doubles_none() {
    let chat = chat().await;
    let world = &chat.world;
    let visitor = WidgetVisitor::new(&world.app, chat.account.id).await;
    for fault in [
        json!({"method": "chat.postMessage", "retry_after": 3, "times": 2}),
        json!({"method": "chat.postMessage", "status": 503, "times": 2}),
        // Posted, but the answer never reaches the hub: the root, then a
        // message.
        json!({"method": "chat.postMessage", "lose_answer": true, "times": 2}),
    ] {
        let (status, body) = sandbox_control(world, "/control/faults", fault).await;
        assert!(status.is_success(), "{body}");
    }
    let (conversation, _) = visitor.write("One").await;
    visitor.write("Two").await;
    let first = world.app.settle().await;
    assert!(first.postponed >= 1, "Retry-After postpones: {first:?}");
    // Slack is unreachable for a while too.
    let (status, _) = sandbox_control(world, "/control/outage", json!({"seconds": 1})).await;
    assert!(status.is_success());
    visitor.write("Three").await;
    world.app.settle().await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    drain(world).await;
    assert!(
        world.sandbox.state().faults.is_empty(),
        "every fault was met"
    );

    let thread = replies(&root(world, &chat.channel, conversation).await);
    assert_eq!(texts(&thread), ["One", "Two", "Three"]);
    let stored = hub_messages(world, conversation).await;
    assert!(stored.iter().all(|m| m.slack_state == SlackState::Posted));
    // No job gave up.
    let jobs = world.app.store.jobs(chat.account.id, 100).await.unwrap();
    assert!(
        jobs.iter()
            .all(|j| j.status == hubbub_store::JobStatus::Done),
        "{jobs:?}"
    );
}

/// Presses the root's button `action_id` as the sandbox user `handle`.
async fn press(world: &World, handle: &str, root: &Value, action_id: &str) {
    let click = json!({"user": handle, "channel": root["channel"], "ts": root["ts"], "action_id": action_id});
    let (status, body) = sandbox_control(world, "/control/click", click).await;
    assert!(status.is_success(), "{action_id}: {body}");
}

#[tokio::test]
async fn assign_to_me_close_and_reopen_from_slack_change_the_hub_and_redraw_the_root() {
    let mut chat = chat().await;
    let world = &chat.world;
    let visitor = WidgetVisitor::new(&world.app, chat.account.id).await;
    let (conversation, _) = visitor.write("Help me").await;
    drain(world).await;
    let root = root(world, &chat.channel, conversation).await;
    let stored = |world: &World| {
        let store = world.app.store.clone();
        let account = chat.account.id;
        async move { store.conversation(account, conversation).await.unwrap() }
    };

    press(world, "maria", &root, "conversation.assign_to_me").await;
    drain(world).await;
    assert_eq!(stored(world).await.assignee_id, Some(chat.maria.id));
    let now = root_now(world, &chat, conversation).await;
    assert!(shown(&now).contains("Assigned to Maria Member"), "{now}");
    let status = widget_events(&visitor, conversation).await;
    assert!(
        status
            .iter()
            .any(|e| e.event == "status" && e.data["agent"] == "Maria Member"),
        "{status:?}"
    );

    press(world, "maria", &now, "conversation.close").await;
    drain(world).await;
    assert_eq!(
        stored(world).await.status,
        hubbub_hub::conversation::Status::Closed
    );
    let now = root_now(world, &chat, conversation).await;
    assert!(shown(&now).contains("Closed"), "{now}");
    assert!(now["blocks"].to_string().contains("conversation.reopen"));

    // Mark is not mapped: only he is told, and nothing changes.
    press(world, "mark", &now, "conversation.reopen").await;
    drain(world).await;
    assert_eq!(
        stored(world).await.status,
        hubbub_hub::conversation::Status::Closed
    );
    let told = ephemerals(world, "mark").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(shown(&told[0]).contains("not mapped"), "{told:?}");

    // Reopened from the hub's inbox page: the root follows.
    let path = format!("/inbox/{conversation}");
    let done = chat
        .admin
        .submit(&path, &format!("{path}/reopen"), &[])
        .await;
    done.assert_ok();
    drain(world).await;
    let now = root_now(world, &chat, conversation).await;
    assert!(shown(&now).contains("Assigned to Maria Member"), "{now}");
    assert!(now["blocks"].to_string().contains("conversation.close"));
}

/// (in-app notifications, mails) about a lost channel the admin has.
async fn told_of_loss(world: &World, account: &TestAccount) -> (usize, usize) {
    let admin = the_user(world, account, &account.admin_email).await;
    let notes = world.app.store.notifications(admin.id, 50).await.unwrap();
    let notes = notes
        .iter()
        .filter(|n| n.topic == "slack_channel_lost")
        .count();
    let mails = world
        .app
        .store
        .list_mail(account.id, Some(&account.admin_email), 50)
        .await
        .unwrap();
    let mails = mails
        .iter()
        .filter(|m| m.subject.contains("can no longer post"))
        .count();
    (notes, mails)
}

#[tokio::test]
async fn the_app_removed_from_the_channel_tells_the_admins_and_its_return_resumes_the_same_thread()
{
    let chat = chat().await;
    let world = &chat.world;
    let visitor = WidgetVisitor::new(&world.app, chat.account.id).await;
    let (conversation, _) = visitor.write("Before").await;
    drain(world).await;
    let root_ts = root(world, &chat.channel, conversation).await["ts"].clone();

    // Someone removes the app from the channel in Slack.
    let (status, body) = sandbox_control(
        world,
        &format!("/control/channels/{}/remove", chat.channel),
        json!({"user": "Hubbub", "by": "maria"}),
    )
    .await;
    assert!(status.is_success(), "{body}");
    eventually("the admins told", || async {
        told_of_loss(world, &chat.account).await == (1, 1)
    })
    .await;
    let admin = the_user(world, &chat.account, &chat.account.admin_email).await;
    let note = world.app.store.notifications(admin.id, 50).await.unwrap();
    let note = note
        .iter()
        .find(|n| n.topic == "slack_channel_lost")
        .unwrap();
    assert!(note.body.contains("removed from #general"), "{}", note.body);
    assert!(note.body.contains("/invite @Hubbub"), "{}", note.body);

    // The hub goes on; what the visitor writes waits.
    let (again, _) = visitor.write("While it was gone").await;
    assert_eq!(again, conversation);
    drain(world).await;
    let stored = hub_messages(world, conversation).await;
    assert_eq!(stored.last().unwrap().slack_state, SlackState::Pending);
    // A new conversation waits too: no root anywhere.
    let other = WidgetVisitor::new(&world.app, chat.account.id).await;
    let (second, _) = other.write("New chat meanwhile").await;
    drain(world).await;
    assert!(roots(world, &chat.channel, second).await.is_empty());
    assert_eq!(
        told_of_loss(world, &chat.account).await,
        (1, 1),
        "told once"
    );

    // The app is invited back: the same thread resumes, and the new
    // conversation gets its root.
    invite_app(world, "general").await;
    eventually("the waiting messages posted", || async {
        drain(world).await;
        hub_messages(world, conversation)
            .await
            .iter()
            .all(|m| m.slack_state == SlackState::Posted)
    })
    .await;
    let root_after = root(world, &chat.channel, conversation).await;
    assert_eq!(root_after["ts"], root_ts, "the same thread");
    assert_eq!(
        texts(&replies(&root_after)),
        ["Before", "While it was gone"]
    );
    assert_eq!(
        texts(&replies(&root(world, &chat.channel, second).await)),
        ["New chat meanwhile"]
    );
}

#[tokio::test]
async fn an_archived_channel_tells_the_admins_once_and_the_hub_goes_on() {
    let mut chat = chat_in("sales").await;
    let world = &chat.world;
    let visitor = WidgetVisitor::new(&world.app, chat.account.id).await;
    let (conversation, _) = visitor.write("Before").await;
    drain(world).await;
    assert_eq!(
        replies(&root(world, &chat.channel, conversation).await).len(),
        1
    );

    let (status, body) = sandbox_control(
        world,
        &format!("/control/channels/{}/archive", chat.channel),
        json!({"by": "maria"}),
    )
    .await;
    assert!(status.is_success(), "{body}");
    eventually("the admins told", || async {
        told_of_loss(world, &chat.account).await == (1, 1)
    })
    .await;
    let mails = world
        .app
        .store
        .list_mail(chat.account.id, Some(&chat.account.admin_email), 50)
        .await
        .unwrap();
    let mail = mails
        .iter()
        .find(|m| m.subject.contains("can no longer post"))
        .unwrap();
    assert!(
        mail.text_body.contains("#sales was archived"),
        "{}",
        mail.text_body
    );
    assert!(
        mail.text_body
            .contains(&format!("{}/settings/inbox", world.app.base_url)),
        "{}",
        mail.text_body
    );

    // The visitor and the hub go on; Slack is not called for the channel.
    visitor.write("After").await;
    let path = format!("/inbox/{conversation}");
    let done = chat
        .admin
        .submit(
            &path,
            &format!("{path}/reply"),
            &[("text", "Answered in the hub")],
        )
        .await;
    done.assert_ok();
    drain(world).await;
    let told = widget_events(&visitor, conversation).await;
    assert!(
        told.iter().any(|e| e.data["text"] == "Answered in the hub"),
        "{told:?}"
    );
    let pending = hub_messages(world, conversation)
        .await
        .iter()
        .filter(|m| m.slack_state == SlackState::Pending)
        .count();
    assert_eq!(pending, 2);
    assert_eq!(
        told_of_loss(world, &chat.account).await,
        (1, 1),
        "told once"
    );
    assert_eq!(
        replies(&root(world, &chat.channel, conversation).await).len(),
        1
    );
}

#[tokio::test]
async fn the_workspace_removed_then_reconnected_resumes_the_same_threads() {
    let chat = chat().await;
    let world = &chat.world;
    let visitor = WidgetVisitor::new(&world.app, chat.account.id).await;
    let (conversation, _) = visitor.write("Before").await;
    drain(world).await;
    let root_ts = root(world, &chat.channel, conversation).await["ts"].clone();

    // The app is removed from the workspace in Slack: the hub disconnects
    // (and tells the admins, as any removal does), the chat goes on.
    let (status, body) =
        sandbox_control(world, "/control/uninstall", json!({"user": "olivia"})).await;
    assert!(status.is_success(), "{body}");
    eventually("the hub disconnected", || async {
        world
            .app
            .store
            .account_for_slack_team(&slack_user(world, "olivia").1)
            .await
            .unwrap()
            .is_none()
    })
    .await;
    visitor.write("While disconnected").await;
    drain(world).await;
    assert_eq!(
        hub_messages(world, conversation)
            .await
            .last()
            .unwrap()
            .slack_state,
        SlackState::Pending
    );

    // Reconnected, the same workspace: the waiting message goes into the
    // same thread.
    let mut admin = chat.admin;
    crate::slack_support::connect(world, &mut admin, "olivia")
        .await
        .assert_ok();
    drain(world).await;
    let root_after = root(world, &chat.channel, conversation).await;
    assert_eq!(root_after["ts"], root_ts);
    assert_eq!(
        texts(&replies(&root_after)),
        ["Before", "While disconnected"]
    );
}
