//! What the hub sends Slack, attacked: hub text that tries to mention
//! everyone or disguise a link in a message, and a signed button press
//! that names another host as the place to answer.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::slack_mapping::{
    add_user, direct_message, scene, sent_request, signed_in, signed_press_answering_at,
    verify_in_slack,
};
use crate::slack_support::{jobs_settled, slack_user};

/// A host of the attacker's, counting the requests that reach it.
async fn listening_host() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/steal", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await;
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                .await;
        }
    });
    (url, hits)
}

#[tokio::test]
async fn a_button_press_naming_another_host_is_never_answered_there() {
    let scene = scene().await;
    let world = &scene.world;
    let mark = signed_in(world, "mark.member@acme.example").await;
    verify_in_slack(&mark, "mark@acme.example")
        .await
        .assert_ok();
    let request = sent_request(&scene).await;
    let (elsewhere, hits) = listening_host().await;
    let (mark_slack, _) = slack_user(world, "mark");
    let status = signed_press_answering_at(&scene, &mark_slack, &request, Some(&elsewhere)).await;
    assert_eq!(status, StatusCode::OK);
    jobs_settled(world).await;
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the hub posted to {elsewhere}"
    );
    // The press itself, signed by Slack, still counts.
    let page = mark_client_page(&scene).await;
    assert!(page.contains("Confirmed in Slack."), "{page}");
}

async fn mark_client_page(scene: &crate::slack_mapping::Scene) -> String {
    let mut mark = signed_in(&scene.world, "mark.member@acme.example").await;
    mark.get("/settings/notifications").await.html
}

#[tokio::test]
async fn a_hub_user_named_like_markup_cannot_mention_everyone_in_slack() {
    let scene = scene().await;
    let world = &scene.world;
    let hostile = "<!channel> <http://evil.example|Click here to confirm>";
    let user = add_user(world, &scene.account, "hostile@mapping.test", hostile).await;
    let client = signed_in(world, &user.email).await;
    verify_in_slack(&client, "adam@acme.example")
        .await
        .assert_ok();
    jobs_settled(world).await;
    let (_, team_id) = slack_user(world, "olivia");
    let request = world
        .app
        .store
        .latest_mapping_request(scene.account.id, &team_id, user.id, world.app.hub.now())
        .await
        .unwrap()
        .expect("the request");
    let dm = direct_message(&scene, &request).await;
    let shown = dm.to_string();
    assert!(!shown.contains("<!channel>"), "a live @channel: {dm}");
    assert!(!shown.contains("<http://evil"), "a disguised link: {dm}");
    assert!(
        dm["text"]
            .as_str()
            .unwrap_or_default()
            .contains("&lt;!channel&gt;"),
        "the name shows as text: {dm}"
    );
}
