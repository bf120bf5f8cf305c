//! @mentions in comments. A mention is `@` followed by a user's email
//! address, or by the part of it before the `@` when that is unambiguous
//! within the account (`@ada` for ada@acme.example).

/// Each `@handle` written in `text`: its byte range (the `@` included)
/// and the handle, lower-cased, without trailing punctuation.
fn spans(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find('@').map(|i| from + i) {
        let preceded_by_word = text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric());
        let after = &text[at + 1..];
        let written: &str = &after[..after
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '@')))
            .unwrap_or(after.len())];
        let written = written.trim_end_matches(['.', '-', '_']);
        if !preceded_by_word && !written.is_empty() {
            let end = at + 1 + written.len();
            out.push((at, end, written.to_lowercase()));
            from = end;
        } else {
            from = at + 1;
        }
    }
    out
}

/// The handles written after `@` in `text`, in order, without duplicates.
pub fn handles(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, _, handle) in spans(text) {
        if !out.contains(&handle) {
            out.push(handle);
        }
    }
    out
}

/// The user a handle names, given `(id, email)` of the account's users.
fn resolve(handle: &str, users: &[(i64, String)]) -> Option<i64> {
    if let Some((id, _)) = users.iter().find(|(_, e)| e.eq_ignore_ascii_case(handle)) {
        return Some(*id);
    }
    let mut by_local = users.iter().filter(|(_, email)| {
        email
            .split('@')
            .next()
            .is_some_and(|l| l.eq_ignore_ascii_case(handle))
    });
    match (by_local.next(), by_local.next()) {
        (Some((id, _)), None) => Some(*id),
        _ => None,
    }
}

/// The ids of the users `text` mentions, given `(id, email)` of the
/// account's users.
pub fn mentioned_users(text: &str, users: &[(i64, String)]) -> Vec<i64> {
    let mut ids = Vec::new();
    for handle in handles(text) {
        if let Some(id) = resolve(&handle, users) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// What to type after `@` to mention the user with `email`: the part
/// before the `@` when no other of `emails` shares it, else the address.
pub fn handle_for(email: &str, emails: &[&str]) -> String {
    let local = email.split('@').next().unwrap_or(email);
    let shared = emails
        .iter()
        .filter(|e| {
            e.split('@')
                .next()
                .is_some_and(|l| l.eq_ignore_ascii_case(local))
        })
        .count();
    match shared {
        1 => local.to_lowercase(),
        _ => email.to_lowercase(),
    }
}

/// A piece of a comment as shown: text, or a mention of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece<'a> {
    pub text: &'a str,
    /// Set when `text` is an `@handle` that names this user.
    pub user_id: Option<i64>,
}

/// `text` cut into plain text and the mentions of the account's users (a
/// handle naming nobody stays plain text).
pub fn pieces<'a>(text: &'a str, users: &[(i64, String)]) -> Vec<Piece<'a>> {
    let mut out = Vec::new();
    let mut from = 0;
    for (start, end, handle) in spans(text) {
        let Some(user_id) = resolve(&handle, users) else {
            continue;
        };
        if start > from {
            out.push(Piece {
                text: &text[from..start],
                user_id: None,
            });
        }
        out.push(Piece {
            text: &text[start..end],
            user_id: Some(user_id),
        });
        from = end;
    }
    if from < text.len() {
        out.push(Piece {
            text: &text[from..],
            user_id: None,
        });
    }
    out
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
    fn cuts_text_around_the_mentions_of_users() {
        let piece = |text, user_id| Piece { text, user_id };
        assert_eq!(
            pieces("Thanks @ada, ask @nobody or @bob@other.example.", &users()),
            [
                piece("Thanks ", None),
                piece("@ada", Some(1)),
                piece(", ask @nobody or ", None),
                piece("@bob@other.example", Some(3)),
                piece(".", None),
            ]
        );
        assert_eq!(pieces("", &users()), []);
        assert_eq!(pieces("@ada", &users()), [piece("@ada", Some(1))]);
    }

    #[test]
    fn a_handle_is_the_local_part_unless_another_user_shares_it() {
        let emails = ["ada@acme.example", "bob@acme.example", "bob@other.example"];
        assert_eq!(handle_for("ada@acme.example", &emails), "ada");
        assert_eq!(
            handle_for("bob@other.example", &emails),
            "bob@other.example"
        );
        for email in emails {
            let users: Vec<(i64, String)> = emails
                .iter()
                .enumerate()
                .map(|(i, e)| (i as i64, (*e).to_owned()))
                .collect();
            let handle = handle_for(email, &emails);
            let named = mentioned_users(&format!("hi @{handle}"), &users);
            assert_eq!(named.len(), 1, "{handle} names one user");
            assert_eq!(users[named[0] as usize].1, email);
        }
    }

    #[test]
    fn ignores_emails_inside_text() {
        assert_eq!(handles("write to ada@acme.example"), Vec::<String>::new());
        assert_eq!(handles("@ADA, @ada"), ["ada"]);
    }
}
