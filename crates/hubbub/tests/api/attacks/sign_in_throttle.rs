//! Racing the sign-in throttle: many sign-ins for one email at once, each
//! from its own browser (its own sign-in form and CSRF cookie). However
//! many arrive together, at most five passwords are checked per email in
//! fifteen minutes; the rest are paused.

use reqwest::StatusCode;
use tokio::task::JoinSet;

use crate::harness::{TestAccount, TestApp};
use crate::web_client::{csrf_field, WebClient};

const RIGHT_PASSWORD: &str = "correct horse battery";

/// `count` browsers, each with the sign-in form open, all submitting at
/// once for `email`: the one at `right` (if any) with the right password.
async fn simultaneous_sign_ins(
    app: &TestApp,
    email: &str,
    count: usize,
    right: Option<usize>,
) -> Vec<StatusCode> {
    let mut ready = Vec::with_capacity(count);
    for _ in 0..count {
        let mut client = WebClient::new(app);
        let form = client.get("/login").await;
        let csrf = csrf_field(&form.html).expect("the sign-in form has a CSRF field");
        ready.push((client, csrf));
    }
    let mut attempts = JoinSet::new();
    for (n, (client, csrf)) in ready.into_iter().enumerate() {
        let password = if Some(n) == right {
            RIGHT_PASSWORD
        } else {
            "a wrong guess"
        };
        let email = email.to_owned();
        attempts.spawn(async move {
            let fields = [
                ("_csrf", csrf.as_str()),
                ("email", email.as_str()),
                ("password", password),
            ];
            client.post_raw("/login", &fields).await.status
        });
    }
    attempts.join_all().await
}

fn count(statuses: &[StatusCode], status: StatusCode) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test]
async fn fifty_simultaneous_wrong_passwords_check_five() {
    let app = TestApp::spawn().await;
    let TestAccount { admin_email, .. } = app.account("Raced").await;
    let statuses = simultaneous_sign_ins(&app, &admin_email, 50, None).await;
    assert_eq!(
        count(&statuses, StatusCode::UNAUTHORIZED),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        count(&statuses, StatusCode::TOO_MANY_REQUESTS),
        45,
        "{statuses:?}"
    );
    // The email is paused: even the right password waits.
    let mut client = WebClient::new(&app);
    let page = client.sign_in(&admin_email, RIGHT_PASSWORD, "/").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.html);
}

#[tokio::test]
async fn the_right_password_hidden_among_fifty_guesses_gets_no_more_than_five_checks() {
    let app = TestApp::spawn().await;
    let TestAccount { admin_email, .. } = app.account("Needle").await;
    let statuses = simultaneous_sign_ins(&app, &admin_email, 50, Some(42)).await;
    let checked = statuses
        .iter()
        .filter(|s| **s != StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(checked <= 5, "at most five passwords checked: {statuses:?}");
    assert!(
        count(&statuses, StatusCode::TOO_MANY_REQUESTS) >= 45,
        "{statuses:?}"
    );
}
