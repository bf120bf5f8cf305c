//! What a path the hub does not have answers: the app's "Not found" page,
//! or HubSpot's error body under the API.

use reqwest::StatusCode;

use crate::harness::TestApp;
use crate::support::assert_error;
use crate::web_client::WebClient;

#[tokio::test]
async fn an_unknown_page_is_the_apps_not_found_page_signed_in_or_not() {
    let app = TestApp::spawn().await;
    let account = app.account("Lost").await;

    // Signed out: a plain page, not a detour through sign-in.
    let mut visitor = WebClient::new(&app);
    for path in ["/dashboard", "/contacts/12/nothing", "/static/nothing.css"] {
        let page = visitor.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}: {}", page.html);
        assert_eq!(page.location(), path, "no redirect");
        assert!(page.contains("<title>Not found · Hubbub</title>"));
        assert!(page.contains(&format!("There is no page at {path}.")));
        assert!(page.contains(r#"data-testid="go-back">Go back</a>"#));
        assert!(page.contains("HTTP 404"));
        assert!(page.contains(r#"<link rel="icon" href="/static/favicon.svg""#));
        assert!(!page.contains("Sign out"), "{}", page.html);
        assert!(!page.contains(r#"class="mainnav""#));
    }
    let res = app
        .http
        .post(format!("{}/dashboard", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "text/html; charset=utf-8"
    );

    // Signed in: the same page inside the app's layout, escaped.
    let mut admin = WebClient::admin(&app, &account).await;
    let page = admin.get("/dashboard").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.html);
    assert!(page.contains(r#"class="mainnav""#), "{}", page.html);
    assert!(page.contains("Ada Admin"));
    assert!(page.contains("Sign out"));
    assert!(page.contains("There is no page at /dashboard."));
    assert!(page.contains(r#"data-testid="go-back">Go back</a>"#));
    assert!(page.contains(r#"<link rel="icon" href="/static/favicon.svg""#));
    let page = admin.get("/%3Cb%3Ebold%3C/b%3E").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.contains("There is no page at /%3Cb%3Ebold%3C/b%3E."));
    assert!(!page.contains("<b>"));
}

#[tokio::test]
async fn an_unknown_api_path_answers_hubspots_error_body() {
    let app = TestApp::spawn().await;
    let account = app.account("Lost API").await;
    for path in [
        "/crm/v3/dashboard",
        "/crm/v3/objects/contacts/1/nothing/more",
        "/crm/v4/nothing",
        "/conversations/v3/nothing",
    ] {
        for token in [account.token.as_str(), "not-a-token"] {
            let (status, body) = app.get(token, path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
            assert_error(&body, "OBJECT_NOT_FOUND");
            assert_eq!(body["message"], format!("No API endpoint at {path}"));
        }
    }
    let (status, body) = app
        .post(&account.token, "/crm/v4/nothing", serde_json::json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "OBJECT_NOT_FOUND");
}
