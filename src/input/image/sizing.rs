//! Layer sizing: the disk bytes of each layer blob, in parallel across layers.
//!
//! - uncompressed tar: the blob's length, after walking its headers (seeking past contents) to
//!   check it is a whole tar ([`super::tar_headers`]);
//! - gzip and zstd: streamed through a decoder into a counting sink (what `gzip -dc | wc -c`
//!   counts); nothing is extracted or kept. A gzip layer of a stored blob is inflated on a
//!   pipeline of threads (read; inflate; check and walk, the last two on one thread when only the
//!   size is asked for and other layers keep every other core busy: [`super::gunzip`]), so that
//!   its wall time is about the inflate alone; a download goes through flate2's
//!   `MultiGzDecoder`;
//! - encrypted or unknown: no disk size.
//!
//! A blob whose length differs from its descriptor is always an error. With `verify`, every byte
//! also goes through a hash in the same pass and the digest must match (for a compressed layer,
//! on another thread that reads ahead of the decoder). Memory is bounded: each worker holds one
//! copy buffer and one decoder window, whatever the layer sizes, and when it verifies a zstd
//! layer at most ten more copy buffers in flight to the decoder; a gzip layer's pipeline holds
//! at most a dozen 1 MiB buffers.
//!
//! Layers are taken largest first, so that the biggest does not run alone at the end.

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;

use super::ReadOptions;
use super::error::Problem;
use super::gunzip::{self, Beside};
use super::limit::{self, ReadLimit};
use super::progress::Progress;
use super::store::{BlobReader, Store};
use super::tar_headers::{self, ReadThrough};
use super::verify::{CountingSink, Hasher, HashingReader};
use crate::model::files::{EntryWatch, FileEntry};
use crate::model::image::{Compression, Digest};

/// Bytes moved per read when streaming a blob.
const COPY_BUFFER: usize = 256 * 1024;

/// What a digest to verify was computed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VerifyOf {
    /// The blob as stored (registry digests).
    Stored,
    /// The uncompressed tar (docker diff IDs).
    Uncompressed,
}

/// One layer to size.
#[derive(Debug, Clone)]
pub(crate) struct LayerJob {
    /// The blob's name in the store.
    pub name: String,
    pub digest: Digest,
    /// The size its descriptor gives, when there is one.
    pub expected_len: Option<u64>,
    /// From the media type; `Unknown` means: look at the first bytes.
    pub compression: Compression,
    pub verify: Option<VerifyOf>,
    /// Record the tar entries (reads the layer through, uncompressed ones too).
    pub files: bool,
    /// The layer's index in the image's manifest, which the options' entry watch is told; `None`
    /// when the job sizes more than one layer (a registry blob listed twice).
    pub layer: Option<usize>,
}

/// What sizing found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Measured {
    pub stored_bytes: u64,
    pub disk_bytes: Option<u64>,
    /// The tar entries in order, when the job asked for them and the layer is a tar.
    pub files: Option<Vec<FileEntry>>,
    /// The compression the content has (the media type's, or sniffed when it gave none).
    pub compression: Compression,
}

/// Sizes every job, on up to as many threads as there are cores, reporting to the options'
/// progress and counting against their `max_read`. The first failing job (in job order) is the
/// error.
pub(crate) fn measure_all(
    store: &Store,
    jobs: &[LayerJob],
    options: &ReadOptions,
) -> Result<Vec<Measured>, Problem> {
    let progress = options.progress.as_ref();
    let limit = options.max_read.as_deref();
    // Stored lengths (0 for a blob not found: its job fails at once).
    let sizes: Vec<u64> = jobs
        .iter()
        .map(|job| {
            store
                .locate(&job.name)
                .ok()
                .flatten()
                .map_or(0, |located| located.len)
        })
        .collect();
    if let Some(progress) = progress {
        progress.start(
            sizes
                .iter()
                .fold(0u64, |total, len| total.saturating_add(*len)),
        );
    }
    let results = in_parallel_on(
        cores(),
        jobs,
        &sizes,
        |job, beside| {
            let watch = match (&options.watch, job.layer) {
                (Some(watches), Some(layer)) if job.files => Some(watches.watch(layer)),
                _ => None,
            };
            measure(store, job, progress, limit, beside, watch)
        },
        |job| Problem::BadBlob {
            what: "layer".into(),
            digest: job.digest.to_string(),
            message: "internal error while sizing".into(),
        },
    );
    if let Some(progress) = progress {
        progress.finish();
    }
    results
}

/// Runs `measure` on every job, on up to `workers` threads (the cores for files; downloads wait
/// on the network more than on the cores), and returns the results in job order; the first
/// failing job (in job order) is the error. `internal` is the error of a job whose worker
/// panicked (a bug).
///
/// Each job is told whether a worker is free beside it for as long as it runs
/// ([`Beside::Free`]): fewer jobs are left unfinished, this one counted, than there are workers.
///
/// Jobs start largest first (`sizes`, one per job): a big layer listed last would otherwise run
/// alone on one core at the end while the others idle (longest processing time first, within
/// 4/3 of the best schedule).
pub(crate) fn in_parallel_on<E: Send>(
    workers: usize,
    jobs: &[LayerJob],
    sizes: &[u64],
    measure: impl Fn(&LayerJob, Beside) -> Result<Measured, E> + Sync,
    internal: impl Fn(&LayerJob) -> E,
) -> Result<Vec<Measured>, E> {
    let finished = AtomicUsize::new(0);
    let beside = || match jobs.len() - finished.load(Ordering::Relaxed) < workers {
        true => Beside::Free,
        false => Beside::Busy,
    };
    if workers.min(jobs.len()) <= 1 {
        return jobs.iter().map(|job| measure(job, beside())).collect();
    }
    let workers = workers.min(jobs.len());
    let order = largest_first(sizes, jobs.len());
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<Result<Measured, E>>> = (0..jobs.len()).map(|_| None).collect();
    thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    while let Some(&index) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                        done.push((index, measure(&jobs[index], beside())));
                        finished.fetch_add(1, Ordering::Relaxed);
                    }
                    done
                })
            })
            .collect();
        for handle in handles {
            match handle.join() {
                Ok(done) => {
                    for (index, result) in done {
                        results[index] = Some(result);
                    }
                }
                Err(_) => {
                    // A worker panicked (a bug); its jobs stay unsized and are reported below.
                }
            }
        }
    });
    results
        .into_iter()
        .zip(jobs)
        .map(|(result, job)| result.unwrap_or_else(|| Err(internal(job))))
        .collect()
}

/// Job indexes by size, largest first (ties and jobs without a size in job order).
fn largest_first(sizes: &[u64], jobs: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..jobs).collect();
    order.sort_by_key(|&index| std::cmp::Reverse(sizes.get(index).copied().unwrap_or(0)));
    order
}

/// Sizes one layer blob of a store, counting its content against `limit`. Uncompressed and
/// unknown layers are walked (their entries recorded when the job asks) or skipped by seeking
/// unless verifying; everything else is read through [`measure_read`]. `watch` is shown the
/// entries of an uncompressed or gzip layer as they are recorded, and ended when it was read
/// whole.
pub(crate) fn measure(
    store: &Store,
    job: &LayerJob,
    progress: Option<&Arc<dyn Progress>>,
    limit: Option<&ReadLimit>,
    beside: Beside,
    mut watch: Option<Box<dyn EntryWatch>>,
) -> Result<Measured, Problem> {
    let what = "layer";
    let digest_text = job.digest.to_string();
    let located = store
        .locate(&job.name)?
        .ok_or_else(|| Problem::MissingBlob {
            what: what.into(),
            digest: format!("{} ({})", digest_text, job.name),
        })?;
    if let Some(expected) = job.expected_len
        && expected != located.len
    {
        return Err(Problem::SizeMismatch {
            what: what.into(),
            digest: digest_text,
            expected,
            actual: located.len,
        });
    }
    let read_error = |e: io::Error| bad_layer(job, format!("cannot read: {e}"));
    let mut reader = located
        .open()
        .map_err(read_error)?
        .with_progress(progress.cloned());
    let stored_bytes = reader.len();
    let head = read_head(&mut reader, stored_bytes).map_err(read_error)?;
    reader.seek_to(0).map_err(read_error)?;
    let compression = compression_of(job, &head)?;
    if compression == Compression::Uncompressed
        && let Some(limit) = limit
    {
        limit
            .consume(stored_bytes)
            .map_err(|exceeded| Problem::ReadLimit { limit: exceeded.0 })?;
    }
    let (disk_bytes, files) = match compression {
        Compression::Uncompressed if job.verify.is_none() => {
            // Headers read, contents seeked past; the entries recorded when asked for.
            let mut entries = Vec::new();
            let mut record = |entry: FileEntry| {
                if let Some(watch) = watch.as_mut() {
                    watch.entry(&entry);
                }
                entries.push(entry);
            };
            let visit: Option<&mut dyn FnMut(FileEntry)> =
                if job.files { Some(&mut record) } else { None };
            tar_headers::walk_entries(&mut reader, Some(stored_bytes), visit)
                .map_err(|m| bad_layer(job, m))?;
            if let Some(watch) = watch {
                watch.end();
            }
            // The rest is end-of-archive padding: skipped, and reported as done.
            reader.seek_to(stored_bytes).map_err(read_error)?;
            (Some(stored_bytes), job.files.then_some(entries))
        }
        Compression::Encrypted | Compression::Unknown if job.verify.is_none() => {
            reader.seek_to(stored_bytes).map_err(read_error)?;
            (None, None)
        }
        Compression::Gzip => measure_gzip(reader, job, limit, beside, watch)?,
        Compression::Zstd if job.verify == Some(VerifyOf::Stored) && cores() > 1 => {
            measure_hashing_ahead(reader, stored_bytes, compression, job, limit)?
        }
        _ => measure_read(reader, stored_bytes, compression, job, limit)?,
    };
    Ok(Measured {
        stored_bytes,
        disk_bytes,
        compression,
        files,
    })
}

/// The cores this process may use.
fn cores() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get())
}

/// A gzip layer of a stored blob, inflated on three threads ([`gunzip`]): the stored bytes
/// hashed by the reader when verifying them, the inflated ones by the caller when verifying those.
fn measure_gzip(
    reader: BlobReader,
    job: &LayerJob,
    limit: Option<&ReadLimit>,
    beside: Beside,
    watch: Option<Box<dyn EntryWatch>>,
) -> Result<(Option<u64>, Option<Vec<FileEntry>>), Problem> {
    let what = "layer";
    let hasher = match job.verify {
        Some(_) => Some(Hasher::for_digest(&job.digest, what)?),
        None => None,
    };
    let (stored_hasher, tar_hasher) = match job.verify {
        Some(VerifyOf::Uncompressed) => (None, hasher),
        _ => (hasher, None),
    };
    let (inflated, stored_hasher) = gunzip::inflate(
        reader,
        stored_hasher,
        tar_hasher,
        job.files,
        limit,
        beside,
        watch,
    );
    let inflated = inflated.map_err(|failure| match failure {
        gunzip::Failure::Limit(limit) => Problem::ReadLimit { limit },
        gunzip::Failure::Decompress(e) => {
            bad_layer(job, format!("cannot decompress the gzip data: {e}"))
        }
        gunzip::Failure::Walk(message) => bad_layer(job, message),
    })?;
    let stored_hasher =
        stored_hasher.map_err(|_| bad_layer(job, "internal error while hashing".to_string()))?;
    if let Some(hasher) = stored_hasher.or(inflated.tar_hasher) {
        hasher.check(&job.digest, what)?;
    }
    Ok((Some(inflated.disk_bytes), inflated.files))
}

/// [`measure_read`] of a compressed blob whose stored bytes are verified, with the hash on
/// another core: a thread reads the blob in chunks, hashes each and hands it to the decoder
/// through a bounded channel ([`gunzip::read_ahead`]), so hashing costs no time beside
/// decompressing. The digest is checked once the decoder has read every byte.
fn measure_hashing_ahead(
    reader: BlobReader,
    stored_bytes: u64,
    compression: Compression,
    job: &LayerJob,
    limit: Option<&ReadLimit>,
) -> Result<(Option<u64>, Option<Vec<FileEntry>>), Problem> {
    let what = "layer";
    let hasher = Hasher::for_digest(&job.digest, what)?;
    let unverified = LayerJob {
        verify: None,
        ..job.clone()
    };
    let (measured, hasher) = thread::scope(|scope| {
        let ((chunks, reading), give_back) = gunzip::read_ahead(scope, reader, Some(hasher));
        let measured = measure_read(
            ChunkReader {
                chunks,
                give_back,
                current: Vec::new(),
                at: 0,
            },
            stored_bytes,
            compression,
            &unverified,
            limit,
        );
        (measured, reading.join())
    });
    let measured = measured?;
    match hasher {
        Ok(Some(hasher)) => hasher.check(&job.digest, what)?,
        _ => {
            return Err(bad_layer(job, "internal error while hashing".to_string()));
        }
    }
    Ok(measured)
}

/// Reads the chunks another thread sends (an empty chunk is the end), and gives each back for
/// reuse once read.
struct ChunkReader {
    chunks: mpsc::Receiver<io::Result<Vec<u8>>>,
    give_back: mpsc::Sender<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at == self.current.len() {
            let next = match self.chunks.recv() {
                Ok(chunk) => chunk?,
                // The reading thread ended after the last (empty) chunk.
                Err(_) => return Ok(0),
            };
            let done = std::mem::replace(&mut self.current, next);
            let _ = self.give_back.send(done);
            self.at = 0;
            if self.current.is_empty() {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.current.len() - self.at);
        buf[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Sizes a layer blob that can only be read front to back (a registry download). Its length
/// must be the descriptor's (`expected_len`): reading stops one byte past it, so a stream that
/// goes on is a mismatch after `expected_len + 1` bytes, not after all it would send. An
/// uncompressed layer counts its declared length against `limit`, as a file's does.
pub(crate) fn measure_stream(
    mut reader: impl Read,
    job: &LayerJob,
    limit: Option<&ReadLimit>,
) -> Result<Measured, Problem> {
    let read_error = |e: io::Error| bad_layer(job, format!("cannot read: {e}"));
    let expected = job.expected_len.unwrap_or(u64::MAX);
    let head = read_head(&mut reader, expected).map_err(read_error)?;
    let compression = compression_of(job, &head)?;
    if compression == Compression::Uncompressed
        && let Some(limit) = limit
    {
        limit
            .consume(expected)
            .map_err(|exceeded| Problem::ReadLimit { limit: exceeded.0 })?;
    }
    let mut counted = CountingReader {
        inner: io::Cursor::new(head).chain(reader),
        count: 0,
        most: expected,
        exceeded: false,
    };
    let too_long = || Problem::TooLong {
        what: "layer".into(),
        digest: job.digest.to_string(),
        expected,
    };
    let (disk_bytes, files) = match measure_read(&mut counted, expected, compression, job, limit) {
        Err(_) if counted.exceeded => return Err(too_long()),
        other => other?,
    };
    // Whatever stopped before the end (a decoder at its end marker): one byte more is too many.
    if counted.count == expected && !matches!(counted.read(&mut [0u8; 1]), Ok(0)) {
        return Err(too_long());
    }
    if let Some(expected) = job.expected_len
        && counted.count != expected
    {
        return Err(Problem::SizeMismatch {
            what: "layer".into(),
            digest: job.digest.to_string(),
            expected,
            actual: counted.count,
        });
    }
    Ok(Measured {
        stored_bytes: counted.count,
        disk_bytes,
        compression,
        files,
    })
}

/// Reads every byte of a blob of `stored_bytes` (hashing them when verifying) and returns its
/// disk bytes, and its tar entries when the job asks for them.
fn measure_read(
    reader: impl Read,
    stored_bytes: u64,
    compression: Compression,
    job: &LayerJob,
    limit: Option<&ReadLimit>,
) -> Result<(Option<u64>, Option<Vec<FileEntry>>), Problem> {
    let mut entries = Vec::new();
    let mut record = |entry: FileEntry| entries.push(entry);
    let visit: Option<&mut dyn FnMut(FileEntry)> = if job.files { Some(&mut record) } else { None };
    let what = "layer";
    let bad = |message: String| bad_layer(job, message);
    let read_error = |e: io::Error| bad(format!("cannot read: {e}"));
    let mut hasher = match job.verify {
        Some(_) => Some(Hasher::for_digest(&job.digest, what)?),
        None => None,
    };
    let disk_bytes = match compression {
        Compression::Uncompressed => {
            let mut hashing = HashingReader {
                inner: reader,
                hasher: hasher.take(),
            };
            tar_headers::walk_entries(&mut ReadThrough(&mut hashing), Some(stored_bytes), visit)
                .map_err(&bad)?;
            pump(&mut hashing, &mut io::sink()).map_err(read_error)?;
            hasher = hashing.hasher;
            Some(stored_bytes)
        }
        Compression::Gzip | Compression::Zstd => {
            let (stored_hasher, tar_hasher) = match job.verify {
                Some(VerifyOf::Uncompressed) => (None, hasher.take()),
                _ => (hasher.take(), None),
            };
            let hashing = HashingReader {
                inner: reader,
                hasher: stored_hasher,
            };
            let mut sink = CountingSink {
                count: 0,
                hasher: tar_hasher,
                limit,
            };
            let decompress_error = |e: io::Error| match limit::exceeded(&e) {
                Some(exceeded) => Problem::ReadLimit { limit: exceeded.0 },
                None => bad(format!("cannot decompress the {compression} data: {e}")),
            };
            // With entries asked for, the tar is walked as it is decompressed: every byte still
            // goes through the sink (count, hash, limit); nothing is kept but the headers.
            let through = |decoder: &mut dyn Read, sink: &mut CountingSink| match visit {
                Some(visit) => {
                    let mut tee = Tee {
                        inner: decoder,
                        sink,
                        exceeded: None,
                    };
                    // The walk reads 512-byte headers: through a large buffer, the decoder
                    // still inflates into large outputs (its fast path). Bytes buffered have
                    // already gone through the sink.
                    let mut buffered = io::BufReader::with_capacity(COPY_BUFFER, &mut tee);
                    let walked = tar_headers::walk_entries(
                        &mut ReadThrough(&mut buffered),
                        None,
                        Some(visit),
                    );
                    let rest = walked.is_ok().then(|| pump(&mut buffered, &mut io::sink()));
                    drop(buffered);
                    walked.map_err(|message| match tee.exceeded {
                        Some(exceeded) => Problem::ReadLimit { limit: exceeded },
                        None => bad(message),
                    })?;
                    rest.unwrap_or(Ok(0)).map_err(decompress_error)
                }
                None => pump(decoder, sink).map_err(decompress_error),
            };
            let mut rest = if compression == Compression::Gzip {
                let mut decoder = flate2::read::MultiGzDecoder::new(hashing);
                through(&mut decoder, &mut sink)?;
                decoder.into_inner()
            } else {
                let mut decoder =
                    zstd::stream::read::Decoder::new(hashing).map_err(decompress_error)?;
                through(&mut decoder, &mut sink)?;
                let mut buffered = decoder.finish();
                pump(&mut buffered, &mut io::sink()).map_err(read_error)?;
                buffered.into_inner()
            };
            // Bytes after the compressed stream still belong to the blob and its digest.
            pump(&mut rest, &mut io::sink()).map_err(read_error)?;
            hasher = match job.verify {
                Some(VerifyOf::Uncompressed) => sink.hasher,
                _ => rest.hasher,
            };
            Some(sink.count)
        }
        Compression::Encrypted | Compression::Unknown => {
            let mut hashing = HashingReader {
                inner: reader,
                hasher: hasher.take(),
            };
            pump(&mut hashing, &mut io::sink()).map_err(read_error)?;
            hasher = hashing.hasher;
            None
        }
    };
    if let Some(hasher) = hasher {
        hasher.check(&job.digest, what)?;
    }
    let files = (job.files && disk_bytes.is_some()).then_some(entries);
    Ok((disk_bytes, files))
}

/// Reads from `inner`, writing everything read into `sink` (counting, hashing and limiting it),
/// and remembers a `--max-read` limit passed on the way.
struct Tee<'a, 'b> {
    inner: &'a mut dyn Read,
    sink: &'a mut CountingSink<'b>,
    exceeded: Option<u64>,
}

impl Read for Tee<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        if let Err(e) = self.sink.write_all(&buf[..read]) {
            if let Some(exceeded) = limit::exceeded(&e) {
                self.exceeded = Some(exceeded.0);
            }
            return Err(e);
        }
        Ok(read)
    }
}

/// A layer problem naming its digest.
fn bad_layer(job: &LayerJob, message: String) -> Problem {
    Problem::BadBlob {
        what: "layer".into(),
        digest: job.digest.to_string(),
        message,
    }
}

/// The compression to read a layer with: the media type's, checked against the first bytes, or
/// the first bytes' when the media type gives none.
fn compression_of(job: &LayerJob, head: &[u8]) -> Result<Compression, Problem> {
    let sniffed = sniff(head);
    match (job.compression, sniffed) {
        (Compression::Unknown, sniffed) => Ok(sniffed),
        (Compression::Uncompressed, found @ (Compression::Gzip | Compression::Zstd)) => {
            Err(bad_layer(
                job,
                format!(
                    "the media type says uncompressed but the content is {found} data (mislabelled)"
                ),
            ))
        }
        (Compression::Gzip, found) | (Compression::Zstd, found) if found != job.compression => {
            Err(bad_layer(
                job,
                format!(
                    "the media type says {} but the content is not {} data (corrupt or mislabelled)",
                    job.compression, job.compression
                ),
            ))
        }
        (declared, _) => Ok(declared),
    }
}

/// Counts the bytes read through it, and fails once more than `most` have come (reading at
/// most one byte past it).
struct CountingReader<R> {
    inner: R,
    count: u64,
    most: u64,
    exceeded: bool,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let room = self.most.saturating_add(1).saturating_sub(self.count);
        let want = usize::try_from(room).map_or(buf.len(), |room| room.min(buf.len()));
        let read = self.inner.read(&mut buf[..want])?;
        self.count += read as u64;
        if self.count > self.most {
            self.exceeded = true;
            return Err(io::Error::other(format!(
                "the blob is longer than the {} bytes its descriptor gives",
                self.most
            )));
        }
        Ok(read)
    }
}

/// Reports the bytes read through it to a progress bar.
pub(crate) struct ProgressReader<R> {
    pub inner: R,
    pub progress: Option<Arc<dyn Progress>>,
}

impl<R: Read> Read for ProgressReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        if let Some(progress) = &self.progress {
            progress.advance(read as u64);
        }
        Ok(read)
    }
}

/// The first bytes of a blob of `len` bytes (up to one tar block), read whole.
fn read_head(reader: &mut impl Read, len: u64) -> io::Result<Vec<u8>> {
    let want = usize::try_from(len).map_or(512, |len| len.min(512));
    let mut head = Vec::with_capacity(want);
    reader.take(want as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// The compression of a blob from its first bytes.
fn sniff(head: &[u8]) -> Compression {
    match head {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
        _ if head.len() == 512 && head.try_into().is_ok_and(tar_headers::checksum_ok) => {
            Compression::Uncompressed
        }
        _ => Compression::Unknown,
    }
}

/// Copies everything with one large buffer; returns the byte count.
fn pump(reader: &mut (impl Read + ?Sized), writer: &mut impl Write) -> io::Result<u64> {
    let mut buffer = vec![0u8; COPY_BUFFER];
    let mut total = 0u64;
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => return Ok(total),
            Ok(read) => read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        writer.write_all(&buffer[..read])?;
        total += read as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tar_bytes() -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_ustar();
        let content = b"hello fleetsave ".repeat(1000);
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, "hello.txt", &content[..])
            .unwrap();
        builder.into_inner().unwrap()
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    /// `blob` stored in a temporary directory, and the job that sizes it as a layer of the given
    /// compression whose digest is that of `digest_of`.
    fn stored(
        blob: &[u8],
        compression: Compression,
        verify: Option<VerifyOf>,
        digest_of: &[u8],
        files: bool,
    ) -> (tempfile::TempDir, LayerJob) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("blob"), blob).unwrap();
        let job = LayerJob {
            name: "blob".into(),
            digest: Digest::parse(&super::super::verify::sha256_of(digest_of)).unwrap(),
            expected_len: Some(blob.len() as u64),
            compression,
            verify,
            files,
            layer: None,
        };
        (dir, job)
    }

    /// Sizes `blob` stored in a temporary directory, as a layer of the given compression.
    fn size(
        blob: &[u8],
        compression: Compression,
        verify: Option<VerifyOf>,
        digest_of: &[u8],
    ) -> Result<Measured, Problem> {
        let (dir, job) = stored(blob, compression, verify, digest_of, false);
        let store = Store::dir(dir.path());
        let busy = measure(&store, &job, None, None, Beside::Busy, None);
        let free = measure(&store, &job, None, None, Beside::Free, None);
        assert_eq!(
            busy.as_ref().map_err(ToString::to_string),
            free.as_ref().map_err(ToString::to_string),
            "with a core free and without"
        );
        busy
    }

    /// Jobs of the given stored lengths, gzip, unverified.
    fn jobs_of(lens: &[u64]) -> Vec<LayerJob> {
        lens.iter()
            .map(|&len| LayerJob {
                name: format!("blob-{len}"),
                digest: Digest::parse(&super::super::verify::sha256_of(b"x")).unwrap(),
                expected_len: Some(len),
                compression: Compression::Gzip,
                verify: None,
                files: false,
                layer: None,
            })
            .collect()
    }

    /// A watch that records the paths it is shown and whether it was ended.
    struct Recorder {
        seen: Arc<std::sync::Mutex<(Vec<String>, bool)>>,
    }

    impl EntryWatch for Recorder {
        fn entry(&mut self, entry: &FileEntry) {
            self.seen.lock().unwrap().0.push(entry.path.clone());
        }

        fn end(self: Box<Self>) {
            self.seen.lock().unwrap().1 = true;
        }
    }

    #[test]
    fn a_watch_is_shown_every_entry_in_order_and_ended_only_when_the_layer_is_read_whole() {
        let tar = tar_bytes();
        let gz = gzip(&tar);
        let mut cut = gz.clone();
        cut.truncate(gz.len() - 20);
        for (blob, compression, whole) in [
            (&gz, Compression::Gzip, true),
            (&tar, Compression::Uncompressed, true),
            (&cut, Compression::Gzip, false),
        ] {
            let (dir, job) = stored(blob, compression, None, blob, true);
            let seen = Arc::new(std::sync::Mutex::new((Vec::new(), false)));
            let watch = Box::new(Recorder {
                seen: Arc::clone(&seen),
            });
            let store = Store::dir(dir.path());
            let measured = measure(&store, &job, None, None, Beside::Busy, Some(watch));
            let (paths, ended) = seen.lock().unwrap().clone();
            assert_eq!(ended, whole, "{compression}");
            match measured {
                Ok(measured) => {
                    let files = measured.files.expect("entries");
                    let recorded: Vec<String> = files.into_iter().map(|f| f.path).collect();
                    assert!(!recorded.is_empty());
                    assert_eq!(paths, recorded, "{compression}");
                }
                Err(_) => assert!(!whole, "{compression}"),
            }
        }
    }

    #[test]
    fn a_job_is_told_a_worker_is_free_only_when_fewer_jobs_are_left_than_workers() {
        let told = |workers: usize, lens: &[u64]| {
            let jobs = jobs_of(lens);
            let told = std::sync::Mutex::new(Vec::new());
            in_parallel_on(
                workers,
                &jobs,
                lens,
                |job, beside| -> Result<Measured, ()> {
                    told.lock()
                        .unwrap()
                        .push((job.expected_len.unwrap(), beside));
                    std::thread::sleep(std::time::Duration::from_millis(
                        5 * job.expected_len.unwrap(),
                    ));
                    Ok(Measured {
                        stored_bytes: 0,
                        disk_bytes: None,
                        files: None,
                        compression: Compression::Gzip,
                    })
                },
                |_| (),
            )
            .unwrap();
            let mut told = told.into_inner().unwrap();
            told.sort_unstable_by_key(|(len, _)| *len);
            told.into_iter()
                .map(|(_, beside)| beside)
                .collect::<Vec<_>>()
        };
        use Beside::{Busy, Free};
        // One layer: the second core is free; on one core it is not.
        assert_eq!(told(2, &[1]), vec![Free]);
        assert_eq!(told(1, &[1]), vec![Busy]);
        // As many layers as cores, or more: every core is busy when each starts.
        assert_eq!(told(2, &[1, 2]), vec![Busy, Busy]);
        assert_eq!(told(2, &[1, 2, 3]), vec![Busy, Busy, Busy]);
        // Fewer than the workers: each has one free.
        assert_eq!(told(4, &[1, 2, 3]), vec![Free, Free, Free]);
        // One worker, several layers: busy.
        assert_eq!(told(1, &[1, 2]), vec![Busy, Busy]);
    }

    #[test]
    fn layers_start_largest_first_and_come_back_in_job_order() {
        assert_eq!(largest_first(&[1, 5, 3, 9, 5], 5), vec![3, 1, 4, 2, 0]);
        let jobs = jobs_of(&[1, 5, 3, 9, 5]);
        let sizes: Vec<u64> = jobs.iter().map(|job| job.expected_len.unwrap()).collect();
        // One worker runs the jobs in job order; two take them largest first.
        let started = std::sync::Mutex::new(Vec::new());
        let measured = in_parallel_on(
            2,
            &jobs,
            &sizes,
            |job, _| -> Result<Measured, ()> {
                started.lock().unwrap().push(job.expected_len.unwrap());
                std::thread::sleep(std::time::Duration::from_millis(20));
                Ok(Measured {
                    stored_bytes: job.expected_len.unwrap(),
                    disk_bytes: None,
                    files: None,
                    compression: Compression::Gzip,
                })
            },
            |_| (),
        )
        .unwrap();
        let stored: Vec<u64> = measured.iter().map(|m| m.stored_bytes).collect();
        assert_eq!(stored, sizes);
        let started = started.into_inner().unwrap();
        let mut first_two = started[..2].to_vec();
        first_two.sort_unstable();
        assert_eq!(
            first_two,
            vec![5, 9],
            "the two largest start first: {started:?}"
        );
        assert_eq!(started[4], 1, "the smallest starts last: {started:?}");
    }

    #[test]
    fn gzip_and_zstd_are_sized_by_streaming() {
        let tar = tar_bytes();
        let gz = gzip(&tar);
        let zst = zstd::encode_all(&tar[..], 3).unwrap();
        for (blob, compression) in [
            (&gz, Compression::Gzip),
            (&zst, Compression::Zstd),
            (&tar, Compression::Uncompressed),
        ] {
            for declared in [compression, Compression::Unknown] {
                let measured = size(blob, declared, Some(VerifyOf::Stored), blob).unwrap();
                assert_eq!(measured.disk_bytes, Some(tar.len() as u64));
                assert_eq!(measured.compression, compression);
                let measured = size(blob, declared, Some(VerifyOf::Uncompressed), &tar).unwrap();
                assert_eq!(measured.disk_bytes, Some(tar.len() as u64));
            }
        }
    }

    #[test]
    fn entries_are_recorded_for_every_compression_in_the_sizing_pass() {
        let tar = tar_bytes();
        let gz = gzip(&tar);
        let zst = zstd::encode_all(&tar[..], 3).unwrap();
        for (blob, compression) in [
            (&gz, Compression::Gzip),
            (&zst, Compression::Zstd),
            (&tar, Compression::Uncompressed),
        ] {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("blob"), blob).unwrap();
            for verify in [None, Some(VerifyOf::Stored)] {
                let job = LayerJob {
                    name: "blob".into(),
                    digest: Digest::parse(&super::super::verify::sha256_of(blob)).unwrap(),
                    expected_len: Some(blob.len() as u64),
                    compression,
                    verify,
                    files: true,
                    layer: None,
                };
                let measured = measure(
                    &Store::dir(dir.path()),
                    &job,
                    None,
                    None,
                    Beside::Free,
                    None,
                )
                .unwrap();
                assert_eq!(measured.disk_bytes, Some(tar.len() as u64), "{compression}");
                let files = measured.files.expect("entries");
                assert_eq!(files.len(), 1);
                assert_eq!(files[0].path, "hello.txt");
                assert_eq!(files[0].size, 16_000);
                let streamed = measure_stream(&blob[..], &job, None).unwrap();
                assert_eq!(streamed.files.map(|f| f.len()), Some(1));
            }
        }
        // A compressed stream that is not a whole tar is an error, not a panic.
        let cut = gzip(&tar[..600]);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("blob"), &cut).unwrap();
        let job = LayerJob {
            name: "blob".into(),
            digest: Digest::parse(&super::super::verify::sha256_of(&cut)).unwrap(),
            expected_len: Some(cut.len() as u64),
            compression: Compression::Gzip,
            verify: None,
            files: true,
            layer: None,
        };
        assert!(
            measure(
                &Store::dir(dir.path()),
                &job,
                None,
                None,
                Beside::Free,
                None
            )
            .is_err()
        );
        // --max-read still counts what the walk decompresses.
        let limit = ReadLimit::new(1000);
        let job = LayerJob {
            name: "blob".into(),
            digest: Digest::parse(&super::super::verify::sha256_of(&gz)).unwrap(),
            expected_len: Some(gz.len() as u64),
            compression: Compression::Gzip,
            verify: None,
            files: true,
            layer: None,
        };
        std::fs::write(dir.path().join("blob"), &gz).unwrap();
        let error = measure(
            &Store::dir(dir.path()),
            &job,
            None,
            Some(&limit),
            Beside::Free,
            None,
        )
        .unwrap_err();
        assert!(matches!(error, Problem::ReadLimit { .. }), "{error}");
    }

    /// A gzip layer of many files of every size, bigger than several pipeline chunks.
    fn many_files_tar() -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for i in 0..400usize {
            let content =
                gunzip_content(i * 997 % 20_000 + if i % 50 == 0 { 300_000 } else { 0 }, i);
            let mut header = tar::Header::new_gnu();
            header.set_size(content.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            let name = format!("dir{}/{}file-{i}", i % 7, "long-".repeat(i % 30));
            builder
                .append_data(&mut header, &name, &content[..])
                .unwrap();
        }
        builder.into_inner().unwrap()
    }

    fn gunzip_content(bytes: usize, seed: usize) -> Vec<u8> {
        (0..bytes)
            .map(|i| ((i * 31 + seed) % 251) as u8 ^ ((i / 7) as u8))
            .collect()
    }

    /// Sizes `blob` as a stored gzip layer (the pipeline) and as a stream read through flate2's
    /// `MultiGzDecoder` (the oracle): the same figures, entries and errors.
    fn pipeline_and_oracle(
        blob: &[u8],
        files: bool,
        verify: Option<VerifyOf>,
        digest_of: &[u8],
        limit: Option<u64>,
    ) -> (Result<Measured, String>, Result<Measured, String>) {
        let (dir, job) = stored(blob, Compression::Gzip, verify, digest_of, files);
        let sized = |beside| {
            let limit = limit.map(ReadLimit::new);
            measure(
                &Store::dir(dir.path()),
                &job,
                None,
                limit.as_ref(),
                beside,
                None,
            )
            .map_err(|e| e.to_string())
        };
        let piped = sized(Beside::Busy);
        assert_eq!(piped, sized(Beside::Free), "with a core free and without");
        let oracle = measure_read(
            blob,
            blob.len() as u64,
            Compression::Gzip,
            &job,
            limit.map(ReadLimit::new).as_ref(),
        )
        .map(|(disk_bytes, files)| Measured {
            stored_bytes: blob.len() as u64,
            disk_bytes,
            files,
            compression: Compression::Gzip,
        });
        (piped, oracle.map_err(|e| e.to_string()))
    }

    #[test]
    fn the_gzip_pipeline_gives_the_figures_entries_and_errors_of_flate2() {
        let tar = many_files_tar();
        let gz = gzip(&tar);
        assert!(gz.len() > 3 * super::gunzip::CHUNK, "{}", gz.len());
        for files in [false, true] {
            for verify in [None, Some(VerifyOf::Stored), Some(VerifyOf::Uncompressed)] {
                let digest_of = if verify == Some(VerifyOf::Uncompressed) {
                    &tar
                } else {
                    &gz
                };
                let (piped, oracle) = pipeline_and_oracle(&gz, files, verify, digest_of, None);
                assert_eq!(piped, oracle, "files {files}, verify {verify:?}");
                let measured = piped.unwrap();
                assert_eq!(measured.disk_bytes, Some(tar.len() as u64));
                if files {
                    assert_eq!(measured.files.as_ref().map(Vec::len), Some(400));
                }
                // Another digest.
                let (piped, oracle) = pipeline_and_oracle(&gz, files, verify, b"other", None);
                if verify.is_some() {
                    assert!(
                        piped
                            .as_ref()
                            .unwrap_err()
                            .contains("the content's digest is")
                    );
                }
                assert_eq!(piped, oracle);
            }
            // Over --max-read (by one byte), and exactly at it.
            let over = tar.len() as u64 - 1;
            let (piped, oracle) = pipeline_and_oracle(&gz, files, None, &gz, Some(over));
            assert_eq!(piped, oracle);
            assert_eq!(
                piped.unwrap_err(),
                Problem::ReadLimit { limit: over }.to_string()
            );
            let at = tar.len() as u64;
            let (piped, oracle) = pipeline_and_oracle(&gz, files, None, &gz, Some(at));
            assert!(piped.is_ok());
            assert_eq!(piped, oracle);
            // A limit passed long before the data goes bad is the limit, not the damage.
            let mut bad_end = gz.clone();
            let last = bad_end.len() - 5;
            bad_end[last] ^= 0xff;
            let (piped, oracle) = pipeline_and_oracle(&bad_end, files, None, &gz, Some(10_000));
            assert_eq!(piped, oracle);
            assert_eq!(
                piped.unwrap_err(),
                Problem::ReadLimit { limit: 10_000 }.to_string()
            );
        }
        // Damaged layers: cut short (in the deflate data, the trailer) or corrupt.
        let cut_data = &gz[..gz.len() / 2];
        let cut_trailer = &gz[..gz.len() - 3];
        let mut flipped = gz.clone();
        flipped[gz.len() / 3] ^= 0x55;
        let mut bad_crc = gz.clone();
        let at = gz.len() - 6;
        bad_crc[at] ^= 1;
        for (blob, message) in [
            (cut_data, "incomplete deflate stream"),
            (cut_trailer, "unexpected end of file"),
            (&flipped[..], ""),
            (&bad_crc[..], "does not have a matching checksum"),
        ] {
            let (piped, oracle) = pipeline_and_oracle(blob, false, None, blob, None);
            let error = piped.unwrap_err();
            assert_eq!(Err(error.clone()), oracle);
            assert!(
                error.contains("cannot decompress the gzip data") && error.contains(message),
                "{error}"
            );
            // Walking the entries, the error is found on the way (where, in the walk, depends
            // on how the stream is cut into buffers) or after it.
            let (piped, oracle) = pipeline_and_oracle(blob, true, None, blob, None);
            let (error, expected) = (piped.unwrap_err(), oracle.unwrap_err());
            let without_offset = |text: &str| {
                text.chars()
                    .filter(|c| !c.is_ascii_digit())
                    .collect::<String>()
            };
            assert!(error.contains(message), "{error}");
            if !error.contains("tar") {
                assert_eq!(without_offset(&error), without_offset(&expected));
            }
        }
    }

    #[test]
    fn streams_are_sized_as_stored_blobs_are() {
        let tar = tar_bytes();
        let gz = gzip(&tar);
        let zst = zstd::encode_all(&tar[..], 3).unwrap();
        for (blob, compression) in [
            (&gz, Compression::Gzip),
            (&zst, Compression::Zstd),
            (&tar, Compression::Uncompressed),
        ] {
            let job = LayerJob {
                name: "stream".into(),
                digest: Digest::parse(&super::super::verify::sha256_of(blob)).unwrap(),
                expected_len: Some(blob.len() as u64),
                compression: Compression::Unknown,
                verify: Some(VerifyOf::Stored),
                files: false,
                layer: None,
            };
            let measured = measure_stream(&blob[..], &job, None).unwrap();
            assert_eq!(measured.disk_bytes, Some(tar.len() as u64));
            assert_eq!(measured.stored_bytes, blob.len() as u64);
            assert_eq!(measured.compression, compression);
            // A download shorter or longer than its descriptor, or with other content, fails.
            let short = LayerJob {
                verify: None,
                ..job.clone()
            };
            assert!(measure_stream(&blob[..blob.len() - 1], &short, None).is_err());
            let mut longer = blob.clone();
            longer.push(0);
            assert!(measure_stream(&longer[..], &short, None).is_err());
            let mut corrupt = blob.clone();
            let last = corrupt.len() - 1;
            corrupt[last] ^= 1;
            assert!(measure_stream(&corrupt[..], &job, None).is_err());
        }
    }

    #[test]
    fn endless_streams_stop_one_byte_past_their_declared_size() {
        /// Counts what is taken from an endless source.
        struct Endless<'a> {
            pattern: &'a [u8],
            given: u64,
        }
        impl Read for Endless<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(self.pattern.len());
                let start = (self.given % self.pattern.len() as u64) as usize;
                for (i, byte) in buf[..n].iter_mut().enumerate() {
                    *byte = self.pattern[(start + i) % self.pattern.len()];
                }
                self.given += n as u64;
                Ok(n)
            }
        }
        let tar = tar_bytes();
        let gz = gzip(&tar);
        for (blob, compression) in [
            (&gz, Compression::Gzip),
            (&tar, Compression::Uncompressed),
            (&tar, Compression::Unknown),
        ] {
            for verify in [None, Some(VerifyOf::Stored)] {
                let job = LayerJob {
                    name: "stream".into(),
                    digest: Digest::parse(&super::super::verify::sha256_of(blob)).unwrap(),
                    expected_len: Some(blob.len() as u64),
                    compression,
                    verify,
                    files: false,
                    layer: None,
                };
                let mut endless = Endless {
                    pattern: blob,
                    given: 0,
                };
                let error = measure_stream(&mut endless, &job, None).unwrap_err();
                assert!(
                    matches!(error, Problem::TooLong { expected, .. } if expected == blob.len() as u64),
                    "{compression} {verify:?}: {error}"
                );
                assert!(
                    endless.given <= blob.len() as u64 + 1,
                    "{compression}: read {} bytes of a {}-byte blob",
                    endless.given,
                    blob.len()
                );
            }
        }
    }

    #[test]
    fn max_read_counts_uncompressed_streams() {
        let tar = tar_bytes();
        let job = LayerJob {
            name: "stream".into(),
            digest: Digest::parse(&super::super::verify::sha256_of(&tar)).unwrap(),
            expected_len: Some(tar.len() as u64),
            compression: Compression::Uncompressed,
            verify: None,
            files: false,
            layer: None,
        };
        let limit = ReadLimit::new(tar.len() as u64 - 1);
        let error = measure_stream(&tar[..], &job, Some(&limit)).unwrap_err();
        assert!(matches!(error, Problem::ReadLimit { .. }), "{error}");
        let limit = ReadLimit::new(tar.len() as u64);
        assert!(measure_stream(&tar[..], &job, Some(&limit)).is_ok());
    }

    #[test]
    fn truncated_or_garbage_streams_are_errors() {
        let tar = tar_bytes();
        let gz = gzip(&tar);
        let zst = zstd::encode_all(&tar[..], 3).unwrap();
        let err = size(&gz[..gz.len() - 10], Compression::Gzip, None, b"").unwrap_err();
        assert!(
            err.to_string().contains("cannot decompress the gzip data"),
            "{err}"
        );
        let err = size(&zst[..zst.len() / 2], Compression::Zstd, None, b"").unwrap_err();
        assert!(
            err.to_string().contains("cannot decompress the zstd data"),
            "{err}"
        );
        let mut bad_zstd = zst.clone();
        for byte in bad_zstd.iter_mut().skip(8) {
            *byte = 0x55;
        }
        assert!(size(&bad_zstd, Compression::Zstd, None, b"").is_err());
        let err = size(&gz, Compression::Uncompressed, None, b"").unwrap_err();
        assert!(
            err.to_string()
                .contains("says uncompressed but the content is gzip"),
            "{err}"
        );
        let err = size(&gz, Compression::Gzip, Some(VerifyOf::Stored), b"other").unwrap_err();
        assert!(err.to_string().contains("the content's digest is"), "{err}");
    }

    #[test]
    fn verifying_hashes_ahead_on_another_thread_over_many_chunks() {
        // Several megabytes: more chunks than the channel holds, so the reader waits on the
        // decoder; the digest is still that of every stored byte.
        let content: Vec<u8> = (0..6_000_000u32).map(|i| (i % 251) as u8).collect();
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_ustar();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, "big.bin", &content[..])
            .unwrap();
        let tar = builder.into_inner().unwrap();
        let gz = gzip(&tar);
        let zst = zstd::encode_all(&tar[..], 1).unwrap();
        for (blob, compression) in [(&gz, Compression::Gzip), (&zst, Compression::Zstd)] {
            let measured = size(blob, compression, Some(VerifyOf::Stored), blob).unwrap();
            assert_eq!(measured.disk_bytes, Some(tar.len() as u64));
            let err = size(blob, compression, Some(VerifyOf::Stored), &tar).unwrap_err();
            assert!(err.to_string().contains("the content's digest is"), "{err}");
            // Cut short: the decoder's error, not a digest mismatch.
            let cut = &blob[..blob.len() - 100];
            let err = size(cut, compression, Some(VerifyOf::Stored), cut).unwrap_err();
            assert!(err.to_string().contains("cannot decompress"), "{err}");
        }
    }

    #[test]
    fn encrypted_and_unknown_layers_have_no_disk_size() {
        let blob = b"{\"not\": \"a layer\"}";
        assert_eq!(
            size(blob, Compression::Unknown, None, b"")
                .unwrap()
                .disk_bytes,
            None
        );
        assert_eq!(
            size(blob, Compression::Encrypted, Some(VerifyOf::Stored), blob)
                .unwrap()
                .disk_bytes,
            None
        );
    }
}
