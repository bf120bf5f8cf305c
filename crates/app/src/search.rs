//! Searching the hub by text across record types, as one actor sees it:
//! what `/hs search` shows. Each type is searched through the actor's
//! [`Records`](crate::records::Records), so a type the actor may not read
//! is left out and named, never searched.

use hubbub_hub::auth::Access;
use hubbub_hub::property::PropertySet;
use hubbub_hub::search::SearchRequest;
use hubbub_hub::{ObjectType, Record};

use crate::{Actor, App, Permission, Result};

/// The types a search across the hub looks in, in the order shown.
pub const SEARCHED_TYPES: [ObjectType; 4] = [
    ObjectType::Contact,
    ObjectType::Company,
    ObjectType::Deal,
    ObjectType::Ticket,
];

/// The longest text a search across the hub takes, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// What a search found of one type: how many match, and the newest few.
#[derive(Debug, Clone)]
pub struct Found {
    pub object_type: ObjectType,
    /// The type's properties, as the search read them (to present what
    /// it found without reading them again).
    pub props: PropertySet,
    pub total: i64,
    pub records: Vec<Record>,
}

/// A search across the hub: what was found per type, and the types the
/// actor may not read.
#[derive(Debug, Clone, Default)]
pub struct FoundEverywhere {
    pub found: Vec<Found>,
    pub refused: Vec<ObjectType>,
}

impl App {
    /// The newest `per_type` records of each of `types` matching `query`,
    /// as `actor` may see them. The query is checked as the search box's
    /// is (at most 100 words).
    pub async fn search_everywhere(
        &self,
        actor: &Actor,
        query: &str,
        types: &[ObjectType],
        per_type: u32,
    ) -> Result<FoundEverywhere> {
        let mut out = FoundEverywhere::default();
        for &t in types {
            if !self.may(actor, Permission::Records(t, Access::Read)) {
                out.refused.push(t);
                continue;
            }
            let records = self.records(actor, t, Access::Read).await?;
            let plan = SearchRequest::free_text(query, per_type, 0).plan(records.props())?;
            let (total, found) = records.search(&plan).await?;
            out.found.push(Found {
                object_type: t,
                props: records.props().clone(),
                total,
                records: found,
            });
        }
        Ok(out)
    }
}
