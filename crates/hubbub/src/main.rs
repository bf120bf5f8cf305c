//! The `hubbub` command: serve the hub, migrate its database, administer
//! accounts from the shell.

mod config;
mod sandbox;

use std::io::IsTerminal;

use anyhow::Result;
use clap::{Parser, Subcommand};
use hubbub_store::{NewUser, Store};
use serde_json::json;
use tracing_subscriber::EnvFilter;

use config::Config;

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
    /// Create or update the database schema, then exit.
    Migrate,
    /// Administer accounts, users and API tokens; each prints one JSON object.
    #[command(subcommand)]
    Admin(Admin),
    /// Run the Slack sandbox: a local Slack-compatible server for the demo.
    Sandbox(sandbox::SandboxArgs),
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
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    // The sandbox needs no configuration or database.
    let command = match cli.command {
        Command::Sandbox(args) => return sandbox::run(args).await,
        command => command,
    };
    let config = Config::from_env()?;
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    match command {
        Command::Serve => serve(config, store).await,
        Command::Migrate => {
            println!("{}", json!({"migrated": true}));
            Ok(())
        }
        Command::Admin(admin) => run_admin(&store, admin).await,
        Command::Sandbox(_) => unreachable!("handled before the database"),
    }
}

async fn serve(config: Config, store: Store) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(
        listen = %config.listen,
        public_url = %config.public_url,
        data_dir = %config.data_dir.display(),
        database = store.backend().name(),
        slack_app = config.slack.describe(),
        smtp = if config.smtp_url.is_some() { "configured" } else { "local mailbox" },
        "hubbub is serving"
    );
    let state = hubbub_web::AppState {
        store: store.clone(),
        web: hubbub_web::WebConfig::new(&config.public_url),
    };
    hubbub_web::serve(listener, state, shutdown_signal()).await?;
    store.close().await;
    Ok(())
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

async fn run_admin(store: &Store, admin: Admin) -> Result<()> {
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
            let (account, user) = store.create_account(&name, admin).await?;
            json!({"account_id": account.id, "name": account.name, "admin_user_id": user.id, "admin_email": user.email})
        }
        Admin::CreateUser {
            account,
            email,
            password,
            super_admin,
            marketplace,
        } => {
            let user = store
                .create_user(
                    account,
                    NewUser {
                        email,
                        password,
                        super_admin,
                        marketplace,
                        ..NewUser::default()
                    },
                )
                .await?;
            json!({"account_id": account, "user_id": user.id, "email": user.email, "super_admin": user.roles.super_admin, "marketplace": user.roles.marketplace})
        }
        Admin::CreateToken { account, scopes } => {
            let scopes: Vec<String> = scopes
                .iter()
                .flat_map(|s| s.split_whitespace())
                .map(str::to_owned)
                .collect();
            let (token, grant) = store.create_token(account, &scopes).await?;
            json!({"account_id": account, "token": token, "scopes": grant.scopes})
        }
    };
    println!("{out}");
    Ok(())
}
