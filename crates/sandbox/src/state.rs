//! Everything the sandbox knows: workspaces, people, channels, messages,
//! the apps that may be installed, their installations and tokens, open
//! views, and a log of what apps did. Kept in memory behind one lock.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::{format_ts, id, now_secs, secret};
use crate::rate_limit::Limiter;

/// A Slack workspace.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub domain: String,
    /// The workspace's "approved apps" setting: members who are not admins
    /// cannot remove apps.
    pub approved_apps_only: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub team_id: String,
    /// The handle (`name` in Slack's user object).
    pub name: String,
    pub real_name: String,
    pub display_name: String,
    pub email: String,
    pub is_admin: bool,
    pub is_owner: bool,
    pub is_bot: bool,
    pub deleted: bool,
    /// For bot users: the app they belong to.
    pub app_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Channel {
    pub id: String,
    pub team_id: String,
    /// Empty for direct messages.
    pub name: String,
    pub is_private: bool,
    pub is_im: bool,
    pub is_archived: bool,
    pub members: Vec<String>,
    pub creator: String,
    pub created: u64,
    pub topic: String,
    pub purpose: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reaction {
    pub name: String,
    pub users: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Message {
    pub channel: String,
    pub ts: String,
    /// The author: a user id (bots post as their bot user).
    pub user: String,
    pub text: String,
    pub blocks: Option<Value>,
    pub attachments: Option<Value>,
    pub thread_ts: Option<String>,
    pub reply_broadcast: bool,
    pub reactions: Vec<Reaction>,
    pub metadata: Option<Value>,
    /// `chat:write.customize` display overrides.
    pub username: Option<String>,
    pub icon_url: Option<String>,
    pub icon_emoji: Option<String>,
    /// For messages posted through the Web API by an app.
    pub bot_id: Option<String>,
    pub app_id: Option<String>,
    pub edited_ts: Option<String>,
    pub deleted: bool,
}

/// A message only one person sees.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ephemeral {
    pub channel: String,
    pub user: String,
    pub ts: String,
    pub text: String,
    pub blocks: Option<Value>,
    pub thread_ts: Option<String>,
    pub app_id: Option<String>,
    /// Set when it replaced another through a `response_url`.
    pub replaced: bool,
}

/// An app that can be installed: its credentials and request URLs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AppConfig {
    pub app_id: String,
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    pub signing_secret: String,
    /// Redirect URLs allowed for OAuth (a `redirect_uri` must match one).
    #[serde(default)]
    pub redirect_urls: Vec<String>,
    #[serde(default)]
    pub events_url: Option<String>,
    #[serde(default)]
    pub interactivity_url: Option<String>,
    #[serde(default)]
    pub options_url: Option<String>,
    /// Slash commands and where they are sent (`/hs` → URL).
    #[serde(default)]
    pub commands: Vec<SlashCommand>,
    /// Domains whose links trigger `link_shared`.
    #[serde(default)]
    pub unfurl_domains: Vec<String>,
    /// Message and global shortcuts, as the manifest's
    /// `features.shortcuts` declares them.
    #[serde(default)]
    pub shortcuts: Vec<AppShortcut>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SlashCommand {
    pub command: String,
    pub url: String,
}

/// A shortcut an app offers: a message shortcut in a message's "More
/// actions" menu, or a global one in the composer's shortcuts menu. Using
/// it sends the app `message_action` or `shortcut` with its `callback_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppShortcut {
    /// What the menu shows.
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ShortcutKind,
    pub callback_id: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShortcutKind {
    Message,
    Global,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    Bot,
    User,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Token {
    pub token: String,
    pub kind: TokenKind,
    pub team_id: String,
    /// The bot user for bot tokens, the authorizing user for user tokens.
    pub user_id: String,
    pub app_id: String,
    pub scopes: Vec<String>,
    pub revoked: bool,
}

/// An app installed in a workspace.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Installation {
    pub team_id: String,
    pub app_id: String,
    pub bot_user_id: String,
    pub bot_id: String,
    pub installer_user_id: String,
    pub bot_scopes: Vec<String>,
    pub user_scopes: Vec<String>,
    pub installed_at: u64,
    pub active: bool,
}

/// Tokens handed out by an installation (see `State::install`).
#[derive(Debug, Clone)]
pub struct Granted {
    pub bot_token: String,
    pub bot_user_id: String,
    /// Every scope the bot token holds: this grant's and, on a reinstall,
    /// the earlier ones'.
    pub bot_scopes: Vec<String>,
    /// The installer's user token, when user scopes were asked for.
    pub user_token: Option<String>,
    pub user_scopes: Vec<String>,
}

/// An authorization code handed out by the consent page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OAuthCode {
    pub code: String,
    pub app_id: String,
    pub team_id: String,
    pub user_id: String,
    pub scopes: Vec<String>,
    pub user_scopes: Vec<String>,
    pub redirect_uri: Option<String>,
    pub expires_at: f64,
    pub used: bool,
}

/// A modal or App Home view an app opened.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct View {
    pub id: String,
    pub team_id: String,
    pub user_id: String,
    pub app_id: String,
    /// The view payload as the app sent it, plus Slack's added fields.
    pub view: Value,
    pub hash: String,
    pub root_view_id: String,
    pub previous_view_id: Option<String>,
    pub closed: bool,
}

/// A `trigger_id`: lets an app open a view for 3 seconds, once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trigger {
    pub id: String,
    pub team_id: String,
    pub user_id: String,
    pub expires_at: f64,
    pub used: bool,
}

/// A `response_url`: up to 5 posts within 30 minutes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResponseUrl {
    pub id: String,
    pub team_id: String,
    pub channel: String,
    pub user_id: String,
    pub app_id: String,
    /// The message the interaction came from, for `replace_original`.
    pub message_ts: Option<String>,
    pub uses_left: u32,
    pub expires_at: f64,
}

/// One Web API call an app made, for tests to read back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Call {
    pub method: String,
    pub team_id: Option<String>,
    pub args: Value,
    pub ok: bool,
    pub error: Option<String>,
    pub status: u16,
    pub at: f64,
}

/// A request the sandbox sent to an app (event, command, interaction).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Delivery {
    pub kind: String,
    pub url: String,
    pub body: String,
    pub attempt: u32,
    /// The app's HTTP status, or `None` when it did not answer in time.
    pub status: Option<u16>,
    pub response: Option<String>,
    pub at: f64,
}

/// A rule that makes the Web API misbehave, set through the control API.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fault {
    /// The method it applies to, or `*` for all.
    pub method: String,
    /// Answer `{"ok":false,"error":…}`.
    #[serde(default)]
    pub error: Option<String>,
    /// Answer with this HTTP status (e.g. 500, 503).
    #[serde(default)]
    pub status: Option<u16>,
    /// Answer as Slack does over a rate limit: HTTP 429, `ratelimited`,
    /// with this `Retry-After` (whole seconds). Wins over `status` and
    /// `error`.
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Wait this long before answering.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Refuse connections-like: answer nothing useful until this time.
    #[serde(default)]
    pub until: Option<f64>,
    /// How many calls it affects; `None` for every call until cleared.
    #[serde(default)]
    pub times: Option<u32>,
    /// The call takes effect, then its connection closes without the
    /// answer: a network that fails after Slack did the work.
    #[serde(default)]
    pub lose_answer: bool,
}

/// What the sandbox starts with: from a file, from code, or `Seed::demo()`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Seed {
    #[serde(default)]
    pub teams: Vec<SeedTeam>,
    #[serde(default)]
    pub apps: Vec<AppConfig>,
    /// Slack's rate limits; tests of features usually turn them off.
    #[serde(default)]
    pub rate_limits: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SeedTeam {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    pub domain: String,
    #[serde(default)]
    pub users: Vec<SeedUser>,
    #[serde(default)]
    pub channels: Vec<SeedChannel>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SeedUser {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    pub real_name: String,
    pub email: String,
    #[serde(default)]
    pub is_admin: bool,
    #[serde(default)]
    pub is_owner: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SeedChannel {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub is_private: bool,
    /// Member handles (`name`) or ids.
    #[serde(default)]
    pub members: Vec<String>,
}

impl Seed {
    /// A small workspace to play with: an owner, an admin, two members,
    /// public and private channels, and one app called Hubbub.
    pub fn demo() -> Seed {
        let user = |name: &str, real: &str, admin: bool, owner: bool| SeedUser {
            id: None,
            name: name.into(),
            real_name: real.into(),
            email: format!("{name}@acme.example"),
            is_admin: admin,
            is_owner: owner,
        };
        let channel = |name: &str, private: bool, members: &[&str]| SeedChannel {
            id: None,
            name: name.into(),
            is_private: private,
            members: members.iter().map(|m| m.to_string()).collect(),
        };
        Seed {
            teams: vec![SeedTeam {
                id: None,
                name: "Acme".into(),
                domain: "acme".into(),
                users: vec![
                    user("olivia", "Olivia Owner", true, true),
                    user("adam", "Adam Admin", true, false),
                    user("maria", "Maria Member", false, false),
                    user("mark", "Mark Member", false, false),
                ],
                channels: vec![
                    channel("general", false, &["olivia", "adam", "maria", "mark"]),
                    channel("sales", false, &["olivia", "maria"]),
                    channel("support-private", true, &["adam", "mark"]),
                ],
            }],
            apps: vec![AppConfig {
                app_id: id('A'),
                name: "Hubbub".into(),
                client_id: format!(
                    "{}.{}",
                    1_000_000 + rand::random::<u32>() % 1_000_000,
                    rand::random::<u32>()
                ),
                client_secret: secret(16),
                signing_secret: secret(16),
                ..AppConfig::default()
            }],
            rate_limits: true,
        }
    }
}

pub struct State {
    pub base_url: String,
    pub teams: Vec<Team>,
    pub users: Vec<User>,
    pub channels: Vec<Channel>,
    pub messages: Vec<Message>,
    pub ephemerals: Vec<Ephemeral>,
    pub apps: Vec<AppConfig>,
    pub installations: Vec<Installation>,
    pub tokens: Vec<Token>,
    pub oauth_codes: Vec<OAuthCode>,
    pub views: Vec<View>,
    pub triggers: Vec<Trigger>,
    pub response_urls: Vec<ResponseUrl>,
    pub calls: Vec<Call>,
    pub deliveries: Vec<Delivery>,
    pub faults: Vec<Fault>,
    pub rate_limits: bool,
    /// The rate limits' buckets (see `rate_limit`).
    pub rate_limiter: Limiter,
    /// Waits before each retry of an undelivered event (Slack: at once,
    /// after 1 minute, after 5 minutes); tests set short ones.
    pub retry_delays: Vec<std::time::Duration>,
    /// How long the sandbox waits for an app to answer (Slack: 3 s).
    pub request_timeout: std::time::Duration,
    /// Errors an app answered a view submission with, by view id.
    pub view_errors: std::collections::HashMap<String, Value>,
    last_ts_micros: u64,
}

impl State {
    pub fn from_seed(seed: Seed, base_url: &str) -> State {
        let mut state = State {
            base_url: base_url.to_owned(),
            teams: Vec::new(),
            users: Vec::new(),
            channels: Vec::new(),
            messages: Vec::new(),
            ephemerals: Vec::new(),
            apps: seed.apps,
            installations: Vec::new(),
            tokens: Vec::new(),
            oauth_codes: Vec::new(),
            views: Vec::new(),
            triggers: Vec::new(),
            response_urls: Vec::new(),
            calls: Vec::new(),
            deliveries: Vec::new(),
            faults: Vec::new(),
            rate_limits: seed.rate_limits,
            rate_limiter: Default::default(),
            retry_delays: [0, 60, 300].map(std::time::Duration::from_secs).to_vec(),
            request_timeout: std::time::Duration::from_secs(3),
            view_errors: Default::default(),
            last_ts_micros: 0,
        };
        for team in seed.teams {
            state.add_team(team);
        }
        state
    }

    fn add_team(&mut self, seed: SeedTeam) {
        let team_id = seed.id.unwrap_or_else(|| id('T'));
        self.teams.push(Team {
            id: team_id.clone(),
            name: seed.name,
            domain: seed.domain,
            approved_apps_only: false,
        });
        for u in seed.users {
            self.users.push(User {
                id: u.id.unwrap_or_else(|| id('U')),
                team_id: team_id.clone(),
                display_name: u.real_name.clone(),
                name: u.name,
                real_name: u.real_name,
                email: u.email,
                is_admin: u.is_admin || u.is_owner,
                is_owner: u.is_owner,
                is_bot: false,
                deleted: false,
                app_id: None,
            });
        }
        for c in seed.channels {
            let members: Vec<String> = c
                .members
                .iter()
                .filter_map(|m| self.user_in_team(&team_id, m).map(|u| u.id.clone()))
                .collect();
            let created = now_secs() as u64;
            self.channels.push(Channel {
                id: c
                    .id
                    .unwrap_or_else(|| id(if c.is_private { 'G' } else { 'C' })),
                team_id: team_id.clone(),
                name: c.name,
                is_private: c.is_private,
                is_im: false,
                is_archived: false,
                creator: members.first().cloned().unwrap_or_default(),
                members,
                created,
                topic: String::new(),
                purpose: String::new(),
            });
        }
    }

    /// A user of `team_id` by id or handle.
    pub fn user_in_team(&self, team_id: &str, id_or_name: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.team_id == team_id && (u.id == id_or_name || u.name == id_or_name))
    }

    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    pub fn team(&self, id: &str) -> Option<&Team> {
        self.teams.iter().find(|t| t.id == id)
    }

    pub fn channel(&self, id: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.id == id)
    }

    pub fn channel_mut(&mut self, id: &str) -> Option<&mut Channel> {
        self.channels.iter_mut().find(|c| c.id == id)
    }

    pub fn app(&self, app_id: &str) -> Option<&AppConfig> {
        self.apps.iter().find(|a| a.app_id == app_id)
    }

    pub fn app_mut(&mut self, app_id: &str) -> Option<&mut AppConfig> {
        self.apps.iter_mut().find(|a| a.app_id == app_id)
    }

    /// The live installation of an app in a workspace.
    pub fn installation(&self, team_id: &str, app_id: &str) -> Option<&Installation> {
        self.installations
            .iter()
            .find(|i| i.team_id == team_id && i.app_id == app_id && i.active)
    }

    /// A new message `ts`, strictly increasing across the sandbox so that
    /// it is unique in every channel.
    pub fn next_ts(&mut self) -> String {
        let now = (now_secs() * 1_000_000.0) as u64;
        self.last_ts_micros = now.max(self.last_ts_micros + 1);
        format_ts(self.last_ts_micros)
    }

    pub fn message(&self, channel: &str, ts: &str) -> Option<&Message> {
        self.messages
            .iter()
            .find(|m| m.channel == channel && m.ts == ts && !m.deleted)
    }

    pub fn message_mut(&mut self, channel: &str, ts: &str) -> Option<&mut Message> {
        self.messages
            .iter_mut()
            .find(|m| m.channel == channel && m.ts == ts && !m.deleted)
    }
}
