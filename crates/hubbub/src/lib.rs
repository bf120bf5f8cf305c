//! The hub as one program: its configuration from the environment
//! ([`config`]) and the one start-up path that builds the whole server
//! from it ([`server`]). The `hubbub` binary (`main.rs`) and the test
//! suites both start the hub here; the demo and the browser tests embed
//! the web chat in a customer's website ([`website`]).

pub mod config;
pub mod server;
pub mod website;

pub use config::{Config, SlackConfig};
pub use server::{Background, Server};
