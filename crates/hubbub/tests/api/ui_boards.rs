//! The ticket board (the deal board's twin over tickets' pipelines), and
//! what a view-only seat may do on the boards, driven over HTTP as a
//! browser would.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{TestAccount, TestApp};
use crate::web_client::{Page, WebClient};

/// The stage id of the column the card `card` (its test id) is in.
fn column_of(page: &Page, card: &str) -> String {
    let at = page
        .html
        .find(&format!("data-testid=\"{card}\""))
        .unwrap_or_else(|| panic!("no card {card} on the board: {}", page.html));
    let marker = "data-testid=\"column-";
    let column = page.html[..at].rfind(marker).expect("inside a column") + marker.len();
    let end = column + page.html[column..].find('"').unwrap();
    page.html[column..end].to_owned()
}

/// A ticket's stage as the API reads it.
async fn ticket_stage(app: &TestApp, account: &TestAccount, id: &str) -> String {
    app.property(&account.token, "tickets", id, "hs_pipeline_stage")
        .await
}

#[tokio::test]
async fn the_ticket_board_lists_tickets_under_their_stages_and_the_form_moves_them() {
    let app = TestApp::spawn().await;
    let account = app.account("Tickets Board").await;
    let fire = app
        .create_id(
            &account.token,
            "tickets",
            json!({"subject": "Printer on fire"}),
        )
        .await;
    let refund = app
        .create_id(
            &account.token,
            "tickets",
            json!({"subject": "Refund <please>", "hs_pipeline": "0", "hs_pipeline_stage": "3"}),
        )
        .await;
    let mut web = WebClient::admin(&app, &account).await;

    let index = web.get("/tickets").await;
    assert_eq!(index.href("data-testid=\"board-link\""), "/tickets/board");

    let board = web.get("/tickets/board").await;
    board.assert_ok();
    assert!(board.contains("Tickets board"), "{}", board.html);
    assert_eq!(board.texts("total-count"), ["2"]);
    let columns: Vec<String> = ["1", "2", "3", "4"]
        .iter()
        .map(|stage| board.texts(&format!("column-{stage}")).join(""))
        .collect();
    for (column, label) in
        columns
            .iter()
            .zip(["New", "Waiting on contact", "Waiting on us", "Closed"])
    {
        assert!(column.starts_with(label), "column {column:?}");
    }
    // A new ticket starts in the pipeline's first stage; titles are escaped.
    assert_eq!(column_of(&board, &format!("ticket-{fire}")), "1");
    assert_eq!(column_of(&board, &format!("ticket-{refund}")), "3");
    assert!(board.contains("Refund &#60;please&#62;"), "{}", board.html);
    assert!(board.contains("data-drag-stages"));
    let select = format!("name=\"hs_pipeline_stage\" data-autosubmit data-testid=\"stage-{fire}\"");
    assert!(board.contains(&select), "{}", board.html);

    let moved = web
        .submit(
            "/tickets/board",
            &format!("/tickets/{fire}/stage"),
            &[("hs_pipeline_stage", "4")],
        )
        .await;
    moved.assert_ok();
    assert_eq!(moved.location(), "/tickets/board?pipeline=0");
    assert_eq!(moved.texts("flash"), ["Ticket moved to Closed"]);
    assert_eq!(column_of(&moved, &format!("ticket-{fire}")), "4");
    assert_eq!(ticket_stage(&app, &account, &fire).await, "4");

    // A stage of no ticket pipeline (a deal's) is refused, and so is a
    // form without a stage; neither changes anything.
    for fields in [&[("hs_pipeline_stage", "closedwon")][..], &[]] {
        let refused = web
            .submit("/tickets/board", &format!("/tickets/{fire}/stage"), fields)
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.html);
        assert_eq!(ticket_stage(&app, &account, &fire).await, "4");
    }
}

#[tokio::test]
async fn a_view_only_seat_sees_the_boards_without_move_controls_and_is_refused() {
    let app = TestApp::spawn().await;
    let account = app.account("Boards Seat").await;
    let ticket = app
        .create_id(&account.token, "tickets", json!({"subject": "Slow login"}))
        .await;
    let deal = app
        .create_id(&account.token, "deals", json!({"dealname": "Small Fish"}))
        .await;
    let mut seat = WebClient::view_only(&app, &account, "viewer@boards.test").await;

    let boards = [
        (
            "/tickets/board",
            "ticket",
            &ticket,
            "Slow login",
            "hs_pipeline_stage",
            "4",
        ),
        (
            "/deals/board",
            "deal",
            &deal,
            "Small Fish",
            "dealstage",
            "closedwon",
        ),
    ];
    for (path, kind, id, title, stage_field, stage) in boards {
        let board = seat.get(path).await;
        board.assert_ok();
        let card = format!("{kind}-{id}");
        assert_eq!(board.texts(&card).join("").trim(), title);
        let action = format!("/{kind}s/{id}/stage");
        assert!(!board.contains(&action), "{}", board.html);
        assert!(!board.contains(&format!("name=\"{stage_field}\"")));
        assert!(!board.contains("data-drag-stages"));
        assert!(!board.contains("data-testid=\"new-record\""));

        let refused = seat.submit(path, &action, &[(stage_field, stage)]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
    }
    assert_eq!(ticket_stage(&app, &account, &ticket).await, "1");
    let stage = app
        .property(&account.token, "deals", &deal, "dealstage")
        .await;
    assert_eq!(stage, "appointmentscheduled");
}
