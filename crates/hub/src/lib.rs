//! The hub core: the CRM's domain types and rules. Nothing in here performs
//! I/O; the store persists these types and the web layer speaks HTTP about
//! them.

pub mod association;
pub mod auth;
pub mod change;
pub mod conversation;
pub mod error;
pub mod feedback;
pub mod link_preview;
pub mod matching;
pub mod mention;
pub mod notice;
pub mod object_type;
pub mod pipeline;
pub mod property;
pub mod record;
pub mod search;
pub mod timestamp;
pub mod token;
pub mod topic;

pub use change::RecordEvent;
pub use error::{FieldError, HubError};
pub use notice::{Notice, RecordRef};
pub use object_type::ObjectType;
pub use record::Record;
pub use topic::Topic;
