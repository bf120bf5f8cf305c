//! Emoji shortcodes (`:tada:`) as the Unicode emoji Slack shows for them,
//! in message text and reactions. A small table of common ones; any other
//! shortcode stays as typed.

/// Shortcode (without colons) → emoji, in Slack's names.
const EMOJI: &[(&str, &str)] = &[
    ("white_check_mark", "✅"),
    ("heavy_check_mark", "✔️"),
    ("x", "❌"),
    ("warning", "⚠️"),
    ("no_entry", "⛔"),
    ("no_entry_sign", "🚫"),
    ("exclamation", "❗"),
    ("heavy_exclamation_mark", "❗"),
    ("question", "❓"),
    ("information_source", "ℹ️"),
    ("rotating_light", "🚨"),
    ("bell", "🔔"),
    ("speech_balloon", "💬"),
    ("bust_in_silhouette", "👤"),
    ("busts_in_silhouette", "👥"),
    ("link", "🔗"),
    ("memo", "📝"),
    ("pencil", "📝"),
    ("calendar", "📆"),
    ("date", "📅"),
    ("clock1", "🕐"),
    ("alarm_clock", "⏰"),
    ("hourglass", "⌛"),
    ("hourglass_flowing_sand", "⏳"),
    ("rocket", "🚀"),
    ("thumbsup", "👍"),
    ("+1", "👍"),
    ("thumbsdown", "👎"),
    ("-1", "👎"),
    ("ok_hand", "👌"),
    ("clap", "👏"),
    ("raised_hands", "🙌"),
    ("pray", "🙏"),
    ("muscle", "💪"),
    ("handshake", "🤝"),
    ("wave", "👋"),
    ("point_right", "👉"),
    ("point_down", "👇"),
    ("eyes", "👀"),
    ("tada", "🎉"),
    ("sparkles", "✨"),
    ("star", "⭐"),
    ("fire", "🔥"),
    ("zap", "⚡"),
    ("100", "💯"),
    ("heart", "❤️"),
    ("smile", "😄"),
    ("smiley", "😃"),
    ("grinning", "😀"),
    ("slightly_smiling_face", "🙂"),
    ("wink", "😉"),
    ("joy", "😂"),
    ("sweat_smile", "😅"),
    ("thinking_face", "🤔"),
    ("email", "✉️"),
    ("envelope", "✉️"),
    ("inbox_tray", "📥"),
    ("outbox_tray", "📤"),
    ("package", "📦"),
    ("lock", "🔒"),
    ("unlock", "🔓"),
    ("key", "🔑"),
    ("ticket", "🎫"),
    ("moneybag", "💰"),
    ("dollar", "💵"),
    ("money_with_wings", "💸"),
    ("chart_with_upwards_trend", "📈"),
    ("chart_with_downwards_trend", "📉"),
    ("bar_chart", "📊"),
    ("briefcase", "💼"),
    ("office", "🏢"),
    ("house", "🏠"),
    ("phone", "☎️"),
    ("telephone_receiver", "📞"),
    ("iphone", "📱"),
    ("computer", "💻"),
    ("bulb", "💡"),
    ("mag", "🔍"),
    ("pushpin", "📌"),
    ("paperclip", "📎"),
    ("clipboard", "📋"),
    ("bookmark", "🔖"),
    ("wrench", "🔧"),
    ("gear", "⚙️"),
    ("construction", "🚧"),
    ("trophy", "🏆"),
    ("gift", "🎁"),
    ("coffee", "☕"),
    ("robot_face", "🤖"),
    ("new", "🆕"),
    ("sos", "🆘"),
    ("heavy_plus_sign", "➕"),
    ("heavy_minus_sign", "➖"),
    ("arrow_right", "➡️"),
    ("arrow_left", "⬅️"),
    ("arrow_up", "⬆️"),
    ("arrow_down", "⬇️"),
    ("red_circle", "🔴"),
    ("large_green_circle", "🟢"),
    ("large_yellow_circle", "🟡"),
    ("large_blue_circle", "🔵"),
];

/// Slack's skin-tone suffixes (`:+1::skin-tone-3:`) → Fitzpatrick modifiers.
const SKIN_TONES: &[(&str, &str)] = &[
    ("skin-tone-2", "\u{1F3FB}"),
    ("skin-tone-3", "\u{1F3FC}"),
    ("skin-tone-4", "\u{1F3FD}"),
    ("skin-tone-5", "\u{1F3FE}"),
    ("skin-tone-6", "\u{1F3FF}"),
];

/// The emoji for a shortcode, if the table has it.
pub(super) fn glyph(name: &str) -> Option<&'static str> {
    EMOJI.iter().find(|(n, _)| *n == name).map(|(_, g)| *g)
}

/// A reaction's name as shown: its emoji (with any skin tone), else
/// `:name:`.
pub(super) fn reaction(name: &str) -> String {
    let (base, tone) = match name.split_once("::") {
        Some((base, tone)) => (base, Some(tone)),
        None => (name, None),
    };
    match glyph(base) {
        Some(g) => format!("{g}{}", tone.and_then(skin_tone).unwrap_or_default()),
        None => format!(":{name}:"),
    }
}

fn skin_tone(name: &str) -> Option<&'static str> {
    SKIN_TONES.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
}

/// The shortcode starting at `chars[start]` (a `:`), if known: its emoji
/// (with a skin tone that follows it) and the index just past it.
pub(super) fn shortcode_at(chars: &[char], start: usize) -> Option<(String, usize)> {
    let (name, next) = name_at(chars, start)?;
    let mut emoji = glyph(&name)?.to_owned();
    let mut end = next;
    // A skin tone is written as a second shortcode straight after.
    if let Some((tone, after)) = name_at(chars, next) {
        if let Some(modifier) = skin_tone(&tone) {
            emoji.push_str(modifier);
            end = after;
        }
    }
    Some((emoji, end))
}

/// `:name:` at `chars[start]`: the name and the index past the closing
/// colon. Names are Slack's: lower-case letters, digits, `_`, `+`, `-`.
fn name_at(chars: &[char], start: usize) -> Option<(String, usize)> {
    if chars.get(start) != Some(&':') {
        return None;
    }
    let is_name = |c: &char| c.is_ascii_lowercase() || c.is_ascii_digit() || "_+-".contains(*c);
    let len = chars[start + 1..].iter().take_while(|c| is_name(c)).count();
    let close = start + 1 + len;
    (len > 0 && chars.get(close) == Some(&':'))
        .then(|| (chars[start + 1..close].iter().collect(), close + 1))
}

/// Every known shortcode in `text` replaced by its emoji.
pub(super) fn replace_shortcodes(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        match shortcode_at(&chars, i) {
            Some((emoji, next)) => {
                out.push_str(&emoji);
                i = next;
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_shortcodes_become_emoji_and_unknown_ones_stay() {
        assert_eq!(
            replace_shortcodes(":white_check_mark: done :tada: :not_an_emoji:"),
            "✅ done 🎉 :not_an_emoji:"
        );
        assert_eq!(replace_shortcodes(":+1: and :thumbsup:"), "👍 and 👍");
        assert_eq!(replace_shortcodes(":wave::skin-tone-3:"), "👋\u{1F3FC}");
        assert_eq!(replace_shortcodes("at 10:30:45"), "at 10:30:45");
        assert_eq!(replace_shortcodes("a:eyes:b ::"), "a👀b ::");
        assert_eq!(reaction("rocket"), "🚀");
        assert_eq!(reaction("+1::skin-tone-2"), "👍\u{1F3FB}");
        assert_eq!(reaction("partyparrot"), ":partyparrot:");
    }

    #[test]
    fn the_table_has_each_name_once() {
        for (i, (name, _)) in EMOJI.iter().enumerate() {
            assert!(EMOJI[..i].iter().all(|(n, _)| n != name), "{name} twice");
        }
    }
}
