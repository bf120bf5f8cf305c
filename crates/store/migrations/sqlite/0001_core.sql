-- Hub core: accounts, people, API tokens, CRM records and their indexes.
-- Flags are INTEGER 0/1 and instants are epoch milliseconds, so that one
-- query code path serves SQLite and PostgreSQL.

CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE id_sequences (
    name     TEXT    PRIMARY KEY,
    next_id  INTEGER NOT NULL
);
INSERT INTO id_sequences (name, next_id) VALUES ('crm_objects', 1001);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    email          TEXT    NOT NULL UNIQUE,
    password_hash  TEXT    NOT NULL,
    first_name     TEXT    NOT NULL DEFAULT '',
    last_name      TEXT    NOT NULL DEFAULT '',
    super_admin    INTEGER NOT NULL DEFAULT 0,
    marketplace    INTEGER NOT NULL DEFAULT 0,
    archived       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX users_by_account ON users (account_id, id);

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE team_members (
    team_id  INTEGER NOT NULL REFERENCES teams(id),
    user_id  INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (team_id, user_id)
);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    token_hash  TEXT    NOT NULL UNIQUE,
    scopes      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE property_defs (
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    object_type  TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    label        TEXT    NOT NULL,
    ptype        TEXT    NOT NULL,
    field_type   TEXT    NOT NULL,
    group_name   TEXT    NOT NULL,
    options      TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, object_type, name)
);

CREATE TABLE pipelines (
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    object_type    TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    label          TEXT    NOT NULL,
    display_order  INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (account_id, object_type, id)
);

CREATE TABLE pipeline_stages (
    account_id     INTEGER NOT NULL,
    object_type    TEXT    NOT NULL,
    pipeline_id    TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    label          TEXT    NOT NULL,
    display_order  INTEGER NOT NULL,
    metadata       TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (account_id, object_type, pipeline_id, id),
    FOREIGN KEY (account_id, object_type, pipeline_id)
        REFERENCES pipelines (account_id, object_type, id)
);

-- Every CRM record; `properties` is a JSON object of stored strings.
CREATE TABLE crm_objects (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    object_type  TEXT    NOT NULL,
    properties   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    archived     INTEGER NOT NULL DEFAULT 0,
    archived_at  INTEGER
);
CREATE INDEX crm_objects_by_type ON crm_objects (account_id, object_type, archived, id);

-- The search index (see crates/store/src/indexing.rs): one document of
-- terms per record in an FTS5 table, whose rowid is the record id.
-- Contentless, since terms are only ever matched, never read back.
CREATE VIRTUAL TABLE crm_search USING fts5(
    terms,
    content = '',
    contentless_delete = 1,
    detail = none,
    tokenize = 'ascii'
);

-- Numeric and date property values, for range filters and sorting.
CREATE TABLE crm_numbers (
    account_id   INTEGER NOT NULL,
    object_type  TEXT    NOT NULL,
    property     TEXT    NOT NULL,
    num_value    REAL    NOT NULL,
    object_id    INTEGER NOT NULL REFERENCES crm_objects(id),
    PRIMARY KEY (account_id, object_type, property, num_value, object_id)
) WITHOUT ROWID;
CREATE INDEX crm_numbers_by_object ON crm_numbers (object_id, property);

-- Values that must be unique among live records (a contact's email).
CREATE TABLE crm_unique_values (
    account_id   INTEGER NOT NULL,
    object_type  TEXT    NOT NULL,
    property     TEXT    NOT NULL,
    value        TEXT    NOT NULL,
    object_id    INTEGER NOT NULL REFERENCES crm_objects(id),
    PRIMARY KEY (account_id, object_type, property, value)
) WITHOUT ROWID;
CREATE INDEX crm_unique_values_by_object ON crm_unique_values (object_id);

-- Associations are stored once per direction, each with its own type id.
CREATE TABLE crm_associations (
    account_id  INTEGER NOT NULL,
    from_id     INTEGER NOT NULL REFERENCES crm_objects(id),
    to_type     TEXT    NOT NULL,
    to_id       INTEGER NOT NULL REFERENCES crm_objects(id),
    type_id     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (from_id, to_type, to_id, type_id)
);
CREATE INDEX crm_associations_by_to ON crm_associations (to_id);
