//! The `hubbub` command: serve the hub, migrate its database, administer
//! accounts from the shell, run the Slack sandbox, or both at once as a
//! demo.

mod demo;
mod sandbox;

use std::io::IsTerminal;

use anyhow::Result;
use clap::{Parser, Subcommand};
use hubbub::{Background, Config, Server};
use hubbub_app::{Actor, App};
use hubbub_store::{NewUser, Store};
use serde_json::json;
use tokio::net::TcpListener;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

// The system allocator, not mimalloc: mimalloc made batch creation about
// 4% faster, but an open web chat widget cost 36 KiB of resident memory
// with it against 21 KiB with glibc's (BENCHMARKS.md, "Web chat").

#[derive(Parser)]
#[command(
    name = "hubbub",
    version,
    about = "A self-hosted customer hub whose team works from Slack"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the hub (configured by HUBBUB_* and SLACK_* environment variables).
    Serve,
    /// Try the whole system on this machine: the hub on SQLite with a demo
    /// account, users and records, wired to an in-process Slack sandbox.
    /// Prints the URLs and logins; ignores HUBBUB_* and SLACK_* variables.
    Demo(demo::DemoArgs),
    /// Create or update the database schema, then exit.
    Migrate,
    /// Administer accounts, users and API tokens; each prints one JSON object.
    #[command(subcommand)]
    Admin(Admin),
    /// Run the Slack sandbox: a local Slack-compatible server for the demo.
    Sandbox(sandbox::SandboxArgs),
    /// Print the Slack app manifest (JSON) for a hub at --public-url: paste
    /// it into "Create New App > From an app manifest" at api.slack.com.
    SlackManifest {
        /// Where Slack reaches the hub (default: HUBBUB_PUBLIC_URL).
        #[arg(long, env = "HUBBUB_PUBLIC_URL")]
        public_url: String,
        /// The app's name in Slack.
        #[arg(long, default_value = "Hubbub")]
        name: String,
    },
}

#[derive(Subcommand)]
#[allow(
    clippy::enum_variant_names,
    reason = "the subcommands are named create-* by the CLI contract"
)]
enum Admin {
    /// Create an account and its first super admin.
    CreateAccount {
        #[arg(long)]
        name: String,
        #[arg(long)]
        admin_email: String,
        #[arg(long)]
        admin_password: String,
    },
    /// Add a user to an account.
    CreateUser {
        #[arg(long)]
        account: i64,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        super_admin: bool,
        /// Grant the App Marketplace permission (may connect apps).
        #[arg(long)]
        marketplace: bool,
    },
    /// Create a private-app API token (printed once; only its hash is kept).
    CreateToken {
        #[arg(long)]
        account: i64,
        /// Scopes, space- or comma-separated; all scopes when omitted.
        #[arg(long, num_args = 1.., value_delimiter = ',')]
        scopes: Vec<String>,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Whatever RUST_LOG asks: slack-morphism's debug lines carry each Web
    // API URL in full, with the OAuth code and redirect of
    // `oauth.v2.access` and the email of `users.lookupByEmail`.
    let no_slack_urls = Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_target("slack_morphism", LevelFilter::INFO);
    tracing_subscriber::registry()
        .with(filter)
        .with(no_slack_urls)
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::stderr().is_terminal()),
        )
        .init();
    let cli = Cli::parse();
    // The sandbox needs no configuration or database; the demo makes its own.
    let command = match cli.command {
        Command::Sandbox(args) => return sandbox::run(args).await,
        Command::Demo(args) => return demo::run(args).await,
        Command::SlackManifest { public_url, name } => {
            let manifest = hubbub_slack::manifest::manifest(&public_url, &name);
            println!("{}", serde_json::to_string_pretty(&manifest)?);
            return Ok(());
        }
        command => command,
    };
    let config = Config::from_env()?;
    match command {
        Command::Serve => {
            let listener = TcpListener::bind(config.listen).await?;
            let server = Server::build(&config, listener).await?;
            server.serve(Background::Worker, shutdown_signal()).await
        }
        Command::Migrate => {
            let store = Store::connect(&config.database_url).await?;
            store.migrate().await?;
            println!("{}", json!({"migrated": true}));
            Ok(())
        }
        Command::Admin(admin) => {
            let store = Store::connect(&config.database_url).await?;
            store.migrate().await?;
            run_admin(&hubbub::server::app(&config, store)?, admin).await
        }
        Command::Sandbox(_) | Command::Demo(_) | Command::SlackManifest { .. } => {
            unreachable!("handled before the configuration")
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

/// The `admin` commands act as the operator, through the same use cases
/// as the web app: a user added here is looked up in Slack like one
/// invited on the users page.
async fn run_admin(app: &App, admin: Admin) -> Result<()> {
    let out = match admin {
        Admin::CreateAccount {
            name,
            admin_email,
            admin_password,
        } => {
            let admin = NewUser {
                email: admin_email,
                password: admin_password,
                ..NewUser::default()
            };
            let (account, user) = app.create_account(&name, admin).await?;
            json!({"account_id": account.id, "name": account.name, "admin_user_id": user.id, "admin_email": user.email})
        }
        Admin::CreateUser {
            account,
            email,
            password,
            super_admin,
            marketplace,
        } => {
            let operator = Actor::Operator {
                account_id: account,
            };
            let new_user = NewUser {
                email,
                password,
                super_admin,
                marketplace,
                ..NewUser::default()
            };
            let user = app.invite_user(&operator, new_user).await?;
            json!({"account_id": account, "user_id": user.id, "email": user.email, "super_admin": user.roles.super_admin, "marketplace": user.roles.marketplace})
        }
        Admin::CreateToken { account, scopes } => {
            let scopes: Vec<String> = scopes
                .iter()
                .flat_map(|s| s.split_whitespace())
                .map(str::to_owned)
                .collect();
            let operator = Actor::Operator {
                account_id: account,
            };
            let (token, grant) = app.create_token(&operator, &scopes).await?;
            json!({"account_id": account, "token": token, "scopes": grant.scopes})
        }
    };
    println!("{out}");
    Ok(())
}
