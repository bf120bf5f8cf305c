-- Conversations: website visitors' chats with the team, each in an inbox,
-- and each conversation's Slack thread.

-- The widget's key (public: it sits in the website's script tag) and the
-- websites allowed to embed it: origins, one per line ("https://acme.example").
-- The hub's own origin is always allowed.
ALTER TABLE inboxes ADD COLUMN public_key TEXT;
ALTER TABLE inboxes ADD COLUMN allowed_origins TEXT NOT NULL DEFAULT '';
UPDATE inboxes SET public_key = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX inboxes_by_public_key ON inboxes (public_key);

-- A browser that chatted through an inbox's widget. It proves who it is
-- with a secret it was given when it first wrote; only the secret's hash
-- is kept. `last_seen_at`: when its widget was last connected.
CREATE TABLE visitors (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    inbox_id      INTEGER NOT NULL REFERENCES inboxes(id),
    token_hash    TEXT    NOT NULL,
    name          TEXT,
    email         TEXT,
    contact_id    INTEGER REFERENCES crm_objects(id),
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX visitors_by_token ON visitors (token_hash);

-- status: 'open' or 'closed'. `version` counts changes the conversation's
-- Slack root message shows (status, assignee); `slack_drawn_version` is
-- the one it shows now. `slack_lock_until`: while a job posts to the
-- thread, no other does (a burst of first messages opens one thread).
CREATE TABLE conversations (
    id                   INTEGER PRIMARY KEY,
    account_id           INTEGER NOT NULL REFERENCES accounts(id),
    inbox_id             INTEGER NOT NULL REFERENCES inboxes(id),
    visitor_id           INTEGER NOT NULL REFERENCES visitors(id),
    contact_id           INTEGER REFERENCES crm_objects(id),
    status               TEXT    NOT NULL DEFAULT 'open',
    assignee_id          INTEGER REFERENCES users(id),
    page_url             TEXT,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    closed_at            INTEGER,
    last_message_at      INTEGER NOT NULL,
    version              INTEGER NOT NULL DEFAULT 0,
    slack_team_id        TEXT,
    slack_channel_id     TEXT,
    slack_root_ts        TEXT,
    slack_drawn_version  INTEGER NOT NULL DEFAULT -1,
    slack_lock_until     INTEGER
);
CREATE INDEX conversations_by_status ON conversations (account_id, status, last_message_at);
CREATE INDEX conversations_by_visitor ON conversations (visitor_id, id);
CREATE UNIQUE INDEX conversations_by_thread
    ON conversations (slack_team_id, slack_channel_id, slack_root_ts);

-- author: 'visitor', 'agent' (to the visitor) or 'note' (private).
-- via: where it was written ('widget', 'hub', 'slack', 'api').
-- slack_ts: the message's place in the thread; `slack_state` 'pending'
-- until the hub posted it there, 'posted', or 'none' (typed in Slack, or
-- nothing to post). For agents' messages: `delivery` ('sent',
-- 'delivered', 'seen', 'failed', with `delivery_reason`), and
-- `slack_delivery_shown`, the delivery the thread's reaction shows.
-- For visitors' messages: `seen_by_agent_at`, and `client_ref`, the
-- widget's own id for the message, so that a message sent again after a
-- lost answer is stored once.
CREATE TABLE conversation_messages (
    id                    INTEGER PRIMARY KEY,
    account_id            INTEGER NOT NULL REFERENCES accounts(id),
    conversation_id       INTEGER NOT NULL REFERENCES conversations(id),
    author                TEXT    NOT NULL,
    user_id               INTEGER REFERENCES users(id),
    text                  TEXT    NOT NULL,
    via                   TEXT    NOT NULL,
    created_at            INTEGER NOT NULL,
    slack_ts              TEXT,
    slack_state           TEXT    NOT NULL DEFAULT 'none',
    delivery              TEXT,
    delivery_reason       TEXT,
    slack_delivery_shown  TEXT,
    seen_by_agent_at      INTEGER,
    client_ref            TEXT
);
CREATE INDEX conversation_messages_in_order ON conversation_messages (conversation_id, id);
CREATE INDEX conversation_messages_to_post
    ON conversation_messages (conversation_id, id) WHERE slack_state = 'pending';
CREATE UNIQUE INDEX conversation_messages_by_client_ref
    ON conversation_messages (conversation_id, client_ref) WHERE client_ref IS NOT NULL;
CREATE UNIQUE INDEX conversation_messages_by_slack_ts
    ON conversation_messages (conversation_id, slack_ts) WHERE slack_ts IS NOT NULL;

-- What a visitor's widget is told, in order: the id is the live stream's
-- event id, from which a widget that lost its connection resumes.
CREATE TABLE conversation_events (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id),
    kind             TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX conversation_events_in_order ON conversation_events (conversation_id, id);
