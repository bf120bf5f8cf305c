//! Inboxes, where an account's conversations land, and each inbox's link
//! to Slack: the switch "Slack notifications and conversations" and the
//! channel new conversations go to.
//!
//! An inbox's Slack setting belongs to the workspace it was made for and
//! outlives the connection: disconnecting the workspace (from the hub or
//! from inside Slack) deletes nothing here, it only pauses the setting,
//! and reconnecting the same workspace makes it active again as it was.
//! See [`InboxSlackStatus`].

use hubbub_hub::timestamp::{now_millis, Millis};
use hubbub_hub::HubError;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::slack::audit_on;
use crate::{flag, Store, StoreError, StoreResult};

/// The name of the inbox every account starts with.
pub const FIRST_INBOX_NAME: &str = "Inbox";

/// Longer names would not fit the inbox menu.
pub const MAX_INBOX_NAME_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq)]
pub struct Inbox {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub created_at: Millis,
}

/// A Slack channel chosen for an inbox. The name is kept as it was when
/// chosen, so that pages can show it without asking Slack.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxChannel {
    pub id: String,
    pub name: String,
}

/// What an admin chooses for an inbox in Slack (by default, off).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InboxSlackChoice {
    /// The switch "Slack notifications and conversations".
    pub enabled: bool,
    /// Where new conversations go.
    pub channel: Option<InboxChannel>,
}

/// An inbox's Slack setting for one workspace, as last saved.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxSlack {
    pub inbox_id: i64,
    pub team_id: String,
    pub choice: InboxSlackChoice,
    pub updated_at: Millis,
    pub updated_by: Option<i64>,
}

/// Where an inbox's Slack setting stands, given the account's connection.
#[derive(Debug, Clone, PartialEq)]
pub enum InboxSlackStatus {
    /// The account has never connected a workspace.
    NotConnected,
    /// The account's workspace is disconnected: its setting for this inbox
    /// (if it had one) is kept but does nothing until the same workspace
    /// is reconnected.
    Paused {
        team_id: String,
        setting: Option<InboxSlack>,
    },
    /// The account's workspace is connected: its setting for this inbox
    /// (`None` until an admin saves one) is in force.
    Live {
        team_id: String,
        setting: Option<InboxSlack>,
    },
}

const INBOX_COLUMNS: &str = "id, account_id, name, created_at";

fn inbox_from_row(r: &AnyRow) -> Result<Inbox, sqlx::Error> {
    Ok(Inbox {
        id: r.try_get(0)?,
        account_id: r.try_get(1)?,
        name: r.try_get(2)?,
        created_at: r.try_get(3)?,
    })
}

fn inbox_slack_from_row(r: &AnyRow) -> Result<InboxSlack, sqlx::Error> {
    let channel_id: Option<String> = r.try_get(3)?;
    let channel_name: Option<String> = r.try_get(4)?;
    Ok(InboxSlack {
        inbox_id: r.try_get(0)?,
        team_id: r.try_get(1)?,
        choice: InboxSlackChoice {
            enabled: r.try_get::<i64, _>(2)? != 0,
            channel: channel_id.map(|id| InboxChannel {
                id,
                name: channel_name.unwrap_or_default(),
            }),
        },
        updated_at: r.try_get(5)?,
        updated_by: r.try_get(6)?,
    })
}

/// The trimmed name, or why it cannot be an inbox's name. Uniqueness is
/// checked against the account's other inboxes by the caller.
fn checked_name(name: &str) -> Result<&str, HubError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(HubError::field(
            "REQUIRED",
            "name",
            "An inbox needs a name.",
        ));
    }
    if name.chars().count() > MAX_INBOX_NAME_CHARS {
        return Err(HubError::field(
            "TOO_LONG",
            "name",
            format!("An inbox name has at most {MAX_INBOX_NAME_CHARS} characters."),
        ));
    }
    Ok(name)
}

fn duplicate_name(name: &str) -> StoreError {
    HubError::Conflict(format!(
        "An inbox named {name} already exists. Choose another name."
    ))
    .into()
}

/// Adds an inbox inside the caller's transaction (the account's first one
/// is made with the account).
pub(crate) async fn insert_inbox(
    tx: &mut Transaction<'_, Any>,
    account_id: i64,
    name: &str,
    now: Millis,
) -> StoreResult<Inbox> {
    let row = sqlx::query(&format!(
        "INSERT INTO inboxes (account_id, name, created_at, public_key) VALUES ($1, $2, $3, $4) \
         RETURNING {INBOX_COLUMNS}"
    ))
    .bind(account_id)
    .bind(name)
    .bind(now)
    // The widget's key: public, but not guessable, so that nobody
    // enumerates inboxes.
    .bind(&crate::sessions::random_token()[..32])
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| match e {
        // Two admins adding the same name at once: the index refuses one.
        sqlx::Error::Database(db) if db.is_unique_violation() => duplicate_name(name),
        other => other.into(),
    })?;
    Ok(inbox_from_row(&row)?)
}

async fn inbox_on(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    inbox_id: i64,
) -> StoreResult<Inbox> {
    let row = sqlx::query(&format!(
        "SELECT {INBOX_COLUMNS} FROM inboxes WHERE id = $1 AND account_id = $2"
    ))
    .bind(inbox_id)
    .bind(account_id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| HubError::NotFound(format!("Inbox {inbox_id} does not exist")))?;
    Ok(inbox_from_row(&row)?)
}

impl Store {
    /// The account's inboxes, oldest (the first one) first.
    pub async fn inboxes(&self, account_id: i64) -> StoreResult<Vec<Inbox>> {
        let rows = sqlx::query(&format!(
            "SELECT {INBOX_COLUMNS} FROM inboxes WHERE account_id = $1 ORDER BY id"
        ))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(inbox_from_row).collect::<Result<_, _>>()?)
    }

    /// One of the account's inboxes; another account's is not found.
    pub async fn inbox(&self, account_id: i64, inbox_id: i64) -> StoreResult<Inbox> {
        let mut conn = self.pool.acquire().await?;
        inbox_on(&mut conn, account_id, inbox_id).await
    }

    /// Adds an inbox. Its name is required and unique in the account
    /// whatever its case; `user_id` is who added it, for the audit log.
    pub async fn create_inbox(
        &self,
        account_id: i64,
        name: &str,
        user_id: Option<i64>,
    ) -> StoreResult<Inbox> {
        let name = checked_name(name)?;
        let taken = self
            .inboxes(account_id)
            .await?
            .iter()
            .any(|i| i.name.to_lowercase() == name.to_lowercase());
        if taken {
            return Err(duplicate_name(name));
        }
        let mut tx = self.writer_tx().await?;
        let inbox = insert_inbox(&mut tx, account_id, name, now_millis()).await?;
        let detail = format!("added the inbox {name}");
        audit_on(&mut tx, account_id, user_id, "inbox.created", &detail).await?;
        tx.commit().await?;
        Ok(inbox)
    }

    /// Where the inbox's Slack setting stands: the account's connection
    /// (live, disconnected, or none) and the inbox's setting for that
    /// connection's workspace.
    pub async fn inbox_slack_status(
        &self,
        account_id: i64,
        inbox_id: i64,
    ) -> StoreResult<InboxSlackStatus> {
        let inbox = self.inbox(account_id, inbox_id).await?;
        let Some(connection) = self.slack_connection(account_id).await? else {
            return Ok(InboxSlackStatus::NotConnected);
        };
        let row = sqlx::query(
            "SELECT inbox_id, team_id, enabled, channel_id, channel_name, updated_at, updated_by \
             FROM inbox_slack WHERE inbox_id = $1 AND team_id = $2",
        )
        .bind(inbox.id)
        .bind(&connection.team_id)
        .fetch_optional(&self.pool)
        .await?;
        let setting = row.map(|r| inbox_slack_from_row(&r)).transpose()?;
        let team_id = connection.team_id.clone();
        Ok(if connection.is_live() {
            InboxSlackStatus::Live { team_id, setting }
        } else {
            InboxSlackStatus::Paused { team_id, setting }
        })
    }

    /// Saves what an admin chose for the inbox in the workspace `team_id`,
    /// which must be the account's live connection (checked in the same
    /// transaction, so that a disconnect or a different workspace in the
    /// meantime refuses it). Switching Slack on needs a channel.
    pub async fn save_inbox_slack(
        &self,
        account_id: i64,
        inbox_id: i64,
        team_id: &str,
        choice: &InboxSlackChoice,
        user_id: Option<i64>,
    ) -> StoreResult<InboxSlack> {
        if choice.enabled && choice.channel.is_none() {
            return Err(HubError::field(
                "REQUIRED",
                "channel",
                "Choose the channel new conversations go to, or leave Slack off for this inbox.",
            )
            .into());
        }
        let mut tx = self.writer_tx().await?;
        let inbox = inbox_on(&mut tx, account_id, inbox_id).await?;
        let live_team: Option<String> = sqlx::query_scalar(
            "SELECT team_id FROM slack_connections \
             WHERE account_id = $1 AND disconnected_at IS NULL",
        )
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?;
        if live_team.as_deref() != Some(team_id) {
            return Err(HubError::Conflict(
                "Slack is no longer connected to this workspace, so nothing was saved. Reload the page and try again."
                    .to_owned(),
            )
            .into());
        }
        let now = now_millis();
        let channel = choice.channel.as_ref();
        sqlx::query(
            "INSERT INTO inbox_slack (inbox_id, team_id, enabled, channel_id, channel_name, \
             updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (inbox_id, team_id) DO UPDATE SET enabled = excluded.enabled, \
             channel_id = excluded.channel_id, channel_name = excluded.channel_name, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(inbox.id)
        .bind(team_id)
        .bind(flag(choice.enabled))
        .bind(channel.map(|c| c.id.as_str()))
        .bind(channel.map(|c| c.name.as_str()))
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        let detail = format!(
            "set the inbox {} in Slack workspace {team_id}: {}, channel {}",
            inbox.name,
            if choice.enabled { "on" } else { "off" },
            channel.map_or("none".to_owned(), |c| format!("#{} ({})", c.name, c.id)),
        );
        audit_on(&mut tx, account_id, user_id, "inbox.slack", &detail).await?;
        tx.commit().await?;
        Ok(InboxSlack {
            inbox_id: inbox.id,
            team_id: team_id.to_owned(),
            choice: choice.clone(),
            updated_at: now,
            updated_by: user_id,
        })
    }

    /// "Disconnect from Slack" for one inbox: its setting in every
    /// workspace is switched off and its channel forgotten, so that
    /// nothing resumes on a reconnect. The workspace stays connected for
    /// the account's other inboxes. False when there was nothing to end.
    pub async fn turn_off_inbox_slack(
        &self,
        account_id: i64,
        inbox_id: i64,
        user_id: Option<i64>,
    ) -> StoreResult<bool> {
        let mut tx = self.writer_tx().await?;
        let inbox = inbox_on(&mut tx, account_id, inbox_id).await?;
        let done = sqlx::query(
            "UPDATE inbox_slack SET enabled = 0, channel_id = NULL, channel_name = NULL, \
             updated_at = $2, updated_by = $3 \
             WHERE inbox_id = $1 AND (enabled <> 0 OR channel_id IS NOT NULL)",
        )
        .bind(inbox.id)
        .bind(now_millis())
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let detail = format!("disconnected the inbox {} from Slack", inbox.name);
        audit_on(&mut tx, account_id, user_id, "inbox.slack", &detail).await?;
        tx.commit().await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_db::TestDb;
    use crate::{SlackInstall, User};

    async fn account(db: &TestDb, name: &str) -> (i64, User) {
        db.account(name).await
    }

    async fn connect(db: &TestDb, account_id: i64, admin: &User, team_id: &str) {
        let mut tx = db.store.begin_write().await.unwrap();
        crate::connect_slack_on(
            &mut tx,
            &SlackInstall {
                account_id,
                team_id: team_id.into(),
                team_name: "Acme".into(),
                bot_user_id: "UBOT".into(),
                installer_user_id: admin.id,
                installer_slack_user_id: "UADMIN".into(),
                installer_slack_email: None,
                scopes: vec!["channels:read".into()],
                bot_token_ciphertext: "sealed".into(),
            },
        )
        .await
        .unwrap()
        .unwrap();
        tx.commit().await.unwrap();
    }

    fn to_channel(id: &str, name: &str) -> InboxSlackChoice {
        InboxSlackChoice {
            enabled: true,
            channel: Some(InboxChannel {
                id: id.into(),
                name: name.into(),
            }),
        }
    }

    fn setting_of(status: &InboxSlackStatus) -> Option<&InboxSlackChoice> {
        match status {
            InboxSlackStatus::NotConnected => None,
            InboxSlackStatus::Paused { setting, .. } | InboxSlackStatus::Live { setting, .. } => {
                setting.as_ref().map(|s| &s.choice)
            }
        }
    }

    #[tokio::test]
    async fn every_account_starts_with_one_inbox() {
        let db = TestDb::create().await;
        let (account_id, _) = account(&db, "First").await;
        let inboxes = db.store.inboxes(account_id).await.unwrap();
        assert_eq!(inboxes.len(), 1);
        assert_eq!(inboxes[0].name, FIRST_INBOX_NAME);
        assert_eq!(
            db.store
                .inbox_slack_status(account_id, inboxes[0].id)
                .await
                .unwrap(),
            InboxSlackStatus::NotConnected
        );
    }

    #[tokio::test]
    async fn names_are_required_and_unique_per_account_whatever_their_case() {
        let db = TestDb::create().await;
        let (account_id, admin) = account(&db, "Names").await;
        let support = db
            .store
            .create_inbox(account_id, "  Support ", Some(admin.id))
            .await
            .unwrap();
        assert_eq!(support.name, "Support");

        for (name, expected) in [
            ("   ", "An inbox needs a name."),
            ("SUPPORT", "An inbox named SUPPORT already exists"),
            ("inbox", "An inbox named inbox already exists"),
        ] {
            let err = db
                .store
                .create_inbox(account_id, name, Some(admin.id))
                .await
                .unwrap_err();
            assert!(err.to_string().starts_with(expected), "{name:?}: {err}");
        }
        let long = "x".repeat(MAX_INBOX_NAME_CHARS + 1);
        assert!(db
            .store
            .create_inbox(account_id, &long, None)
            .await
            .is_err());

        // The index holds even when the check before it is raced past.
        let mut tx = db.store.writer_tx().await.unwrap();
        let err = insert_inbox(&mut tx, account_id, "sUpPoRt", 0)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Hub(HubError::Conflict(_))),
            "{err}"
        );
        drop(tx);

        let names: Vec<_> = db
            .store
            .inboxes(account_id)
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.name)
            .collect();
        assert_eq!(names, ["Inbox", "Support"]);
        let audit = db.store.audit_log(account_id, 10).await.unwrap();
        assert_eq!(audit[0].action, "inbox.created");
    }

    #[tokio::test]
    async fn each_account_sees_only_its_own_inboxes() {
        let db = TestDb::create().await;
        let (mine, admin) = account(&db, "Mine").await;
        let (theirs, _) = account(&db, "Theirs").await;
        let support = db
            .store
            .create_inbox(mine, "Support", Some(admin.id))
            .await
            .unwrap();
        // The same name is free in another account.
        db.store
            .create_inbox(theirs, "Support", None)
            .await
            .unwrap();

        assert!(matches!(
            db.store.inbox(theirs, support.id).await,
            Err(StoreError::Hub(HubError::NotFound(_)))
        ));
        assert!(db
            .store
            .inbox_slack_status(theirs, support.id)
            .await
            .is_err());
        assert!(db
            .store
            .turn_off_inbox_slack(theirs, support.id, Some(admin.id))
            .await
            .is_err());
        assert_eq!(db.store.inboxes(theirs).await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn a_setting_pauses_on_disconnect_and_returns_as_it_was_on_reconnect() {
        let db = TestDb::create().await;
        let (account_id, admin) = account(&db, "Pause").await;
        let inbox = db.store.inboxes(account_id).await.unwrap().remove(0);
        connect(&db, account_id, &admin, "T1").await;
        let status = db
            .store
            .inbox_slack_status(account_id, inbox.id)
            .await
            .unwrap();
        assert_eq!(
            status,
            InboxSlackStatus::Live {
                team_id: "T1".into(),
                setting: None
            }
        );

        let choice = to_channel("C1", "general");
        let saved = db
            .store
            .save_inbox_slack(account_id, inbox.id, "T1", &choice, Some(admin.id))
            .await
            .unwrap();
        assert_eq!(saved.updated_by, Some(admin.id));

        db.store
            .disconnect_slack(account_id, Some(admin.id), "test")
            .await
            .unwrap();
        let status = db
            .store
            .inbox_slack_status(account_id, inbox.id)
            .await
            .unwrap();
        assert!(
            matches!(status, InboxSlackStatus::Paused { .. }),
            "{status:?}"
        );
        assert_eq!(setting_of(&status), Some(&choice));
        // Nothing can be saved for a workspace that is not connected.
        let err = db
            .store
            .save_inbox_slack(account_id, inbox.id, "T1", &choice, Some(admin.id))
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Hub(HubError::Conflict(_))),
            "{err}"
        );

        connect(&db, account_id, &admin, "T1").await;
        let status = db
            .store
            .inbox_slack_status(account_id, inbox.id)
            .await
            .unwrap();
        assert!(
            matches!(status, InboxSlackStatus::Live { .. }),
            "{status:?}"
        );
        assert_eq!(setting_of(&status), Some(&choice));
    }

    #[tokio::test]
    async fn a_setting_belongs_to_the_workspace_it_was_made_for() {
        let db = TestDb::create().await;
        let (account_id, admin) = account(&db, "Teams").await;
        let inbox = db.store.inboxes(account_id).await.unwrap().remove(0);
        connect(&db, account_id, &admin, "T1").await;
        let choice = to_channel("C1", "general");
        db.store
            .save_inbox_slack(account_id, inbox.id, "T1", &choice, Some(admin.id))
            .await
            .unwrap();
        assert!(db
            .store
            .save_inbox_slack(account_id, inbox.id, "T2", &choice, Some(admin.id))
            .await
            .is_err());

        // Another workspace starts with no setting; the first one's comes
        // back with it.
        db.store
            .disconnect_slack(account_id, None, "test")
            .await
            .unwrap();
        connect(&db, account_id, &admin, "T2").await;
        let status = db
            .store
            .inbox_slack_status(account_id, inbox.id)
            .await
            .unwrap();
        assert_eq!(setting_of(&status), None);
        db.store
            .disconnect_slack(account_id, None, "test")
            .await
            .unwrap();
        connect(&db, account_id, &admin, "T1").await;
        let status = db
            .store
            .inbox_slack_status(account_id, inbox.id)
            .await
            .unwrap();
        assert_eq!(setting_of(&status), Some(&choice));
    }

    #[tokio::test]
    async fn switching_on_needs_a_channel_and_turning_off_forgets_it() {
        let db = TestDb::create().await;
        let (account_id, admin) = account(&db, "Off").await;
        let inbox = db.store.inboxes(account_id).await.unwrap().remove(0);
        connect(&db, account_id, &admin, "T1").await;
        let no_channel = InboxSlackChoice {
            enabled: true,
            channel: None,
        };
        let err = db
            .store
            .save_inbox_slack(account_id, inbox.id, "T1", &no_channel, Some(admin.id))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("Choose the channel"), "{err}");

        assert!(!db
            .store
            .turn_off_inbox_slack(account_id, inbox.id, Some(admin.id))
            .await
            .unwrap());
        db.store
            .save_inbox_slack(
                account_id,
                inbox.id,
                "T1",
                &to_channel("C1", "general"),
                Some(admin.id),
            )
            .await
            .unwrap();
        assert!(db
            .store
            .turn_off_inbox_slack(account_id, inbox.id, Some(admin.id))
            .await
            .unwrap());
        let status = db
            .store
            .inbox_slack_status(account_id, inbox.id)
            .await
            .unwrap();
        assert_eq!(
            setting_of(&status),
            Some(&InboxSlackChoice {
                enabled: false,
                channel: None
            })
        );
        let audit = db.store.audit_log(account_id, 10).await.unwrap();
        assert!(audit[0].detail.contains("disconnected the inbox Inbox"));
    }
}
