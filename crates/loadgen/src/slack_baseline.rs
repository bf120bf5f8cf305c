//! `hubbub-loadgen baseline-slack`: the reference for the slash-command
//! benchmark (bench/slack-command, BENCHMARKS.md "Slash commands"). A bare
//! axum server whose `POST /slack/commands` only checks Slack's signature,
//! with the hub's own verification (`hubbub_slack::verify`), and answers a
//! fixed body: what any Slack app must do at the least, with the same
//! axum, hyper and tokio as the hub and nothing of the hub's.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt;

#[derive(clap::Args)]
pub struct BaselineSlackArgs {
    #[arg(long, default_value = "127.0.0.1:9101")]
    listen: SocketAddr,
    /// The app's signing secret.
    #[arg(long, env = "SLACK_SIGNING_SECRET", hide_env_values = true)]
    signing_secret: String,
    /// A file whose bytes are the answer to a verified request, sent as
    /// JSON (the benchmark hands it the hub's `/hs help` answer);
    /// without it, an empty 200.
    #[arg(long)]
    answer: Option<PathBuf>,
}

pub async fn run(args: BaselineSlackArgs) -> Result<()> {
    let answer = match &args.answer {
        Some(path) => {
            Bytes::from(std::fs::read(path).with_context(|| format!("reading {}", path.display()))?)
        }
        None => Bytes::new(),
    };
    let secret = args.signing_secret;
    let app = axum::Router::new().route(
        "/slack/commands",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let ok = check(&secret, &headers, &body);
            let answer = answer.clone();
            async move { respond(ok, answer) }
        }),
    );
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!(
        "bare axum Slack command on http://{}/slack/commands, pid {}",
        listener.local_addr()?,
        std::process::id()
    );
    // As the hub does for its connections.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app).await?;
    Ok(())
}

fn check(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    hubbub_slack::verify(
        secret,
        text("x-slack-request-timestamp"),
        text("x-slack-signature"),
        body,
        now,
    )
    .is_ok()
}

fn respond(verified: bool, answer: Bytes) -> Response {
    match verified {
        false => StatusCode::UNAUTHORIZED.into_response(),
        true if answer.is_empty() => StatusCode::OK.into_response(),
        true => ([(header::CONTENT_TYPE, "application/json")], answer).into_response(),
    }
}
