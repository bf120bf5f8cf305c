//! A record's history on its page: created, each property changed (with
//! the labels people read), archived; who did it and from where (in the
//! hub, through the API), for every type.

use hubbub_store::{Happened, NewUser};
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::TestApp;
use crate::web_client::{Page, WebClient};

const PASSWORD: &str = "correct horse battery";

/// The page's history lines, newest first, each as "text by · where".
fn history(page: &Page) -> Vec<String> {
    page.texts("timeline-activity")
        .into_iter()
        .map(|line| line.trim_start_matches("activity ").to_owned())
        .collect()
}

#[tokio::test]
async fn a_deals_history_shows_who_changed_what_from_where() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let bo = app
        .add_user(
            account.id,
            NewUser {
                email: "bo@acme.test".into(),
                password: PASSWORD.into(),
                first_name: "Bo".into(),
                last_name: "Rep".into(),
                ..NewUser::default()
            },
        )
        .await
        .unwrap();
    let deal = app
        .create_id(
            &account.token,
            "deals",
            json!({"dealname": "Big renewal", "pipeline": "default", "dealstage": "qualifiedtobuy"}),
        )
        .await;
    let mut web = WebClient::admin(&app, &account).await;
    let page = format!("/deals/{deal}");

    let created = history(&web.get(&page).await);
    assert_eq!(created.len(), 1, "{created:?}");
    assert!(
        created[0].starts_with("An API client") && created[0].contains("through the API"),
        "{created:?}"
    );
    assert!(created[0].contains("Created the deal"), "{created:?}");

    // Moved on the board: there at once, with the stages' labels.
    web.submit(
        "/deals/board",
        &format!("/deals/{deal}/stage"),
        &[("dealstage", "contractsent")],
    )
    .await;
    let lines = history(&web.get(&page).await);
    assert!(lines[0].starts_with("Ada Admin"), "{lines:?}");
    assert!(lines[0].contains("in the hub"), "{lines:?}");
    assert!(
        lines[0].contains("Deal stage: Qualified To Buy → Contract Sent"),
        "{lines:?}"
    );

    // An owner and an amount through the API: a line each.
    let (status, body) = app
        .patch(
            &account.token,
            &format!("/crm/v3/objects/deals/{deal}"),
            json!({"properties": {"hubspot_owner_id": bo.id.to_string(), "amount": "1200"}}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let lines = history(&web.get(&page).await);
    assert_eq!(lines.len(), 4, "{lines:?}");
    let changes: Vec<&String> = lines[..2].iter().collect();
    assert!(
        changes.iter().any(|l| l.contains("Amount: — → 1,200")),
        "{lines:?}"
    );
    assert!(
        changes.iter().any(|l| l.contains("Deal owner: — → Bo Rep")),
        "{lines:?}"
    );
    assert!(
        changes.iter().all(|l| l.contains("through the API")),
        "{lines:?}"
    );

    // Saving the same values again changes nothing, and adds no line.
    app.patch(
        &account.token,
        &format!("/crm/v3/objects/deals/{deal}"),
        json!({"properties": {"amount": "1200"}}),
    )
    .await;
    assert_eq!(history(&web.get(&page).await).len(), 4);

    let archived = web
        .submit(&page, &format!("/deals/{deal}/archive"), &[])
        .await;
    assert_eq!(archived.status, StatusCode::OK);
    let kept = app
        .store
        .record_activity(account.id, deal.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(kept[0].happened, Happened::Archived);
    assert_eq!(kept[0].via, "hub");
}

#[tokio::test]
async fn every_type_keeps_its_history() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let mut web = WebClient::admin(&app, &account).await;
    for (path, properties, change, told) in [
        (
            "contacts",
            json!({"email": "grace@navy.test"}),
            json!({"firstname": "Grace"}),
            "First name: — → Grace",
        ),
        (
            "companies",
            json!({"name": "Globex"}),
            json!({"name": "Globex Corp"}),
            "Company name: Globex → Globex Corp",
        ),
        (
            "tickets",
            json!({"subject": "Printer", "hs_pipeline": "0", "hs_pipeline_stage": "1"}),
            json!({"hs_pipeline_stage": "2"}),
            "Ticket status: New → Waiting on contact",
        ),
        (
            "tasks",
            json!({"hs_task_subject": "Call", "hs_timestamp": "2030-01-01T00:00:00Z"}),
            json!({"hs_task_status": "COMPLETED"}),
            "→ Completed",
        ),
    ] {
        let id = app.create_id(&account.token, path, properties).await;
        let (status, body) = app
            .patch(
                &account.token,
                &format!("/crm/v3/objects/{path}/{id}"),
                json!({ "properties": change }),
            )
            .await;
        assert!(status.is_success(), "{path}: {body}");
        let lines = history(&web.get(&format!("/{path}/{id}")).await);
        assert_eq!(lines.len(), 2, "{path}: {lines:?}");
        assert!(lines[0].contains(told), "{path}: {lines:?}");
        assert!(lines[1].contains("Created the"), "{path}: {lines:?}");
    }
}
