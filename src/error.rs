//! The one error type of fleetsave and its exit codes: 2 for bad usage or bad input,
//! 3 for I/O and internal failures (a registry that cannot be reached included). (Exit code 1, a failed gate, is a result, not an error.)
//!
//! Every input error carries a [`Place`] — the flag, or the file with its line and field — so the
//! first line of every message says where the bad value was and quotes it.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a bad value was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A command-line flag such as `--nodes`.
    Flag(String),
    /// A file, with the 1-based line and the column or key when known.
    File {
        path: PathBuf,
        line: Option<usize>,
        field: Option<String>,
    },
    /// An image reference read from a registry, as the user wrote it.
    Reference(String),
}

impl Place {
    pub fn flag(name: &str) -> Place {
        Place::Flag(name.to_string())
    }

    pub fn file_line(path: &Path, line: usize, field: &str) -> Place {
        Place::File {
            path: path.to_path_buf(),
            line: Some(line),
            field: Some(field.to_string()),
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Flag(flag) | Place::Reference(flag) => f.write_str(flag),
            Place::File { path, line, field } => {
                write!(f, "{}", path.display())?;
                if let Some(line) = line {
                    write!(f, " line {line}")?;
                }
                if let Some(field) = field {
                    write!(f, ", {field}")?;
                }
                Ok(())
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A bad value: `--nodes: '0' is …`, `fleet.csv line 7, before: '5OOMB' is …`.
    #[error("{place}: {message}")]
    Input { place: Place, message: String },
    /// Numbers too large to compute exactly.
    #[error("{0}")]
    Overflow(String),
    /// An input file that cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The output cannot be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A registry that cannot be reached or keeps failing (DNS, TLS, connection, timeouts,
    /// rate limits and server errors after retries): `image` is the reference being read.
    #[error("{image}: {message}")]
    Network { image: String, message: String },
    /// A defect in fleetsave itself (bundled data, templates).
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input { .. } | Error::Overflow(_) | Error::Read { .. } => 2,
            Error::Write { .. } | Error::Network { .. } | Error::Internal(_) => 3,
        }
    }

    /// An input error at a flag.
    pub fn flag(flag: &str, message: impl Into<String>) -> Error {
        Error::Input {
            place: Place::flag(flag),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_read_naturally() {
        let place = Place::file_line(Path::new("fleet.csv"), 7, "before");
        assert_eq!(place.to_string(), "fleet.csv line 7, before");
        assert_eq!(Place::flag("--nodes").to_string(), "--nodes");
        let error = Error::flag("--nodes", "'0' is not accepted");
        assert_eq!(error.to_string(), "--nodes: '0' is not accepted");
        assert_eq!(error.exit_code(), 2);
    }
}
