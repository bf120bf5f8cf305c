-- Background jobs: the transactional outbox for work that calls Slack.
-- A change that must cause a Slack call enqueues the job in its own
-- transaction; workers claim due jobs, retry failures with backoff (or
-- after Slack's Retry-After) and park the hopeless where admins see them.
--
-- status: 'queued' (waiting, being retried, or claimed until `run_at`),
-- 'done', 'parked' (gave up: `last_error` says why).
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    kind         TEXT    NOT NULL,
    -- the job's arguments, JSON
    payload      TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'queued',
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    run_at       INTEGER NOT NULL,
    finished_at  INTEGER
);
CREATE INDEX jobs_due ON jobs (status, run_at);
CREATE INDEX jobs_by_account ON jobs (account_id, id);

-- Which Slack user each hub user is, per workspace. Rows are kept when
-- the workspace is disconnected, so that reconnecting it restores them.
-- status: 'mapped' (slack_user_id set; method 'email' when the emails
-- matched, 'confirmed' when the Slack user confirmed a request) or
-- 'unmatched' (no Slack user has the hub email; the user was told once,
-- at `notified_at`).
CREATE TABLE slack_user_links (
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    team_id        TEXT    NOT NULL,
    user_id        INTEGER NOT NULL REFERENCES users(id),
    status         TEXT    NOT NULL,
    slack_user_id  TEXT,
    slack_name     TEXT,
    slack_email    TEXT,
    method         TEXT,
    notified_at    INTEGER,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (account_id, team_id, user_id)
);
-- A Slack user is mapped to at most one hub user of an account.
CREATE UNIQUE INDEX slack_user_links_one_hub_user
    ON slack_user_links (account_id, team_id, slack_user_id);

-- "Verify in Slack": a hub user asks a Slack user to confirm the mapping
-- in a direct message, within 24 hours.
-- status: 'pending', 'confirmed', 'superseded' (a newer request replaced
-- it); a pending request past `expires_at` is expired.
CREATE TABLE slack_mapping_requests (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    team_id        TEXT    NOT NULL,
    user_id        INTEGER NOT NULL REFERENCES users(id),
    slack_user_id  TEXT    NOT NULL,
    slack_name     TEXT    NOT NULL,
    slack_email    TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'pending',
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    decided_at     INTEGER,
    -- the direct message that carries the Confirm button, once sent
    dm_channel     TEXT,
    dm_ts          TEXT
);
CREATE INDEX slack_mapping_requests_by_user
    ON slack_mapping_requests (account_id, user_id, id);
