//! The web chat's latency benchmark (BENCHMARKS.md, "Web chat"): the hub
//! and the sandbox in one process, the sandbox's rate limits off, the
//! hub's worker running by itself as in production. Ignored in the suite;
//! run with `cargo test --release -p hubbub --test api -- --ignored
//! --nocapture conversations_benchmark`.
//!
//! - visitor → thread: a visitor writes through the widget's HTTP API; from
//!   just before the request to the `ts` Slack gave the message in the
//!   conversation's thread;
//! - thread → widget: a mapped user replies in the thread (the sandbox's
//!   control API, which delivers the signed event as Slack does); from
//!   just before the reply to its arrival on the visitor's open stream.
//!
//! Each with its reference in the same run: the same post straight to the
//! sandbox, and an answer through the Conversations API to the same
//! widget. `HUBBUB_BENCH_EACH=1` prints every visitor sample; `RUST_LOG`
//! shows the hub's logs.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::conversations_slack::{chat, replies, reply_in_slack, root, Chat};
use crate::harness::TestApp;
use crate::slack_support::{connection_row, sandbox_bot_tokens, sandbox_control, web_api, World};
use crate::widget_support::{agent_sends, WidgetVisitor};

const SAMPLES: usize = 100;
/// The hub paces its posts to a channel at Slack's published one a second
/// (whatever the sandbox enforces), and every message of the inbox goes
/// to one channel: visitor messages are sent further apart than that, so
/// that what is timed is the way to the thread, not the queue.
const VISITOR_SPACING: Duration = Duration::from_millis(1_100);
const REPLY_SPACING: Duration = Duration::from_millis(50);

fn wall() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn report(what: &str, mut millis: Vec<f64>) {
    millis.sort_by(f64::total_cmp);
    let at = |p: f64| millis[((millis.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{what}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} samples)",
        at(0.5),
        at(0.99),
        at(1.0),
        millis.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark; run with --ignored (see BENCHMARKS.md)"]
async fn conversations_benchmark() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .try_init();
    let chat = chat().await;
    let world = &chat.world;
    // One hub does everything from here, as in production: one started
    // on the same database with the web chat's limits off (200 messages
    // would pass a visitor's 20 a minute), Slack's events and clicks sent
    // to it, its worker running by itself, woken by its own writes.
    let hub = world
        .app
        .restarted(|config| config.widget_rate_limits = false)
        .await;
    point_slack_at(world, &hub).await;
    let worker = tokio::spawn(Arc::clone(&hub.worker).run_forever());
    let writer = WidgetVisitor::new(&hub, chat.account.id).await;
    let (conversation, _) = writer.write("warming up").await;
    // The root is posted once; the samples then go into its thread.
    let mut root_ts = None;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if world
            .app
            .store
            .conversation(chat.account.id, conversation)
            .await
            .unwrap()
            .thread
            .is_some()
        {
            root_ts = Some(
                root(world, &chat.channel, conversation).await["ts"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
            break;
        }
    }
    let root_ts = root_ts.expect("the root was posted");

    // visitor → thread
    let mut sent = Vec::new();
    let mut writes = Vec::new();
    for k in 0..SAMPLES {
        let at = wall();
        writer.write(&format!("bench-visitor-{k}")).await;
        sent.push(at);
        writes.push((wall() - at) * 1e3);
        tokio::time::sleep(VISITOR_SPACING).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let thread = replies(&root(world, &chat.channel, conversation).await);
    let mut took = Vec::new();
    for (k, at) in sent.iter().enumerate() {
        let text = format!("bench-visitor-{k}");
        let message = thread
            .iter()
            .find(|m| m["text"].as_str().unwrap_or_default().contains(&text))
            .unwrap_or_else(|| panic!("{text} is in the thread"));
        let ts: f64 = message["ts"].as_str().unwrap().parse().unwrap();
        took.push((ts - at) * 1e3);
    }
    if std::env::var_os("HUBBUB_BENCH_EACH").is_some() {
        for (k, (took, wrote)) in took.iter().zip(&writes).enumerate() {
            println!("sample {k}: {took:.2} ms, of which the write {wrote:.2} ms");
        }
    }
    report("visitor message → Slack thread", took);
    report("  of which the widget's write (stored, answered)", writes);
    report(
        "reference: the same post straight to the sandbox (chat.postMessage)",
        direct_posts(world, &chat, &root_ts).await,
    );

    // thread → widget
    let mut stream = writer.stream(conversation).await;
    stream.drain(Duration::from_millis(500)).await;
    let mut took = Vec::new();
    for k in 0..SAMPLES {
        let text = format!("bench-agent-{k}");
        let started = Instant::now();
        reply_in_slack(world, &chat, "maria", &root_ts, &text).await;
        loop {
            let e = stream.next().await;
            if e.event == "message" && e.data["text"] == text.as_str() {
                assert_eq!(e.data["name"], "Maria Member");
                break;
            }
        }
        took.push(started.elapsed().as_secs_f64() * 1e3);
        tokio::time::sleep(REPLY_SPACING).await;
    }
    report("Slack thread reply → visitor's widget", took);

    // The reference: an agent's answer through the Conversations API to
    // the same open widget (the hub's own way, without Slack).
    let mut took = Vec::new();
    for k in 0..SAMPLES {
        let text = format!("bench-api-{k}");
        let started = Instant::now();
        agent_sends(&hub, &chat.account, conversation, "MESSAGE", &text).await;
        loop {
            let e = stream.next().await;
            if e.event == "message" && e.data["text"] == text.as_str() {
                break;
            }
        }
        took.push(started.elapsed().as_secs_f64() * 1e3);
        tokio::time::sleep(REPLY_SPACING).await;
    }
    report(
        "reference: an answer through the Conversations API → the same widget",
        took,
    );
    worker.abort();
}

/// The reference for visitor → thread: the app's bot token posting into
/// the same thread straight to the sandbox, timed from the request to
/// Slack's answer, spaced as the visitor's messages are.
async fn direct_posts(world: &World, chat: &Chat, root_ts: &str) -> Vec<f64> {
    let team = connection_row(world, chat.account.id).await.team_id;
    let (token, _) = sandbox_bot_tokens(world, &team)
        .await
        .into_iter()
        .find(|(_, revoked)| !revoked)
        .expect("a live bot token");
    let mut took = Vec::new();
    for k in 0..SAMPLES {
        let started = Instant::now();
        let post =
            json!({"channel": chat.channel, "thread_ts": root_ts, "text": format!("direct-{k}")});
        let answer = web_api(world, &token, "chat.postMessage", post).await;
        took.push(started.elapsed().as_secs_f64() * 1e3);
        assert_eq!(answer["ok"], true, "{answer}");
        tokio::time::sleep(REPLY_SPACING).await;
    }
    took
}

/// Sends the sandbox app's events and interactions to `hub`.
async fn point_slack_at(world: &World, hub: &TestApp) {
    let app_id = world.sandbox.state().apps[0].app_id.clone();
    let urls = json!({
        "events_url": format!("{}/slack/events", hub.base_url),
        "interactivity_url": format!("{}/slack/interactions", hub.base_url),
    });
    let (status, body) =
        sandbox_control(world, &format!("/control/apps/{app_id}/urls"), urls).await;
    assert!(status.is_success(), "{body}");
}
