//! What Hubbub's test suites share:
//! - [`TestDatabase`]: a fresh database for one test, on SQLite or, when
//!   `HUBBUB_TEST_DATABASE_URL` names a PostgreSQL server, on it;
//! - [`python_with`]: a Python virtualenv with packages from PyPI (Slack's
//!   and HubSpot's official clients), made once and reused;
//! - [`slack_signature`]: a request signed the way Slack documents it,
//!   written here independently of the hub's own verifier.

mod database;
mod python;
mod slack;

pub use database::TestDatabase;
pub use python::{python_with, run};
pub use slack::{now_secs, slack_signature};
