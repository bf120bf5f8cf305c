//! Configuration from the environment, as the README's table lists it.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use rand::RngCore;

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub public_url: String,
    /// 32 bytes, hex-encoded, for encrypting secrets at rest. Created on
    /// first start so it is stable before the first secret is stored.
    pub secret_key: String,
    pub slack: SlackConfig,
    pub smtp_url: Option<String>,
    /// The From address of mail; `hubbub@<host of public_url>` when unset.
    pub mail_from: Option<String>,
    /// Whether the web chat limits how often visitors write (off only for
    /// load tests: `HUBBUB_WIDGET_RATE_LIMITS=off`).
    pub widget_rate_limits: bool,
}

#[derive(Debug, Clone)]
pub struct SlackConfig {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub signing_secret: Option<String>,
    pub api_url: String,
    pub authorize_url: String,
    /// Where Slack's `response_url`s live (`SLACK_HOOKS_URL`).
    pub hooks_url: String,
}

impl SlackConfig {
    /// A one-line account of the Slack app settings, secrets left out.
    pub fn describe(&self) -> String {
        let set = |v: &Option<String>| if v.is_some() { "set" } else { "missing" };
        format!(
            "client_id {}, client_secret {}, signing_secret {}, api {}, authorize {}",
            set(&self.client_id),
            set(&self.client_secret),
            set(&self.signing_secret),
            self.api_url,
            self.authorize_url
        )
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    pub fn from_env() -> Result<Config> {
        let listen = var("HUBBUB_LISTEN").unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen.parse().with_context(|| {
            format!("HUBBUB_LISTEN={listen:?} is not an address like 127.0.0.1:8080")
        })?;
        let data_dir = PathBuf::from(var("HUBBUB_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = var("HUBBUB_DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("hubbub.db").display()));
        let public_url = var("HUBBUB_PUBLIC_URL").unwrap_or_else(|| format!("http://{listen}"));
        let secret_key = match var("HUBBUB_SECRET_KEY") {
            Some(key) => key,
            None if database_url.starts_with("sqlite:") => load_or_create_secret(&data_dir)?,
            None => anyhow::bail!(
                "HUBBUB_SECRET_KEY must be set when the database is PostgreSQL, so that every \
                 replica shares it (64 hex characters: `openssl rand -hex 32`)"
            ),
        };
        check_secret(&secret_key)?;
        Ok(Config {
            listen,
            data_dir,
            database_url,
            public_url: public_url.trim_end_matches('/').to_owned(),
            secret_key,
            slack: SlackConfig {
                client_id: var("SLACK_CLIENT_ID"),
                client_secret: var("SLACK_CLIENT_SECRET"),
                signing_secret: var("SLACK_SIGNING_SECRET"),
                api_url: var("SLACK_API_URL").unwrap_or_else(|| "https://slack.com/api".into()),
                authorize_url: var("SLACK_OAUTH_AUTHORIZE_URL")
                    .unwrap_or_else(|| "https://slack.com/oauth/v2/authorize".into()),
                hooks_url: var("SLACK_HOOKS_URL")
                    .unwrap_or_else(|| hubbub_app::DEFAULT_SLACK_HOOKS_URL.into()),
            },
            smtp_url: var("HUBBUB_SMTP_URL"),
            mail_from: var("HUBBUB_MAIL_FROM"),
            widget_rate_limits: var("HUBBUB_WIDGET_RATE_LIMITS").is_none_or(|v| v != "off"),
        })
    }
}

fn check_secret(key: &str) -> Result<()> {
    let ok = key.len() == 64 && key.chars().all(|c| c.is_ascii_hexdigit());
    anyhow::ensure!(ok, "HUBBUB_SECRET_KEY must be 64 hex characters (32 bytes)");
    Ok(())
}

/// On SQLite the key lives beside the database, created on first start
/// with owner-only permissions (and its folder too, when the hub makes it).
fn load_or_create_secret(data_dir: &std::path::Path) -> Result<String> {
    let path = data_dir.join("secret.key");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return Ok(existing.trim().to_owned());
    }
    hubbub_store::create_private_folder(data_dir)
        .with_context(|| format!("cannot create data folder {}", data_dir.display()))?;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let key = hex::encode(bytes);
    write_private(&path, &key).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}
