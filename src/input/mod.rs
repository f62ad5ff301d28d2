//! Inputs other than the command line, turned into the domain types of [`crate::model`] and
//! [`crate::layers`]: fleet inventories ([`inventory`]), real image artifacts read offline
//! ([`image`]) or from a registry ([`registry`]), and [`sources`], where an image source given
//! anywhere becomes an image.

pub mod image;
pub mod inventory;
pub mod registry;
pub mod sources;

/// The largest inventory fleetsave reads, from a file or standard input: a fleet of 100,000
/// services is a few MB, and a pipe that never ends (`yes | fleetsave report -`) stops here.
pub const MAX_INVENTORY_BYTES: u64 = 64 * 1024 * 1024;

/// Reads `reader` to its end, but never more than `cap` bytes: `Ok(None)` when there is more.
/// For every input whose size a file length cannot tell (pipes, standard input, FIFOs).
pub fn read_capped(reader: impl std::io::Read, cap: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut reader.take(cap.saturating_add(1)), &mut bytes)?;
    Ok((bytes.len() as u64 <= cap).then_some(bytes))
}

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

    #[test]
    fn capped_reads_stop_one_byte_past_the_cap() {
        assert_eq!(
            super::read_capped(&b"abc"[..], 3).unwrap(),
            Some(b"abc".to_vec())
        );
        assert_eq!(super::read_capped(&b"abcd"[..], 3).unwrap(), None);
        // An endless reader ends.
        assert_eq!(
            super::read_capped(std::io::repeat(b'{'), 1000).unwrap(),
            None
        );
    }
}
