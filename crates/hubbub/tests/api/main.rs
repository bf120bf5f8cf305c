//! The API test suite: the app on a random port with a fresh database,
//! driven over HTTP. Set HUBBUB_TEST_DATABASE_URL=postgres://… to run it
//! against PostgreSQL instead of SQLite.

mod harness;

mod cli;
mod hubspot_client;
