//! Email: the transactional outbox, delivery over real SMTP (lettre)
//! against a small SMTP server each test starts on a loopback port,
//! retries with backoff (time is driven through the worker's `now`, not by
//! sleeping), parking, and the local mailbox page when no SMTP server is
//! configured.

use std::sync::{Arc, Mutex};

use hubbub_app::jobs::Worker;
use hubbub_app::mail::{default_from, MailConfig, Mailer};
use hubbub_hub::timestamp::now_millis;
use hubbub_store::{enqueue_mail, MailStatus, NewMail, StoreResult, MAX_ATTEMPTS};
use reqwest::StatusCode;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::harness::TestApp;
use crate::ui_settings::regular_user;
use crate::web_client::WebClient;

const ADMIN_PASSWORD: &str = "correct horse battery";
const FROM: &str = "hubbub@hub.test";

/// How the test SMTP server answers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Accept,
    /// `451` to DATA: a transient failure, to be retried.
    DeferData,
    /// `550` to RCPT TO: a permanent refusal.
    RejectRecipient,
}

/// A message the test SMTP server accepted.
#[derive(Debug, Clone)]
struct Received {
    mail_from: String,
    rcpt_to: Vec<String>,
    /// The message as sent after DATA (headers and body), dots unstuffed.
    data: String,
}

/// A minimal SMTP server (RFC 5321's EHLO/HELO, MAIL, RCPT, DATA, RSET,
/// NOOP, QUIT) on a random loopback port, keeping what it receives.
struct SmtpServer {
    port: u16,
    mode: Arc<Mutex<Mode>>,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpServer {
    async fn start(mode: Mode) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(Mutex::new(mode));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (m, r) = (mode.clone(), received.clone());
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, m.clone(), r.clone()));
            }
        });
        SmtpServer {
            port,
            mode,
            received,
            task,
        }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn session(
    socket: tokio::net::TcpStream,
    mode: Arc<Mutex<Mode>>,
    received: Arc<Mutex<Vec<Received>>>,
) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    if write
        .write_all(b"220 test.smtp ESMTP ready\r\n")
        .await
        .is_err()
    {
        return;
    }
    let mut mail_from = String::new();
    let mut rcpt_to = Vec::new();
    loop {
        let mut line = String::new();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let mode = *mode.lock().unwrap();
        let answer: String = match verb.as_str() {
            "EHLO" => "250-test.smtp\r\n250 8BITMIME\r\n".into(),
            "HELO" | "NOOP" => "250 ok\r\n".into(),
            "RSET" => {
                mail_from.clear();
                rcpt_to.clear();
                "250 ok\r\n".into()
            }
            "MAIL" => {
                mail_from = angle(&command);
                "250 2.1.0 ok\r\n".into()
            }
            "RCPT" if mode == Mode::RejectRecipient => "550 5.1.1 no such mailbox here\r\n".into(),
            "RCPT" => {
                rcpt_to.push(angle(&command));
                "250 2.1.5 ok\r\n".into()
            }
            "DATA" if mode == Mode::DeferData => {
                "451 4.3.0 mailbox busy, try again later\r\n".into()
            }
            "DATA" => {
                if write
                    .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
                let mut data = String::new();
                loop {
                    let mut l = String::new();
                    match lines.read_line(&mut l).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if l == ".\r\n" || l == ".\n" {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                }
                received.lock().unwrap().push(Received {
                    mail_from: std::mem::take(&mut mail_from),
                    rcpt_to: std::mem::take(&mut rcpt_to),
                    data,
                });
                "250 2.0.0 queued\r\n".into()
            }
            "QUIT" => {
                let _ = write.write_all(b"221 2.0.0 bye\r\n").await;
                return;
            }
            _ => "502 5.5.2 command not recognized\r\n".into(),
        };
        if write.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The address between `<` and `>` in `MAIL FROM:<a@b> …`.
fn angle(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(addr, _)| addr.to_owned())
        .unwrap_or_default()
}

/// A worker of the hub's that sends mail to `smtp_url` (or keeps it).
fn mailer(app: &TestApp, smtp_url: Option<String>) -> Worker {
    let mailer = Mailer::new(&MailConfig {
        smtp_url,
        from: FROM.into(),
    })
    .expect("mail settings");
    Worker::new(app.hub.clone(), mailer)
}

/// Enqueues a mail in a transaction of its own.
async fn enqueue(app: &TestApp, account_id: i64, mail: &NewMail) -> StoreResult<i64> {
    let mut tx = app.store.begin_write().await?;
    let id = enqueue_mail(&mut tx, account_id, mail).await?;
    tx.commit().await?;
    Ok(id)
}

fn mail(to: &str, subject: &str, body: &str) -> NewMail {
    NewMail {
        to_address: to.into(),
        subject: subject.into(),
        text_body: body.into(),
        html_body: None,
    }
}

#[tokio::test]
async fn mail_enqueued_in_a_transaction_goes_out_over_smtp() {
    let app = TestApp::spawn().await;
    let account = app.account("Mail").await;
    let smtp = SmtpServer::start(Mode::Accept).await;

    // Enqueued inside a transaction: it exists only once that commits.
    let mut tx = app.store.begin_write().await.unwrap();
    let id = enqueue_mail(
        &mut tx,
        account.id,
        &mail(
            "ada@example.com",
            "Welcome to the hub",
            "Hello Ada,\nyour hub is ready.\n.\nBye.",
        ),
    )
    .await
    .unwrap();
    let rolled_back = enqueue_mail(
        &mut tx,
        account.id,
        &mail("nobody@example.com", "Never", "never"),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = app.store.begin_write().await.unwrap();
    let lost = enqueue_mail(&mut tx, account.id, &mail("x@example.com", "Lost", "lost"))
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert!(app.store.mail(account.id, lost).await.is_err());
    assert!(app.store.mail(account.id, rolled_back).await.is_ok());

    let with_html = enqueue(
        &app,
        account.id,
        &NewMail {
            html_body: Some("<p>Hello <b>Grace</b></p>".into()),
            ..mail("grace@example.com", "Both kinds", "Hello Grace")
        },
    )
    .await
    .unwrap();

    let worker = mailer(&app, Some(smtp.url()));
    assert!(worker.sends());
    let now = now_millis();
    let pass = worker.run_due(now).await.unwrap();
    assert_eq!(pass.sent, 3, "{pass:?}");
    assert_eq!(worker.run_due(now).await.unwrap().handled(), 0);

    let got = smtp.received();
    assert_eq!(got.len(), 3);
    let first = got
        .iter()
        .find(|r| r.rcpt_to == ["ada@example.com"])
        .expect("Ada's mail arrived");
    assert_eq!(first.mail_from, FROM);
    assert!(
        first.data.contains("From: hubbub@hub.test"),
        "{}",
        first.data
    );
    assert!(first.data.contains("To: ada@example.com"), "{}", first.data);
    assert!(
        first.data.contains("Subject: Welcome to the hub"),
        "{}",
        first.data
    );
    assert!(
        first
            .data
            .contains(&format!("Message-ID: <hubbub.mail.{id}.")),
        "{}",
        first.data
    );
    assert!(
        first.data.contains("Content-Type: text/plain"),
        "{}",
        first.data
    );
    // The lone dot in the body survived dot-stuffing.
    assert!(
        first
            .data
            .contains("Hello Ada,\r\nyour hub is ready.\r\n.\r\nBye."),
        "{}",
        first.data
    );

    let html = got
        .iter()
        .find(|r| r.rcpt_to == ["grace@example.com"])
        .expect("Grace's mail arrived");
    assert!(html.data.contains("multipart/alternative"), "{}", html.data);
    assert!(html.data.contains("Hello Grace"), "{}", html.data);
    assert!(
        html.data.contains("<p>Hello <b>Grace</b></p>"),
        "{}",
        html.data
    );

    for id in [id, with_html] {
        let sent = app.store.mail(account.id, id).await.unwrap();
        assert_eq!(sent.status, MailStatus::Sent);
        assert_eq!(sent.attempts, 1);
        assert!(sent.sent_at.is_some());
        assert_eq!(sent.last_error, None);
    }
}

#[tokio::test]
async fn failed_sends_stay_queued_and_are_retried_with_backoff_then_parked() {
    let app = TestApp::spawn().await;
    let account = app.account("Retry").await;
    let smtp = SmtpServer::start(Mode::DeferData).await;
    let id = enqueue(&app, account.id, &mail("ada@example.com", "Try me", "body"))
        .await
        .unwrap();
    let worker = mailer(&app, Some(smtp.url()));

    // 451 to DATA: kept in the queue, with the error, due again in 30 s.
    let t0 = now_millis();
    let pass = worker.run_due(t0).await.unwrap();
    assert_eq!(pass.failed, 1, "{pass:?}");
    let m = app.store.mail(account.id, id).await.unwrap();
    assert_eq!(m.status, MailStatus::Queued);
    assert_eq!(m.attempts, 1);
    assert!(m.last_error.as_deref().unwrap().contains("451"), "{m:?}");
    assert_eq!(m.next_attempt_at, t0 + 30_000);
    assert!(smtp.received().is_empty());

    // Not due before the backoff has passed.
    assert_eq!(worker.run_due(t0 + 29_000).await.unwrap().handled(), 0);

    // The server is down: another failure, the next wait is 2 minutes.
    let down = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap().port()
    };
    let down_worker = mailer(&app, Some(format!("smtp://127.0.0.1:{down}")));
    let t1 = t0 + 30_000;
    assert_eq!(down_worker.run_due(t1).await.unwrap().failed, 1);
    let m = app.store.mail(account.id, id).await.unwrap();
    assert_eq!((m.status, m.attempts), (MailStatus::Queued, 2));
    assert_eq!(m.next_attempt_at, t1 + 120_000);
    assert!(m.last_error.is_some());

    // The server recovers: the retry goes out.
    smtp.set_mode(Mode::Accept);
    assert_eq!(worker.run_due(t1 + 60_000).await.unwrap().handled(), 0);
    let t2 = t1 + 120_000;
    assert_eq!(worker.run_due(t2).await.unwrap().sent, 1);
    let m = app.store.mail(account.id, id).await.unwrap();
    assert_eq!((m.status, m.attempts), (MailStatus::Sent, 3));
    assert_eq!(m.last_error, None);
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rcpt_to, ["ada@example.com"]);
    assert!(got[0].data.contains("Subject: Try me"));

    // A mail that keeps failing is parked after the last attempt…
    smtp.set_mode(Mode::DeferData);
    let doomed = enqueue(&app, account.id, &mail("bob@example.com", "Doomed", "body"))
        .await
        .unwrap();
    let mut t = now_millis();
    for attempt in 1..=MAX_ATTEMPTS {
        let pass = worker.run_due(t).await.unwrap();
        assert_eq!(pass.handled(), 1, "attempt {attempt}: {pass:?}");
        let m = app.store.mail(account.id, doomed).await.unwrap();
        assert_eq!(m.attempts, attempt);
        if attempt < MAX_ATTEMPTS {
            assert_eq!(m.status, MailStatus::Queued);
            t = m.next_attempt_at;
        } else {
            assert_eq!(m.status, MailStatus::Parked);
            assert_eq!(pass.parked, 1);
        }
    }
    assert_eq!(worker.run_due(t + 86_400_000).await.unwrap().handled(), 0);

    // …and a permanent refusal (550) is parked at once.
    smtp.set_mode(Mode::RejectRecipient);
    let refused = enqueue(
        &app,
        account.id,
        &mail("gone@example.com", "Refused", "body"),
    )
    .await
    .unwrap();
    assert_eq!(worker.run_due(now_millis()).await.unwrap().parked, 1);
    let m = app.store.mail(account.id, refused).await.unwrap();
    assert_eq!((m.status, m.attempts), (MailStatus::Parked, 1));
    assert!(m.last_error.as_deref().unwrap().contains("550"), "{m:?}");

    // A super admin sees why on the mailbox page and can try again.
    let mut admin = WebClient::signed_in(
        &app,
        &account.admin_email,
        ADMIN_PASSWORD,
        "/mailbox",
        "/mailbox",
    )
    .await;
    let page = admin.get(&format!("/mailbox/{refused}")).await;
    page.assert_ok();
    assert!(page.contains(r#"data-status="parked""#), "{}", page.html);
    assert!(page.contains("550"), "{}", page.html);
    smtp.set_mode(Mode::Accept);
    let after = admin
        .submit(
            &format!("/mailbox/{refused}"),
            &format!("/mailbox/{refused}/retry"),
            &[],
        )
        .await;
    after.assert_ok();
    assert!(after.contains(r#"data-status="queued""#), "{}", after.html);
    assert_eq!(worker.run_due(now_millis()).await.unwrap().sent, 1);
    assert_eq!(
        app.store.mail(account.id, refused).await.unwrap().status,
        MailStatus::Sent
    );
}

#[tokio::test]
async fn without_smtp_mail_is_kept_and_shown_in_the_mailbox_to_its_recipient() {
    let app = TestApp::spawn().await;
    let account = app.account("Mailbox").await;
    let rita = format!("rita-{}@mailbox.test", uuid::Uuid::new_v4().simple());
    let sam = format!("sam-{}@mailbox.test", uuid::Uuid::new_v4().simple());
    regular_user(&app, &account, &rita, false).await;
    regular_user(&app, &account, &sam, false).await;
    let for_rita = enqueue(
        &app,
        account.id,
        &mail(
            &rita,
            "Rita's <b>report</b>",
            "Dear Rita,\n<script>alert(1)</script>\nThe hub",
        ),
    )
    .await
    .unwrap();
    let for_sam = enqueue(&app, account.id, &mail(&sam, "Sam only", "For Sam's eyes"))
        .await
        .unwrap();
    // Another account's mail to the same address stays out of this mailbox.
    let other = app.account("Elsewhere").await;
    let elsewhere = enqueue(&app, other.id, &mail(&rita, "Other account", "elsewhere"))
        .await
        .unwrap();

    // No SMTP server: the worker keeps the mail locally, sending nothing.
    let worker = mailer(&app, None);
    assert!(!worker.sends());
    let pass = worker.run_due(now_millis()).await.unwrap();
    assert_eq!(pass.kept, 3, "{pass:?}");
    assert_eq!(pass.sent, 0);
    let kept = app.store.mail(account.id, for_rita).await.unwrap();
    assert_eq!(kept.status, MailStatus::Kept);
    assert_eq!(worker.run_due(now_millis()).await.unwrap().handled(), 0);

    // Signed out: off to the sign-in page.
    let mut anonymous = WebClient::new(&app);
    let page = anonymous.get("/mailbox").await;
    assert!(page.path.starts_with("/login"), "{}", page.path);

    // Rita sees her mail, escaped, and not Sam's.
    let mut client =
        WebClient::signed_in(&app, &rita, "regular password", "/settings", "/settings").await;
    let settings = client.get("/settings").await;
    assert!(settings.contains(r#"href="/mailbox""#), "{}", settings.html);
    let list = client.get("/mailbox").await;
    list.assert_ok();
    // Escaped, never markup.
    assert!(list.contains("report&#60;/b&#62;"), "{}", list.html);
    assert!(!list.contains("<b>report"), "{}", list.html);
    assert!(list.contains("Kept locally"), "{}", list.html);
    assert!(!list.contains("Sam only"), "{}", list.html);
    assert!(!list.contains("Other account"), "{}", list.html);
    let one = client.get(&format!("/mailbox/{for_rita}")).await;
    one.assert_ok();
    assert!(
        one.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{}",
        one.html
    );
    assert!(!one.contains("<script>alert(1)"), "{}", one.html);
    assert!(one.contains(&rita), "{}", one.html);
    let not_hers = client.get(&format!("/mailbox/{for_sam}")).await;
    assert_eq!(not_hers.status, StatusCode::NOT_FOUND);
    // Only super admins retry mail.
    let refused = client
        .post(&format!("/mailbox/{for_rita}/retry"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Sam sees only his.
    let mut sam_client =
        WebClient::signed_in(&app, &sam, "regular password", "/mailbox", "/mailbox").await;
    let list = sam_client.get("/mailbox").await;
    assert!(list.contains("Sam only"), "{}", list.html);
    assert!(!list.contains("report"), "{}", list.html);

    // The super admin sees the whole account's mail, newest first.
    let mut admin = WebClient::signed_in(
        &app,
        &account.admin_email,
        ADMIN_PASSWORD,
        "/mailbox",
        "/mailbox",
    )
    .await;
    let list = admin.get("/mailbox").await;
    let sam_at = list.html.find("Sam only").expect("Sam's mail listed");
    let rita_at = list.html.find("report").expect("Rita's mail listed");
    assert!(sam_at < rita_at, "newest first: {}", list.html);
    assert!(!list.contains("Other account"), "{}", list.html);
    let other_accounts = admin.get(&format!("/mailbox/{elsewhere}")).await;
    assert_eq!(other_accounts.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn mail_settings_default_the_from_address_and_refuse_bad_values() {
    assert_eq!(default_from("http://127.0.0.1:8080"), "hubbub@127.0.0.1");
    assert_eq!(
        default_from("https://hub.example.com/base"),
        "hubbub@hub.example.com"
    );
    assert_eq!(default_from("http://[::1]:8080"), "hubbub@localhost");
    let app = TestApp::spawn().await;
    for public_url in [
        "http://127.0.0.1:8080",
        "http://[::1]:8080",
        "https://hub.example.com",
    ] {
        let config = MailConfig::new(None, None, public_url);
        assert!(Mailer::new(&config).is_ok(), "{public_url}");
    }
    let bad_from = MailConfig::new(None, Some("not an address".into()), "http://h");
    assert!(Mailer::new(&bad_from).is_err());
    let bad_url = MailConfig::new(Some("ftp://mail.example.com".into()), None, "http://h");
    let err = Mailer::new(&bad_url).err().unwrap();
    assert!(err.to_string().contains("HUBBUB_SMTP_URL"), "{err}");
    // An address that could inject headers is refused when enqueued.
    let account = app.account("Bad").await;
    for to in ["no-at-sign", "a@b\r\nBcc: x@y", "two@a.test, three@b.test"] {
        assert!(
            enqueue(&app, account.id, &mail(to, "s", "b"))
                .await
                .is_err(),
            "{to:?}"
        );
    }
    assert!(enqueue(
        &app,
        account.id,
        &mail("ok@a.test", "line\r\nBcc: x@y", "b")
    )
    .await
    .is_err());
}

#[tokio::test]
async fn concurrent_workers_send_each_mail_once() {
    let app = TestApp::spawn().await;
    let account = app.account("Busy").await;
    let smtp = SmtpServer::start(Mode::Accept).await;
    for i in 0..30 {
        enqueue(
            &app,
            account.id,
            &mail(&format!("r{i}@example.com"), &format!("Mail {i}"), "b"),
        )
        .await
        .unwrap();
    }
    let (a, b) = (
        mailer(&app, Some(smtp.url())),
        mailer(&app, Some(smtp.url())),
    );
    let now = now_millis();
    let (pa, pb) = tokio::join!(a.run_due(now), b.run_due(now));
    assert_eq!(pa.unwrap().sent + pb.unwrap().sent, 30);
    let mut to: Vec<String> = smtp
        .received()
        .into_iter()
        .flat_map(|r| r.rcpt_to)
        .collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 30, "each mail went out exactly once");
    assert_eq!(smtp.received().len(), 30);
}

/// A message as the SMTP server got it, with quoted-printable's soft line
/// breaks and `=3D` undone (enough to read links in it).
fn readable(data: &str) -> String {
    data.replace("=\r\n", "").replace("=3D", "=")
}

#[tokio::test]
async fn a_notification_email_goes_out_over_smtp_with_a_text_and_an_html_part() {
    let app = TestApp::spawn().await;
    let account = app.account("Notified by mail").await;
    let bea = app
        .add_user(
            account.id,
            hubbub_store::NewUser {
                email: "bea@notified.example".into(),
                password: "correct horse battery".into(),
                first_name: "Bea".into(),
                last_name: "Builder".into(),
                ..hubbub_store::NewUser::default()
            },
        )
        .await
        .unwrap();
    let (status, body) = app
        .post(
            &account.token,
            "/crm/v3/objects/deals",
            serde_json::json!({"properties": {"dealname": "Fish & chips <supply>", "hubspot_owner_id": bea.id.to_string()}}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let deal = body["id"].as_str().unwrap().to_owned();

    let smtp = SmtpServer::start(Mode::Accept).await;
    let worker = mailer(&app, Some(smtp.url()));
    let pass = worker.run_due(app.hub.now()).await.unwrap();
    assert_eq!(pass.sent, 1, "{pass:?}");
    let got = smtp.received();
    assert_eq!(got[0].rcpt_to, ["bea@notified.example"]);
    let data = readable(&got[0].data);
    assert!(data.contains("multipart/alternative"), "{data}");
    assert!(data.contains("Content-Type: text/plain"), "{data}");
    assert!(data.contains("Content-Type: text/html"), "{data}");
    assert!(
        data.contains("Subject: An API client assigned you the deal Fish & chips <supply>"),
        "{data}"
    );
    let record = format!("{}/deals/{deal}", app.base_url);
    let settings = format!("{}/settings/notifications", app.base_url);
    assert!(data.contains(&format!("View in hub: {record}")), "{data}");
    assert!(data.contains(&format!("href=\"{record}\"")), "{data}");
    assert!(data.contains(&format!("href=\"{settings}\"")), "{data}");
    assert!(
        data.contains("Fish &amp; chips &lt;supply&gt;"),
        "HTML escaped: {data}"
    );
}
