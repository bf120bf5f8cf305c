//! `hubbub demo`: the whole system on one machine, for a newcomer. The hub
//! runs on SQLite with a seeded account (people, records, an API token),
//! next to an in-process Slack sandbox whose Hubbub app points at the hub.
//! The account starts unconnected, so the newcomer connects Slack the way
//! an admin would: "Connect app", approve on the sandbox's consent page.

mod seed;

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use hubbub::{Background, Config, Server, SlackConfig};
use hubbub_sandbox::state::{AppConfig, AppShortcut, SlashCommand};
use hubbub_sandbox::{Sandbox, Seed};
use rand::RngCore;
use serde_json::Value;
use tempfile::TempDir;
use tokio::net::TcpListener;

use seed::{Seeded, PASSWORD};

#[derive(Args)]
pub struct DemoArgs {
    /// Address the hub listens on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Address the Slack sandbox listens on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:3000")]
    sandbox_listen: SocketAddr,
    /// Address the demo's customer website, with the web chat, listens on
    /// (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8081")]
    site_listen: SocketAddr,
    /// Keep the hub's database in this folder, which must not hold one
    /// yet. By default a temporary folder is used and deleted on exit: the
    /// sandbox keeps its Slack workspace in memory only, so a hub kept
    /// from an earlier run would hold tokens for a workspace that is gone.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

/// Where the demo keeps its database.
enum DataDir {
    /// A folder the person chose; it stays after the demo.
    Kept(PathBuf),
    /// Removed when dropped, after the hub has stopped.
    Temporary(TempDir),
}

impl DataDir {
    fn open(chosen: Option<PathBuf>) -> Result<DataDir> {
        let Some(dir) = chosen else {
            let dir = tempfile::Builder::new()
                .prefix("hubbub-demo-")
                .tempdir()
                .context("creating a temporary data folder")?;
            return Ok(DataDir::Temporary(dir));
        };
        // Seeding twice would collide on the people's emails, and the old
        // Slack connection would name a workspace that no longer exists.
        anyhow::ensure!(
            !dir.join("hubbub.db").exists(),
            "{} already holds a hub database; the demo starts from an empty one \
             (its Slack workspace lives only as long as the demo): choose another folder",
            dir.display()
        );
        Ok(DataDir::Kept(dir))
    }

    fn path(&self) -> &Path {
        match self {
            DataDir::Kept(dir) => dir,
            DataDir::Temporary(dir) => dir.path(),
        }
    }

    fn describe(&self) -> String {
        match self {
            DataDir::Kept(dir) => format!("{} (kept after the demo)", dir.display()),
            DataDir::Temporary(dir) => {
                format!("{} (deleted when the demo stops)", dir.path().display())
            }
        }
    }
}

pub async fn run(args: DemoArgs) -> Result<()> {
    let data_dir = DataDir::open(args.data_dir)?;
    // The hub's address must be known before the sandbox starts, so that
    // the sandbox's app can point at it; port 0 is only resolved by binding.
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let hub_addr = listener.local_addr()?;
    let hub_url = format!("http://{hub_addr}");
    let sandbox = Sandbox::start(args.sandbox_listen, sandbox_seed(&hub_url))
        .await
        .with_context(|| format!("starting the Slack sandbox on {}", args.sandbox_listen))?;
    let config = hub_config(hub_addr, &hub_url, data_dir.path(), &sandbox)?;
    let server = Server::build(&config, listener).await?;
    let (site, site_url) = hubbub::website::bind(args.site_listen).await?;
    let seeded = seed::seed(server.app(), &site_url)
        .await
        .context("seeding the demo account")?;
    hubbub::website::serve(site, &hub_url, &seeded.widget_key);
    print!(
        "{}",
        banner(&hub_url, &sandbox.base_url, &site_url, &seeded, &data_dir)
    );
    // The sandbox has no shutdown of its own; it stops with the process.
    server
        .serve(Background::Worker, crate::shutdown_signal())
        .await
}

/// The sandbox's demo workspace (Acme: Olivia the owner, Adam, Maria,
/// Mark), with its Hubbub app set up from the hub's own Slack manifest, as
/// a person sets up the real app: redirect URL, events, interactivity,
/// options, `/hs`, the message shortcuts and link previews all reach this
/// hub.
fn sandbox_seed(hub_url: &str) -> Seed {
    let mut seed = Seed::demo();
    for app in &mut seed.apps {
        point_at_hub(app, hub_url);
    }
    seed
}

/// Sets an app up as a person pasting the hub's manifest (`hubbub
/// slack-manifest`) would: redirect URL, events, interactivity, options,
/// `/hs`, the message shortcuts and link previews all reach the hub at
/// `hub_url`.
pub fn point_at_hub(app: &mut AppConfig, hub_url: &str) {
    let manifest = hubbub_slack::manifest::manifest(hub_url, &app.name);
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let texts = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(text)
            .collect()
    };
    let interactivity = &manifest["settings"]["interactivity"];
    app.redirect_urls = texts(&manifest["oauth_config"]["redirect_urls"]);
    app.events_url = text(&manifest["settings"]["event_subscriptions"]["request_url"]);
    app.interactivity_url = text(&interactivity["request_url"]);
    app.options_url = text(&interactivity["message_menu_options_url"]);
    app.unfurl_domains = texts(&manifest["features"]["unfurl_domains"]);
    app.commands = manifest["features"]["slash_commands"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            Some(SlashCommand {
                command: text(&c["command"])?,
                url: text(&c["url"])?,
            })
        })
        .collect();
    // The manifest declares shortcuts in the shape the sandbox keeps them.
    app.shortcuts =
        serde_json::from_value::<Vec<AppShortcut>>(manifest["features"]["shortcuts"].clone())
            .expect("the manifest's shortcuts have a name, type and callback_id");
}

/// The hub's configuration for the demo, whatever the environment says:
/// SQLite in the data folder, public URL = where it listens (plain HTTP,
/// so cookies are not marked Secure), mail kept in the local mailbox, and
/// Slack = the sandbox's app.
fn hub_config(
    listen: SocketAddr,
    hub_url: &str,
    data_dir: &Path,
    sandbox: &Sandbox,
) -> Result<Config> {
    let app = sandbox
        .state()
        .apps
        .first()
        .cloned()
        .context("the sandbox's demo seed has an app")?;
    Ok(Config {
        listen,
        data_dir: data_dir.to_owned(),
        database_url: format!("sqlite://{}", data_dir.join("hubbub.db").display()),
        public_url: hub_url.to_owned(),
        secret_key: fresh_secret_key(),
        slack: SlackConfig {
            client_id: Some(app.client_id),
            client_secret: Some(app.client_secret),
            signing_secret: Some(app.signing_secret),
            api_url: sandbox.api_url(),
            authorize_url: format!("{}/oauth/v2/authorize", sandbox.base_url),
            hooks_url: sandbox.response_url_base(),
        },
        smtp_url: None,
        mail_from: None,
        widget_rate_limits: true,
    })
}

/// A key for this run only: the demo never reopens its database, so the
/// key needs no file.
fn fresh_secret_key() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What the newcomer needs: where everything is, who to sign in as, and
/// how to connect Slack.
fn banner(hub: &str, sandbox: &str, site: &str, seeded: &Seeded, data_dir: &DataDir) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Hubbub demo: the hub and a Slack sandbox, wired together"
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "Hub            {hub}/");
    let _ = writeln!(out, "  sign in      {hub}/login");
    let _ = writeln!(
        out,
        "  password     {PASSWORD}   (the same for every login)"
    );
    for person in seed::PEOPLE {
        let slack = if person.email == person.slack_email {
            String::new()
        } else {
            format!(
                "; in Slack {}, to try the email mapping",
                person.slack_email
            )
        };
        let _ = writeln!(
            out,
            "  login        {:<26} {:<14} {}{slack}",
            person.email,
            person.name(),
            person.role.describe()
        );
    }
    let _ = writeln!(
        out,
        "  mailbox      {hub}/mailbox   (mail is kept here; nothing is sent)"
    );
    let _ = writeln!(
        out,
        "Slack sandbox  {sandbox}/   (pick whom to act as at the top: Olivia, Adam, Maria, Mark)"
    );
    let _ = writeln!(
        out,
        "Website        {site}/   (Acme's site, with the web chat: the bubble in the corner)"
    );
    let _ = writeln!(out, "API token      {}", seeded.token);
    let _ = writeln!(
        out,
        "  curl -s {hub}/crm/v3/objects/contacts -H 'Authorization: Bearer {}'",
        seeded.token
    );
    let _ = writeln!(out, "Data           {}", data_dir.describe());
    let _ = writeln!(out);
    let _ = writeln!(out, "Connect Slack (the Acme account starts unconnected):");
    let _ = writeln!(
        out,
        "  1. Sign in at {hub}/login as {}",
        seed::PEOPLE[0].email
    );
    let _ = writeln!(out, "  2. Settings > App Marketplace > Connect app");
    let _ = writeln!(
        out,
        "  3. On the sandbox's consent page, approve as Olivia Owner (the workspace owner): Allow"
    );
    let _ = writeln!(
        out,
        "  4. Back in the hub, the App Marketplace says \"Connected to Acme\""
    );
    let _ = writeln!(out, "Then map Mark, whose hub and Slack emails differ:");
    let _ = writeln!(
        out,
        "  5. Sign in as {}: a notification asks him to map his Slack account; View in hub",
        seed::PEOPLE[3].email
    );
    let _ = writeln!(
        out,
        "  6. \"click here to map your email address\", enter {}, Verify in Slack",
        seed::PEOPLE[3].slack_email
    );
    let _ = writeln!(
        out,
        "  7. In the sandbox, act as Mark and press Confirm in the app's direct message"
    );
    let _ = writeln!(out, "Then get a notification in Slack:");
    let _ = writeln!(
        out,
        "  8. As {}, open a deal, Edit, set the Deal owner to {}, Save",
        seed::PEOPLE[0].email,
        seed::PEOPLE[2].name()
    );
    let _ = writeln!(
        out,
        "  9. In the sandbox, act as Maria: the app's direct message says the deal was assigned to her;"
    );
    let _ = writeln!(
        out,
        "     move it to Closed Won there (Choose): the message shows what she did, the deal's timeline says via Slack"
    );
    let _ = writeln!(
        out,
        "     (Settings > Notification settings chooses, per topic, the hub, email or Slack)"
    );
    let _ = writeln!(
        out,
        " 10. As Olivia, Settings > Notification rules: a rule posting won deals to #sales (in the sandbox, type /invite @Hubbub in #sales first)"
    );
    let _ = writeln!(out, "Then chat with a website visitor:");
    let _ = writeln!(
        out,
        " 11. Open the website {site}/ and press the chat bubble: write (name and email are optional)"
    );
    let _ = writeln!(
        out,
        " 12. As {}, open Inbox: the conversation is there; answer it, and the website shows the answer at once",
        seed::PEOPLE[0].email
    );
    let _ = writeln!(
        out,
        " 13. To answer from Slack: in the sandbox, type /invite @Hubbub in #general; in the hub, Settings > Inbox:"
    );
    let _ = writeln!(
        out,
        "     turn on \"Slack notifications and conversations\", choose #general, Save. New conversations get a thread"
    );
    let _ = writeln!(
        out,
        "     there: reply in it as Maria and the visitor sees Maria's answer (a reply starting note: stays private)"
    );
    let _ = writeln!(out, "Then send feedback from Slack:");
    let _ = writeln!(
        out,
        " 14. In the sandbox, as anyone, type /hs -feedback and your thoughts in a channel's message box (/hs help says what /hs does);"
    );
    let _ = writeln!(
        out,
        "     the dialog opens with your text: Submit. Only you see the thank-you; as {}, Settings > Feedback lists it",
        seed::PEOPLE[0].email
    );
    let _ = writeln!(out, "And work on records from Slack:");
    let _ = writeln!(
        out,
        " 15. As Maria, type /hs search grace: the cards only she sees have Assign to me, Move to stage, Add note;"
    );
    let _ = writeln!(
        out,
        "     /hs create deal opens a dialog; on any message, More actions > Log message to record makes it a note"
    );
    let _ = writeln!(
        out,
        " 16. After /invite @Hubbub in #general, paste a deal's hub link there: it is previewed (as Olivia, Settings >"
    );
    let _ = writeln!(
        out,
        "     App Marketplace > Link previews chooses Off, Button only, Name and type, or Full details with buttons)"
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "Ctrl-C to stop.");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hubbub_sandbox::state::ShortcutKind;
    use hubbub_slack::manifest::{CREATE_TASK_SHORTCUT, LOG_MESSAGE_SHORTCUT};

    #[test]
    fn the_sandbox_app_offers_the_manifests_message_shortcuts() {
        let mut app = AppConfig::default();
        point_at_hub(&mut app, "http://127.0.0.1:8080");
        let shortcuts: Vec<(&str, ShortcutKind, &str)> = app
            .shortcuts
            .iter()
            .map(|s| (s.name.as_str(), s.kind, s.callback_id.as_str()))
            .collect();
        assert_eq!(
            shortcuts,
            [
                (
                    "Create task from message",
                    ShortcutKind::Message,
                    CREATE_TASK_SHORTCUT
                ),
                (
                    "Log message to record",
                    ShortcutKind::Message,
                    LOG_MESSAGE_SHORTCUT
                ),
            ]
        );
        assert!(app.shortcuts.iter().all(|s| !s.description.is_empty()));
    }
}
