//! `/hs`, the app's slash command: which sub-command was typed, and who
//! answers it. Slack wants an answer within 3 seconds: a sub-command
//! answers at once (help, an error) or opens its dialog while the
//! command's `trigger_id` is fresh.

use std::sync::LazyLock;

use bytes::Bytes;
use hubbub_slack::blocks;
use hubbub_slack::manifest::SLASH_COMMAND;
use hubbub_slack::SlashCommand;

use super::create::{created_type, Asker};
use super::inbound::SlackReply;
use super::messages;
use crate::{links, App, Result};

/// `/hs help`'s answer is the same for everyone, every time: written once.
static HELP: LazyLock<Bytes> =
    LazyLock::new(|| blocks::ephemeral_answer(&messages::hs_help(None)).into());

/// What `/hs …` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum HsCommand<'a> {
    /// `/hs`, `/hs help`, or a sub-command the app does not know (named).
    Help { unknown: Option<&'a str> },
    /// A sub-command that acts on the workspace's account.
    OnAccount(AccountCommand<'a>),
}

/// The sub-commands that act on the workspace's account.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AccountCommand<'a> {
    /// `/hs -feedback {text}`.
    Feedback { text: &'a str },
    /// `/hs search {text}`.
    Search { text: &'a str },
    /// `/hs create {type}`.
    Create { what: &'a str },
}

impl<'a> HsCommand<'a> {
    fn parse(text: &'a str) -> HsCommand<'a> {
        let text = text.trim();
        let (word, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        match word.to_lowercase().as_str() {
            "" | "help" | "-help" => HsCommand::Help { unknown: None },
            "-feedback" | "feedback" => {
                HsCommand::OnAccount(AccountCommand::Feedback { text: rest.trim() })
            }
            "search" | "find" => HsCommand::OnAccount(AccountCommand::Search { text: rest.trim() }),
            "create" | "new" => HsCommand::OnAccount(AccountCommand::Create { what: rest.trim() }),
            _ => HsCommand::Help {
                unknown: Some(word),
            },
        }
    }
}

impl App {
    /// `/hs create {type}`: the type's dialog, opened at once.
    async fn create_from_slack(
        &self,
        account_id: i64,
        command: &SlashCommand,
        what: &str,
    ) -> Result<SlackReply> {
        let Some(t) = created_type(what) else {
            return Ok(SlackReply::ephemeral(messages::create_what(what)));
        };
        let asker = Asker {
            account_id,
            team_id: &command.team_id,
            slack_user_id: &command.user_id,
            trigger_id: &command.trigger_id,
            response_url: Some(&command.response_url),
        };
        Ok(
            match self.open_create_dialog(&asker, t, Vec::new()).await? {
                None => SlackReply::Nothing,
                Some(why) => SlackReply::ephemeral(why),
            },
        )
    }

    /// The answer to a command from a workspace connected to no account
    /// (or no longer connected): where a super admin connects it.
    pub(crate) fn workspace_not_connected(&self) -> Result<SlackReply> {
        let marketplace = self.config().parsed_url(links::MARKETPLACE)?;
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
        let asked = match HsCommand::parse(&command.text) {
            HsCommand::Help { unknown: None } => return Ok(SlackReply::Ephemeral(HELP.clone())),
            HsCommand::Help { unknown } => {
                return Ok(SlackReply::ephemeral(messages::hs_help(unknown)))
            }
            HsCommand::OnAccount(asked) => asked,
        };
        let Some(account_id) = self.account_for_slack_team(&command.team_id).await? else {
            return self.workspace_not_connected();
        };
        match asked {
            AccountCommand::Feedback { text } => {
                self.open_feedback_dialog(account_id, command, text).await
            }
            AccountCommand::Search { text } => {
                self.search_from_slack(account_id, command, text).await
            }
            AccountCommand::Create { what } => {
                self.create_from_slack(account_id, command, what).await
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
            HsCommand::OnAccount(AccountCommand::Feedback {
                text: "Love the   previews"
            })
        );
        assert_eq!(
            HsCommand::parse("-Feedback"),
            HsCommand::OnAccount(AccountCommand::Feedback { text: "" })
        );
        assert_eq!(
            HsCommand::parse("search  Ada Lovelace "),
            HsCommand::OnAccount(AccountCommand::Search {
                text: "Ada Lovelace"
            })
        );
        assert_eq!(
            HsCommand::parse("search"),
            HsCommand::OnAccount(AccountCommand::Search { text: "" })
        );
        assert_eq!(
            HsCommand::parse("create  Deal"),
            HsCommand::OnAccount(AccountCommand::Create { what: "Deal" })
        );
        assert_eq!(
            HsCommand::parse("dance now"),
            HsCommand::Help {
                unknown: Some("dance")
            }
        );
    }
}
