-- Inboxes, and each inbox's link to Slack.

-- Where an account's conversations land. Every account has at least one:
-- accounts made before this migration get one named "Inbox", as
-- `create_account` gives every new account. Names are unique per account
-- whatever their case ("Support" and "support" would be the same inbox to
-- a person choosing from the menu).
CREATE TABLE inboxes (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX inboxes_name_per_account ON inboxes (account_id, lower(name));
INSERT INTO inboxes (account_id, name, created_at)
SELECT id, 'Inbox', created_at FROM accounts;

-- An inbox's Slack setting, one per workspace it was made for. Nothing
-- here is deleted when the account's workspace is disconnected: the
-- setting is active only while the account's live connection is to
-- `team_id`, paused while that connection is disconnected, and active
-- again, as it was, when the same workspace is reconnected.
CREATE TABLE inbox_slack (
    inbox_id      INTEGER NOT NULL REFERENCES inboxes(id),
    team_id       TEXT    NOT NULL,
    -- the switch "Slack notifications and conversations"
    enabled       INTEGER NOT NULL DEFAULT 0,
    -- where new conversations go (NULL: none chosen)
    channel_id    TEXT,
    -- the channel's name when it was chosen, to show without asking Slack
    channel_name  TEXT,
    updated_at    INTEGER NOT NULL,
    updated_by    INTEGER REFERENCES users(id),
    PRIMARY KEY (inbox_id, team_id)
);
