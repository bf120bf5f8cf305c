//! Word tokens for `CONTAINS_TOKEN` filters and free-text `query` search.
//! A token is a maximal run of letters and digits, lower-cased, so
//! `Ada.Lovelace@Example.com` holds `ada`, `lovelace`, `example`, `com`.

/// The runs of letters and digits in `text`.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// How many words `text` holds, repeats included.
pub fn count_words(text: &str) -> usize {
    words(text).count()
}

/// Tokens of a stored value, without duplicates, in first-seen order.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in words(text) {
        let word = word.to_lowercase();
        if !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// A token to look for. `prefix` is set when the searcher wrote `word*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPattern {
    pub token: String,
    pub prefix: bool,
}

/// Patterns of a filter value: every token must match. A `*` right after a
/// word makes it a prefix; a leading `*` (suffix match) is read as a whole
/// token, since suffixes are not indexed.
pub fn patterns(value: &str) -> Vec<TokenPattern> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
            if chars.peek().is_some_and(|n| n.is_alphanumeric()) {
                continue;
            }
            let prefix = chars.peek() == Some(&'*');
            out.push(TokenPattern {
                token: std::mem::take(&mut word),
                prefix,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn splits_emails_and_names() {
        assert_eq!(
            tokens("Ada.Lovelace@Example.com"),
            ["ada", "lovelace", "example", "com"]
        );
        assert_eq!(tokens("  José  O'Neil "), ["josé", "o", "neil"]);
    }

    #[test]
    fn reads_wildcards() {
        let p = patterns("lov* *@example.com");
        assert_eq!(
            p,
            vec![
                TokenPattern {
                    token: "lov".into(),
                    prefix: true
                },
                TokenPattern {
                    token: "example".into(),
                    prefix: false
                },
                TokenPattern {
                    token: "com".into(),
                    prefix: false
                },
            ]
        );
    }

    proptest! {
        #[test]
        fn every_pattern_of_a_value_matches_its_tokens(s in "\\PC{0,40}") {
            let toks = tokens(&s);
            for p in patterns(&s) {
                prop_assert!(toks.contains(&p.token));
            }
        }
    }
}
