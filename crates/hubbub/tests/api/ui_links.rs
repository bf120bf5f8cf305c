//! Linking a record to existing ones from its page, and unlinking: found
//! as one types, linked with the default association (what the v4 API
//! reads back), refused to those who may not change records.

use reqwest::StatusCode;
use serde_json::json;

use crate::associations::associated;
use crate::harness::{TestAccount, TestApp};
use crate::web_client::WebClient;

/// The companies the v4 API says the contact is linked to.
async fn companies_of(
    app: &TestApp,
    account: &TestAccount,
    contact: &str,
) -> Vec<(String, Vec<i64>)> {
    associated(app, account, "contacts", contact, "companies").await
}

#[tokio::test]
async fn a_company_found_by_its_name_is_linked_and_unlinked_from_the_contacts_page() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let grace = app
        .create_id(
            &account.token,
            "contacts",
            json!({"email": "grace@navy.test", "firstname": "Grace"}),
        )
        .await;
    let globex = app
        .create_id(
            &account.token,
            "companies",
            json!({"name": "Globex", "domain": "globex.test"}),
        )
        .await;
    app.create_id(&account.token, "companies", json!({"name": "Initech"}))
        .await;
    let mut web = WebClient::admin(&app, &account).await;
    let contact_page = format!("/contacts/{grace}");

    let page = web.get(&contact_page).await;
    assert!(page.contains(&format!(r#"action="/contacts/{grace}/link/companies""#)));
    let found = web
        .get(&format!("/contacts/{grace}/link/companies?query=glob"))
        .await;
    found.assert_ok();
    assert!(found.contains("Link companies to Grace"), "{}", found.html);
    assert!(found.contains(&format!(r#"data-testid="link-{globex}""#)));
    assert!(!found.contains("Initech"));

    let linked = web
        .submit(
            &format!("/contacts/{grace}/link/companies?query=glob"),
            &format!("/contacts/{grace}/link/companies"),
            &[("to", &globex)],
        )
        .await;
    assert_eq!(linked.path, contact_page);
    assert!(linked.contains("Company linked"), "{}", linked.html);
    assert!(linked.texts("associated-companies")[0].contains("Globex"));
    assert!(linked.contains(&format!(r#"data-testid="unlink-{globex}""#)));
    // Both ends, with the default association as the v4 API gives it.
    let api = companies_of(&app, &account, &grace).await;
    assert_eq!(api.len(), 1, "{api:?}");
    assert_eq!(api[0].0, globex);
    assert_eq!(api[0].1, [279], "{api:?}");
    let company = web.get(&format!("/companies/{globex}")).await;
    assert!(company.texts("associated-contacts")[0].contains("Grace"));

    // Found again, it is marked as linked instead of offered.
    let again = web
        .get(&format!("/contacts/{grace}/link/companies?query=globex"))
        .await;
    assert!(!again.contains(&format!(r#"data-testid="link-{globex}""#)));
    assert!(again.texts(&format!("candidate-{globex}"))[0].contains("Linked"));

    let unlinked = web
        .submit(
            &contact_page,
            &format!("/contacts/{grace}/unlink/companies/{globex}"),
            &[],
        )
        .await;
    assert_eq!(unlinked.path, contact_page);
    assert!(unlinked.contains("Company unlinked"));
    assert!(unlinked.texts("associated-companies")[0].contains("None yet."));
    assert!(companies_of(&app, &account, &grace).await.is_empty());
}

#[tokio::test]
async fn nothing_is_linked_across_accounts_to_unknown_types_or_by_a_view_only_seat() {
    let app = TestApp::spawn().await;
    let account = app.account("Acme").await;
    let other = app.account("Globex Inc").await;
    let grace = app
        .create_id(
            &account.token,
            "contacts",
            json!({"email": "grace@navy.test"}),
        )
        .await;
    let theirs = app
        .create_id(&other.token, "companies", json!({"name": "Theirs"}))
        .await;
    let mut web = WebClient::admin(&app, &account).await;
    let page = format!("/contacts/{grace}");

    let refused = web
        .submit(
            &page,
            &format!("/contacts/{grace}/link/companies"),
            &[("to", &theirs)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.html);
    assert!(companies_of(&app, &account, &grace).await.is_empty());
    let found = web
        .get(&format!("/contacts/{grace}/link/companies?query=theirs"))
        .await;
    assert!(!found.contains("Theirs"));
    assert_eq!(
        web.get(&format!("/contacts/{grace}/link/notes"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let company = app
        .create_id(&account.token, "companies", json!({"name": "Mine"}))
        .await;
    let mut seat = WebClient::view_only(&app, &account, "viewer@acme.test").await;
    let seen = seat.get(&page).await;
    assert!(!seen.contains("/link/companies"), "{}", seen.html);
    let refused = seat
        .submit(
            &page,
            &format!("/contacts/{grace}/link/companies"),
            &[("to", &company)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
    assert!(companies_of(&app, &account, &grace).await.is_empty());
}
