-- Feedback sent from Slack (`/hs -feedback`): who sent it (the Slack
-- user, with the username Slack gave, the workspace, and the account the
-- workspace is connected to), its kind, details and the optional name and
-- email. Listed for the account's super admins, newest first. `view_id`
-- is the dialog's: a submission taken twice is kept once.
CREATE TABLE feedback (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    team_id        TEXT    NOT NULL,
    slack_user_id  TEXT    NOT NULL,
    slack_username TEXT,
    kind           TEXT    NOT NULL,
    details        TEXT    NOT NULL,
    name           TEXT,
    email          TEXT,
    view_id        TEXT    NOT NULL UNIQUE,
    created_at     INTEGER NOT NULL
);
CREATE INDEX feedback_by_account ON feedback (account_id, id);
