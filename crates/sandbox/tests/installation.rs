//! Installing, reinstalling and removing an app, as Slack does for an app
//! without token rotation: a token stands for the installation and does
//! not expire, so a reinstall hands back the same bot token (now with the
//! scopes of both grants) and the installer's same user token; removing
//! the app or `auth.revoke` ends a token, and installing after that issues
//! new ones. Also: an app pointed at a hub gets a working consent page.

use std::collections::HashMap;
use std::net::SocketAddr;

use hubbub_sandbox::{Sandbox, Seed};
use serde_json::{json, Value};

const REDIRECT: &str = "http://127.0.0.1:8080/slack/oauth/callback";

struct World {
    sandbox: Sandbox,
    http: reqwest::Client,
    client_id: String,
    client_secret: String,
}

async fn world() -> World {
    let mut seed = Seed {
        rate_limits: false,
        ..Seed::demo()
    };
    seed.apps[0].redirect_urls = vec![REDIRECT.into()];
    let (client_id, client_secret) = (
        seed.apps[0].client_id.clone(),
        seed.apps[0].client_secret.clone(),
    );
    let sandbox = Sandbox::start("127.0.0.1:0".parse::<SocketAddr>().unwrap(), seed)
        .await
        .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    World {
        sandbox,
        http,
        client_id,
        client_secret,
    }
}

impl World {
    /// The whole OAuth v2 flow: `user` allows `scope` (and `user_scope`)
    /// on the consent page, the code is exchanged with `oauth.v2.access`.
    async fn install(&self, user: &str, scope: &str, user_scope: &str) -> Value {
        let form = [
            ("client_id", self.client_id.as_str()),
            ("scope", scope),
            ("user_scope", user_scope),
            ("redirect_uri", REDIRECT),
            ("user", user),
            ("decision", "allow"),
        ];
        let allowed = self
            .http
            .post(format!("{}/oauth/v2/authorize", self.sandbox.base_url))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(allowed.status(), 302);
        let location = allowed.headers()["location"].to_str().unwrap();
        let query: HashMap<String, String> =
            serde_urlencoded::from_str(location.split_once('?').unwrap().1).unwrap();
        let granted = self
            .api(
                "oauth.v2.access",
                None,
                &[
                    ("client_id", &self.client_id),
                    ("client_secret", &self.client_secret),
                    ("code", &query["code"]),
                    ("redirect_uri", REDIRECT),
                ],
            )
            .await;
        assert_eq!(granted["ok"], true, "{granted}");
        granted
    }

    async fn api(&self, method: &str, token: Option<&str>, form: &[(&str, &str)]) -> Value {
        let mut request = self
            .http
            .post(format!("{}{method}", self.sandbox.api_url()))
            .form(form);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap().json().await.unwrap()
    }

    async fn control(&self, path: &str, body: Value) -> Value {
        let answer: Value = self
            .http
            .post(format!("{}/control/{path}", self.sandbox.base_url))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(answer["ok"], true, "{answer}");
        answer
    }

    /// The scopes `auth.test` reports for a token (`x-oauth-scopes`).
    async fn scopes_of(&self, token: &str) -> String {
        let response = self
            .http
            .post(format!("{}auth.test", self.sandbox.api_url()))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        response.headers()["x-oauth-scopes"]
            .to_str()
            .unwrap()
            .to_owned()
    }
}

fn token(granted: &Value) -> String {
    granted["access_token"].as_str().unwrap().to_owned()
}

fn user_token(granted: &Value) -> String {
    granted["authed_user"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn reinstalling_keeps_the_bot_token_and_adds_the_new_scopes() {
    let w = world().await;
    let first = w.install("adam", "chat:write", "").await;
    let bot_token = token(&first);

    // Another admin reinstalls, asking for more.
    let again = w.install("olivia", "chat:write,channels:read", "").await;
    assert_eq!(token(&again), bot_token);
    assert_eq!(again["bot_user_id"], first["bot_user_id"]);
    assert_eq!(again["scope"], "chat:write,channels:read");
    assert_eq!(w.scopes_of(&bot_token).await, "chat:write,channels:read");
    let listed = w.api("conversations.list", Some(&bot_token), &[]).await;
    assert_eq!(listed["ok"], true, "{listed}");

    // A reinstall asking for less takes nothing away.
    let narrower = w.install("adam", "chat:write", "").await;
    assert_eq!(token(&narrower), bot_token);
    assert_eq!(narrower["scope"], "chat:write,channels:read");

    // The control API's install is the same install.
    let direct = w
        .control(
            "install",
            json!({"user": "adam", "scopes": ["reactions:write"]}),
        )
        .await;
    assert_eq!(direct["bot_token"], bot_token.as_str());
    let tokens = w.sandbox.state().tokens.clone();
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    assert!(!tokens[0].revoked);
}

#[tokio::test]
async fn a_fresh_install_after_removal_or_revoke_issues_new_tokens() {
    let w = world().await;
    let first = token(&w.install("adam", "chat:write", "").await);

    // Removed from the workspace: the token is gone; the next install is new.
    w.control("uninstall", json!({"user": "adam"})).await;
    let answer = w.api("auth.test", Some(&first), &[]).await;
    assert_eq!(answer["error"], "token_revoked", "{answer}");
    let second = w.install("adam", "chat:write", "").await;
    assert_ne!(token(&second), first);
    assert_eq!(second["scope"], "chat:write", "no scopes carried over");
    assert_eq!(
        w.api("auth.test", Some(&token(&second)), &[]).await["ok"],
        true
    );

    // auth.revoke ends the bot token even while a user token keeps the
    // installation; the next install issues a new bot token.
    let with_user = w.install("adam", "chat:write", "search:read").await;
    assert_eq!(token(&with_user), token(&second));
    let revoked = w.api("auth.revoke", Some(&token(&second)), &[]).await;
    assert_eq!(revoked["revoked"], true, "{revoked}");
    let third = w.install("adam", "chat:write", "").await;
    assert_ne!(token(&third), token(&second));
    assert_eq!(
        w.api("auth.test", Some(&token(&third)), &[]).await["ok"],
        true
    );
}

#[tokio::test]
async fn user_tokens_are_each_persons_and_survive_reinstalls() {
    let w = world().await;
    let adams = user_token(&w.install("adam", "chat:write", "search:read").await);

    // Olivia authorizes too: her own token; Adam's still works.
    let olivias = user_token(&w.install("olivia", "chat:write", "search:read").await);
    assert_ne!(olivias, adams);
    assert_eq!(w.api("auth.test", Some(&adams), &[]).await["ok"], true);

    // Adam again, asking for more: his same token, with both scopes.
    let again = w
        .install("adam", "chat:write", "search:read,channels:history")
        .await;
    assert_eq!(user_token(&again), adams);
    assert_eq!(
        again["authed_user"]["scope"],
        "search:read,channels:history"
    );
    assert_eq!(w.scopes_of(&adams).await, "search:read,channels:history");
}

#[tokio::test]
async fn a_demo_app_pointed_at_a_hub_has_a_working_consent_page() {
    let consent = |sandbox: &Sandbox, client_id: &str| {
        let url = format!(
            "{}/oauth/v2/authorize?client_id={client_id}&scope=chat:write",
            sandbox.base_url
        );
        async move { reqwest::get(url).await.unwrap() }
    };
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();

    // The demo seed alone has no redirect URL: Slack's bad_redirect_uri.
    let bare = Sandbox::start(addr, Seed::demo()).await.unwrap();
    let client_id = bare.state().apps[0].client_id.clone();
    let page = consent(&bare, &client_id).await;
    assert_eq!(page.status(), 400);
    assert!(page.text().await.unwrap().contains("bad_redirect_uri"));

    // Pointed at a hub (its redirect URL and request URLs), it works.
    let mut seed = Seed::demo();
    let hub = "http://127.0.0.1:8080";
    let app = &mut seed.apps[0];
    app.redirect_urls = vec![format!("{hub}/slack/oauth/callback")];
    app.events_url = Some(format!("{hub}/slack/events"));
    app.interactivity_url = Some(format!("{hub}/slack/interactions"));
    let client_id = app.client_id.clone();
    let pointed = Sandbox::start(addr, seed).await.unwrap();
    let page = consent(&pointed, &client_id).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Allow"));
}
