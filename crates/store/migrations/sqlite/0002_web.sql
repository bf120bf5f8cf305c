-- The web app: sign-in sessions, failed sign-in attempts (for throttling),
-- comments on records, and in-app notifications.

CREATE TABLE sessions (
    token_hash  TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    csrf_token  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE login_failures (
    email      TEXT    NOT NULL,
    failed_at  INTEGER NOT NULL
);
CREATE INDEX login_failures_by_email ON login_failures (email, failed_at);

CREATE TABLE comments (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    object_id   INTEGER NOT NULL REFERENCES crm_objects(id),
    author_id   INTEGER NOT NULL REFERENCES users(id),
    body        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX comments_by_object ON comments (object_id, id);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    topic       TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    link        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    read_at     INTEGER
);
CREATE INDEX notifications_by_user ON notifications (user_id, read_at, id);
