-- How much of a hub record a link pasted in Slack shows (its unfurl):
-- 'off', 'button_only', 'name_and_type' or 'full_details'. NULL until a
-- super admin chooses, which means the default, 'name_and_type'.
ALTER TABLE accounts ADD COLUMN slack_link_previews TEXT;
