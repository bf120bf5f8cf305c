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

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::conversations_slack::{chat, replies, reply_in_slack, root};
use crate::widget_support::WidgetVisitor;

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
    let chat = chat().await;
    let world = &chat.world;
    // The visitor writes through a second hub on the same database whose
    // web chat limits are off (200 messages would pass a visitor's 20 a
    // minute); Slack calls the first one, and the stream is on it.
    let unlimited = world
        .app
        .restarted(|config| config.widget_rate_limits = false)
        .await;
    // Its worker runs by itself, woken by its own writes as in production
    // (another replica's worker would only find them on its next look).
    let worker = tokio::spawn(Arc::clone(&unlimited.worker).run_forever());
    let writer = WidgetVisitor::new(&unlimited, chat.account.id).await;
    let mut visitor = WidgetVisitor::new(&world.app, chat.account.id).await;
    visitor.secret = writer.secret.clone();
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
    for k in 0..SAMPLES {
        let at = wall();
        writer.write(&format!("bench-visitor-{k}")).await;
        sent.push(at);
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
    report("visitor message → Slack thread", took);

    // thread → widget
    let mut stream = visitor.stream(conversation).await;
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
    worker.abort();
}
