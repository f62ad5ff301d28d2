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

/// The most entries of a build context walked; past it the size is a lower bound.
pub const MAX_CONTEXT_ENTRIES: u64 = 200_000;

/// What the build context holds, as far as the audit asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextFacts {
    /// A `.dockerignore` in the context, or `<Dockerfile name>.dockerignore` beside the
    /// Dockerfile (BuildKit reads either).
    pub dockerignore: bool,
    /// File content bytes and files, when measured.
    pub size: Option<(u64, u64)>,
    /// The walk stopped at [`MAX_CONTEXT_ENTRIES`].
    pub truncated: bool,
}

/// Looks at the build context `dir`; measures it when `measure` (symbolic links are not
/// followed, at most [`MAX_CONTEXT_ENTRIES`] entries).
pub fn context(dir: &Path, dockerfile: &Path, measure: bool) -> Result<ContextFacts, Error> {
    let beside = dockerfile
        .file_name()
        .map(|name| {
            let mut name = name.to_os_string();
            name.push(".dockerignore");
            dockerfile.with_file_name(name)
        })
        .is_some_and(|path| path.is_file());
    let dockerignore = beside || dir.join(".dockerignore").is_file();
    if !measure {
        return Ok(ContextFacts {
            dockerignore,
            size: None,
            truncated: false,
        });
    }
    if !dir.is_dir() {
        return Err(Error::Input {
            place: Place::flag("--context"),
            message: format!(
                "{} is not a directory; expected the build context, e.g. --context .",
                crate::model::values::quote(&dir.display().to_string())
            ),
        });
    }
    let (mut bytes, mut files, mut seen) = (0u64, 0u64, 0u64);
    let mut stack = vec![dir.to_path_buf()];
    let mut truncated = false;
    'walk: while let Some(at) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&at) else {
            continue;
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > MAX_CONTEXT_ENTRIES {
                truncated = true;
                break 'walk;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                files += 1;
                bytes = bytes.saturating_add(entry.metadata().map(|m| m.len()).unwrap_or(0));
            }
        }
    }
    Ok(ContextFacts {
        dockerignore,
        size: Some((bytes, files)),
        truncated,
    })
}
