//! Where blobs live: the files of a directory (an OCI image layout) or the entries of a tar
//! archive (`oci-archive`, `docker save`), found by name (`blobs/sha256/…`, `manifest.json`).
//!
//! An archive is indexed once by walking its headers with the tar crate (seeking past content,
//! so a 1 GB archive costs a few reads); a blob is then read through [`BlobReader`], a bounded
//! view of the archive file that fails on a short read instead of pretending the blob ended.
//! Nothing is extracted to disk and no blob is held in memory except small JSON documents.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::Problem;
use super::progress::Progress;

/// JSON documents (manifests, indexes, configs, `manifest.json`) larger than this are refused:
/// registries cap manifests at 4 MiB and configs are far smaller.
pub(crate) const MAX_DOCUMENT_BYTES: u64 = 16 * 1024 * 1024;

/// Symlink hops followed inside an archive before giving up (docker save links shared layers).
const MAX_LINK_HOPS: usize = 8;

#[derive(Debug, Clone)]
pub(crate) enum Entry {
    File { offset: u64, len: u64 },
    Link(String),
}

/// A directory or an indexed tar archive.
#[derive(Debug)]
pub(crate) enum Store {
    Dir(PathBuf),
    Archive {
        path: PathBuf,
        file_len: u64,
        entries: HashMap<String, Entry>,
    },
}

/// Where a blob's bytes are: a file, and a range of it.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    path: PathBuf,
    offset: u64,
    pub len: u64,
}

impl Store {
    pub fn dir(root: &Path) -> Store {
        Store::Dir(root.to_path_buf())
    }

    /// Indexes the entries of a tar archive.
    pub fn archive(path: &Path) -> Result<Store, Problem> {
        let read_error = |source| Problem::Read {
            what: "the archive".into(),
            source,
        };
        let file = File::open(path).map_err(read_error)?;
        let file_len = file.metadata().map_err(read_error)?.len();
        // The headers first, by our own walk: it refuses pax and GNU long-name extensions over
        // 1 MiB, which the tar crate would read into memory whole.
        let mut headers = Located {
            path: path.to_path_buf(),
            offset: 0,
            len: file_len,
        }
        .open()
        .map_err(read_error)?;
        if let Err(message) = super::tar_headers::walk(&mut headers, file_len)
            && message.contains("header extension")
        {
            return Err(Problem::NotAnImage(format!(
                "not a valid tar archive: {message}"
            )));
        }
        let mut archive = tar::Archive::new(file);
        let mut entries = HashMap::new();
        let bad =
            |error: io::Error| Problem::NotAnImage(format!("not a valid tar archive: {error}"));
        for entry in archive.entries_with_seek().map_err(bad)? {
            let entry = entry.map_err(bad)?;
            let name = normalise(&String::from_utf8_lossy(&entry.path_bytes()));
            let kind = entry.header().entry_type();
            if entry.raw_file_position().saturating_add(entry.size()) > file_len {
                return Err(Problem::NotAnImage(format!(
                    "truncated archive: entry {name} ({} bytes) ends past the end of the file ({file_len} bytes)",
                    entry.size()
                )));
            }
            if kind.is_file() || kind.is_contiguous() {
                entries.insert(
                    name,
                    Entry::File {
                        offset: entry.raw_file_position(),
                        len: entry.size(),
                    },
                );
            } else if (kind.is_symlink() || kind.is_hard_link())
                && let Some(target) = entry.link_name_bytes()
            {
                let target = String::from_utf8_lossy(&target).into_owned();
                let resolved = if kind.is_symlink() {
                    resolve_relative(&name, &target)
                } else {
                    normalise(&target)
                };
                entries.insert(name, Entry::Link(resolved));
            }
        }
        Ok(Store::Archive {
            path: path.to_path_buf(),
            file_len,
            entries,
        })
    }

    /// Whether a file of this name exists.
    pub fn contains(&self, name: &str) -> bool {
        matches!(self.locate(name), Ok(Some(_)))
    }

    /// The blob's place, `None` when absent.
    pub fn locate(&self, name: &str) -> Result<Option<Located>, Problem> {
        match self {
            Store::Dir(root) => {
                let path = root.join(name);
                match std::fs::metadata(&path) {
                    Ok(meta) if meta.is_file() => Ok(Some(Located {
                        path,
                        offset: 0,
                        len: meta.len(),
                    })),
                    Ok(_) => Ok(None),
                    Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
                    Err(source) => Err(Problem::Read {
                        what: name.to_string(),
                        source,
                    }),
                }
            }
            Store::Archive {
                path,
                file_len,
                entries,
            } => {
                let mut name = normalise(name);
                for _ in 0..MAX_LINK_HOPS {
                    match entries.get(&name) {
                        None => return Ok(None),
                        Some(Entry::Link(target)) => name = target.clone(),
                        Some(Entry::File { offset, len }) => {
                            if offset.saturating_add(*len) > *file_len {
                                return Err(Problem::NotAnImage(format!(
                                    "truncated archive: entry {name} ({len} bytes) ends past the end of the file ({file_len} bytes)"
                                )));
                            }
                            return Ok(Some(Located {
                                path: path.clone(),
                                offset: *offset,
                                len: *len,
                            }));
                        }
                    }
                }
                Err(Problem::NotAnImage(format!(
                    "archive entry {name}: too many symbolic links"
                )))
            }
        }
    }

    /// Reads a small JSON document whole; `what` names it in errors. `None` when absent.
    pub fn read_document(&self, name: &str, what: &str) -> Result<Option<Vec<u8>>, Problem> {
        let Some(located) = self.locate(name)? else {
            return Ok(None);
        };
        if located.len > MAX_DOCUMENT_BYTES {
            return Err(Problem::Invalid {
                what: what.to_string(),
                message: format!(
                    "{} bytes is too large for a JSON document (limit {MAX_DOCUMENT_BYTES})",
                    located.len
                ),
            });
        }
        // Capped as read too: a file may grow after its length was taken.
        let bytes = located
            .open()
            .and_then(|reader| crate::input::limits::read_capped(reader, MAX_DOCUMENT_BYTES))
            .map_err(|source| Problem::Read {
                what: what.to_string(),
                source,
            })?
            .ok_or_else(|| Problem::Invalid {
                what: what.to_string(),
                message: format!("too large for a JSON document (limit {MAX_DOCUMENT_BYTES})"),
            })?;
        Ok(Some(bytes))
    }
}

impl Located {
    /// A reader of exactly this blob's bytes.
    pub fn open(&self) -> io::Result<BlobReader> {
        let mut file = File::open(&self.path)?;
        file.seek(SeekFrom::Start(self.offset))?;
        Ok(BlobReader {
            file,
            start: self.offset,
            len: self.len,
            position: 0,
            progress: None,
            reported: 0,
        })
    }
}

/// Exactly `len` bytes of a file from `start`: a read that finds the file shorter fails with
/// `UnexpectedEof` rather than ending early.
pub(crate) struct BlobReader {
    file: File,
    start: u64,
    len: u64,
    position: u64,
    progress: Option<Arc<dyn Progress>>,
    /// How far progress has been reported (a seek back to re-read is not progress).
    reported: u64,
}

impl BlobReader {
    /// Reports the bytes read or skipped to `progress`.
    pub fn with_progress(mut self, progress: Option<Arc<dyn Progress>>) -> BlobReader {
        self.progress = progress;
        self
    }

    fn report(&mut self) {
        if let Some(progress) = &self.progress
            && self.position > self.reported
        {
            progress.advance(self.position - self.reported);
            self.reported = self.position;
        }
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn position(&self) -> u64 {
        self.position
    }

    /// Moves to `position` within the blob (at most its length).
    pub fn seek_to(&mut self, position: u64) -> io::Result<()> {
        let position = position.min(self.len);
        self.file.seek(SeekFrom::Start(self.start + position))?;
        self.position = position;
        self.report();
        Ok(())
    }
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let remaining = self.len - self.position;
        if remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(remaining).unwrap_or(usize::MAX));
        let read = self.file.read(&mut buf[..want])?;
        if read == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the file ends {remaining} bytes before the blob does (truncated?)"),
            ));
        }
        self.position += read as u64;
        self.report();
        Ok(read)
    }
}

/// `./a//b` → `a/b`.
fn normalise(name: &str) -> String {
    name.split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// A symlink target relative to the link's directory, `..` resolved.
fn resolve_relative(link: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        let mut dir: Vec<&str> = link.split('/').collect();
        dir.pop();
        dir
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_links_are_normalised() {
        assert_eq!(normalise("./blobs//sha256/ab"), "blobs/sha256/ab");
        assert_eq!(
            resolve_relative("abc/layer.tar", "../def/layer.tar"),
            "def/layer.tar"
        );
        assert_eq!(resolve_relative("abc/layer.tar", "/x/y"), "x/y");
    }

    #[test]
    fn a_short_file_is_an_error_not_an_early_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("blob");
        std::fs::write(&path, b"0123456789").unwrap();
        let located = Located {
            path,
            offset: 4,
            len: 10,
        };
        let mut bytes = Vec::new();
        let err = located.open().unwrap().read_to_end(&mut bytes).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(bytes, b"456789");
    }
}
