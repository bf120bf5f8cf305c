//! Shared set-up for the sandbox's HTTP tests: a sandbox on a free port
//! with the demo workspace, the Hubbub app installed, and helpers to call
//! the Web API the way an app does (form or JSON, bearer or `token`).

#![allow(dead_code)]

use std::net::SocketAddr;

use hubbub_sandbox::state::{Token, TokenKind};
use hubbub_sandbox::{Sandbox, Seed};
use serde_json::Value;

/// Every bot scope the methods under test use.
pub const ALL_BOT_SCOPES: &[&str] = &[
    "team:read",
    "users:read",
    "users:read.email",
    "channels:read",
    "groups:read",
    "im:read",
    "mpim:read",
    "channels:join",
    "channels:history",
    "groups:history",
    "im:history",
    "mpim:history",
    "channels:manage",
    "groups:write",
    "im:write",
    "chat:write",
    "links:write",
    "reactions:read",
    "reactions:write",
];

pub struct Env {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
    pub team_id: String,
    pub app_id: String,
    pub bot_token: String,
    pub bot_user_id: String,
    pub bot_id: String,
    /// Olivia's user token (she installed the app).
    pub user_token: String,
}

/// A sandbox with rate limits off and the app installed by Olivia with
/// `bot_scopes` (and a user token with `channels:history,chat:write`).
pub async fn start(bot_scopes: &[&str]) -> Env {
    let seed = Seed {
        rate_limits: false,
        ..Seed::demo()
    };
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let sandbox = Sandbox::start(addr, seed).await.expect("sandbox starts");
    let (team_id, app_id, granted, bot_id) = {
        let mut state = sandbox.state();
        let team_id = state.teams[0].id.clone();
        let app_id = state.apps[0].app_id.clone();
        let olivia = state.user_in_team(&team_id, "olivia").unwrap().id.clone();
        let bot_scopes: Vec<String> = bot_scopes.iter().map(|s| s.to_string()).collect();
        let user_scopes = [
            "channels:history",
            "groups:history",
            "chat:write",
            "channels:read",
            "groups:read",
        ]
        .map(String::from);
        let granted = state.install(&team_id, &app_id, &olivia, &bot_scopes, &user_scopes);
        let bot_id = state
            .installation(&team_id, &app_id)
            .unwrap()
            .bot_id
            .clone();
        (team_id, app_id, granted, bot_id)
    };
    Env {
        sandbox,
        http: reqwest::Client::new(),
        team_id,
        app_id,
        bot_user_id: granted.bot_user_id,
        bot_token: granted.bot_token,
        bot_id,
        user_token: granted.user_token.expect("user scopes were asked for"),
    }
}

impl Env {
    /// A form-encoded call with a bearer token.
    pub async fn call(&self, method: &str, token: &str, form: &[(&str, &str)]) -> Value {
        let response = self
            .http
            .post(format!("{}{method}", self.sandbox.api_url()))
            .bearer_auth(token)
            .form(form)
            .send()
            .await
            .expect("sandbox answers");
        assert_eq!(response.status().as_u16(), 200, "{method}");
        response.json().await.expect("JSON body")
    }

    /// The bot calls with a form body.
    pub async fn bot(&self, method: &str, form: &[(&str, &str)]) -> Value {
        self.call(method, &self.bot_token, form).await
    }

    /// A JSON-body call with a bearer token.
    pub async fn call_json(&self, method: &str, token: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}{method}", self.sandbox.api_url()))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("sandbox answers");
        assert_eq!(response.status().as_u16(), 200, "{method}");
        response.json().await.expect("JSON body")
    }

    pub async fn bot_json(&self, method: &str, body: Value) -> Value {
        self.call_json(method, &self.bot_token, body).await
    }

    pub fn user(&self, name: &str) -> String {
        self.sandbox
            .state()
            .user_in_team(&self.team_id, name)
            .unwrap()
            .id
            .clone()
    }

    pub fn channel(&self, name: &str) -> String {
        self.sandbox
            .state()
            .channel_by_id_or_name(&self.team_id, name)
            .unwrap()
            .id
            .clone()
    }

    /// Puts the bot in a channel directly (as if someone invited it).
    pub fn add_bot_to(&self, channel: &str) {
        let id = self.channel(channel);
        let mut state = self.sandbox.state();
        let c = state.channel_mut(&id).unwrap();
        if !c.members.contains(&self.bot_user_id) {
            c.members.push(self.bot_user_id.clone());
        }
    }

    /// Another bot token of the same installation with exactly `scopes`.
    pub fn bot_token_with(&self, scopes: &[&str]) -> String {
        let token = format!("xoxb-{}-test{}", self.team_id, rand_suffix());
        self.sandbox.state().tokens.push(Token {
            token: token.clone(),
            kind: TokenKind::Bot,
            team_id: self.team_id.clone(),
            user_id: self.bot_user_id.clone(),
            app_id: self.app_id.clone(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            revoked: false,
        });
        token
    }

    /// A user token for `name` with `scopes` (as another install would give).
    pub fn user_token_for(&self, name: &str, scopes: &[&str]) -> String {
        let token = format!("xoxp-{}-test{}", self.team_id, rand_suffix());
        let user_id = self.user(name);
        self.sandbox.state().tokens.push(Token {
            token: token.clone(),
            kind: TokenKind::User,
            team_id: self.team_id.clone(),
            user_id,
            app_id: self.app_id.clone(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            revoked: false,
        });
        token
    }

    /// A fresh `trigger_id` for `name`, as an interaction would carry.
    pub fn trigger_for(&self, name: &str) -> String {
        let user = self.user(name);
        self.sandbox.state().issue_trigger(&self.team_id, &user)
    }

    /// A `trigger_id` that expired a second ago.
    pub fn stale_trigger_for(&self, name: &str) -> String {
        let trigger = self.trigger_for(name);
        let mut state = self.sandbox.state();
        let t = state.triggers.iter_mut().find(|t| t.id == trigger).unwrap();
        t.expires_at -= 4.0;
        trigger
    }
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

#[allow(
    unused_imports,
    reason = "not every test binary that includes this module uses them"
)]
pub use hubbub_test_support::{python_with, run};
