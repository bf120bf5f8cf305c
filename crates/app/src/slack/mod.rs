//! The Slack features: connecting a workspace ([`connect`]), the hub's
//! side of a removal in Slack ([`removal`]), the user mapping
//! ([`user_mapping`]), what Slack sends the hub ([`inbound`]), the
//! buttons of notifications and record cards ([`actions`], [`cards`],
//! [`notes`]),
//! the `/hs` command ([`commands`], [`search`], [`create`]), the message
//! shortcuts ([`shortcuts`]), previews of links to hub records
//! ([`previews`]), and the messages and modals the app posts and opens
//! ([`messages`], [`views`]). Every Web API call with the bot
//! token goes through [`workspace`], which notices a dead token.

pub mod actions;
pub mod cards;
pub mod commands;
pub mod connect;
pub mod create;
pub mod inbound;
pub mod messages;
pub mod notes;
pub mod previews;
pub mod removal;
pub mod search;
pub mod shortcuts;
pub mod user_mapping;
pub mod views;
pub mod workspace;
