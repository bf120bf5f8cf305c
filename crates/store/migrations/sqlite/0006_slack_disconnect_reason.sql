-- Why a Slack connection was last disconnected, so that the App
-- Marketplace can say so: NULL for a disconnect made in the hub (or a
-- live connection), 'removed_in_slack' when Slack said the app was
-- removed or its token revoked (app_uninstalled, tokens_revoked), and
-- 'token_dead' when a Web API call found the bot token no longer works.
ALTER TABLE slack_connections ADD COLUMN disconnect_reason TEXT;
