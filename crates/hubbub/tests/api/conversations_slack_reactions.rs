//! The thread's reactions show each answer's delivery to the visitor:
//! delivered to the widget, seen, or failed, with the reason in a reply.

use reqwest::StatusCode;

use crate::conversations_slack::{
    chat, drain, event_taken, hub_messages, opened, reactions, replies, reply_in_slack, root, shown,
};

#[tokio::test]
async fn reactions_follow_the_widgets_acknowledgements() {
    let chat = chat().await;
    let world = &chat.world;
    let (visitor, conversation, root_ts) = opened(&chat, "Hi").await;
    let ts = reply_in_slack(world, &chat, "maria", &root_ts, "Hello!").await;
    event_taken(world, &ts).await;
    // Run what is due without moving the clock: the widget acknowledges
    // well within the time an answer has to reach it.
    world.app.settle().await;
    assert!(reactions(world, &chat.channel, &ts).await.is_empty());
    let answer = hub_messages(world, conversation).await.last().unwrap().id;

    assert_eq!(
        visitor.ack(conversation, Some(answer), None).await,
        StatusCode::NO_CONTENT
    );
    drain(world).await;
    assert_eq!(
        reactions(world, &chat.channel, &ts).await,
        ["white_check_mark"]
    );
    visitor.ack(conversation, None, Some(answer)).await;
    drain(world).await;
    assert_eq!(reactions(world, &chat.channel, &ts).await, ["eyes"]);
    // Acknowledged again: nothing moves.
    visitor.ack(conversation, Some(answer), Some(answer)).await;
    drain(world).await;
    assert_eq!(reactions(world, &chat.channel, &ts).await, ["eyes"]);
}

#[tokio::test]
async fn an_answer_that_never_reaches_a_visitor_without_email_fails_with_its_reason_in_the_thread()
{
    let mut chat = chat().await;
    let world = &chat.world;
    let (visitor, conversation, root_ts) = opened(&chat, "Anyone there?").await;
    let ts = reply_in_slack(world, &chat, "maria", &root_ts, "Yes, how can I help?").await;
    event_taken(world, &ts).await;
    // The visitor has closed the page and left no email: once the answer
    // had its time to reach the widget, drained here by moving the clock.
    drain(world).await;

    assert_eq!(reactions(world, &chat.channel, &ts).await, ["x"]);
    let thread = replies(&root(world, &chat.channel, conversation).await);
    let told: Vec<_> = thread
        .iter()
        .filter(|m| shown(m).contains("did not reach the visitor"))
        .collect();
    assert_eq!(told.len(), 1, "{thread:?}");
    assert!(shown(told[0]).contains("gave no email"), "{:?}", told[0]);
    let answer = hub_messages(world, conversation)
        .await
        .last()
        .unwrap()
        .clone();
    assert_eq!(answer.text, "Yes, how can I help?");
    assert!(answer
        .delivery_reason
        .as_deref()
        .is_some_and(|r| r.contains("gave no email")));

    let page = chat.admin.get(&format!("/inbox/{conversation}")).await;
    assert!(
        page.html
            .contains("Not delivered: the visitor left the chat"),
        "{}",
        page.html
    );

    // The visitor comes back and reads it after all.
    visitor
        .ack(conversation, Some(answer.id), Some(answer.id))
        .await;
    drain(world).await;
    assert_eq!(reactions(world, &chat.channel, &ts).await, ["eyes"]);
    let thread = replies(&root(world, &chat.channel, conversation).await);
    assert_eq!(
        thread
            .iter()
            .filter(|m| shown(m).contains("did not reach the visitor"))
            .count(),
        1,
        "told once: {thread:?}"
    );
}
