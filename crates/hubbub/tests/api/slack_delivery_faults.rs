//! Slack delivery through faults: while the sandbox answers 429 with
//! `Retry-After` and then 500 and 503 for a while (its fault API), the
//! hub's direct messages (mapping requests to many people, notifications
//! several to a person) wait as told, retry with backoff, and once Slack
//! recovers every one has arrived exactly once.

use std::collections::HashMap;
use std::time::Duration;

use hubbub_sandbox::state::SeedUser;
use hubbub_sandbox::Seed;
use hubbub_store::{JobRecord, JobStatus, User};
use serde_json::{json, Value};

use crate::slack_mapping::add_user;
use crate::slack_support::{
    admin, connect, sandbox_control, sandbox_read, slack_user, world, World,
};

/// How many hub users ask to be mapped, each to their own Slack person:
/// as many direct messages, to as many recipients.
const PEOPLE: usize = 12;
/// Deals assigned to each of two mapped people: notifications, several
/// to one direct message channel.
const DEALS_EACH: usize = 3;

fn slack_email(i: usize) -> String {
    format!("person{i}@acme.example")
}

/// The sandbox's Web API calls of `method`, as it logged them.
async fn calls(world: &World, method: &str) -> Vec<Value> {
    let body = sandbox_read(world, "/control/calls", &[("method", method)]).await;
    body["calls"].as_array().unwrap().clone()
}

fn with_status(calls: &[Value], status: u16) -> usize {
    calls.iter().filter(|c| c["status"] == status).count()
}

/// Every message the sandbox holds, by channel.
async fn messages_by_channel(world: &World) -> HashMap<String, Vec<Value>> {
    let body = sandbox_read(world, "/control/messages", &[]).await;
    let mut by_channel: HashMap<String, Vec<Value>> = HashMap::new();
    for m in body["messages"].as_array().unwrap() {
        let channel = m["channel"].as_str().unwrap().to_owned();
        by_channel.entry(channel).or_default().push(m.clone());
    }
    by_channel
}

/// The jobs that send a direct message: mapping requests and
/// notifications.
async fn send_jobs(world: &World, account_id: i64) -> Vec<JobRecord> {
    let jobs = world.app.store.jobs(account_id, 500).await.unwrap();
    let sends = ["slack.send_mapping_request", "notifications.slack"];
    jobs.into_iter()
        .filter(|j| sends.contains(&j.kind.as_str()))
        .collect()
}

/// Where mapping request `id`'s direct message is (channel, ts), once
/// it has been sent.
async fn message_of(world: &World, account_id: i64, id: i64) -> Option<(String, String)> {
    let now = world.app.hub.now();
    let request = world.app.store.mapping_request(account_id, id, now).await;
    request.unwrap().expect("a mapping request").message
}

#[tokio::test]
async fn direct_messages_survive_429s_and_5xx_and_arrive_exactly_once() {
    let mut seed = Seed::demo();
    seed.teams[0].users.extend((0..PEOPLE).map(|i| SeedUser {
        name: format!("person{i}"),
        real_name: format!("Person {i}"),
        email: slack_email(i),
        ..SeedUser::default()
    }));
    let world = world(seed).await;
    let hub = &world.app.hub;
    let account = world.app.account("Faults").await;
    // Their hub emails are not their Slack ones: each must ask.
    let mut people: Vec<User> = Vec::new();
    for i in 0..PEOPLE {
        let email = format!("person{i}@hub.example");
        people.push(add_user(&world, &account, &email, &format!("Person{i}")).await);
    }
    // Maria and Adam have the same email in both: they are mapped.
    let maria = add_user(&world, &account, "maria@acme.example", "Maria").await;
    let adam = add_user(&world, &account, "adam@acme.example", "Adam").await;
    let mut client = admin(&world, &account).await;
    connect(&world, &mut client, "olivia").await.assert_ok();
    // The lookups of connecting are a minute behind (the pacer's Tier 3
    // allowance is back).
    hub.clock().advance(Duration::from_secs(60));

    let mut requests = Vec::new();
    for (i, person) in people.iter().enumerate() {
        let id = hub
            .request_slack_mapping(person, &slack_email(i))
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("{e:?}"));
        requests.push(id);
    }
    // Deals assigned to Maria and Adam: a notification each, several to
    // the same person's direct message channel.
    let mut deals = Vec::new();
    for owner in [&maria, &adam] {
        for n in 0..DEALS_EACH {
            let name = format!("Deal {n} of {}", owner.first_name);
            let props = json!({"dealname": name, "hubspot_owner_id": owner.id.to_string()});
            let (status, body) = world
                .app
                .post(
                    &account.token,
                    "/crm/v3/objects/deals",
                    json!({ "properties": props }),
                )
                .await;
            assert!(status.is_success(), "{status} {body}");
            deals.push((owner.id, name));
        }
    }
    let messages = PEOPLE + deals.len();

    // Slack misbehaves: 429s first (the first matching fault decides),
    // then 500s and 503s, each for a few calls.
    for fault in [
        json!({"method": "conversations.open", "retry_after": 5, "times": 3}),
        json!({"method": "chat.postMessage", "retry_after": 3, "times": 2}),
        json!({"method": "chat.postMessage", "status": 500, "times": 4}),
        json!({"method": "conversations.open", "status": 503, "times": 2}),
    ] {
        let (status, body) = sandbox_control(&world, "/control/faults", fault).await;
        assert!(status.is_success(), "{body}");
    }

    let first = world.app.settle().await;
    assert!(first.postponed >= 1, "Retry-After postpones: {first:?}");
    // Nothing is tried again before its Retry-After (or backoff) is up.
    let calls_before = calls(&world, "conversations.open").await.len()
        + calls(&world, "chat.postMessage").await.len();
    let again = world.app.settle().await;
    assert_eq!(again.handled(), 0, "{again:?}");
    let calls_after = calls(&world, "conversations.open").await.len()
        + calls(&world, "chat.postMessage").await.len();
    assert_eq!(calls_before, calls_after);

    // Time passes (retries back off for up to 10 minutes); Slack recovers
    // once the faults are used up.
    let mut sent = 0;
    for _ in 0..20 {
        hub.clock().advance(Duration::from_secs(61));
        world.app.settle().await;
        sent = 0;
        for id in &requests {
            sent += usize::from(message_of(&world, account.id, *id).await.is_some());
        }
        let sends = send_jobs(&world, account.id).await;
        if sent == PEOPLE && sends.iter().all(|j| j.status == JobStatus::Done) {
            break;
        }
    }
    assert_eq!(sent, PEOPLE, "every mapping request went out");
    assert!(
        world.sandbox.state().faults.is_empty(),
        "every fault was met"
    );

    // Exactly once: each recipient's direct message channel holds one
    // message, the one the hub recorded.
    let by_channel = messages_by_channel(&world).await;
    let mut channels = Vec::new();
    for id in &requests {
        let (channel, ts) = message_of(&world, account.id, *id).await.unwrap();
        let in_channel = by_channel.get(&channel).cloned().unwrap_or_default();
        assert_eq!(in_channel.len(), 1, "{channel}: {in_channel:?}");
        assert_eq!(in_channel[0]["ts"], ts.as_str());
        channels.push(channel);
    }
    channels.sort();
    channels.dedup();
    assert_eq!(channels.len(), PEOPLE, "one channel per recipient");
    // Each notification once, in its person's channel.
    let (_, team_id) = slack_user(&world, "olivia");
    for owner in [&maria, &adam] {
        let store = &world.app.store;
        let channel = store.slack_dm_channel(account.id, &team_id, owner.id);
        let channel = channel.await.unwrap().expect("a direct message channel");
        let texts: Vec<String> = by_channel[&channel]
            .iter()
            .map(|m| m["text"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(texts.len(), DEALS_EACH, "{texts:?}");
        for (_, name) in deals.iter().filter(|(id, _)| *id == owner.id) {
            let once = texts.iter().filter(|t| t.contains(name.as_str())).count();
            assert_eq!(once, 1, "{name}: {texts:?}");
        }
    }

    // The sandbox answered just the injected errors, and each message was
    // posted once.
    let open = calls(&world, "conversations.open").await;
    let post = calls(&world, "chat.postMessage").await;
    assert_eq!(with_status(&open, 429) + with_status(&post, 429), 5);
    assert_eq!(with_status(&open, 503) + with_status(&post, 500), 6);
    let posted = post.iter().filter(|c| c["ok"] == true).count();
    assert_eq!(posted, messages, "one successful post per message");

    // A 429 does not count as an attempt; a 5xx does.
    let sends = send_jobs(&world, account.id).await;
    assert_eq!(sends.len(), messages);
    assert!(
        sends.iter().all(|j| j.status == JobStatus::Done),
        "{sends:?}"
    );
    let attempts: i64 = sends.iter().map(|j| j.attempts).sum();
    assert_eq!(attempts, messages as i64 + 6, "{sends:?}");
}
