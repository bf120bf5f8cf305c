//! The Slack delivery benchmark (BENCHMARKS.md, "Slack delivery"): a
//! hub with 100 users mapped to 100 people of the sandbox's workspace,
//! Slack's rate limits on, and the hub's worker running by itself as in
//! production. Ignored in the suite (it takes minutes); run with
//! `cargo test --release -p hubbub --test api -- --ignored --nocapture
//! slack_benchmark`.
//!
//! It measures, through assignment notifications (a deal created with an
//! owner), each a direct message from the app:
//! - a burst: 20 notifications to each of the 100 people at once (2,000),
//!   their delivery time against the least Slack's limits allow, and the
//!   429s the hub received;
//! - latency under the limits: one notification every 50 ms, each to the
//!   next person, from the API's answer to the message's `ts`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hubbub_sandbox::state::SeedUser;
use hubbub_sandbox::{faults, Seed};
use hubbub_store::{SlackLink, User};
use serde_json::{json, Value};

use crate::slack_mapping::add_user;
use crate::slack_support::{admin, connect, sandbox_read, slack_user, world, World};

const PEOPLE: usize = 100;
const BURST_EACH: usize = 20;
const LATENCY_SAMPLES: usize = 200;

/// `chat.postMessage` per channel, as Slack publishes it: one a second,
/// after a burst of a few (the sandbox's 3).
const POSTS_PER_SECOND: f64 = 1.0;
const POST_BURST: usize = 3;

fn wall() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// Creates the deals `(name, owner)`, in batches of 100; returns, for
/// each, when its batch was sent (wall clock seconds): the change.
async fn create_deals(world: &World, token: &str, deals: &[(String, i64)]) -> Vec<f64> {
    let mut answered = Vec::new();
    for batch in deals.chunks(100) {
        let at = wall();
        let inputs: Vec<Value> = batch
            .iter()
            .map(|(name, owner)| {
                json!({"properties": {"dealname": name, "hubspot_owner_id": owner.to_string()}})
            })
            .collect();
        let (status, body) = world
            .app
            .post(
                token,
                "/crm/v3/objects/deals/batch/create",
                json!({ "inputs": inputs }),
            )
            .await;
        assert!(status.is_success(), "{status} {body}");
        answered.extend(batch.iter().map(|_| at));
    }
    answered
}

/// The `ts` of each app message whose text names one of `names`.
async fn delivered(world: &World, names: &[String]) -> HashMap<String, Vec<f64>> {
    let body = sandbox_read(world, "/control/messages", &[]).await;
    let mut found: HashMap<String, Vec<f64>> = HashMap::new();
    for m in body["messages"].as_array().unwrap() {
        let text = m["text"].as_str().unwrap_or_default();
        // Names end with a space-free number: match the whole name.
        if let Some(name) = text
            .split(|c: char| !(c.is_alphanumeric() || c == '-'))
            .find(|w| w.starts_with("bench-"))
        {
            if names.iter().any(|n| n == name) {
                let ts: f64 = m["ts"].as_str().unwrap().parse().unwrap();
                found.entry(name.to_owned()).or_default().push(ts);
            }
        }
    }
    found
}

/// Waits until every name has a message (or `limit` passes).
async fn until_delivered(
    world: &World,
    names: &[String],
    limit: Duration,
) -> HashMap<String, Vec<f64>> {
    let started = Instant::now();
    loop {
        let found = delivered(world, names).await;
        if found.len() == names.len() || started.elapsed() > limit {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn ratelimited_calls(world: &World) -> (usize, usize) {
    let body = sandbox_read(world, "/control/calls", &[]).await;
    let calls = body["calls"].as_array().unwrap();
    let limited = calls.iter().filter(|c| c["status"] == 429).count();
    (limited, calls.len())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[tokio::test]
#[ignore = "a benchmark: minutes long; run with --ignored (see BENCHMARKS.md)"]
async fn slack_benchmark() {
    let mut seed = Seed::demo();
    seed.teams[0].users.extend((0..PEOPLE).map(|i| SeedUser {
        name: format!("bench{i}"),
        real_name: format!("Bench {i}"),
        email: format!("bench{i}@acme.example"),
        ..SeedUser::default()
    }));
    let world = world(seed).await;
    faults::set_rate_limits(&mut world.sandbox.state(), true);
    let account = world.app.account("Bench").await;
    let mut people: Vec<User> = Vec::new();
    for i in 0..PEOPLE {
        let email = format!("bench{i}@acme.example");
        people.push(add_user(&world, &account, &email, &format!("Bench{i}")).await);
    }
    // The worker runs by itself, as in production.
    let worker = tokio::spawn(Arc::clone(&world.app.worker).run_forever());
    let mut client = admin(&world, &account).await;
    connect(&world, &mut client, "olivia").await.assert_ok();

    // Connecting looks everyone up (Tier 3: about two minutes for 100).
    let (_, team_id) = slack_user(&world, "olivia");
    let started = Instant::now();
    loop {
        let links = world
            .app
            .store
            .slack_links(account.id, &team_id)
            .await
            .unwrap();
        let mapped = links
            .iter()
            .filter(|(_, l)| matches!(l, SlackLink::Mapped { .. }))
            .count();
        if mapped >= PEOPLE {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "{mapped} mapped"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!(
        "lookups: {} users mapped in {:.1} s",
        PEOPLE,
        started.elapsed().as_secs_f64()
    );

    // One notification each opens the direct message channels
    // (conversations.open, Tier 3), which the hub then remembers.
    let started = Instant::now();
    let warm: Vec<(String, i64)> = people
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("bench-warm-{i}"), p.id))
        .collect();
    create_deals(&world, &account.token, &warm).await;
    let names: Vec<String> = warm.iter().map(|(n, _)| n.clone()).collect();
    let found = until_delivered(&world, &names, Duration::from_secs(600)).await;
    assert_eq!(found.len(), PEOPLE);
    println!(
        "first message to each of {PEOPLE} people (opens the channels): {:.1} s",
        started.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(5)).await;

    // The burst: 20 to each person at once.
    let (limited_before, calls_before) = ratelimited_calls(&world).await;
    let burst: Vec<(String, i64)> = (0..BURST_EACH)
        .flat_map(|n| {
            people
                .iter()
                .enumerate()
                .map(move |(i, p)| (format!("bench-burst-{n}-{i}"), p.id))
        })
        .collect();
    let started = wall();
    create_deals(&world, &account.token, &burst).await;
    let created = wall() - started;
    let names: Vec<String> = burst.iter().map(|(n, _)| n.clone()).collect();
    let found = until_delivered(&world, &names, Duration::from_secs(600)).await;
    assert_eq!(found.len(), burst.len(), "every notification arrived");
    assert!(found.values().all(|ts| ts.len() == 1), "exactly once each");
    let last = found.values().flatten().copied().fold(0.0, f64::max);
    let took = last - started;
    // The least time the limits allow: per channel, a burst, then one a
    // second (the channels are independent).
    let allowed = (BURST_EACH - POST_BURST) as f64 / POSTS_PER_SECOND;
    let (limited_after, calls_after) = ratelimited_calls(&world).await;
    let limited = limited_after - limited_before;
    let calls = calls_after - calls_before;
    println!(
        "burst: {} notifications to {PEOPLE} people created in {created:.1} s, all delivered {took:.1} s after the first change; \
         the limits allow {allowed:.0} s: {:.0}% of the allowed rate; {limited} 429s in {calls} calls ({:.2}%)",
        burst.len(),
        100.0 * allowed / took,
        100.0 * limited as f64 / calls.max(1) as f64
    );
    tokio::time::sleep(Duration::from_secs(5)).await;

    // Latency under the limits: one every 50 ms, each to the next person.
    let mut latencies = Vec::new();
    let mut sent = Vec::new();
    for n in 0..LATENCY_SAMPLES {
        let owner = people[n % PEOPLE].id;
        let deal = (format!("bench-latency-{n}"), owner);
        let at = create_deals(&world, &account.token, std::slice::from_ref(&deal)).await[0];
        sent.push((deal.0, at));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let names: Vec<String> = sent.iter().map(|(n, _)| n.clone()).collect();
    let found = until_delivered(&world, &names, Duration::from_secs(120)).await;
    assert_eq!(found.len(), LATENCY_SAMPLES);
    for (name, at) in &sent {
        latencies.push((found[name][0] - at) * 1000.0);
    }
    latencies.sort_by(f64::total_cmp);
    println!(
        "latency under the limits ({LATENCY_SAMPLES} notifications, one every 50 ms): p50 {:.0} ms, p99 {:.0} ms",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99)
    );
    worker.abort();
}
