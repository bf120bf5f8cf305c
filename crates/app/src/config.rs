//! What the application layer needs to know about its surroundings.

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
}

impl AppConfig {
    /// A hub at `public_url` with no Slack app, talking to Slack itself.
    pub fn new(public_url: &str) -> AppConfig {
        AppConfig {
            public_url: public_url.trim_end_matches('/').to_owned(),
            slack_app: None,
            slack_api_url: "https://slack.com/api".to_owned(),
        }
    }

    /// `path` (which starts with `/`) under the hub's public URL.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }
}
