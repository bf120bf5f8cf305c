//! `hubbub demo` as a newcomer meets it: the binary started on free ports,
//! its banner read, then the hub and the sandbox driven over HTTP from
//! signing in to a connected Slack workspace.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::web_client::{Page, WebClient};

/// How long the demo may take to seed its account and print the banner.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The running demo; killed when dropped, so a failing test leaves no
/// process behind.
pub struct Demo {
    child: Child,
    banner: String,
    /// Holds the demo's log (its stderr), shown when the test fails.
    log_dir: tempfile::TempDir,
}

impl Demo {
    /// Starts `hubbub demo` on free ports with `data_dir`, and waits for
    /// its banner.
    fn start(data_dir: &Path) -> Demo {
        Demo::start_with_env(data_dir, &[])
    }

    /// As [`Demo::start`], with these environment variables set (such as
    /// `RUST_LOG`).
    pub fn start_with_env(data_dir: &Path, env: &[(&str, &str)]) -> Demo {
        let log_dir = tempfile::tempdir().unwrap();
        let log = std::fs::File::create(log_dir.path().join("demo.log")).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_hubbub"))
            .args(["demo", "--listen", "127.0.0.1:0"])
            .args(["--sandbox-listen", "127.0.0.1:0"])
            .args(["--site-listen", "127.0.0.1:0"])
            .arg("--data-dir")
            .arg(data_dir)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("run hubbub demo");
        let stdout = child.stdout.take().unwrap();
        let mut demo = Demo {
            child,
            banner: String::new(),
            log_dir,
        };
        demo.banner = read_banner(stdout);
        demo
    }

    /// The first word after `label` on the banner line that starts with it.
    pub fn value(&self, label: &str) -> String {
        self.banner
            .lines()
            .filter_map(|line| line.strip_prefix(label))
            .find(|rest| rest.starts_with(' '))
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no {label:?} in the banner:\n{}", self.banner))
            .to_owned()
    }

    /// A URL from the banner, without its trailing slash.
    pub fn url(&self, label: &str) -> String {
        self.value(label).trim_end_matches('/').to_owned()
    }

    /// What the demo has logged (its stderr) so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_dir.path().join("demo.log")).unwrap()
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("hubbub demo's log:\n{}", self.log());
        }
    }
}

/// The demo's stdout up to its last banner line ("Ctrl-C to stop."). Read
/// on a thread so that a demo that hangs fails the test instead.
fn read_banner(stdout: std::process::ChildStdout) -> String {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut banner = String::new();
    loop {
        let line = rx
            .recv_timeout(START_TIMEOUT)
            .unwrap_or_else(|e| panic!("the demo printed no full banner ({e}):\n{banner}"));
        banner.push_str(&line);
        banner.push('\n');
        if line.starts_with("Ctrl-C to stop") {
            return banner;
        }
    }
}

/// The hidden fields of the consent page's form, as a browser sends them.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(r#"<input type="hidden" name=""#) {
        rest = &rest[at + r#"<input type="hidden" name=""#.len()..];
        let (name, after) = rest.split_once(r#"" value=""#).unwrap();
        let value = &after[..after.find('"').unwrap()];
        fields.push((name.to_owned(), value.to_owned()));
    }
    fields
}

/// The value of the consent page's "Approve as" option for `@handle`.
fn approver(html: &str, handle: &str) -> String {
    let at = html
        .find(&format!("@{handle}"))
        .unwrap_or_else(|| panic!("no @{handle} on the consent page: {html}"));
    let open = r#"<option value=""#;
    let start = html[..at].rfind(open).unwrap() + open.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_owned()
}

/// Olivia, signed in to the demo's hub at `hub`, presses Connect app and
/// approves on the sandbox's consent page: the URL the sandbox sends her
/// browser back to (the hub's OAuth callback, with Slack's code and state).
pub async fn approve_as_olivia(olivia: &WebClient, hub: &str, sandbox: &str) -> String {
    let consent = olivia
        .post("/settings/marketplace/slack/connect", &[])
        .await;
    consent.assert_ok();
    assert_eq!(consent.path, "/oauth/v2/authorize", "{}", consent.html);
    assert!(consent.contains("Olivia Owner"), "{}", consent.html);
    let mut form = hidden_fields(&consent.html);
    form.push(("user".into(), approver(&consent.html, "olivia")));
    form.push(("decision".into(), "allow".into()));
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = no_redirects
        .post(format!("{sandbox}/oauth/v2/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND, "{:?}", res.text().await);
    let callback = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(callback.starts_with(&format!("{hub}/slack/oauth/callback?")));
    callback
}

/// The count a records page or the deal board shows in its heading.
fn total(page: &Page) -> String {
    let marker = r#"data-testid="total-count">"#;
    let at = page.html.find(marker).expect("a total count") + marker.len();
    page.html[at..at + page.html[at..].find('<').unwrap()].to_owned()
}

#[tokio::test]
async fn the_demo_seeds_a_hub_that_olivia_connects_to_the_sandbox() {
    let data_dir = tempfile::tempdir().unwrap();
    let demo = Demo::start(data_dir.path());
    for login in [
        "olivia@acme.example",
        "adam@acme.example",
        "maria@acme.example",
        "mark.member@acme.example",
        "demo-password",
        "super admin",
        "App Marketplace permission",
        "Connect app",
    ] {
        assert!(demo.banner.contains(login), "{login}: {}", demo.banner);
    }
    let hub = demo.url("Hub");
    let sandbox = demo.url("Slack sandbox");
    assert!(
        !hub.ends_with(":0") && !sandbox.ends_with(":0"),
        "{}",
        demo.banner
    );
    assert!(
        data_dir.path().join("hubbub.db").exists(),
        "SQLite in --data-dir"
    );

    // The printed website embeds the web chat, which takes its messages.
    let http = reqwest::Client::new();
    let site = demo.url("Website");
    let page = http.get(&site).send().await.unwrap().text().await.unwrap();
    let tag = format!(r#"<script src="{hub}/widget.js" data-key=""#);
    let key_at = page.find(&tag).unwrap_or_else(|| panic!("{page}")) + tag.len();
    let key = &page[key_at..key_at + page[key_at..].find('"').unwrap()];
    let wrote = http
        .post(format!("{hub}/widget/v1/{key}/messages"))
        .header("origin", &site)
        .json(&serde_json::json!({"visitor": "ab".repeat(32), "text": "hello from the demo site"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrote.status(), StatusCode::CREATED);

    // The printed API token reads the seeded deals.
    let deals: Value = http
        .get(format!("{hub}/crm/v3/objects/deals?limit=100"))
        .bearer_auth(demo.value("API token"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        deals["results"].as_array().map(Vec::len),
        Some(6),
        "{deals}"
    );

    // Olivia signs in; the records pages and the deal board have the seed.
    let mut olivia = WebClient::at(&hub);
    let page = olivia
        .sign_in(
            "olivia@acme.example",
            "demo-password",
            "/settings/marketplace",
        )
        .await;
    page.assert_ok();
    assert_eq!(page.path, "/settings/marketplace", "{}", page.html);
    assert!(page.contains("Not connected"), "{}", page.html);
    let contacts = olivia.get("/contacts").await;
    contacts.assert_ok();
    // The seed's ten, and the demo site's visitor above.
    assert_eq!(total(&contacts), "11");
    assert!(contacts.contains("Grace"), "{}", contacts.html);
    let board = olivia.get("/deals/board").await;
    board.assert_ok();
    assert_eq!(total(&board), "6");
    // The seed assigned records to people, but nobody did it to them: no
    // notification says so.
    let bell = olivia.get("/notifications").await;
    assert!(!bell.contains("assigned you"), "{}", bell.html);
    assert!(board.contains("Helios rollout, phase 2"), "{}", board.html);

    // Connect app: the sandbox's consent page, approved as Olivia.
    let callback = approve_as_olivia(&olivia, &hub, &sandbox).await;

    // The callback, in Olivia's browser, lands on a connected marketplace.
    let res = olivia.http.get(&callback).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.url().path(), "/settings/marketplace");
    let html = res.text().await.unwrap();
    assert!(html.contains("Connected to Acme"), "{html}");
    assert!(
        !html.contains("slack-email-mismatch"),
        "Olivia's hub and Slack emails match: {html}"
    );
}
