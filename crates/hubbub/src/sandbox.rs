//! `hubbub sandbox`: runs the Slack sandbox (crate `hubbub-sandbox`) on
//! its own, for the demo: a local Slack-compatible server with a web page
//! to play the Slack side.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use hubbub_sandbox::{Sandbox, Seed};

#[derive(Args)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// A JSON seed (workspaces, people, channels, apps); a small demo
    /// workspace when omitted. See crates/sandbox/seed/demo.json.
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Turn Slack's rate limits off.
    #[arg(long)]
    no_rate_limits: bool,
}

pub async fn run(args: SandboxArgs) -> Result<()> {
    let mut seed = match &args.seed {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            serde_json::from_str::<Seed>(&text)
                .with_context(|| format!("parsing the seed {}", path.display()))?
        }
        None => demo_seed(),
    };
    if args.no_rate_limits {
        seed.rate_limits = false;
    }
    let sandbox = Sandbox::start(args.listen, seed)
        .await
        .with_context(|| format!("starting the sandbox on {}", args.listen))?;
    print!("{}", describe(&sandbox));
    super::shutdown_signal().await;
    Ok(())
}

/// The demo workspace, its app pointed at a hub at the default address
/// (`hubbub serve` without `HUBBUB_LISTEN`), so that the printed `SLACK_*`
/// variables and the consent page work as they are.
fn demo_seed() -> Seed {
    let mut seed = Seed::demo();
    for app in &mut seed.apps {
        crate::demo::point_at_hub(app, DEFAULT_HUB_URL);
    }
    seed
}

/// Where `hubbub serve` listens by default.
const DEFAULT_HUB_URL: &str = "http://127.0.0.1:8080";

/// What a person needs to use the sandbox: where it is, the apps'
/// credentials, and who is in each workspace.
fn describe(sandbox: &Sandbox) -> String {
    use std::fmt::Write as _;
    let base = &sandbox.base_url;
    let state = sandbox.state();
    let mut out = String::new();
    let _ = writeln!(out, "Slack sandbox running");
    let _ = writeln!(out, "  web page:          {base}/");
    let _ = writeln!(out, "  Web API base:      {}", sandbox.api_url());
    let _ = writeln!(out, "  OAuth authorize:   {base}/oauth/v2/authorize");
    let _ = writeln!(out, "  control API:       {base}/control/");
    let _ = writeln!(
        out,
        "  rate limits:       {}",
        if state.rate_limits { "on" } else { "off" }
    );
    for app in &state.apps {
        let _ = writeln!(out, "App {} ({})", app.name, app.app_id);
        let _ = writeln!(out, "  client_id:         {}", app.client_id);
        let _ = writeln!(out, "  client_secret:     {}", app.client_secret);
        let _ = writeln!(out, "  signing_secret:    {}", app.signing_secret);
        for url in &app.redirect_urls {
            let _ = writeln!(out, "  redirect URL:      {url}");
        }
        if let Some(url) = &app.events_url {
            let _ = writeln!(out, "  events to:         {url}");
        }
    }
    if let Some(app) = state.apps.first() {
        let _ = writeln!(out, "To point `hubbub serve` at it:");
        let _ = writeln!(
            out,
            "  SLACK_API_URL={base}/api SLACK_OAUTH_AUTHORIZE_URL={base}/oauth/v2/authorize \\\n  SLACK_CLIENT_ID={} SLACK_CLIENT_SECRET={} SLACK_SIGNING_SECRET={}",
            app.client_id, app.client_secret, app.signing_secret
        );
        let _ = writeln!(
            out,
            "then install the app from the hub: Settings > App Marketplace > Connect app"
        );
    }
    for team in &state.teams {
        let _ = writeln!(
            out,
            "Workspace {} ({}, {}.slack.com)",
            team.name, team.id, team.domain
        );
        for u in state
            .users
            .iter()
            .filter(|u| u.team_id == team.id && !u.is_bot)
        {
            let role = if u.is_owner {
                "owner"
            } else if u.is_admin {
                "admin"
            } else {
                "member"
            };
            let _ = writeln!(
                out,
                "  {:<12} {:<24} {:<28} {role:<6}  {}",
                format!("@{}", u.name),
                u.real_name,
                u.email,
                u.id
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_app_points_at_a_hub_at_the_default_address() {
        let seed = demo_seed();
        let app = &seed.apps[0];
        assert_eq!(
            app.redirect_urls,
            ["http://127.0.0.1:8080/slack/oauth/callback"]
        );
        assert_eq!(
            app.events_url.as_deref(),
            Some("http://127.0.0.1:8080/slack/events")
        );
        assert!(app.commands.iter().any(|c| c.command == "/hs"));
    }
}
