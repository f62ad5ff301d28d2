//! `--max-read`: a cap on the layer content one command reads, shared by every layer, image and
//! worker thread of the command, so a decompression bomb or an enormous input stops with an
//! input error (exit 2) instead of running for hours.
//!
//! What counts is layer content as it is unpacked: the bytes a gzip or zstd layer expands to,
//! counted as they come out of the decoder, and the whole length of an uncompressed layer (which
//! is sized from its tar headers). Reading stops within one copy buffer (256 KiB) of the limit,
//! or, for a gzip layer of a stored blob, within the buffers in flight (about 4 MiB, see
//! `gunzip`).

use std::fmt;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

/// The limit and what has been read against it so far.
#[derive(Debug)]
pub struct ReadLimit {
    limit: u64,
    used: AtomicU64,
}

/// The error a reader returns once the limit is passed (carried inside an [`io::Error`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LimitExceeded(pub u64);

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "more than {} bytes of layer content", self.0)
    }
}

impl std::error::Error for LimitExceeded {}

impl ReadLimit {
    pub fn new(limit: u64) -> ReadLimit {
        ReadLimit {
            limit,
            used: AtomicU64::new(0),
        }
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Counts `bytes` more; an error once the total passes the limit.
    pub(crate) fn consume(&self, bytes: u64) -> Result<(), LimitExceeded> {
        let add = |used: u64| Some(used.saturating_add(bytes));
        let before = self
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, add)
            .unwrap_or_else(|used| used);
        if before.saturating_add(bytes) > self.limit {
            Err(LimitExceeded(self.limit))
        } else {
            Ok(())
        }
    }

    /// [`ReadLimit::consume`] for writers: the error travels inside an `io::Error`.
    pub(crate) fn consume_io(&self, bytes: u64) -> io::Result<()> {
        self.consume(bytes).map_err(io::Error::other)
    }
}

/// The limit an I/O error carries, if it is the one [`ReadLimit::consume_io`] returned.
pub(crate) fn exceeded(error: &io::Error) -> Option<LimitExceeded> {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<LimitExceeded>())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_across_calls_and_stops_past_the_limit() {
        let limit = ReadLimit::new(10);
        assert!(limit.consume(4).is_ok());
        assert!(limit.consume(6).is_ok());
        assert_eq!(limit.consume(1), Err(LimitExceeded(10)));
        let error = ReadLimit::new(0).consume_io(1).unwrap_err();
        assert_eq!(exceeded(&error), Some(LimitExceeded(0)));
        assert_eq!(exceeded(&io::Error::other("x")), None);
    }

    #[test]
    fn huge_counts_do_not_wrap() {
        let limit = ReadLimit::new(u64::MAX - 1);
        assert!(limit.consume(u64::MAX - 1).is_ok());
        // The count saturates instead of wrapping back under the limit.
        assert!(limit.consume(u64::MAX).is_err());
        assert!(limit.consume(1).is_err());
    }
}
