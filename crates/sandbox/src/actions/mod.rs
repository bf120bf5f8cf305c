//! What the people on the Slack side do, each as one function: post and
//! react, type a slash command (Slack's built-in `/invite` and `/remove`
//! included), click a button, submit or close a modal, use shortcuts and
//! external selects, add people and apps to channels or remove them,
//! remove the app, manage the workspace. Each changes the state, makes the
//! calls to the app Slack would make (signed, with Slack's payloads),
//! applies the app's answer the way Slack does, and reports what happened
//! as JSON. The control API and the web page drive these.
//!
//! Also here: the `response_url` endpoint that interactions hand to the
//! app (`POST /response/{id}`).
//!
//! This module only gathers what the control API and the pages call. The
//! actions' common ground lies beneath them, each imported where needed:
//! `outcome` (what an action answers), `lookup` (what it names),
//! `payload` (pieces of Slack's payloads), `app_call` (calling the app).

mod admin;
mod app_call;
mod commands;
mod elements;
mod interactions;
mod lookup;
mod membership;
mod messages;
mod outcome;
mod payload;
mod responses;
mod views;

pub use admin::{
    create_channel, create_user, set_approved_apps_only, uninstall, ApprovedAppsOnly,
    CreateChannel, CreateUser, Uninstall,
};
pub use commands::{slash_command, SlashCommandInput};
pub use interactions::{click, shortcut, suggest_options, Click, Shortcut};
pub use lookup::resolve_team;
pub use membership::{
    archive, change_membership, invite, ArchiveChannel, ChannelMember, Invite, MembershipChange,
};
pub use messages::{message_json, post_message, react, PostMessage, ReactionInput};
pub use outcome::{ActionError, ActionResult};
pub use responses::{respond, RESPONSE_URL_TTL_SECS, RESPONSE_URL_USES};
pub use views::{close_view, submit_view, CloseView, SubmitView, MAX_VIEW_STACK};
