-- Notifications beyond the hub's own bell: where each topic goes (account
-- defaults, each user's overrides), who follows which record, what was
-- done to a record from where (its timeline says "via Slack"), and the
-- direct-message channel the app talks to each Slack user in.

-- A super admin's defaults for the account: one row per topic they set.
CREATE TABLE notification_defaults (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    topic       TEXT    NOT NULL,
    hub         INTEGER NOT NULL,
    email       INTEGER NOT NULL,
    slack       INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, topic)
);

-- A user's own choice for a topic, over the account's default.
CREATE TABLE notification_overrides (
    user_id     INTEGER NOT NULL REFERENCES users(id),
    topic       TEXT    NOT NULL,
    hub         INTEGER NOT NULL,
    email       INTEGER NOT NULL,
    slack       INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, topic)
);

CREATE TABLE record_followers (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    object_id   INTEGER NOT NULL REFERENCES crm_objects(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (object_id, user_id)
);
CREATE INDEX record_followers_by_user ON record_followers (user_id);

-- What people did to a record outside its edit form, and where from
-- (via: 'hub', 'slack', 'api').
CREATE TABLE record_activity (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    object_id   INTEGER NOT NULL REFERENCES crm_objects(id),
    user_id     INTEGER REFERENCES users(id),
    via         TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX record_activity_by_record ON record_activity (object_id, id);

ALTER TABLE slack_user_links ADD COLUMN dm_channel TEXT;
