//! The demo account: people whose emails match the sandbox's Slack users
//! (all but one, on purpose), and enough records that the record pages and
//! the deal board look like a team's. Everything goes through the
//! application layer's use cases, as the operator, as `hubbub admin` and
//! the web forms do.

use anyhow::{Context, Result};
use hubbub_app::records::RecordInput;
use hubbub_app::{Actor, App};
use hubbub_hub::association::default_type;
use hubbub_hub::auth::Access;
use hubbub_hub::timestamp::now_millis;
use hubbub_hub::ObjectType;
use hubbub_store::NewUser;
use serde_json::{json, Value};

/// Every demo login's password.
pub const PASSWORD: &str = "demo-password";

/// What the hub lets a person do.
pub enum Role {
    SuperAdmin,
    /// May connect apps, Slack among them.
    Marketplace,
    Member,
}

impl Role {
    pub fn describe(&self) -> &'static str {
        match self {
            Role::SuperAdmin => "super admin",
            Role::Marketplace => "App Marketplace permission",
            Role::Member => "regular user",
        }
    }
}

pub struct Person {
    pub first: &'static str,
    pub last: &'static str,
    pub email: &'static str,
    /// Their email in the sandbox's Slack workspace.
    pub slack_email: &'static str,
    pub role: Role,
}

impl Person {
    pub fn name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

/// The account's people; the first creates the account. Olivia's email is
/// the sandbox owner's, so she can connect Slack. Mark's is deliberately
/// not his Slack email, to show the email mapping.
pub const PEOPLE: &[Person] = &[
    Person {
        first: "Olivia",
        last: "Owner",
        email: "olivia@acme.example",
        slack_email: "olivia@acme.example",
        role: Role::SuperAdmin,
    },
    Person {
        first: "Adam",
        last: "Admin",
        email: "adam@acme.example",
        slack_email: "adam@acme.example",
        role: Role::Marketplace,
    },
    Person {
        first: "Maria",
        last: "Member",
        email: "maria@acme.example",
        slack_email: "maria@acme.example",
        role: Role::Member,
    },
    Person {
        first: "Mark",
        last: "Member",
        email: "mark.member@acme.example",
        slack_email: "mark@acme.example",
        role: Role::Member,
    },
];

// Owners, as indexes into PEOPLE.
const OLIVIA: usize = 0;
const ADAM: usize = 1;
const MARIA: usize = 2;
const MARK: usize = 3;

struct Company {
    name: &'static str,
    domain: &'static str,
    industry: &'static str,
    city: &'static str,
    owner: usize,
}

#[rustfmt::skip]
const COMPANIES: &[Company] = &[
    Company { name: "Northwind Traders", domain: "northwind.example", industry: "Wholesale",
              city: "Seattle", owner: OLIVIA },
    Company { name: "Bluebird Logistics", domain: "bluebird.example", industry: "Logistics",
              city: "Rotterdam", owner: MARIA },
    Company { name: "Cedar & Pine Studio", domain: "cedarpine.example", industry: "Design",
              city: "Portland", owner: MARK },
    Company { name: "Helios Solar", domain: "helios.example", industry: "Energy",
              city: "Seville", owner: MARIA },
];

struct Contact {
    first: &'static str,
    last: &'static str,
    email: &'static str,
    title: &'static str,
    lifecycle: &'static str,
    /// Index into COMPANIES.
    company: usize,
    owner: usize,
}

#[rustfmt::skip]
const CONTACTS: &[Contact] = &[
    Contact { first: "Grace", last: "Chen", email: "grace.chen@northwind.example",
              title: "VP Operations", lifecycle: "customer", company: 0, owner: OLIVIA },
    Contact { first: "Tom", last: "Alvarez", email: "tom.alvarez@northwind.example",
              title: "Purchasing", lifecycle: "customer", company: 0, owner: OLIVIA },
    Contact { first: "Priya", last: "Nair", email: "priya.nair@bluebird.example",
              title: "Head of Logistics", lifecycle: "opportunity", company: 1, owner: MARIA },
    Contact { first: "Lars", last: "Berg", email: "lars.berg@bluebird.example",
              title: "CFO", lifecycle: "opportunity", company: 1, owner: MARIA },
    Contact { first: "Amara", last: "Okafor", email: "amara.okafor@bluebird.example",
              title: "Dispatch Lead", lifecycle: "lead", company: 1, owner: MARIA },
    Contact { first: "Jonas", last: "Weber", email: "jonas.weber@cedarpine.example",
              title: "Founder", lifecycle: "customer", company: 2, owner: MARK },
    Contact { first: "Sofia", last: "Rossi", email: "sofia.rossi@cedarpine.example",
              title: "Designer", lifecycle: "lead", company: 2, owner: MARK },
    Contact { first: "Kenji", last: "Sato", email: "kenji.sato@helios.example",
              title: "Procurement", lifecycle: "salesqualifiedlead", company: 3, owner: MARIA },
    Contact { first: "Elena", last: "Petrova", email: "elena.petrova@helios.example",
              title: "COO", lifecycle: "opportunity", company: 3, owner: OLIVIA },
    Contact { first: "Sam", last: "Taylor", email: "sam.taylor@helios.example",
              title: "Site Manager", lifecycle: "subscriber", company: 3, owner: ADAM },
];

struct Deal {
    name: &'static str,
    amount: u32,
    /// A stage of the default pipeline, so the board fills several columns.
    stage: &'static str,
    closes_in_days: i64,
    company: usize,
    /// Index into CONTACTS.
    contact: usize,
    owner: usize,
}

#[rustfmt::skip]
const DEALS: &[Deal] = &[
    Deal { name: "Northwind annual renewal", amount: 24_000, stage: "contractsent",
           closes_in_days: 14, company: 0, contact: 0, owner: OLIVIA },
    Deal { name: "Northwind warehouse pilot", amount: 8_000, stage: "appointmentscheduled",
           closes_in_days: 45, company: 0, contact: 1, owner: MARIA },
    Deal { name: "Bluebird fleet tracking", amount: 56_000, stage: "qualifiedtobuy",
           closes_in_days: 30, company: 1, contact: 2, owner: MARIA },
    Deal { name: "Bluebird support plan", amount: 12_000, stage: "closedwon",
           closes_in_days: -7, company: 1, contact: 3, owner: ADAM },
    Deal { name: "Cedar & Pine studio licences", amount: 4_500, stage: "presentationscheduled",
           closes_in_days: 21, company: 2, contact: 5, owner: MARK },
    Deal { name: "Helios rollout, phase 2", amount: 98_000, stage: "decisionmakerboughtin",
           closes_in_days: 60, company: 3, contact: 8, owner: OLIVIA },
];

struct Ticket {
    subject: &'static str,
    content: &'static str,
    /// A stage of the support pipeline: 1 New, 2 Waiting on contact, 3
    /// Waiting on us.
    stage: &'static str,
    priority: &'static str,
    company: usize,
    contact: usize,
    owner: usize,
}

#[rustfmt::skip]
const TICKETS: &[Ticket] = &[
    Ticket { subject: "Export to CSV stops at 1,000 rows",
             content: "The contacts export ends early on large lists.",
             stage: "1", priority: "HIGH", company: 1, contact: 2, owner: ADAM },
    Ticket { subject: "Invoice shows the wrong VAT number",
             content: "The March invoice has last year's VAT number.",
             stage: "3", priority: "MEDIUM", company: 0, contact: 1, owner: MARIA },
    Ticket { subject: "How do we add a second pipeline?",
             content: "They want a pipeline for renewals.",
             stage: "2", priority: "LOW", company: 2, contact: 5, owner: MARK },
];

struct Task {
    subject: &'static str,
    notes: &'static str,
    /// Negative: overdue.
    due_in_days: i64,
    status: &'static str,
    priority: &'static str,
    kind: &'static str,
    contact: usize,
    /// Index into DEALS.
    deal: Option<usize>,
    owner: usize,
}

#[rustfmt::skip]
const TASKS: &[Task] = &[
    Task { subject: "Call Grace about renewal terms", notes: "She asked for a two-year option.",
           due_in_days: 1, status: "NOT_STARTED", priority: "HIGH", kind: "CALL",
           contact: 0, deal: Some(0), owner: OLIVIA },
    Task { subject: "Send Bluebird the tracking proposal", notes: "Include the pilot results.",
           due_in_days: 3, status: "IN_PROGRESS", priority: "MEDIUM", kind: "EMAIL",
           contact: 2, deal: Some(2), owner: MARIA },
    Task { subject: "Chase the Helios security questionnaire",
           notes: "Elena's team is waiting on IT.",
           due_in_days: -2, status: "WAITING", priority: "HIGH", kind: "TODO",
           contact: 8, deal: Some(5), owner: OLIVIA },
    Task { subject: "Check in with Jonas after onboarding", notes: "",
           due_in_days: 7, status: "NOT_STARTED", priority: "LOW", kind: "TODO",
           contact: 5, deal: None, owner: MARK },
];

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// What the banner shows besides the fixed logins.
pub struct Seeded {
    /// A private-app API token with every scope.
    pub token: String,
    /// The web chat's key for the account's inbox.
    pub widget_key: String,
}

/// Creates the demo account, its people, records and an API token.
pub async fn seed(app: &App, site_origin: &str) -> Result<Seeded> {
    let (account_id, owners) = create_people(app).await?;
    let operator = Actor::Operator { account_id };
    let records = Records {
        app,
        operator: operator.clone(),
    };
    let companies = companies(&records, &owners).await?;
    let contacts = contacts(&records, &owners, &companies).await?;
    let deals = deals(&records, &owners, &companies, &contacts).await?;
    tickets(&records, &owners, &companies, &contacts).await?;
    tasks(&records, &owners, &contacts, &deals).await?;
    let (token, _) = app.create_token(&operator, &[]).await?;
    let inbox = app.store().inboxes(account_id).await?.remove(0);
    let origins = vec![site_origin.to_owned()];
    app.store()
        .set_inbox_origins(account_id, inbox.id, &origins)
        .await?;
    let (widget_key, _) = app.store().inbox_widget(account_id, inbox.id).await?;
    Ok(Seeded { token, widget_key })
}

/// Creates the account with its first person and adds the others; returns
/// the account id and everyone's owner id, in PEOPLE's order.
async fn create_people(app: &App) -> Result<(i64, Vec<String>)> {
    let new_user = |p: &Person| NewUser {
        email: p.email.into(),
        password: PASSWORD.into(),
        first_name: p.first.into(),
        last_name: p.last.into(),
        super_admin: matches!(p.role, Role::SuperAdmin),
        marketplace: matches!(p.role, Role::Marketplace),
    };
    let (first, others) = PEOPLE.split_first().context("PEOPLE has someone")?;
    let (account, user) = app.create_account("Acme", new_user(first)).await?;
    let operator = Actor::Operator {
        account_id: account.id,
    };
    let mut owners = vec![user.id.to_string()];
    for person in others {
        let user = app.invite_user(&operator, new_user(person)).await?;
        owners.push(user.id.to_string());
    }
    Ok((account.id, owners))
}

async fn companies(records: &Records<'_>, owners: &[String]) -> Result<Vec<i64>> {
    let inputs = COMPANIES
        .iter()
        .map(|c| {
            json!({"name": c.name, "domain": c.domain, "industry": c.industry, "city": c.city,
                   "hubspot_owner_id": owners[c.owner]})
        })
        .collect();
    records.create_all(ObjectType::Company, inputs).await
}

async fn contacts(records: &Records<'_>, owners: &[String], companies: &[i64]) -> Result<Vec<i64>> {
    let inputs = CONTACTS
        .iter()
        .map(|c| {
            json!({"firstname": c.first, "lastname": c.last, "email": c.email,
                   "jobtitle": c.title, "company": COMPANIES[c.company].name,
                   "lifecyclestage": c.lifecycle, "hubspot_owner_id": owners[c.owner]})
        })
        .collect();
    let ids = records.create_all(ObjectType::Contact, inputs).await?;
    for (&id, c) in ids.iter().zip(CONTACTS) {
        let company = (ObjectType::Company, companies[c.company]);
        records
            .associate((ObjectType::Contact, id), company)
            .await?;
    }
    Ok(ids)
}

async fn deals(
    records: &Records<'_>,
    owners: &[String],
    companies: &[i64],
    contacts: &[i64],
) -> Result<Vec<i64>> {
    let inputs = DEALS
        .iter()
        .map(|d| {
            json!({"dealname": d.name, "amount": d.amount, "dealstage": d.stage,
                   "closedate": in_days(d.closes_in_days), "hubspot_owner_id": owners[d.owner]})
        })
        .collect();
    let ids = records.create_all(ObjectType::Deal, inputs).await?;
    for (&id, d) in ids.iter().zip(DEALS) {
        let deal = (ObjectType::Deal, id);
        let company = (ObjectType::Company, companies[d.company]);
        records.associate(deal, company).await?;
        let contact = (ObjectType::Contact, contacts[d.contact]);
        records.associate(deal, contact).await?;
    }
    Ok(ids)
}

async fn tickets(
    records: &Records<'_>,
    owners: &[String],
    companies: &[i64],
    contacts: &[i64],
) -> Result<()> {
    let inputs = TICKETS
        .iter()
        .map(|t| {
            json!({"subject": t.subject, "content": t.content, "hs_pipeline_stage": t.stage,
                   "hs_ticket_priority": t.priority, "hubspot_owner_id": owners[t.owner]})
        })
        .collect();
    let ids = records.create_all(ObjectType::Ticket, inputs).await?;
    for (&id, t) in ids.iter().zip(TICKETS) {
        let ticket = (ObjectType::Ticket, id);
        let company = (ObjectType::Company, companies[t.company]);
        records.associate(ticket, company).await?;
        let contact = (ObjectType::Contact, contacts[t.contact]);
        records.associate(ticket, contact).await?;
    }
    Ok(())
}

async fn tasks(
    records: &Records<'_>,
    owners: &[String],
    contacts: &[i64],
    deals: &[i64],
) -> Result<()> {
    let inputs = TASKS
        .iter()
        .map(|t| {
            json!({"hs_task_subject": t.subject, "hs_task_body": t.notes,
                   "hs_timestamp": in_days(t.due_in_days), "hs_task_status": t.status,
                   "hs_task_priority": t.priority, "hs_task_type": t.kind,
                   "hubspot_owner_id": owners[t.owner]})
        })
        .collect();
    let ids = records.create_all(ObjectType::Task, inputs).await?;
    for (&id, t) in ids.iter().zip(TASKS) {
        let task = (ObjectType::Task, id);
        let contact = (ObjectType::Contact, contacts[t.contact]);
        records.associate(task, contact).await?;
        if let Some(deal) = t.deal {
            records
                .associate(task, (ObjectType::Deal, deals[deal]))
                .await?;
        }
    }
    Ok(())
}

/// Epoch milliseconds `days` from now, so that close and due dates stay
/// near the day the demo runs.
fn in_days(days: i64) -> i64 {
    now_millis() + days * DAY_MS
}

/// Writes the demo account's records, as its operator, through the same
/// use cases as the API and the web forms.
struct Records<'a> {
    app: &'a App,
    operator: Actor,
}

impl Records<'_> {
    /// Creates records of one type under the rules the API and the web
    /// forms apply (property types, pipelines: a deal or ticket stage must
    /// belong to the default pipeline); returns their ids in order.
    async fn create_all(&self, object_type: ObjectType, inputs: Vec<Value>) -> Result<Vec<i64>> {
        let inputs = inputs
            .into_iter()
            .map(|input| {
                let Value::Object(properties) = input else {
                    anyhow::bail!("properties are a JSON object");
                };
                Ok(RecordInput {
                    properties,
                    links: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let records = self
            .app
            .records(&self.operator, object_type, Access::Write)
            .await?;
        let created = records.create(inputs).await?;
        Ok(created.iter().map(|r| r.id).collect())
    }

    /// Associates two records with the default (unlabelled) type.
    async fn associate(&self, from: (ObjectType, i64), to: (ObjectType, i64)) -> Result<()> {
        let kind = default_type(from.0, to.0)
            .with_context(|| format!("{} and {} do not associate", from.0, to.0))?;
        self.app
            .associate(&self.operator, from, to, &[kind.type_id])
            .await?;
        Ok(())
    }
}
