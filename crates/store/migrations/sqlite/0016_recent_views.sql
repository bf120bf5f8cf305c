-- The records each user opened in the web app, newest visit kept: their
-- home page lists the last few.
CREATE TABLE record_views (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    object_id   INTEGER NOT NULL REFERENCES crm_objects(id),
    object_type TEXT    NOT NULL,
    viewed_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, object_id)
);
CREATE INDEX record_views_newest ON record_views (user_id, viewed_at);
