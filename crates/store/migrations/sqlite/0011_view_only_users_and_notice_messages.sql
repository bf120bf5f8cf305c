-- View-only seats (HubSpot's): a user who may read records but not
-- change them, in the web app or from Slack (API tokens keep their scopes).
ALTER TABLE users ADD COLUMN view_only INTEGER NOT NULL DEFAULT 0;

-- The Slack direct messages notifications were posted as, with the
-- notification each shows: a button pressed on one redraws it as it
-- was, with what was done.
CREATE TABLE slack_notice_messages (
    account_id  INTEGER  NOT NULL REFERENCES accounts(id),
    channel     TEXT    NOT NULL,
    ts          TEXT    NOT NULL,
    notice      TEXT    NOT NULL,
    created_at  INTEGER  NOT NULL,
    PRIMARY KEY (account_id, channel, ts)
);
