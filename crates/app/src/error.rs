//! How a use case fails: a rule refused it (the reason is for the person
//! who asked), or something the hub depends on broke.

use hubbub_hub::HubError;
use hubbub_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A rule said no: not allowed, not found, a conflict, bad input. The
    /// message says why, in words for the person who asked.
    #[error(transparent)]
    Refused(HubError),
    /// The database failed.
    #[error(transparent)]
    Store(StoreError),
    /// The hub is set up wrongly (for example, its secret key cannot
    /// decrypt what it stored): only its operator can fix it.
    #[error("configuration error: {0}")]
    Config(String),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Hub(refusal) => Error::Refused(refusal),
            other => Error::Store(other),
        }
    }
}

impl From<HubError> for Error {
    fn from(e: HubError) -> Self {
        Error::Refused(e)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
