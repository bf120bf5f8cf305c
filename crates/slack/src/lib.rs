//! Slack's wire protocol as Hubbub receives it, free of any HTTP framework:
//! checking that a request really comes from Slack ([`verify`]) and the
//! shapes of what Slack sends ([`events`]). The web crate puts these behind
//! its `/slack/*` endpoints.

pub mod blocks;
pub mod client;
pub mod events;
pub mod manifest;
pub mod verify;

pub use client::{
    OAuthAccess, PostedMessage, Response, SlackApi, SlackApiError, SlackErrorCode, SlackUserInfo,
};
pub use events::{
    EventCallback, EventsRequest, InnerEvent, InteractionPayload, ParseError, SlashCommand,
};
/// The message type the Block Kit builders return.
pub use slack_morphism::prelude::SlackMessageContent;
pub use verify::{signature, verify, VerifyError, MAX_CLOCK_SKEW_SECS};
