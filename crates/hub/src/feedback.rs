//! Feedback people send about the Slack integration (`/hs -feedback`):
//! its kinds and what a submission must hold.

use crate::auth::check_email;

/// The kinds the dialog offers, "Thoughts" first (the seed's default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackKind {
    Thoughts,
    Bug,
    Idea,
}

impl FeedbackKind {
    pub const ALL: [FeedbackKind; 3] = [
        FeedbackKind::Thoughts,
        FeedbackKind::Bug,
        FeedbackKind::Idea,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackKind::Thoughts => "thoughts",
            FeedbackKind::Bug => "bug",
            FeedbackKind::Idea => "idea",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FeedbackKind::Thoughts => "Thoughts",
            FeedbackKind::Bug => "Bug",
            FeedbackKind::Idea => "Idea",
        }
    }

    pub fn parse(s: &str) -> Option<FeedbackKind> {
        FeedbackKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The longest details, as Slack's own input caps them.
pub const MAX_DETAILS: usize = 3000;
/// The longest name.
pub const MAX_NAME: usize = 100;

/// What the dialog sent, as typed.
#[derive(Debug, Clone, Default)]
pub struct FeedbackForm {
    pub kind: Option<String>,
    pub details: String,
    pub name: String,
    pub email: String,
}

/// A submission that holds: details given, optional name and email.
#[derive(Debug, Clone, PartialEq)]
pub struct Feedback {
    pub kind: FeedbackKind,
    pub details: String,
    pub name: Option<String>,
    pub email: Option<String>,
}

/// The dialog's fields that do not hold, each with what to fix.
pub type FeedbackErrors = Vec<(FeedbackField, String)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackField {
    Kind,
    Details,
    Name,
    Email,
}

impl FeedbackField {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackField::Kind => "kind",
            FeedbackField::Details => "details",
            FeedbackField::Name => "name",
            FeedbackField::Email => "email",
        }
    }
}

/// Checks a submission; every field that does not hold is named.
pub fn check(form: &FeedbackForm) -> Result<Feedback, FeedbackErrors> {
    let mut errors = Vec::new();
    let kind = form.kind.as_deref().and_then(FeedbackKind::parse);
    if kind.is_none() {
        errors.push((FeedbackField::Kind, "Choose a kind.".to_owned()));
    }
    let details = form.details.trim();
    if details.is_empty() {
        errors.push((FeedbackField::Details, "Tell us a little more.".to_owned()));
    } else if details.chars().count() > MAX_DETAILS {
        errors.push((
            FeedbackField::Details,
            format!("At most {MAX_DETAILS} characters."),
        ));
    }
    let name = form.name.trim();
    if name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        errors.push((
            FeedbackField::Name,
            format!("A name is one line of at most {MAX_NAME} characters."),
        ));
    }
    let email = form.email.trim();
    let email = if email.is_empty() {
        None
    } else {
        match check_email(email) {
            Ok(email) => Some(email),
            Err(_) => {
                errors.push((
                    FeedbackField::Email,
                    "This is not an email address.".to_owned(),
                ));
                None
            }
        }
    };
    match kind {
        Some(kind) if errors.is_empty() => Ok(Feedback {
            kind,
            details: details.to_owned(),
            name: (!name.is_empty()).then(|| name.to_owned()),
            email,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(kind: &str, details: &str, name: &str, email: &str) -> FeedbackForm {
        FeedbackForm {
            kind: Some(kind.to_owned()),
            details: details.to_owned(),
            name: name.to_owned(),
            email: email.to_owned(),
        }
    }

    #[test]
    fn a_submission_needs_details_and_takes_name_and_email_when_given() {
        let taken = check(&form("idea", "  Dark mode, please ", "", "")).unwrap();
        assert_eq!(taken.kind, FeedbackKind::Idea);
        assert_eq!(taken.details, "Dark mode, please");
        assert_eq!((taken.name, taken.email), (None, None));
        let taken = check(&form("bug", "x", "Ada", "Ada@Example.com")).unwrap();
        assert_eq!(taken.name.as_deref(), Some("Ada"));
        assert_eq!(taken.email.as_deref(), Some("ada@example.com"));
    }

    #[test]
    fn every_field_that_does_not_hold_is_named() {
        let errors = check(&form("praise", " ", "a\u{7}b", "not-an-address")).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                FeedbackField::Kind,
                FeedbackField::Details,
                FeedbackField::Name,
                FeedbackField::Email
            ]
        );
        let long = "x".repeat(MAX_DETAILS + 1);
        assert_eq!(
            check(&form("bug", &long, "", "")).unwrap_err()[0].0,
            FeedbackField::Details
        );
    }
}
