//! The Slack delivery benchmark (BENCHMARKS.md, "Slack delivery"): a
//! hub with 100 users mapped to 100 people of the sandbox's workspace, 20
//! channels the app is in, each with a notification rule, Slack's rate
//! limits on, and the hub's worker running by itself as in production.
//! Ignored in the suite (it takes minutes); run with
//! `cargo test --release -p hubbub --test api -- --ignored --nocapture
//! slack_benchmark`.
//!
//! Each deal created with an owner and an amount from 1 to 20 notifies
//! twice: its owner by direct message (the assignment notification), and
//! the channel whose rule ("a deal is created", `amount EQ` its number)
//! it matches. It measures:
//! - a burst: 1,000 deals at once, so 2,000 notifications, 50 to each of
//!   the 20 channels and 10 to each of the 100 people; their delivery time
//!   against the least Slack's limits allow, and the 429s the hub received;
//! - latency under the limits: one deal every 100 ms, each to the next
//!   person and the next channel, from the change to each message's `ts`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hubbub_sandbox::state::SeedUser;
use hubbub_sandbox::{faults, Seed};
use hubbub_store::{SlackLink, User};
use serde_json::{json, Value};

use crate::rules::{add_rule, rule_fields};
use crate::slack_mapping::add_user;
use crate::slack_support::{
    admin, channel_id, connect, invite_app, on_slack, sandbox_read, slack_user, world, World,
};

const PEOPLE: usize = 100;
const CHANNELS: usize = 20;
/// Deals in the burst: each notifies its owner and one channel.
const BURST_DEALS: usize = 1_000;
const LATENCY_SAMPLES: usize = 200;
const LATENCY_SPACING: Duration = Duration::from_millis(100);

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

/// A deal to create: its name, its owner, and the channel (0 to 19) whose
/// rule it matches, if any.
struct Deal {
    name: String,
    owner: i64,
    channel: Option<usize>,
}

/// The amount that selects channel `k`'s rule.
fn amount_of(k: usize) -> String {
    (k + 1).to_string()
}

/// Creates the deals in batches of 100; returns, for each, when its batch
/// was sent (wall clock seconds): the change.
async fn create_deals(world: &World, token: &str, deals: &[Deal]) -> Vec<f64> {
    let mut answered = Vec::new();
    for batch in deals.chunks(100) {
        let at = wall();
        let inputs: Vec<Value> = batch
            .iter()
            .map(|d| {
                let mut properties =
                    json!({"dealname": d.name, "hubspot_owner_id": d.owner.to_string()});
                if let Some(k) = d.channel {
                    properties["amount"] = json!(amount_of(k));
                }
                json!({ "properties": properties })
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

/// An app message about a deal: where it was posted, and its `ts`.
#[derive(Debug, Clone)]
struct Message {
    channel: String,
    ts: f64,
}

impl Message {
    fn is_direct(&self) -> bool {
        self.channel.starts_with('D')
    }
}

/// The messages whose text names one of `names`, by name.
async fn delivered(world: &World, names: &[String]) -> HashMap<String, Vec<Message>> {
    let body = sandbox_read(world, "/control/messages", &[]).await;
    let mut found: HashMap<String, Vec<Message>> = HashMap::new();
    for m in body["messages"].as_array().unwrap() {
        let text = m["text"].as_str().unwrap_or_default();
        // Names end with a space-free number: match the whole name.
        if let Some(name) = text
            .split(|c: char| !(c.is_alphanumeric() || c == '-'))
            .find(|w| w.starts_with("bench-"))
        {
            if names.iter().any(|n| n == name) {
                found.entry(name.to_owned()).or_default().push(Message {
                    channel: m["channel"].as_str().unwrap().to_owned(),
                    ts: m["ts"].as_str().unwrap().parse().unwrap(),
                });
            }
        }
    }
    found
}

/// Waits until every name has `each` messages (or `limit` passes).
async fn until_delivered(
    world: &World,
    names: &[String],
    each: usize,
    limit: Duration,
) -> HashMap<String, Vec<Message>> {
    let started = Instant::now();
    loop {
        let found = delivered(world, names).await;
        let complete = found.values().filter(|m| m.len() >= each).count();
        if complete == names.len() || started.elapsed() > limit {
            return found;
        }
        // Reading every message holds the sandbox up: not too often.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The sandbox's call log: (429s, calls, `chat.postMessage` calls).
async fn calls_so_far(world: &World) -> (usize, usize, usize) {
    let body = sandbox_read(world, "/control/calls", &[]).await;
    let calls = body["calls"].as_array().unwrap();
    let limited = calls.iter().filter(|c| c["status"] == 429).count();
    let posts = calls
        .iter()
        .filter(|c| c["method"] == "chat.postMessage")
        .count();
    (limited, calls.len(), posts)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// The `ts` of the messages that `keep` selects, `since` taken off,
/// sorted.
fn times(
    found: &HashMap<String, Vec<Message>>,
    since: f64,
    keep: impl Fn(&Message) -> bool,
) -> Vec<f64> {
    let mut out: Vec<f64> = found
        .values()
        .flatten()
        .filter(|m| keep(m))
        .map(|m| m.ts - since)
        .collect();
    out.sort_by(f64::total_cmp);
    out
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

    // 20 channels, the app invited to each, and a rule per channel: a
    // deal is created with the channel's amount.
    let mut channels = Vec::new();
    for k in 0..CHANNELS {
        let name = format!("bench-channel-{k}");
        on_slack(
            &world,
            "/control/channels",
            json!({"name": name, "members": ["olivia"]}),
        )
        .await;
        invite_app(&world, &name).await;
        let id = channel_id(&world, &name);
        let rule = format!("Bench channel {k}");
        let amount = amount_of(k);
        let fields = rule_fields(
            &rule,
            &[("trigger_kind", "created"), ("object_type", "deals")],
            "New deal: {{ dealname }}",
            &[("target", "channel"), ("channel", &id)],
            &[("amount", "EQ", &amount)],
        );
        add_rule(&mut client, &fields).await.assert_ok();
        channels.push(id);
    }

    // One notification each opens the direct message channels
    // (conversations.open, Tier 3), which the hub then remembers. These
    // deals have no amount: no rule fires.
    let started = Instant::now();
    let warm: Vec<Deal> = people
        .iter()
        .enumerate()
        .map(|(i, p)| Deal {
            name: format!("bench-warm-{i}"),
            owner: p.id,
            channel: None,
        })
        .collect();
    create_deals(&world, &account.token, &warm).await;
    let names: Vec<String> = warm.iter().map(|d| d.name.clone()).collect();
    let found = until_delivered(&world, &names, 1, Duration::from_secs(600)).await;
    assert_eq!(found.len(), PEOPLE);
    println!(
        "first message to each of {PEOPLE} people (opens the channels): {:.1} s",
        started.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(5)).await;

    // The burst: 1,000 deals at once, each to its owner and its channel.
    let (limited_before, calls_before, posts_before) = calls_so_far(&world).await;
    let burst: Vec<Deal> = (0..BURST_DEALS)
        .map(|j| Deal {
            name: format!("bench-burst-{j}"),
            owner: people[j % PEOPLE].id,
            channel: Some(j % CHANNELS),
        })
        .collect();
    let started = wall();
    create_deals(&world, &account.token, &burst).await;
    let created = wall() - started;
    let names: Vec<String> = burst.iter().map(|d| d.name.clone()).collect();
    let found = until_delivered(&world, &names, 2, Duration::from_secs(600)).await;
    for deal in &burst {
        let messages = found.get(&deal.name).map(Vec::as_slice).unwrap_or_default();
        let channel = &channels[deal.channel.unwrap()];
        assert_eq!(messages.len(), 2, "{}: {messages:?}", deal.name);
        assert_eq!(
            messages.iter().filter(|m| m.is_direct()).count(),
            1,
            "{}: one direct message, {messages:?}",
            deal.name
        );
        assert!(
            messages.iter().any(|m| m.channel == *channel),
            "{}: posted to its channel, {messages:?}",
            deal.name
        );
    }
    let direct = times(&found, started, Message::is_direct);
    let posted = times(&found, started, |m| !m.is_direct());
    let (dm_took, channel_took) = (direct[direct.len() - 1], posted[posted.len() - 1]);
    let took = dm_took.max(channel_took);
    // The least time the limits allow: per channel, a burst, then one a
    // second; the channels are independent, so the fullest decides (50
    // posts in each of the 20 channels; 10 in each direct message, which
    // alone would allow 7 s).
    let allowed_for = |posts: usize| (posts - POST_BURST) as f64 / POSTS_PER_SECOND;
    let dm_allowed = allowed_for(BURST_DEALS / PEOPLE);
    let allowed = allowed_for(BURST_DEALS / CHANNELS).max(dm_allowed);
    let (limited_after, calls_after, posts_after) = calls_so_far(&world).await;
    let limited = limited_after - limited_before;
    let calls = calls_after - calls_before;
    let posts = posts_after - posts_before;
    println!(
        "burst: {} notifications ({BURST_DEALS} to {CHANNELS} channels, {BURST_DEALS} to {PEOPLE} people) \
         from {BURST_DEALS} deals created in {created:.1} s; all delivered {took:.1} s after the first change; \
         the limits allow {allowed:.0} s: {:.1}% of the allowed rate; {limited} 429s in {calls} calls \
         ({posts} chat.postMessage): {:.2}%",
        2 * BURST_DEALS,
        100.0 * allowed / took,
        100.0 * limited as f64 / calls.max(1) as f64
    );
    for (what, at, alone) in [
        ("channel posts", &posted, allowed),
        ("direct messages", &direct, dm_allowed),
    ] {
        println!(
            "  {what}: half delivered by {:.1} s, 90% by {:.1} s, all by {:.1} s (alone, the limits would allow {alone:.0} s)",
            percentile(at, 0.5),
            percentile(at, 0.9),
            at[at.len() - 1]
        );
    }
    tokio::time::sleep(Duration::from_secs(5)).await;

    // Latency under the limits: one deal every 100 ms, each to the next
    // person (one every 10 s each) and the next channel (one every 2 s).
    let mut sent = Vec::new();
    for n in 0..LATENCY_SAMPLES {
        let deal = Deal {
            name: format!("bench-latency-{n}"),
            owner: people[n % PEOPLE].id,
            channel: Some(n % CHANNELS),
        };
        let at = create_deals(&world, &account.token, std::slice::from_ref(&deal)).await[0];
        sent.push((deal.name, at));
        tokio::time::sleep(LATENCY_SPACING).await;
    }
    let names: Vec<String> = sent.iter().map(|(n, _)| n.clone()).collect();
    let found = until_delivered(&world, &names, 2, Duration::from_secs(120)).await;
    let (mut direct, mut posted) = (Vec::new(), Vec::new());
    for (name, at) in &sent {
        let messages = &found[name];
        assert_eq!(messages.len(), 2, "{name}: {messages:?}");
        for m in messages {
            let ms = (m.ts - at) * 1000.0;
            if m.is_direct() {
                direct.push(ms);
            } else {
                posted.push(ms);
            }
        }
    }
    for (what, latencies) in [
        ("direct message", &mut direct),
        ("channel post", &mut posted),
    ] {
        latencies.sort_by(f64::total_cmp);
        println!(
            "latency under the limits, {what} ({LATENCY_SAMPLES}, one every {} ms): p50 {:.0} ms, p99 {:.0} ms",
            LATENCY_SPACING.as_millis(),
            percentile(latencies, 0.5),
            percentile(latencies, 0.99)
        );
    }
    worker.abort();
}
