//! Where the hub's own pages are, for the links that mail, notifications
//! and Slack messages carry: paths under the hub's public URL, which the web
//! app serves.

/// Settings > App Marketplace: connecting and disconnecting Slack.
pub const MARKETPLACE: &str = "/settings/marketplace";
/// Settings > Inbox: each inbox's Slack switch and channel.
pub const INBOX_SETTINGS: &str = "/settings/inbox";
/// Settings > Notification settings, with the Slack email mapping.
pub const NOTIFICATION_SETTINGS: &str = "/settings/notifications";
/// Where Slack sends the browser back after its consent screen.
pub const SLACK_OAUTH_CALLBACK: &str = "/slack/oauth/callback";
