//! Signing in to the web app and out of it. Repeated failures for one
//! email pause signing in for it.

use crate::{App, Result};

/// Failed attempts allowed per email within the window before sign-in
/// for that email pauses.
pub const MAX_FAILURES: i64 = 5;
pub const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;
/// Sessions last a working week.
pub const SESSION_LIFETIME_MS: i64 = 7 * 24 * 3600 * 1000;

/// What a sign-in attempt gave.
#[derive(Debug)]
pub enum SignIn {
    /// A new session; the token goes in the session cookie.
    SignedIn { session_token: String },
    /// Too many failures for this email lately.
    Paused,
    /// The email and password do not match.
    Refused,
}

impl App {
    /// Checks an email and password. Each check first takes one of the
    /// email's allowed attempts (at most [`MAX_FAILURES`] in
    /// [`FAILURE_WINDOW_MS`], however many arrive at once); a wrong password
    /// keeps it as a failure, a right one clears them all.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<SignIn> {
        let email = email.trim().to_lowercase();
        let store = self.store();
        let now = self.now();
        let allowed = store
            .reserve_login_attempt(&email, now - FAILURE_WINDOW_MS, MAX_FAILURES, now)
            .await?;
        if !allowed {
            return Ok(SignIn::Paused);
        }
        let Some(user) = store.check_password(&email, password).await? else {
            return Ok(SignIn::Refused);
        };
        store.clear_login_failures(&email).await?;
        let session_token = store.create_session(user.id, SESSION_LIFETIME_MS).await?;
        Ok(SignIn::SignedIn { session_token })
    }

    pub async fn sign_out(&self, session_token: &str) -> Result<()> {
        Ok(self.store().delete_session(session_token).await?)
    }
}
