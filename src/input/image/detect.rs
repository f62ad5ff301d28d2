//! Telling image sources apart by content, never by file name: a directory (an OCI layout), a
//! tar archive (docker save or oci-archive, told apart by their index files later), or JSON
//! (a manifest, an index, or docker inspect output).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::error::Problem;
use super::store::MAX_DOCUMENT_BYTES;
use super::tar_headers;

/// What a path holds.
#[derive(Debug)]
pub(crate) enum Detected {
    Directory,
    Tar,
    /// A JSON document, read whole (byte-order mark removed).
    Json(Vec<u8>),
}

pub(crate) fn detect(path: &Path) -> Result<Detected, Problem> {
    let read_error = |source| Problem::Read {
        what: "the file".into(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(read_error)?;
    if meta.is_dir() {
        return Ok(Detected::Directory);
    }
    let mut file = File::open(path).map_err(read_error)?;
    let mut head = [0u8; 512];
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..]).map_err(read_error)? {
            0 => break,
            n => filled += n,
        }
    }
    let head = &head[..filled];
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(first, Some(b'{') | Some(b'[')) {
        if meta.len() > MAX_DOCUMENT_BYTES {
            return Err(Problem::Invalid {
                what: "JSON".into(),
                message: format!(
                    "{} bytes is too large for a manifest or inspect output",
                    meta.len()
                ),
            });
        }
        // Capped as it is read: a pipe or FIFO (`<(…)`) has no length to check first.
        let rest = MAX_DOCUMENT_BYTES - head.len() as u64;
        let Some(rest) = crate::input::limits::read_capped(&mut file, rest).map_err(read_error)?
        else {
            return Err(Problem::Invalid {
                what: "JSON".into(),
                message: format!(
                    "more than {MAX_DOCUMENT_BYTES} bytes is too large for a manifest or inspect \
                     output"
                ),
            });
        };
        let mut bytes = Vec::with_capacity(head.len() + rest.len());
        bytes.extend_from_slice(head);
        bytes.extend_from_slice(&rest);
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        return Ok(Detected::Json(bytes));
    }
    match head {
        [] => Err(Problem::NotAnImage("an empty file, not an image".into())),
        [0x1f, 0x8b, ..] => Err(Problem::NotAnImage(
            "a gzip-compressed file; decompress it first (gunzip): docker save and oci-archive tars are read uncompressed".into(),
        )),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Err(Problem::NotAnImage(
            "a zstd-compressed file; decompress it first (unzstd)".into(),
        )),
        _ if head.len() == 512 && head.try_into().is_ok_and(tar_headers::checksum_ok) => Ok(Detected::Tar),
        _ => Err(Problem::NotAnImage(
            "neither JSON (manifest, index, docker inspect output) nor a tar archive (docker save, oci-archive) nor a layout directory".into(),
        )),
    }
}
