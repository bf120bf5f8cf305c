//! The web app's settings (users, teams, App Marketplace), notifications
//! and signing in and out, driven over HTTP like a browser would: a
//! cookie-holding client that signs in through the login form and sends
//! every form with its `_csrf` field.

use hubbub_hub::auth::Roles;
use hubbub_hub::Topic;
use hubbub_store::{notify_on, NewNotification, NewUser, User};
use reqwest::StatusCode;

use crate::harness::{TestAccount, TestApp};
use crate::web_client::{tag_with, Page, WebClient};

const ADMIN_PASSWORD: &str = "correct horse battery";

pub async fn regular_user(
    app: &TestApp,
    account: &TestAccount,
    email: &str,
    marketplace: bool,
) -> User {
    app.add_user(
        account.id,
        NewUser {
            email: email.into(),
            password: "regular password".into(),
            first_name: "Rita".into(),
            last_name: "Regular".into(),
            super_admin: false,
            marketplace,
        },
    )
    .await
    .expect("create user")
}

fn user_row<'a>(page: &'a Page, email: &str) -> &'a str {
    let marker = format!(r#"data-email="{email}""#);
    let at = page
        .html
        .find(&marker)
        .unwrap_or_else(|| panic!("no row for {email}: {}", page.html));
    let end = at + page.html[at..].find("</tr>").unwrap();
    &page.html[at..end]
}

#[tokio::test]
async fn super_admin_invites_users_and_manages_permissions_and_teams() {
    let app = TestApp::spawn().await;
    let account = app.account("Settings").await;
    let mut admin = WebClient::signed_in(
        &app,
        &account.admin_email,
        ADMIN_PASSWORD,
        "/settings",
        "/settings",
    )
    .await;

    let home = admin.get("/settings").await;
    home.assert_ok();
    assert!(home.contains(r#"href="/settings/users""#), "{}", home.html);
    assert!(home.contains(r#"href="/settings/marketplace""#));

    let users = admin.get("/settings/users").await;
    users.assert_ok();
    assert!(user_row(&users, &account.admin_email).contains("(you)"));

    // The password rules' message appears beside the password field, and
    // the rest of the form is kept.
    let short = admin
        .post(
            "/settings/users",
            &[
                ("email", "newbie@example.com"),
                ("first_name", "Nina"),
                ("last_name", "Newbie"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST, "{}", short.html);
    let error = tag_with(&short.html, r#"data-testid="password-error""#).expect("password error");
    assert!(error.contains("invite-password-error"));
    assert!(short.contains("Password must be at least 8 characters long"));
    assert!(short.contains(r#"value="newbie@example.com""#));
    assert!(app.store.users(account.id).await.unwrap().len() == 1);

    let bad_email = admin
        .post(
            "/settings/users",
            &[("email", "not an email"), ("password", "long enough pw")],
        )
        .await;
    assert_eq!(bad_email.status, StatusCode::BAD_REQUEST);
    assert!(
        bad_email.contains(r#"data-testid="email-error""#),
        "{}",
        bad_email.html
    );

    // Invite a user whose name is markup: it shows as text.
    let invited = admin
        .post(
            "/settings/users",
            &[
                ("email", "Script@Example.com"),
                ("first_name", "<script>alert(1)</script>"),
                ("last_name", "Kiddie"),
                ("password", "a fine password"),
            ],
        )
        .await;
    invited.assert_ok();
    assert_eq!(invited.location(), "/settings/users");
    assert!(invited.contains("was invited"), "{}", invited.html);
    assert!(invited.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(!invited.contains("<script>alert(1)"));
    let row = user_row(&invited, "script@example.com");
    assert!(
        row.contains(r#"data-testid="toggle-marketplace" data-granted="false""#),
        "{row}"
    );
    let new_user = app
        .store
        .users(account.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == "script@example.com")
        .expect("invited user exists");
    assert_eq!(new_user.roles, Roles::default());

    // The same email again is refused beside the email field.
    let again = admin
        .post(
            "/settings/users",
            &[
                ("email", "script@example.com"),
                ("password", "a fine password"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.contains("already exists"));

    // The invited user can sign in with the password set for them.
    WebClient::signed_in(
        &app,
        "script@example.com",
        "a fine password",
        "/settings",
        "/settings",
    )
    .await;

    // Grant the App Marketplace permission.
    let granted = admin
        .post(
            &format!("/settings/users/{}/roles", new_user.id),
            &[("role", "marketplace"), ("grant", "1")],
        )
        .await;
    granted.assert_ok();
    assert!(granted.contains("permissions were updated"));
    let row = user_row(&granted, "script@example.com");
    assert!(
        row.contains(r#"data-testid="toggle-marketplace" data-granted="true""#),
        "{row}"
    );
    let roles = app.store.user(account.id, new_user.id).await.unwrap().roles;
    assert!(roles.marketplace && !roles.super_admin);

    // The last super admin cannot revoke their own role: the store's
    // message is shown.
    let me = app.store.users(account.id).await.unwrap()[0].clone();
    let refused = admin
        .post(
            &format!("/settings/users/{}/roles", me.id),
            &[("role", "super_admin"), ("grant", "0")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.html);
    assert!(
        refused.contains("An account needs at least one super admin"),
        "{}",
        refused.html
    );
    assert!(
        app.store
            .user(account.id, me.id)
            .await
            .unwrap()
            .roles
            .super_admin
    );

    let me_off = admin
        .post(&format!("/settings/users/{}/deactivate", me.id), &[])
        .await;
    assert_eq!(me_off.status, StatusCode::CONFLICT);
    assert!(me_off.contains("You cannot deactivate yourself."));

    // Teams: create one (an empty name is refused beside the field), add
    // and remove a member.
    let empty = admin.post("/settings/teams", &[("name", "  ")]).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.contains(r#"data-testid="team-name-error""#));
    let created = admin
        .post("/settings/teams", &[("name", "Sales & <b>Support</b>")])
        .await;
    created.assert_ok();
    assert!(
        created.contains("Team Sales &#38; &#60;b&#62;Support&#60;/b&#62; was created"),
        "{}",
        created.html
    );
    let team = app.store.teams(account.id).await.unwrap()[0].clone();
    let added = admin
        .post(
            &format!("/settings/teams/{}/members", team.id),
            &[("user_id", &new_user.id.to_string())],
        )
        .await;
    added.assert_ok();
    assert!(added.contains("was added to"));
    assert!(added.contains(r#"data-testid="team-member""#));
    assert_eq!(
        app.store
            .user(account.id, new_user.id)
            .await
            .unwrap()
            .team_ids,
        vec![team.id]
    );
    let users = admin.get("/settings/users").await;
    assert!(user_row(&users, "script@example.com")
        .contains("Sales &#38; &#60;b&#62;Support&#60;/b&#62;"));
    let removed = admin
        .post(
            &format!("/settings/teams/{}/members/{}/remove", team.id, new_user.id),
            &[],
        )
        .await;
    removed.assert_ok();
    assert!(removed.contains("was removed from"));
    assert!(app
        .store
        .user(account.id, new_user.id)
        .await
        .unwrap()
        .team_ids
        .is_empty());

    // Deactivating ends the user's sessions and sign-ins; reactivating
    // lets them back in.
    let mut deactivated_user = WebClient::signed_in(
        &app,
        "script@example.com",
        "a fine password",
        "/settings",
        "/settings",
    )
    .await;
    let deactivated = admin
        .post(&format!("/settings/users/{}/deactivate", new_user.id), &[])
        .await;
    deactivated.assert_ok();
    assert!(deactivated.contains("was deactivated"));
    let bounced = deactivated_user.get("/settings").await;
    assert!(bounced.path.starts_with("/login"), "{}", bounced.location());
    let refused = WebClient::new(&app)
        .sign_in("script@example.com", "a fine password", "/settings")
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let reactivated = admin
        .post(&format!("/settings/users/{}/reactivate", new_user.id), &[])
        .await;
    reactivated.assert_ok();
    assert!(reactivated.contains("can sign in again"));
    WebClient::signed_in(
        &app,
        "script@example.com",
        "a fine password",
        "/settings",
        "/settings",
    )
    .await;
}

#[tokio::test]
async fn regular_users_cannot_manage_users_or_connect_apps() {
    let app = TestApp::spawn().await;
    let account = app.account("Regulars").await;
    let user = regular_user(&app, &account, "rita@example.com", false).await;
    let mut rita = WebClient::signed_in(
        &app,
        "rita@example.com",
        "regular password",
        "/settings",
        "/settings",
    )
    .await;

    let home = rita.get("/settings").await;
    home.assert_ok();
    assert!(!home.contains(r#"href="/settings/users""#));
    assert!(home.contains("Only super admins manage users and teams."));

    for path in ["/settings/users", "/settings/teams"] {
        let page = rita.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            page.contains("Only super admins manage users and teams"),
            "{}",
            page.html
        );
        assert!(
            page.contains("Ada Admin"),
            "names whom to ask: {}",
            page.html
        );
    }
    // Forged posts are refused too, even with a valid CSRF token.
    let forged = rita
        .post(
            &format!("/settings/users/{}/roles", user.id),
            &[("role", "super_admin"), ("grant", "1")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(
        !app.store
            .user(account.id, user.id)
            .await
            .unwrap()
            .roles
            .super_admin
    );
    let invite = rita
        .post(
            "/settings/users",
            &[
                ("email", "friend@example.com"),
                ("password", "long enough pw"),
            ],
        )
        .await;
    assert_eq!(invite.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.users(account.id).await.unwrap().len(), 2);
    let team = rita
        .post("/settings/teams", &[("name", "Rogue team")])
        .await;
    assert_eq!(team.status, StatusCode::FORBIDDEN);
    assert!(app.store.teams(account.id).await.unwrap().is_empty());

    // The marketplace lists Slack, with the button disabled and why.
    for path in ["/settings/marketplace", "/marketplace"] {
        let page = rita.get(path).await;
        page.assert_ok();
        let button =
            tag_with(&page.html, r#"data-testid="connect-slack""#).expect("connect button");
        assert!(button.contains("disabled"), "{button}");
        assert!(page.contains(
            "Only super admins and users with the App Marketplace permission can connect apps. Ask a super admin (Ada Admin)"
        ));
        assert!(page.contains("Public and private channel content"));
        assert!(page.contains("Member information"));
        assert!(page.contains("Reactions"));
    }
    let forged = rita.post("/settings/marketplace/slack/connect", &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.contains("Only super admins and users with the App Marketplace permission"));
}

#[tokio::test]
async fn marketplace_users_and_super_admins_may_connect() {
    let app = TestApp::spawn().await;
    let account = app.account("Market").await;
    regular_user(&app, &account, "mark@example.com", true).await;

    for (email, password) in [
        ("mark@example.com", "regular password"),
        (account.admin_email.as_str(), ADMIN_PASSWORD),
    ] {
        let mut client =
            WebClient::signed_in(&app, email, password, "/settings", "/settings").await;
        let page = client.get("/settings/marketplace").await;
        page.assert_ok();
        let button =
            tag_with(&page.html, r#"data-testid="connect-slack""#).expect("connect button");
        assert!(!button.contains("disabled"), "{button}");
        assert!(!page.contains(r#"data-testid="connect-reason""#));

        let connect = client
            .post("/settings/marketplace/slack/connect", &[])
            .await;
        // This app has no Slack client id/secret: the page says so.
        assert_eq!(connect.status, reqwest::StatusCode::SERVICE_UNAVAILABLE);
        assert!(connect.contains("Slack is not configured on this hub."));
    }
}

async fn raise(app: &TestApp, account: &TestAccount, user_id: i64, title: &str) -> i64 {
    raise_with_link(app, account.id, user_id, title, "/contacts").await
}

/// Raises a notification the way the hub's use cases do, in a transaction.
pub async fn raise_with_link(
    app: &TestApp,
    account_id: i64,
    user_id: i64,
    title: &str,
    link: &str,
) -> i64 {
    let mut tx = app.store.begin_write().await.unwrap();
    let id = notify_on(
        &mut tx,
        account_id,
        NewNotification {
            user_id,
            topic: Topic::Mention,
            title: title.into(),
            body: format!("Body of {title}"),
            link: link.into(),
        },
    )
    .await
    .expect("notify");
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn notifications_are_listed_and_marked_read() {
    let app = TestApp::spawn().await;
    let account = app.account("Bells").await;
    let admin_id = app.store.users(account.id).await.unwrap()[0].id;
    let other = regular_user(&app, &account, "other@example.com", false).await;
    let mut admin = WebClient::signed_in(
        &app,
        &account.admin_email,
        ADMIN_PASSWORD,
        "/settings",
        "/settings",
    )
    .await;

    let empty = admin.get("/notifications").await;
    empty.assert_ok();
    assert!(empty.contains(r#"data-testid="no-notifications""#));
    assert_eq!(WebClient::unread_badge(&empty), 0);

    let first = raise(&app, &account, admin_id, "First").await;
    raise(&app, &account, admin_id, "Second <b>bold</b>").await;
    let third = raise(&app, &account, admin_id, "Third").await;
    let others = raise(&app, &account, other.id, "Not yours").await;
    raise_with_link(
        &app,
        account.id,
        admin_id,
        "Odd link",
        "javascript:alert(1)",
    )
    .await;

    let page = admin.get("/notifications").await;
    page.assert_ok();
    assert_eq!(WebClient::unread_badge(&page), 4);
    assert!(!page.contains("Not yours"));
    assert!(page.contains("Second &#60;b&#62;bold&#60;/b&#62;"));
    assert!(!page.contains("javascript:alert"));
    assert!(!page.contains("<b>bold"));
    let (p1, p2, p3) = (
        page.html.find("First").unwrap(),
        page.html.find("Second").unwrap(),
        page.html.find("Third").unwrap(),
    );
    assert!(p3 < p2 && p2 < p1, "newest first");
    assert!(page.contains(&format!(
        r#"href="/notifications/{first}/open" data-testid="view-notification""#
    )));
    assert_eq!(page.html.matches(r#"data-testid="mark-read""#).count(), 4);
    assert!(page.contains(&format!(
        r#"data-notification-id="{third}" data-unread="true""#
    )));

    let after_one = admin
        .post(&format!("/notifications/{third}/read"), &[])
        .await;
    after_one.assert_ok();
    assert_eq!(WebClient::unread_badge(&after_one), 3);
    assert!(after_one.contains("Notification marked as read."));
    assert!(after_one.contains(&format!(
        r#"data-notification-id="{third}" data-unread="false""#
    )));
    assert!(after_one.contains(&format!(
        r#"data-notification-id="{first}" data-unread="true""#
    )));

    // Another user's notification is not found.
    let theirs = admin
        .post(&format!("/notifications/{others}/read"), &[])
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(app.store.unread_notifications(other.id).await.unwrap(), 1);

    let all = admin.post("/notifications/read-all", &[]).await;
    all.assert_ok();
    assert!(all.contains("All notifications marked as read."));
    assert_eq!(WebClient::unread_badge(&all), 0);
    assert!(!all.contains(r#"data-testid="mark-read""#));
    assert!(!all.contains(r#"data-testid="mark-all-read""#));
    assert_eq!(app.store.unread_notifications(admin_id).await.unwrap(), 0);
    assert_eq!(app.store.unread_notifications(other.id).await.unwrap(), 1);
}

#[tokio::test]
async fn signing_in_is_checked_throttled_and_ends_on_sign_out() {
    let app = TestApp::spawn().await;
    let account = app.account("Signin").await;

    let mut client = WebClient::new(&app);
    let wrong = client
        .sign_in(&account.admin_email, "wrong password", "/settings")
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(
        wrong.contains("That email and password do not match."),
        "{}",
        wrong.html
    );
    for _ in 0..4 {
        let wrong = client
            .sign_in(&account.admin_email, "wrong password", "/settings")
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    // The 6th attempt is throttled, even with the right password.
    let throttled = client
        .sign_in(&account.admin_email, ADMIN_PASSWORD, "/settings")
        .await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        throttled.contains("Too many failed sign-in attempts for this email."),
        "{}",
        throttled.html
    );

    // Another user signs in, out, and their old cookie no longer works.
    regular_user(&app, &account, "leaver@example.com", false).await;
    let mut leaver = WebClient::signed_in(
        &app,
        "leaver@example.com",
        "regular password",
        "/settings",
        "/settings",
    )
    .await;
    let cookie = leaver.cookie_header();
    assert!(cookie.contains("hubbub_session="), "{cookie}");
    let out = leaver.post("/logout", &[]).await;
    assert!(out.path.starts_with("/login"), "{}", out.location());
    assert!(!leaver.cookie_header().contains("hubbub_session="));
    let replayed = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/settings", app.base_url))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(replayed.status(), StatusCode::SEE_OTHER);
    let location = replayed.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap();
    assert!(location.starts_with("/login"), "{location}");
    let again = leaver.get("/notifications").await;
    assert!(again.path.starts_with("/login"));
}

#[tokio::test]
async fn forms_without_csrf_are_refused() {
    let app = TestApp::spawn().await;
    let account = app.account("Csrf").await;
    let admin_id = app.store.users(account.id).await.unwrap()[0].id;
    raise(&app, &account, admin_id, "Keep me unread").await;
    let mut admin = WebClient::signed_in(
        &app,
        &account.admin_email,
        ADMIN_PASSWORD,
        "/settings",
        "/settings",
    )
    .await;

    let refused = admin.post_raw("/notifications/read-all", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.contains("This form has expired or did not come from this site."));
    let wrong = admin
        .post_raw("/notifications/read-all", &[("_csrf", "not the token")])
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.unread_notifications(admin_id).await.unwrap(), 1);

    let invite = admin
        .post_raw(
            "/settings/users",
            &[("email", "x@example.com"), ("password", "long enough pw")],
        )
        .await;
    assert_eq!(invite.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.users(account.id).await.unwrap().len(), 1);
    let logout = admin.post_raw("/logout", &[]).await;
    assert_eq!(logout.status, StatusCode::FORBIDDEN);
    admin.get("/settings").await.assert_ok();
}

#[tokio::test]
async fn two_super_admins_demoting_each_other_at_once_leave_one() {
    let app = TestApp::spawn().await;
    // Several rounds: the race must be lost every time, not by luck once.
    for round in 0..5 {
        let account = app.account(&format!("Race {round}")).await;
        let first = app.store.users(account.id).await.unwrap()[0].clone();
        let second = app
            .add_user(
                account.id,
                NewUser {
                    email: format!("second-{round}@race.test"),
                    password: ADMIN_PASSWORD.into(),
                    super_admin: true,
                    ..NewUser::default()
                },
            )
            .await
            .unwrap();
        let a = WebClient::signed_in(&app, &first.email, ADMIN_PASSWORD, "/settings", "/settings")
            .await;
        let b = WebClient::signed_in(
            &app,
            &second.email,
            ADMIN_PASSWORD,
            "/settings",
            "/settings",
        )
        .await;
        let revoke = [("role", "super_admin"), ("grant", "0")];
        let (first_path, second_path) = (
            format!("/settings/users/{}/roles", first.id),
            format!("/settings/users/{}/roles", second.id),
        );
        let (one, other) =
            tokio::join!(a.post(&second_path, &revoke), b.post(&first_path, &revoke));
        // One demotion goes through; the other is refused: as a conflict
        // (the last super admin) or, when it arrives after the first one
        // committed, because its sender is no longer a super admin.
        let mut statuses = [one.status, other.status];
        statuses.sort();
        assert_eq!(statuses[0], StatusCode::OK, "round {round}: {statuses:?}");
        assert!(
            [StatusCode::FORBIDDEN, StatusCode::CONFLICT].contains(&statuses[1]),
            "round {round}: {statuses:?}"
        );
        let admins = app
            .store
            .users(account.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|u| u.roles.super_admin)
            .count();
        assert_eq!(admins, 1, "round {round}: one super admin is left");
    }
}
