//! Create and edit forms, with fields made from the property definitions.
//! Input goes through the same checks as the API's (`record::prepare_new`
//! and `record::prepare_update`); a field that is wrong shows its error
//! beside it, with everything the person typed kept.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use hubbub_app::records::{Link, RecordInput};
use hubbub_app::Error as AppError;
use hubbub_hub::association::default_type;
use hubbub_hub::auth::Access;
use hubbub_hub::property::{PropertyDef, PropertySet, PropertyType, Storage};
use hubbub_hub::timestamp::{now_millis, parse_instant, to_date};
use hubbub_hub::{record, FieldError, HubError, ObjectType, Record};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::view::{KindView, Lookups, PAGE_TYPES};
use super::{load_record, parse_id, saved_message, Kind};
use crate::ui::flash::see_other_confirming;
use crate::ui::page::{render, Chrome, PageError, PageResult};
use crate::ui::session::{CsrfForm, Viewer};
use crate::AppState;

pub struct Choice {
    value: String,
    label: String,
    selected: bool,
}

pub struct ChoiceGroup {
    label: String,
    choices: Vec<Choice>,
}

pub struct FieldView {
    name: String,
    label: String,
    /// `text`, `email`, `tel`, `number`, `date`, `textarea` or `select`.
    input: &'static str,
    value: String,
    /// Options of a select; `groups` instead when they come in groups.
    choices: Vec<Choice>,
    groups: Vec<ChoiceGroup>,
    error: Option<String>,
    wide: bool,
}

#[derive(Template)]
#[template(path = "records/form.html")]
struct FormPage {
    chrome: Chrome,
    kind: KindView,
    heading: String,
    action: String,
    cancel: String,
    submit: String,
    with: String,
    with_title: String,
    fields: Vec<FieldView>,
    errors: Vec<String>,
}

/// The properties a form offers: every one a person may set.
fn editable(props: &PropertySet) -> impl Iterator<Item = &PropertyDef> {
    props.all().iter().filter(|d| d.storage == Storage::Value)
}

/// A stored value as its form field holds it.
fn form_value(def: &PropertyDef, stored: &str) -> String {
    match def.ptype {
        PropertyType::Date | PropertyType::Datetime => parse_instant(stored)
            .map(to_date)
            .unwrap_or_else(|| stored.to_owned()),
        _ => stored.to_owned(),
    }
}

fn choice(value: &str, label: &str, current: &str) -> Choice {
    Choice {
        value: value.to_owned(),
        label: label.to_owned(),
        selected: value == current,
    }
}

/// Adds the current value as a choice when it is none of the others, so
/// that saving the form unchanged keeps it.
fn keep_current(choices: &mut Vec<Choice>, current: &str) {
    if !current.is_empty() && !choices.iter().any(|c| c.value == current) {
        choices.push(choice(current, current, current));
    }
}

fn field(
    t: ObjectType,
    def: &PropertyDef,
    value: String,
    error: Option<String>,
    lookups: &Lookups,
) -> FieldView {
    let mut f = FieldView {
        name: def.name.clone(),
        label: def.label.clone(),
        input: "text",
        choices: Vec::new(),
        groups: Vec::new(),
        error,
        wide: false,
        value,
    };
    let v = f.value.clone();
    let pipeline_props = t.pipeline_properties();
    if pipeline_props.is_some_and(|(p, _)| p == def.name) {
        f.input = "select";
        f.choices = lookups
            .pipelines
            .iter()
            .map(|p| choice(&p.id, &p.label, &v))
            .collect();
        keep_current(&mut f.choices, &v);
    } else if pipeline_props.is_some_and(|(_, s)| s == def.name) {
        f.input = "select";
        f.choices = vec![choice("", "First stage of the pipeline", &v)];
        f.groups = lookups
            .pipelines
            .iter()
            .map(|p| ChoiceGroup {
                label: p.label.clone(),
                choices: p
                    .stages
                    .iter()
                    .map(|s| choice(&s.id, &s.label, &v))
                    .collect(),
            })
            .collect();
    } else if def.name == "hubspot_owner_id" {
        f.input = "select";
        f.choices = vec![choice("", "No one", &v)];
        f.choices.extend(
            lookups
                .users
                .iter()
                .filter(|u| !u.archived || u.id.to_string() == v)
                .map(|u| choice(&u.id.to_string(), &u.display_name(), &v)),
        );
        keep_current(&mut f.choices, &v);
    } else {
        match def.ptype {
            PropertyType::Enumeration => {
                f.input = "select";
                f.choices = vec![choice("", "—", &v)];
                f.choices
                    .extend(def.options.iter().map(|o| choice(&o.value, &o.label, &v)));
                keep_current(&mut f.choices, &v);
            }
            PropertyType::Bool => {
                f.input = "select";
                f.choices = vec![
                    choice("", "—", &v),
                    choice("true", "Yes", &v),
                    choice("false", "No", &v),
                ];
                keep_current(&mut f.choices, &v);
            }
            PropertyType::Number => f.input = "number",
            PropertyType::Date | PropertyType::Datetime => f.input = "date",
            PropertyType::String => {
                if def.is_multiline() {
                    f.input = "textarea";
                    f.wide = true;
                } else if def.name == "email" {
                    f.input = "email";
                } else if def.name.contains("phone") {
                    f.input = "tel";
                }
            }
        }
    }
    f
}

/// The submitted fields, `_csrf` and other form-only fields left out.
fn submitted(pairs: Vec<(String, String)>) -> BTreeMap<String, String> {
    pairs
        .into_iter()
        .filter(|(k, _)| !k.starts_with('_'))
        .map(|(k, v)| (k, v.trim().to_owned()))
        .collect()
}

fn with_value(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == "_with")
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Errors by field, and those no field shown can carry.
fn sort_errors(
    e: HubError,
    fields: &[&PropertyDef],
    unique: Option<&str>,
) -> Result<(BTreeMap<String, String>, Vec<String>), PageError> {
    let list: Vec<FieldError> = match e {
        HubError::Validation { message, errors } if errors.is_empty() => {
            vec![FieldError {
                message,
                code: "INVALID",
                field: None,
            }]
        }
        HubError::Validation { errors, .. } => errors,
        HubError::Conflict(message) => vec![FieldError {
            message: message.replace(
                "Contact already exists",
                "A contact with this email already exists",
            ),
            code: "CONFLICT",
            field: unique.map(str::to_owned),
        }],
        other => return Err(other.into()),
    };
    let mut by_field: BTreeMap<String, String> = BTreeMap::new();
    let mut general = Vec::new();
    for e in list {
        match e.field.filter(|f| fields.iter().any(|d| &d.name == f)) {
            Some(f) => {
                let entry = by_field.entry(f).or_default();
                if !entry.is_empty() {
                    entry.push(' ');
                }
                entry.push_str(&e.message);
            }
            None => general.push(e.message),
        }
    }
    Ok((by_field, general))
}

/// A refusal to show on the form; anything else is an error page.
fn hub_error(e: AppError) -> Result<HubError, PageError> {
    match e {
        AppError::Refused(h) => Ok(h),
        other => Err(other.into()),
    }
}

/// A record another one is being created alongside (`?with=contacts/12`),
/// checked to be a live record of the account that may associate.
async fn with_record(
    state: &AppState,
    viewer: &Viewer,
    t: ObjectType,
    raw: &str,
) -> Result<Option<Record>, PageError> {
    if raw.is_empty() {
        return Ok(None);
    }
    let bad = || PageError::not_found("The record to associate with does not exist.");
    let (type_name, id) = raw.split_once('/').ok_or_else(bad)?;
    let other = PAGE_TYPES
        .into_iter()
        .find(|o| o.as_str() == type_name)
        .filter(|o| default_type(t, *o).is_some())
        .ok_or_else(bad)?;
    let id = parse_id(other, id)?;
    Ok(Some(load_record(state, viewer, other, id).await?))
}

struct FormSpec<'a> {
    t: ObjectType,
    viewer: &'a Viewer,
    /// `None` while creating.
    record: Option<&'a Record>,
    with: Option<&'a Record>,
}

fn form_page(
    spec: FormSpec<'_>,
    props: &PropertySet,
    lookups: &Lookups,
    values: &BTreeMap<String, String>,
    mut field_errors: BTreeMap<String, String>,
    errors: Vec<String>,
) -> FormPage {
    let t = spec.t;
    let kind = KindView::of(t);
    let fields = editable(props)
        .map(|d| {
            let value = values.get(&d.name).cloned().unwrap_or_default();
            field(t, d, value, field_errors.remove(&d.name), lookups)
        })
        .collect();
    let (heading, action, cancel, submit) = match spec.record {
        Some(r) => (
            format!("Edit {}", r.title()),
            format!("{}/edit", t.record_path(r.id)),
            t.record_path(r.id),
            "Save".to_owned(),
        ),
        None => (
            format!("New {}", t.singular()),
            format!("/{t}/new"),
            spec.with
                .map(|w| w.object_type.record_path(w.id))
                .unwrap_or_else(|| format!("/{t}")),
            format!("Create {}", t.singular()),
        ),
    };
    FormPage {
        chrome: Chrome::new(spec.viewer, kind.path, heading.clone()),
        kind,
        heading,
        action,
        cancel,
        submit,
        with: spec
            .with
            .map(|w| format!("{}/{}", w.object_type, w.id))
            .unwrap_or_default(),
        with_title: spec.with.map(Record::title).unwrap_or_default(),
        fields,
        errors,
    }
}

/// The form again with everything typed kept, each error beside its field.
fn refused(
    spec: FormSpec<'_>,
    props: &PropertySet,
    lookups: &Lookups,
    values: &BTreeMap<String, String>,
    fields: &[&PropertyDef],
    error: HubError,
) -> PageResult {
    let (by_field, general) = sort_errors(error, fields, record::unique_property(spec.t))?;
    let page = form_page(spec, props, lookups, values, by_field, general);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    with: String,
}

pub async fn new(
    State(state): State<AppState>,
    Kind(t): Kind,
    viewer: Viewer,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let account_id = viewer.account_id();
    let with = with_record(&state, &viewer, t, &q.with).await?;
    let props = state.app.store().property_set(account_id, t).await?;
    let lookups = state.app.lookups(account_id, t).await?;
    let mut values = BTreeMap::new();
    if props.get("hubspot_owner_id").is_some() {
        values.insert(
            "hubspot_owner_id".into(),
            viewer.session.user.id.to_string(),
        );
    }
    if t == ObjectType::Task {
        values.insert("hs_timestamp".into(), to_date(now_millis()));
        values.insert("hs_task_status".into(), "NOT_STARTED".into());
    }
    if let (Some((p, _)), Some(first)) = (t.pipeline_properties(), lookups.pipelines.first()) {
        values.insert(p.into(), first.id.clone());
    }
    let spec = FormSpec {
        t,
        viewer: &viewer,
        record: None,
        with: with.as_ref(),
    };
    let page = form_page(spec, &props, &lookups, &values, BTreeMap::new(), Vec::new());
    Ok(render(&page))
}

pub async fn create(
    State(state): State<AppState>,
    Kind(t): Kind,
    CsrfForm { viewer, form }: CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let account_id = viewer.account_id();
    let with = with_record(&state, &viewer, t, &with_value(&form)).await?;
    let actor = viewer.actor();
    let records = state.app.records(&actor, t, Access::Write).await?;
    let props = records.props();
    let lookups = state.app.lookups(account_id, t).await?;
    let values = submitted(form);
    let fields: Vec<&PropertyDef> = editable(props).collect();
    let input: Map<String, Value> = fields
        .iter()
        .filter_map(|d| {
            values
                .get(&d.name)
                .filter(|v| !v.is_empty())
                .map(|v| (d, v))
        })
        .map(|(d, v)| (d.name.clone(), Value::String(v.clone())))
        .collect();
    let links = with
        .iter()
        .filter_map(|w| {
            default_type(t, w.object_type).map(|kind| Link {
                to: (w.object_type, w.id),
                type_ids: vec![kind.type_id],
            })
        })
        .collect();
    let new = RecordInput {
        properties: input,
        links,
    };
    let created = match records.create(vec![new]).await {
        Ok(mut created) => created.pop().expect("one record created"),
        Err(e) => {
            let spec = FormSpec {
                t,
                viewer: &viewer,
                record: None,
                with: with.as_ref(),
            };
            return refused(spec, props, &lookups, &values, &fields, hub_error(e)?);
        }
    };
    let done = format!("{} created", t.label());
    Ok(see_other_confirming(
        &state,
        &viewer,
        &t.record_path(created.id),
        &done,
    ))
}

pub async fn edit(
    State(state): State<AppState>,
    Kind(t): Kind,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let account_id = viewer.account_id();
    let id = parse_id(t, &id)?;
    let stored = load_record(&state, &viewer, t, id).await?;
    let props = state.app.store().property_set(account_id, t).await?;
    let lookups = state.app.lookups(account_id, t).await?;
    let values = editable(&props)
        .filter_map(|d| {
            stored
                .properties
                .get(&d.name)
                .map(|v| (d.name.clone(), form_value(d, v)))
        })
        .collect();
    let spec = FormSpec {
        t,
        viewer: &viewer,
        record: Some(&stored),
        with: None,
    };
    let page = form_page(spec, &props, &lookups, &values, BTreeMap::new(), Vec::new());
    Ok(render(&page))
}

pub async fn update(
    State(state): State<AppState>,
    Kind(t): Kind,
    Path(id): Path<String>,
    CsrfForm { viewer, form }: CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let account_id = viewer.account_id();
    let id = parse_id(t, &id)?;
    let stored = load_record(&state, &viewer, t, id).await?;
    let actor = viewer.actor();
    let records = state.app.records(&actor, t, Access::Write).await?;
    let props = records.props();
    let lookups = state.app.lookups(account_id, t).await?;
    let values = submitted(form);
    let fields: Vec<&PropertyDef> = editable(props).collect();
    // Only what the person changed: a field left as shown keeps its
    // stored value exactly (a datetime keeps its time of day).
    let input: Map<String, Value> = fields
        .iter()
        .filter_map(|d| {
            let sent = values.get(&d.name)?;
            let shown = stored
                .properties
                .get(&d.name)
                .map(|v| form_value(d, v))
                .unwrap_or_default();
            (sent != &shown).then(|| (d.name.clone(), Value::String(sent.clone())))
        })
        .collect();
    let path = t.record_path(id);
    if input.is_empty() {
        return Ok(see_other_confirming(
            &state,
            &viewer,
            &path,
            "No changes to save",
        ));
    }
    let updated = match records.update(vec![(id, input)]).await {
        Ok(mut updated) => updated.pop().expect("one record updated"),
        Err(e) => {
            let spec = FormSpec {
                t,
                viewer: &viewer,
                record: Some(&stored),
                with: None,
            };
            return refused(spec, props, &lookups, &values, &fields, hub_error(e)?);
        }
    };
    let done = saved_message(t, &updated, &lookups.pipelines);
    Ok(see_other_confirming(&state, &viewer, &path, &done))
}
