//! The App Marketplace: the apps the hub can connect (today, Slack), what
//! each asks for and why, and the "Connect app" button. Only super admins
//! and users with the App Marketplace permission may connect.

use askama::Template;
use axum::extract::State;

use super::{super_admin_names, NoFields};
use crate::ui::page::{render, Chrome, PageError, PageResult};
use crate::ui::session::{CsrfForm, Viewer};
use crate::AppState;

/// One permission the Slack app asks for at install, and why.
pub struct SlackPermission {
    pub what: &'static str,
    pub why: &'static str,
}

/// What Slack's consent screen will ask for, shown before connecting.
pub const SLACK_PERMISSIONS: &[SlackPermission] = &[
    SlackPermission {
        what: "Public and private channel content",
        why: "For web chat: conversations with your website's visitors are posted in the Slack channel you choose, and replies in their threads go back to the visitor.",
    },
    SlackPermission {
        what: "Member information",
        why: "To tie what people do in Slack to the right hub user, by matching Slack members' email addresses with hub users' emails.",
    },
    SlackPermission {
        what: "Reactions",
        why: "To show each web chat message's status (for example, delivered to the visitor) as a reaction on its Slack message.",
    },
];

#[derive(Template)]
#[template(path = "settings/marketplace.html")]
struct MarketplacePage {
    chrome: Chrome,
    tab: &'static str,
    permissions: &'static [SlackPermission],
    may_connect: bool,
    /// Why the button is disabled, when it is.
    reason: String,
}

fn cannot_connect_reason(admins: &str) -> String {
    format!(
        "Only super admins and users with the App Marketplace permission can connect apps. Ask {admins} to connect Slack, or to give you the App Marketplace permission."
    )
}

pub async fn show(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let may_connect = viewer.session.user.roles.may_connect_apps();
    let reason = if may_connect {
        String::new()
    } else {
        let users = state.store.users(viewer.account_id()).await?;
        cannot_connect_reason(&super_admin_names(&users))
    };
    let page = MarketplacePage {
        chrome: Chrome::new(&viewer, "settings", "App Marketplace"),
        tab: "marketplace",
        permissions: SLACK_PERMISSIONS,
        may_connect,
        reason,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "settings/slack_connect.html")]
struct ConnectPage {
    chrome: Chrome,
    tab: &'static str,
}

/// "Connect app" for Slack. The permission check is the real one; the
/// Slack OAuth flow that follows it is not built yet, so this says so
/// instead of pretending to connect.
pub async fn connect(
    State(state): State<AppState>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    if !viewer.session.user.roles.may_connect_apps() {
        let users = state.store.users(viewer.account_id()).await?;
        return Err(PageError::forbidden(cannot_connect_reason(
            &super_admin_names(&users),
        )));
    }
    let page = ConnectPage {
        chrome: Chrome::new(&viewer, "settings", "Connect Slack"),
        tab: "marketplace",
    };
    Ok(render(&page))
}
