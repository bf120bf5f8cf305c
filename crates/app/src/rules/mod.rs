//! Custom rules "send Slack notification", as the hub's automation offers
//! them: a super admin chooses a trigger ([`trigger`]), filters with the
//! search API's operators, a message template with record properties
//! ([`template`]) and a target, a channel the app is in or the record
//! owner's direct message. Every write of records reads the account's
//! active rules before it and enqueues, in its own transaction, one
//! delivery job per rule it fires ([`rule_jobs`]); the job posts the
//! message and records how it went ([`delivery`]), shown beside the rule.

pub mod delivery;
pub mod template;
pub mod trigger;

pub use trigger::{fires, rule_jobs, Rule, Trigger};

use hubbub_hub::pipeline::{find_stage, stage_label};
use hubbub_hub::search::FilterInput;
use hubbub_hub::{FieldError, HubError, ObjectType};
use hubbub_slack::client::channel_id_in;
use hubbub_store::{NotificationRule, RuleDelivery, RuleFields, RuleTarget, StoredTrigger};

use crate::inboxes::InboxSlackRefused;
use crate::{Actor, App, Error, Permission, Result};

use self::template::MAX_TEMPLATE_CHARS;
use self::trigger::{rule_condition, TICKET_PRIORITY};

/// A rule's name is one line of at most this many characters.
pub const MAX_RULE_NAME_CHARS: usize = 100;
/// Deliveries shown beside each rule.
pub const DELIVERIES_SHOWN: i64 = 5;

/// Where a rule's messages go, as the form sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetInput {
    /// A channel's id, or its link as Slack's "Copy link" gives it.
    Channel(String),
    Owner,
}

/// A rule as the form sends it.
#[derive(Debug, Clone)]
pub struct RuleInput {
    pub name: String,
    /// `deals`, `tickets`, … (a trigger about deals or tickets decides).
    pub object_type: String,
    pub trigger: StoredTrigger,
    pub filters: Vec<FilterInput>,
    pub template: String,
    pub target: TargetInput,
}

/// A rule as the settings page lists it.
pub struct RuleView {
    pub rule: NotificationRule,
    /// "When a deal enters the stage Closed Won"
    pub when: String,
    pub filters: Vec<FilterInput>,
    /// "#sales", "The record owner, by direct message"
    pub target: String,
    /// The last [`DELIVERIES_SHOWN`], newest first.
    pub deliveries: Vec<RuleDelivery>,
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new("INVALID_RULE", name, message)
}

impl App {
    /// The account's rules with their last deliveries (super admins).
    pub async fn notification_rules(&self, actor: &Actor) -> Result<Vec<RuleView>> {
        self.authorize(actor, Permission::ManageRules).await?;
        let account_id = actor.account_id();
        let store = self.store();
        let rules = store.notification_rules(account_id, false).await?;
        let mut deliveries = store.rule_deliveries(account_id, DELIVERIES_SHOWN).await?;
        let stages = self.lookups(account_id, ObjectType::Deal).await?.pipelines;
        let stage_label = |id: &str| stage_label(&stages, id);
        Ok(rules
            .into_iter()
            .map(|rule| {
                let f = &rule.fields;
                let noun = f.object_type.singular();
                let when = match Trigger::parse(&f.trigger) {
                    Some(Trigger::Created) => format!("When a {noun} is created"),
                    Some(Trigger::PropertyChanged { property, value }) => {
                        format!("When a {noun}'s {property} changes to {value}")
                    }
                    Some(Trigger::DealStage { stage }) => {
                        format!("When a deal enters the stage {}", stage_label(&stage))
                    }
                    Some(Trigger::TicketPriority { priority }) => {
                        format!("When a ticket is created with the priority {priority}")
                    }
                    None => format!("Unknown trigger {}", f.trigger.kind),
                };
                let target = match &f.target {
                    RuleTarget::Channel { name, .. } => format!("#{name}"),
                    RuleTarget::Owner => "The record owner, by direct message".to_owned(),
                };
                let (mine, rest) = deliveries.drain(..).partition(|d| d.rule_id == rule.id);
                deliveries = rest;
                RuleView {
                    filters: serde_json::from_str(&f.filters).unwrap_or_default(),
                    when,
                    target,
                    deliveries: mine,
                    rule,
                }
            })
            .collect())
    }

    /// One of the account's rules (super admins), for its form.
    pub async fn notification_rule(&self, actor: &Actor, id: i64) -> Result<NotificationRule> {
        self.authorize(actor, Permission::ManageRules).await?;
        Ok(self
            .store()
            .notification_rule(actor.account_id(), id)
            .await?)
    }

    /// Adds a rule, active at once. A channel is checked with Slack: the
    /// app must be in it.
    pub async fn create_notification_rule(
        &self,
        actor: &Actor,
        input: RuleInput,
    ) -> Result<NotificationRule> {
        self.authorize(actor, Permission::ManageRules).await?;
        let fields = self.checked_rule(actor.account_id(), input).await?;
        Ok(self
            .store()
            .create_notification_rule(actor.account_id(), &fields, actor.user_id(), self.now())
            .await?)
    }

    /// Replaces what a rule says, checked as when it was created.
    pub async fn update_notification_rule(
        &self,
        actor: &Actor,
        id: i64,
        input: RuleInput,
    ) -> Result<NotificationRule> {
        self.authorize(actor, Permission::ManageRules).await?;
        let account_id = actor.account_id();
        self.store().notification_rule(account_id, id).await?;
        let fields = self.checked_rule(account_id, input).await?;
        Ok(self
            .store()
            .update_notification_rule(account_id, id, &fields, actor.user_id(), self.now())
            .await?)
    }

    /// Pauses a rule (it fires no more, and what it fired and is not yet
    /// sent is dropped) or makes it active again.
    pub async fn pause_notification_rule(
        &self,
        actor: &Actor,
        id: i64,
        paused: bool,
    ) -> Result<NotificationRule> {
        self.authorize(actor, Permission::ManageRules).await?;
        Ok(self
            .store()
            .set_notification_rule_paused(
                actor.account_id(),
                id,
                paused,
                actor.user_id(),
                self.now(),
            )
            .await?)
    }

    /// Deletes a rule and what it recorded.
    pub async fn delete_notification_rule(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<NotificationRule> {
        self.authorize(actor, Permission::ManageRules).await?;
        Ok(self
            .store()
            .delete_notification_rule(actor.account_id(), id, actor.user_id())
            .await?)
    }

    /// The account's active rules about records of type `t`, read for
    /// matching. A rule that no longer reads (its filters name a property
    /// that is gone) is left out, and logged.
    pub(crate) async fn active_rules(&self, account_id: i64, t: ObjectType) -> Result<Vec<Rule>> {
        let stored: Vec<NotificationRule> = self
            .store()
            .notification_rules(account_id, true)
            .await?
            .into_iter()
            .filter(|r| r.fields.object_type == t)
            .collect();
        if stored.is_empty() {
            return Ok(Vec::new());
        }
        let props = self.store().property_set(account_id, t).await?;
        Ok(stored
            .iter()
            .filter_map(|r| match Rule::read(r, &props) {
                Ok(rule) => Some(rule),
                Err(e) => {
                    tracing::warn!(account_id, rule_id = r.id, error = %e, "a notification rule no longer reads; it does not fire");
                    None
                }
            })
            .collect())
    }

    /// The form's rule, checked: every problem with the field it is about,
    /// and, when there is none, the channel with Slack.
    async fn checked_rule(&self, account_id: i64, input: RuleInput) -> Result<RuleFields> {
        let mut errors = Vec::new();
        let name = input.name.trim().to_owned();
        if name.is_empty() {
            errors.push(field("name", "A rule needs a name."));
        } else if name.chars().count() > MAX_RULE_NAME_CHARS || name.contains(['\n', '\r']) {
            errors.push(field(
                "name",
                format!("A rule's name is one line of at most {MAX_RULE_NAME_CHARS} characters."),
            ));
        }
        let template = input.template.trim().to_owned();
        if template.is_empty() {
            errors.push(field("template", "Write the message the rule sends."));
        } else if template.chars().count() > MAX_TEMPLATE_CHARS {
            errors.push(field(
                "template",
                format!("A message has at most {MAX_TEMPLATE_CHARS} characters."),
            ));
        }
        let Some(trigger) = Trigger::parse(&input.trigger) else {
            errors.push(field("trigger_kind", "Choose what fires the rule."));
            return Err(HubError::fields(errors).into());
        };
        let object_type = match trigger.object_type() {
            Some(t) => t,
            None => match input.object_type.parse::<ObjectType>() {
                Ok(t) => t,
                Err(_) => {
                    errors.push(field("object_type", "Choose the kind of record."));
                    return Err(HubError::fields(errors).into());
                }
            },
        };
        self.check_trigger_value(account_id, &trigger, &mut errors)
            .await?;
        let props = self.store().property_set(account_id, object_type).await?;
        if let Trigger::PropertyChanged { property, .. } = &trigger {
            if props.get(property).is_none() {
                errors.push(field(
                    "trigger_property",
                    format!(
                        "There is no property {property:?} on {}.",
                        object_type.label_plural().to_lowercase()
                    ),
                ));
            }
        }
        if errors.is_empty() {
            if let Err(HubError::Validation { errors: found, .. }) =
                rule_condition(&trigger, &input.filters, &props)
            {
                errors.extend(found);
            }
        }
        if !errors.is_empty() {
            return Err(HubError::fields(errors).into());
        }
        let target = match input.target {
            TargetInput::Owner => RuleTarget::Owner,
            TargetInput::Channel(given) => self.rule_channel(account_id, &given).await?,
        };
        let filters = serde_json::to_string(&input.filters).expect("filters serialise to JSON");
        Ok(RuleFields {
            name,
            object_type,
            trigger: trigger.stored(),
            filters,
            template,
            target,
        })
    }

    /// A deal stage must be one of the account's; a priority one of the
    /// tickets' options; a changed property's value given.
    async fn check_trigger_value(
        &self,
        account_id: i64,
        trigger: &Trigger,
        errors: &mut Vec<FieldError>,
    ) -> Result<()> {
        match trigger {
            Trigger::Created => {}
            Trigger::PropertyChanged { property, value } => {
                if property.is_empty() {
                    errors.push(field(
                        "trigger_property",
                        "Choose the property that changes.",
                    ));
                }
                if value.is_empty() {
                    errors.push(field("trigger_value", "Give the value it changes to."));
                }
            }
            Trigger::DealStage { stage } => {
                let pipelines = self.store().pipelines(account_id, ObjectType::Deal).await?;
                if find_stage(&pipelines, stage).is_none() {
                    errors.push(field("trigger_value", "Choose one of the deal stages."));
                }
            }
            Trigger::TicketPriority { priority } => {
                let props = self
                    .store()
                    .property_set(account_id, ObjectType::Ticket)
                    .await?;
                let known = props
                    .get(TICKET_PRIORITY)
                    .is_some_and(|d| d.options.iter().any(|o| o.value == *priority));
                if !known {
                    errors.push(field(
                        "trigger_value",
                        "Choose one of the ticket priorities.",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The channel the form names, which the app must be in: checked with
    /// Slack now, refused with what to do about it.
    async fn rule_channel(&self, account_id: i64, given: &str) -> Result<RuleTarget> {
        let refuse =
            |message: String| -> Error { HubError::fields(vec![field("channel", message)]).into() };
        let given = given.trim();
        if given.is_empty() {
            return Err(refuse("Choose the channel the rule posts in.".to_owned()));
        }
        let Some(channel_id) = channel_id_in(given) else {
            return Err(refuse(InboxSlackRefused::NotAChannel.message()));
        };
        let live = match self.live_workspace(account_id).await {
            Ok(Some(live)) => live,
            Ok(None) => return Err(refuse("Slack is not connected, so the rule cannot post in a channel. Connect Slack in Settings > App Marketplace first, or send the rule to the record owner.".to_owned())),
            Err(Error::Config(why)) => return Err(refuse(why)),
            Err(e) => return Err(e),
        };
        match self
            .postable_channel(account_id, &live.token, &channel_id)
            .await
        {
            Ok(c) => Ok(RuleTarget::Channel {
                team_id: live.connection.team_id,
                id: c.id,
                name: c.name,
            }),
            Err(InboxSlackRefused::AppNotInChannel { channel }) => Err(refuse(format!(
                "The app is not in #{channel}, so it could not post there; nothing was saved. Invite @Hubbub to #{channel} first: in Slack, open #{channel} and type /invite @Hubbub, then save again."
            ))),
            Err(other) => Err(refuse(other.message())),
        }
    }
}
