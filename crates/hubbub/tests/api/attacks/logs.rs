//! What the hub writes to its log. At `RUST_LOG=debug`, every request's
//! log line held its full URL (the OAuth callback's Slack code and state
//! among them) and every Slack Web API call its URL (people's emails in
//! `users.lookupByEmail`), so whoever could read the log could finish a
//! connection or collect the team's addresses. The log still names every
//! request; it holds none of the secrets that pass through them.

use std::time::{Duration, Instant};

use reqwest::Url;
use serde_json::Value;

use crate::demo::{approve_as_olivia, Demo};
use crate::web_client::WebClient;

const PASSWORD: &str = "demo-password";

/// The value of the `hubbub_session` cookie `client` sends to the hub.
fn session_cookie(client: &WebClient) -> String {
    client
        .cookie_header()
        .split("; ")
        .find_map(|c| c.strip_prefix("hubbub_session="))
        .expect("signed in")
        .to_owned()
}

async fn sandbox_json(sandbox: &str, path: &str) -> Value {
    reqwest::get(format!("{sandbox}{path}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_debug_log_of_connecting_slack_names_the_requests_and_holds_no_secret() {
    let data_dir = tempfile::tempdir().unwrap();
    let demo = Demo::start_with_env(data_dir.path(), &[("RUST_LOG", "debug")]);
    let hub = demo.url("Hub");
    let sandbox = demo.url("Slack sandbox");

    // Olivia connects the workspace: Connect app, Allow, the callback.
    let mut olivia = WebClient::at(&hub);
    let page = olivia
        .sign_in("olivia@acme.example", PASSWORD, "/settings/marketplace")
        .await;
    page.assert_ok();
    let callback = approve_as_olivia(&olivia, &hub, &sandbox).await;
    let res = olivia.http.get(&callback).send().await.unwrap();
    assert_eq!(res.url().path(), "/settings/marketplace");
    assert!(res.text().await.unwrap().contains("Connected to Acme"));

    // The worker then looks everyone up in Slack by email, in the order
    // they joined: Mark, the last, matches no one and is told so.
    let mut mark = WebClient::at(&hub);
    mark.sign_in("mark.member@acme.example", PASSWORD, "/notifications")
        .await
        .assert_ok();
    let started = Instant::now();
    while !mark
        .get("/notifications")
        .await
        .contains("Map your Slack account")
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "Mark was never told"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let callback = Url::parse(&callback).unwrap();
    let query = |key: &str| {
        callback
            .query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| panic!("the callback has {key}"))
    };
    let workspace = sandbox_json(&sandbox, "/control/workspace").await;
    let app = &workspace["apps"][0];
    let installed = sandbox_json(&sandbox, "/control/installations").await;
    let bot_tokens: Vec<String> = installed["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["token"].as_str().unwrap().to_owned())
        .collect();
    assert!(!bot_tokens.is_empty(), "{installed}");
    let mut secrets = vec![
        ("the OAuth code", query("code")),
        ("the OAuth state", query("state")),
        (
            "the client secret",
            app["client_secret"].as_str().unwrap().to_owned(),
        ),
        (
            "the signing secret",
            app["signing_secret"].as_str().unwrap().to_owned(),
        ),
        ("Olivia's session", session_cookie(&olivia)),
        ("Mark's session", session_cookie(&mark)),
        // Emails as a URL carries them.
        ("an email in a URL", "%40acme.example".to_owned()),
    ];
    secrets.extend(bot_tokens.into_iter().map(|t| ("a bot token", t)));
    let log = demo.log();
    for (what, secret) in secrets {
        assert!(!log.contains(&secret), "{what} is in the debug log");
    }
    // It is a debug log all the same: every request is in it.
    for line in [
        "started processing request",
        "path=/login",
        "path=/settings/marketplace/slack/connect",
        "path=/slack/oauth/callback",
    ] {
        assert!(log.contains(line), "the debug log names {line:?}");
    }
}
