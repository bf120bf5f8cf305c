//! How much of a hub record a pasted link shows in Slack (its unfurl),
//! an account setting: the levels the best CRMs offer, from nothing to
//! the record's card.

/// The account's link preview level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PreviewLevel {
    /// Links stay plain links.
    Off,
    /// A button that opens the record for whoever presses it, as they may
    /// see it; the channel sees no record data.
    ButtonOnly,
    /// The record's type and name, with a link to it.
    #[default]
    NameAndType,
    /// The record's card (key properties and buttons), as the person who
    /// shared the link may see it.
    FullDetails,
}

impl PreviewLevel {
    pub const ALL: [PreviewLevel; 4] = [
        PreviewLevel::Off,
        PreviewLevel::ButtonOnly,
        PreviewLevel::NameAndType,
        PreviewLevel::FullDetails,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PreviewLevel::Off => "off",
            PreviewLevel::ButtonOnly => "button_only",
            PreviewLevel::NameAndType => "name_and_type",
            PreviewLevel::FullDetails => "full_details",
        }
    }

    /// As the settings page names it.
    pub fn label(self) -> &'static str {
        match self {
            PreviewLevel::Off => "Off",
            PreviewLevel::ButtonOnly => "Button only",
            PreviewLevel::NameAndType => "Name and type",
            PreviewLevel::FullDetails => "Full details",
        }
    }

    pub fn parse(s: &str) -> Option<PreviewLevel> {
        PreviewLevel::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_read_back_and_name_and_type_is_the_default() {
        for level in PreviewLevel::ALL {
            assert_eq!(PreviewLevel::parse(level.as_str()), Some(level));
        }
        assert_eq!(PreviewLevel::parse("everything"), None);
        assert_eq!(PreviewLevel::default(), PreviewLevel::NameAndType);
    }
}
