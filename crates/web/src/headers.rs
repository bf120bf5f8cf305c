//! The security headers of the hub's answers, set per group of routes.
//!
//! Every answer is `X-Content-Type-Options: nosniff` and
//! `Referrer-Policy: same-origin` (links and redirects to other sites,
//! Slack's consent page among them, learn nothing of the hub's URLs), and
//! carries the strictest `Content-Security-Policy` unless its group set
//! its own: the API's JSON, the probes' text and Slack's replies load
//! nothing and are framed by no one. The pages ([`pages`]) get a policy
//! allowing exactly what they use, and are never stored by a cache. Each
//! header is set only when not already present, so the most specific
//! setting wins: a group with other needs (the visitor widget, embedded on
//! customers' sites) wraps its routes in its own policy the same way.

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use url::Url;

/// For answers that are not pages: load nothing, be framed by no one.
const STRICT_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

fn default_header(name: HeaderName, value: HeaderValue) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, value)
}

/// What every answer carries.
pub fn every_answer<S: Clone + Send + Sync + 'static>(routes: Router<S>) -> Router<S> {
    routes
        .layer(default_header(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(STRICT_POLICY),
        ))
        .layer(default_header(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(default_header(
            REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
}

/// The web app's pages: their own stylesheet, script and icon (no inline
/// script or style, no other site's), a script which talks to the hub
/// alone (the inbox's refresh and typing pings), forms sent to the hub or,
/// for the connect buttons, on to Slack's consent page at `slack_consent`
/// (browsers check a form's redirects against `form-action` too), never in
/// a frame, never cached: they show what only the signed-in user may see.
pub fn pages<S: Clone + Send + Sync + 'static>(
    routes: Router<S>,
    slack_consent: Option<&str>,
) -> Router<S> {
    let consent_origin = slack_consent
        .and_then(|url| Url::parse(url).ok())
        .map(|url| url.origin())
        .filter(|origin| origin.is_tuple())
        .map(|origin| format!(" {}", origin.ascii_serialization()))
        .unwrap_or_default();
    let policy = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
         connect-src 'self'; form-action 'self'{consent_origin}; frame-ancestors 'none'; \
         base-uri 'none'"
    );
    let policy = HeaderValue::try_from(policy).expect("an origin serializes as ASCII");
    routes
        .layer(default_header(CONTENT_SECURITY_POLICY, policy))
        .layer(default_header(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}
