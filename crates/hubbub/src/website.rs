//! The demo's customer website: a page on its own address (so on another
//! origin than the hub, as a real website is) that embeds the web chat
//! with the one script tag an inbox's settings give. The demo inbox allows
//! this origin.

use std::net::SocketAddr;

use anyhow::{Context, Result};
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

/// The page, with the widget's tag for the hub at `hub_url`.
fn page(hub_url: &str, key: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Acme Rockets</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}</style>
</head>
<body>
<h1>Acme Rockets</h1>
<p>Rockets for every budget, delivered anywhere on Earth (and a little beyond).</p>
<p>Questions? Press the chat bubble in the corner: the Acme team answers from the hub or from Slack.</p>
<script src="{hub_url}/widget.js" data-key="{key}" async></script>
</body>
</html>
"#
    )
}

/// Listens on `listen` for the website (port 0 is resolved here, so that
/// the inbox can allow the address it got).
pub async fn bind(listen: SocketAddr) -> Result<(TcpListener, String)> {
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen} for the demo website"))?;
    let url = format!("http://{}", listener.local_addr()?);
    Ok((listener, url))
}

/// Serves the website on `listener`, in the background.
pub fn serve(listener: TcpListener, hub_url: &str, key: &str) {
    let html = page(hub_url, key);
    let site = Router::new().route("/", get(move || async move { Html(html) }));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, site).await {
            tracing::warn!(error = %e, "the demo website stopped");
        }
    });
}
