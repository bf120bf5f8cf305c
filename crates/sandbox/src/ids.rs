//! Identifiers and timestamps shaped like Slack's: `T`, `U`, `C`, `G`, `D`,
//! `V`, `A`, `B` ids of upper-case letters and digits, and message `ts`
//! values of seconds with six decimals, unique per channel.

use rand::Rng;

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// A new id with Slack's prefix letter, e.g. `id('U')` → `U04ABCDEF12`.
pub fn id(prefix: char) -> String {
    let mut rng = rand::thread_rng();
    let tail: String = (0..10)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{prefix}{tail}")
}

/// A random secret of `bytes` bytes, hex-encoded.
pub fn secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill(&mut buf[..]);
    hex::encode(buf)
}

/// Seconds since the epoch, as a float.
pub fn now_secs() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default()
}

/// Formats a message timestamp the way Slack does: `1700000000.000100`.
pub fn format_ts(micros: u64) -> String {
    format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000)
}
