//! Slack's wire protocol, free of any HTTP framework and of product rules:
//! checking that a request really comes from Slack ([`verify`]), the shapes
//! of what Slack sends ([`events`]), the Web API client ([`client`]),
//! generic Block Kit helpers ([`blocks`]) and the app manifest
//! ([`manifest`]). The web crate puts verification and parsing behind its
//! `/slack/*` endpoints; the application layer calls the Web API and says
//! what the messages say.

pub mod blocks;
pub mod client;
pub mod events;
pub mod manifest;
pub mod verify;

pub use client::{
    OAuthAccess, PostedMessage, Response, SlackApi, SlackApiError, SlackErrorCode, SlackUserInfo,
    Stamp, StampedPost,
};
pub use events::{
    EventCallback, EventsRequest, InnerEvent, InteractionPayload, LinkShared, ParseError,
    SharedLink, SlashCommand,
};
/// The message type the Block Kit builders return.
pub use slack_morphism::prelude::{
    SlackActionBlockElement, SlackBlock, SlackMessageContent, SlackView,
};
pub use verify::{signature, verify, VerifyError, MAX_CLOCK_SKEW_SECS};
