//! `/crm/v3/objects/{type}`: create, read, update, archive, list and the
//! batch endpoints, for every object type.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::TestApp;
use crate::support::{assert_error, assert_names_property, clock_past, id_of, ids, millis, sorted};

#[tokio::test]
async fn contact_lifecycle_keeps_system_properties() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;

    let created = app
        .create(
            &a.token,
            "contacts",
            json!({"email": "Ada@Example.COM", "firstname": "Ada", "lastname": "Lovelace"}),
        )
        .await;
    let id = id_of(&created);
    let props = &created["properties"];
    assert_eq!(
        props["email"], "ada@example.com",
        "emails are stored lower-cased"
    );
    assert_eq!(props["firstname"], "Ada");
    assert_eq!(props["hs_object_id"], id.as_str());
    assert_eq!(props["createdate"], props["lastmodifieddate"]);
    assert_eq!(created["archived"], false);
    assert_eq!(created["createdAt"], props["createdate"]);

    let (status, read) = app
        .get(&a.token, &format!("/crm/v3/objects/contacts/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["id"], id.as_str());
    assert_eq!(read["properties"]["lastname"], "Lovelace");
    assert_eq!(read["properties"]["createdate"], props["createdate"]);

    clock_past(&props["lastmodifieddate"]).await;
    let (status, updated) = app
        .patch(
            &a.token,
            &format!("/crm/v3/objects/contacts/{id}"),
            json!({"properties": {"firstname": "Augusta", "jobtitle": "Analyst"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["properties"]["firstname"], "Augusta");
    assert_eq!(updated["properties"]["jobtitle"], "Analyst");
    assert_eq!(
        updated["properties"]["createdate"], props["createdate"],
        "createdate never moves"
    );
    assert!(
        millis(&updated["properties"]["lastmodifieddate"]) > millis(&props["lastmodifieddate"]),
        "lastmodifieddate moves on update: {updated}"
    );

    let (_, read) = app
        .get(
            &a.token,
            &format!("/crm/v3/objects/contacts/{id}?properties=firstname,jobtitle,lastname"),
        )
        .await;
    assert_eq!(read["properties"]["firstname"], "Augusta");
    assert_eq!(read["properties"]["jobtitle"], "Analyst");
    assert_eq!(
        read["properties"]["lastname"], "Lovelace",
        "untouched properties stay"
    );
    assert_eq!(
        read["properties"]["lastmodifieddate"],
        updated["properties"]["lastmodifieddate"]
    );

    let (status, body) = app
        .delete(&a.token, &format!("/crm/v3/objects/contacts/{id}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = app
        .get(&a.token, &format!("/crm/v3/objects/contacts/{id}"))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "archived records are gone: {body}"
    );
    assert_error(&body, "OBJECT_NOT_FOUND");
    let (status, body) = app
        .patch(
            &a.token,
            &format!("/crm/v3/objects/contacts/{id}"),
            json!({"properties": {"firstname": "Ghost"}}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "archived records cannot be updated: {body}"
    );
    let (status, body) = app
        .get(
            &a.token,
            &format!("/crm/v3/objects/contacts/{id}?archived=true"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["archived"], true);
    assert!(body["archivedAt"].is_string(), "{body}");
}

#[tokio::test]
async fn every_object_type_creates_reads_updates_and_archives() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let cases = [
        (
            "deals",
            json!({"dealname": "Big one", "amount": "1500.50"}),
            ("amount", "2000"),
        ),
        (
            "tasks",
            json!({"hs_timestamp": "2024-05-01T12:00:00Z", "hs_task_subject": "Call Ada"}),
            ("hs_task_status", "COMPLETED"),
        ),
        (
            "notes",
            json!({"hs_timestamp": "1714564800000", "hs_note_body": "Met at the fair"}),
            ("hs_note_body", "Met at the fair, twice"),
        ),
        (
            "companies",
            json!({"name": "Initech", "domain": "initech.test"}),
            ("industry", "Software"),
        ),
        (
            "tickets",
            json!({"subject": "Printer on fire", "content": "Again"}),
            ("hs_ticket_priority", "HIGH"),
        ),
    ];
    for (object_type, properties, (name, value)) in cases {
        let created = app.create(&a.token, object_type, properties.clone()).await;
        let id = id_of(&created);
        let props = &created["properties"];
        assert_eq!(
            props["hs_object_id"],
            id.as_str(),
            "{object_type}: {created}"
        );
        assert!(props["createdate"].is_string(), "{object_type}: {created}");
        assert!(
            props["hs_lastmodifieddate"].is_string(),
            "{object_type}: {created}"
        );
        for (k, v) in properties.as_object().unwrap() {
            if k != "hs_timestamp" {
                assert_eq!(&props[k], v, "{object_type}.{k}: {created}");
            }
        }

        clock_past(&props["hs_lastmodifieddate"]).await;
        let path = format!("/crm/v3/objects/{object_type}/{id}");
        let (status, updated) = app
            .patch(&a.token, &path, json!({"properties": {name: value}}))
            .await;
        assert_eq!(status, StatusCode::OK, "{object_type}: {updated}");
        assert_eq!(
            updated["properties"][name], value,
            "{object_type}: {updated}"
        );
        assert!(
            millis(&updated["properties"]["hs_lastmodifieddate"])
                > millis(&props["hs_lastmodifieddate"]),
            "{object_type}: hs_lastmodifieddate moves: {updated}"
        );

        let (status, read) = app
            .get(&a.token, &format!("{path}?properties={name}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{object_type}: {read}");
        assert_eq!(read["properties"][name], value, "{object_type}: {read}");

        let (status, _) = app.delete(&a.token, &path).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{object_type}");
        let (status, _) = app.get(&a.token, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{object_type} archived");
        let (status, _) = app.delete(&a.token, &path).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{object_type} archived twice"
        );
    }
}

#[tokio::test]
async fn numbers_can_be_set_after_text_values() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    // Statements are prepared per database connection: write text-only
    // values often enough that every pooled connection has seen them.
    let mut companies = Vec::new();
    for i in 0..20 {
        companies.push(
            app.create_id(
                &a.token,
                "companies",
                json!({"name": format!("Company {i}")}),
            )
            .await,
        );
    }
    for (i, id) in companies.iter().enumerate() {
        let (status, body) = app
            .patch(
                &a.token,
                &format!("/crm/v3/objects/companies/{id}"),
                json!({"properties": {"numberofemployees": i + 1}}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let found = app
        .filter_ids(
            &a.token,
            "companies",
            json!({"propertyName": "numberofemployees", "operator": "GT", "value": "19"}),
        )
        .await;
    assert_eq!(found, vec![companies[19].clone()]);
}

#[tokio::test]
async fn tasks_and_notes_need_hs_timestamp() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    for (object_type, properties) in [
        ("tasks", json!({"hs_task_subject": "Call Ada"})),
        ("notes", json!({"hs_note_body": "Met at the fair"})),
    ] {
        let (status, body) = app
            .post(
                &a.token,
                &format!("/crm/v3/objects/{object_type}"),
                json!({"properties": properties}),
            )
            .await;
        assert_names_property(status, &body, "hs_timestamp");
        assert_eq!(
            app.count(&a.token, object_type).await,
            0,
            "no {object_type} created"
        );
    }
    let task = app
        .create(
            &a.token,
            "tasks",
            json!({"hs_timestamp": "2024-05-01", "hs_task_subject": "Call Ada"}),
        )
        .await;
    assert_eq!(
        task["properties"]["hs_timestamp"], "2024-05-01T00:00:00.000Z",
        "{task}"
    );
}

#[tokio::test]
async fn invalid_values_are_refused_naming_the_property() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let cases = [
        (
            "deals",
            json!({"dealname": "X", "amount": "lots"}),
            "amount",
        ),
        (
            "deals",
            json!({"dealname": "X", "closedate": "next tuesday"}),
            "closedate",
        ),
        ("contacts", json!({"email": "not-an-email"}), "email"),
        (
            "contacts",
            json!({"lifecyclestage": "Lead"}),
            "lifecyclestage",
        ),
        ("contacts", json!({"hs_object_id": "5"}), "hs_object_id"),
        (
            "contacts",
            json!({"firstname": {"nested": true}}),
            "firstname",
        ),
    ];
    for (object_type, properties, property) in cases {
        let (status, body) = app
            .post(
                &a.token,
                &format!("/crm/v3/objects/{object_type}"),
                json!({"properties": properties}),
            )
            .await;
        assert_names_property(status, &body, property);
    }
    assert_eq!(app.count(&a.token, "deals").await, 0);
    assert_eq!(app.count(&a.token, "contacts").await, 0);

    let id = app
        .create_contact(&a.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    let (status, body) = app
        .patch(
            &a.token,
            &format!("/crm/v3/objects/contacts/{id}"),
            json!({"properties": {"firstname": "Augusta", "lifecyclestage": "nope"}}),
        )
        .await;
    assert_names_property(status, &body, "lifecyclestage");
    let (_, read) = app
        .get(&a.token, &format!("/crm/v3/objects/contacts/{id}"))
        .await;
    assert_eq!(
        read["properties"]["firstname"], "Ada",
        "a refused update changes nothing"
    );
}

#[tokio::test]
async fn an_empty_value_clears_a_property() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let id = app
        .create_contact(&a.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    let (status, body) = app
        .patch(
            &a.token,
            &format!("/crm/v3/objects/contacts/{id}"),
            json!({"properties": {"lastname": ""}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, read) = app
        .get(&a.token, &format!("/crm/v3/objects/contacts/{id}"))
        .await;
    assert_eq!(read["properties"]["lastname"], Value::Null, "{read}");
    assert_eq!(read["properties"]["firstname"], "Ada");
}

#[tokio::test]
async fn list_pages_show_every_record_exactly_once() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let inputs: Vec<Value> = (0..23)
        .map(|i| json!({"properties": {"email": format!("p{i}@example.com"), "firstname": format!("P{i}")}}))
        .collect();
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/contacts/batch/create",
            json!({"inputs": inputs}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let created = ids(&body);
    assert_eq!(created.len(), 23);

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &after {
            None => "/crm/v3/objects/contacts?limit=7".to_owned(),
            Some(a) => format!("/crm/v3/objects/contacts?limit=7&after={a}"),
        };
        let (status, page) = app.get(&a.token, &path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let page_ids = ids(&page);
        assert!(page_ids.len() <= 7, "{page}");
        seen.extend(page_ids);
        pages += 1;
        assert!(pages <= 4, "paging ends");
        match page["paging"]["next"]["after"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 4);
    assert_eq!(
        seen.iter().collect::<HashSet<_>>().len(),
        seen.len(),
        "no record twice: {seen:?}"
    );
    assert_eq!(sorted(seen), sorted(created));

    let (status, page) = app.get(&a.token, "/crm/v3/objects/contacts").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&page).len(), 10, "default limit is 10");
    for bad in [
        "limit=0",
        "limit=101",
        "limit=ten",
        "after=abc",
        "archived=maybe",
    ] {
        let (status, body) = app
            .get(&a.token, &format!("/crm/v3/objects/contacts?{bad}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_error(&body, "VALIDATION_ERROR");
    }
}

#[tokio::test]
async fn reads_return_the_properties_asked_for() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let id = app
        .create_id(&a.token, "contacts", json!({"email": "ada@example.com", "firstname": "Ada", "lastname": "Lovelace", "city": "London", "jobtitle": "Analyst"}))
        .await;

    let (_, default) = app
        .get(&a.token, &format!("/crm/v3/objects/contacts/{id}"))
        .await;
    let props = default["properties"].as_object().unwrap();
    for name in [
        "email",
        "firstname",
        "lastname",
        "hs_object_id",
        "createdate",
        "lastmodifieddate",
    ] {
        assert!(props.contains_key(name), "default shows {name}: {default}");
    }
    assert!(!props.contains_key("city"), "{default}");

    for query in [
        "properties=city&properties=jobtitle",
        "properties=city,jobtitle",
        "properties=city,%20jobtitle,shoe_size",
    ] {
        for path in [
            format!("/crm/v3/objects/contacts/{id}?{query}"),
            format!("/crm/v3/objects/contacts?{query}"),
        ] {
            let (status, body) = app.get(&a.token, &path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            let record = if body["results"].is_array() {
                &body["results"][0]
            } else {
                &body
            };
            let props = record["properties"].as_object().unwrap();
            assert_eq!(props["city"], "London", "{path}: {body}");
            assert_eq!(props["jobtitle"], "Analyst", "{path}: {body}");
            assert!(
                !props.contains_key("firstname"),
                "{path}: only what was asked: {body}"
            );
            assert!(
                !props.contains_key("shoe_size"),
                "{path}: unknown names are left out: {body}"
            );
            assert_eq!(props["hs_object_id"], id.as_str());
        }
    }
}

#[tokio::test]
async fn archived_true_lists_only_archived_records() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let keep = app
        .create_contact(&a.token, "keep@example.com", "Keep", "Me")
        .await;
    let gone = app
        .create_contact(&a.token, "gone@example.com", "Gone", "Soon")
        .await;
    let (status, _) = app
        .delete(&a.token, &format!("/crm/v3/objects/contacts/{gone}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let (_, live) = app.get(&a.token, "/crm/v3/objects/contacts").await;
    assert_eq!(ids(&live), [keep]);
    let (status, archived) = app
        .get(&a.token, "/crm/v3/objects/contacts?archived=true")
        .await;
    assert_eq!(status, StatusCode::OK, "{archived}");
    assert_eq!(ids(&archived), [gone]);
    assert_eq!(archived["results"][0]["archived"], true);
}

#[tokio::test]
async fn contacts_are_read_and_updated_by_email() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let id = app
        .create_contact(&a.token, "Ada@Example.com", "Ada", "Lovelace")
        .await;

    for email in ["ada@example.com", "ADA@EXAMPLE.COM", "Ada%40Example.com"] {
        let (status, body) = app
            .get(
                &a.token,
                &format!("/crm/v3/objects/contacts/{email}?idProperty=email"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{email}: {body}");
        assert_eq!(body["id"], id.as_str());
    }
    let (status, body) = app
        .patch(
            &a.token,
            "/crm/v3/objects/contacts/ADA@example.COM?idProperty=email",
            json!({"properties": {"firstname": "Augusta"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], id.as_str());
    let (_, read) = app
        .get(&a.token, &format!("/crm/v3/objects/contacts/{id}"))
        .await;
    assert_eq!(read["properties"]["firstname"], "Augusta");

    let (status, body) = app
        .get(
            &a.token,
            "/crm/v3/objects/contacts/nobody@example.com?idProperty=email",
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_error(&body, "OBJECT_NOT_FOUND");
    let (status, body) = app
        .get(
            &a.token,
            "/crm/v3/objects/contacts/ada@example.com?idProperty=firstname",
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "only unique properties identify records: {body}"
    );

    // After the email changes, the old one no longer finds the contact.
    let (status, _) = app
        .patch(
            &a.token,
            &format!("/crm/v3/objects/contacts/{id}"),
            json!({"properties": {"email": "augusta@example.com"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .get(
            &a.token,
            "/crm/v3/objects/contacts/ada@example.com?idProperty=email",
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .get(
            &a.token,
            "/crm/v3/objects/contacts/Augusta@example.com?idProperty=email",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], id.as_str());
}

#[tokio::test]
async fn custom_properties_can_be_defined_set_and_searched() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let (status, body) = app
        .post(&a.token, "/crm/v3/properties/contacts", json!({"name": "favourite_colour", "label": "Favourite colour", "type": "string", "fieldType": "text", "groupName": "contactinformation"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["name"], "favourite_colour");
    assert_eq!(body["hubspotDefined"], false);
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/properties/contacts",
            json!({"name": "shoe_size", "label": "Shoe size", "type": "number"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let (status, body) = app
        .get(&a.token, "/crm/v3/properties/contacts/favourite_colour")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["type"], "string");
    let (_, all) = app.get(&a.token, "/crm/v3/properties/contacts").await;
    let names: Vec<&str> = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert!(
        names.contains(&"favourite_colour") && names.contains(&"email"),
        "{names:?}"
    );

    let ada = app
        .create_id(
            &a.token,
            "contacts",
            json!({"email": "ada@example.com", "favourite_colour": "Sea Green", "shoe_size": 38}),
        )
        .await;
    let bob = app
        .create_id(
            &a.token,
            "contacts",
            json!({"email": "bob@example.com", "favourite_colour": "red", "shoe_size": "44.5"}),
        )
        .await;
    let (_, read) = app
        .get(
            &a.token,
            &format!("/crm/v3/objects/contacts/{ada}?properties=favourite_colour,shoe_size"),
        )
        .await;
    assert_eq!(read["properties"]["favourite_colour"], "Sea Green");
    assert_eq!(read["properties"]["shoe_size"], "38");

    let found = app
        .filter_ids(
            &a.token,
            "contacts",
            json!({"propertyName": "favourite_colour", "operator": "EQ", "value": "sea green"}),
        )
        .await;
    assert_eq!(found, vec![ada.clone()]);
    let found = app
        .filter_ids(&a.token, "contacts", json!({"propertyName": "favourite_colour", "operator": "CONTAINS_TOKEN", "value": "green"}))
        .await;
    assert_eq!(found, vec![ada.clone()]);
    let found = app
        .filter_ids(
            &a.token,
            "contacts",
            json!({"propertyName": "shoe_size", "operator": "GT", "value": "40"}),
        )
        .await;
    assert_eq!(
        found,
        vec![bob.clone()],
        "custom numbers compare as numbers"
    );

    let (status, _) = app
        .patch(
            &a.token,
            &format!("/crm/v3/objects/contacts/{bob}"),
            json!({"properties": {"favourite_colour": "sea blue"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let found = app
        .filter_ids(&a.token, "contacts", json!({"propertyName": "favourite_colour", "operator": "CONTAINS_TOKEN", "value": "sea"}))
        .await;
    assert_eq!(sorted(found), sorted(vec![ada, bob]));

    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/contacts",
            json!({"properties": {"shoe_size": "big"}}),
        )
        .await;
    assert_names_property(status, &body, "shoe_size");
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/properties/contacts",
            json!({"name": "favourite_colour", "label": "Again", "type": "string"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "names are unique per type: {body}"
    );
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/properties/contacts",
            json!({"name": "Bad Name", "label": "Bad", "type": "string"}),
        )
        .await;
    assert_names_property(status, &body, "name");
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/properties/contacts",
            json!({"name": "email", "label": "Email again", "type": "string"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "built-in names are taken: {body}"
    );
}

#[tokio::test]
async fn deals_and_tickets_start_in_their_default_pipeline() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let deal = app
        .create(&a.token, "deals", json!({"dealname": "Big one"}))
        .await;
    assert_eq!(deal["properties"]["pipeline"], "default", "{deal}");
    assert_eq!(
        deal["properties"]["dealstage"], "appointmentscheduled",
        "{deal}"
    );
    let ticket = app
        .create(&a.token, "tickets", json!({"subject": "Help"}))
        .await;
    assert_eq!(ticket["properties"]["hs_pipeline"], "0", "{ticket}");
    assert_eq!(ticket["properties"]["hs_pipeline_stage"], "1", "{ticket}");

    let won = app
        .create(
            &a.token,
            "deals",
            json!({"dealname": "Won", "dealstage": "closedwon"}),
        )
        .await;
    assert_eq!(won["properties"]["pipeline"], "default");
    assert_eq!(won["properties"]["dealstage"], "closedwon");
}

#[tokio::test]
async fn a_dealstage_outside_the_pipeline_is_refused() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/deals",
            json!({"properties": {"dealname": "X", "dealstage": "nope"}}),
        )
        .await;
    assert_names_property(status, &body, "dealstage");
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/deals",
            json!({"properties": {"dealname": "X", "pipeline": "nope"}}),
        )
        .await;
    assert_names_property(status, &body, "pipeline");
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/tickets",
            json!({"properties": {"subject": "X", "hs_pipeline_stage": "closedwon"}}),
        )
        .await;
    assert_names_property(status, &body, "hs_pipeline_stage");
    assert_eq!(app.count(&a.token, "deals").await, 0);
    assert_eq!(app.count(&a.token, "tickets").await, 0);

    let id = app
        .create_id(&a.token, "deals", json!({"dealname": "Big one"}))
        .await;
    let path = format!("/crm/v3/objects/deals/{id}");
    let (status, body) = app
        .patch(
            &a.token,
            &path,
            json!({"properties": {"dealstage": "nope", "amount": "5"}}),
        )
        .await;
    assert_names_property(status, &body, "dealstage");
    let (status, body) = app
        .patch(
            &a.token,
            &path,
            json!({"properties": {"dealstage": "closedwon"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, read) = app.get(&a.token, &path).await;
    assert_eq!(read["properties"]["dealstage"], "closedwon");
    assert_eq!(
        read["properties"]["amount"],
        Value::Null,
        "the refused update changed nothing"
    );

    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/deals/batch/update",
            json!({"inputs": [{"id": id, "properties": {"dealstage": "nope"}}]}),
        )
        .await;
    assert_names_property(status, &body, "dealstage");
}

#[tokio::test]
async fn batch_create_read_update_archive() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/companies/batch/create",
            json!({"inputs": [
                {"properties": {"name": "Initech", "domain": "initech.test"}},
                {"properties": {"name": "Globex", "domain": "globex.test"}},
                {"properties": {"name": "Umbrella"}}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "COMPLETE");
    let created = ids(&body);
    assert_eq!(created.len(), 3);
    let names: Vec<&Value> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["properties"]["name"])
        .collect();
    assert_eq!(
        names,
        [&json!("Initech"), &json!("Globex"), &json!("Umbrella")],
        "results in input order"
    );

    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/companies/batch/read",
            json!({"inputs": [{"id": created[2]}, {"id": created[0]}], "properties": ["name", "domain"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        sorted(ids(&body)),
        sorted(vec![created[0].clone(), created[2].clone()])
    );
    assert!(body.get("errors").is_none(), "{body}");

    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/companies/batch/update",
            json!({"inputs": [
                {"id": created[0], "properties": {"industry": "Software"}},
                {"id": created[1], "properties": {"industry": "Energy", "name": "Globex Corp"}}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["results"][1]["properties"]["name"], "Globex Corp",
        "{body}"
    );
    let (_, read) = app
        .get(
            &a.token,
            &format!(
                "/crm/v3/objects/companies/{}?properties=industry,name",
                created[1]
            ),
        )
        .await;
    assert_eq!(read["properties"]["industry"], "Energy");
    assert_eq!(read["properties"]["name"], "Globex Corp");

    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/companies/batch/archive",
            json!({"inputs": [{"id": created[0]}, {"id": created[1]}]}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, list) = app.get(&a.token, "/crm/v3/objects/companies").await;
    assert_eq!(ids(&list), vec![created[2].clone()]);
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/companies/batch/read",
            json!({"inputs": [{"id": created[0]}], "archived": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body), vec![created[0].clone()]);
}

#[tokio::test]
async fn batch_read_reports_missing_ids_with_207() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let id = app
        .create_contact(&a.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/contacts/batch/read",
            json!({"inputs": [{"id": id}, {"id": "999999"}, {"id": "not-a-number"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::MULTI_STATUS, "{body}");
    assert_eq!(ids(&body), vec![id.clone()]);
    assert_eq!(body["numErrors"], 1, "{body}");
    let error = &body["errors"][0];
    assert_eq!(error["category"], "OBJECT_NOT_FOUND", "{body}");
    let missing: HashSet<&str> = error["context"]["ids"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(missing, HashSet::from(["999999", "not-a-number"]), "{body}");

    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/contacts/batch/read",
            json!({"inputs": [{"id": "ADA@example.com"}], "idProperty": "email", "properties": ["firstname"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body), vec![id.clone()]);
    assert_eq!(body["results"][0]["properties"]["firstname"], "Ada");
}

#[tokio::test]
async fn batch_read_of_a_repeated_id_finds_it() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let id = app
        .create_contact(&a.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/contacts/batch/read",
            json!({"inputs": [{"id": id}, {"id": id}]}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "an existing id is never reported missing: {body}"
    );
    assert!(
        ids(&body).iter().all(|i| *i == id) && !ids(&body).is_empty(),
        "{body}"
    );
}

#[tokio::test]
async fn batches_take_one_to_one_hundred_inputs() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let id = app
        .create_contact(&a.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    let too_many =
        |make: &dyn Fn(usize) -> Value| json!({"inputs": (0..101).map(make).collect::<Vec<_>>()});
    let cases = [
        ("read", too_many(&|_| json!({"id": id}))),
        ("archive", too_many(&|_| json!({"id": id}))),
        (
            "update",
            too_many(&|_| json!({"id": id, "properties": {"firstname": "X"}})),
        ),
        (
            "create",
            too_many(&|i| json!({"properties": {"email": format!("c{i}@example.com")}})),
        ),
        ("create", json!({"inputs": []})),
    ];
    for (op, body) in cases {
        let (status, answer) = app
            .post(
                &a.token,
                &format!("/crm/v3/objects/contacts/batch/{op}"),
                body,
            )
            .await;
        assert_names_property(status, &answer, "inputs");
    }
    assert_eq!(
        app.count(&a.token, "contacts").await,
        1,
        "nothing created or archived"
    );
    let (_, read) = app
        .get(&a.token, &format!("/crm/v3/objects/contacts/{id}"))
        .await;
    assert_eq!(read["properties"]["firstname"], "Ada", "nothing updated");

    let hundred: Vec<Value> = (0..100)
        .map(|i| json!({"properties": {"email": format!("c{i}@example.com")}}))
        .collect();
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/contacts/batch/create",
            json!({"inputs": hundred}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "100 is allowed: {body}");
    assert_eq!(app.count(&a.token, "contacts").await, 101);
}

#[tokio::test]
async fn a_batch_with_one_bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let ada = app
        .create_contact(&a.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    let bob = app
        .create_contact(&a.token, "bob@example.com", "Bob", "Babbage")
        .await;

    // Create: a bad value, an unknown property, an email taken already.
    for bad in [
        json!({"properties": {"email": "bad", "firstname": "X"}}),
        json!({"properties": {"shoe_size": "9"}}),
        json!({"properties": {"email": "BOB@example.com"}}),
    ] {
        let (status, body) = app
            .post(
                &a.token,
                "/crm/v3/objects/contacts/batch/create",
                json!({"inputs": [{"properties": {"email": "new1@example.com"}}, bad, {"properties": {"email": "new2@example.com"}}]}),
            )
            .await;
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::CONFLICT,
            "{status}: {body}"
        );
        assert_eq!(body["status"], "error", "{body}");
        assert_eq!(
            app.count(&a.token, "contacts").await,
            2,
            "nothing created: {body}"
        );
    }
    let (status, _) = app
        .get(
            &a.token,
            "/crm/v3/objects/contacts/new1@example.com?idProperty=email",
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the good inputs' emails stay free"
    );

    // Update: a bad value, a missing record, another contact's email.
    for bad in [
        json!({"id": bob, "properties": {"lifecyclestage": "nope"}}),
        json!({"id": "999999", "properties": {"firstname": "Ghost"}}),
        json!({"id": bob, "properties": {"email": "ADA@example.com"}}),
    ] {
        let (status, body) = app
            .post(
                &a.token,
                "/crm/v3/objects/contacts/batch/update",
                json!({"inputs": [{"id": ada, "properties": {"firstname": "Changed"}}, bad]}),
            )
            .await;
        assert!(status.is_client_error(), "{status}: {body}");
        assert_eq!(body["status"], "error", "{body}");
        let (_, read) = app
            .get(&a.token, &format!("/crm/v3/objects/contacts/{ada}"))
            .await;
        assert_eq!(
            read["properties"]["firstname"], "Ada",
            "nothing updated: {body}"
        );
    }
    let (_, read) = app
        .get(&a.token, &format!("/crm/v3/objects/contacts/{bob}"))
        .await;
    assert_eq!(read["properties"]["email"], "bob@example.com");

    // Archive: one missing record.
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/contacts/batch/archive",
            json!({"inputs": [{"id": ada}, {"id": "999999"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(app.count(&a.token, "contacts").await, 2, "nothing archived");
}

/// Batch creates that arrive together are written together (on SQLite in
/// one transaction); a batch refused for a taken email must neither take the
/// others down with it nor leave any of its own contacts behind.
#[tokio::test]
async fn concurrent_batches_stand_or_fall_alone() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let ada = app
        .create_contact(&a.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    let refused = [2, 5];
    let batch = |n: usize| {
        let mut inputs: Vec<Value> = (0..20)
            .map(|i| json!({"properties": {"email": format!("c{n}-{i}@example.com")}}))
            .collect();
        if refused.contains(&n) {
            inputs.insert(10, json!({"properties": {"email": "ADA@example.com"}}));
        }
        json!({ "inputs": inputs })
    };
    let send = |n: usize| app.post(&a.token, "/crm/v3/objects/contacts/batch/create", batch(n));
    let (r0, r1, r2, r3, r4, r5, r6, r7) = tokio::join!(
        send(0),
        send(1),
        send(2),
        send(3),
        send(4),
        send(5),
        send(6),
        send(7)
    );
    for (n, (status, body)) in [r0, r1, r2, r3, r4, r5, r6, r7].into_iter().enumerate() {
        if refused.contains(&n) {
            assert_eq!(status, StatusCode::CONFLICT, "batch {n}: {body}");
            let message = body["message"].as_str().unwrap_or_default();
            assert!(message.contains(&ada), "batch {n} names Ada: {body}");
        } else {
            assert_eq!(status, StatusCode::CREATED, "batch {n}: {body}");
            assert_eq!(body["results"].as_array().map(Vec::len), Some(20));
        }
    }
    assert_eq!(app.count(&a.token, "contacts").await, 1 + 6 * 20);
    for n in refused {
        let path = format!("/crm/v3/objects/contacts/c{n}-0@example.com?idProperty=email");
        let (status, _) = app.get(&a.token, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "batch {n} left nothing");
    }
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/contacts/batch/create",
            json!({"inputs": [{"properties": {"email": "c2-0@example.com"}}]}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the refused batch's emails are free: {body}"
    );
    let found = app
        .filter_ids(
            &a.token,
            "contacts",
            json!({"propertyName": "email", "operator": "EQ", "value": "c7-19@example.com"}),
        )
        .await;
    assert_eq!(found.len(), 1, "created contacts are searchable");
}

#[tokio::test]
async fn a_batch_update_naming_a_record_twice_is_refused_cleanly() {
    let app = TestApp::spawn().await;
    let a = app.account("Acme").await;
    let id = app
        .create_contact(&a.token, "ada@example.com", "Ada", "Lovelace")
        .await;
    let (status, body) = app
        .post(
            &a.token,
            "/crm/v3/objects/contacts/batch/update",
            json!({"inputs": [{"id": id, "properties": {"firstname": "One"}}, {"id": id, "properties": {"firstname": "Two"}}]}),
        )
        .await;
    assert_names_property(status, &body, "inputs");
    let (_, read) = app
        .get(&a.token, &format!("/crm/v3/objects/contacts/{id}"))
        .await;
    assert_eq!(read["properties"]["firstname"], "Ada");
}
