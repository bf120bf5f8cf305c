//! What the application layer needs to know about its surroundings.

use url::Url;

/// Slack's own host for `response_url`s.
pub const DEFAULT_SLACK_HOOKS_URL: &str = "https://hooks.slack.com/";

/// The Slack app's OAuth credentials, needed to connect a workspace.
#[derive(Clone)]
pub struct SlackAppConfig {
    pub client_id: String,
    pub client_secret: String,
    /// Slack's consent page (`SLACK_OAUTH_AUTHORIZE_URL`).
    pub authorize_url: String,
}

impl std::fmt::Debug for SlackAppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackAppConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<secret>")
            .field("authorize_url", &self.authorize_url)
            .finish()
    }
}

/// The application layer's settings.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The URL people and Slack reach the hub at, without a trailing
    /// slash: links in mail and Slack messages start with it.
    pub public_url: String,
    /// The Slack app's client id and secret; connecting says Slack is not
    /// configured without them.
    pub slack_app: Option<SlackAppConfig>,
    /// The Slack Web API base (`SLACK_API_URL`).
    pub slack_api_url: String,
    /// Where Slack's `response_url`s live (`SLACK_HOOKS_URL`): the hub
    /// answers a button press only at a URL under it, whatever a request
    /// claims.
    pub slack_hooks_url: String,
}

impl AppConfig {
    /// A hub at `public_url` with no Slack app, talking to Slack itself.
    pub fn new(public_url: &str) -> AppConfig {
        AppConfig {
            public_url: public_url.trim_end_matches('/').to_owned(),
            slack_app: None,
            slack_api_url: "https://slack.com/api".to_owned(),
            slack_hooks_url: DEFAULT_SLACK_HOOKS_URL.to_owned(),
        }
    }

    /// Whether `url` is one of Slack's `response_url`s: the same scheme,
    /// host and port as [`AppConfig::slack_hooks_url`], under its path.
    pub fn is_slack_response_url(&self, url: &str) -> bool {
        let (Ok(url), Ok(hooks)) = (Url::parse(url), Url::parse(&self.slack_hooks_url)) else {
            return false;
        };
        url.scheme() == hooks.scheme()
            && url.host_str() == hooks.host_str()
            && url.port_or_known_default() == hooks.port_or_known_default()
            && url.path().starts_with(hooks.path())
            && url.username().is_empty()
            && url.password().is_none()
    }

    /// `path` (which starts with `/`) under the hub's public URL.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    /// [`AppConfig::url`] as a parsed URL, for a Slack button or link; a
    /// public URL that is none is a configuration error.
    pub fn parsed_url(&self, path: &str) -> crate::Result<Url> {
        Url::parse(&self.url(path))
            .map_err(|e| crate::Error::Config(format!("the hub's public URL is not a URL: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_slacks_hooks_are_answered() {
        let config = AppConfig::new("https://hub.example.com");
        assert!(config.is_slack_response_url("https://hooks.slack.com/actions/T0001/1234/abcd"));
        for other in [
            "https://hooks.slack.com.evil.example/actions/x",
            "http://hooks.slack.com/actions/x",
            "https://evil.example/https://hooks.slack.com/",
            "https://user@hooks.slack.com/actions/x",
            "https://hooks.slack.com:8443/actions/x",
            "not a url",
        ] {
            assert!(!config.is_slack_response_url(other), "{other}");
        }
        let sandbox = AppConfig {
            slack_hooks_url: "http://127.0.0.1:3000/response/".to_owned(),
            ..config
        };
        assert!(sandbox.is_slack_response_url("http://127.0.0.1:3000/response/T1-abc"));
        assert!(!sandbox.is_slack_response_url("http://127.0.0.1:3000/api/chat.postMessage"));
        assert!(!sandbox.is_slack_response_url("http://127.0.0.1:19999/response/T1-abc"));
    }
}
