//! Reading a Dockerfile: bounded bytes, UTF-8, then BuildKit's grammar ([`parse`]). A file that
//! does not parse is refused with its line and column: `Dockerfile line 2, column 1: COPY
//! requires at least two arguments, …`.

pub mod parse;

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Place};
use crate::model::dockerfile::Dockerfile;

/// The largest Dockerfile read (BuildKit's own limit on a Dockerfile is far smaller in practice).
pub const MAX_DOCKERFILE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads and parses the Dockerfile at `path`.
pub fn read(path: &Path) -> Result<Dockerfile, Error> {
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let bytes =
        super::limits::read_capped(file.take(MAX_DOCKERFILE_BYTES + 1), MAX_DOCKERFILE_BYTES)
            .map_err(|source| Error::Read {
                path: path.to_path_buf(),
                source,
            })?
            .ok_or_else(|| Error::Input {
                place: Place::File {
                    path: path.to_path_buf(),
                    line: None,
                    field: None,
                },
                message: format!(
                    "is larger than {} bytes; expected a Dockerfile",
                    MAX_DOCKERFILE_BYTES
                ),
            })?;
    let text = String::from_utf8(bytes).map_err(|e| Error::Input {
        place: Place::File {
            path: path.to_path_buf(),
            line: None,
            field: None,
        },
        message: format!("is not UTF-8 text ({e}); expected a Dockerfile"),
    })?;
    parse_named(path, &text)
}

/// Parses `text`, naming `path` in a refusal.
pub fn parse_named(path: &Path, text: &str) -> Result<Dockerfile, Error> {
    let parsed = parse::parse(text).map_err(|e| Error::Input {
        place: Place::file_line(path, e.line, &format!("column {}", e.column)),
        message: e.message,
    })?;
    if parsed.instructions.is_empty() {
        return Err(Error::Input {
            place: Place::file_line(path, 1, "column 1"),
            message: "the file has no instructions; expected a Dockerfile such as FROM alpine:3.20"
                .to_string(),
        });
    }
    Ok(parsed)
}
