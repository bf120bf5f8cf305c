//! The `/hs search` benchmark (BENCHMARKS.md, "Slash commands"): a hub
//! with 100,000 contacts, its workspace connected and the searcher mapped,
//! answering signed `/hs search` requests from 16 connections at once, as
//! Slack sends them (straight to `/slack/commands`, as the wrk runs do),
//! with `/hs help` measured the same way in the same run for reference.
//! Ignored in the suite (it takes a minute); run with
//! `cargo test --release -p hubbub --test api -- --ignored --nocapture
//! slack_search_benchmark`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::slack_mapping::{scene, Scene};
use crate::slack_support::{slack_user, World};

const CONTACTS: usize = 100_000;
const CONNECTIONS: usize = 16;
const RUN: Duration = Duration::from_secs(20);

const FIRST: [&str; 20] = [
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret", "Ken",
    "Dennis", "Radia", "Leslie", "Tim", "Hedy", "Linus", "Guido", "Anita", "Niklaus", "Sophie",
];
const LAST: [&str; 25] = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Allen",
    "Backus",
    "Hamilton",
    "Thompson",
    "Ritchie",
    "Perlman",
    "Lamport",
    "Berners",
    "Lamarr",
    "Torvalds",
    "Rossum",
    "Borg",
    "Wirth",
    "Wilson",
    "Kay",
    "Cerf",
    "Kahn",
    "Engelbart",
    "Shannon",
];

/// What people search for: a name (some thousands of matches), a whole
/// name (a few hundred), an email's word, and one letter (tens of
/// thousands), in turn.
fn query(i: usize) -> String {
    match i % 4 {
        0 => FIRST[i % FIRST.len()].to_lowercase(),
        1 => format!("{} {}", FIRST[i % FIRST.len()], LAST[i % LAST.len()]),
        2 => format!("person{}", i % CONTACTS),
        _ => ["a", "l", "k"][i % 3].to_owned(),
    }
}

async fn seed_contacts(world: &World, token: &str) {
    let started = Instant::now();
    let batches: Vec<Vec<Value>> = (0..CONTACTS)
        .collect::<Vec<_>>()
        .chunks(100)
        .map(|chunk| {
            chunk
                .iter()
                .map(|&n| {
                    json!({"properties": {
                        "firstname": FIRST[n % FIRST.len()],
                        "lastname": LAST[(n / FIRST.len()) % LAST.len()],
                        "email": format!("person{n}@bench.example"),
                    }})
                })
                .collect()
        })
        .collect();
    for group in batches.chunks(4) {
        let sends = group.iter().map(|inputs| {
            world.app.post(
                token,
                "/crm/v3/objects/contacts/batch/create",
                json!({ "inputs": inputs }),
            )
        });
        for (status, body) in futures::future::join_all(sends).await {
            assert!(status.is_success(), "{status} {body}");
        }
    }
    println!(
        "seeded     {CONTACTS} contacts in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Sends signed `/hs {text(i)}` from `CONNECTIONS` clients for `RUN`;
/// every answer's latency, sorted, in milliseconds.
async fn load(world: &World, text: fn(usize) -> String, expect: &'static str) -> Vec<f64> {
    let (user_id, team_id) = slack_user(world, "maria");
    let secret = world.sandbox.state().apps[0].signing_secret.clone();
    let url = format!("{}/slack/commands", world.app.base_url);
    let shared = Arc::new((user_id, team_id, secret, url));
    let deadline = Instant::now() + RUN;
    let clients = (0..CONNECTIONS).map(|c| {
        let shared = shared.clone();
        tokio::spawn(async move {
            let (user_id, team_id, secret, url) = &*shared;
            let client = reqwest::Client::new();
            let mut latencies = Vec::new();
            let mut i = c * 7_919;
            while Instant::now() < deadline {
                i += 1;
                let body = serde_urlencoded::to_string([
                    ("token", "unused"),
                    ("team_id", team_id.as_str()),
                    ("team_domain", "acme"),
                    ("channel_id", "C000BENCH"),
                    ("channel_name", "general"),
                    ("user_id", user_id.as_str()),
                    ("user_name", "maria"),
                    ("command", "/hs"),
                    ("text", &text(i)),
                    ("api_app_id", "A000BENCH"),
                    ("is_enterprise_install", "false"),
                    (
                        "response_url",
                        "https://hooks.slack.com/commands/T0/1/bench",
                    ),
                    ("trigger_id", "1.2.bench"),
                ])
                .unwrap();
                let stamp = hubbub_test_support::now_secs().to_string();
                let signature =
                    hubbub_test_support::slack_signature(secret, &stamp, body.as_bytes());
                let sent = Instant::now();
                let answer = client
                    .post(url.as_str())
                    .header("X-Slack-Request-Timestamp", &stamp)
                    .header("X-Slack-Signature", signature)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert!(answer.status().is_success(), "{}", answer.status());
                let text = answer.text().await.unwrap();
                latencies.push(sent.elapsed().as_secs_f64() * 1e3);
                assert!(text.contains(expect), "{text}");
            }
            latencies
        })
    });
    let mut all: Vec<f64> = Vec::new();
    for client in futures::future::join_all(clients).await {
        all.extend(client.unwrap());
    }
    all.sort_by(f64::total_cmp);
    all
}

fn report(what: &str, sorted: &[f64]) {
    let at = |p: f64| sorted[((sorted.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{what:<10} {} requests in {} s from {CONNECTIONS} connections: {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        sorted.len(),
        RUN.as_secs(),
        sorted.len() as f64 / RUN.as_secs_f64(),
        at(0.5),
        at(0.99),
        sorted[sorted.len() - 1]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: a minute long; run with --ignored (see BENCHMARKS.md)"]
async fn slack_search_benchmark() {
    let Scene { world, account, .. } = scene().await;
    seed_contacts(&world, &account.token).await;
    let help = load(&world, |_| "help".to_owned(), "Hubbub in Slack").await;
    report("help", &help);
    let search = load(&world, |i| format!("search {}", query(i)), "Found for").await;
    report("search", &search);
    let p99 = search[((search.len() as f64 - 1.0) * 0.99).round() as usize];
    assert!(p99 < 3_000.0, "/hs search p99 {p99:.0} ms");
}
