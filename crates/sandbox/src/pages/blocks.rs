//! Block Kit as HTML: sections with fields and accessories, headers,
//! context, dividers, images, actions (buttons post a click; selects offer
//! their options), rich text, and a modal's input blocks as form fields
//! (an external select as a search box with Find, then the app's options).

use std::fmt::Write as _;

use serde_json::Value;

use super::drafts::Found;
use super::emoji;
use super::layout::{channel_label, esc, safe_url, url_enc};
use super::mrkdwn::plain_text;
use super::render::{plain, Render};
use crate::state::View;

impl Render<'_> {
    pub(super) fn blocks(&self, blocks: &[Value], ts: Option<&str>, view: Option<&View>) -> String {
        blocks.iter().map(|b| self.block(b, ts, view)).collect()
    }

    pub(super) fn block(&self, b: &Value, ts: Option<&str>, view: Option<&View>) -> String {
        let block_id = b["block_id"].as_str().unwrap_or_default();
        match b["type"].as_str().unwrap_or_default() {
            "section" => {
                let mut html = String::from("<div class=\"block section\">");
                if let Some(acc) = b.get("accessory") {
                    if acc["type"] == "image" {
                        html.push_str(&self.image(acc, "accessory"));
                    }
                }
                if let Some(t) = b.get("text") {
                    let _ = write!(html, "<div>{}</div>", self.text(t));
                }
                if let Some(fields) = b["fields"].as_array() {
                    html.push_str("<div class=\"fields\">");
                    for f in fields {
                        let _ = write!(html, "<div>{}</div>", self.text(f));
                    }
                    html.push_str("</div>");
                }
                if let Some(acc) = b.get("accessory").filter(|a| a["type"] != "image") {
                    let _ = write!(
                        html,
                        "<div class=\"row\">{}</div>",
                        self.element(acc, block_id, ts, view)
                    );
                }
                html.push_str("</div>");
                html
            }
            "header" => format!(
                "<div class=\"block header-block\">{}</div>",
                esc(&plain_text(&b["text"]))
            ),
            "divider" => "<hr>".to_owned(),
            "context" => {
                let parts: Vec<String> = b["elements"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| {
                        if e["type"] == "image" {
                            self.image(e, "")
                        } else {
                            self.text(e)
                        }
                    })
                    .collect();
                format!("<div class=\"block context\">{}</div>", parts.join(" · "))
            }
            "actions" => {
                let elements: String = b["elements"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| self.element(e, block_id, ts, view))
                    .collect();
                format!("<div class=\"block row\">{elements}</div>")
            }
            "image" => {
                let mut html = String::from("<div class=\"block\">");
                if let Some(title) = b.get("title") {
                    let _ = write!(html, "<div class=\"meta\">{}</div>", esc(&plain(title)));
                }
                html.push_str(&self.image(b, ""));
                html.push_str("</div>");
                html
            }
            "input" => self.input(b, view),
            "rich_text" => format!("<div class=\"block\">{}</div>", rich_text(&b["elements"])),
            other => format!("<div class=\"block meta\">[{} block]</div>", esc(other)),
        }
    }

    fn image(&self, img: &Value, class: &str) -> String {
        let url = img["image_url"].as_str().unwrap_or_default();
        let alt = img["alt_text"].as_str().unwrap_or_default();
        if safe_url(url) {
            format!(
                "<img class=\"{class}\" src=\"{}\" alt=\"{}\" style=\"max-width:100%\">",
                esc(url),
                esc(alt)
            )
        } else {
            format!("<span class=\"meta\">[image: {}]</span>", esc(alt))
        }
    }

    /// An interactive element outside an input block: buttons post a
    /// `block_actions` click; selects offer their options with a button.
    fn element(&self, e: &Value, block_id: &str, ts: Option<&str>, view: Option<&View>) -> String {
        let action_id = e["action_id"].as_str().unwrap_or_default();
        let kind = e["type"].as_str().unwrap_or_default();
        let target = self.action_target(ts, view);
        let can_act = self.me.is_some() && target.is_some();
        match kind {
            "button" => {
                let class = match e["style"].as_str() {
                    Some("primary") => "primary",
                    Some("danger") => "danger",
                    _ => "",
                };
                let label = esc(&plain_text(&e["text"]));
                if let (Some(url), false) = (e["url"].as_str().filter(|u| safe_url(u)), can_act) {
                    return format!("<a class=\"button\" href=\"{}\">{label}</a>", esc(url));
                }
                if !can_act {
                    return format!("<button class=\"{class}\" disabled>{label}</button>");
                }
                // A link button opens its link (in a new tab, as Slack's
                // does) once the app has had its click.
                let new_tab = if e["url"].as_str().is_some_and(safe_url) {
                    " target=\"_blank\""
                } else {
                    ""
                };
                let mut html = format!(
                    "<form method=\"post\" action=\"{}\" class=\"inline\"{new_tab}>{}<input type=\"hidden\" name=\"block_id\" value=\"{}\"><input type=\"hidden\" name=\"action_id\" value=\"{}\">",
                    target.unwrap_or_default(),
                    self.hidden_back(),
                    esc(block_id),
                    esc(action_id)
                );
                if let Some(value) = e["value"].as_str() {
                    let _ = write!(
                        html,
                        "<input type=\"hidden\" name=\"value\" value=\"{}\">",
                        esc(value)
                    );
                }
                let confirm = e
                    .get("confirm")
                    .map(|c| format!(" title=\"{}\"", esc(&plain(&c["text"]))))
                    .unwrap_or_default();
                let _ = write!(
                    html,
                    "<button class=\"{class}\"{confirm}>{label}</button></form>"
                );
                html
            }
            "overflow"
            | "static_select"
            | "external_select"
            | "users_select"
            | "conversations_select"
            | "channels_select"
            | "radio_buttons" => {
                let field = self.select_field("value", e, false, &initial_values(e));
                if !can_act {
                    return field.replace("<select", "<select disabled");
                }
                format!(
                    "<form method=\"post\" action=\"{}\" class=\"inline row\">{}<input type=\"hidden\" name=\"block_id\" value=\"{}\"><input type=\"hidden\" name=\"action_id\" value=\"{}\"><input type=\"hidden\" name=\"type\" value=\"{}\">{field}<button>Choose</button></form>",
                    target.unwrap_or_default(),
                    self.hidden_back(),
                    esc(block_id),
                    esc(action_id),
                    esc(kind)
                )
            }
            "image" => self.image(e, ""),
            other => format!("<span class=\"meta\">[{}]</span>", esc(other)),
        }
    }

    /// Where a click on an element goes: a message's or a view's actions.
    fn action_target(&self, ts: Option<&str>, view: Option<&View>) -> Option<String> {
        match (view, ts) {
            (Some(v), _) => Some(format!("/views/{}/actions", url_enc(&v.id))),
            (None, Some(ts)) if !self.channel.is_empty() => Some(format!(
                "/channels/{}/messages/{}/actions",
                url_enc(self.channel),
                url_enc(ts)
            )),
            _ => None,
        }
    }

    /// A `<select>` (or radio/checkbox group) for a select-like element,
    /// the values `initial` chosen.
    fn select_field(&self, name: &str, e: &Value, multi: bool, initial: &[String]) -> String {
        let kind = e["type"].as_str().unwrap_or_default();
        let name = esc(name);
        let selected = |v: &str| {
            if initial.iter().any(|i| i == v) {
                " selected"
            } else {
                ""
            }
        };
        let checked = |v: &str| {
            if initial.iter().any(|i| i == v) {
                " checked"
            } else {
                ""
            }
        };
        let multiple = if multi { " multiple" } else { "" };
        let mut html = String::new();
        match kind {
            "radio_buttons" | "checkboxes" => {
                let input = if kind == "checkboxes" {
                    "checkbox"
                } else {
                    "radio"
                };
                for o in e["options"].as_array().into_iter().flatten() {
                    let v = o["value"].as_str().unwrap_or_default();
                    let _ = write!(
                        html,
                        "<div><label style=\"font-weight:normal\"><input type=\"{input}\" name=\"{name}\" value=\"{}\"{}> {}</label></div>",
                        esc(v),
                        checked(v),
                        self.text(&o["text"])
                    );
                }
            }
            "users_select" | "multi_users_select" => {
                let _ = write!(html, "<select name=\"{name}\"{multiple}>");
                if !multi {
                    html.push_str("<option value=\"\">Choose someone</option>");
                }
                let team = self.me.map(|m| m.team_id.clone()).unwrap_or_default();
                for u in self
                    .state
                    .users
                    .iter()
                    .filter(|u| u.team_id == team && !u.deleted)
                {
                    let _ = write!(
                        html,
                        "<option value=\"{}\"{}>{}</option>",
                        esc(&u.id),
                        selected(&u.id),
                        esc(&u.real_name)
                    );
                }
                html.push_str("</select>");
            }
            "conversations_select"
            | "channels_select"
            | "multi_conversations_select"
            | "multi_channels_select" => {
                let _ = write!(html, "<select name=\"{name}\"{multiple}>");
                if !multi {
                    html.push_str("<option value=\"\">Choose a channel</option>");
                }
                let team = self.me.map(|m| m.team_id.clone()).unwrap_or_default();
                let only_public = kind.contains("channels_select");
                for c in self
                    .state
                    .channels
                    .iter()
                    .filter(|c| c.team_id == team && !c.is_archived)
                    .filter(|c| !only_public || (!c.is_private && !c.is_im))
                    .filter(|c| {
                        self.me
                            .is_some_and(|m| self.state.can_see_channel(c, &m.id))
                    })
                {
                    let _ = write!(
                        html,
                        "<option value=\"{}\"{}>{}</option>",
                        esc(&c.id),
                        selected(&c.id),
                        esc(&channel_label(self.state, c, self.me))
                    );
                }
                html.push_str("</select>");
            }
            "external_select" | "multi_external_select" => {
                let _ = write!(
                    html,
                    "<input type=\"text\" name=\"{name}\" value=\"{}\" placeholder=\"option value\"> <span class=\"hint\">(options come from the app)</span>",
                    esc(initial.first().map(String::as_str).unwrap_or_default())
                );
            }
            _ => {
                // static_select, multi_static_select, overflow.
                let _ = write!(html, "<select name=\"{name}\"{multiple}>");
                if !multi {
                    let placeholder = e
                        .get("placeholder")
                        .map(plain)
                        .unwrap_or_else(|| "Choose".into());
                    let _ = write!(html, "<option value=\"\">{}</option>", esc(&placeholder));
                }
                let option = |html: &mut String, o: &Value| {
                    let v = o["value"].as_str().unwrap_or_default();
                    let _ = write!(
                        html,
                        "<option value=\"{}\"{}>{}</option>",
                        esc(v),
                        selected(v),
                        esc(&plain(&o["text"]))
                    );
                };
                for o in e["options"].as_array().into_iter().flatten() {
                    option(&mut html, o);
                }
                for g in e["option_groups"].as_array().into_iter().flatten() {
                    let _ = write!(html, "<optgroup label=\"{}\">", esc(&plain(&g["label"])));
                    for o in g["options"].as_array().into_iter().flatten() {
                        option(&mut html, o);
                    }
                    html.push_str("</optgroup>");
                }
                html.push_str("</select>");
            }
        }
        html
    }

    /// An input block of a modal: a label and a form field named
    /// `{block_id}/{action_id}`.
    fn input(&self, b: &Value, view: Option<&View>) -> String {
        let e = &b["element"];
        let block_id = b["block_id"].as_str().unwrap_or_default();
        let action_id = e["action_id"].as_str().unwrap_or_default();
        let name = format!("{block_id}/{action_id}");
        let optional = if b["optional"] == true {
            " <span class=\"hint\">(optional)</span>"
        } else {
            ""
        };
        let mut html = format!("<label>{}{optional}</label>", esc(&plain(&b["label"])));
        let kind = e["type"].as_str().unwrap_or_default();
        // What the person last posted, else what the app put in it.
        let chosen = self
            .draft
            .and_then(|d| d.values(&name))
            .unwrap_or_else(|| initial_values(e));
        let first = chosen.first().map(String::as_str).unwrap_or_default();
        let placeholder = e
            .get("placeholder")
            .map(|p| format!(" placeholder=\"{}\"", esc(&plain(p))))
            .unwrap_or_default();
        let required = if b["optional"] == true {
            ""
        } else {
            " required"
        };
        let error = view
            .and_then(|v| self.state.view_errors.get(&v.id))
            .and_then(|errors| errors[block_id].as_str())
            .map(|e| format!("<div class=\"error\">{}</div>", esc(e)))
            .unwrap_or_default();
        match kind {
            "plain_text_input" if e["multiline"] == true => {
                let _ = write!(html, "<textarea name=\"{}\" rows=\"4\" cols=\"50\"{placeholder}{required}>{}</textarea>", esc(&name), esc(first));
            }
            "plain_text_input" | "email_text_input" | "url_text_input" | "number_input"
            | "datepicker" | "timepicker" => {
                let input_type = match kind {
                    "email_text_input" => "email",
                    "url_text_input" => "url",
                    "number_input" => "number",
                    "datepicker" => "date",
                    "timepicker" => "time",
                    _ => "text",
                };
                let step = if kind == "number_input" && e["is_decimal_allowed"] == true {
                    " step=\"any\""
                } else {
                    ""
                };
                let _ = write!(
                    html,
                    "<input type=\"{input_type}\" name=\"{}\" value=\"{}\" size=\"40\"{step}{placeholder}{required}>",
                    esc(&name),
                    esc(first)
                );
            }
            "external_select" | "multi_external_select" => match view {
                Some(v) => html.push_str(&self.external_field(&name, e, &chosen, v)),
                None => html.push_str(&self.select_field(&name, e, false, &chosen)),
            },
            k if k.starts_with("multi_") || k == "checkboxes" => {
                html.push_str(&self.select_field(&name, e, k != "checkboxes", &chosen))
            }
            _ => html.push_str(&self.select_field(&name, e, false, &chosen)),
        }
        if let Some(hint) = b.get("hint") {
            let _ = write!(html, "<div class=\"hint\">{}</div>", esc(&plain(hint)));
        }
        html.push_str(&error);
        match view {
            Some(v) => {
                let attr = format!(" form=\"{}\" ", submit_form_id(v));
                html.replace("<input ", &format!("<input{attr}"))
                    .replace("<textarea ", &format!("<textarea{attr}"))
                    .replace("<select ", &format!("<select{attr}"))
            }
            None => html,
        }
    }

    /// An external select in a modal's input block, as Slack's typeahead:
    /// a search box whose Find posts the modal's fields to ask the app for
    /// options (`block_suggestion`), then the options it answered (under
    /// their groups' labels) to choose from. What is already chosen stays
    /// listed, with the text the app gave it.
    fn external_field(&self, name: &str, e: &Value, chosen: &[String], view: &View) -> String {
        let multi = e["type"] == "multi_external_select";
        let found = self.draft.and_then(|d| d.found.get(name));
        let placeholder = e
            .get("placeholder")
            .map(plain)
            .unwrap_or_else(|| "Type to search".into());
        let mut html = format!(
            "<div class=\"row\"><input type=\"search\" name=\"{}\" value=\"{}\" placeholder=\"{}\" size=\"40\"><button form=\"{}\" formaction=\"/views/{}/options\" formnovalidate name=\"find\" value=\"{}\">Find</button></div>",
            esc(&typed_field(name)),
            esc(found.map(|f| f.typed.as_str()).unwrap_or_default()),
            esc(&placeholder),
            submit_form_id(view),
            url_enc(&view.id),
            esc(name)
        );
        let groups = found.map(|f| f.groups.as_slice()).unwrap_or_default();
        let listed = |value: &str| {
            groups
                .iter()
                .flat_map(|(_, options)| options)
                .any(|o| o["value"].as_str() == Some(value))
        };
        let earlier: Vec<Value> = chosen
            .iter()
            .filter(|c| !listed(c))
            .map(|c| {
                found
                    .and_then(|f| f.option(c))
                    .cloned()
                    .or_else(|| initial_option(e, c))
                    .unwrap_or_else(|| serde_json::json!({"text": {"type": "plain_text", "text": c}, "value": c}))
            })
            .collect();
        if earlier.is_empty() && groups.is_empty() {
            if found.is_none() {
                html.push_str(
                    "<div class=\"hint\">Type, then Find: the app answers the options.</div>",
                );
            }
        } else {
            let option = |html: &mut String, o: &Value| {
                let value = o["value"].as_str().unwrap_or_default();
                let selected = if chosen.iter().any(|c| c == value) {
                    " selected"
                } else {
                    ""
                };
                let _ = write!(
                    html,
                    "<option value=\"{}\"{selected}>{}</option>",
                    esc(value),
                    esc(&plain(&o["text"]))
                );
            };
            let _ = write!(
                html,
                "<select name=\"{}\"{}>",
                esc(name),
                if multi { " multiple" } else { "" }
            );
            if !multi {
                html.push_str("<option value=\"\">Choose</option>");
            }
            for o in &earlier {
                option(&mut html, o);
            }
            for (label, options) in groups {
                if let Some(label) = label {
                    let _ = write!(html, "<optgroup label=\"{}\">", esc(label));
                }
                for o in options {
                    option(&mut html, o);
                }
                if label.is_some() {
                    html.push_str("</optgroup>");
                }
            }
            html.push_str("</select>");
        }
        match found {
            Some(Found {
                problem: Some(problem),
                ..
            }) => {
                let _ = write!(html, "<div class=\"error\">{}</div>", esc(problem));
            }
            Some(f) if !f.groups.is_empty() => {
                let count: usize = f.groups.iter().map(|(_, o)| o.len()).sum();
                let options = if count == 1 { "option" } else { "options" };
                let _ = write!(
                    html,
                    "<div class=\"hint\">The app offered {count} {options} for “{}”.</div>",
                    esc(&f.typed)
                );
            }
            _ => {}
        }
        html
    }
}

/// The search box's field beside the external select field `name`.
pub(super) fn typed_field(name: &str) -> String {
    format!("typed:{name}")
}

/// The option an element starts with whose value is `value`.
pub(super) fn initial_option(e: &Value, value: &str) -> Option<Value> {
    std::iter::once(&e["initial_option"])
        .chain(e["initial_options"].as_array().into_iter().flatten())
        .find(|o| o["value"].as_str() == Some(value))
        .cloned()
}

/// The initial value(s) of an element, as plain strings.
fn initial_values(e: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in [
        "initial_value",
        "initial_date",
        "initial_time",
        "initial_user",
        "initial_conversation",
        "initial_channel",
    ] {
        if let Some(v) = e[key].as_str() {
            out.push(v.to_owned());
        }
    }
    for key in ["initial_users", "initial_conversations", "initial_channels"] {
        for v in e[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            out.push(v.to_owned());
        }
    }
    if let Some(v) = e["initial_option"]["value"].as_str() {
        out.push(v.to_owned());
    }
    for o in e["initial_options"].as_array().into_iter().flatten() {
        if let Some(v) = o["value"].as_str() {
            out.push(v.to_owned());
        }
    }
    out
}

/// A `rich_text` block's text, plainly.
fn rich_text(elements: &Value) -> String {
    let mut html = String::new();
    for e in elements.as_array().into_iter().flatten() {
        match e["type"].as_str().unwrap_or_default() {
            "text" => {
                let mut t = esc(e["text"].as_str().unwrap_or_default()).replace('\n', "<br>");
                if e["style"]["bold"] == true {
                    t = format!("<b>{t}</b>");
                }
                if e["style"]["italic"] == true {
                    t = format!("<i>{t}</i>");
                }
                if e["style"]["code"] == true {
                    t = format!("<code>{t}</code>");
                }
                html.push_str(&t);
            }
            "link" => {
                let url = e["url"].as_str().unwrap_or_default();
                let label = e["text"].as_str().unwrap_or(url);
                if safe_url(url) {
                    let _ = write!(html, "<a href=\"{}\">{}</a>", esc(url), esc(label));
                } else {
                    html.push_str(&esc(label));
                }
            }
            "user" => {
                let _ = write!(
                    html,
                    "<b>@{}</b>",
                    esc(e["user_id"].as_str().unwrap_or_default())
                );
            }
            "emoji" => {
                let name = e["name"].as_str().unwrap_or_default();
                html.push_str(&esc(&emoji::reaction(name)));
            }
            "rich_text_section" | "rich_text_quote" | "rich_text_preformatted" => {
                let _ = write!(html, "<div>{}</div>", rich_text(&e["elements"]));
            }
            "rich_text_list" => {
                html.push_str("<ul>");
                for item in e["elements"].as_array().into_iter().flatten() {
                    let _ = write!(html, "<li>{}</li>", rich_text(&item["elements"]));
                }
                html.push_str("</ul>");
            }
            _ => {}
        }
    }
    html
}

/// The id of a modal's submit form, which its inputs name.
pub(super) fn submit_form_id(v: &View) -> String {
    format!("submit-{}", url_enc(&v.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Seed, State};

    #[test]
    fn blocks_render_readably() {
        let state = State::from_seed(Seed::demo(), "http://x");
        let ctx = Render {
            state: &state,
            channel: "C1",
            me: None,
            back: "/",
            draft: None,
        };
        let blocks = serde_json::json!([
            {"type": "header", "text": {"type": "plain_text", "text": "New <deal>"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "*Acme* — 5000"},
             "fields": [{"type": "mrkdwn", "text": "*Stage*\nwon"}]},
            {"type": "divider"},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "by _olivia_"}]},
            {"type": "actions", "block_id": "b1", "elements": [
                {"type": "button", "action_id": "open", "text": {"type": "plain_text", "text": "Open"}, "style": "primary", "value": "v"}
            ]},
            {"type": "mystery"}
        ]);
        let html = ctx.blocks(blocks.as_array().unwrap(), Some("1.000001"), None);
        assert!(html.contains("New &lt;deal&gt;"), "{html}");
        assert!(html.contains("<b>Acme</b> — 5000"), "{html}");
        assert!(html.contains("<b>Stage</b><br>won"), "{html}");
        assert!(html.contains("<hr>"));
        assert!(html.contains("by <i>olivia</i>"));
        // Nobody to act as: the button is shown, disabled.
        assert!(
            html.contains("<button class=\"primary\" disabled>Open</button>"),
            "{html}"
        );
        assert!(html.contains("[mystery block]"));
    }
}
