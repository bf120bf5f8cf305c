//! `/views`: the modals and App Home views the person has open, each as a
//! form; and what they do with them: click inside, submit, close.

use std::fmt::Write as _;

use axum::extract::{Path, Query, State as AxumState};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::blocks::submit_form_id;
use super::forms::{actor, back_with, back_with_error, finish, interact, open_views, Act};
use super::layout::{esc, layout, url_enc, PageQuery};
use super::render::{plain, Render};
use super::session::acting_user;
use crate::actions;
use crate::sandbox::Sandbox;
use crate::state::View;

pub(super) async fn views_page(
    AxumState(sandbox): AxumState<Sandbox>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
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
    };
    // The newest first: it is the one on top of a modal stack.
    for v in views.iter().rev() {
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
        if kind == "modal"
            && (blocks.iter().any(|b| b["type"] == "input") || body.get("submit").is_some())
        {
            let submit = body
                .get("submit")
                .map(plain)
                .unwrap_or_else(|| "Submit".into());
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
            let close = body
                .get("close")
                .map(plain)
                .unwrap_or_else(|| "Cancel".into());
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

/// A button (or select) in an open modal.
pub(super) async fn view_action(
    AxumState(sandbox): AxumState<Sandbox>,
    Path(view_id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Act>,
) -> Result<Response, Redirect> {
    let actor = actor(&sandbox, &headers, &form.back)?;
    let input = actions::Click {
        view_id: Some(view_id),
        in_view: true,
        ..form.click(&actor)
    };
    let result = actions::click(&sandbox, input);
    Ok(interact(&sandbox, &actor, "/views", "Clicked", result).await)
}

/// `{block_id: {action_id: value}}` from a modal's form fields named
/// `block_id/action_id`; multi-selects and checkboxes as lists.
fn values_from_form(view: &Value, fields: &[(String, String)]) -> Value {
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
        let value = if kind.starts_with("multi_") || kind == "checkboxes" {
            json!(given)
        } else {
            json!(given.first().copied().unwrap_or_default())
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

/// A modal's submit button: its fields as the inputs' values.
pub(super) async fn submit(
    AxumState(sandbox): AxumState<Sandbox>,
    Path(view_id): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Redirect> {
    let actor = actor(&sandbox, &headers, "/views")?;
    let (user, team) = (actor.user, actor.team);
    let view = sandbox
        .state()
        .views
        .iter()
        .find(|v| v.id == view_id && v.user_id == user)
        .map(|v| v.view.clone());
    let Some(view) = view else {
        return Ok(back_with(
            "/views",
            "error",
            "That modal is not open any more.",
        ));
    };
    let values = values_from_form(&view, &fields);
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
            // A submission that closed the modal goes back to the list.
            finish(&sandbox, &user, before, "/views", "Submitted", &result)
        }
    })
}

#[derive(Deserialize)]
pub(super) struct Close {
    #[serde(default)]
    back: String,
}

/// A modal's close (Cancel) button.
pub(super) async fn close(
    AxumState(sandbox): AxumState<Sandbox>,
    Path(view_id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<Close>,
) -> Result<Response, Redirect> {
    let actor = actor(&sandbox, &headers, &form.back)?;
    let result = actions::close_view(
        &sandbox,
        actions::CloseView {
            team: Some(actor.team),
            user: actor.user,
            view_id: Some(view_id),
        },
    )
    .await;
    Ok(match result {
        Ok(_) => back_with(&form.back, "notice", "Closed."),
        Err(e) => back_with_error(&form.back, &e),
    })
}
