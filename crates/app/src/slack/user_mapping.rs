//! Hub users ↔ Slack users (the seed's "email mapping").
//!
//! - [`App::map_slack_users`] (a job, enqueued when a workspace is
//!   connected and when a user joins the hub) finds each hub user's Slack
//!   account by email with `users.lookupByEmail` and remembers the pair. A
//!   user whose email matches nobody is told once per workspace, in the
//!   app and by email, with a link to their notification settings.
//! - There, "Verify in Slack" ([`App::request_slack_mapping`]) takes the
//!   Slack email the user gives, finds that Slack user, and enqueues the
//!   direct message with a Confirm button, valid 24 hours.
//! - [`App::confirm_slack_mapping`] takes the button press: only the Slack
//!   user the request was sent to completes it, within its 24 hours, and a
//!   Slack user maps to at most one hub user of the account.
//!
//! Mappings are kept per workspace and survive a disconnect, so
//! reconnecting the same workspace restores them.

use hubbub_hub::timestamp::{format_instant, Millis};
use hubbub_hub::Topic;
use hubbub_slack::{SlackApiError, SlackErrorCode, SlackMessageContent};
use hubbub_store::{
    create_mapping_request_on, enqueue_mail, map_slack_user_on, mapping_request_on,
    mark_mapping_request_confirmed_on, notify_on, record_slack_unmatched_on, AnyConnection,
    MappingRefused, MappingRequestStatus, NewNotification, SlackConnection, SlackLink, SlackPerson,
    User,
};

use super::messages::{self, MappingRequestMessage};
use super::workspace::{LiveWorkspace, WorkspaceAccess};
use crate::jobs::{Job, JobError};
use crate::links;
use crate::mail::messages as mails;
use crate::{App, Result};

fn person(info: hubbub_slack::SlackUserInfo, fallback_email: &str) -> SlackPerson {
    SlackPerson {
        slack_user_id: info.id,
        name: info.name,
        email: info.email.unwrap_or_else(|| fallback_email.to_owned()),
    }
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

/// A hub user's standing with the account's workspace, as their
/// notification settings show it.
pub enum SlackStanding {
    /// No live connection; `kept` is the Slack user the mapping comes back
    /// to when the same workspace is reconnected.
    NotConnected { kept: Option<SlackPerson> },
    /// Connected, but the hub cannot use its token (a configuration error
    /// its super admins were told about).
    Unusable { team: String },
    Mapped {
        team: String,
        person: SlackPerson,
        confirmed: bool,
    },
    /// A request waits for the Slack user's Confirm.
    Pending {
        team: String,
        person: SlackPerson,
        expires_at: Millis,
    },
    /// The hub found no Slack user with the hub email (or has not looked
    /// yet); `expired` is the Slack user whose request ran out.
    NeedsMapping {
        team: String,
        expired: Option<SlackPerson>,
    },
}

impl SlackStanding {
    /// The hub cannot reach the user in Slack until they map their
    /// account: the settings page warns beside Slack.
    pub fn needs_mapping(&self) -> bool {
        matches!(self, SlackStanding::NeedsMapping { .. })
    }
}

/// The Slack user who pressed a button, before the hub knows who they are.
#[derive(Debug, Clone)]
pub struct SlackIdentity {
    pub team_id: String,
    pub user_id: String,
}

impl App {
    /// How `user` stands with the account's workspace.
    pub async fn slack_standing(&self, user: &User) -> Result<SlackStanding> {
        let account_id = user.account_id;
        let c = match self.workspace_access(account_id).await? {
            WorkspaceAccess::NotConnected(None) => {
                return Ok(SlackStanding::NotConnected { kept: None })
            }
            WorkspaceAccess::NotConnected(Some(c)) => {
                let kept = match self
                    .store()
                    .slack_link(account_id, &c.team_id, user.id)
                    .await?
                {
                    Some(SlackLink::Mapped { person, .. }) => Some(person),
                    _ => None,
                };
                return Ok(SlackStanding::NotConnected { kept });
            }
            WorkspaceAccess::Unreadable(c) => {
                return Ok(SlackStanding::Unusable {
                    team: c.team_label().to_owned(),
                })
            }
            WorkspaceAccess::Live(live) => live.connection,
        };
        let team = c.team_label().to_owned();
        let link = self
            .store()
            .slack_link(account_id, &c.team_id, user.id)
            .await?;
        if let Some(SlackLink::Mapped { person, confirmed }) = link {
            return Ok(SlackStanding::Mapped {
                team,
                person,
                confirmed,
            });
        }
        let request = self
            .store()
            .latest_mapping_request(account_id, &c.team_id, user.id, self.now())
            .await?;
        Ok(match request {
            Some(r) if r.status == MappingRequestStatus::Pending => SlackStanding::Pending {
                team,
                expires_at: r.expires_at,
                person: r.person,
            },
            Some(r) if r.status == MappingRequestStatus::Expired => SlackStanding::NeedsMapping {
                team,
                expired: Some(r.person),
            },
            _ => SlackStanding::NeedsMapping {
                team,
                expired: None,
            },
        })
    }

    /// Enqueues finding new users' Slack accounts on `conn`, inside the
    /// transaction that added them, when the account's workspace is live.
    /// Says whether it did.
    pub(crate) async fn map_new_users_on(
        &self,
        conn: &mut AnyConnection,
        account_id: i64,
        user_ids: Vec<i64>,
    ) -> Result<bool> {
        let live = self
            .store()
            .slack_connection(account_id)
            .await?
            .is_some_and(|c| c.is_live());
        if live {
            let job = Job::MapSlackUsers {
                user_ids: Some(user_ids),
            };
            job.enqueue_on(conn, account_id).await?;
        }
        Ok(live)
    }

    /// Job: finds the Slack account of each listed user (all active users
    /// when `None`) that is not mapped yet.
    pub(crate) async fn map_slack_users(
        &self,
        account_id: i64,
        only: Option<&[i64]>,
    ) -> Result<(), JobError> {
        let Some(live) = self.live_workspace(account_id).await? else {
            return Ok(());
        };
        let conn = &live.connection;
        let links = self.store().slack_links(account_id, &conn.team_id).await?;
        let mapped = |id: i64| {
            links
                .iter()
                .any(|(u, l)| *u == id && matches!(l, SlackLink::Mapped { .. }))
        };
        let users = self.store().users(account_id).await?;
        let wanted = users
            .iter()
            .filter(|u| !u.archived && !mapped(u.id) && only.is_none_or(|ids| ids.contains(&u.id)));
        for user in wanted {
            self.map_one(&live, user).await?;
        }
        Ok(())
    }

    pub(crate) async fn map_one(&self, live: &LiveWorkspace, user: &User) -> Result<(), JobError> {
        let conn = &live.connection;
        let found = self
            .slack_api()
            .users_lookup_by_email(&live.token, &user.email)
            .await;
        match self.check_bot_call(conn.account_id, found).await {
            Ok(info) => {
                let person = person(info, &user.email);
                let done = self
                    .store()
                    .map_slack_user_by_email(conn.account_id, &conn.team_id, user.id, &person)
                    .await?;
                match done {
                    Ok(()) => Ok(()),
                    // Someone else confirmed this Slack user as theirs:
                    // this user must map another Slack account.
                    Err(MappingRefused::SlackUserTaken { .. }) => {
                        Ok(self.unmatched(conn, user).await?)
                    }
                }
            }
            Err(SlackApiError::Slack(SlackErrorCode::UsersNotFound)) => {
                Ok(self.unmatched(conn, user).await?)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Records that no Slack user has this user's email and, the first
    /// time for this workspace, tells them (in the app and by email) in the
    /// same transaction.
    async fn unmatched(&self, conn: &SlackConnection, user: &User) -> Result<()> {
        let mut tx = self.store().begin_write().await?;
        let first =
            record_slack_unmatched_on(&mut tx, conn.account_id, &conn.team_id, user.id).await?;
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
                    topic: Topic::SlackUnmapped,
                    title: format!("Map your Slack account in {team}"),
                    body: body.clone(),
                    link: links::NOTIFICATION_SETTINGS.to_owned(),
                },
            )
            .await?;
            let url = self.config().url(links::NOTIFICATION_SETTINGS);
            enqueue_mail(
                &mut tx,
                conn.account_id,
                &mails::slack_unmapped(user, team, &body, &url),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// "Verify in Slack": finds the Slack user with `slack_email`, records
    /// a pending request (24 hours) and enqueues the direct message, in one
    /// transaction. Returns the request's id.
    pub async fn request_slack_mapping(
        &self,
        user: &User,
        slack_email: &str,
    ) -> Result<Result<i64, RequestRefused>> {
        let Ok(email) = hubbub_hub::auth::check_email(slack_email) else {
            return Ok(Err(RequestRefused::NotAnEmail));
        };
        let email = email.as_str();
        let Some(live) = self.live_workspace(user.account_id).await? else {
            return Ok(Err(RequestRefused::NotConnected));
        };
        let conn = &live.connection;
        let found = self
            .slack_api()
            .users_lookup_by_email(&live.token, email)
            .await;
        let info = match self.check_bot_call(user.account_id, found).await {
            Ok(info) => info,
            Err(SlackApiError::Slack(SlackErrorCode::UsersNotFound)) => {
                return Ok(Err(RequestRefused::NoSuchSlackUser {
                    team: conn.team_label().to_owned(),
                }))
            }
            Err(e) if e.is_dead_token() => return Ok(Err(RequestRefused::NotConnected)),
            Err(e) => return Ok(Err(RequestRefused::Slack(e.to_string()))),
        };
        let person = person(info, email);
        match self
            .store()
            .hub_user_for_slack_user(user.account_id, &conn.team_id, &person.slack_user_id)
            .await?
        {
            Some(id) if id == user.id => return Ok(Err(RequestRefused::AlreadyMapped)),
            Some(_) => return Ok(Err(RequestRefused::SlackUserTaken)),
            None => {}
        }
        let mut tx = self.store().begin_write().await?;
        let id = create_mapping_request_on(
            &mut tx,
            user.account_id,
            &conn.team_id,
            user.id,
            &person,
            self.now(),
        )
        .await?;
        Job::SendMappingRequest { request_id: id }
            .enqueue_on(&mut tx, user.account_id)
            .await?;
        tx.commit().await?;
        self.wake_worker();
        Ok(Ok(id))
    }

    /// Job: sends a pending request's direct message with the Confirm
    /// button.
    pub(crate) async fn send_mapping_request(
        &self,
        account_id: i64,
        request_id: i64,
    ) -> Result<(), JobError> {
        let Some(request) = self
            .store()
            .mapping_request(account_id, request_id, self.now())
            .await?
        else {
            return Ok(());
        };
        if request.status != MappingRequestStatus::Pending || request.message.is_some() {
            return Ok(());
        }
        let Some(live) = self.live_workspace(account_id).await? else {
            return Ok(());
        };
        if live.connection.team_id != request.team_id {
            return Ok(());
        }
        let user = self.store().user(account_id, request.user_id).await?;
        let content = messages::mapping_request(&MappingRequestMessage {
            request_id: request.id,
            hub_user_name: &user.display_name(),
            hub_user_email: &user.email,
            expires: &format_instant(request.expires_at),
        });
        let api = self.slack_api();
        let opened = api
            .open_direct_message(&live.token, &request.person.slack_user_id)
            .await;
        let channel = self.check_bot_call(account_id, opened).await?;
        let posted = api.post_message(&live.token, &channel, content).await;
        let posted = self.check_bot_call(account_id, posted).await?;
        self.store()
            .set_mapping_request_message(request.id, &posted.channel, &posted.ts)
            .await?;
        Ok(())
    }

    /// The Confirm button of mapping request `request_id`, pressed by
    /// `who`. What they see goes through the interaction's `response_url`
    /// in a job enqueued with the change.
    pub async fn confirm_slack_mapping(
        &self,
        account_id: i64,
        who: &SlackIdentity,
        request_id: i64,
        response_url: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.store().begin_write().await?;
        let request = mapping_request_on(&mut tx, account_id, request_id, self.now())
            .await?
            .filter(|r| r.team_id == who.team_id);
        let answer = match request {
            None => Answer::only_to_them(messages::mapping_no_longer_valid(
                "the hub",
                "is no longer known to the hub",
            )),
            Some(r) if r.person.slack_user_id != who.user_id => {
                tracing::warn!(account_id, request_id = r.id, slack_user = %who.user_id, "a Slack user pressed Confirm on someone else's mapping request");
                Answer::only_to_them(messages::mapping_not_yours())
            }
            Some(r) => {
                let user = self.store().user(account_id, r.user_id).await?;
                let name = user.display_name();
                match r.status {
                    MappingRequestStatus::Pending => {
                        let mapped = map_slack_user_on(
                            &mut tx,
                            account_id,
                            &who.team_id,
                            user.id,
                            &r.person,
                            true,
                        )
                        .await?;
                        match mapped {
                            Ok(()) => {
                                mark_mapping_request_confirmed_on(&mut tx, r.id).await?;
                                notify_on(
                                    &mut tx,
                                    account_id,
                                    NewNotification {
                                        user_id: user.id,
                                        topic: Topic::SlackMapped,
                                        title: "Your Slack account is mapped".to_owned(),
                                        body: format!(
                                            "Slack user @{} ({}) confirmed in Slack: the hub now sends your Slack notifications there.",
                                            r.person.name, r.person.email
                                        ),
                                        link: links::NOTIFICATION_SETTINGS.to_owned(),
                                    },
                                )
                                .await?;
                                Answer::replace(messages::mapping_confirmed(&name))
                            }
                            Err(MappingRefused::SlackUserTaken { .. }) => {
                                Answer::only_to_them(messages::mapping_no_longer_valid(
                                    &name,
                                    "cannot be confirmed: your Slack account is already connected to another hub user",
                                ))
                            }
                        }
                    }
                    MappingRequestStatus::Confirmed => {
                        Answer::replace(messages::mapping_confirmed(&name))
                    }
                    MappingRequestStatus::Expired => {
                        Answer::replace(messages::mapping_no_longer_valid(
                            &name,
                            "expired: requests must be confirmed within 24 hours",
                        ))
                    }
                    MappingRequestStatus::Superseded => Answer::replace(
                        messages::mapping_no_longer_valid(&name, "was replaced by a newer request"),
                    ),
                }
            }
        };
        if let Some(url) = self.slack_response_url(account_id, response_url) {
            Job::RespondInSlack {
                response_url: url.to_owned(),
                content: Box::new(answer.content),
                replace_original: answer.replace_original,
            }
            .enqueue_on(&mut tx, account_id)
            .await?;
        }
        tx.commit().await?;
        self.wake_worker();
        Ok(())
    }

    /// Job: posts an answer to an interaction's `response_url`.
    pub(crate) async fn respond_in_slack(
        &self,
        response_url: &str,
        content: SlackMessageContent,
        replace_original: bool,
    ) -> Result<(), JobError> {
        // Checked when enqueued too; a job written before the check, or by
        // hand, must not make the hub post elsewhere either.
        if !self.config().is_slack_response_url(response_url) {
            return Err(crate::Error::Refused(hubbub_hub::HubError::Forbidden(
                "the response_url is not one of Slack's".to_owned(),
            ))
            .into());
        }
        let how = if replace_original {
            hubbub_slack::Response::ReplaceOriginal
        } else {
            hubbub_slack::Response::Ephemeral
        };
        self.slack_api().respond(response_url, content, how).await?;
        Ok(())
    }
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
