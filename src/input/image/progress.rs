//! Progress of long reads (streaming layers, verifying), reported to whoever draws a progress
//! bar. The library never draws one itself: the command line decides (stderr, terminal only).

/// Receives progress while layer blobs are read. Called from several threads at once.
pub trait Progress: Send + Sync {
    /// Layer blobs totalling `total_bytes` are about to be read or walked.
    fn start(&self, total_bytes: u64);
    /// `bytes` more of them have been read (or skipped past, for headers-only sizing).
    fn advance(&self, bytes: u64);
    /// All layers are done, successfully or not.
    fn finish(&self) {}
}
