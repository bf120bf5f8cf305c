-- Slack: which workspace belongs to which account, and the Events API
-- deliveries already taken (so that Slack's retries cause nothing twice).

-- One connected Slack workspace per account, one account per workspace.
-- Minimal for now: the Slack connection extends it.
CREATE TABLE slack_connections (
    account_id              BIGINT  PRIMARY KEY REFERENCES accounts(id),
    team_id                 TEXT    NOT NULL UNIQUE,
    bot_user_id             TEXT    NOT NULL,
    installer_slack_user_id TEXT    NOT NULL,
    -- space-separated bot scopes
    scopes                  TEXT    NOT NULL,
    -- the bot token, encrypted with the hub's secret key
    bot_token_ciphertext    TEXT    NOT NULL,
    connected_at            BIGINT  NOT NULL
);

CREATE TABLE slack_events_seen (
    event_id     TEXT    PRIMARY KEY,
    team_id      TEXT    NOT NULL,
    received_at  BIGINT  NOT NULL
);
CREATE INDEX slack_events_seen_by_time ON slack_events_seen (received_at);
