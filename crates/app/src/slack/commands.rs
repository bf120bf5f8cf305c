//! `/hs`, the app's slash command: which sub-command was typed, and who
//! answers it. Slack wants an answer within 3 seconds: a sub-command
//! answers at once (help, an error) or opens its dialog while the
//! command's `trigger_id` is fresh.

use hubbub_slack::manifest::SLASH_COMMAND;
use hubbub_slack::SlashCommand;

use super::inbound::SlackReply;
use super::messages;
use crate::{App, Result};

/// What `/hs …` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum HsCommand<'a> {
    /// `/hs`, `/hs help`, or a sub-command the app does not know (named).
    Help { unknown: Option<&'a str> },
    /// `/hs -feedback {text}`.
    Feedback { text: &'a str },
}

impl<'a> HsCommand<'a> {
    fn parse(text: &'a str) -> HsCommand<'a> {
        let text = text.trim();
        let (word, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        match word.to_lowercase().as_str() {
            "" | "help" | "-help" => HsCommand::Help { unknown: None },
            "-feedback" | "feedback" => HsCommand::Feedback { text: rest.trim() },
            _ => HsCommand::Help {
                unknown: Some(word),
            },
        }
    }
}

impl App {
    /// The answer to a command from a workspace connected to no account
    /// (or no longer connected): where a super admin connects it.
    pub(crate) fn workspace_not_connected(&self) -> Result<SlackReply> {
        let marketplace = self.config().parsed_url("/settings/marketplace")?;
        Ok(SlackReply::ephemeral(messages::workspace_not_connected(
            &marketplace,
        )))
    }

    /// `/hs …`. A sub-command that acts on the account reads which one the
    /// command's workspace is connected to (the signed `team_id`) itself:
    /// help needs none, and answers without touching the database.
    pub(crate) async fn run_hs(&self, command: &SlashCommand) -> Result<SlackReply> {
        if command.command != SLASH_COMMAND {
            return Ok(SlackReply::Nothing);
        }
        match HsCommand::parse(&command.text) {
            HsCommand::Help { unknown } => Ok(SlackReply::ephemeral(messages::hs_help(unknown))),
            HsCommand::Feedback { text } => {
                match self.account_for_slack_team(&command.team_id).await? {
                    Some(account_id) => self.open_feedback_dialog(account_id, command, text).await,
                    None => self.workspace_not_connected(),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_commands_are_read_from_the_first_word() {
        assert_eq!(HsCommand::parse(""), HsCommand::Help { unknown: None });
        assert_eq!(
            HsCommand::parse(" HELP "),
            HsCommand::Help { unknown: None }
        );
        assert_eq!(
            HsCommand::parse("-feedback  Love the   previews "),
            HsCommand::Feedback {
                text: "Love the   previews"
            }
        );
        assert_eq!(
            HsCommand::parse("-Feedback"),
            HsCommand::Feedback { text: "" }
        );
        assert_eq!(
            HsCommand::parse("dance now"),
            HsCommand::Help {
                unknown: Some("dance")
            }
        );
    }
}
