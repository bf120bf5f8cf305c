-- The records each user opened in the web app, newest visit kept: their
-- home page lists the last few.
CREATE TABLE record_views (
    account_id  BIGINT NOT NULL REFERENCES accounts(id),
    user_id     BIGINT NOT NULL REFERENCES users(id),
    object_id   BIGINT NOT NULL REFERENCES crm_objects(id),
    object_type TEXT    NOT NULL,
    viewed_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, object_id)
);
CREATE INDEX record_views_newest ON record_views (user_id, viewed_at);
