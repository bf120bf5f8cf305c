//! Instants as HubSpot writes them: epoch milliseconds in storage, ISO 8601
//! with milliseconds and `Z` on the wire.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

pub fn now_millis() -> Millis {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as Millis
}

/// `2024-05-01T12:00:00.000Z`
pub fn to_iso(ms: Millis) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let fmt =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.to_offset(UtcOffset::UTC).format(&fmt).unwrap_or_default()
}

/// `2024-05-01`
pub fn to_date(ms: Millis) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let fmt = format_description!("[year]-[month]-[day]");
    t.date().format(&fmt).unwrap_or_default()
}

/// `1 May 2024, 14:30 UTC`: an instant as people read it in pages, mail
/// and Slack messages.
pub fn format_instant(ms: Millis) -> String {
    let Some(t) = instant(ms) else {
        return String::new();
    };
    let fmt =
        format_description!("[day padding:none] [month repr:short] [year], [hour]:[minute] UTC");
    t.format(&fmt).unwrap_or_default()
}

/// `1 May 2024`: a day as people read it.
pub fn format_day(ms: Millis) -> String {
    let Some(t) = instant(ms) else {
        return String::new();
    };
    let fmt = format_description!("[day padding:none] [month repr:short] [year]");
    t.format(&fmt).unwrap_or_default()
}

fn instant(ms: Millis) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

/// Reads what HubSpot accepts for a date or datetime: epoch milliseconds,
/// an RFC 3339 datetime, or a plain `YYYY-MM-DD` (midnight UTC).
pub fn parse_instant(text: &str) -> Option<Millis> {
    let text = text.trim();
    if let Ok(ms) = text.parse::<i64>() {
        return Some(ms);
    }
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some((t.unix_timestamp_nanos() / 1_000_000) as Millis);
    }
    let fmt = format_description!("[year]-[month]-[day]");
    Date::parse(text, &fmt)
        .ok()
        .map(|d| d.midnight().assume_utc().unix_timestamp() * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_iso() {
        let ms = 1_714_564_800_123;
        assert_eq!(to_iso(ms), "2024-05-01T12:00:00.123Z");
        assert_eq!(parse_instant(&to_iso(ms)), Some(ms));
        assert_eq!(parse_instant("2024-05-01"), Some(1_714_521_600_000));
        assert_eq!(parse_instant("1714564800123"), Some(ms));
        assert_eq!(parse_instant("yesterday"), None);
    }

    #[test]
    fn instants_read_as_dates() {
        assert_eq!(format_day(1_714_521_600_000), "1 May 2024");
        assert_eq!(format_instant(1_714_564_800_000), "1 May 2024, 12:00 UTC");
    }
}
