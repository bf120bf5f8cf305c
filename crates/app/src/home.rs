//! A hub user's home page: what needs them today. Their open tasks, their
//! open deals by stage, the conversations assigned to them, their unread
//! notifications and the records they opened lately. Each part is there
//! only when the user may read what it shows.

use hubbub_hub::auth::Access;
use hubbub_hub::conversation::Status;
use hubbub_hub::pipeline::Pipeline;
use hubbub_hub::search::{FilterGroupInput, FilterInput, SearchRequest, SortInput};
use hubbub_hub::timestamp::{parse_instant, Millis};
use hubbub_hub::{HubError, ObjectType, Record};
use hubbub_store::{Conversation, ConversationFilter, ConversationPreview, Notification};
use serde_json::Value;

use crate::notifications::plan::OWNER;
use crate::{Actor, App, Permission, Result};

/// How many of each part the home page lists.
pub const TASKS_SHOWN: u32 = 20;
pub const CONVERSATIONS_SHOWN: i64 = 10;
pub const NOTIFICATIONS_SHOWN: usize = 5;
pub const RECENT_SHOWN: i64 = 8;
/// The deals read to sum up by stage; a user who owns more sees the sums
/// of these and is told so.
pub const DEALS_READ: u32 = 200;

const TASK_DUE: &str = "hs_timestamp";
const TASK_STATUS: &str = "hs_task_status";
const DEAL_AMOUNT: &str = "amount";

pub struct Home {
    /// `None`: the user may not read tasks.
    pub tasks: Option<OpenTasks>,
    pub deals: Option<DealsByStage>,
    pub conversations: Option<Vec<(Conversation, ConversationPreview)>>,
    /// The newest unread ones.
    pub notifications: Vec<Notification>,
    /// Live records, newest visit first.
    pub recent: Vec<Record>,
}

pub struct OpenTasks {
    /// Soonest due first; those without a due date last.
    pub tasks: Vec<DueTask>,
    /// All the user's open tasks (more than listed when over the limit).
    pub total: i64,
}

pub struct DueTask {
    pub task: Record,
    pub due: Option<Millis>,
    /// Due before now.
    pub overdue: bool,
}

pub struct DealsByStage {
    /// Open stages with deals, in pipeline then stage order.
    pub stages: Vec<StageDeals>,
    /// All the user's deals (open and closed), of which the first
    /// [`DEALS_READ`] were summed.
    pub total: i64,
}

pub struct StageDeals {
    pub pipeline: String,
    pub stage: String,
    /// Highest amount first.
    pub deals: Vec<Record>,
    pub amount: f64,
}

impl App {
    /// What the actor's home page shows.
    pub async fn home(&self, actor: &Actor) -> Result<Home> {
        let user = actor
            .user()
            .ok_or_else(|| HubError::Forbidden("Only a hub user has a home page.".to_owned()))?;
        let may_read = |p| self.may(actor, p);
        let tasks = match may_read(Permission::Records(ObjectType::Task, Access::Read)) {
            true => Some(self.open_tasks(actor, user.id).await?),
            false => None,
        };
        let deals = match may_read(Permission::Records(ObjectType::Deal, Access::Read)) {
            true => Some(self.deals_by_stage(actor, user.id).await?),
            false => None,
        };
        let conversations = match may_read(Permission::Conversations(Access::Read)) {
            true => Some(self.my_open_conversations(actor, user.id).await?),
            false => None,
        };
        Ok(Home {
            tasks,
            deals,
            conversations,
            notifications: self.unread_notifications(actor).await?,
            recent: self.recently_viewed(actor, user.id).await?,
        })
    }

    /// Notes that the actor opened the record (for "Recently viewed").
    pub async fn record_viewed(&self, actor: &Actor, t: ObjectType, id: i64) -> Result<()> {
        let Some(user_id) = actor.user_id() else {
            return Ok(());
        };
        Ok(self
            .store()
            .record_viewed(actor.account_id(), user_id, t, id, self.now())
            .await?)
    }

    async fn open_tasks(&self, actor: &Actor, user_id: i64) -> Result<OpenTasks> {
        let request = owned_by(
            user_id,
            vec![filter(TASK_STATUS, "NEQ", "COMPLETED")],
            TASK_DUE,
            "ASCENDING",
            TASKS_SHOWN,
        );
        let (total, found) = self.owned_tasks(actor, &request).await?;
        let now = self.now();
        let mut tasks: Vec<DueTask> = found
            .into_iter()
            .map(|task| {
                let due = task.value(TASK_DUE).and_then(|v| parse_instant(&v));
                DueTask {
                    overdue: due.is_some_and(|d| d < now),
                    due,
                    task,
                }
            })
            .collect();
        // The store sorts tasks without a due date first; they go last.
        tasks.sort_by_key(|t| (t.due.is_none(), t.due));
        Ok(OpenTasks { tasks, total })
    }

    async fn deals_by_stage(&self, actor: &Actor, user_id: i64) -> Result<DealsByStage> {
        let request = owned_by(
            user_id,
            Vec::new(),
            "hs_object_id",
            "DESCENDING",
            DEALS_READ,
        );
        let deals = self.records(actor, ObjectType::Deal, Access::Read).await?;
        let (total, found) = deals.search(&request.plan(deals.props())?).await?;
        Ok(DealsByStage {
            stages: group_by_stage(&deals.pipelines().await?, found),
            total,
        })
    }

    async fn owned_tasks(
        &self,
        actor: &Actor,
        request: &SearchRequest,
    ) -> Result<(i64, Vec<Record>)> {
        let tasks = self.records(actor, ObjectType::Task, Access::Read).await?;
        tasks.search(&request.plan(tasks.props())?).await
    }

    async fn my_open_conversations(
        &self,
        actor: &Actor,
        user_id: i64,
    ) -> Result<Vec<(Conversation, ConversationPreview)>> {
        let filter = ConversationFilter {
            status: Some(Status::Open),
            assignee: Some(Some(user_id)),
            ..ConversationFilter::default()
        };
        let found = self
            .conversations(actor, &filter, CONVERSATIONS_SHOWN)
            .await?;
        let ids: Vec<i64> = found.iter().map(|c| c.id).collect();
        let mut previews = self
            .store()
            .conversation_previews(actor.account_id(), &ids)
            .await?;
        Ok(found
            .into_iter()
            .map(|c| {
                let preview = previews.remove(&c.id).unwrap_or_default();
                (c, preview)
            })
            .collect())
    }

    /// The newest unread notifications (the bell counts them all).
    async fn unread_notifications(&self, actor: &Actor) -> Result<Vec<Notification>> {
        // Reading the newest 100 bounds the page.
        Ok(self
            .notifications(actor, 100)
            .await?
            .into_iter()
            .filter(|n| n.read_at.is_none())
            .take(NOTIFICATIONS_SHOWN)
            .collect())
    }

    async fn recently_viewed(&self, actor: &Actor, user_id: i64) -> Result<Vec<Record>> {
        let account_id = actor.account_id();
        let viewed = self
            .store()
            .recently_viewed(account_id, user_id, RECENT_SHOWN)
            .await?;
        // One read per type; archived records are not found, so left out.
        let mut found = Vec::new();
        for t in ObjectType::ALL {
            let ids: Vec<i64> = viewed
                .iter()
                .filter(|(v, _)| *v == t)
                .map(|(_, id)| *id)
                .collect();
            if !ids.is_empty() && self.may(actor, Permission::Records(t, Access::Read)) {
                found.extend(
                    self.store()
                        .records_by_ids(account_id, t, &ids, false)
                        .await?,
                );
            }
        }
        Ok(viewed
            .iter()
            .filter_map(|(_, id)| found.iter().find(|r| r.id == *id).cloned())
            .collect())
    }
}

/// The user's records matching `also`, sorted by `sort`.
fn owned_by(
    user_id: i64,
    also: Vec<FilterInput>,
    sort: &str,
    direction: &str,
    limit: u32,
) -> SearchRequest {
    let mut filters = vec![filter(OWNER, "EQ", &user_id.to_string())];
    filters.extend(also);
    SearchRequest {
        filter_groups: vec![FilterGroupInput { filters }],
        sorts: vec![SortInput::Spec {
            property_name: sort.to_owned(),
            direction: Some(direction.to_owned()),
        }],
        limit: Some(i64::from(limit)),
        ..SearchRequest::default()
    }
}

fn filter(property: &str, operator: &str, value: &str) -> FilterInput {
    FilterInput {
        property_name: property.to_owned(),
        operator: operator.to_owned(),
        value: Some(Value::String(value.to_owned())),
        values: None,
        high_value: None,
    }
}

/// The open deals under their stages, in the pipelines' order; closed
/// stages (won, lost) and deals in a stage no pipeline has are left out.
fn group_by_stage(pipelines: &[Pipeline], deals: Vec<Record>) -> Vec<StageDeals> {
    let (pipeline_prop, stage_prop) = ObjectType::Deal
        .pipeline_properties()
        .expect("deals have pipelines");
    let mut stages = Vec::new();
    for pipeline in pipelines {
        for stage in &pipeline.stages {
            if stage.is_closed() {
                continue;
            }
            let mut in_stage: Vec<Record> = deals
                .iter()
                .filter(|d| d.value(pipeline_prop).as_deref() == Some(pipeline.id.as_str()))
                .filter(|d| d.value(stage_prop).as_deref() == Some(stage.id.as_str()))
                .cloned()
                .collect();
            if in_stage.is_empty() {
                continue;
            }
            in_stage.sort_by(|a, b| amount(b).total_cmp(&amount(a)));
            stages.push(StageDeals {
                pipeline: pipeline.label.clone(),
                stage: stage.label.clone(),
                amount: in_stage.iter().map(amount).sum(),
                deals: in_stage,
            });
        }
    }
    stages
}

/// A deal's amount; none counts as 0.
pub fn amount(deal: &Record) -> f64 {
    deal.value(DEAL_AMOUNT)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}
