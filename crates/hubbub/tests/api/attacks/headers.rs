//! The security headers of the hub's answers. Without them a page could
//! be framed by another site (clickjacking), run script injected into it,
//! stay in a shared computer's cache after signing out, and tell other
//! sites its URLs. Pages get a `Content-Security-Policy` allowing only the
//! hub's own script, style and icon, the API and every other answer the
//! strictest one; every answer is `nosniff` and `Referrer-Policy:
//! same-origin`; pages are `no-store`, static assets are not.

use std::collections::HashMap;

use hubbub_app::SlackAppConfig;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::browser::driver::Browser;
use crate::harness::{TestApp, TestSlack};
use crate::web_client::WebClient;

const PASSWORD: &str = "correct horse battery";

/// A `Content-Security-Policy` as directive → sources.
fn policy(headers: &HeaderMap) -> HashMap<String, Vec<String>> {
    let csp = headers
        .get("content-security-policy")
        .expect("a Content-Security-Policy")
        .to_str()
        .unwrap();
    csp.split(';')
        .filter_map(|directive| {
            let mut words = directive.split_whitespace().map(str::to_owned);
            Some((words.next()?, words.collect()))
        })
        .collect()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

/// What every answer carries, page or not.
fn assert_every_answer_headers(what: &str, headers: &HeaderMap) {
    assert_eq!(
        header(headers, "x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        header(headers, "referrer-policy"),
        Some("same-origin"),
        "{what}"
    );
    assert_eq!(
        policy(headers).get("frame-ancestors"),
        Some(&vec!["'none'".to_owned()]),
        "{what}: framed by no one"
    );
}

/// A page: its own script and style only, nothing inline, never stored.
fn assert_page_headers(what: &str, headers: &HeaderMap) {
    assert_every_answer_headers(what, headers);
    let policy = policy(headers);
    let only_self = Some(vec!["'self'".to_owned()]);
    assert_eq!(
        policy.get("default-src").cloned(),
        Some(vec!["'none'".to_owned()]),
        "{what}"
    );
    assert_eq!(policy.get("script-src").cloned(), only_self, "{what}");
    assert_eq!(policy.get("style-src").cloned(), only_self, "{what}");
    assert_eq!(policy.get("img-src").cloned(), only_self, "{what}");
    assert_eq!(policy.get("connect-src").cloned(), only_self, "{what}");
    assert_eq!(
        policy
            .get("form-action")
            .and_then(|s| s.first())
            .map(String::as_str),
        Some("'self'"),
        "{what}"
    );
    assert_eq!(header(headers, "cache-control"), Some("no-store"), "{what}");
}

/// The API's JSON, and whatever else is not a page: loads nothing.
fn assert_strict_headers(what: &str, headers: &HeaderMap) {
    assert_every_answer_headers(what, headers);
    assert_eq!(
        policy(headers).get("default-src"),
        Some(&vec!["'none'".to_owned()]),
        "{what}"
    );
}

#[tokio::test]
async fn pages_allow_only_their_own_script_and_style_and_are_not_stored() {
    let app = TestApp::spawn().await;
    let account = app.account("Headers Pages").await;

    let login = app
        .http
        .get(format!("{}/login", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    assert_page_headers("the sign-in page", login.headers());

    let viewer = WebClient::signed_in(
        &app,
        &account.admin_email,
        PASSWORD,
        "/contacts",
        "/contacts",
    )
    .await;
    for (path, status) in [
        ("/contacts", StatusCode::OK),
        ("/settings/marketplace", StatusCode::OK),
        ("/contacts/999999999", StatusCode::NOT_FOUND),
        ("/no-such-page", StatusCode::NOT_FOUND),
    ] {
        let res = viewer
            .http
            .get(format!("{}{path}", app.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{path}");
        assert_page_headers(path, res.headers());
    }
}

#[tokio::test]
async fn api_answers_and_other_answers_load_nothing() {
    let app = TestApp::spawn().await;
    let account = app.account("Headers API").await;
    let url = format!("{}/crm/v3/objects/contacts", app.base_url);

    let listed = app
        .http
        .get(&url)
        .bearer_auth(&account.token)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    assert_strict_headers("an API answer", listed.headers());

    let refused = app.http.get(&url).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_strict_headers("an API error", refused.headers());

    for path in ["/healthz", "/crm/v3/no-such-endpoint"] {
        let res = app
            .http
            .get(format!("{}{path}", app.base_url))
            .send()
            .await
            .unwrap();
        assert_strict_headers(path, res.headers());
    }
}

#[tokio::test]
async fn static_assets_are_not_marked_no_store() {
    let app = TestApp::spawn().await;
    for (path, content_type) in [
        ("/static/app.css", "text/css; charset=utf-8"),
        ("/static/app.js", "text/javascript; charset=utf-8"),
        ("/static/favicon.svg", "image/svg+xml"),
        ("/favicon.ico", "image/svg+xml"),
    ] {
        let res = app
            .http
            .get(format!("{}{path}", app.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        // nosniff makes the browser insist on the right content type.
        assert_eq!(header(res.headers(), "content-type"), Some(content_type));
        assert_every_answer_headers(path, res.headers());
        assert_eq!(header(res.headers(), "cache-control"), None, "{path}");
    }
}

#[tokio::test]
async fn the_connect_forms_may_go_on_to_slacks_consent_page() {
    let app = TestApp::spawn_with_slack(TestSlack {
        app: Some(SlackAppConfig {
            client_id: "1.2".into(),
            client_secret: "client-secret".into(),
            authorize_url: "https://slack.example:8443/oauth/v2/authorize".into(),
        }),
        ..TestSlack::default()
    })
    .await;
    let login = app
        .http
        .get(format!("{}/login", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        policy(login.headers()).get("form-action"),
        Some(&vec![
            "'self'".to_owned(),
            "https://slack.example:8443".to_owned()
        ])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pages_script_runs_under_the_policy() {
    let app = TestApp::spawn().await;
    let account = app.account("Headers Browser").await;
    let browser = Browser::start(&app.base_url).await;
    browser.sign_in(&account.admin_email, PASSWORD).await;
    browser.open("/deals/board").await;
    browser
        .find("[data-testid=column-appointmentscheduled]")
        .await;

    // The error page's "Go back" is script now (no javascript: link).
    browser.open("/contacts/999999999").await;
    browser.find("[data-testid=error-message]").await;
    let script_ran = browser
        .client
        .execute(
            "return document.documentElement.classList.contains('js');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(script_ran, serde_json::Value::Bool(true), "app.js ran");
    browser.click("[data-testid=go-back]").await;
    browser.wait_for_path("/deals/board").await;
    browser.close().await;
}
