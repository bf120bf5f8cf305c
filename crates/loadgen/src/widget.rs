//! `hubbub-loadgen widget`: many visitors with the web chat open at once.
//! Each visitor writes once (opening a conversation) and keeps its live
//! stream open; the hub's resident memory is read from /proc; then agents'
//! answers, sent one at a time through the Conversations API, are timed
//! until they reach the chosen visitor's stream. With `--baseline-url`, as
//! many idle streams are held open on a bare axum server (`hubbub-loadgen
//! baseline-sse`) and its memory read the same way, in the same run.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Args;
use futures::stream::{self, StreamExt};
use reqwest::Url;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::{check_loopback, millis, mix};

#[derive(Args)]
pub struct WidgetArgs {
    /// Base URL of the hub; must be a loopback address.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: Url,
    /// The inbox's widget key (Settings > Inbox).
    #[arg(long)]
    key: String,
    /// Visitors with the chat open at once.
    #[arg(long, default_value_t = 10_000)]
    streams: u32,
    /// The hub's process id, to read its resident memory.
    #[arg(long)]
    hub_pid: u32,
    /// An API token with conversations.write, to send agents' answers.
    #[arg(long, env = "HUBBUB_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The agent answering, as HubSpot's actor id (A-<user id>).
    #[arg(long, default_value = "A-1")]
    agent: String,
    /// Answers to time.
    #[arg(long, default_value_t = 200)]
    samples: u32,
    /// A bare axum server holding idle streams, for the reference figure.
    #[arg(long)]
    baseline_url: Option<Url>,
    #[arg(long)]
    baseline_pid: Option<u32>,
}

/// A process's resident memory (VmRSS), in MiB.
fn resident_mib(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmRSS")?;
    Ok(kib / 1024.0)
}

/// An answer that reached a visitor's stream: which visitor, its text,
/// when it arrived.
type Arrival = (u32, String, Instant);

/// Reads one stream until it ends, reporting agents' messages.
async fn read_stream(
    visitor: u32,
    mut response: reqwest::Response,
    arrivals: mpsc::UnboundedSender<Arrival>,
) {
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let now = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let Some(data) = block.lines().find_map(|l| l.strip_prefix("data:")) else {
                continue;
            };
            if let Ok(event) = serde_json::from_str::<Value>(data.trim()) {
                if event["author"] == "agent" {
                    let text = event["text"].as_str().unwrap_or_default().to_owned();
                    let _ = arrivals.send((visitor, text, now));
                }
            }
        }
    }
}

/// Opens `count` streams with `open`, 64 at a time; each is read by its
/// own task. Fails when one does not open.
async fn hold_streams<F, Fut>(
    count: u32,
    open: F,
    arrivals: &mpsc::UnboundedSender<Arrival>,
) -> Result<Vec<tokio::task::JoinHandle<()>>>
where
    F: Fn(u32) -> Fut,
    Fut: std::future::Future<Output = Result<reqwest::Response>>,
{
    let opened: Vec<Result<(u32, reqwest::Response)>> = stream::iter(0..count)
        .map(|i| {
            let open = &open;
            async move { Ok((i, open(i).await?)) }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    let mut readers = Vec::with_capacity(opened.len());
    for result in opened {
        let (i, response) = result?;
        if !response.status().is_success() {
            bail!("stream {i} answered {}", response.status());
        }
        readers.push(tokio::spawn(read_stream(i, response, arrivals.clone())));
    }
    Ok(readers)
}

fn secret_of(visitor: u32) -> String {
    format!(
        "{:016x}{:016x}{:016x}{:016x}",
        mix(u64::from(visitor)),
        visitor,
        mix(7),
        1
    )
}

pub async fn run(args: WidgetArgs) -> Result<()> {
    check_loopback(&args.url)?;
    let http = reqwest::Client::builder().build()?;
    let widget = args.url.join(&format!("widget/v1/{}/", args.key))?;
    let origin = args.url.origin().ascii_serialization();
    if let (Some(url), Some(pid)) = (&args.baseline_url, args.baseline_pid) {
        check_loopback(url)?;
        let before = resident_mib(pid)?;
        let (ignored, _) = mpsc::unbounded_channel();
        let readers = hold_streams(
            args.streams,
            |_| {
                let http = &http;
                async move { Ok(http.get(url.join("events")?).send().await?) }
            },
            &ignored,
        )
        .await?;
        tokio::time::sleep(Duration::from_secs(5)).await;
        let after = resident_mib(pid)?;
        println!(
            "bare axum    {after:.1} MiB resident with {} idle streams open (from {before:.1} MiB; {:.1} KiB per stream)",
            args.streams,
            (after - before) * 1024.0 / f64::from(args.streams)
        );
        // Closed before the hub's are opened: one process holds one set.
        for r in readers {
            r.abort();
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }

    println!("hub before   {:.1} MiB", resident_mib(args.hub_pid)?);

    let started = Instant::now();
    let written: Vec<Result<(u32, i64)>> = stream::iter(0..args.streams)
        .map(|i| {
            let (http, widget, origin) = (&http, &widget, &origin);
            async move {
                let answer: Value = http
                    .post(widget.join("messages")?)
                    .header("origin", origin)
                    .json(&json!({"visitor": secret_of(i), "client_ref": format!("bench-{i}"), "text": format!("hello from visitor {i}")}))
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                let conversation = answer["conversation_id"].as_i64().context("no conversation")?;
                anyhow::Ok((i, conversation))
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let mut conversations = vec![0i64; args.streams as usize];
    for w in written {
        let (i, c) = w?;
        conversations[i as usize] = c;
    }
    println!(
        "visitors     {} wrote in {:.1} s",
        args.streams,
        started.elapsed().as_secs_f64()
    );

    let written_mib = resident_mib(args.hub_pid)?;
    println!("hub          {written_mib:.1} MiB resident after the writes");
    let (arrivals, mut arrived) = mpsc::unbounded_channel();
    let started = Instant::now();
    let _readers = hold_streams(
        args.streams,
        |i| {
            let url = widget.join(&format!(
                "conversations/{}/events?visitor={}&after=0",
                conversations[i as usize],
                secret_of(i)
            ));
            let (http, origin) = (&http, &origin);
            async move { Ok(http.get(url?).header("origin", origin).send().await?) }
        },
        &arrivals,
    )
    .await?;
    println!(
        "streams      {} open in {:.1} s",
        args.streams,
        started.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    let hub_mib = resident_mib(args.hub_pid)?;
    println!(
        "hub          {hub_mib:.1} MiB resident with {} streams open ({:.1} KiB per stream)",
        args.streams,
        (hub_mib - written_mib) * 1024.0 / f64::from(args.streams)
    );

    let Some(token) = &args.token else {
        return Ok(());
    };
    let mut latencies = Vec::with_capacity(args.samples as usize);
    for k in 0..args.samples {
        let visitor = (mix(u64::from(k) + 99) % u64::from(args.streams)) as u32;
        let text = format!("answer {k}");
        let thread = conversations[visitor as usize];
        let sent = Instant::now();
        http.post(args.url.join(&format!(
            "conversations/v3/conversations/threads/{thread}/messages"
        ))?)
        .bearer_auth(token)
        .json(
            &json!({"type": "MESSAGE", "text": text, "senderActorId": args.agent,
                      "channelId": "1000", "channelAccountId": "1"}),
        )
        .send()
        .await?
        .error_for_status()?;
        let arrival = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some((v, t, at)) = arrived.recv().await {
                if v == visitor && t == text {
                    return Some(at);
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
        .with_context(|| format!("answer {k} never reached visitor {visitor}"))?;
        latencies.push(arrival - sent);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    latencies.sort_unstable();
    let at = |p: f64| {
        let rank = ((p / 100.0) * latencies.len() as f64).ceil() as usize;
        millis(latencies[rank.clamp(1, latencies.len()) - 1])
    };
    println!(
        "answer→widget p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} answers, {} streams open)",
        at(50.0),
        at(99.0),
        at(100.0),
        latencies.len(),
        args.streams
    );
    println!("hub after    {:.1} MiB", resident_mib(args.hub_pid)?);
    Ok(())
}

/// `hubbub-loadgen baseline-sse`: a bare axum server whose `/events`
/// holds an idle Server-Sent Events stream open (with keep-alives), the
/// reference for the hub's memory per open widget.
pub async fn baseline(listen: std::net::SocketAddr) -> Result<()> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let app = axum::Router::new().route(
        "/events",
        axum::routing::get(|| async {
            Sse::new(stream::pending::<Result<Event, std::convert::Infallible>>())
                .keep_alive(KeepAlive::new().interval(Duration::from_secs(25)))
        }),
    );
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!(
        "bare axum SSE on http://{}/events, pid {}",
        listener.local_addr()?,
        std::process::id()
    );
    axum::serve(listener, app).await?;
    Ok(())
}
