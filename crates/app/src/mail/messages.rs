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
