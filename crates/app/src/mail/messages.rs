//! Every mail the hub writes, one function each, all in the same shape: a
//! greeting by name, paragraphs, and a link back into the hub.

use hubbub_store::{NewMail, User};

/// A plain-text letter to a hub user.
fn letter(to: &User, subject: String, paragraphs: &[String]) -> NewMail {
    NewMail {
        to_address: to.email.clone(),
        subject,
        text_body: format!(
            "Hello {},\n\n{}\n",
            to.display_name(),
            paragraphs.join("\n\n")
        ),
        html_body: None,
    }
}

/// To the admin who connected a workspace.
pub fn slack_connected(
    installer: &User,
    team: &str,
    what_happened: &str,
    manage_url: &str,
) -> NewMail {
    letter(
        installer,
        format!("Slack workspace {team} connected to the hub"),
        &[
            what_happened.to_owned(),
            format!("Manage the connection at {manage_url}"),
        ],
    )
}

/// To every super admin, when Slack ended the connection: the likely
/// cause, and how to keep it from happening again.
pub fn slack_disconnected(
    admin: &User,
    team: &str,
    reconnect_url: &str,
    likely_cause: &str,
    prevention: &str,
) -> NewMail {
    letter(
        admin,
        format!("Slack workspace {team} was disconnected from the hub"),
        &[
            format!("The hub is no longer connected to the Slack workspace {team}."),
            format!("Likely cause: {likely_cause}"),
            prevention.to_owned(),
            format!("Reconnect it from the App Marketplace: {reconnect_url}"),
        ],
    )
}

/// To a user whose hub email no one in the workspace has.
pub fn slack_unmapped(user: &User, team: &str, what_to_do: &str, settings_url: &str) -> NewMail {
    letter(
        user,
        format!("Map your Slack account in {team} to the hub"),
        &[
            what_to_do.to_owned(),
            format!("View in hub: {settings_url}"),
        ],
    )
}

/// To every super admin, when the hub cannot read its stored Slack token.
pub fn slack_token_unreadable(admin: &User, team: &str, what_to_do: &str) -> NewMail {
    letter(
        admin,
        format!("The hub cannot use its Slack connection to {team}"),
        &[what_to_do.to_owned()],
    )
}

/// To every super admin, when the app can no longer post in a channel
/// the inbox's conversations use.
pub fn slack_channel_lost(admin: &User, title: &str, what_happened: &str, url: &str) -> NewMail {
    letter(
        admin,
        title.to_owned(),
        &[what_happened.to_owned(), format!("Inbox settings: {url}")],
    )
}

/// Text for an HTML body: `&`, `<`, `>` and quotes escaped.
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A notification by email: what happened, what was said, a link to the
/// record and one to the notification settings, as plain text and HTML.
pub fn notification(
    to: &User,
    notice: &hubbub_hub::Notice,
    record_url: &str,
    settings_url: &str,
) -> NewMail {
    let mut paragraphs = vec![format!("{}.", notice.headline)];
    if !notice.detail.is_empty() {
        paragraphs.push(quoted(&notice.detail));
    }
    paragraphs.push(format!("View in hub: {record_url}"));
    let footer = format!(
        "You get this email because of your notification settings; change them at {settings_url}"
    );
    let mut text = letter(to, one_line(&notice.headline), &paragraphs);
    text.text_body.push_str(&format!("\n--\n{footer}\n"));
    let detail = if notice.detail.is_empty() {
        String::new()
    } else {
        format!(
            "<blockquote style=\"margin:0 0 16px;padding-left:12px;border-left:3px solid #ccc;white-space:pre-wrap\">{}</blockquote>",
            html(&notice.detail)
        )
    };
    text.html_body = Some(format!(
        "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.5\">\
         <p>Hello {name},</p><p>{headline}.</p>{detail}\
         <p><a href=\"{record}\">View in hub</a></p>\
         <hr><p style=\"color:#666;font-size:12px\">You get this email because of your \
         <a href=\"{settings}\">notification settings</a>.</p></body></html>",
        name = html(&to.display_name()),
        headline = html(&notice.headline),
        record = html(record_url),
        settings = html(settings_url),
    ));
    text
}

/// `text` as a quotation in a plain-text mail.
fn quoted(text: &str) -> String {
    text.lines()
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A subject is one line: control characters become spaces, and it is
/// kept short.
fn one_line(text: &str) -> String {
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut chars = line.chars();
    let short: String = chars.by_ref().take(150).collect();
    if chars.next().is_some() {
        format!("{short}…")
    } else {
        short
    }
}

/// To a website visitor who left their email and went away before an
/// agent's answer reached their chat window.
pub fn visitor_reply(
    to_address: &str,
    visitor_name: Option<&str>,
    agent: &str,
    inbox: &str,
    answer: &str,
    page_url: Option<&str>,
) -> NewMail {
    let greeting = visitor_name.unwrap_or("there");
    let mut paragraphs = vec![
        format!("{agent} answered your chat with {inbox}:"),
        quoted(answer),
    ];
    if let Some(page) = page_url {
        paragraphs.push(format!("To go on chatting, open the chat again on {page}"));
    }
    NewMail {
        to_address: to_address.to_owned(),
        subject: one_line(&format!("{agent} answered your chat with {inbox}")),
        text_body: format!("Hello {greeting},\n\n{}\n", paragraphs.join("\n\n")),
        html_body: None,
    }
}
