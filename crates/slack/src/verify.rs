//! Slack's `v0` request signatures ("Verifying requests from Slack").
//!
//! Slack sends `X-Slack-Request-Timestamp` (Unix seconds) and
//! `X-Slack-Signature: v0=<hex>`, where `<hex>` is the HMAC-SHA256, keyed
//! with the app's signing secret, of `v0:{timestamp}:{raw body}`. The body
//! must be the bytes as received, before any parsing. A timestamp more than
//! five minutes away from our clock is refused, so a captured request
//! cannot be replayed later.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use thiserror::Error;

type HmacSha256 = Hmac<Sha256>;

/// How far (seconds, either way) a request's timestamp may be from our
/// clock: Slack documents five minutes.
pub const MAX_CLOCK_SKEW_SECS: i64 = 5 * 60;

/// The only signature version Slack uses today.
const VERSION: &str = "v0";

/// Why a request is not accepted as coming from Slack. None of these say
/// anything about the secret; all of them should answer 401.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VerifyError {
    #[error("the X-Slack-Request-Timestamp header is missing")]
    MissingTimestamp,
    #[error("the X-Slack-Signature header is missing")]
    MissingSignature,
    #[error("the X-Slack-Request-Timestamp header is not a Unix time in seconds")]
    MalformedTimestamp,
    #[error("the X-Slack-Signature header is not of the form v0=<64 hex digits>")]
    MalformedSignature,
    #[error("the request timestamp is more than five minutes away from the server's clock")]
    StaleTimestamp,
    #[error("the request signature does not match")]
    BadSignature,
}

/// Checks one request. `timestamp` and `signature` are the header values
/// (`None` when absent), `body` the raw bytes received and `now` the
/// current Unix time in seconds. The comparison of signatures takes the
/// same time wherever they differ.
pub fn verify(
    signing_secret: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), VerifyError> {
    let timestamp = timestamp.ok_or(VerifyError::MissingTimestamp)?;
    let signature = signature.ok_or(VerifyError::MissingSignature)?;
    let sent_at = parse_timestamp(timestamp)?;
    if now.abs_diff(sent_at) > MAX_CLOCK_SKEW_SECS as u64 {
        return Err(VerifyError::StaleTimestamp);
    }
    let expected = parse_signature(signature)?;
    mac(signing_secret, timestamp, body)
        .verify_slice(&expected)
        .map_err(|_| VerifyError::BadSignature)
}

/// The `X-Slack-Signature` value Slack would send for this request:
/// `v0=` and the lower-case hex HMAC. For tools and tests that play Slack.
pub fn signature(signing_secret: &str, timestamp: &str, body: &[u8]) -> String {
    format!(
        "{VERSION}={}",
        hex::encode(mac(signing_secret, timestamp, body).finalize().into_bytes())
    )
}

fn mac(signing_secret: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(signing_secret.as_bytes()).expect("HMAC takes keys of any size");
    mac.update(VERSION.as_bytes());
    mac.update(b":");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    mac
}

/// Unix seconds as Slack writes them: ASCII digits only (no sign, spaces
/// or fraction), so that exactly the signed text is what we read.
fn parse_timestamp(text: &str) -> Result<i64, VerifyError> {
    if text.is_empty() || text.len() > 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::MalformedTimestamp);
    }
    text.parse().map_err(|_| VerifyError::MalformedTimestamp)
}

/// `v0=` followed by the 32-byte MAC in hex (either case).
fn parse_signature(text: &str) -> Result<[u8; 32], VerifyError> {
    let hex_part = text
        .strip_prefix(VERSION)
        .and_then(|rest| rest.strip_prefix('='))
        .ok_or(VerifyError::MalformedSignature)?;
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_part, &mut out).map_err(|_| VerifyError::MalformedSignature)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // The worked example in Slack's "Verifying requests from Slack".
    const DOC_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const DOC_TIMESTAMP: &str = "1531420618";
    const DOC_BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const DOC_SIGNATURE: &str =
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    const DOC_NOW: i64 = 1_531_420_618;

    fn check(ts: Option<&str>, sig: Option<&str>, body: &str, now: i64) -> Result<(), VerifyError> {
        verify(DOC_SECRET, ts, sig, body.as_bytes(), now)
    }

    #[test]
    fn slacks_documented_example_signs_and_verifies() {
        assert_eq!(
            signature(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY.as_bytes()),
            DOC_SIGNATURE
        );
        assert_eq!(
            check(Some(DOC_TIMESTAMP), Some(DOC_SIGNATURE), DOC_BODY, DOC_NOW),
            Ok(())
        );
    }

    #[test]
    fn upper_case_hex_is_accepted() {
        let upper = format!("v0={}", DOC_SIGNATURE[3..].to_ascii_uppercase());
        assert_eq!(
            check(Some(DOC_TIMESTAMP), Some(&upper), DOC_BODY, DOC_NOW),
            Ok(())
        );
    }

    #[test]
    fn the_window_is_five_minutes_either_way() {
        let ok = |now| check(Some(DOC_TIMESTAMP), Some(DOC_SIGNATURE), DOC_BODY, now);
        assert_eq!(ok(DOC_NOW + 300), Ok(()));
        assert_eq!(ok(DOC_NOW - 300), Ok(()));
        assert_eq!(ok(DOC_NOW + 301), Err(VerifyError::StaleTimestamp));
        assert_eq!(ok(DOC_NOW - 301), Err(VerifyError::StaleTimestamp));
        assert_eq!(ok(DOC_NOW + 360), Err(VerifyError::StaleTimestamp));
        assert_eq!(ok(i64::MIN), Err(VerifyError::StaleTimestamp));
        assert_eq!(ok(i64::MAX), Err(VerifyError::StaleTimestamp));
    }

    #[test]
    fn missing_headers_are_named() {
        assert_eq!(
            check(None, Some(DOC_SIGNATURE), DOC_BODY, DOC_NOW),
            Err(VerifyError::MissingTimestamp)
        );
        assert_eq!(
            check(Some(DOC_TIMESTAMP), None, DOC_BODY, DOC_NOW),
            Err(VerifyError::MissingSignature)
        );
        assert_eq!(
            check(None, None, DOC_BODY, DOC_NOW),
            Err(VerifyError::MissingTimestamp)
        );
    }

    #[test]
    fn malformed_headers_are_refused() {
        for ts in [
            "",
            " 1531420618",
            "+1531420618",
            "1531420618.5",
            "-1",
            "abc",
            "99999999999999999999",
        ] {
            assert_eq!(
                check(Some(ts), Some(DOC_SIGNATURE), DOC_BODY, DOC_NOW),
                Err(VerifyError::MalformedTimestamp),
                "{ts:?}"
            );
        }
        let short = &DOC_SIGNATURE[..DOC_SIGNATURE.len() - 2];
        let not_hex = format!("v0={}", "zz".repeat(32));
        let v1 = format!("v1={}", &DOC_SIGNATURE[3..]);
        let bare = &DOC_SIGNATURE[3..];
        for sig in ["", "v0=", short, &not_hex, &v1, bare] {
            assert_eq!(
                check(Some(DOC_TIMESTAMP), Some(sig), DOC_BODY, DOC_NOW),
                Err(VerifyError::MalformedSignature),
                "{sig:?}"
            );
        }
    }

    #[test]
    fn another_secret_fails() {
        assert_eq!(
            verify(
                "another secret",
                Some(DOC_TIMESTAMP),
                Some(DOC_SIGNATURE),
                DOC_BODY.as_bytes(),
                DOC_NOW
            ),
            Err(VerifyError::BadSignature)
        );
    }

    proptest! {
        #[test]
        fn a_changed_body_fails(
            body in proptest::collection::vec(any::<u8>(), 0..512),
            at in any::<prop::sample::Index>(),
            flip in 1u8..=255,
            extra in proptest::collection::vec(any::<u8>(), 1..8),
        ) {
            let ts = DOC_TIMESTAMP;
            let sig = signature(DOC_SECRET, ts, &body);
            prop_assert_eq!(verify(DOC_SECRET, Some(ts), Some(&sig), &body, DOC_NOW), Ok(()));

            let mut appended = body.clone();
            appended.extend_from_slice(&extra);
            prop_assert_eq!(
                verify(DOC_SECRET, Some(ts), Some(&sig), &appended, DOC_NOW),
                Err(VerifyError::BadSignature)
            );
            if !body.is_empty() {
                let mut changed = body.clone();
                changed[at.index(body.len())] ^= flip;
                prop_assert_eq!(
                    verify(DOC_SECRET, Some(ts), Some(&sig), &changed, DOC_NOW),
                    Err(VerifyError::BadSignature)
                );
                let truncated = &body[..body.len() - 1];
                prop_assert_eq!(
                    verify(DOC_SECRET, Some(ts), Some(&sig), truncated, DOC_NOW),
                    Err(VerifyError::BadSignature)
                );
            }
        }

        #[test]
        fn a_changed_timestamp_fails(
            body in proptest::collection::vec(any::<u8>(), 0..256),
            delta in -300i64..=300,
        ) {
            prop_assume!(delta != 0);
            let signed_at = DOC_NOW;
            let sig = signature(DOC_SECRET, &signed_at.to_string(), &body);
            let claimed = (signed_at + delta).to_string();
            prop_assert_eq!(
                verify(DOC_SECRET, Some(&claimed), Some(&sig), &body, DOC_NOW),
                Err(VerifyError::BadSignature)
            );
            // A leading zero is another text, so another signature.
            let padded = format!("0{signed_at}");
            prop_assert_eq!(
                verify(DOC_SECRET, Some(&padded), Some(&sig), &body, DOC_NOW),
                Err(VerifyError::BadSignature)
            );
        }

        #[test]
        fn arbitrary_headers_never_pass_or_panic(
            ts in ".{0,24}",
            sig in ".{0,80}",
            body in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            prop_assert!(verify(DOC_SECRET, Some(&ts), Some(&sig), &body, DOC_NOW).is_err());
        }
    }
}
