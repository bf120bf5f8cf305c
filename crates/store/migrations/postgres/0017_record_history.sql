-- A record's history on its timeline: besides the lines written as text
-- (kind NULL or 'said': "Maria Member assigned the deal to themselves via
-- Slack"), 'created', 'archived', and 'changed' with the property and its
-- stored values before and after (NULL: none), shown with the labels of
-- the day they are read.
ALTER TABLE record_activity ADD COLUMN kind TEXT;
ALTER TABLE record_activity ADD COLUMN property TEXT;
ALTER TABLE record_activity ADD COLUMN old_value TEXT;
ALTER TABLE record_activity ADD COLUMN new_value TEXT;
