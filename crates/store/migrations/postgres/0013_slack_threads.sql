-- Conversations' Slack threads kept exactly once, and channels the app
-- lost.

-- When the hub last sent the message to its thread without hearing
-- Slack's answer (NULL: never): before sending it again, the hub looks
-- for it in the thread by its metadata, so that a lost answer does not
-- post it twice. A conversation's root message is found the same way:
-- its `slack_team_id` and `slack_channel_id` are set before the root is
-- posted, its `slack_root_ts` once Slack has answered.
ALTER TABLE conversation_messages ADD COLUMN slack_tried_at BIGINT;

-- Channels the app can no longer post in (archived, the app removed
-- from it), each with why (`archived`, `removed`) and since when.
-- Conversations in them wait in the hub, their messages still to post,
-- until the app is invited back or the workspace is connected again.
CREATE TABLE slack_lost_channels (
    account_id  BIGINT  NOT NULL REFERENCES accounts(id),
    team_id     TEXT    NOT NULL,
    channel_id  TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    lost_at     BIGINT  NOT NULL,
    PRIMARY KEY (account_id, team_id, channel_id)
);
