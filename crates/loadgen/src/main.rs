//! `hubbub-loadgen`: drives a running hubbub over its HubSpot-compatible
//! API to measure batch creation and search (see BENCHMARKS.md).

mod slack_baseline;
mod widget;

use std::cell::Cell;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use futures::stream::{self, StreamExt};
use reqwest::{StatusCode, Url};
use serde_json::{json, Value};

#[derive(Parser)]
#[command(
    name = "hubbub-loadgen",
    version,
    about = "Load generator for a running hubbub (loopback only)",
    long_about = "Load generator for a running hubbub (loopback only).\n\n\
        `create` batch-creates contacts; `search` then searches them. Contacts are \
        generated deterministically from their number, so `search --contacts N` knows \
        which emails and last names exist after `create --contacts N` on an empty account."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Batch-create contacts (POST /crm/v3/objects/contacts/batch/create) and
    /// print contacts/second, request latency percentiles and errors.
    Create {
        #[command(flatten)]
        target: Target,
        /// Contacts to create, numbered 0 to N-1 (run once per empty account:
        /// emails are unique per number, so a second run conflicts).
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
        contacts: u32,
        /// Contacts per request (HubSpot allows at most 100).
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
        batch: u32,
        /// Requests in flight at once.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=256))]
        concurrency: u32,
    },
    /// Search contacts (POST /crm/v3/objects/contacts/search) and print latency
    /// percentiles; every answer must have total >= 1.
    Search {
        #[command(flatten)]
        target: Target,
        /// Search requests to send.
        #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        requests: u32,
        /// What to look for.
        #[arg(long, value_enum)]
        kind: SearchKind,
        /// Requests in flight at once.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=256))]
        concurrency: u32,
        /// How many contacts `create` made; emails are picked among them.
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
        contacts: u32,
    },
    /// Hold many web chat visitors' live streams open on the hub, read its
    /// memory, and time agents' answers to a chosen visitor.
    Widget(widget::WidgetArgs),
    /// A bare axum server holding idle SSE streams: the reference for
    /// `widget`'s memory figure (run it as its own process).
    BaselineSse {
        #[arg(long, default_value = "127.0.0.1:9100")]
        listen: std::net::SocketAddr,
    },
    /// A bare axum server that only checks Slack's signature on
    /// `POST /slack/commands`: the reference for the slash-command
    /// benchmark (bench/slack-command; run it as its own process).
    BaselineSlack(slack_baseline::BaselineSlackArgs),
}

#[derive(Args)]
struct Target {
    /// Base URL of the hubbub server; must be a loopback address.
    #[arg(long, default_value = "http://127.0.0.1:8080", env = "HUBBUB_URL")]
    url: Url,
    /// API token from `hubbub admin create-token`, sent as a Bearer token.
    #[arg(long, env = "HUBBUB_TOKEN", hide_env_values = true)]
    token: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum SearchKind {
    /// EQ filter on the email of an existing contact (exactly one match).
    Email,
    /// CONTAINS_TOKEN filter on lastname, a name held by a few hundred
    /// contacts per 100,000; limit 10.
    NameToken,
}

const FIRST_NAMES: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Lisa",
    "Matthew",
    "Nancy",
    "Anthony",
    "Betty",
    "Mark",
    "Margaret",
    "Steven",
    "Sandra",
    "Paul",
    "Ashley",
    "Andrew",
    "Emily",
    "Joshua",
    "Donna",
    "Kenneth",
    "Michelle",
    "Kevin",
    "Carol",
    "Brian",
    "Amanda",
    "Aisha",
    "Mateo",
    "Yuki",
    "Priya",
    "Lars",
    "Chloe",
    "Omar",
    "Ingrid",
];

/// 200 names: each is the last name of about 500 contacts in 100,000.
const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jimenez",
    "Powell",
    "Jenkins",
    "Perry",
    "Russell",
    "Sullivan",
    "Bell",
    "Coleman",
    "Butler",
    "Henderson",
    "Barnes",
    "Gonzales",
    "Fisher",
    "Vasquez",
    "Simmons",
    "Romero",
    "Jordan",
    "Patterson",
    "Alexander",
    "Hamilton",
    "Graham",
    "Reynolds",
    "Griffin",
    "Wallace",
    "Moreno",
    "West",
    "Cole",
    "Hayes",
    "Bryant",
    "Herrera",
    "Gibson",
    "Ellis",
    "Tran",
    "Medina",
    "Aguilar",
    "Stevens",
    "Murray",
    "Ford",
    "Castro",
    "Marshall",
    "Owens",
    "Harrison",
    "Fernandez",
    "McDonald",
    "Woods",
    "Washington",
    "Kennedy",
    "Wells",
    "Vargas",
    "Henry",
    "Chen",
    "Freeman",
    "Webb",
    "Tucker",
    "Guzman",
    "Burns",
    "Crawford",
    "Olson",
    "Simpson",
    "Porter",
    "Hunter",
    "Gordon",
    "Mendez",
    "Silva",
    "Shaw",
    "Snyder",
    "Mason",
    "Dixon",
    "Munoz",
    "Hunt",
    "Hicks",
    "Holmes",
    "Palmer",
    "Wagner",
    "Black",
    "Robertson",
    "Boyd",
    "Rose",
    "Stone",
    "Salazar",
    "Fox",
    "Warren",
    "Mills",
    "Meyer",
    "Rice",
    "Schmidt",
    "Garza",
    "Daniels",
    "Ferguson",
    "Nichols",
    "Stephens",
    "Soto",
    "Weaver",
    "Ryan",
    "Gardner",
    "Payne",
    "Grant",
    "Dunn",
    "Kowalski",
    "Novak",
    "Lindqvist",
    "Okafor",
    "Tanaka",
    "Rossi",
];

const COMPANIES: &[&str] = &[
    "Northwind Traders",
    "Contoso",
    "Fabrikam",
    "Tailspin Toys",
    "Wide World Importers",
    "Adventure Works",
    "Litware",
    "Proseware",
    "Blue Yonder Airlines",
    "Coho Winery",
    "Fourth Coffee",
    "Lucerne Publishing",
    "Margie Travel",
    "Woodgrove Bank",
    "Alpine Ski House",
    "Humongous Insurance",
    "Trey Research",
    "Wingtip Toys",
    "Graphic Design Institute",
    "Southridge Video",
];

/// A well-mixed 64-bit hash (splitmix64), so names spread evenly over numbers.
fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pick<'a>(list: &[&'a str], h: u64) -> &'a str {
    list[(h % list.len() as u64) as usize]
}

/// The properties of contact number `n`; its email is unique by `n`.
fn contact(n: u32) -> Value {
    let h = mix(u64::from(n));
    let first = pick(FIRST_NAMES, h);
    let last = pick(LAST_NAMES, h >> 16);
    let company = pick(COMPANIES, h >> 32);
    json!({
        "email": email(n),
        "firstname": first,
        "lastname": last,
        "phone": format!("+1 555 {:03} {:04}", (h >> 40) % 1000, n % 10_000),
        "company": company,
    })
}

fn email(n: u32) -> String {
    let h = mix(u64::from(n));
    let domain: String = pick(COMPANIES, h >> 32)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!(
        "{}.{}.{n}@{domain}.example",
        pick(FIRST_NAMES, h),
        pick(LAST_NAMES, h >> 16)
    )
    .to_lowercase()
}

/// Refuses anything but a plain-HTTP loopback URL: this tool floods its target.
fn check_loopback(url: &Url) -> Result<()> {
    let host = url.host_str().unwrap_or_default();
    let loopback = host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if url.scheme() != "http" || !loopback {
        bail!("--url must be http:// on a loopback address (127.0.0.1, ::1, localhost), not {url}");
    }
    Ok(())
}

struct Client {
    http: reqwest::Client,
    base: Url,
    token: String,
}

/// One request's time and what went wrong with it, if anything.
type Outcome = (Duration, Option<String>);

impl Client {
    fn new(target: Target) -> Result<Client> {
        check_loopback(&target.url)?;
        Ok(Client {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()?,
            base: target.url,
            token: target.token,
        })
    }

    /// POSTs `body` to `path`; the answer must have status `expect`, and
    /// `check` says what is wrong with its JSON, if anything.
    async fn post(
        &self,
        path: &str,
        body: &Value,
        expect: StatusCode,
        check: impl Fn(&Value) -> Option<String>,
    ) -> Outcome {
        let started = Instant::now();
        let result = async {
            let response = self
                .http
                .post(self.base.join(path)?)
                .bearer_auth(&self.token)
                .json(body)
                .send()
                .await?;
            let status = response.status();
            let bytes = response.bytes().await?;
            anyhow::Ok((status, bytes))
        }
        .await;
        let elapsed = started.elapsed();
        let problem = match result {
            Err(e) => Some(format!("{e:#}")),
            Ok((status, bytes)) if status != expect => Some(format!(
                "status {status}: {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
            )),
            Ok((_, bytes)) => match serde_json::from_slice::<Value>(&bytes) {
                Ok(answer) => check(&answer),
                Err(e) => Some(format!("answer is not JSON: {e}")),
            },
        };
        (elapsed, problem)
    }
}

/// Runs `count` requests, `concurrency` at a time, and returns their outcomes.
async fn run<F, Fut>(count: u32, concurrency: u32, request: F) -> Vec<Outcome>
where
    F: Fn(u32) -> Fut,
    Fut: std::future::Future<Output = Outcome>,
{
    stream::iter(0..count)
        .map(request)
        .buffer_unordered(concurrency as usize)
        .collect()
        .await
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Prints latency percentiles (nearest rank) and the errors; fails if any.
fn report(outcomes: Vec<Outcome>) -> Result<()> {
    let mut latencies: Vec<Duration> = outcomes.iter().map(|(d, _)| *d).collect();
    latencies.sort_unstable();
    let at = |p: f64| {
        let rank = ((p / 100.0) * latencies.len() as f64).ceil() as usize;
        millis(latencies[rank.clamp(1, latencies.len()) - 1])
    };
    println!(
        "latency    p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        at(50.0),
        at(95.0),
        at(99.0),
        at(100.0)
    );
    let errors: Vec<&String> = outcomes.iter().filter_map(|(_, e)| e.as_ref()).collect();
    println!("errors     {}", errors.len());
    for e in errors.iter().take(3) {
        eprintln!("error: {e}");
    }
    if !errors.is_empty() {
        bail!("{} of {} requests failed", errors.len(), outcomes.len());
    }
    Ok(())
}

async fn create(client: Client, contacts: u32, batch: u32, concurrency: u32) -> Result<()> {
    let requests = contacts.div_ceil(batch);
    let created = Cell::new(0u32);
    let started = Instant::now();
    let outcomes = run(requests, concurrency, |r| {
        let numbers = r * batch..contacts.min((r + 1) * batch);
        let expected = numbers.len();
        let inputs: Vec<Value> = numbers
            .map(|n| json!({ "properties": contact(n) }))
            .collect();
        let (client, created) = (&client, &created);
        async move {
            let check = |answer: &Value| {
                let made = answer["results"].as_array().map_or(0, Vec::len);
                created.set(created.get() + made as u32);
                (made != expected).then(|| format!("{made} of {expected} contacts created"))
            };
            let body = json!({ "inputs": inputs });
            client
                .post(
                    "/crm/v3/objects/contacts/batch/create",
                    &body,
                    StatusCode::CREATED,
                    check,
                )
                .await
        }
    })
    .await;
    let elapsed = started.elapsed();
    let created = created.get();
    println!(
        "created    {created} contacts in {:.2} s ({requests} requests of up to {batch}, \
         concurrency {concurrency})",
        elapsed.as_secs_f64()
    );
    println!(
        "throughput {:.0} contacts/s",
        f64::from(created) / elapsed.as_secs_f64()
    );
    report(outcomes)
}

async fn search(
    client: Client,
    requests: u32,
    kind: SearchKind,
    concurrency: u32,
    contacts: u32,
) -> Result<()> {
    let started = Instant::now();
    let outcomes = run(requests, concurrency, |r| {
        let filter = match kind {
            SearchKind::Email => {
                let n = (mix(u64::from(r) ^ 0x5EA7C4) % u64::from(contacts)) as u32;
                json!({ "propertyName": "email", "operator": "EQ", "value": email(n) })
            }
            SearchKind::NameToken => json!({
                "propertyName": "lastname",
                "operator": "CONTAINS_TOKEN",
                "value": pick(LAST_NAMES, u64::from(r)),
            }),
        };
        let body = json!({ "filterGroups": [{ "filters": [filter.clone()] }], "limit": 10 });
        let client = &client;
        async move {
            let check = move |answer: &Value| match answer["total"].as_i64() {
                Some(t) if t >= 1 => None,
                _ => Some(format!("no match for {filter}: total {}", answer["total"])),
            };
            client
                .post(
                    "/crm/v3/objects/contacts/search",
                    &body,
                    StatusCode::OK,
                    check,
                )
                .await
        }
    })
    .await;
    let elapsed = started.elapsed();
    println!(
        "searched   {requests} times in {:.2} s (concurrency {concurrency}): {:.0} requests/s",
        elapsed.as_secs_f64(),
        f64::from(requests) / elapsed.as_secs_f64()
    );
    report(outcomes)
}

fn main() -> Result<()> {
    let command = Cli::parse().command;
    let runtime = match command {
        // A server measured beside the hub: tokio's default, as the hub's.
        Command::BaselineSlack(_) => tokio::runtime::Builder::new_multi_thread(),
        // One thread: the server under test gets the other cores.
        _ => tokio::runtime::Builder::new_current_thread(),
    }
    .enable_all()
    .build()?;
    runtime.block_on(async {
        match command {
            Command::Create {
                target,
                contacts,
                batch,
                concurrency,
            } => create(Client::new(target)?, contacts, batch, concurrency).await,
            Command::Search {
                target,
                requests,
                kind,
                concurrency,
                contacts,
            } => search(Client::new(target)?, requests, kind, concurrency, contacts).await,
            Command::Widget(args) => widget::run(args).await,
            Command::BaselineSse { listen } => widget::baseline(listen).await,
            Command::BaselineSlack(args) => slack_baseline::run(args).await,
        }
    })
}
