//! [`ImageError`]: every failure to read an image names the file and says what is wrong with it,
//! and maps to an input error (exit 2).

use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Error, Place};
use crate::model::image::DigestError;

/// A failure to read an image, with the file (or directory) it concerns.
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", path.display())]
pub struct ImageError {
    pub path: PathBuf,
    pub problem: Problem,
}

impl ImageError {
    pub fn new(path: &Path, problem: Problem) -> ImageError {
        ImageError {
            path: path.to_path_buf(),
            problem,
        }
    }
}

/// What is wrong.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    #[error("cannot read {what}: {source}")]
    Read { what: String, source: io::Error },
    #[error("{0}")]
    NotAnImage(String),
    #[error(
        "Docker schema 1 manifests are not supported (they carry no layer sizes); \
         fetch the schema 2 or OCI manifest instead"
    )]
    Schema1,
    #[error("unsupported schemaVersion {0}; only schemaVersion 2 manifests and indexes are read")]
    SchemaVersion(String),
    #[error("invalid {what}: {message}")]
    Invalid { what: String, message: String },
    #[error("{what}: {source}")]
    Digest { what: String, source: DigestError },
    #[error("no image for platform {wanted} in this index; platforms present: {present}")]
    NoPlatform { wanted: String, present: String },
    #[error(
        "an image index (platforms present: {present}); its child manifests are not in this \
         file, so the image sizes are unknown: pass the {wanted} manifest ({digest}) itself{choice}"
    )]
    ChildrenUnavailable {
        wanted: String,
        digest: String,
        present: String,
        /// How the entry was chosen, when that needs saying (` (…; took the first …)`).
        choice: String,
    },
    #[error("{what} {digest} is missing")]
    MissingBlob { what: String, digest: String },
    #[error("{what} {digest}: the manifest says {expected} bytes but the blob has {actual}")]
    SizeMismatch {
        what: String,
        digest: String,
        expected: u64,
        actual: u64,
    },
    #[error(
        "{what} {digest}: the manifest says {expected} bytes but the blob is longer (reading \
         stopped at byte {})", expected + 1
    )]
    TooLong {
        what: String,
        digest: String,
        expected: u64,
    },
    #[error("{what} {digest}: the content's digest is {actual} (wrong digest or corrupt blob)")]
    DigestMismatch {
        what: String,
        digest: String,
        actual: String,
    },
    #[error("{what} {digest}: {message}")]
    BadBlob {
        what: String,
        digest: String,
        message: String,
    },
    #[error("{0}")]
    Loop(String),
    #[error(
        "stopped: the layers unpack to more than {limit} bytes, the limit --max-read sets \
         (a decompression bomb, or raise --max-read)"
    )]
    ReadLimit { limit: u64 },
    #[error("holds {count} images ({tags}); choose one with PATH:TAG")]
    SeveralImages { count: usize, tags: String },
    #[error("no image tagged '{tag}'; tags present: {present}")]
    NoTag { tag: String, present: String },
}

impl From<ImageError> for Error {
    fn from(error: ImageError) -> Error {
        Error::Input {
            place: Place::File {
                path: error.path,
                line: None,
                field: None,
            },
            message: error.problem.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_file_and_maps_to_exit_2() {
        let error = ImageError::new(Path::new("img.json"), Problem::Schema1);
        assert!(error.to_string().starts_with("img.json: Docker schema 1"));
        let error: Error = error.into();
        assert_eq!(error.exit_code(), 2);
        assert!(error.to_string().starts_with("img.json: Docker schema 1"));
    }
}
