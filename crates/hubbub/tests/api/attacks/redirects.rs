//! Where signing in leads: the sign-in page follows its `next` path
//! afterwards, so a link to `/login?next=…` must not send a person, now
//! signed in, to another site. Browsers drop tabs and newlines from a
//! `Location` and read `\` as `/`, so `/%09/evil.example` was a way off
//! the hub; a control character in `next` made a correct sign-in fail.

use std::sync::Arc;

use reqwest::cookie::Jar;
use reqwest::StatusCode;

use crate::browser::driver::Browser;
use crate::harness::TestApp;
use crate::web_client::csrf_field;

const PASSWORD: &str = "correct horse battery";

/// What a person who followed `/login?next=<next>` and signed in gets.
struct SignedIn {
    /// The `next` field of the sign-in form the link showed.
    form_next: String,
    status: StatusCode,
    location: String,
    session_cookie: bool,
}

/// Opens the sign-in page with `next` in its link, then signs in with
/// `next` in the form as given (as a crafted form would send it), without
/// following the answer.
async fn sign_in_with_next(app: &TestApp, email: &str, next: &str) -> SignedIn {
    let http = reqwest::Client::builder()
        .cookie_provider(Arc::new(Jar::default()))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = format!("{}/login", app.base_url);
    let form = http
        .get(&login)
        .query(&[("next", next)])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::OK, "{next:?}");
    let html = form.text().await.unwrap();
    let csrf = csrf_field(&html).expect("the sign-in form has _csrf");
    let res = http
        .post(&login)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("next", next),
            ("email", email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    SignedIn {
        form_next: hidden_next(&html),
        status: res.status(),
        location: res
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned())
            .unwrap_or_default(),
        session_cookie: res
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("hubbub_session=")),
    }
}

/// The value of the sign-in form's hidden `next` field.
fn hidden_next(html: &str) -> String {
    let marker = r#"name="next" value=""#;
    let at = html.find(marker).expect("the form has next") + marker.len();
    html[at..at + html[at..].find('"').unwrap()].to_owned()
}

/// `next` values that lead to another host: as a browser reads them (it
/// drops tabs and newlines, reads `\` as `/`), or once resolved against
/// the hub (`/..//host` is the path `//host`, which alone names a host).
const ELSEWHERE: [&str; 8] = [
    "/\t/127.0.0.1:19999/evil",
    "/\t\\127.0.0.1:19999/evil",
    "/\n/127.0.0.1:19999/evil",
    "/\r\n\\127.0.0.1:19999/evil",
    "/..//127.0.0.1:19999/evil",
    "/.//127.0.0.1:19999/evil",
    "//127.0.0.1:19999/evil",
    "http://127.0.0.1:19999/evil",
];

#[tokio::test]
async fn sign_in_follows_next_only_to_a_path_on_the_hub() {
    let app = TestApp::spawn().await;
    let account = app.account("Redirects").await;
    for next in ELSEWHERE {
        let signed_in = sign_in_with_next(&app, &account.admin_email, next).await;
        assert_eq!(signed_in.form_next, "/", "{next:?}");
        assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(signed_in.location, "/", "{next:?}");
        assert!(signed_in.session_cookie, "{next:?}");
    }
    // A path on the hub is followed, made a valid header value; only a
    // fragment is left behind.
    for (next, lands_on) in [
        ("/deals/board", "/deals/board"),
        (
            "/contacts?query=Grace Hopper#results",
            "/contacts?query=Grace%20Hopper",
        ),
    ] {
        let signed_in = sign_in_with_next(&app, &account.admin_email, next).await;
        assert_eq!(signed_in.location, lands_on, "{next:?}");
    }
}

#[tokio::test]
async fn a_control_character_in_next_still_signs_in_to_the_home_page() {
    let app = TestApp::spawn().await;
    let account = app.account("Control Characters").await;
    for next in ["/\u{1}", "/\u{7f}", "/contacts\u{0}", "/\u{85}contacts"] {
        let signed_in = sign_in_with_next(&app, &account.admin_email, next).await;
        assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(signed_in.location, "/", "{next:?}");
        assert!(signed_in.session_cookie, "{next:?}: signed in");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn chromium_stays_on_the_hub_after_signing_in_from_a_crafted_link() {
    let app = TestApp::spawn().await;
    let account = app.account("Redirects Browser").await;
    let browser = Browser::start(&app.base_url).await;
    for link in [
        "/login?next=/%09/127.0.0.1:19999/evil",
        "/login?next=/%09%5C127.0.0.1:19999/evil",
    ] {
        browser
            .sign_in_from(link, &account.admin_email, PASSWORD)
            .await;
        let url = browser.client.current_url().await.unwrap();
        assert!(
            url.as_str().starts_with(&app.base_url),
            "{link} led to {url}"
        );
        assert_eq!(url.path(), "/", "{link}");
    }
    browser.close().await;
}
