//! The API test suite: the app on a random port with a fresh database,
//! driven over HTTP. Set HUBBUB_TEST_DATABASE_URL=postgres://… to run it
//! against PostgreSQL instead of SQLite.

mod harness;
mod slack_support;
mod support;
mod widget_support;

mod browser;
mod cli;
mod demo;
mod hubspot_client;
mod ui_boards;
mod ui_confirmations;
mod ui_conversations;
mod ui_history;
mod ui_home;
mod ui_inbox;
mod ui_links;
mod ui_pages;
mod ui_records;
mod ui_settings;
mod web_client;
mod widget;

mod associations;
mod attacks;
mod conversations_api;
mod conversations_benchmark;
mod conversations_slack;
mod conversations_slack_reactions;
mod errors;
mod isolation;
mod mail;
mod notifications;
mod objects;
mod owners_pipelines;
mod required_properties;
mod rules;
mod search;
mod slack_actions;
mod slack_benchmark;
mod slack_commands;
mod slack_connect;
mod slack_create;
mod slack_delivery_faults;
mod slack_mapping;
mod slack_previews;
mod slack_removal;
mod slack_requests;
mod slack_search;
mod slack_search_benchmark;
mod slack_shortcuts;
