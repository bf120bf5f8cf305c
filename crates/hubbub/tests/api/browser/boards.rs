//! The deal board in headless Chromium: every stage in view on a laptop
//! screen, and a card dragged to another stage.

use std::time::Duration;

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use serde_json::{json, Value};

use super::driver::Browser;
use super::PASSWORD;
use crate::harness::{TestAccount, TestApp};

#[tokio::test(flavor = "multi_thread")]
async fn the_boards_show_every_stage_at_1400_pixels_and_scroll_when_narrower() {
    let app = TestApp::spawn().await;
    let account = app.account("Browser Board Width").await;
    let (_, pipelines) = app.get(&account.token, "/crm/v3/pipelines/deals").await;
    let stages: Vec<&str> = pipelines["results"][0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(stages.len(), 7, "{pipelines}");
    for (i, stage) in stages.iter().enumerate() {
        let name = format!("Northwind Traders renewal {}", i + 1);
        app.create_id(
            &account.token,
            "deals",
            json!({"dealname": name, "amount": "125000", "dealstage": stage}),
        )
        .await;
    }
    let browser = Browser::start(&app.base_url).await;
    browser.set_viewport(1400, 900).await;
    browser.sign_in(&account.admin_email, PASSWORD).await;
    browser.open("/deals/board").await;
    browser.find("[data-testid=board]").await;

    let layout = board_layout(&browser).await;
    let viewport = layout["viewport"].as_f64().unwrap();
    assert_eq!(layout["scrolls"], false, "the board scrolls: {layout}");
    let columns = layout["columns"].as_array().unwrap();
    let shown: Vec<&str> = columns.iter().map(|c| c[0].as_str().unwrap()).collect();
    assert_eq!(shown, stages);
    for column in columns {
        let (left, right) = (column[1].as_f64().unwrap(), column[2].as_f64().unwrap());
        assert!(
            left >= 0.0 && right <= viewport,
            "column cut off in a {viewport}px viewport: {column}"
        );
    }
    let last = browser.text("[data-testid=column-closedlost]").await;
    assert!(last.contains("Northwind Traders renewal 7"), "{last}");
    browser.screenshot("deal-board-1400").await;

    // Tickets have a board of their own, by the support pipeline's stages.
    app.create_id(
        &account.token,
        "tickets",
        json!({"subject": "Printer on fire"}),
    )
    .await;
    browser.open("/tickets/board").await;
    browser
        .wait_for_text("[data-testid=column-1]", "Printer on fire")
        .await;
    browser.screenshot("ticket-board-1400").await;

    // Narrower, the board scrolls sideways by itself (the page does not),
    // and scrolled to its end it shows the last stage whole.
    browser.set_viewport(1000, 800).await;
    browser.open("/deals/board").await;
    browser.find("[data-testid=board]").await;
    browser
        .client
        .execute(
            "const board = document.querySelector('[data-testid=board]');
             board.scrollLeft = board.scrollWidth;",
            vec![],
        )
        .await
        .unwrap();
    let layout = board_layout(&browser).await;
    assert_eq!(layout["scrolls"], true, "{layout}");
    assert_eq!(layout["page_scrolls"], false, "{layout}");
    let last = &layout["columns"][6];
    assert!(
        last[1].as_f64().unwrap() >= 0.0 && last[2].as_f64().unwrap() <= 1000.0,
        "the last stage is not in view at the board's end: {layout}"
    );
    browser.screenshot("deal-board-1000-scrolled").await;

    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deal_card_dragged_to_another_stage_stays_there() {
    let app = TestApp::spawn().await;
    let account = app.account("Browser Board Drag").await;
    let (id, browser) = big_fish_on_the_board(&app, &account).await;
    let card = format!("[data-testid=deal-{id}]");
    // Remembered by this page only: gone once the board is loaded again.
    browser
        .client
        .execute("window.beforeTheMove = true;", vec![])
        .await
        .unwrap();

    // A real drag through WebDriver's pointer actions (Chromium turns them
    // into HTML5 drag events). It ends with a small move over the column:
    // Chromium sends dragover, which allows the drop, only for moves made
    // once the drag has begun.
    let handle = browser.find(&format!("{card} a")).await;
    let target = browser.find("[data-testid=column-contractsent]").await;
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: handle,
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(100)),
            x: 10.0,
            y: 10.0,
        })
        .then(PointerAction::MoveToElement {
            element: target,
            duration: Some(Duration::from_millis(300)),
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(100)),
            x: 2.0,
            y: 2.0,
        })
        .pause(Duration::from_millis(200))
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    browser.client.perform_actions(drag).await.unwrap();

    wait_for_reload(&browser).await;
    let moved = browser
        .wait_for_text("[data-testid=column-contractsent]", "Big Fish")
        .await;
    assert!(moved.contains("12,500"), "{moved}");
    let first = browser
        .text("[data-testid=column-appointmentscheduled]")
        .await;
    assert!(!first.contains("Big Fish"), "{first}");
    // The move went through the stage form, which says where the deal went.
    assert_eq!(
        browser.text("[data-testid=flash]").await,
        "Deal moved to Contract Sent"
    );
    browser.screenshot("deal-board-dragged").await;

    let stage = app
        .property(&account.token, "deals", &id, "dealstage")
        .await;
    assert_eq!(stage, "contractsent");
    browser.close().await;
}

/// The viewport's width, whether the board and the page scroll sideways,
/// and each column's stage with its left and right edges in the viewport.
async fn board_layout(browser: &Browser) -> Value {
    let script = "const board = document.querySelector('[data-testid=board]');
        const page = document.documentElement;
        return {
          viewport: page.clientWidth,
          scrolls: board.scrollWidth > board.clientWidth,
          page_scrolls: page.scrollWidth > page.clientWidth,
          columns: Array.from(board.querySelectorAll('.column'), (c) => {
            const box = c.getBoundingClientRect();
            return [c.dataset.stage, box.left, box.right];
          }),
        };";
    browser.client.execute(script, vec![]).await.unwrap()
}

/// A browser signed in as the account's admin on its deal board, where
/// the one deal (its id returned), "Big Fish" of 12,500, is in the first
/// stage.
pub(super) async fn big_fish_on_the_board(
    app: &TestApp,
    account: &TestAccount,
) -> (String, Browser) {
    let id = app
        .create_id(
            &account.token,
            "deals",
            json!({"dealname": "Big Fish", "amount": "12500"}),
        )
        .await;
    let browser = Browser::start(&app.base_url).await;
    browser.sign_in(&account.admin_email, PASSWORD).await;
    browser.open("/deals/board").await;
    let first_column = browser
        .wait_for_text("[data-testid=column-appointmentscheduled]", "Big Fish")
        .await;
    assert!(first_column.contains("12,500"), "{first_column}");
    (id, browser)
}

/// Waits (up to 10 s) until the page marked `beforeTheMove` has been
/// replaced by a freshly loaded one.
async fn wait_for_reload(browser: &Browser) {
    for _ in 0..100 {
        let fresh = browser
            .client
            .execute(
                "return document.readyState === 'complete' && !window.beforeTheMove;",
                vec![],
            )
            .await;
        if matches!(fresh, Ok(Value::Bool(true))) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the board was not loaded again after the drop");
}
