-- Custom rules "send Slack notification": what fires a rule, its
-- filters, the message, and where it goes; and each rule's last
-- deliveries and failures.

-- `trigger_kind` is `created`, `property_changed` (`trigger_property`
-- changed to `trigger_value`), `deal_stage` (a deal entering the stage
-- `trigger_value`) or `ticket_priority` (a ticket created with the
-- priority `trigger_value`). `filters` is a JSON list of the search
-- API's filters, all of which must hold. `target_kind` is `channel`
-- (`channel_id` in the workspace `team_id`, its name as it was when
-- chosen) or `owner` (the record owner's direct message).
CREATE TABLE notification_rules (
    id                INTEGER PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts(id),
    name              TEXT    NOT NULL,
    object_type       TEXT    NOT NULL,
    trigger_kind      TEXT    NOT NULL,
    trigger_property  TEXT    NOT NULL DEFAULT '',
    trigger_value     TEXT    NOT NULL DEFAULT '',
    filters           TEXT    NOT NULL DEFAULT '[]',
    template          TEXT    NOT NULL,
    target_kind       TEXT    NOT NULL,
    team_id           TEXT,
    channel_id        TEXT,
    channel_name      TEXT,
    paused            INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    updated_by        INTEGER REFERENCES users(id)
);
CREATE INDEX notification_rules_account ON notification_rules (account_id, paused);

-- What became of a rule's messages: posted (`channel_id`, `ts`) or failed
-- (`error`, Slack's error code where Slack gave one). Only the last few
-- per rule are kept.
CREATE TABLE rule_deliveries (
    id           INTEGER PRIMARY KEY,
    rule_id      INTEGER NOT NULL REFERENCES notification_rules(id) ON DELETE CASCADE,
    object_type  TEXT    NOT NULL,
    record_id    INTEGER NOT NULL,
    ok           INTEGER NOT NULL,
    channel_id   TEXT,
    ts           TEXT,
    error        TEXT,
    at           INTEGER NOT NULL
);
CREATE INDEX rule_deliveries_rule ON rule_deliveries (rule_id, id);
