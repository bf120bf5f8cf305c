//! The attacks a hostile user tried on the hub, kept as a regression
//! suite: each test makes the attack as it was made (by hand, in a
//! browser, with signed Slack payloads) and checks that it now fails the
//! way it should.

mod accounts;
mod files;
mod headers;
mod logs;
mod properties;
mod redirects;
mod search_limits;
mod sign_in_throttle;
mod slack;
