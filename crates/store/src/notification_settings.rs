//! Where each notification topic goes: the account's defaults (set by a
//! super admin) and each user's overrides. A topic nobody set goes where
//! `Topic::default_channels` says; the application layer resolves the
//! three layers.

use std::collections::BTreeMap;

use hubbub_hub::timestamp::now_millis;
use hubbub_hub::topic::Channels;
use hubbub_hub::Topic;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Store, StoreResult};

fn flag(on: bool) -> i64 {
    i64::from(on)
}

/// A stored `(topic, hub, email, slack)` row, skipping topics this
/// version does not know.
fn topic_channels(r: &AnyRow, first: usize) -> Result<Option<(Topic, Channels)>, sqlx::Error> {
    let topic: String = r.try_get(first)?;
    let on = |i: usize| -> Result<bool, sqlx::Error> { Ok(r.try_get::<i64, _>(first + i)? != 0) };
    Ok(Topic::parse(&topic).map(|t| {
        (
            t,
            Channels {
                hub: on(1).unwrap_or(true),
                email: on(2).unwrap_or(false),
                slack: on(3).unwrap_or(false),
            },
        )
    }))
}

/// The account's choices: its defaults, and every user's overrides.
#[derive(Debug, Clone, Default)]
pub struct NotificationChoices {
    pub defaults: BTreeMap<Topic, Channels>,
    pub overrides: BTreeMap<(i64, Topic), Channels>,
}

impl Store {
    /// The defaults a super admin set for the account.
    pub async fn notification_defaults(
        &self,
        account_id: i64,
    ) -> StoreResult<BTreeMap<Topic, Channels>> {
        let rows = sqlx::query(
            "SELECT topic, hub, email, slack FROM notification_defaults WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = BTreeMap::new();
        for r in &rows {
            if let Some((t, c)) = topic_channels(r, 0)? {
                out.insert(t, c);
            }
        }
        Ok(out)
    }

    /// Every choice of the account, in two reads: what a change needs to
    /// decide where its notifications go.
    pub async fn notification_choices(&self, account_id: i64) -> StoreResult<NotificationChoices> {
        let defaults = self.notification_defaults(account_id).await?;
        let rows = sqlx::query(
            "SELECT o.user_id, o.topic, o.hub, o.email, o.slack FROM notification_overrides o \
             JOIN users u ON u.id = o.user_id WHERE u.account_id = $1",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        let mut overrides = BTreeMap::new();
        for r in &rows {
            let user_id: i64 = r.try_get(0)?;
            if let Some((t, c)) = topic_channels(r, 1)? {
                overrides.insert((user_id, t), c);
            }
        }
        Ok(NotificationChoices {
            defaults,
            overrides,
        })
    }

    pub async fn set_notification_default(
        &self,
        account_id: i64,
        topic: Topic,
        channels: Channels,
    ) -> StoreResult<()> {
        self.upsert_channels(
            "notification_defaults",
            "account_id",
            account_id,
            topic,
            channels,
        )
        .await
    }

    /// Writes a topic's channels for one account (defaults) or one user
    /// (overrides): the two tables have the same shape.
    async fn upsert_channels(
        &self,
        table: &str,
        key: &str,
        id: i64,
        topic: Topic,
        c: Channels,
    ) -> StoreResult<()> {
        sqlx::query(&format!(
            "INSERT INTO {table} ({key}, topic, hub, email, slack, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT ({key}, topic) DO UPDATE SET \
             hub = $3, email = $4, slack = $5, updated_at = $6"
        ))
        .bind(id)
        .bind(topic.as_str())
        .bind(flag(c.hub))
        .bind(flag(c.email))
        .bind(flag(c.slack))
        .bind(now_millis())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Sets the user's own choice for a topic, or (with `None`) goes back
    /// to the account's default.
    pub async fn set_notification_override(
        &self,
        user_id: i64,
        topic: Topic,
        channels: Option<Channels>,
    ) -> StoreResult<()> {
        let Some(c) = channels else {
            sqlx::query("DELETE FROM notification_overrides WHERE user_id = $1 AND topic = $2")
                .bind(user_id)
                .bind(topic.as_str())
                .execute(&self.writer)
                .await?;
            return Ok(());
        };
        self.upsert_channels("notification_overrides", "user_id", user_id, topic, c)
            .await
    }
}
