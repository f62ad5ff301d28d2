//! Reading a text input (an inventory, an assumptions file, standard input) within a bound, so
//! that a pipe that never ends or an enormous file stops with a clear error instead of filling
//! memory.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Place};

/// The largest text input read (an inventory, an assumptions file, standard input): 256 MiB,
/// about four times a million-service inventory; a pipe that never ends
/// (`yes | fleetsave report -`) stops here.
pub const MAX_TEXT_BYTES: u64 = 256 * 1024 * 1024;

/// Reads `reader` to its end, but never more than `cap` bytes: `Ok(None)` when there is more.
/// For every input whose size a file length cannot tell (pipes, standard input, FIFOs).
pub fn read_capped(reader: impl Read, cap: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= cap).then_some(bytes))
}

/// The name standard input goes by in messages.
pub const STDIN: &str = "<stdin>";

/// Reads `path` (`-` is standard input) as UTF-8 text of at most [`MAX_TEXT_BYTES`]; returns the
/// name to use in messages and the text.
pub fn read_named_text(path: &Path) -> Result<(PathBuf, String), Error> {
    if path.as_os_str() == "-" {
        let label = PathBuf::from(STDIN);
        let text = read_bounded(std::io::stdin().lock(), &label, MAX_TEXT_BYTES)?;
        Ok((label, text))
    } else {
        let file = std::fs::File::open(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Ok((
            path.to_path_buf(),
            read_bounded(file, path, MAX_TEXT_BYTES)?,
        ))
    }
}

/// Reads the file at `path` as bounded UTF-8 text.
pub fn read_text(path: &Path) -> Result<String, Error> {
    read_named_text(path).map(|(_, text)| text)
}

fn read_bounded(reader: impl Read, path: &Path, limit: u64) -> Result<String, Error> {
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
    let whole_file = Place::File {
        path: path.to_path_buf(),
        line: None,
        field: None,
    };
    if bytes.len() as u64 > limit {
        return Err(Error::Input {
            place: whole_file,
            message: format!(
                "is larger than {limit} bytes, the most fleetsave reads of a text input"
            ),
        });
    }
    String::from_utf8(bytes).map_err(|e| Error::Input {
        place: whole_file,
        message: format!(
            "is not UTF-8 text (bad byte at offset {}); save it as UTF-8",
            e.utf8_error().valid_up_to()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_reads_stop_one_byte_past_the_cap() {
        assert_eq!(read_capped(&b"abc"[..], 3).unwrap(), Some(b"abc".to_vec()));
        assert_eq!(read_capped(&b"abcd"[..], 3).unwrap(), None);
        // An endless reader ends.
        assert_eq!(read_capped(std::io::repeat(b'{'), 1000).unwrap(), None);
    }

    #[test]
    fn reads_stop_at_the_bound() {
        let endless = std::io::repeat(b'{');
        let error = read_bounded(endless, Path::new("<stdin>"), 1 << 20).unwrap_err();
        assert!(error.to_string().contains("larger than"), "{error}");
        assert_eq!(error.exit_code(), 2);
    }

    #[test]
    fn text_must_be_utf8() {
        let error = read_bounded(&b"ok\xff"[..], Path::new("f.csv"), 10).unwrap_err();
        assert!(error.to_string().contains("offset 2"), "{error}");
    }
}
