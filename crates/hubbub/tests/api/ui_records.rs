//! The record pages of the web app, driven over HTTP as a browser would:
//! sign in, fill forms (with the CSRF token each page carries), follow the
//! redirects, read the HTML.

use hubbub_store::NewUser;
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::TestApp;
use crate::web_client::WebClient;

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn a_contact_created_through_the_form_is_found_by_search() {
    let app = TestApp::spawn().await;
    let account = app.account("Forms").await;
    let mut browser = WebClient::admin(&app, &account).await;

    let form = browser.get("/contacts/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("data-testid=\"save-record\""));
    assert!(form.html.contains("name=\"email\""));
    assert!(form.html.contains("<select id=\"f-lifecyclestage\""));

    let created = browser
        .submit(
            "/contacts/new",
            "/contacts/new",
            &[
                ("firstname", "Jane"),
                ("lastname", "Doe"),
                ("email", "Jane.Doe@Example.com"),
                ("lifecyclestage", "lead"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.html);
    let id = created.record_id();
    assert_eq!(created.path, format!("/contacts/{id}"));
    assert!(created.html.contains("Jane Doe"));
    assert!(created.html.contains("jane.doe@example.com"));
    // Option labels, not stored values.
    assert!(created.html.contains("<dd>Lead</dd>"), "{}", created.html);

    let found = browser.get("/contacts?query=jan").await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.html.contains(&format!("href=\"/contacts/{id}\"")));
    assert!(found.html.contains("data-testid=\"total-count\">1</span>"));
    let none = browser.get("/contacts?query=zebedee").await;
    assert!(!none.html.contains(&format!("href=\"/contacts/{id}\"")));
    assert!(none.html.contains("data-testid=\"total-count\">0</span>"));

    // Editing keeps what is not changed and saves what is.
    let edit = browser.get(&format!("/contacts/{id}/edit")).await;
    assert!(edit.html.contains("value=\"Jane\""));
    let saved = browser
        .submit(
            &format!("/contacts/{id}/edit"),
            &format!("/contacts/{id}/edit"),
            &[
                ("firstname", "Jane"),
                ("lastname", "Roe"),
                ("email", "jane.doe@example.com"),
                ("lifecyclestage", "lead"),
            ],
        )
        .await;
    assert_eq!(saved.path, format!("/contacts/{id}"));
    assert!(saved.html.contains("Jane Roe"));
}

#[tokio::test]
async fn the_index_pages_through_lists_and_searches() {
    let app = TestApp::spawn().await;
    let account = app.account("Paging").await;
    let mut browser = WebClient::admin(&app, &account).await;
    for i in 0..27 {
        app.create_contact(
            &account.token,
            &format!("p{i}@paging.test"),
            "Pat",
            &format!("Number{i}"),
        )
        .await;
    }
    let first = browser.get("/contacts").await;
    assert!(first.html.contains("data-testid=\"total-count\">27</span>"));
    assert!(first.html.contains("data-testid=\"next-page\""));
    assert!(!first.html.contains("data-testid=\"prev-page\""));
    // Newest first.
    assert!(first.html.contains("Pat Number26"));
    assert!(!first.html.contains("Pat Number1<"));

    let second = browser.get("/contacts?page=2").await;
    assert!(second.html.contains("data-testid=\"prev-page\""));
    assert!(!second.html.contains("data-testid=\"next-page\""));
    assert!(second.html.contains("Pat Number0<"));
    assert!(second.html.contains("26–27 of 27"));

    let searched = browser.get("/contacts?query=pat&page=2").await;
    assert!(searched.html.contains("26–27 of 27"));
    assert!(searched.html.contains("href=\"/contacts?query=pat\""));
}

#[tokio::test]
async fn a_bad_email_is_shown_beside_its_field_with_the_input_kept() {
    let app = TestApp::spawn().await;
    let account = app.account("Bad Email").await;
    let mut browser = WebClient::admin(&app, &account).await;
    let page = browser
        .submit(
            "/contacts/new",
            "/contacts/new",
            &[
                ("firstname", "Kept"),
                ("email", "not-an-email"),
                ("phone", "555 0100"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.path, "/contacts/new");
    let error = page
        .field_error("email")
        .expect("an error beside the email field");
    assert!(error.contains("not-an-email is invalid"), "{error}");
    assert!(page.html.contains("value=\"Kept\""));
    assert!(page.html.contains("value=\"not-an-email\""));
    assert!(page.html.contains("value=\"555 0100\""));
    assert_eq!(page.field_error("firstname"), None);

    let list = browser.get("/contacts").await;
    assert!(list.html.contains("data-testid=\"total-count\">0</span>"));

    // A task needs its due date: the error lands on that field.
    let task = browser
        .submit(
            "/tasks/new",
            "/tasks/new",
            &[("hs_task_subject", "Call back"), ("hs_timestamp", "")],
        )
        .await;
    assert_eq!(task.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(task.html.contains("data-testid=\"error-hs_timestamp\""));
    assert!(task.html.contains("value=\"Call back\""));

    // A duplicate email is a conflict, also shown beside the field.
    browser
        .submit(
            "/contacts/new",
            "/contacts/new",
            &[("email", "one@dup.test")],
        )
        .await;
    let dup = browser
        .submit(
            "/contacts/new",
            "/contacts/new",
            &[("email", "ONE@dup.test")],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(dup.html.contains("data-testid=\"error-email\""));
}

#[tokio::test]
async fn a_deal_changes_stage_on_the_board() {
    let app = TestApp::spawn().await;
    let account = app.account("Board").await;
    let mut browser = WebClient::admin(&app, &account).await;
    let created = browser
        .submit(
            "/deals/new",
            "/deals/new",
            &[
                ("dealname", "Big Deal"),
                ("amount", "12500"),
                ("pipeline", "default"),
                ("dealstage", ""),
                ("closedate", "2030-05-01"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.html);
    let id = created.record_id();
    assert!(created.html.contains("Appointment Scheduled"));
    assert!(created.html.contains("12,500"));
    assert!(created.html.contains("1 May 2030"));

    let index = browser.get("/deals").await;
    assert!(index.html.contains("href=\"/deals/board\""));

    let board = browser.get("/deals/board").await;
    assert_eq!(board.status, StatusCode::OK);
    let select = format!("name=\"dealstage\" data-autosubmit data-testid=\"stage-{id}\"");
    assert!(board.html.contains(&select), "{}", board.html);
    let column = board
        .html
        .find("data-testid=\"column-appointmentscheduled\"")
        .unwrap();
    let card = board
        .html
        .find(&format!("data-testid=\"deal-{id}\""))
        .unwrap();
    let next_column = board
        .html
        .find("data-testid=\"column-qualifiedtobuy\"")
        .unwrap();
    assert!(column < card && card < next_column);

    let moved = browser
        .submit(
            "/deals/board",
            &format!("/deals/{id}/stage"),
            &[("dealstage", "closedwon")],
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK);
    assert_eq!(moved.path, "/deals/board");
    let card = moved
        .html
        .find(&format!("data-testid=\"deal-{id}\""))
        .unwrap();
    let won = moved.html.find("data-testid=\"column-closedwon\"").unwrap();
    assert!(won < card);

    let (_, deal) = app
        .get(
            &account.token,
            &format!("/crm/v3/objects/deals/{id}?properties=dealstage"),
        )
        .await;
    assert_eq!(deal["properties"]["dealstage"], "closedwon");

    // A stage of no pipeline is refused and changes nothing.
    let bad = browser
        .submit(
            "/deals/board",
            &format!("/deals/{id}/stage"),
            &[("dealstage", "nowhere")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let (_, deal) = app
        .get(
            &account.token,
            &format!("/crm/v3/objects/deals/{id}?properties=dealstage"),
        )
        .await;
    assert_eq!(deal["properties"]["dealstage"], "closedwon");
}

#[tokio::test]
async fn a_mention_in_a_comment_notifies_the_mentioned_user() {
    let app = TestApp::spawn().await;
    let account = app.account("Mentions").await;
    let mut browser = WebClient::admin(&app, &account).await;
    let bea = app
        .add_user(
            account.id,
            NewUser {
                email: "bea.builder@mentions.test".into(),
                password: PASSWORD.into(),
                first_name: "Bea".into(),
                last_name: "Builder".into(),
                ..NewUser::default()
            },
        )
        .await
        .unwrap();
    let id = app
        .create_contact(&account.token, "jane@mentions.test", "Jane", "Doe")
        .await;
    let admin_handle = account.admin_email.clone();
    let text = format!("@bea.builder can you call Jane? cc @{admin_handle}");
    let page = browser
        .submit(
            &format!("/contacts/{id}"),
            &format!("/contacts/{id}/comments"),
            &[("body", &text)],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.path, format!("/contacts/{id}"));
    assert!(page.html.contains("data-testid=\"timeline-comment\""));
    // Each mention shows as the user's name, highlighted; the rest as typed.
    assert_eq!(page.texts("mention"), ["@Bea Builder", "@Ada Admin"]);
    assert!(page.html.contains(&format!(
        r#"<span class="mention" title="{admin_handle}" data-testid="mention">@Ada Admin</span>"#
    )));
    assert!(page.html.contains("can you call Jane? cc "));
    // Whom the comment box offers, with the handle that mentions them.
    assert!(page
        .html
        .contains(r#"<li data-handle="bea.builder">Bea Builder</li>"#));

    let notes = app.store.notifications(bea.id, 10).await.unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].topic, "mention");
    assert_eq!(
        notes[0].title,
        "Ada Admin mentioned you on the contact Jane Doe"
    );
    assert_eq!(notes[0].body, text);
    assert_eq!(notes[0].link, format!("/contacts/{id}"));

    // The author mentioning themself is not notified.
    let users = app.store.users(account.id).await.unwrap();
    let admin = users.iter().find(|u| u.email == admin_handle).unwrap();
    assert!(app
        .store
        .notifications(admin.id, 10)
        .await
        .unwrap()
        .is_empty());

    // An empty comment is refused beside the form.
    let empty = browser
        .submit(
            &format!("/contacts/{id}"),
            &format!("/contacts/{id}/comments"),
            &[("body", "   ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.html.contains("class=\"field-error\""));
}

#[tokio::test]
async fn notes_associations_and_archiving_work_from_the_record_page() {
    let app = TestApp::spawn().await;
    let account = app.account("Records").await;
    let mut browser = WebClient::admin(&app, &account).await;
    let contact = app
        .create_contact(&account.token, "sam@records.test", "Sam", "Smith")
        .await;
    let path = format!("/contacts/{contact}");

    let noted = browser
        .submit(
            &path,
            &format!("{path}/notes"),
            &[("body", "Met at the fair.\nWants a demo.")],
        )
        .await;
    assert_eq!(noted.path, path);
    assert!(noted.html.contains("data-testid=\"timeline-note\""));
    assert!(noted.html.contains("Met at the fair.\nWants a demo."));
    assert!(noted.html.contains("<strong>Ada Admin</strong>"));

    // A company created from the contact's page is associated with it.
    let company = browser
        .submit(
            &format!("/companies/new?with=contacts/{contact}"),
            "/companies/new",
            &[
                ("name", "Acme Rockets"),
                ("_with", &format!("contacts/{contact}")),
            ],
        )
        .await;
    assert_eq!(company.status, StatusCode::OK, "{}", company.html);
    let company_id = company.record_id();
    assert!(company.html.contains(&format!("href=\"{path}\"")));
    let shown = browser.get(&path).await;
    assert!(shown.html.contains(&format!(
        "href=\"/companies/{company_id}\">Acme Rockets</a>"
    )));

    // A task created from the page shows in its timeline.
    let task = browser
        .submit(
            &format!("/tasks/new?with=contacts/{contact}"),
            "/tasks/new",
            &[
                ("hs_task_subject", "Send the demo"),
                ("hs_timestamp", "2030-01-02"),
                ("hs_task_status", "NOT_STARTED"),
                ("_with", &format!("contacts/{contact}")),
            ],
        )
        .await;
    assert_eq!(task.status, StatusCode::OK, "{}", task.html);
    let shown = browser.get(&path).await;
    assert!(shown.html.contains("data-testid=\"timeline-task\""));
    assert!(shown.html.contains("Due 2 Jan 2030 · Not started"));

    let archived = browser.submit(&path, &format!("{path}/archive"), &[]).await;
    assert_eq!(archived.path, "/contacts");
    assert!(archived
        .html
        .contains("data-testid=\"total-count\">0</span>"));
    assert_eq!(browser.get(&path).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn markup_in_records_and_comments_shows_as_text() {
    let app = TestApp::spawn().await;
    let account = app.account("Escaping").await;
    let mut browser = WebClient::admin(&app, &account).await;
    let evil = "<script>alert(1)</script>";
    let created = browser
        .submit(
            "/contacts/new",
            "/contacts/new",
            &[
                ("firstname", evil),
                ("lastname", "\"><img src=x onerror=alert(2)>"),
                ("company", evil),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.html);
    let id = created.record_id();
    let path = format!("/contacts/{id}");
    browser
        .submit(&path, &format!("{path}/comments"), &[("body", evil)])
        .await;
    browser
        .submit(&path, &format!("{path}/notes"), &[("body", evil)])
        .await;
    browser
        .submit(
            "/deals/new",
            "/deals/new",
            &[("dealname", evil), ("_with", &format!("contacts/{id}"))],
        )
        .await;
    for page in [
        path.clone(),
        format!("{path}/edit"),
        "/contacts".into(),
        "/contacts?query=script".into(),
        "/deals".into(),
        "/deals/board".into(),
        format!("/deals/new?with=contacts/{id}"),
    ] {
        let got = browser.get(&page).await;
        assert_eq!(got.status, StatusCode::OK, "{page}");
        assert!(!got.html.contains("<script>alert"), "{page}: {}", got.html);
        assert!(!got.html.contains("<img src=x"), "{page}");
        // Escaped by name or by number, depending on the template engine.
        let escaped = got.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
            || got
                .html
                .contains("&#60;script&#62;alert(1)&#60;/script&#62;");
        assert!(escaped, "{page}: {}", got.html);
    }
}

#[tokio::test]
async fn records_of_another_account_are_not_found() {
    let app = TestApp::spawn().await;
    let mine = app.account("Mine").await;
    let mut browser =
        WebClient::signed_in(&app, &mine.admin_email, PASSWORD, "/contacts", "/contacts").await;
    let theirs = app.account("Theirs").await;
    let contact = app
        .create_contact(&theirs.token, "secret@theirs.test", "Secret", "Person")
        .await;
    let (_, deal) = app
        .post(
            &theirs.token,
            "/crm/v3/objects/deals",
            json!({"properties": {"dealname": "Their deal"}}),
        )
        .await;
    let deal = deal["id"].as_str().unwrap().to_owned();

    for path in [
        format!("/contacts/{contact}"),
        format!("/contacts/{contact}/edit"),
        format!("/deals/{deal}"),
        format!("/companies/{contact}"),
        "/contacts/not-a-number".into(),
    ] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.html.contains("Secret"), "{path}");
    }
    for (action, form) in [
        (
            format!("/contacts/{contact}/comments"),
            vec![("body", "hi")],
        ),
        (format!("/contacts/{contact}/notes"), vec![("body", "hi")]),
        (
            format!("/contacts/{contact}/edit"),
            vec![("firstname", "X")],
        ),
        (format!("/contacts/{contact}/archive"), vec![]),
        (
            format!("/deals/{deal}/stage"),
            vec![("dealstage", "closedwon")],
        ),
    ] {
        let page = browser.submit("/contacts", &action, &form).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{action}");
    }
    let (status, still) = app
        .get(
            &theirs.token,
            &format!("/crm/v3/objects/contacts/{contact}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(still["properties"]["firstname"], "Secret");
    let (_, their_deal) = app
        .get(
            &theirs.token,
            &format!("/crm/v3/objects/deals/{deal}?properties=dealstage"),
        )
        .await;
    assert_eq!(
        their_deal["properties"]["dealstage"],
        "appointmentscheduled"
    );
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = TestApp::spawn().await;
    let account = app.account("Csrf").await;
    let mut browser = WebClient::admin(&app, &account).await;
    let id = app
        .create_contact(&account.token, "kim@csrf.test", "Kim", "Lee")
        .await;
    let refused = browser
        .post_raw("/contacts/new", &[("firstname", "Forged")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let wrong = browser
        .post_raw(
            &format!("/contacts/{id}/archive"),
            &[("_csrf", "0000000000000000")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let comment = browser
        .post_raw(&format!("/contacts/{id}/comments"), &[("body", "forged")])
        .await;
    assert_eq!(comment.status, StatusCode::FORBIDDEN);
    let list = browser.get("/contacts").await;
    assert!(list.html.contains("data-testid=\"total-count\">1</span>"));
    assert!(!browser
        .get(&format!("/contacts/{id}"))
        .await
        .html
        .contains("forged"));

    // Signed out, the pages send people to sign in.
    let mut anonymous = WebClient::new(&app);
    let page = anonymous.get(&format!("/contacts/{id}")).await;
    assert_eq!(page.path, "/login");
}

#[tokio::test]
async fn a_close_date_and_a_due_date_show_as_days() {
    let app = TestApp::spawn().await;
    let account = app.account("Days").await;
    let deal = app
        .create_id(
            &account.token,
            "deals",
            json!({"dealname": "Renewal", "closedate": "2030-05-01T15:30:00Z"}),
        )
        .await;
    let task = app
        .create_id(
            &account.token,
            "tasks",
            json!({"hs_task_subject": "Call", "hs_timestamp": "2030-05-02T09:45:00Z"}),
        )
        .await;
    let mut web = WebClient::admin(&app, &account).await;
    let deal_page = web.get(&format!("/deals/{deal}")).await;
    assert!(
        deal_page.contains("<dd>1 May 2030</dd>"),
        "{}",
        deal_page.html
    );
    assert!(!deal_page.contains("15:30"));
    let task_page = web.get(&format!("/tasks/{task}")).await;
    assert!(
        task_page.contains("<dd>2 May 2030</dd>"),
        "{}",
        task_page.html
    );
    assert!(!task_page.contains("09:45"));
}
