//! Hub users ↔ Slack users (the seed's "email mapping").
//!
//! - [`map_users`] (a job, enqueued when a workspace is connected and when
//!   a user joins the hub) finds each hub user's Slack account by email
//!   with `users.lookupByEmail` and remembers the pair. A user whose email
//!   matches nobody is told once per workspace, in the app and by email,
//!   with a link to their notification settings.
//! - There, "Verify in Slack" ([`request`]) takes the Slack email the user
//!   gives, finds that Slack user, and enqueues [`send_request`]: a direct
//!   message with a Confirm button, valid 24 hours.
//! - [`on_confirm`] takes the button press: only the Slack user the
//!   request was sent to completes it, within its 24 hours, and a Slack
//!   user maps to at most one hub user of the account.
//!
//! Mappings are kept per workspace and survive a disconnect, so
//! reconnecting the same workspace restores them.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hubbub_slack::blocks::{self, MappingRequest as RequestMessage};
use hubbub_slack::{InteractionPayload, SlackApiError, SlackErrorCode, SlackMessageContent};
use hubbub_store::{
    create_mapping_request_on, enqueue_job, enqueue_mail, map_slack_user_on, mapping_request_on,
    mark_mapping_request_confirmed_on, notify_on, record_slack_unmatched_on, MappingRefused,
    MappingRequestStatus, NewMail, NewNotification, SlackConnection, SlackLink, SlackPerson,
    StoreError, User,
};
use serde_json::{json, Value};

use super::connection::{self, check_bot_call, live_connection};
use crate::jobs::{kind, JobError, JobResult};
use crate::ui::page::user_name;
use crate::ui::records::format_instant;
use crate::AppState;

/// The page where a user maps their Slack account.
pub const SETTINGS_PATH: &str = "/settings/notifications";

fn person(info: hubbub_slack::SlackUserInfo, fallback_email: &str) -> SlackPerson {
    SlackPerson {
        slack_user_id: info.id,
        name: info.name,
        email: info.email.unwrap_or_else(|| fallback_email.to_owned()),
    }
}

/// Enqueues finding a new hub user's Slack account, when a workspace is
/// connected.
pub async fn map_new_user(
    state: &AppState,
    account_id: i64,
    user_id: i64,
) -> Result<(), StoreError> {
    let connected = state
        .store
        .slack_connection(account_id)
        .await?
        .is_some_and(|c| c.is_live());
    if connected {
        state
            .store
            .enqueue_job(
                account_id,
                kind::MAP_SLACK_USERS,
                &json!({ "user_ids": [user_id] }),
            )
            .await?;
        state.wake_jobs();
    }
    Ok(())
}

/// Job: finds the Slack account of each listed user (`user_ids`; all
/// active users when absent) that is not mapped yet.
pub async fn map_users(state: &AppState, account_id: i64, payload: &Value) -> JobResult {
    let Some((conn, token)) = live_connection(state, account_id).await? else {
        return Ok(());
    };
    let only: Option<Vec<i64>> = payload
        .get("user_ids")
        .and_then(|ids| serde_json::from_value(ids.clone()).ok());
    let links = state.store.slack_links(account_id, &conn.team_id).await?;
    let mapped = |id: i64| {
        links
            .iter()
            .any(|(u, l)| *u == id && matches!(l, SlackLink::Mapped { .. }))
    };
    let users = state.store.users(account_id).await?;
    let wanted = users.iter().filter(|u| {
        !u.archived && !mapped(u.id) && only.as_ref().is_none_or(|ids| ids.contains(&u.id))
    });
    for user in wanted {
        map_one(state, &conn, &token, user).await?;
    }
    Ok(())
}

async fn map_one(state: &AppState, conn: &SlackConnection, token: &str, user: &User) -> JobResult {
    let found = state
        .slack_api
        .users_lookup_by_email(token, &user.email)
        .await;
    match check_bot_call(state, conn.account_id, found).await {
        Ok(info) => {
            let person = person(info, &user.email);
            let done = state
                .store
                .map_slack_user_by_email(conn.account_id, &conn.team_id, user.id, &person)
                .await?;
            match done {
                Ok(()) => Ok(()),
                // Someone else confirmed this Slack user as theirs: this
                // user must map another Slack account.
                Err(MappingRefused::SlackUserTaken { .. }) => unmatched(state, conn, user).await,
            }
        }
        Err(SlackApiError::Slack(SlackErrorCode::UsersNotFound)) => {
            unmatched(state, conn, user).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Records that no Slack user has this user's email and, the first time
/// for this workspace, tells them (in the app and by email) in the same
/// transaction.
async fn unmatched(state: &AppState, conn: &SlackConnection, user: &User) -> JobResult {
    let mut tx = state.store.begin_write().await?;
    let first = record_slack_unmatched_on(&mut tx, conn.account_id, &conn.team_id, user.id).await?;
    if first {
        let team = conn.team_label();
        let body = format!(
            "No one in the Slack workspace {team} has your hub email ({}), so the hub cannot send you notifications in Slack or recognise what you do there. Map your email address in your notification settings.",
            user.email
        );
        notify_on(
            &mut tx,
            conn.account_id,
            NewNotification {
                user_id: user.id,
                topic: "slack_unmapped".to_owned(),
                title: format!("Map your Slack account in {team}"),
                body: body.clone(),
                link: SETTINGS_PATH.to_owned(),
            },
        )
        .await?;
        enqueue_mail(
            &mut tx,
            conn.account_id,
            &NewMail {
                to_address: user.email.clone(),
                subject: format!("Map your Slack account in {team} to the hub"),
                text_body: format!(
                    "Hello {},\n\n{body}\n\nView in hub: {}{SETTINGS_PATH}\n",
                    user_name(user),
                    state.web.public_url
                ),
                html_body: None,
            },
        )
        .await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Why "Verify in Slack" did not send a request.
#[derive(Debug)]
pub enum RequestRefused {
    NotConnected,
    NotAnEmail,
    NoSuchSlackUser { team: String },
    SlackUserTaken,
    AlreadyMapped,
    Slack(String),
}

impl RequestRefused {
    /// What the dialog says.
    pub fn message(&self, email: &str) -> String {
        match self {
            Self::NotConnected => "Slack is not connected to this account, so there is no Slack user to map to. Ask an admin to connect it in Settings > App Marketplace.".to_owned(),
            Self::NotAnEmail => format!("{email:?} is not an email address. Enter the email address of your Slack account."),
            Self::NoSuchSlackUser { team } => format!("No one in the Slack workspace {team} has the email {email}. Check the address in your Slack profile."),
            Self::SlackUserTaken => format!("The Slack user with the email {email} is already mapped to another hub user. Ask a super admin if that is wrong."),
            Self::AlreadyMapped => format!("You are already mapped to the Slack user with the email {email}."),
            Self::Slack(why) => format!("Slack could not be asked ({why}). Try again in a minute."),
        }
    }
}

/// "Verify in Slack": finds the Slack user with `slack_email`, records a
/// pending request (24 hours) and enqueues the direct message, in one
/// transaction. Returns the request's id.
pub async fn request(
    state: &AppState,
    user: &User,
    slack_email: &str,
) -> Result<Result<i64, RequestRefused>, StoreError> {
    let Ok(email) = hubbub_hub::auth::check_email(slack_email) else {
        return Ok(Err(RequestRefused::NotAnEmail));
    };
    let email = email.as_str();
    let Some((conn, token)) = live_connection(state, user.account_id).await? else {
        return Ok(Err(RequestRefused::NotConnected));
    };
    let found = state.slack_api.users_lookup_by_email(&token, email).await;
    let info = match check_bot_call(state, user.account_id, found).await {
        Ok(info) => info,
        Err(SlackApiError::Slack(SlackErrorCode::UsersNotFound)) => {
            return Ok(Err(RequestRefused::NoSuchSlackUser {
                team: conn.team_label().to_owned(),
            }))
        }
        Err(e) if connection::is_dead_token(&e) => return Ok(Err(RequestRefused::NotConnected)),
        Err(e) => return Ok(Err(RequestRefused::Slack(e.to_string()))),
    };
    let person = person(info, email);
    match state
        .store
        .hub_user_for_slack_user(user.account_id, &conn.team_id, &person.slack_user_id)
        .await?
    {
        Some(id) if id == user.id => return Ok(Err(RequestRefused::AlreadyMapped)),
        Some(_) => return Ok(Err(RequestRefused::SlackUserTaken)),
        None => {}
    }
    let mut tx = state.store.begin_write().await?;
    let id = create_mapping_request_on(&mut tx, user.account_id, &conn.team_id, user.id, &person)
        .await?;
    enqueue_job(
        &mut tx,
        user.account_id,
        kind::SEND_MAPPING_REQUEST,
        &json!({ "request_id": id }),
    )
    .await?;
    tx.commit().await?;
    state.wake_jobs();
    Ok(Ok(id))
}

fn request_id(payload: &Value) -> Result<i64, JobError> {
    payload
        .get("request_id")
        .and_then(Value::as_i64)
        .ok_or_else(|| JobError::BadPayload("no request_id".to_owned()))
}

/// Job: sends a pending request's direct message with the Confirm button.
pub async fn send_request(state: &AppState, account_id: i64, payload: &Value) -> JobResult {
    let Some(request) = state
        .store
        .mapping_request(account_id, request_id(payload)?)
        .await?
    else {
        return Ok(());
    };
    if request.status != MappingRequestStatus::Pending || request.message.is_some() {
        return Ok(());
    }
    let Some((conn, token)) = live_connection(state, account_id).await? else {
        return Ok(());
    };
    if conn.team_id != request.team_id {
        return Ok(());
    }
    let user = state.store.user(account_id, request.user_id).await?;
    let content = blocks::mapping_request(&RequestMessage {
        request_id: request.id,
        hub_user_name: &user_name(&user),
        hub_user_email: &user.email,
        expires: &format_instant(request.expires_at),
    });
    let api = &state.slack_api;
    let opened = api
        .open_direct_message(&token, &request.person.slack_user_id)
        .await;
    let channel = check_bot_call(state, account_id, opened).await?;
    let posted = api.post_message(&token, &channel, content).await;
    let posted = check_bot_call(state, account_id, posted).await?;
    state
        .store
        .set_mapping_request_message(request.id, &posted.channel, &posted.ts)
        .await?;
    Ok(())
}

/// What the Slack user sees after pressing Confirm.
struct Answer {
    content: SlackMessageContent,
    replace_original: bool,
}

impl Answer {
    fn replace(content: SlackMessageContent) -> Answer {
        Answer {
            content,
            replace_original: true,
        }
    }

    fn only_to_them(content: SlackMessageContent) -> Answer {
        Answer {
            content,
            replace_original: false,
        }
    }
}

/// The Confirm button of a mapping request (`block_actions`). Answers
/// Slack at once; what the person sees goes through the interaction's
/// `response_url` in a job enqueued with the change.
pub async fn on_confirm(
    state: &AppState,
    account_id: Option<i64>,
    payload: &InteractionPayload,
    value: &str,
) -> Response {
    let Some(account_id) = account_id else {
        return StatusCode::OK.into_response();
    };
    match confirm(state, account_id, payload, value).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => {
            tracing::error!(account_id, error = %e, "could not take a Slack mapping confirmation");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn confirm(
    state: &AppState,
    account_id: i64,
    payload: &InteractionPayload,
    value: &str,
) -> Result<(), StoreError> {
    let Ok(id) = value.parse::<i64>() else {
        return Ok(());
    };
    let team_id = payload.team_id().unwrap_or_default();
    let mut tx = state.store.begin_write().await?;
    let request = mapping_request_on(&mut tx, account_id, id)
        .await?
        .filter(|r| r.team_id == team_id);
    let answer = match request {
        None => Answer::only_to_them(blocks::mapping_no_longer_valid(
            "the hub",
            "is no longer known to the hub",
        )),
        Some(r) if r.person.slack_user_id != payload.user.id => {
            tracing::warn!(account_id, request_id = r.id, slack_user = %payload.user.id, "a Slack user pressed Confirm on someone else's mapping request");
            Answer::only_to_them(blocks::mapping_not_yours())
        }
        Some(r) => {
            let user = state.store.user(account_id, r.user_id).await?;
            let name = user_name(&user);
            match r.status {
                MappingRequestStatus::Pending => {
                    let mapped =
                        map_slack_user_on(&mut tx, account_id, team_id, user.id, &r.person, true)
                            .await?;
                    match mapped {
                        Ok(()) => {
                            mark_mapping_request_confirmed_on(&mut tx, r.id).await?;
                            notify_on(
                                &mut tx,
                                account_id,
                                NewNotification {
                                    user_id: user.id,
                                    topic: "slack_mapped".to_owned(),
                                    title: "Your Slack account is mapped".to_owned(),
                                    body: format!(
                                        "Slack user @{} ({}) confirmed in Slack: the hub now sends your Slack notifications there.",
                                        r.person.name, r.person.email
                                    ),
                                    link: SETTINGS_PATH.to_owned(),
                                },
                            )
                            .await?;
                            Answer::replace(blocks::mapping_confirmed(&name))
                        }
                        Err(MappingRefused::SlackUserTaken { .. }) => {
                            Answer::only_to_them(blocks::mapping_no_longer_valid(
                                &name,
                                "cannot be confirmed: your Slack account is already connected to another hub user",
                            ))
                        }
                    }
                }
                MappingRequestStatus::Confirmed => {
                    Answer::replace(blocks::mapping_confirmed(&name))
                }
                MappingRequestStatus::Expired => Answer::replace(blocks::mapping_no_longer_valid(
                    &name,
                    "expired: requests must be confirmed within 24 hours",
                )),
                MappingRequestStatus::Superseded => Answer::replace(
                    blocks::mapping_no_longer_valid(&name, "was replaced by a newer request"),
                ),
            }
        }
    };
    if let Some(url) = payload.response_url.as_deref() {
        enqueue_job(
            &mut tx,
            account_id,
            kind::RESPOND,
            &json!({
                "response_url": url,
                "content": answer.content,
                "replace_original": answer.replace_original,
            }),
        )
        .await?;
    }
    tx.commit().await?;
    state.wake_jobs();
    Ok(())
}

/// Job: posts an answer to an interaction's `response_url`.
pub async fn respond(state: &AppState, payload: &Value) -> JobResult {
    let url = payload
        .get("response_url")
        .and_then(Value::as_str)
        .ok_or_else(|| JobError::BadPayload("no response_url".to_owned()))?;
    let content: SlackMessageContent =
        serde_json::from_value(payload.get("content").cloned().unwrap_or_default())
            .map_err(|e| JobError::BadPayload(e.to_string()))?;
    let how = if payload["replace_original"].as_bool() == Some(true) {
        hubbub_slack::Response::ReplaceOriginal
    } else {
        hubbub_slack::Response::Ephemeral
    };
    state.slack_api.respond(url, content, how).await?;
    Ok(())
}
