//! Installing an app in a workspace, as Slack does for an app without
//! token rotation: the bot user, the installation, and its tokens.

use crate::ids::{id, now_secs, secret};
use crate::state::{Granted, Installation, State, Token, TokenKind, User};

impl State {
    /// Installs (or reinstalls) an app in a workspace as approved by
    /// `installer`. OAuth's `oauth.v2.access` and test set-up both come
    /// through here.
    ///
    /// As on Slack for apps without token rotation, an access token stands
    /// for the installation and does not expire: reinstalling where the app
    /// is installed hands back the same bot token, now holding the earlier
    /// scopes and the new ones, and the installer's live user token likewise
    /// (other people's user tokens are untouched). Only removing the app or
    /// `auth.revoke` ends a token; installing after that issues new ones.
    pub fn install(
        &mut self,
        team_id: &str,
        app_id: &str,
        installer: &str,
        bot_scopes: &[String],
        user_scopes: &[String],
    ) -> Granted {
        let bot_user_id = self.bot_user(team_id, app_id);
        let earlier = self.installation(team_id, app_id).cloned();
        let bot_scopes = union(
            earlier.as_ref().map_or(&[][..], |i| &i.bot_scopes),
            bot_scopes,
        );
        let installation = Installation {
            team_id: team_id.to_owned(),
            app_id: app_id.to_owned(),
            bot_user_id: bot_user_id.clone(),
            bot_id: self
                .installations
                .iter()
                .find(|i| i.team_id == team_id && i.app_id == app_id)
                .map(|i| i.bot_id.clone())
                .unwrap_or_else(|| id('B')),
            installer_user_id: installer.to_owned(),
            bot_scopes: bot_scopes.clone(),
            user_scopes: union(
                earlier.as_ref().map_or(&[][..], |i| &i.user_scopes),
                user_scopes,
            ),
            installed_at: earlier.map_or(now_secs() as u64, |i| i.installed_at),
            active: true,
        };
        self.installations
            .retain(|i| !(i.team_id == team_id && i.app_id == app_id));
        self.installations.push(installation);
        let bot_token = self.grant(team_id, app_id, TokenKind::Bot, &bot_user_id, &bot_scopes);
        let user_token = (!user_scopes.is_empty())
            .then(|| self.grant(team_id, app_id, TokenKind::User, installer, user_scopes));
        let user_scopes = user_token
            .as_ref()
            .and_then(|t| self.tokens.iter().find(|x| x.token == *t))
            .map(|t| t.scopes.clone())
            .unwrap_or_default();
        Granted {
            bot_token,
            bot_user_id,
            bot_scopes,
            user_token,
            user_scopes,
        }
    }

    /// The app's bot user in the workspace, made on first install and
    /// brought back if a removal deactivated it.
    fn bot_user(&mut self, team_id: &str, app_id: &str) -> String {
        if let Some(bot) = self
            .users
            .iter_mut()
            .find(|u| u.team_id == team_id && u.app_id.as_deref() == Some(app_id))
        {
            bot.deleted = false;
            return bot.id.clone();
        }
        let app_name = self.app(app_id).map(|a| a.name.clone()).unwrap_or_default();
        let bot = User {
            id: id('U'),
            team_id: team_id.to_owned(),
            name: app_name.to_lowercase().replace(' ', "_"),
            real_name: app_name.clone(),
            display_name: app_name,
            email: String::new(),
            is_admin: false,
            is_owner: false,
            is_bot: true,
            deleted: false,
            app_id: Some(app_id.to_owned()),
        };
        let bot_id = bot.id.clone();
        self.users.push(bot);
        bot_id
    }

    /// `user_id`'s live token of this kind for the app, now also holding
    /// `scopes`; a new one when there is none.
    fn grant(
        &mut self,
        team_id: &str,
        app_id: &str,
        kind: TokenKind,
        user_id: &str,
        scopes: &[String],
    ) -> String {
        let live = self.tokens.iter_mut().find(|t| {
            t.team_id == team_id
                && t.app_id == app_id
                && t.kind == kind
                && t.user_id == user_id
                && !t.revoked
        });
        if let Some(token) = live {
            token.scopes = union(&token.scopes, scopes);
            return token.token.clone();
        }
        let prefix = match kind {
            TokenKind::Bot => "xoxb",
            TokenKind::User => "xoxp",
        };
        let token = format!("{prefix}-{team_id}-{}", secret(12));
        self.tokens.push(Token {
            token: token.clone(),
            kind,
            team_id: team_id.to_owned(),
            user_id: user_id.to_owned(),
            app_id: app_id.to_owned(),
            scopes: scopes.to_vec(),
            revoked: false,
        });
        token
    }
}

/// `earlier` then the scopes of `more` it lacks, in order.
fn union(earlier: &[String], more: &[String]) -> Vec<String> {
    let mut all = earlier.to_vec();
    for s in more {
        if !all.contains(s) {
            all.push(s.clone());
        }
    }
    all
}
