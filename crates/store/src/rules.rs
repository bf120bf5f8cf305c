//! Custom rules "send Slack notification" (`notification_rules`) and what
//! became of their messages (`rule_deliveries`). The store keeps a rule's
//! trigger and filters as the application layer wrote them; it reads them
//! back for it, and never interprets them.

use hubbub_hub::timestamp::Millis;
use hubbub_hub::{HubError, ObjectType};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::slack::audit_on;
use crate::{flag, Store, StoreResult};

/// Deliveries kept per rule: the page shows the last few.
pub const RULE_DELIVERIES_KEPT: i64 = 20;

/// What fires a rule, as stored: a kind and, for some kinds, a property
/// and a value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredTrigger {
    pub kind: String,
    pub property: String,
    pub value: String,
}

/// Where a rule's messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleTarget {
    /// A channel of the workspace `team_id`; its name as it was when
    /// chosen, to show without asking Slack.
    Channel {
        team_id: String,
        id: String,
        name: String,
    },
    /// A direct message to the record's owner.
    Owner,
}

/// What an admin saves for a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleFields {
    pub name: String,
    pub object_type: ObjectType,
    pub trigger: StoredTrigger,
    /// The filters as JSON (a list of the search API's filters).
    pub filters: String,
    pub template: String,
    pub target: RuleTarget,
}

/// A rule as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationRule {
    pub id: i64,
    pub account_id: i64,
    pub fields: RuleFields,
    pub paused: bool,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub updated_by: Option<i64>,
}

/// Where a posted message is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub channel_id: String,
    pub ts: String,
}

/// One message of a rule: posted, or why not.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDelivery {
    pub id: i64,
    pub rule_id: i64,
    pub object_type: ObjectType,
    pub record_id: i64,
    pub outcome: Result<Posted, String>,
    pub at: Millis,
}

const RULE_COLUMNS: &str = "id, account_id, name, object_type, trigger_kind, trigger_property, \
     trigger_value, filters, template, target_kind, team_id, channel_id, channel_name, paused, \
     created_at, updated_at, updated_by";

fn object_type(text: &str) -> Result<ObjectType, sqlx::Error> {
    text.parse()
        .map_err(|_| sqlx::Error::Decode(format!("unknown object type {text:?}").into()))
}

fn rule_from_row(r: &AnyRow) -> Result<NotificationRule, sqlx::Error> {
    let target_kind: String = r.try_get(9)?;
    let target = match target_kind.as_str() {
        "owner" => RuleTarget::Owner,
        "channel" => RuleTarget::Channel {
            team_id: r.try_get::<Option<String>, _>(10)?.unwrap_or_default(),
            id: r.try_get::<Option<String>, _>(11)?.unwrap_or_default(),
            name: r.try_get::<Option<String>, _>(12)?.unwrap_or_default(),
        },
        other => {
            return Err(sqlx::Error::Decode(
                format!("unknown rule target {other:?}").into(),
            ))
        }
    };
    Ok(NotificationRule {
        id: r.try_get(0)?,
        account_id: r.try_get(1)?,
        fields: RuleFields {
            name: r.try_get(2)?,
            object_type: object_type(&r.try_get::<String, _>(3)?)?,
            trigger: StoredTrigger {
                kind: r.try_get(4)?,
                property: r.try_get(5)?,
                value: r.try_get(6)?,
            },
            filters: r.try_get(7)?,
            template: r.try_get(8)?,
            target,
        },
        paused: r.try_get::<i64, _>(13)? != 0,
        created_at: r.try_get(14)?,
        updated_at: r.try_get(15)?,
        updated_by: r.try_get(16)?,
    })
}

fn delivery_from_row(r: &AnyRow) -> Result<RuleDelivery, sqlx::Error> {
    let outcome = if r.try_get::<i64, _>(4)? != 0 {
        Ok(Posted {
            channel_id: r.try_get::<Option<String>, _>(5)?.unwrap_or_default(),
            ts: r.try_get::<Option<String>, _>(6)?.unwrap_or_default(),
        })
    } else {
        Err(r.try_get::<Option<String>, _>(7)?.unwrap_or_default())
    };
    Ok(RuleDelivery {
        id: r.try_get(0)?,
        rule_id: r.try_get(1)?,
        object_type: object_type(&r.try_get::<String, _>(2)?)?,
        record_id: r.try_get(3)?,
        outcome,
        at: r.try_get(8)?,
    })
}

/// The target's columns: kind, team, channel id, channel name.
fn target_columns(target: &RuleTarget) -> (&str, Option<&str>, Option<&str>, Option<&str>) {
    match target {
        RuleTarget::Owner => ("owner", None, None, None),
        RuleTarget::Channel { team_id, id, name } => {
            ("channel", Some(team_id), Some(id), Some(name))
        }
    }
}

/// The columns an admin's [`RuleFields`] fill, in the order
/// [`bind_fields`] binds them.
const FIELD_COLUMNS: &str = "name, object_type, trigger_kind, trigger_property, trigger_value, \
     filters, template, target_kind, team_id, channel_id, channel_name";

/// `sql` with `account_id` as `$1`, the [`FIELD_COLUMNS`] as `$2` to `$12`,
/// then `now` and `user_id` as `$13` and `$14`.
fn bind_fields<'q>(
    sql: &'q str,
    account_id: i64,
    fields: &'q RuleFields,
    user_id: Option<i64>,
    now: Millis,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let (kind, team, channel, channel_name) = target_columns(&fields.target);
    sqlx::query(sql)
        .bind(account_id)
        .bind(&fields.name)
        .bind(fields.object_type.as_str())
        .bind(&fields.trigger.kind)
        .bind(&fields.trigger.property)
        .bind(&fields.trigger.value)
        .bind(&fields.filters)
        .bind(&fields.template)
        .bind(kind)
        .bind(team)
        .bind(channel)
        .bind(channel_name)
        .bind(now)
        .bind(user_id)
}

/// Ends a change of rule `rule_id`: runs `query`, which returns the rule
/// as changed (none: not found), records the change in the audit log as
/// (action, verb) and commits.
async fn change_rule<'q>(
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    rule_id: i64,
    account_id: i64,
    user_id: Option<i64>,
    (action, verb): (&str, &str),
) -> StoreResult<NotificationRule> {
    let row = query
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| not_found(rule_id))?;
    let rule = rule_from_row(&row)?;
    let detail = format!("{verb} the notification rule {}", rule.fields.name);
    audit_on(&mut tx, account_id, user_id, action, &detail).await?;
    tx.commit().await?;
    Ok(rule)
}

fn not_found(rule_id: i64) -> HubError {
    HubError::NotFound(format!(
        "There is no notification rule {rule_id} here. It may have been deleted."
    ))
}

impl Store {
    /// The account's rules, oldest first; only those not paused when
    /// `active_only`.
    pub async fn notification_rules(
        &self,
        account_id: i64,
        active_only: bool,
    ) -> StoreResult<Vec<NotificationRule>> {
        let paused = if active_only { " AND paused = 0" } else { "" };
        let rows = sqlx::query(&format!(
            "SELECT {RULE_COLUMNS} FROM notification_rules WHERE account_id = $1{paused} ORDER BY id"
        ))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(rule_from_row).collect::<Result<_, _>>()?)
    }

    /// One of the account's rules; another account's is not found.
    pub async fn notification_rule(
        &self,
        account_id: i64,
        rule_id: i64,
    ) -> StoreResult<NotificationRule> {
        let row = sqlx::query(&format!(
            "SELECT {RULE_COLUMNS} FROM notification_rules WHERE id = $1 AND account_id = $2"
        ))
        .bind(rule_id)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| not_found(rule_id))?;
        Ok(rule_from_row(&row)?)
    }

    /// Adds a rule (active), saying so in the audit log.
    pub async fn create_notification_rule(
        &self,
        account_id: i64,
        fields: &RuleFields,
        user_id: Option<i64>,
        now: Millis,
    ) -> StoreResult<NotificationRule> {
        let sql = format!(
            "INSERT INTO notification_rules (account_id, {FIELD_COLUMNS}, updated_at, \
             updated_by, paused, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0, $13) \
             RETURNING {RULE_COLUMNS}"
        );
        let tx = self.writer_tx().await?;
        let query = bind_fields(&sql, account_id, fields, user_id, now);
        let change = ("rule.created", "added");
        change_rule(tx, query, 0, account_id, user_id, change).await
    }

    /// Replaces what a rule says (it stays paused or active).
    pub async fn update_notification_rule(
        &self,
        account_id: i64,
        rule_id: i64,
        fields: &RuleFields,
        user_id: Option<i64>,
        now: Millis,
    ) -> StoreResult<NotificationRule> {
        let set: Vec<String> = FIELD_COLUMNS
            .split(", ")
            .chain(["updated_at", "updated_by"])
            .enumerate()
            .map(|(i, column)| format!("{column} = ${}", i + 2))
            .collect();
        let sql = format!(
            "UPDATE notification_rules SET {} WHERE account_id = $1 AND id = $15 \
             RETURNING {RULE_COLUMNS}",
            set.join(", ")
        );
        let tx = self.writer_tx().await?;
        let query = bind_fields(&sql, account_id, fields, user_id, now).bind(rule_id);
        let change = ("rule.updated", "changed");
        change_rule(tx, query, rule_id, account_id, user_id, change).await
    }

    /// Pauses a rule (it fires no more) or makes it active again.
    pub async fn set_notification_rule_paused(
        &self,
        account_id: i64,
        rule_id: i64,
        paused: bool,
        user_id: Option<i64>,
        now: Millis,
    ) -> StoreResult<NotificationRule> {
        let tx = self.writer_tx().await?;
        let sql = format!(
            "UPDATE notification_rules SET paused = $3, updated_at = $4, updated_by = $5 \
             WHERE id = $1 AND account_id = $2 RETURNING {RULE_COLUMNS}"
        );
        let query = sqlx::query(&sql)
            .bind(rule_id)
            .bind(account_id)
            .bind(flag(paused))
            .bind(now)
            .bind(user_id);
        let change = if paused {
            ("rule.paused", "paused")
        } else {
            ("rule.resumed", "resumed")
        };
        change_rule(tx, query, rule_id, account_id, user_id, change).await
    }

    /// Deletes a rule and its deliveries; returns what it was.
    pub async fn delete_notification_rule(
        &self,
        account_id: i64,
        rule_id: i64,
        user_id: Option<i64>,
    ) -> StoreResult<NotificationRule> {
        let mut tx = self.writer_tx().await?;
        sqlx::query(
            "DELETE FROM rule_deliveries WHERE rule_id IN \
             (SELECT id FROM notification_rules WHERE id = $1 AND account_id = $2)",
        )
        .bind(rule_id)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        let sql = format!(
            "DELETE FROM notification_rules WHERE id = $1 AND account_id = $2 \
             RETURNING {RULE_COLUMNS}"
        );
        let query = sqlx::query(&sql).bind(rule_id).bind(account_id);
        let change = ("rule.deleted", "deleted");
        change_rule(tx, query, rule_id, account_id, user_id, change).await
    }

    /// Records what became of one message of a rule, keeping only the
    /// rule's last [`RULE_DELIVERIES_KEPT`]. A rule deleted meanwhile
    /// records nothing.
    pub async fn record_rule_delivery(
        &self,
        rule_id: i64,
        record: (ObjectType, i64),
        outcome: &Result<Posted, String>,
        at: Millis,
    ) -> StoreResult<()> {
        let (ok, channel, ts, error) = match outcome {
            Ok(p) => (true, Some(p.channel_id.as_str()), Some(p.ts.as_str()), None),
            Err(e) => (false, None, None, Some(e.as_str())),
        };
        let mut tx = self.writer_tx().await?;
        sqlx::query(
            "INSERT INTO rule_deliveries (rule_id, object_type, record_id, ok, channel_id, ts, \
             error, at) SELECT id, $2, $3, $4, $5, $6, $7, $8 FROM notification_rules \
             WHERE id = $1",
        )
        .bind(rule_id)
        .bind(record.0.as_str())
        .bind(record.1)
        .bind(flag(ok))
        .bind(channel)
        .bind(ts)
        .bind(error)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM rule_deliveries WHERE rule_id = $1 AND id NOT IN \
             (SELECT id FROM rule_deliveries WHERE rule_id = $1 ORDER BY id DESC LIMIT $2)",
        )
        .bind(rule_id)
        .bind(RULE_DELIVERIES_KEPT)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The last `per_rule` deliveries of each of the account's rules,
    /// newest first.
    pub async fn rule_deliveries(
        &self,
        account_id: i64,
        per_rule: i64,
    ) -> StoreResult<Vec<RuleDelivery>> {
        let rows = sqlx::query(
            "SELECT id, rule_id, object_type, record_id, ok, channel_id, ts, error, at FROM \
             (SELECT d.*, ROW_NUMBER() OVER (PARTITION BY d.rule_id ORDER BY d.id DESC) AS n \
              FROM rule_deliveries d JOIN notification_rules r ON r.id = d.rule_id \
              WHERE r.account_id = $1) AS last WHERE n <= $2 ORDER BY id DESC",
        )
        .bind(account_id)
        .bind(per_rule)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(delivery_from_row)
            .collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_db::TestDb;

    fn fields(target: RuleTarget) -> RuleFields {
        RuleFields {
            name: "Won deals".into(),
            object_type: ObjectType::Deal,
            trigger: StoredTrigger {
                kind: "deal_stage".into(),
                property: String::new(),
                value: "closedwon".into(),
            },
            filters: "[]".into(),
            template: "{{ dealname }} was won".into(),
            target,
        }
    }

    #[tokio::test]
    async fn rules_are_kept_per_account_with_their_last_deliveries() {
        let db = TestDb::create().await;
        let store = &db.store;
        let (account_id, _) = db.account("Rules").await;
        let channel = RuleTarget::Channel {
            team_id: "T1".into(),
            id: "C1".into(),
            name: "sales".into(),
        };
        let rule = store
            .create_notification_rule(account_id, &fields(channel.clone()), None, 5)
            .await
            .unwrap();
        assert_eq!(rule.fields.target, channel);
        assert!(!rule.paused);
        let other = store
            .create_notification_rule(account_id, &fields(RuleTarget::Owner), None, 6)
            .await
            .unwrap();
        assert!(store
            .notification_rule(account_id + 1, rule.id)
            .await
            .is_err());

        let paused = store
            .set_notification_rule_paused(account_id, rule.id, true, None, 7)
            .await
            .unwrap();
        assert!(paused.paused);
        let mut changed = fields(RuleTarget::Owner);
        changed.name = "Won deals, to owners".into();
        let updated = store
            .update_notification_rule(account_id, rule.id, &changed, None, 8)
            .await
            .unwrap();
        assert_eq!(updated.fields, changed);
        assert!(updated.paused, "an edit keeps the rule paused");
        assert_eq!((updated.created_at, updated.updated_at), (5, 8));
        assert!(store
            .update_notification_rule(account_id + 1, rule.id, &changed, None, 8)
            .await
            .is_err());
        let active = store.notification_rules(account_id, true).await.unwrap();
        assert_eq!(active.iter().map(|r| r.id).collect::<Vec<_>>(), [other.id]);

        for n in 0..RULE_DELIVERIES_KEPT + 3 {
            let outcome = if n % 2 == 0 {
                Ok(Posted {
                    channel_id: "C1".into(),
                    ts: format!("{n}.0"),
                })
            } else {
                Err("not_in_channel".into())
            };
            store
                .record_rule_delivery(rule.id, (ObjectType::Deal, n), &outcome, n)
                .await
                .unwrap();
        }
        let kept = store.rule_deliveries(account_id, 100).await.unwrap();
        assert_eq!(kept.len() as i64, RULE_DELIVERIES_KEPT);
        let last = store.rule_deliveries(account_id, 2).await.unwrap();
        assert_eq!(last.len(), 2);
        assert_eq!(last[0].record_id, RULE_DELIVERIES_KEPT + 2);
        assert!(last[0].outcome.is_ok());
        assert_eq!(last[1].outcome, Err("not_in_channel".to_owned()));

        store
            .delete_notification_rule(account_id, rule.id, None)
            .await
            .unwrap();
        assert!(store
            .rule_deliveries(account_id, 5)
            .await
            .unwrap()
            .is_empty());
        // A delivery of a deleted rule is not recorded.
        store
            .record_rule_delivery(rule.id, (ObjectType::Deal, 1), &Err("x".into()), 9)
            .await
            .unwrap();
        assert!(store
            .rule_deliveries(account_id, 5)
            .await
            .unwrap()
            .is_empty());
    }
}
