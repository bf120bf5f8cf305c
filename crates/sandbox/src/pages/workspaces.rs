//! `/`: the workspaces, each with its channels (public, private, direct
//! messages) and their member and message counts, its people, and its
//! installed apps.

use std::fmt::Write as _;

use axum::extract::{Query, State as AxumState};
use axum::http::HeaderMap;
use axum::response::Html;

use super::layout::{channel_kind, channel_label, esc, layout, url_enc, PageQuery};
use super::session::acting_user;
use crate::sandbox::Sandbox;
use crate::state::Channel;

pub(super) async fn index(
    AxumState(sandbox): AxumState<Sandbox>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Html<String> {
    let state = sandbox.state();
    let me = acting_user(&state, &headers, &query);
    let mut body = String::from("<h1>Workspaces</h1>");
    if me.is_none() {
        body.push_str("<p class=\"hint\">Choose whom to act as (top right) to post, reply, react, click buttons and fill in modals.</p>");
    }
    for team in &state.teams {
        let _ = write!(
            body,
            "<h2>{} <span class=\"meta\">{} · {}.slack.com</span></h2>",
            esc(&team.name),
            esc(&team.id),
            esc(&team.domain)
        );
        body.push_str(
            "<table><tr><th>Channel</th><th>Kind</th><th>Members</th><th>Messages</th></tr>",
        );
        let mut channels: Vec<&Channel> = state
            .channels
            .iter()
            .filter(|c| c.team_id == team.id)
            .collect();
        channels.sort_by_key(|c| (c.is_im, c.is_private, c.name.clone()));
        for c in channels {
            let count = state
                .messages
                .iter()
                .filter(|m| m.channel == c.id && !m.deleted)
                .count();
            let archived = if c.is_archived { " (archived)" } else { "" };
            let _ = write!(
                body,
                "<tr><td><a href=\"/channels/{}\">{}</a>{archived}</td><td>{}</td><td>{}</td><td>{count}</td></tr>",
                url_enc(&c.id),
                esc(&channel_label(&state, c, me.as_ref())),
                channel_kind(c),
                c.members.len()
            );
        }
        body.push_str("</table>");
        body.push_str("<h3>People</h3><table><tr><th>Name</th><th>Handle</th><th>Email</th><th>Role</th><th>Id</th></tr>");
        for u in state.users.iter().filter(|u| u.team_id == team.id) {
            let role = if u.is_bot {
                "app (bot)"
            } else if u.is_owner {
                "owner"
            } else if u.is_admin {
                "admin"
            } else {
                "member"
            };
            let gone = if u.deleted { " (deactivated)" } else { "" };
            let _ = write!(
                body,
                "<tr><td>{}{gone}</td><td>@{}</td><td>{}</td><td>{role}</td><td><code>{}</code></td></tr>",
                esc(&u.real_name),
                esc(&u.name),
                esc(&u.email),
                esc(&u.id)
            );
        }
        body.push_str("</table>");
        let apps: Vec<String> = state
            .installations
            .iter()
            .filter(|i| i.team_id == team.id && i.active)
            .map(|i| {
                state
                    .app(&i.app_id)
                    .map(|a| a.name.clone())
                    .unwrap_or_else(|| i.app_id.clone())
            })
            .collect();
        let _ = write!(
            body,
            "<p class=\"meta\">Installed apps: {}</p>",
            if apps.is_empty() {
                "none".to_owned()
            } else {
                esc(&apps.join(", "))
            }
        );
    }
    layout(&state, me.as_ref(), "/", &query, "Workspaces", &body)
}
