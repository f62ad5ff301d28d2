//! Checking content against its digest (sha256, sha512): hashing readers and writers that see
//! every byte on its way through, so verifying never needs a second pass.

use std::io::{self, Read, Write};

use sha2::{Digest as _, Sha256, Sha512};

use super::error::Problem;
use super::limit::ReadLimit;
use crate::model::image::Digest;

/// A running hash for the algorithm of a digest.
pub(crate) enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    /// A hasher for `digest`'s algorithm; an error names an algorithm that cannot be verified.
    pub fn for_digest(digest: &Digest, what: &str) -> Result<Hasher, Problem> {
        match digest.algorithm() {
            "sha256" => Ok(Hasher::Sha256(Sha256::new())),
            "sha512" => Ok(Hasher::Sha512(Sha512::new())),
            other => Err(Problem::BadBlob {
                what: what.to_string(),
                digest: digest.to_string(),
                message: format!("cannot verify a {other} digest (only sha256 and sha512)"),
            }),
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    /// `ALGORITHM:HEX` of what was hashed.
    pub fn finish(self) -> String {
        let (algorithm, bytes) = match self {
            Hasher::Sha256(h) => ("sha256", h.finalize().to_vec()),
            Hasher::Sha512(h) => ("sha512", h.finalize().to_vec()),
        };
        let mut text = String::with_capacity(algorithm.len() + 1 + bytes.len() * 2);
        text.push_str(algorithm);
        text.push(':');
        for byte in bytes {
            text.push(char::from(HEX[usize::from(byte >> 4)]));
            text.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
        text
    }

    /// Errors unless what was hashed is `digest`.
    pub fn check(self, digest: &Digest, what: &str) -> Result<(), Problem> {
        let actual = self.finish();
        if actual == digest.to_string() {
            Ok(())
        } else {
            Err(Problem::DigestMismatch {
                what: what.to_string(),
                digest: digest.to_string(),
                actual,
            })
        }
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Checks bytes held in memory (manifests, configs, embedded data).
pub(crate) fn check_bytes(bytes: &[u8], digest: &Digest, what: &str) -> Result<(), Problem> {
    let mut hasher = Hasher::for_digest(digest, what)?;
    hasher.update(bytes);
    hasher.check(digest, what)
}

/// The sha256 digest of bytes in memory.
pub(crate) fn sha256_of(bytes: &[u8]) -> String {
    let mut hasher = Hasher::Sha256(Sha256::new());
    hasher.update(bytes);
    hasher.finish()
}

/// A reader that hashes what passes through it (when it has a hasher).
pub(crate) struct HashingReader<R> {
    pub inner: R,
    pub hasher: Option<Hasher>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&buf[..read]);
        }
        Ok(read)
    }
}

/// A writer that counts (and optionally hashes) what is written and keeps nothing; with a
/// limit, writing past it fails (see [`ReadLimit`]).
pub(crate) struct CountingSink<'a> {
    pub count: u64,
    pub hasher: Option<Hasher>,
    pub limit: Option<&'a ReadLimit>,
}

impl Write for CountingSink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(limit) = self.limit {
            limit.consume_io(buf.len() as u64)?;
        }
        self.count += buf.len() as u64;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_known_values() {
        assert_eq!(
            sha256_of(b"{}"),
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        let digest = Digest::parse(&sha256_of(b"abc")).unwrap();
        assert!(check_bytes(b"abc", &digest, "blob").is_ok());
        let err = check_bytes(b"abd", &digest, "blob").unwrap_err();
        assert!(
            err.to_string().contains("content's digest is sha256:"),
            "{err}"
        );
    }
}
