//! Sign-in sessions for the web app, and the record of sign-in attempts
//! that throttling counts. Only hashes of session tokens are stored.

use std::sync::LazyLock;

use hubbub_hub::auth::{hash_password, hash_token, verify_password};
use hubbub_hub::timestamp::{now_millis, Millis};
use rand::RngCore;
use sqlx::Row;

use crate::users::{user_from_row, User, USER_COLUMNS};
use crate::{Backend, Store, StoreResult};

/// A signed-in user and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
}

/// 32 random bytes, hex: a secret nobody can guess.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

impl Store {
    /// The live user with this email and password, if they match. The
    /// password hash is checked on a blocking thread: it takes tens of
    /// milliseconds of CPU by design, which must not stall other requests.
    pub async fn check_password(&self, email: &str, password: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = $1 AND archived = 0"
        ))
        .bind(email.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        // An unknown email costs the same effort as a real check, so timing
        // does not tell which emails have accounts.
        let hash = match &row {
            Some(row) => row.try_get::<String, _>("password_hash")?,
            None => DUMMY_HASH.clone(),
        };
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "a password check did not finish");
                false
            });
        match row {
            Some(row) if matches => Ok(Some(user_from_row(&row)?)),
            _ => Ok(None),
        }
    }

    /// Starts a session; returns the cookie token (never stored as such).
    pub async fn create_session(&self, user_id: i64, lifetime_ms: i64) -> StoreResult<String> {
        let token = random_token();
        let now = now_millis();
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(hash_token(&token))
        .bind(user_id)
        .bind(random_token())
        .bind(now)
        .bind(now + lifetime_ms)
        .execute(&self.writer)
        .await?;
        Ok(token)
    }

    /// The session behind a cookie token, if it is live and its user is.
    pub async fn session(&self, token: &str) -> StoreResult<Option<Session>> {
        let columns = USER_COLUMNS
            .split(", ")
            .map(|c| format!("u.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let row = sqlx::query(&format!(
            "SELECT {columns}, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.archived = 0"
        ))
        .bind(hash_token(token))
        .bind(now_millis())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Session {
                user: user_from_row(&r)?,
                csrf_token: r.try_get("csrf_token")?,
            })
        })
        .transpose()
    }

    pub async fn delete_session(&self, token: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(hash_token(token))
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Takes one of the password checks an email is allowed, in one
    /// atomic step: counts the attempts recorded since `since` and, when
    /// fewer than `max`, records one more at `now` and answers true. The
    /// attempt counts as a failure until [`Store::clear_login_failures`]
    /// (the check succeeded) removes it, so concurrent attempts can never
    /// check more passwords than `max`. SQLite's single writer serialises
    /// the step; on PostgreSQL a transaction-scoped advisory lock on the
    /// email does.
    pub async fn reserve_login_attempt(
        &self,
        email: &str,
        since: Millis,
        max: i64,
        now: Millis,
    ) -> StoreResult<bool> {
        let email = email.trim().to_lowercase();
        let mut tx = self.writer_tx().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                .bind(&email)
                .execute(&mut *tx)
                .await?;
        }
        let attempts: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_failures WHERE email = $1 AND failed_at > $2",
        )
        .bind(&email)
        .bind(since)
        .fetch_one(&mut *tx)
        .await?;
        if attempts >= max {
            return Ok(false);
        }
        sqlx::query("INSERT INTO login_failures (email, failed_at) VALUES ($1, $2)")
            .bind(&email)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn clear_login_failures(&self, email: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}

/// A hash checked against when the email is unknown.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("no such user"));
