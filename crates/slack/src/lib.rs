//! Slack's wire protocol as Hubbub receives it, free of any HTTP framework:
//! checking that a request really comes from Slack ([`verify`]) and the
//! shapes of what Slack sends ([`events`]). The web crate puts these behind
//! its `/slack/*` endpoints.

pub mod client;
pub mod events;
pub mod manifest;
pub mod verify;

pub use client::{OAuthAccess, SlackApi, SlackApiError, SlackErrorCode, SlackUserInfo};
pub use events::{
    EventCallback, EventsRequest, InnerEvent, InteractionPayload, ParseError, SlashCommand,
};
pub use verify::{signature, verify, VerifyError, MAX_CLOCK_SKEW_SECS};
