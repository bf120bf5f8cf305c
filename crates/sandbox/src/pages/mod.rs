//! A plain web page onto the sandbox, so that a person trying the demo can
//! play the Slack side: it lists workspaces, people and channels, shows
//! messages and threads with Block Kit rendered readably, and lets the
//! person, acting as one of the sandbox's users, post, reply, react, type
//! slash commands (Slack's `/invite @name` and `/remove @name` too), click
//! buttons, use the apps' shortcuts (a message's "More actions" menu) and
//! fill in modals, their external selects searched with Find. Every action
//! goes through the same functions as the control API (`crate::actions`).
//!
//! Rendering happens on the server; everything shown is HTML-escaped. The
//! user acted as is chosen with a picker and kept in a cookie
//! (`sandbox_user`); `?as=U…` on any page overrides it.
//!
//! - `layout`: the page chrome (header, user picker, notices), the query
//!   every page takes, HTML escaping, safe links, names and labels;
//! - `session`: whom the person acts as;
//! - `drafts`: what the person has under way in open modals (typed
//!   fields, an external select's options), kept by the page alone;
//! - `forms`: what every form does first (who acts) and last (back to
//!   the page with what happened);
//! - `render`, `blocks`, `mrkdwn`, `emoji`: messages, Block Kit,
//!   mrkdwn and emoji shortcodes as HTML;
//! - `workspaces`, `channels`, `views`: the pages and their forms.

mod blocks;
mod channels;
mod drafts;
mod emoji;
mod forms;
mod layout;
mod mrkdwn;
mod render;
mod session;
mod views;
mod workspaces;

use axum::routing::{get, post};
use axum::{Extension, Router};

pub use layout::{esc, url_enc, PageQuery};

use crate::sandbox::Sandbox;

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/", get(workspaces::index))
        .route("/as", post(session::choose_user))
        .route("/channels/{id}", get(channels::channel_page))
        .route("/channels/{id}/threads/{ts}", get(channels::thread_page))
        .route("/channels/{id}/messages", post(channels::send))
        .route("/channels/{id}/reactions", post(channels::react))
        .route(
            "/channels/{id}/messages/{ts}/actions",
            post(channels::message_action),
        )
        .route(
            "/channels/{id}/messages/{ts}/shortcuts",
            post(channels::message_shortcut),
        )
        .route("/channels/{id}/shortcuts", post(channels::global_shortcut))
        .route("/views", get(views::views_page))
        .route("/views/{id}/actions", post(views::view_action))
        .route("/views/{id}/options", post(views::find_options))
        .route("/views/{id}/submit", post(views::submit))
        .route("/views/{id}/close", post(views::close))
        // One store of drafts per sandbox: this router is made once for it.
        .layer(Extension(drafts::Drafts::default()))
}
