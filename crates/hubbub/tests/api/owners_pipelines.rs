//! `/crm/v3/owners` (every hub user owns records) and
//! `/crm/v3/pipelines/{deals,tickets}`.

use hubbub_app::Actor;
use hubbub_store::NewUser;
use reqwest::StatusCode;
use serde_json::Value;

use crate::harness::{TestAccount, TestApp};
use crate::support::{assert_error, ids};

/// Adds a user to the account (there is no API for it; the admin CLI and
/// web app do it through the store).
async fn add_user(app: &TestApp, account: &TestAccount, email: &str, first: &str) -> i64 {
    app.add_user(
        account.id,
        NewUser {
            email: email.into(),
            password: "correct horse battery".into(),
            first_name: first.into(),
            last_name: "Owner".into(),
            ..NewUser::default()
        },
    )
    .await
    .expect("create user")
    .id
}

#[tokio::test]
async fn owners_list_filters_by_email_and_pages() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let rep = add_user(&app, &a, "Rep@Acme.test", "Rita").await;
    let other = add_user(&app, &a, "other@acme.test", "Otto").await;
    let operator = Actor::Operator { account_id: a.id };
    let team = app.hub.create_team(&operator, "Sales").await.unwrap();
    app.hub
        .add_team_member(&operator, team.id, rep)
        .await
        .unwrap();

    let (status, body) = app.get(&a.token, "/crm/v3/owners").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let emails: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["email"].as_str())
        .collect();
    assert_eq!(
        emails,
        [a.admin_email.as_str(), "rep@acme.test", "other@acme.test"]
    );
    assert!(body.get("paging").is_none(), "{body}");

    let (status, body) = app
        .get(&a.token, "/crm/v3/owners?email=REP@acme.test")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body), [rep.to_string()], "email filter ignores case");
    let owner = &body["results"][0];
    assert_eq!(owner["firstName"], "Rita");
    assert_eq!(owner["lastName"], "Owner");
    assert_eq!(owner["userId"], rep);
    assert_eq!(owner["archived"], false);
    assert_eq!(owner["teams"][0]["name"], "Sales", "{owner}");
    assert_eq!(owner["teams"][0]["primary"], true, "{owner}");
    let (_, body) = app
        .get(&a.token, "/crm/v3/owners?email=nobody@acme.test")
        .await;
    assert_eq!(body["results"], Value::Array(vec![]), "{body}");

    let mut seen = Vec::new();
    let mut path = "/crm/v3/owners?limit=1".to_owned();
    for _ in 0..4 {
        let (status, page) = app.get(&a.token, &path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(ids(&page).len(), 1, "{page}");
        seen.extend(ids(&page));
        match page["paging"]["next"]["after"].as_str() {
            Some(after) => path = format!("/crm/v3/owners?limit=1&after={after}"),
            None => break,
        }
    }
    let admin_id = body_owner_id(&app, &a, &a.admin_email).await;
    assert_eq!(seen, [admin_id, rep.to_string(), other.to_string()]);
    let (status, body) = app.get(&a.token, "/crm/v3/owners/?limit=501").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

async fn body_owner_id(app: &TestApp, a: &TestAccount, email: &str) -> String {
    let (_, body) = app
        .get(&a.token, &format!("/crm/v3/owners?email={email}"))
        .await;
    ids(&body).pop().expect("owner")
}

#[tokio::test]
async fn an_owner_is_read_by_id() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let rep = add_user(&app, &a, "rep@acme.test", "Rita").await;
    let (status, body) = app.get(&a.token, &format!("/crm/v3/owners/{rep}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], rep.to_string());
    assert_eq!(body["email"], "rep@acme.test");
    assert_eq!(body["type"], "PERSON");
    for missing in ["999999", "rita"] {
        let (status, body) = app
            .get(&a.token, &format!("/crm/v3/owners/{missing}"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}: {body}");
        assert_error(&body, "OBJECT_NOT_FOUND");
    }
}

#[tokio::test]
async fn deal_and_ticket_pipelines_have_their_stages() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let (status, body) = app.get(&a.token, "/crm/v3/pipelines/deals").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let pipelines = body["results"].as_array().unwrap();
    assert_eq!(pipelines.len(), 1, "{body}");
    assert_eq!(pipelines[0]["id"], "default");
    assert_eq!(pipelines[0]["label"], "Sales Pipeline");
    let stages: Vec<&str> = pipelines[0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(
        stages,
        [
            "appointmentscheduled",
            "qualifiedtobuy",
            "presentationscheduled",
            "decisionmakerboughtin",
            "contractsent",
            "closedwon",
            "closedlost"
        ]
    );
    let won = &pipelines[0]["stages"][5];
    assert_eq!(won["metadata"]["isClosed"], "true", "{won}");
    assert_eq!(won["metadata"]["probability"], "1.0", "{won}");
    assert_eq!(won["displayOrder"], 5);

    let (status, body) = app.get(&a.token, "/crm/v3/pipelines/tickets").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["results"][0]["id"], "0");
    let stages: Vec<&str> = body["results"][0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["label"].as_str())
        .collect();
    assert_eq!(
        stages,
        ["New", "Waiting on contact", "Waiting on us", "Closed"]
    );
    assert_eq!(
        body["results"][0]["stages"][3]["metadata"]["ticketState"],
        "CLOSED"
    );

    let (status, body) = app.get(&a.token, "/crm/v3/pipelines/deals/default").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], "default");
    assert_eq!(body["stages"].as_array().unwrap().len(), 7);
    let (status, body) = app
        .get(&a.token, "/crm/v3/pipelines/tickets/0/stages")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["results"].as_array().unwrap().len(), 4);

    let (status, body) = app.get(&a.token, "/crm/v3/pipelines/deals/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_error(&body, "OBJECT_NOT_FOUND");
    let (status, body) = app.get(&a.token, "/crm/v3/pipelines/tickets/default").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "deal pipelines are not ticket pipelines: {body}"
    );
}

#[tokio::test]
async fn only_deals_and_tickets_have_pipelines() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    for path in [
        "/crm/v3/pipelines/contacts",
        "/crm/v3/pipelines/companies/default",
        "/crm/v3/pipelines/widgets",
    ] {
        let (status, body) = app.get(&a.token, path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_error(&body, "VALIDATION_ERROR");
    }
}
