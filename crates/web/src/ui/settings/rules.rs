//! Settings > Notification rules (super admins): the account's custom
//! rules "send Slack notification", each with its last deliveries and
//! failures, the form that adds or edits one, and pausing and deleting.
//! Every check is the application layer's; this page decodes the form and
//! shows what it answers, each problem beside its field.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hubbub_app::inboxes::Channels;
use hubbub_app::rules::{RuleInput, RuleView, TargetInput, Trigger};
use hubbub_app::{Error as AppError, Permission};
use hubbub_hub::search::{FilterInput, OPERATORS};
use hubbub_hub::timestamp::format_instant;
use hubbub_hub::{HubError, ObjectType};
use hubbub_store::{NotificationRule, RuleTarget, StoredTrigger};
use serde::Deserialize;
use serde_json::Value;

use super::inbox::channel_label;
use super::{with_status, NoFields, Notice};
use crate::ui::flash::see_other_confirming;
use crate::ui::page::{render, Chrome, PageError, PageResult};
use crate::ui::session::{CsrfForm, Viewer};
use crate::AppState;

const RULES: &str = "/settings/rules";
/// Filter rows the form offers.
const FILTER_ROWS: usize = 3;
/// The record types a rule can be about.
const TYPES: [ObjectType; 5] = [
    ObjectType::Deal,
    ObjectType::Ticket,
    ObjectType::Contact,
    ObjectType::Company,
    ObjectType::Task,
];

/// An entry of a `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices<'a>(
    entries: impl IntoIterator<Item = (String, String)> + 'a,
    chosen: &'a str,
) -> Vec<Choice> {
    entries
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == chosen,
            value,
            label,
        })
        .collect()
}

/// One filter row of the form.
#[derive(Default, Clone)]
pub struct FilterRow {
    pub property: String,
    pub operator: String,
    pub value: String,
    pub high: String,
}

/// The form as last sent (or as the rule being edited says).
#[derive(Default, Clone)]
pub struct RuleForm {
    pub name: String,
    pub object_type: String,
    pub kind: String,
    pub property: String,
    pub value: String,
    pub stage: String,
    pub priority: String,
    pub filters: Vec<FilterRow>,
    pub template: String,
    pub target: String,
    pub channel: String,
    pub channel_pasted: String,
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl RuleForm {
    fn new_rule() -> RuleForm {
        RuleForm {
            object_type: ObjectType::Deal.as_str().to_owned(),
            kind: "deal_stage".to_owned(),
            template: "{{ dealname }} ({{ amount }}) is won. Owner: {{ owner }}".to_owned(),
            target: "channel".to_owned(),
            ..RuleForm::default()
        }
        .padded()
    }

    /// With [`FILTER_ROWS`] filter rows, empty ones last.
    fn padded(mut self) -> RuleForm {
        while self.filters.len() < FILTER_ROWS {
            self.filters.push(FilterRow::default());
        }
        self
    }

    fn of(rule: &NotificationRule) -> RuleForm {
        let f = &rule.fields;
        let filters: Vec<FilterInput> = serde_json::from_str(&f.filters).unwrap_or_default();
        let (mut value, mut stage, mut priority) = (String::new(), String::new(), String::new());
        match f.trigger.kind.as_str() {
            "deal_stage" => stage = f.trigger.value.clone(),
            "ticket_priority" => priority = f.trigger.value.clone(),
            _ => value = f.trigger.value.clone(),
        }
        let (target, channel) = match &f.target {
            RuleTarget::Channel { id, .. } => ("channel", id.clone()),
            RuleTarget::Owner => ("owner", String::new()),
        };
        RuleForm {
            name: f.name.clone(),
            object_type: f.object_type.as_str().to_owned(),
            kind: f.trigger.kind.clone(),
            property: f.trigger.property.clone(),
            value,
            stage,
            priority,
            filters: filters
                .iter()
                .map(|i| FilterRow {
                    property: i.property_name.clone(),
                    operator: i.operator.clone(),
                    value: match &i.values {
                        Some(values) => {
                            values.iter().map(value_text).collect::<Vec<_>>().join(", ")
                        }
                        None => i.value.as_ref().map(value_text).unwrap_or_default(),
                    },
                    high: i.high_value.as_ref().map(value_text).unwrap_or_default(),
                })
                .collect(),
            template: f.template.clone(),
            target: target.to_owned(),
            channel,
            channel_pasted: String::new(),
        }
        .padded()
    }

    /// Reads the posted fields; repeated filter fields are the rows, in
    /// order.
    fn read(pairs: &[(String, String)]) -> RuleForm {
        let one = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let all = |key: &str| -> Vec<String> {
            pairs
                .iter()
                .filter(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .collect()
        };
        let (properties, operators, values, highs) = (
            all("filter_property"),
            all("filter_operator"),
            all("filter_value"),
            all("filter_high"),
        );
        let at = |list: &[String], i: usize| list.get(i).cloned().unwrap_or_default();
        RuleForm {
            name: one("name"),
            object_type: one("object_type"),
            kind: one("trigger_kind"),
            property: one("trigger_property"),
            value: one("trigger_value"),
            stage: one("trigger_stage"),
            priority: one("trigger_priority"),
            filters: (0..properties.len())
                .map(|i| FilterRow {
                    property: at(&properties, i),
                    operator: at(&operators, i),
                    value: at(&values, i),
                    high: at(&highs, i),
                })
                .collect(),
            template: one("template"),
            target: one("target"),
            channel: one("channel"),
            channel_pasted: one("channel_pasted"),
        }
        .padded()
    }

    /// What the use case takes: the trigger's value from the field its
    /// kind uses, the filled filter rows as the search API's filters.
    fn input(&self) -> RuleInput {
        let value = match self.kind.as_str() {
            "deal_stage" => &self.stage,
            "ticket_priority" => &self.priority,
            _ => &self.value,
        };
        let text =
            |s: &str| Some(Value::String(s.trim().to_owned())).filter(|_| !s.trim().is_empty());
        let filters = self
            .filters
            .iter()
            .filter(|f| !f.property.trim().is_empty())
            .map(|f| {
                let listed = matches!(f.operator.as_str(), "IN" | "NOT_IN");
                FilterInput {
                    property_name: f.property.trim().to_owned(),
                    operator: f.operator.clone(),
                    value: if listed { None } else { text(&f.value) },
                    values: listed.then(|| {
                        f.value
                            .split(',')
                            .map(str::trim)
                            .filter(|v| !v.is_empty())
                            .map(|v| Value::String(v.to_owned()))
                            .collect()
                    }),
                    high_value: text(&f.high),
                }
            })
            .collect();
        let channel = match self.channel_pasted.trim() {
            "" => self.channel.clone(),
            pasted => pasted.to_owned(),
        };
        RuleInput {
            name: self.name.clone(),
            object_type: self.object_type.clone(),
            trigger: StoredTrigger {
                kind: self.kind.clone(),
                property: self.property.clone(),
                value: value.clone(),
            },
            filters,
            template: self.template.clone(),
            target: if self.target == "owner" {
                TargetInput::Owner
            } else {
                TargetInput::Channel(channel)
            },
        }
    }
}

/// One delivery as the page shows it.
pub struct DeliveryRow {
    pub at: String,
    pub record_path: String,
    pub record_label: String,
    pub ok: bool,
    pub text: String,
}

/// One rule in the list.
pub struct RuleRow {
    pub id: i64,
    pub name: String,
    pub when: String,
    pub filters: Vec<String>,
    pub target: String,
    pub template: String,
    pub paused: bool,
    pub deliveries: Vec<DeliveryRow>,
}

impl RuleRow {
    fn of(v: RuleView) -> RuleRow {
        let filters = v
            .filters
            .iter()
            .map(|f| {
                let value = match (&f.values, &f.value, &f.high_value) {
                    (Some(values), _, _) => {
                        values.iter().map(value_text).collect::<Vec<_>>().join(", ")
                    }
                    (None, Some(low), Some(high)) => {
                        format!("{} and {}", value_text(low), value_text(high))
                    }
                    (None, Some(value), None) => value_text(value),
                    _ => String::new(),
                };
                format!("{} {} {value}", f.property_name, f.operator)
                    .trim_end()
                    .to_owned()
            })
            .collect();
        let deliveries = v
            .deliveries
            .iter()
            .map(|d| {
                let (ok, text) = match &d.outcome {
                    Ok(_) => (true, format!("Posted to {}", v.target)),
                    Err(why) => (false, format!("Failed: {why}")),
                };
                DeliveryRow {
                    at: format_instant(d.at),
                    record_path: d.object_type.record_path(d.record_id),
                    record_label: format!("{} #{}", d.object_type.label(), d.record_id),
                    ok,
                    text,
                }
            })
            .collect();
        RuleRow {
            id: v.rule.id,
            name: v.rule.fields.name.clone(),
            template: v.rule.fields.template.clone(),
            paused: v.rule.paused,
            when: v.when,
            filters,
            target: v.target,
            deliveries,
        }
    }
}

#[derive(Template)]
#[template(path = "settings/rules.html")]
struct RulesPage {
    chrome: Chrome,
    tab: &'static str,
    notice: Option<Notice>,
    rules: Vec<RuleRow>,
    /// The rule the form edits, if any.
    editing: Option<i64>,
    form: RuleForm,
    /// Problems with the form, by field; the filters' under `filters`.
    errors: Vec<(String, String)>,
    object_types: Vec<Choice>,
    kinds: Vec<Choice>,
    stages: Vec<Choice>,
    priorities: Vec<Choice>,
    operators: Vec<&'static str>,
    channels: Vec<Choice>,
    channels_error: Option<String>,
}

impl RulesPage {
    /// The problem with `field`, if any.
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    fn filter_errors(&self) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|(f, _)| f == "filters")
            .map(|(_, m)| m.as_str())
            .collect()
    }
}

/// Where each of the use case's field errors is shown.
const FORM_FIELDS: [&str; 8] = [
    "name",
    "object_type",
    "trigger_kind",
    "trigger_property",
    "trigger_value",
    "template",
    "channel",
    "target",
];

fn form_errors(e: HubError) -> Result<Vec<(String, String)>, HubError> {
    match e {
        HubError::Validation { errors, message } => Ok(if errors.is_empty() {
            vec![("filters".to_owned(), message)]
        } else {
            errors
                .into_iter()
                .map(|e| {
                    let field = e.field.unwrap_or_default();
                    let at = if FORM_FIELDS.contains(&field.as_str()) {
                        field
                    } else {
                        "filters".to_owned()
                    };
                    (at, e.message)
                })
                .collect()
        }),
        other => Err(other),
    }
}

async fn rules_page(
    state: &AppState,
    viewer: &Viewer,
    editing: Option<i64>,
    form: RuleForm,
    errors: Vec<(String, String)>,
) -> Result<RulesPage, PageError> {
    let actor = viewer.actor();
    let account_id = viewer.account_id();
    let app = &state.app;
    let rules = app
        .notification_rules(&actor)
        .await?
        .into_iter()
        .map(RuleRow::of)
        .collect();
    let store = app.store();
    let stages = store
        .pipelines(account_id, ObjectType::Deal)
        .await?
        .into_iter()
        .flat_map(|p| {
            let pipeline = p.label;
            p.stages
                .into_iter()
                .map(move |s| (s.id, format!("{} ({pipeline})", s.label)))
        });
    let priorities = store
        .property_set(account_id, ObjectType::Ticket)
        .await?
        .get(hubbub_app::rules::trigger::TICKET_PRIORITY)
        .map(|d| {
            d.options
                .iter()
                .map(|o| (o.value.clone(), o.label.clone()))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let (listed, channels_error) = match app.slack_channels(account_id).await? {
        Channels::NotLive => (
            Vec::new(),
            Some("Slack is not connected: connect it in Settings > App Marketplace to post in a channel.".to_owned()),
        ),
        Channels::Listed(l) => (l.channels, None),
        Channels::Failed(why) => (Vec::new(), Some(why)),
    };
    let channels = choices(
        listed.iter().map(|c| (c.id.clone(), channel_label(c))),
        &form.channel,
    );
    Ok(RulesPage {
        chrome: Chrome::new(viewer, "settings", "Notification rules"),
        tab: "rules",
        notice: None,
        rules,
        editing,
        object_types: choices(
            TYPES.map(|t| (t.as_str().to_owned(), t.label_plural().to_owned())),
            &form.object_type,
        ),
        kinds: choices(
            Trigger::KINDS.map(|(k, l)| (k.to_owned(), l.to_owned())),
            &form.kind,
        ),
        stages: choices(stages, &form.stage),
        priorities: choices(priorities, &form.priority),
        operators: OPERATORS.to_vec(),
        channels,
        channels_error,
        errors,
        form,
    })
}

#[derive(Deserialize, Default)]
pub struct RulesQuery {
    #[serde(default)]
    edit: Option<i64>,
}

/// Only super admins see the page; anyone else gets the 403 page.
async fn require_rule_manager(state: &AppState, viewer: &Viewer) -> Result<(), PageError> {
    Ok(state
        .app
        .authorize(&viewer.actor(), Permission::ManageRules)
        .await?)
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<RulesQuery>,
) -> PageResult {
    require_rule_manager(&state, &viewer).await?;
    let form = match q.edit {
        Some(id) => RuleForm::of(&state.app.notification_rule(&viewer.actor(), id).await?),
        None => RuleForm::new_rule(),
    };
    let page = rules_page(&state, &viewer, q.edit, form, Vec::new()).await?;
    Ok(render(&page))
}

/// Adds (`editing` none) or saves a rule; a refused form comes back with
/// each problem beside its field.
async fn save(
    state: &AppState,
    viewer: &Viewer,
    editing: Option<i64>,
    pairs: Vec<(String, String)>,
) -> PageResult {
    let form = RuleForm::read(&pairs);
    let actor = viewer.actor();
    let saved = match editing {
        None => {
            state
                .app
                .create_notification_rule(&actor, form.input())
                .await
        }
        Some(id) => {
            state
                .app
                .update_notification_rule(&actor, id, form.input())
                .await
        }
    };
    let errors = match saved {
        Ok(_) => {
            let done = match editing {
                Some(_) => "The rule was saved.",
                None => "The rule was added. It fires from now on.",
            };
            return Ok(see_other_confirming(state, viewer, RULES, done));
        }
        Err(AppError::Refused(e)) => form_errors(e)?,
        Err(other) => return Err(other.into()),
    };
    let mut page = rules_page(state, viewer, editing, form, errors).await?;
    page.notice = Some(Notice::error(
        "The rule was not saved: correct the form below.",
    ));
    Ok(with_status(StatusCode::BAD_REQUEST, render(&page)))
}

pub async fn create(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    save(&state, &viewer, None, form).await
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { viewer, form }: CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    save(&state, &viewer, Some(id), form).await
}

/// "Pause", "Resume" and "Delete" beside a rule.
pub async fn act(
    State(state): State<AppState>,
    Path((id, action)): Path<(i64, String)>,
    CsrfForm { viewer, .. }: CsrfForm<NoFields>,
) -> PageResult {
    let actor = viewer.actor();
    let app = &state.app;
    let done = match action.as_str() {
        "pause" => app
            .pause_notification_rule(&actor, id, true)
            .await
            .map(|_| "The rule is paused: it sends nothing until it is resumed."),
        "resume" => app
            .pause_notification_rule(&actor, id, false)
            .await
            .map(|_| "The rule is active again."),
        "delete" => app
            .delete_notification_rule(&actor, id)
            .await
            .map(|_| "The rule was deleted."),
        _ => return Err(PageError::not_found("There is no such action on a rule.")),
    }?;
    Ok(see_other_confirming(&state, &viewer, RULES, done))
}
