//! Inboxes and their Slack setting: the switch "Slack notifications and
//! conversations" and the channel new conversations go to. The workspace
//! connection is the account's; an inbox's setting belongs to that
//! workspace and outlives a disconnect, so reconnecting the same
//! workspace brings it back as it was. And the websites allowed to embed
//! an inbox's chat widget.

use hubbub_hub::{FieldError, HubError};
use hubbub_slack::client::{channel_id_in, ChannelListing};
use hubbub_slack::{SlackApiError, SlackErrorCode};
use hubbub_store::{Inbox, InboxChannel, InboxSlackChoice};
use url::Url;

use crate::{Actor, App, Error, Permission, Result};

/// Why an inbox's Slack setting was not saved. Nothing was.
#[derive(Debug, Clone, PartialEq)]
pub enum InboxSlackRefused {
    NotConnected,
    /// What was pasted is not a channel's link or id.
    NotAChannel,
    Archived {
        channel: String,
    },
    /// The app must be invited to the channel first.
    AppNotInChannel {
        channel: String,
    },
    /// Slack does not know the channel (or it is private and the app is
    /// not in it).
    UnknownChannel,
    /// Slack could not be asked.
    Slack(String),
    /// The hub's own rules (bad input, a conflict).
    Invalid(String),
    Conflict(String),
}

impl InboxSlackRefused {
    /// What the page says.
    pub fn message(&self) -> String {
        match self {
            Self::NotConnected => "Slack is not connected, so nothing was saved. Connect it first.".to_owned(),
            Self::NotAChannel => "That is not a channel's link or ID. In Slack, open the channel's details: \"Copy link\" gives its link, and its ID (it starts with C) is at the bottom.".to_owned(),
            Self::Archived { channel } => format!("#{channel} is archived in Slack, so nothing was saved. Choose another channel."),
            Self::AppNotInChannel { channel } => format!("The app is not in #{channel}, so it could not post conversations there; nothing was saved. Invite it first: in Slack, open #{channel} and type /invite @Hubbub, then save again."),
            Self::UnknownChannel => "Slack does not know that channel, or it is private and the app is not in it, so nothing was saved. Invite the app to it first (/invite @Hubbub in the channel), then save again.".to_owned(),
            Self::Slack(trouble) => format!("Nothing was saved. {trouble}"),
            Self::Invalid(m) | Self::Conflict(m) => m.clone(),
        }
    }
}

/// What Slack said about the channels the app sees.
pub enum Channels {
    /// The account has no live connection, so nothing was asked.
    NotLive,
    Listed(ChannelListing),
    /// Slack could not say; why, said plainly.
    Failed(String),
}

/// A failed Slack call, said plainly. A dead token has already been dealt
/// with by `check_bot_call` (the account is disconnected).
pub fn slack_trouble(e: &SlackApiError) -> String {
    if e.is_dead_token() {
        return "Slack answered that the hub's access to the workspace no longer works: the app was removed in Slack or its token revoked. The connection is now marked disconnected; connect it again to go on.".to_owned();
    }
    match e.code() {
        Some(SlackErrorCode::Ratelimited) => {
            "Slack is rate limiting the hub right now. Wait a minute, then try again.".to_owned()
        }
        Some(code) => format!("Slack answered {code}. Try again; if it keeps happening, tell your administrator."),
        None => "Slack could not be reached. Try again in a moment; if it keeps happening, check the hub's connection to Slack.".to_owned(),
    }
}

/// Most websites one inbox's widget may be embedded on.
pub const MAX_ALLOWED_ORIGINS: usize = 50;

/// The websites typed in an inbox's settings, one per line, as the origins
/// browsers send (`https://acme.example`, `http://localhost:3000`), without
/// repeats; or, for each line that is not one, the line and why.
pub fn parse_origins(text: &str) -> Result<Vec<String>, HubError> {
    let mut origins: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match origin_of(line) {
            Ok(origin) if !origins.contains(&origin) => origins.push(origin),
            Ok(_) => {}
            Err(why) => errors.push(FieldError::new(
                "INVALID_ORIGIN",
                "origins",
                format!("Line {}, \"{line}\": {why}", n + 1),
            )),
        }
    }
    if errors.is_empty() && origins.len() > MAX_ALLOWED_ORIGINS {
        errors.push(FieldError::new(
            "TOO_MANY_ORIGINS",
            "origins",
            format!("An inbox allows at most {MAX_ALLOWED_ORIGINS} websites."),
        ));
    }
    if errors.is_empty() {
        Ok(origins)
    } else {
        Err(HubError::fields(errors))
    }
}

/// One line as an origin, or why it is not one.
fn origin_of(line: &str) -> Result<String, String> {
    let example = "write it like https://acme.example";
    let url = match Url::parse(line) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            return Err(format!(
                "a website needs its scheme: https://{line}, if that is the address"
            ))
        }
        Err(_) => return Err(format!("this is not a website address; {example}")),
    };
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        return Err(format!(
            "a website starts with https:// (or http://) and a host name; {example}"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("a website has no user name or password; {example}"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        let origin = url.origin().ascii_serialization();
        return Err(format!(
            "a website is its scheme and host alone, without a path: {origin}"
        ));
    }
    Ok(url.origin().ascii_serialization())
}

impl App {
    /// Adds an inbox (super admins).
    pub async fn create_inbox(&self, actor: &Actor, name: &str) -> Result<Inbox> {
        self.authorize(actor, Permission::AddInboxes).await?;
        Ok(self
            .store()
            .create_inbox(actor.account_id(), name, actor.user_id())
            .await?)
    }

    /// The channels the app sees in the account's workspace, for the
    /// picker. A listing that finds the token dead disconnects the account.
    pub async fn slack_channels(&self, account_id: i64) -> Result<Channels> {
        let live = match self.live_workspace(account_id).await {
            Ok(Some(live)) => live,
            Ok(None) => return Ok(Channels::NotLive),
            Err(Error::Config(why)) => return Ok(Channels::Failed(why)),
            Err(e) => return Err(e),
        };
        let result = self.slack_api().list_channels(&live.token).await;
        Ok(match self.check_bot_call(account_id, result).await {
            Ok(listing) => Channels::Listed(listing),
            Err(e) => Channels::Failed(slack_trouble(&e)),
        })
    }

    /// Saves an inbox's switch and channel, given as an id from the picker
    /// or as a pasted link or id (which wins when given). The channel is
    /// checked with Slack at the moment of saving.
    pub async fn save_inbox_slack(
        &self,
        actor: &Actor,
        inbox_id: i64,
        enabled: bool,
        picked: &str,
        pasted: &str,
    ) -> Result<Result<(), InboxSlackRefused>> {
        self.authorize(actor, Permission::ConnectApps).await?;
        let account_id = actor.account_id();
        let channel_id = match pasted.trim() {
            "" => picked.trim().to_owned(),
            pasted => match channel_id_in(pasted) {
                Some(id) => id,
                None => return Ok(Err(InboxSlackRefused::NotAChannel)),
            },
        };
        // Another account's inbox is not found, whatever Slack would say.
        self.store().inbox(account_id, inbox_id).await?;
        let live = match self.live_workspace(account_id).await {
            Ok(Some(live)) => live,
            Ok(None) => return Ok(Err(InboxSlackRefused::NotConnected)),
            Err(Error::Config(why)) => return Ok(Err(InboxSlackRefused::Slack(why))),
            Err(e) => return Err(e),
        };
        let channel = if channel_id.is_empty() {
            None
        } else {
            match self
                .postable_channel(account_id, &live.token, &channel_id)
                .await
            {
                Ok(channel) => Some(channel),
                Err(refused) => return Ok(Err(refused)),
            }
        };
        let choice = InboxSlackChoice { enabled, channel };
        let user_id = actor.user_id();
        match self
            .store()
            .save_inbox_slack(
                account_id,
                inbox_id,
                &live.connection.team_id,
                &choice,
                user_id,
            )
            .await
            .map_err(Error::from)
        {
            Ok(_) => Ok(Ok(())),
            Err(Error::Refused(e @ hubbub_hub::HubError::Validation { .. })) => {
                Ok(Err(InboxSlackRefused::Invalid(e.to_string())))
            }
            Err(Error::Refused(hubbub_hub::HubError::Conflict(m))) => {
                Ok(Err(InboxSlackRefused::Conflict(m)))
            }
            Err(other) => Err(other),
        }
    }

    /// Asks Slack about the chosen channel: it must exist, be open, and
    /// have the app in it (Slack lets the app post only there).
    pub(crate) async fn postable_channel(
        &self,
        account_id: i64,
        token: &str,
        channel_id: &str,
    ) -> std::result::Result<InboxChannel, InboxSlackRefused> {
        let result = self.slack_api().channel_info(token, channel_id).await;
        match self.check_bot_call(account_id, result).await {
            Ok(c) if c.is_archived => Err(InboxSlackRefused::Archived { channel: c.name }),
            Ok(c) if !c.is_member => Err(InboxSlackRefused::AppNotInChannel { channel: c.name }),
            Ok(c) => Ok(InboxChannel {
                id: c.id,
                name: c.name,
            }),
            Err(SlackApiError::Slack(SlackErrorCode::ChannelNotFound)) => {
                Err(InboxSlackRefused::UnknownChannel)
            }
            Err(e) => Err(InboxSlackRefused::Slack(slack_trouble(&e))),
        }
    }

    /// "Disconnect from Slack" for one inbox: its setting is switched off
    /// and its channel forgotten; the workspace stays connected. Says
    /// whether it had anything to end.
    pub async fn turn_off_inbox_slack(&self, actor: &Actor, inbox_id: i64) -> Result<bool> {
        self.authorize(actor, Permission::ConnectApps).await?;
        Ok(self
            .store()
            .turn_off_inbox_slack(actor.account_id(), inbox_id, actor.user_id())
            .await?)
    }

    /// Sets the websites allowed to embed the inbox's chat widget, from
    /// the settings' text (one origin per line; see [`parse_origins`]).
    /// The hub's own pages are always allowed. Answers what was saved.
    pub async fn set_inbox_origins(
        &self,
        actor: &Actor,
        inbox_id: i64,
        text: &str,
    ) -> Result<Vec<String>> {
        self.authorize(actor, Permission::ConnectApps).await?;
        let origins = parse_origins(text)?;
        self.store()
            .set_inbox_origins(actor.account_id(), inbox_id, &origins)
            .await?;
        Ok(origins)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_read_one_per_line_and_normalized() {
        assert_eq!(
            parse_origins(
                " https://Acme.Example/ \n\nhttp://localhost:3000\nhttps://acme.example:443\n"
            )
            .unwrap(),
            ["https://acme.example", "http://localhost:3000"]
        );
        assert_eq!(parse_origins("").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn a_line_that_is_not_an_origin_is_named() {
        let HubError::Validation { errors, .. } = parse_origins(
            "https://ok.example\nacme.example\nhttps://acme.example/shop\nftp://x.example\n*",
        )
        .unwrap_err() else {
            panic!("a validation error")
        };
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(
            messages[0].starts_with("Line 2, \"acme.example\""),
            "{messages:?}"
        );
        assert!(messages[0].contains("https://acme.example"), "{messages:?}");
        assert!(messages[1].starts_with("Line 3,"), "{messages:?}");
        assert!(messages[1].contains("without a path"), "{messages:?}");
        assert!(messages[2].starts_with("Line 4,"), "{messages:?}");
        assert!(messages[3].starts_with("Line 5,"), "{messages:?}");
        assert!(parse_origins("https://user:pw@acme.example").is_err());
    }
}
