//! The Slack app Hubbub needs, in one place: the bot scopes it asks for
//! (each with the reason people see), the events it subscribes to, its
//! slash command and shortcuts, and the request URLs, rendered as a Slack
//! app manifest that creates the app in one paste.

use serde_json::{json, Value};

/// A bot scope and why Hubbub asks for it.
pub struct Scope {
    pub name: &'static str,
    pub reason: &'static str,
}

/// The app's slash command.
pub const SLASH_COMMAND: &str = "/hs";

/// The `callback_id` of the message shortcut "Create task from message".
pub const CREATE_TASK_SHORTCUT: &str = "create_task_from_message";

/// The `callback_id` of the message shortcut "Log message to record".
pub const LOG_MESSAGE_SHORTCUT: &str = "log_message_to_record";

/// Every bot scope the OAuth install requests.
pub const BOT_SCOPES: &[Scope] = &[
    Scope {
        name: "channels:read",
        reason: "list public channels, to pick where an inbox's conversations go",
    },
    Scope {
        name: "groups:read",
        reason: "list private channels the app was invited to, for the same picker",
    },
    Scope {
        name: "channels:history",
        reason: "read replies in web chat threads in public channels, to send them to the visitor",
    },
    Scope {
        name: "groups:history",
        reason: "read replies in web chat threads in private channels",
    },
    Scope {
        name: "im:history",
        reason: "read replies people send the app in direct messages",
    },
    Scope {
        name: "im:write",
        reason: "send people their notifications and email-mapping requests in a direct message",
    },
    Scope {
        name: "chat:write",
        reason: "post notifications, conversation threads and answers",
    },
    Scope {
        name: "chat:write.customize",
        reason: "post a visitor's messages and an agent's replies under their own name",
    },
    Scope {
        name: "commands",
        reason: "the /hs command",
    },
    Scope {
        name: "users:read",
        reason: "member info, to tie Slack actions to the right hub user",
    },
    Scope {
        name: "users:read.email",
        reason: "find each hub user's Slack account by email",
    },
    Scope {
        name: "reactions:read",
        reason: "see reactions on conversation messages",
    },
    Scope {
        name: "reactions:write",
        reason: "show each web chat message's status as a reaction",
    },
    Scope {
        name: "links:read",
        reason: "notice links to hub records pasted in Slack",
    },
    Scope {
        name: "links:write",
        reason: "show a preview of those records",
    },
    Scope {
        name: "team:read",
        reason: "show which workspace is connected",
    },
];

/// The Events API events Hubbub subscribes to.
pub const BOT_EVENTS: &[&str] = &[
    "message.channels",
    "message.groups",
    "message.im",
    "reaction_added",
    "link_shared",
    "member_joined_channel",
    "app_uninstalled",
    "tokens_revoked",
];

/// Bot scopes as the OAuth `scope` parameter wants them.
pub fn scope_list() -> String {
    BOT_SCOPES
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join(",")
}

/// The app manifest for a hub reachable at `public_url`.
pub fn manifest(public_url: &str, app_name: &str) -> Value {
    let base = public_url.trim_end_matches('/');
    let domain = base
        .split("://")
        .nth(1)
        .unwrap_or(base)
        .split(['/', ':'])
        .next()
        .unwrap_or_default();
    json!({
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": app_name,
            "description": "Your customer hub in Slack: records, notifications and web chat.",
            "background_color": "#102a43",
        },
        "features": {
            "bot_user": {"display_name": app_name, "always_online": true},
            "app_home": {"home_tab_enabled": false, "messages_tab_enabled": true, "messages_tab_read_only_enabled": false},
            "slash_commands": [{
                "command": SLASH_COMMAND,
                "url": format!("{base}/slack/commands"),
                "description": "Search and create hub records, or send feedback",
                "usage_hint": "help | search TEXT | create TYPE | -feedback TEXT",
                "should_escape": false,
            }],
            "shortcuts": [
                {"name": "Create task from message", "type": "message", "callback_id": CREATE_TASK_SHORTCUT, "description": "Make a hub task out of this message"},
                {"name": "Log message to record", "type": "message", "callback_id": LOG_MESSAGE_SHORTCUT, "description": "Add this message as a note on a hub record"},
            ],
            "unfurl_domains": [domain],
        },
        "oauth_config": {
            "redirect_urls": [format!("{base}/slack/oauth/callback")],
            "scopes": {"bot": BOT_SCOPES.iter().map(|s| s.name).collect::<Vec<_>>()},
        },
        "settings": {
            "event_subscriptions": {
                "request_url": format!("{base}/slack/events"),
                "bot_events": BOT_EVENTS,
            },
            "interactivity": {
                "is_enabled": true,
                "request_url": format!("{base}/slack/interactions"),
                "message_menu_options_url": format!("{base}/slack/options"),
            },
            "org_deploy_enabled": false,
            "socket_mode_enabled": false,
            "token_rotation_enabled": false,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_points_every_url_at_the_hub() {
        let m = manifest("https://hub.example.com/", "Hubbub");
        assert_eq!(
            m["settings"]["event_subscriptions"]["request_url"],
            "https://hub.example.com/slack/events"
        );
        assert_eq!(
            m["oauth_config"]["redirect_urls"][0],
            "https://hub.example.com/slack/oauth/callback"
        );
        assert_eq!(m["features"]["unfurl_domains"][0], "hub.example.com");
        assert_eq!(m["features"]["slash_commands"][0]["command"], "/hs");
        let scopes = m["oauth_config"]["scopes"]["bot"].as_array().unwrap();
        assert!(scopes.iter().any(|s| s == "users:read.email"));
        assert_eq!(scopes.len(), BOT_SCOPES.len());
    }
}
