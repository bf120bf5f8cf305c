//! The boards in headless Chromium: every stage in view on a laptop
//! screen.

use serde_json::{json, Value};

use super::driver::Browser;
use super::PASSWORD;
use crate::harness::TestApp;

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
