//! Hubbub's outbound Slack Web API client: slack-morphism's client and
//! models over a hyper connector whose API URL is `SLACK_API_URL` (Slack,
//! or the sandbox on plain-http loopback). Slack's `error` codes come back
//! as [`SlackErrorCode`]s. Tokens are only ever passed through, never
//! logged (slack-morphism's token type prints as redacted).

mod channels;
mod chat;
mod pace;
mod people;
mod threads;
mod unfurls;
mod views;

pub use channels::{channel_id_in, ChannelListing, SlackChannel};
pub use chat::{PostedMessage, Response};
pub use pace::{Limit, Pace, PaceClock, Pacer, MAX_INLINE_WAIT};
pub use threads::{Stamp, StampedPost};

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use thiserror::Error;

use pace::Call;

/// The longest the hub waits for one Web API answer: a Slack that hangs
/// fails the call as unreachable (retried with backoff) instead of holding
/// a job for ever.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

type Connector = SlackClientHyperConnector<HttpsConnector<HttpConnector>>;

/// A Slack Web API client, cheap to clone (one connection pool).
#[derive(Clone)]
pub struct SlackApi {
    pub(crate) client: Arc<SlackClient<Connector>>,
    api_url: String,
    pacer: Arc<Pacer>,
}

impl std::fmt::Debug for SlackApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackApi")
            .field("api_url", &self.api_url)
            .finish()
    }
}

/// An error code Slack answered with (`{"ok": false, "error": …}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlackErrorCode {
    InvalidCode,
    CodeAlreadyUsed,
    BadRedirectUri,
    BadClientSecret,
    InvalidClientId,
    InvalidAuth,
    NotAuthed,
    TokenRevoked,
    TokenExpired,
    AccountInactive,
    UserNotFound,
    /// `users.lookupByEmail`: nobody in the workspace has that email.
    UsersNotFound,
    Ratelimited,
    /// Posting: the channel is archived.
    IsArchived,
    /// Posting: the app's bot user is not in the channel.
    NotInChannel,
    /// No such channel, or a private one the app is not in.
    ChannelNotFound,
    Other(String),
}

impl SlackErrorCode {
    pub fn parse(code: &str) -> SlackErrorCode {
        match code {
            "invalid_code" => Self::InvalidCode,
            "code_already_used" => Self::CodeAlreadyUsed,
            "bad_redirect_uri" => Self::BadRedirectUri,
            "bad_client_secret" => Self::BadClientSecret,
            "invalid_client_id" => Self::InvalidClientId,
            "invalid_auth" => Self::InvalidAuth,
            "not_authed" => Self::NotAuthed,
            "token_revoked" => Self::TokenRevoked,
            "token_expired" => Self::TokenExpired,
            "account_inactive" => Self::AccountInactive,
            "user_not_found" => Self::UserNotFound,
            "users_not_found" => Self::UsersNotFound,
            "ratelimited" => Self::Ratelimited,
            "is_archived" => Self::IsArchived,
            "not_in_channel" => Self::NotInChannel,
            "channel_not_found" => Self::ChannelNotFound,
            other => Self::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidCode => "invalid_code",
            Self::CodeAlreadyUsed => "code_already_used",
            Self::BadRedirectUri => "bad_redirect_uri",
            Self::BadClientSecret => "bad_client_secret",
            Self::InvalidClientId => "invalid_client_id",
            Self::InvalidAuth => "invalid_auth",
            Self::NotAuthed => "not_authed",
            Self::TokenRevoked => "token_revoked",
            Self::TokenExpired => "token_expired",
            Self::AccountInactive => "account_inactive",
            Self::UserNotFound => "user_not_found",
            Self::UsersNotFound => "users_not_found",
            Self::Ratelimited => "ratelimited",
            Self::IsArchived => "is_archived",
            Self::NotInChannel => "not_in_channel",
            Self::ChannelNotFound => "channel_not_found",
            Self::Other(code) => code,
        }
    }

    /// The token no longer works: revoked, expired, the app removed from
    /// the workspace (`account_inactive`), or not accepted as a token at
    /// all (`invalid_auth`, `not_authed`). The one list every caller uses:
    /// a call answered with one of these disconnects the account instead
    /// of being retried.
    pub fn is_dead_token(&self) -> bool {
        matches!(
            self,
            Self::InvalidAuth
                | Self::NotAuthed
                | Self::TokenRevoked
                | Self::TokenExpired
                | Self::AccountInactive
        )
    }
}

impl SlackErrorCode {
    /// The app can no longer post in the channel: it was archived, the app
    /// was removed from it, or it is gone. Retrying cannot help until
    /// someone acts in Slack.
    pub fn is_channel_lost(&self) -> bool {
        matches!(
            self,
            Self::IsArchived | Self::NotInChannel | Self::ChannelNotFound
        )
    }
}

impl std::fmt::Display for SlackErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Error)]
pub enum SlackApiError {
    /// Slack answered, with an error code.
    #[error("Slack answered {0}")]
    Slack(SlackErrorCode),
    /// HTTP 429: too many calls; try again after `retry_after` (Slack's
    /// `Retry-After`, when it gave one).
    #[error("Slack is rate limiting the hub")]
    RateLimited { retry_after: Option<Duration> },
    /// Not sent: the call would go over Slack's rate limit (see
    /// [`Pacer`]); it may go after `wait`.
    #[error("the hub is keeping to Slack's rate limit")]
    Paced { wait: Duration },
    /// Slack could not be reached or answered something unreadable.
    #[error("Slack could not be reached: {0}")]
    Transport(String),
}

static RATELIMITED: SlackErrorCode = SlackErrorCode::Ratelimited;

impl SlackApiError {
    /// Slack answered that the token no longer works (see
    /// [`SlackErrorCode::is_dead_token`]).
    pub fn is_dead_token(&self) -> bool {
        self.code().is_some_and(SlackErrorCode::is_dead_token)
    }

    /// What Slack answered; a call the pacer held back counts as
    /// `ratelimited`, which is what Slack would have answered.
    pub fn code(&self) -> Option<&SlackErrorCode> {
        match self {
            Self::Slack(code) => Some(code),
            Self::RateLimited { .. } | Self::Paced { .. } => Some(&RATELIMITED),
            Self::Transport(_) => None,
        }
    }

    /// How long to wait before trying again when the hub is being (or
    /// keeping itself) rate limited; `None` for any other error, and for
    /// a 429 that did not say.
    pub fn wait(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } => *retry_after,
            Self::Paced { wait } => Some(*wait),
            _ => None,
        }
    }
}

impl From<SlackClientError> for SlackApiError {
    fn from(e: SlackClientError) -> Self {
        match e {
            SlackClientError::ApiError(api) => Self::Slack(SlackErrorCode::parse(&api.code)),
            SlackClientError::RateLimitError(limit) => Self::RateLimited {
                retry_after: limit.retry_after,
            },
            other => Self::Transport(other.to_string()),
        }
    }
}

/// What `oauth.v2.access` gave for a bot installation.
#[derive(Clone, PartialEq)]
pub struct OAuthAccess {
    pub bot_token: String,
    pub scopes: Vec<String>,
    pub bot_user_id: String,
    pub app_id: String,
    pub team_id: String,
    pub team_name: String,
    /// The Slack user who approved the installation.
    pub authed_user_id: String,
}

impl std::fmt::Debug for OAuthAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthAccess")
            .field("bot_token", &"<hidden>")
            .field("scopes", &self.scopes)
            .field("bot_user_id", &self.bot_user_id)
            .field("team_id", &self.team_id)
            .field("authed_user_id", &self.authed_user_id)
            .finish()
    }
}

/// The parts of `users.info` the hub uses.
#[derive(Debug, Clone, PartialEq)]
pub struct SlackUserInfo {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub is_admin: bool,
    pub is_owner: bool,
}

impl SlackUserInfo {
    /// May install apps for the workspace.
    pub fn is_workspace_admin(&self) -> bool {
        self.is_admin || self.is_owner
    }
}

/// The parts of a Slack user the hub keeps.
pub(crate) fn user_info(user: SlackUser) -> SlackUserInfo {
    SlackUserInfo {
        id: user.id.value().clone(),
        name: user.name.clone().unwrap_or_default(),
        email: user
            .profile
            .as_ref()
            .and_then(|p| p.email.as_ref())
            .map(|e| e.value().clone()),
        is_admin: user.flags.is_admin.unwrap_or(false),
        is_owner: user.flags.is_owner.unwrap_or(false)
            || user.flags.is_primary_owner.unwrap_or(false),
    }
}

pub(crate) fn token(value: &str) -> SlackApiToken {
    SlackApiToken::new(SlackApiTokenValue::new(value.to_owned()))
}

impl SlackApi {
    /// A client for the Web API at `api_url` (`https://slack.com/api`, or
    /// the sandbox's `http://…/api/`), pacing itself by `clock`. Plain
    /// http is allowed for loopback test servers only in the sense that
    /// the URL decides.
    pub fn new(api_url: &str, clock: PaceClock) -> Result<SlackApi, SlackApiError> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(|e| SlackApiError::Transport(format!("no TLS root certificates: {e}")))?
            .https_or_http()
            .enable_http1()
            .build();
        let api_url = api_url.trim_end_matches('/').to_owned();
        let connector =
            SlackClientHyperConnector::with_connector(https).with_slack_api_url(&api_url);
        Ok(SlackApi {
            client: Arc::new(SlackClient::new(connector)),
            api_url,
            pacer: Arc::new(Pacer::new(clock)),
        })
    }

    /// Sends `request` when the pacer lets `call` go (see [`Pacer`]),
    /// within [`REQUEST_TIMEOUT`].
    pub(crate) async fn paced<T>(
        &self,
        bot_token: &str,
        call: Call<'_>,
        request: impl Future<Output = Result<T, SlackClientError>>,
    ) -> Result<T, SlackApiError> {
        self.pacer.ready(bot_token, call).await?;
        timed(request).await
    }

    /// `oauth.v2.access`: exchanges a consent code for the bot token.
    pub async fn oauth_v2_access(
        &self,
        client_id: &str,
        client_secret: &str,
        code: &str,
        redirect_uri: &str,
    ) -> Result<OAuthAccess, SlackApiError> {
        let redirect_uri = redirect_uri
            .parse()
            .map_err(|e| SlackApiError::Transport(format!("bad redirect URL: {e}")))?;
        let request = SlackOAuthV2AccessTokenRequest::new(
            SlackClientId::new(client_id.to_owned()),
            SlackClientSecret::new(client_secret.to_owned()),
            SlackOAuthCode::new(code.to_owned()),
        )
        .with_redirect_uri(redirect_uri);
        let r = timed(self.client.oauth2_access(&request)).await?;
        Ok(OAuthAccess {
            bot_token: r.access_token.value().clone(),
            scopes: r
                .scope
                .value()
                .split([',', ' '])
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            bot_user_id: r.bot_user_id.map(|u| u.value().clone()).unwrap_or_default(),
            app_id: r.app_id.value().clone(),
            team_id: r.team.id.value().clone(),
            team_name: r.team.name.unwrap_or_default(),
            authed_user_id: r.authed_user.id.value().clone(),
        })
    }

    /// `users.info` with `bot_token`.
    pub async fn users_info(
        &self,
        bot_token: &str,
        user_id: &str,
    ) -> Result<SlackUserInfo, SlackApiError> {
        let token = token(bot_token);
        let session = self.client.open_session(&token);
        let request = SlackApiUsersInfoRequest::new(SlackUserId::new(user_id.to_owned()));
        let call = Call::Method("users.info", Pace::Tier4);
        let r = self
            .paced(bot_token, call, session.users_info(&request))
            .await?;
        Ok(user_info(r.user))
    }

    /// `auth.revoke`: the token stops working (and, for the installation's
    /// last token, the app is uninstalled).
    pub async fn auth_revoke(&self, bot_token: &str) -> Result<(), SlackApiError> {
        let token = token(bot_token);
        let session = self.client.open_session(&token);
        let params = NO_PARAMS.to_vec();
        let revoke = session
            .http_session_api
            .http_get("auth.revoke", &params, None);
        let call = Call::Method("auth.revoke", Pace::Tier3);
        let _: serde_json::Value = self.paced(bot_token, call, revoke).await?;
        Ok(())
    }
}

/// `request`, failed as [`SlackApiError::Transport`] when Slack has not
/// answered within [`REQUEST_TIMEOUT`].
pub(crate) async fn timed<T>(
    request: impl Future<Output = Result<T, SlackClientError>>,
) -> Result<T, SlackApiError> {
    match tokio::time::timeout(REQUEST_TIMEOUT, request).await {
        Ok(answer) => Ok(answer?),
        Err(_) => Err(SlackApiError::Transport(format!(
            "no answer within {} s",
            REQUEST_TIMEOUT.as_secs()
        ))),
    }
}

const NO_PARAMS: [(&str, Option<&'static String>); 0] = [];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_round_trip() {
        for code in [
            "invalid_code",
            "token_revoked",
            "bad_redirect_uri",
            "something_new",
            "is_archived",
            "not_in_channel",
            "channel_not_found",
        ] {
            assert_eq!(SlackErrorCode::parse(code).as_str(), code);
        }
        assert!(SlackErrorCode::parse("token_revoked").is_dead_token());
        assert_eq!(
            SlackErrorCode::parse("ratelimited"),
            SlackErrorCode::Ratelimited
        );
        assert!(SlackErrorCode::parse("is_archived").is_channel_lost());
        assert!(!SlackErrorCode::parse("ratelimited").is_channel_lost());
    }

    #[test]
    fn access_debug_hides_the_token() {
        let a = OAuthAccess {
            bot_token: "xoxb-secret".into(),
            scopes: vec![],
            bot_user_id: "B1".into(),
            app_id: "A1".into(),
            team_id: "T1".into(),
            team_name: "Acme".into(),
            authed_user_id: "U1".into(),
        };
        assert!(!format!("{a:?}").contains("xoxb"));
    }
}
