//! Who acts. Each front-end establishes it its own way (a session cookie,
//! a mapped Slack user, a Bearer token, the command line) and passes it to
//! every use case, which checks what it may do in one place
//! ([`crate::permissions`]) and records where the change came from
//! ([`Via`]).

use hubbub_store::{TokenGrant, User};

/// The one who asks for a use case.
#[derive(Debug, Clone)]
pub enum Actor {
    /// Someone signed in to the web app.
    User(User),
    /// A Slack user mapped to a hub user of the account, in the account's
    /// connected workspace.
    Slack(SlackActor),
    /// A private-app API token, with its scopes.
    Token(TokenGrant),
    /// The operator at the command line (`hubbub admin …`), for one
    /// account.
    Operator { account_id: i64 },
    /// The web chat, for a website visitor: it finds or creates the
    /// visitor's contact, and may do nothing else.
    WebChat { account_id: i64 },
}

/// A Slack user acting as the hub user they are mapped to.
#[derive(Debug, Clone)]
pub struct SlackActor {
    pub user: User,
    pub team_id: String,
    pub slack_user_id: String,
}

/// Where a change came from, as timelines and the audit log say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Hub,
    Slack,
    Api,
    CommandLine,
    WebChat,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Hub => "in the hub",
            Via::Slack => "via Slack",
            Via::Api => "through the API",
            Via::CommandLine => "from the command line",
            Via::WebChat => "from the web chat",
        }
    }
}

impl Actor {
    pub fn account_id(&self) -> i64 {
        match self {
            Actor::User(user) => user.account_id,
            Actor::Slack(slack) => slack.user.account_id,
            Actor::Token(grant) => grant.account_id,
            Actor::Operator { account_id } | Actor::WebChat { account_id } => *account_id,
        }
    }

    /// The hub user behind the actor, when there is one (a token or the
    /// operator is nobody in particular).
    pub fn user(&self) -> Option<&User> {
        match self {
            Actor::User(user) => Some(user),
            Actor::Slack(slack) => Some(&slack.user),
            Actor::Token(_) | Actor::Operator { .. } | Actor::WebChat { .. } => None,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        self.user().map(|u| u.id)
    }

    pub fn via(&self) -> Via {
        match self {
            Actor::User(_) => Via::Hub,
            Actor::Slack(_) => Via::Slack,
            Actor::Token(_) => Via::Api,
            Actor::Operator { .. } => Via::CommandLine,
            Actor::WebChat { .. } => Via::WebChat,
        }
    }
}
