-- Connecting Slack: the rest of a connection (workspace name, who
-- installed it, when it was disconnected), the OAuth `state`s in flight,
-- and the audit log.

-- slack_connections is rebuilt (SQLite cannot relax NOT NULL): a
-- disconnected connection keeps its row, its token gone (NULL) and
-- `disconnected_at` set, so that reconnecting the same workspace can
-- restore its settings. A workspace is live on at most one account.
CREATE TABLE slack_connections_new (
    account_id              INTEGER PRIMARY KEY REFERENCES accounts(id),
    team_id                 TEXT    NOT NULL,
    team_name               TEXT    NOT NULL DEFAULT '',
    bot_user_id             TEXT    NOT NULL,
    -- the hub user who connected it (NULL for rows made before 0005)
    installer_user_id       INTEGER,
    installer_slack_user_id TEXT    NOT NULL,
    -- the installer's email in Slack, as users.info gave it
    installer_slack_email   TEXT,
    -- space-separated bot scopes
    scopes                  TEXT    NOT NULL,
    -- the bot token, encrypted with the hub's secret key; NULL once
    -- disconnected
    bot_token_ciphertext    TEXT,
    connected_at            INTEGER NOT NULL,
    disconnected_at         INTEGER
);
INSERT INTO slack_connections_new (account_id, team_id, bot_user_id,
    installer_slack_user_id, scopes, bot_token_ciphertext, connected_at)
SELECT account_id, team_id, bot_user_id, installer_slack_user_id, scopes,
    bot_token_ciphertext, connected_at FROM slack_connections;
DROP TABLE slack_connections;
ALTER TABLE slack_connections_new RENAME TO slack_connections;
CREATE UNIQUE INDEX slack_connections_live_team ON slack_connections (team_id)
    WHERE disconnected_at IS NULL;

-- An OAuth `state` handed to Slack: only its hash is kept, bound to the
-- user and the session that started the flow; taken once, within its
-- expiry.
CREATE TABLE slack_oauth_states (
    state_hash    TEXT    PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    user_id       INTEGER NOT NULL REFERENCES users(id),
    session_hash  TEXT    NOT NULL,
    -- the hub page to come back to
    return_to     TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX slack_oauth_states_by_expiry ON slack_oauth_states (expires_at);

-- Who did what to the account's settings.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    user_id     INTEGER REFERENCES users(id),
    action      TEXT    NOT NULL,
    detail      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX audit_log_by_account ON audit_log (account_id, created_at);
