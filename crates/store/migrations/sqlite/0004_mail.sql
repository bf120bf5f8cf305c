-- Outgoing email: a transactional outbox. A change that must send mail
-- enqueues it in its own transaction; the mail worker claims due rows and
-- sends them over SMTP, retrying with backoff and parking the hopeless. With
-- no SMTP server configured, mail is kept here and read on the mailbox page.
--
-- status: 'queued' (waiting or being retried), 'sent', 'kept' (no SMTP
-- server: kept in the local mailbox), 'parked' (gave up; an admin sees why).

CREATE TABLE mail_outbox (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    to_address       TEXT    NOT NULL,
    subject          TEXT    NOT NULL,
    text_body        TEXT    NOT NULL,
    html_body        TEXT,
    status           TEXT    NOT NULL DEFAULT 'queued',
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    next_attempt_at  INTEGER NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_by_account ON mail_outbox (account_id, id);
