//! `/views`: the modals and App Home views the person has open, each as a
//! form; and what they do with them: click inside, search an external
//! select (Find), submit, close. What they typed stays in the page's
//! drafts while the modal is open, and once it closes they go back to the
//! page it was opened from.

use std::fmt::Write as _;

use axum::extract::{Path, Query, State as AxumState};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::blocks::{initial_option, submit_form_id, typed_field};
use super::drafts::{Draft, Drafts, Groups};
use super::forms::{
    actor, back_with, back_with_error, describe, finish, interact, link_of, open_views, Act,
};
use super::layout::{esc, layout, url_enc, PageQuery};
use super::render::{plain, Render};
use super::session::acting_user;
use crate::actions::{self, ActionResult};
use crate::sandbox::Sandbox;
use crate::state::View;

/// Slack asks the app for an external select's options once this many
/// characters are typed, unless the element's `min_query_length` says.
const MIN_QUERY_LENGTH: u64 = 3;

pub(super) async fn views_page(
    AxumState(sandbox): AxumState<Sandbox>,
    Extension(drafts): Extension<Drafts>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    forget_closed(&sandbox, &drafts);
    let drafts = drafts.all();
    let state = sandbox.state();
    let me = acting_user(&state, &headers, &query);
    let mut body =
        String::from("<p><a href=\"/\">← Workspaces</a></p><h1>Open modals and App Home</h1>");
    let Some(me_user) = me.as_ref() else {
        body.push_str("<p class=\"hint\">Choose whom to act as to see their modals.</p>");
        return layout(&state, None, "/views", &query, "Modals", &body).into_response();
    };
    let views: Vec<&View> = state
        .views
        .iter()
        .filter(|v| v.user_id == me_user.id && !v.closed)
        .collect();
    if views.is_empty() {
        body.push_str("<p class=\"hint\">No open modal. Apps open one in answer to a slash command or a button.</p>");
    }
    let ctx = Render {
        state: &state,
        channel: "",
        me: me.as_ref(),
        back: "/views",
        draft: None,
    };
    // The newest first: it is the one on top of a modal stack.
    for v in views.iter().rev() {
        let ctx = Render {
            draft: drafts.get(&v.id),
            ..ctx
        };
        body.push_str(&ctx.view(v));
    }
    layout(&state, me.as_ref(), "/views", &query, "Modals", &body).into_response()
}

impl Render<'_> {
    /// A modal (or App Home) with its blocks as a form.
    fn view(&self, v: &View) -> String {
        let body = &v.view;
        let kind = body["type"].as_str().unwrap_or("modal");
        let title = plain(&body["title"]);
        let app = self
            .state
            .app(&v.app_id)
            .map(|a| a.name.clone())
            .unwrap_or_default();
        let mut html = format!(
            "<div class=\"modal\"><div class=\"meta\">{} · {} · {}</div><h2 style=\"margin-top:.2em\">{}</h2>",
            esc(&app),
            esc(kind),
            esc(&v.id),
            esc(&title)
        );
        let blocks: Vec<Value> = body["blocks"].as_array().cloned().unwrap_or_default();
        // Blocks render in order. Buttons and selects outside input blocks
        // act at once through forms of their own; the inputs belong to the
        // submit form at the end through their `form` attribute (forms
        // cannot nest).
        for b in &blocks {
            html.push_str(&self.block(b, None, Some(v)));
        }
        // Slack stores a modal's `submit` and `close` as null when the app
        // gave none: its buttons then say Submit and Cancel.
        let label = |key: &str, default: &str| {
            Some(plain(&body[key]))
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| default.into())
        };
        if kind == "modal"
            && (blocks.iter().any(|b| b["type"] == "input") || !body["submit"].is_null())
        {
            let submit = label("submit", "Submit");
            let _ = write!(
                html,
                "<form id=\"{}\" method=\"post\" action=\"/views/{}/submit\" class=\"row\" style=\"margin-top:1em\">{}<button class=\"primary\">{}</button></form>",
                submit_form_id(v),
                url_enc(&v.id),
                self.hidden_back(),
                esc(&submit)
            );
        }
        if kind == "modal" {
            let close = label("close", "Cancel");
            let _ = write!(
                html,
                "<form method=\"post\" action=\"/views/{}/close\" class=\"row\">{}<button>{}</button></form>",
                url_enc(&v.id),
                self.hidden_back(),
                esc(&close)
            );
        }
        html.push_str("</div>");
        html
    }
}

/// A button (or select) in an open modal. The view's state holds what
/// the person last posted in its inputs (by Find or Submit), if anything.
pub(super) async fn view_action(
    AxumState(sandbox): AxumState<Sandbox>,
    Extension(drafts): Extension<Drafts>,
    Path(view_id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Act>,
) -> Result<Response, Redirect> {
    let actor = actor(&sandbox, &headers, &form.back)?;
    let view = open_view(&sandbox, &actor.user, &view_id);
    let link = view
        .as_ref()
        .and_then(|v| link_of(&v.view["blocks"], &form.action_id, form.block_id.as_deref()));
    let values = match (view, drafts.get(&view_id)) {
        (Some(v), Some(d)) => values_from_form(&v.view, &d.fields, Some(&d)),
        _ => Value::Null,
    };
    let input = actions::Click {
        view_id: Some(view_id),
        in_view: true,
        values,
        ..form.click(&actor)
    };
    let result = actions::click(&sandbox, input);
    if let Some(url) = link {
        // Slack opens the link whatever the app answers.
        let _ = result.await;
        return Ok(Redirect::to(&url).into_response());
    }
    Ok(interact(&sandbox, &drafts, &actor, "/views", "Clicked", result).await)
}

/// The person's open view `view_id`.
fn open_view(sandbox: &Sandbox, user: &str, view_id: &str) -> Option<View> {
    sandbox
        .state()
        .views
        .iter()
        .find(|v| v.id == view_id && v.user_id == user && !v.closed)
        .cloned()
}

/// Forgets the drafts of modals that closed.
fn forget_closed(sandbox: &Sandbox, drafts: &Drafts) {
    let open: Vec<String> = sandbox
        .state()
        .views
        .iter()
        .filter(|v| !v.closed)
        .map(|v| v.id.clone())
        .collect();
    drafts.keep_only(&open);
}

/// Keeps what the person posted in a modal's fields.
fn keep_draft(drafts: &Drafts, view: &View, fields: &[(String, String)]) {
    let names = inputs(&view.view)
        .map(|(block_id, element)| field_name(block_id, element))
        .collect();
    drafts.update(&view.id, |d| {
        d.names = names;
        d.fields = fields.to_vec();
    });
}

/// A modal's input blocks: their `block_id` and element.
fn inputs(view: &Value) -> impl Iterator<Item = (&str, &Value)> {
    view["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "input" && b["element"]["action_id"].is_string())
        .map(|b| (b["block_id"].as_str().unwrap_or_default(), &b["element"]))
}

/// The form field of an input's element: `block_id/action_id`.
fn field_name(block_id: &str, element: &Value) -> String {
    format!(
        "{block_id}/{}",
        element["action_id"].as_str().unwrap_or_default()
    )
}

/// Where to go once a modal of the person's closed: the page it was
/// opened from when none is left open, else the modals.
fn after_closing(sandbox: &Sandbox, drafts: &Drafts, user: &str, view: &View) -> String {
    if !open_views(sandbox, user).is_empty() {
        return "/views".into();
    }
    [&view.id, &view.root_view_id]
        .into_iter()
        .find_map(|id| drafts.get(id).and_then(|d| d.from))
        .unwrap_or_else(|| "/views".into())
}

/// `{block_id: {action_id: value}}` from a modal's form fields named
/// `block_id/action_id`; multi-selects and checkboxes as lists; an
/// external select's choice as the option the app offered (its text and
/// value; see `draft`).
fn values_from_form(view: &Value, fields: &[(String, String)], draft: Option<&Draft>) -> Value {
    let mut out = Map::new();
    for block in view["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "input")
    {
        let element = &block["element"];
        let block_id = block["block_id"].as_str().unwrap_or_default();
        let Some(action_id) = element["action_id"].as_str() else {
            continue;
        };
        let name = format!("{block_id}/{action_id}");
        let given: Vec<&str> = fields
            .iter()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
            .collect();
        let kind = element["type"].as_str().unwrap_or_default();
        let given: Vec<Value> = if kind.contains("external_select") {
            let found = draft.and_then(|d| d.found.get(&name));
            given
                .iter()
                .map(|v| {
                    found
                        .and_then(|f| f.option(v))
                        .cloned()
                        .or_else(|| initial_option(element, v))
                        .unwrap_or_else(|| json!(v))
                })
                .collect()
        } else {
            given.iter().map(|v| json!(v)).collect()
        };
        let value = if kind.starts_with("multi_") || kind == "checkboxes" {
            json!(given)
        } else {
            given.into_iter().next().unwrap_or_else(|| json!(""))
        };
        if block_id.is_empty() {
            out.insert(action_id.to_owned(), value);
        } else {
            out.entry(block_id.to_owned())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("an object")
                .insert(action_id.to_owned(), value);
        }
    }
    Value::Object(out)
}

/// A modal's submit button: its fields as the inputs' values. They stay
/// in the draft, so that a modal the app keeps open (with errors, or
/// updated) still shows them.
pub(super) async fn submit(
    AxumState(sandbox): AxumState<Sandbox>,
    Extension(drafts): Extension<Drafts>,
    Path(view_id): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Redirect> {
    let actor = actor(&sandbox, &headers, "/views")?;
    let (user, team) = (actor.user, actor.team);
    let Some(view) = open_view(&sandbox, &user, &view_id) else {
        return Ok(not_open());
    };
    keep_draft(&drafts, &view, &fields);
    let values = values_from_form(&view.view, &fields, drafts.get(&view_id).as_ref());
    let result = actions::submit_view(
        &sandbox,
        actions::SubmitView {
            team: Some(team),
            user: user.clone(),
            view_id: Some(view_id),
            values,
        },
    )
    .await;
    Ok(match &result {
        Ok(v) if v["result"] == "errors" => {
            back_with("/views", "error", "The app found errors in the form.")
        }
        Ok(v) if v["result"] == "updated" || v["result"] == "pushed" => {
            back_with("/views", "notice", "The app updated the modal.")
        }
        _ => {
            let before = open_views(&sandbox, &user);
            // A submission that closed the modal goes back to where it
            // was opened from.
            let back = after_closing(&sandbox, &drafts, &user, &view);
            finish(
                &sandbox,
                &drafts,
                &user,
                &before,
                &back,
                "Submitted",
                &result,
            )
        }
    })
}

fn not_open() -> Response {
    back_with("/views", "error", "That modal is not open any more.")
}

/// Find beside an external select in a modal: the modal's fields as
/// typed are kept, and the app gets `block_suggestion` with what was
/// typed and the view with its current values, as through
/// `/control/options`; the page then lists the options it answered.
pub(super) async fn find_options(
    AxumState(sandbox): AxumState<Sandbox>,
    Extension(drafts): Extension<Drafts>,
    Path(view_id): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Redirect> {
    let actor = actor(&sandbox, &headers, "/views")?;
    let Some(view) = open_view(&sandbox, &actor.user, &view_id) else {
        return Ok(not_open());
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let name = field("find");
    let Some((block_id, element)) = inputs(&view.view)
        .find(|(b, e)| field_name(b, e) == name)
        .filter(|(_, e)| {
            e["type"]
                .as_str()
                .is_some_and(|t| t.contains("external_select"))
        })
        .map(|(b, e)| (b.to_owned(), e.clone()))
    else {
        return Ok(back_with(
            "/views",
            "error",
            "That modal has no such field to search.",
        ));
    };
    let typed = field(&typed_field(&name));
    keep_draft(&drafts, &view, &fields);
    let draft = drafts.get(&view_id);
    let min = element["min_query_length"]
        .as_u64()
        .unwrap_or(MIN_QUERY_LENGTH);
    let (groups, problem) = if (typed.chars().count() as u64) < min {
        let characters = if min == 1 { "character" } else { "characters" };
        let problem =
            format!("Type at least {min} {characters}: only then does Slack ask the app.");
        (Vec::new(), Some(problem))
    } else {
        let input = actions::Click {
            team: Some(actor.team),
            user: actor.user,
            channel: None,
            ts: None,
            view_id: Some(view_id.clone()),
            in_view: true,
            action_id: element["action_id"].as_str().unwrap_or_default().to_owned(),
            block_id: Some(block_id).filter(|b| !b.is_empty()),
            value: Some(Value::String(typed.clone())),
            values: values_from_form(&view.view, &fields, draft.as_ref()),
        };
        answered_options(&actions::suggest_options(&sandbox, input).await, &typed)
    };
    drafts.update(&view_id, |d| {
        let found = d.found.remove(&name).unwrap_or_default();
        d.found
            .insert(name, found.searched(&typed, groups, problem));
    });
    Ok(Redirect::to("/views").into_response())
}

/// The options an app answered to `block_suggestion` (`options`, or
/// `option_groups` under their labels), or why there are none.
fn answered_options(result: &ActionResult, typed: &str) -> (Groups, Option<String>) {
    let v = match result {
        Ok(v) => v,
        Err(e) => return (Vec::new(), Some(format!("No options: {}.", describe(e)))),
    };
    let answer = &v["answer"];
    if let Some(status) = answer["status"].as_u64().filter(|s| *s != 200) {
        return (Vec::new(), Some(format!("The app answered HTTP {status}.")));
    }
    if let Some(failure) = answer["failure"].as_str() {
        let problem = format!("The app did not answer properly ({failure}).");
        return (Vec::new(), Some(problem));
    }
    let options = |list: &Value| -> Vec<Value> {
        list.as_array()
            .into_iter()
            .flatten()
            .filter(|o| o["value"].is_string())
            .cloned()
            .collect()
    };
    let mut groups = Vec::new();
    let plain_options = options(&v["options"]);
    if !plain_options.is_empty() {
        groups.push((None, plain_options));
    }
    for g in v["option_groups"].as_array().into_iter().flatten() {
        let grouped = options(&g["options"]);
        if !grouped.is_empty() {
            groups.push((Some(plain(&g["label"])), grouped));
        }
    }
    if !groups.is_empty() {
        return (groups, None);
    }
    let problem = if v["options"].is_array() || v["option_groups"].is_array() {
        format!("The app has no options for “{typed}”.")
    } else {
        "The app answered no options (neither options nor option_groups).".to_owned()
    };
    (Vec::new(), Some(problem))
}

#[derive(Deserialize)]
pub(super) struct Close {
    #[serde(default)]
    back: String,
}

/// A modal's close (Cancel) button: back to where the modal was opened
/// from when no other is open.
pub(super) async fn close(
    AxumState(sandbox): AxumState<Sandbox>,
    Extension(drafts): Extension<Drafts>,
    Path(view_id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Close>,
) -> Result<Response, Redirect> {
    let actor = actor(&sandbox, &headers, &form.back)?;
    let view = open_view(&sandbox, &actor.user, &view_id);
    let result = actions::close_view(
        &sandbox,
        actions::CloseView {
            team: Some(actor.team),
            user: actor.user.clone(),
            view_id: Some(view_id),
        },
    )
    .await;
    Ok(match (result, view) {
        (Ok(_), Some(view)) => {
            let back = match after_closing(&sandbox, &drafts, &actor.user, &view) {
                to if to == "/views" => form.back,
                to => to,
            };
            back_with(&back, "notice", "Closed.")
        }
        (Ok(_), None) => back_with(&form.back, "notice", "Closed."),
        (Err(e), _) => back_with_error(&form.back, &e),
    })
}
