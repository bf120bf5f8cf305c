//! @mentions in comments. A mention is `@` followed by a user's email
//! address, or by the part of it before the `@` when that is unambiguous
//! within the account (`@ada` for ada@acme.example).

/// The handles written after `@` in `text`, in order, without duplicates.
pub fn handles(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        let preceded_by_word = rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric());
        let after = &rest[at + 1..];
        let handle: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '@'))
            .collect();
        let handle = handle.trim_end_matches(['.', '-', '_']).to_lowercase();
        if !preceded_by_word && !handle.is_empty() && !out.contains(&handle) {
            out.push(handle);
        }
        rest = after;
    }
    out
}

/// The ids of the users `text` mentions, given `(id, email)` of the
/// account's users.
pub fn mentioned_users(text: &str, users: &[(i64, String)]) -> Vec<i64> {
    let mut ids = Vec::new();
    for handle in handles(text) {
        let exact = users
            .iter()
            .find(|(_, email)| email.eq_ignore_ascii_case(&handle));
        let by_local: Vec<&(i64, String)> = users
            .iter()
            .filter(|(_, email)| {
                email
                    .split('@')
                    .next()
                    .is_some_and(|l| l.eq_ignore_ascii_case(&handle))
            })
            .collect();
        let found = exact.or(if by_local.len() == 1 {
            Some(by_local[0])
        } else {
            None
        });
        if let Some((id, _)) = found {
            if !ids.contains(id) {
                ids.push(*id);
            }
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> Vec<(i64, String)> {
        vec![
            (1, "ada@acme.example".into()),
            (2, "bob@acme.example".into()),
            (3, "bob@other.example".into()),
        ]
    }

    #[test]
    fn finds_users_by_email_or_unambiguous_local_part() {
        assert_eq!(
            mentioned_users("Thanks @ada, see @bob@other.example.", &users()),
            [1, 3]
        );
        assert_eq!(
            mentioned_users("@bob is ambiguous", &users()),
            Vec::<i64>::new()
        );
    }

    #[test]
    fn ignores_emails_inside_text() {
        assert_eq!(handles("write to ada@acme.example"), Vec::<String>::new());
        assert_eq!(handles("@ADA, @ada"), ["ada"]);
    }
}
