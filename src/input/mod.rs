//! Inputs other than the command line, turned into the domain types of [`crate::model`] and
//! [`crate::layers`]: fleet inventories ([`inventory`]), real image artifacts read offline
//! ([`image`]) or from a registry ([`registry`]), and [`sources`], where an image source given
//! anywhere becomes an image.

pub mod image;
pub mod inventory;
pub mod registry;
pub mod sources;

/// The most characters of an input value an error message quotes.
pub const QUOTE_CHARS: usize = 200;

/// `text` for quoting in an error message: whole when short, else its first [`QUOTE_CHARS`]
/// characters and how long it was, so a huge bad value never floods a log.
pub fn quote(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(QUOTE_CHARS) {
        None => std::borrow::Cow::Borrowed(text),
        Some((end, _)) => std::borrow::Cow::Owned(format!(
            "{}… ({} characters)",
            &text[..end],
            text.chars().count()
        )),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_are_short() {
        assert_eq!(super::quote("short"), "short");
        let long = "x".repeat(100_000);
        let quoted = super::quote(&long);
        assert!(quoted.chars().count() < 230, "{quoted}");
        assert!(quoted.ends_with("(100000 characters)"));
    }
}
