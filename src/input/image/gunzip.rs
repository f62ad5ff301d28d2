//! A gzip layer of a stored blob, inflated on a pipeline of three threads so that the wall time
//! is the inflate time alone, not inflate + read + check + walk:
//!
//! 1. a reader reads the blob in [`CHUNK`]-byte chunks (reporting progress, and hashing them when
//!    the stored digest is verified);
//! 2. an inflater parses the gzip framing (every member of a multi-member file) and inflates the
//!    raw deflate data with zlib-rs straight from those chunks into [`CHUNK`]-byte output buffers;
//! 3. the calling thread takes the output buffers in order: checks each member's CRC-32 and
//!    length against its trailer, counts the bytes against `--max-read`, hashes them when the
//!    uncompressed digest is verified, and walks the tar headers when the entries are asked for
//!    (showing each entry to the caller's watch, if any), stepping past file contents inside the
//!    buffers without copying them.
//!
//! When only the size is asked for (no entries, no uncompressed digest), the third thread has
//! only the CRC and the count to do. With a core free beside the layer ([`Beside::Free`]: no
//! other layer is waiting for one, and the reader is not hashing) that thread still takes them
//! off the inflating core: a lone 512 MiB layer is sized 4–6% faster. When every core is busy
//! with other layers, handing every inflated byte to another core costs more than it saves: the
//! calling thread inflates, and checks each 256 KiB of output while it is still in its cache
//! ([`Direct`]); the reader still runs beside it. For the same reason, when the entries (or the
//! uncompressed digest) are wanted and no core is free, the inflater checks the CRC of each
//! output buffer before handing it over, and the calling thread only walks (and hashes) it.
//!
//! Memory is bounded: at most [`AHEAD`] chunks wait between two threads, and chunks are handed
//! back for reuse, so a layer holds at most `2 × (AHEAD + 3)` chunks (12 MiB) whatever its size.
//! Chunks of 1 MiB keep the hand-overs between threads (a futex wake-up each) to about 2,000
//! per GiB; zlib-rs inflates as fast into 256 KiB as into 4 MiB.
//!
//! The framing, and every error message, are those of flate2's `MultiGzDecoder` (which
//! [`super::sizing`] still uses for registry downloads): a member's header (`invalid gzip header`,
//! `gzip header field too long`, a header CRC), `incomplete deflate stream`, `corrupt deflate
//! stream`, `corrupt gzip stream does not have a matching checksum`, and after a member either
//! the end of the blob or another member. Its tests compare the two on damaged blobs.

use std::io::{self, Read};
use std::mem;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread;

use flate2::{Crc, Decompress, FlushDecompress, Status};

use super::limit::ReadLimit;
use super::tar_headers::{self, TarSource};
use super::verify::Hasher;
use crate::model::files::{EntryWatch, FileEntry};

/// Bytes per chunk, read and inflated alike.
pub(crate) const CHUNK: usize = 1024 * 1024;

/// Chunks in flight between two threads.
pub(crate) const AHEAD: usize = 3;

/// What the other cores do while a layer is inflated: see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Beside {
    /// Other layers keep every other core busy.
    Busy,
    /// A core is free for as long as this layer is inflated.
    Free,
}

/// What inflating a gzip blob found.
pub(crate) struct Inflated {
    /// The bytes it inflates to.
    pub disk_bytes: u64,
    /// Its tar entries, when asked for.
    pub files: Option<Vec<FileEntry>>,
    /// The hash of the uncompressed bytes, when one was given.
    pub tar_hasher: Option<Hasher>,
}

/// Why inflating a gzip blob failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// More than `--max-read` of layer content (the limit).
    Limit(u64),
    /// Reading or decompressing the blob failed (flate2's messages).
    Decompress(io::Error),
    /// The walk of the tar headers failed (its message).
    Walk(String),
}

/// Inflates the gzip blob `reader` reads, on three threads (see the module docs): the stored
/// bytes go through `stored_hasher`, the inflated bytes through `tar_hasher`, `limit` and, with
/// `files`, the tar walk, which shows each entry to `watch` (ended once the layer was read
/// whole); `beside` decides where only a size is checked. Returns the result and the stored hasher (which has seen every byte read
/// before the result was decided; an error if its thread panicked, a bug).
pub(crate) fn inflate(
    reader: impl Read + Send,
    stored_hasher: Option<Hasher>,
    tar_hasher: Option<Hasher>,
    files: bool,
    limit: Option<&ReadLimit>,
    beside: Beside,
    watch: Option<Box<dyn EntryWatch>>,
) -> (Result<Inflated, Failure>, thread::Result<Option<Hasher>>) {
    // A free core takes the check unless the reader is hashing the stored bytes on it.
    let handed_over = beside == Beside::Free && stored_hasher.is_none();
    thread::scope(|scope| {
        let ((chunks, reading), chunk_back) = read_ahead(scope, reader, stored_hasher);
        if !files && tar_hasher.is_none() && !handed_over {
            // Only the count and the CRC are wanted: inflated and checked on this thread.
            let mut input = Input::new(chunks, chunk_back);
            let mut sink = Direct {
                spare: Vec::new(),
                crc: Crc::new(),
                count: 0,
                limit,
                outcome: None,
            };
            inflate_members(&mut input, &mut sink);
            // Closing the channels stops the reader if it is still going.
            drop(input);
            let result = sink
                .outcome
                .unwrap_or_else(|| {
                    Err(Failure::Decompress(io::Error::other(
                        "internal error: the inflater stopped",
                    )))
                })
                .map(|disk_bytes| Inflated {
                    disk_bytes,
                    files: None,
                    tar_hasher: None,
                });
            return (result, reading.join());
        }
        let (pieces_in, pieces) = mpsc::sync_channel::<Piece>(AHEAD);
        let (piece_back, pieces_back) = mpsc::channel::<Vec<u8>>();
        // Without a free core the inflater checks its own output while it is in its cache, and
        // only the tar walk and the hashes read it on the calling thread.
        let checked_here = !handed_over;
        let inflating = scope.spawn(move || {
            let mut input = Input::new(chunks, chunk_back);
            let mut sink = Piped {
                pieces: &pieces_in,
                returned: &pieces_back,
                crc: checked_here.then(Crc::new),
            };
            inflate_members(&mut input, &mut sink);
        });
        let mut stream = Stream {
            pieces,
            give_back: piece_back,
            current: Vec::new(),
            len: 0,
            at: 0,
            ended: false,
            crc: (!checked_here).then(Crc::new),
            count: 0,
            limit,
            tar_hasher,
            exceeded: None,
        };
        let result = consume(&mut stream, files, watch);
        let tar_hasher = stream.tar_hasher.take();
        // Closing the channels stops the inflater and the reader if they are still going.
        drop(stream);
        // A thread that panicked (a bug) has already ended the stream with an error.
        let _ = inflating.join();
        let stored_hasher = reading.join();
        let result = result.map(|(disk_bytes, files)| Inflated {
            disk_bytes,
            files,
            tar_hasher,
        });
        (result, stored_hasher)
    })
}

/// Walks the tar (with `files`, each entry shown to `watch`) and reads the rest; the bytes
/// inflated and the entries.
fn consume(
    stream: &mut Stream,
    files: bool,
    mut watch: Option<Box<dyn EntryWatch>>,
) -> Result<(u64, Option<Vec<FileEntry>>), Failure> {
    let mut entries = Vec::new();
    if files {
        let mut record = |entry: FileEntry| {
            if let Some(watch) = watch.as_mut() {
                watch.entry(&entry);
            }
            entries.push(entry);
        };
        let walked = tar_headers::walk_entries(stream, None, Some(&mut record));
        if let Err(message) = walked {
            return Err(match stream.exceeded {
                Some(limit) => Failure::Limit(limit),
                None => Failure::Walk(message),
            });
        }
    }
    loop {
        match stream.advance() {
            Ok(true) => stream.at = stream.len,
            Ok(false) => break,
            Err(e) => {
                return Err(match stream.exceeded {
                    Some(limit) => Failure::Limit(limit),
                    None => Failure::Decompress(e),
                });
            }
        }
    }
    if let Some(watch) = watch.filter(|_| files) {
        watch.end();
    }
    Ok((stream.count, files.then_some(entries)))
}

/// The stored chunks coming from the reading thread, and its handle (which gives the stored
/// hasher back).
type Chunks<'scope> = (
    Receiver<io::Result<Vec<u8>>>,
    thread::ScopedJoinHandle<'scope, Option<Hasher>>,
);

/// Starts a thread that reads `reader` in [`CHUNK`]-byte chunks, hashes each with `hasher` and
/// sends it on (at most [`AHEAD`] waiting); an empty chunk is the end, an error stops it, and so
/// does the receiver going away. Chunks sent back are reused.
pub(crate) fn read_ahead<'scope>(
    scope: &'scope thread::Scope<'scope, '_>,
    mut reader: impl Read + Send + 'scope,
    mut hasher: Option<Hasher>,
) -> (Chunks<'scope>, Sender<Vec<u8>>) {
    let (full, chunks) = mpsc::sync_channel::<io::Result<Vec<u8>>>(AHEAD);
    let (give_back, returned) = mpsc::channel::<Vec<u8>>();
    let reading = scope.spawn(move || {
        loop {
            let mut buffer = match returned.try_recv() {
                Ok(mut buffer) => {
                    buffer.resize(CHUNK, 0);
                    buffer
                }
                Err(_) => vec![0u8; CHUNK],
            };
            let read = match read_full(&mut reader, &mut buffer) {
                Ok(read) => read,
                Err(e) => {
                    let _ = full.send(Err(e));
                    break;
                }
            };
            buffer.truncate(read);
            if let Some(hasher) = hasher.as_mut() {
                hasher.update(&buffer);
            }
            // The receiver stopped (an error): nothing more to read.
            if full.send(Ok(buffer)).is_err() || read == 0 {
                break;
            }
        }
        hasher
    });
    ((chunks, reading), give_back)
}

/// Reads until `buffer` is full or the reader ends; the bytes read.
pub(crate) fn read_full(reader: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// What the inflater sends, in stream order.
enum Piece {
    /// Inflated bytes: the first `.1` of the buffer.
    Data(Vec<u8>, usize),
    /// A member ended; its trailer's CRC-32 and length (mod 2^32).
    MemberEnd { crc: u32, len: u32 },
    /// Reading or inflating failed here.
    Failed(io::Error),
    /// The blob ended after a whole member.
    End,
}

/// The inflater's input: the stored chunks, read in place.
struct Input {
    chunks: Receiver<io::Result<Vec<u8>>>,
    give_back: Sender<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
    ended: bool,
}

impl Input {
    fn new(chunks: Receiver<io::Result<Vec<u8>>>, give_back: Sender<Vec<u8>>) -> Input {
        Input {
            chunks,
            give_back,
            current: Vec::new(),
            at: 0,
            ended: false,
        }
    }

    /// The unread bytes of the current chunk, the next chunk once it is used up; empty at the end.
    fn fill(&mut self) -> io::Result<&[u8]> {
        while self.at == self.current.len() && !self.ended {
            match self.chunks.recv() {
                Ok(Ok(next)) => {
                    self.ended = next.is_empty();
                    let done = mem::replace(&mut self.current, next);
                    let _ = self.give_back.send(done);
                    self.at = 0;
                }
                Ok(Err(e)) => return Err(e),
                // The reader stopped without an end (it panicked: a bug).
                Err(_) => return Err(io::Error::other("internal error: the reader stopped")),
            }
        }
        Ok(&self.current[self.at..])
    }

    /// Reads `buffer` whole (flate2's error when the blob ends first).
    fn read_exact(&mut self, buffer: &mut [u8]) -> io::Result<()> {
        let mut filled = 0;
        while filled < buffer.len() {
            let available = self.fill()?;
            if available.is_empty() {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            let n = available.len().min(buffer.len() - filled);
            buffer[filled..filled + n].copy_from_slice(&available[..n]);
            filled += n;
            self.at += n;
        }
        Ok(())
    }

    fn byte(&mut self) -> io::Result<u8> {
        let mut byte = [0u8; 1];
        self.read_exact(&mut byte)?;
        Ok(byte[0])
    }
}

const FHCRC: u8 = 1 << 1;
const FEXTRA: u8 = 1 << 2;
const FNAME: u8 = 1 << 3;
const FCOMMENT: u8 = 1 << 4;
const FRESERVED: u8 = 1 << 5 | 1 << 6 | 1 << 7;
/// The longest file name or comment in a gzip header (flate2's limit).
const MAX_HEADER_FIELD: usize = 65535;

fn bad_header() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "invalid gzip header")
}

fn corrupt() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "corrupt gzip stream does not have a matching checksum",
    )
}

/// Reads a member's header (RFC 1952), as flate2 does.
fn read_header(input: &mut Input) -> io::Result<()> {
    let mut fixed = [0u8; 10];
    input.read_exact(&mut fixed)?;
    let flags = fixed[3];
    if fixed[0] != 0x1f || fixed[1] != 0x8b || fixed[2] != 8 || flags & FRESERVED != 0 {
        return Err(bad_header());
    }
    let mut crc = (flags & FHCRC != 0).then(Crc::new);
    let mut seen = |bytes: &[u8]| {
        if let Some(crc) = crc.as_mut() {
            crc.update(bytes);
        }
    };
    seen(&fixed);
    if flags & FEXTRA != 0 {
        let mut xlen = [0u8; 2];
        input.read_exact(&mut xlen)?;
        seen(&xlen);
        let mut extra = vec![0u8; usize::from(u16::from_le_bytes(xlen))];
        input.read_exact(&mut extra)?;
        seen(&extra);
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let mut field = Vec::new();
            loop {
                match input.byte()? {
                    0 => break,
                    _ if field.len() == MAX_HEADER_FIELD => {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidInput,
                            "gzip header field too long",
                        ));
                    }
                    byte => field.push(byte),
                }
            }
            field.push(0);
            seen(&field);
        }
    }
    if let Some(crc) = crc {
        let mut stored = [0u8; 2];
        input.read_exact(&mut stored)?;
        if u16::from_le_bytes(stored) != crc.sum() as u16 {
            return Err(corrupt());
        }
    }
    Ok(())
}

/// Where the inflater's output goes: to the calling thread ([`Piped`]), or checked where it is
/// made ([`Direct`]).
trait Sink {
    /// A buffer to inflate into.
    fn buffer(&mut self) -> Vec<u8>;
    /// The first `len` bytes of `buffer` are inflated; `false` stops the inflater.
    fn take(&mut self, buffer: Vec<u8>, len: usize) -> bool;
    /// A member ended with this trailer (CRC-32, length mod 2^32); `false` stops the inflater.
    fn member_end(&mut self, crc: u32, len: u32) -> bool;
    /// Reading or inflating failed here.
    fn failed(&mut self, error: io::Error);
    /// The blob ended after a whole member.
    fn end(&mut self);
}

/// Pieces sent in order to the calling thread, buffers coming back for reuse.
struct Piped<'a> {
    pieces: &'a SyncSender<Piece>,
    returned: &'a Receiver<Vec<u8>>,
    /// The current member's CRC-32 and length, when they are checked here rather than by the
    /// calling thread (every core busy: see the module docs).
    crc: Option<Crc>,
}

impl Sink for Piped<'_> {
    fn buffer(&mut self) -> Vec<u8> {
        let mut out = self
            .returned
            .try_recv()
            .unwrap_or_else(|_| vec![0u8; CHUNK]);
        if out.len() < CHUNK {
            out.resize(CHUNK, 0);
        }
        out
    }

    fn take(&mut self, buffer: Vec<u8>, len: usize) -> bool {
        if let Some(crc) = self.crc.as_mut() {
            crc.update(&buffer[..len]);
        }
        self.pieces.send(Piece::Data(buffer, len)).is_ok()
    }

    fn member_end(&mut self, crc: u32, len: u32) -> bool {
        let Some(checked) = self.crc.as_mut() else {
            return self.pieces.send(Piece::MemberEnd { crc, len }).is_ok();
        };
        // In order after the member's data, where the calling thread would have failed.
        if crc != checked.sum() || len != checked.amount() {
            let _ = self.pieces.send(Piece::Failed(corrupt()));
            return false;
        }
        checked.reset();
        true
    }

    fn failed(&mut self, error: io::Error) {
        let _ = self.pieces.send(Piece::Failed(error));
    }

    fn end(&mut self) {
        let _ = self.pieces.send(Piece::End);
    }
}

/// Bytes per output buffer when the inflater checks its own output: small enough to stay in the
/// core's cache between inflating and the CRC.
const DIRECT_CHUNK: usize = 256 * 1024;

/// The output checked (CRC-32), counted and limited on the inflating thread itself, in one
/// reused buffer: when nothing else needs the bytes, handing them to another core costs more
/// than checking them here.
struct Direct<'a> {
    spare: Vec<u8>,
    crc: Crc,
    count: u64,
    limit: Option<&'a ReadLimit>,
    outcome: Option<Result<u64, Failure>>,
}

impl Sink for Direct<'_> {
    fn buffer(&mut self) -> Vec<u8> {
        let out = mem::take(&mut self.spare);
        if out.is_empty() {
            vec![0u8; DIRECT_CHUNK]
        } else {
            out
        }
    }

    fn take(&mut self, buffer: Vec<u8>, len: usize) -> bool {
        if let Some(limit) = self.limit
            && let Err(exceeded) = limit.consume(len as u64)
        {
            self.outcome = Some(Err(Failure::Limit(exceeded.0)));
            return false;
        }
        self.count += len as u64;
        self.crc.update(&buffer[..len]);
        self.spare = buffer;
        true
    }

    fn member_end(&mut self, crc: u32, len: u32) -> bool {
        if crc != self.crc.sum() || len != self.crc.amount() {
            self.outcome = Some(Err(Failure::Decompress(corrupt())));
            return false;
        }
        self.crc.reset();
        true
    }

    fn failed(&mut self, error: io::Error) {
        self.outcome = Some(Err(Failure::Decompress(error)));
    }

    fn end(&mut self) {
        self.outcome = Some(Ok(self.count));
    }
}

/// Inflates every member of the blob into `sink`, in order, until the end, an error, or the
/// sink stopping it.
fn inflate_members(input: &mut Input, sink: &mut impl Sink) {
    let mut inflater = Decompress::new(false);
    loop {
        if let Err(e) = read_header(input) {
            sink.failed(e);
            return;
        }
        inflater.reset(false);
        if !inflate_body(input, &mut inflater, sink) {
            return;
        }
        let mut trailer = [0u8; 8];
        if let Err(e) = input.read_exact(&mut trailer) {
            sink.failed(e);
            return;
        }
        let [c0, c1, c2, c3, l0, l1, l2, l3] = trailer;
        let crc = u32::from_le_bytes([c0, c1, c2, c3]);
        if !sink.member_end(crc, u32::from_le_bytes([l0, l1, l2, l3])) {
            return;
        }
        // The end of the blob, or another member.
        match input.fill().map(<[u8]>::is_empty) {
            Ok(false) => {}
            Ok(true) => {
                sink.end();
                return;
            }
            Err(e) => {
                sink.failed(e);
                return;
            }
        }
    }
}

/// Inflates one member's deflate data; `true` when it ended cleanly (its trailer is next).
fn inflate_body(input: &mut Input, inflater: &mut Decompress, sink: &mut impl Sink) -> bool {
    loop {
        let mut out = sink.buffer();
        let mut filled = 0;
        let (ended, failure) = loop {
            let available = match input.fill() {
                Ok(available) => available,
                Err(e) => break (false, Some(e)),
            };
            let eof = available.is_empty();
            let (before_in, before_out) = (inflater.total_in(), inflater.total_out());
            let flush = if eof {
                FlushDecompress::Finish
            } else {
                FlushDecompress::None
            };
            let status = inflater.decompress(available, &mut out[filled..], flush);
            let consumed = (inflater.total_in() - before_in) as usize;
            let produced = (inflater.total_out() - before_out) as usize;
            input.at += consumed;
            // As flate2 does: what a failing call produced is dropped, and a call at the end of
            // the input that produces nothing means the stream was cut short.
            match status {
                Err(_) => {
                    break (
                        false,
                        Some(io::Error::new(
                            io::ErrorKind::InvalidInput,
                            "corrupt deflate stream",
                        )),
                    );
                }
                Ok(Status::StreamEnd) => {
                    filled += produced;
                    break (true, None);
                }
                Ok(_) if produced == 0 && eof => {
                    break (
                        false,
                        Some(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "incomplete deflate stream",
                        )),
                    );
                }
                Ok(_) => {
                    filled += produced;
                    if filled == out.len() {
                        break (false, None);
                    }
                }
            }
        };
        if filled > 0 && !sink.take(out, filled) {
            return false;
        }
        if let Some(e) = failure {
            sink.failed(e);
            return false;
        }
        if ended {
            return true;
        }
    }
}

/// The inflated bytes, taken in order by the calling thread: checked, counted and hashed piece
/// by piece, and read by the tar walk in place.
struct Stream<'a> {
    pieces: Receiver<Piece>,
    give_back: Sender<Vec<u8>>,
    current: Vec<u8>,
    /// The inflated bytes of `current`.
    len: usize,
    at: usize,
    ended: bool,
    /// Of the current member; `None` when the inflater checks it.
    crc: Option<Crc>,
    count: u64,
    limit: Option<&'a ReadLimit>,
    tar_hasher: Option<Hasher>,
    /// The `--max-read` limit, once passed.
    exceeded: Option<u64>,
}

impl Stream<'_> {
    /// Moves to the next piece of data: `false` at the end.
    fn advance(&mut self) -> io::Result<bool> {
        while !self.ended {
            let piece = self.pieces.recv().unwrap_or_else(|_| {
                Piece::Failed(io::Error::other("internal error: the inflater stopped"))
            });
            match piece {
                Piece::Data(bytes, len) => {
                    if let Some(limit) = self.limit
                        && let Err(exceeded) = limit.consume(len as u64)
                    {
                        self.exceeded = Some(exceeded.0);
                        self.ended = true;
                        return Err(io::Error::other(exceeded));
                    }
                    self.count += len as u64;
                    if let Some(crc) = self.crc.as_mut() {
                        crc.update(&bytes[..len]);
                    }
                    if let Some(hasher) = self.tar_hasher.as_mut() {
                        hasher.update(&bytes[..len]);
                    }
                    let done = mem::replace(&mut self.current, bytes);
                    let _ = self.give_back.send(done);
                    self.len = len;
                    self.at = 0;
                    return Ok(true);
                }
                Piece::MemberEnd { crc, len } => {
                    // Sent only when this thread checks the members.
                    if let Some(checked) = self.crc.as_mut() {
                        if crc != checked.sum() || len != checked.amount() {
                            self.ended = true;
                            return Err(corrupt());
                        }
                        checked.reset();
                    }
                }
                Piece::Failed(e) => {
                    self.ended = true;
                    return Err(e);
                }
                Piece::End => self.ended = true,
            }
        }
        Ok(false)
    }

    /// Copies into `block` up to its length; the bytes copied (fewer only at the end).
    fn copy(&mut self, block: &mut [u8]) -> io::Result<usize> {
        let mut filled = 0;
        while filled < block.len() {
            if self.at == self.len && !self.advance()? {
                break;
            }
            let n = (self.len - self.at).min(block.len() - filled);
            block[filled..filled + n].copy_from_slice(&self.current[self.at..self.at + n]);
            filled += n;
            self.at += n;
        }
        Ok(filled)
    }

    /// Steps past up to `bytes`; the bytes passed (fewer only at the end).
    fn pass(&mut self, bytes: u64) -> io::Result<u64> {
        let mut passed = 0u64;
        while passed < bytes {
            if self.at == self.len && !self.advance()? {
                break;
            }
            let n = usize::try_from(bytes - passed)
                .map_or(self.len - self.at, |left| left.min(self.len - self.at));
            self.at += n;
            passed += n as u64;
        }
        Ok(passed)
    }
}

/// The walk reads the inflated stream as [`tar_headers::ReadThrough`] reads any reader (same
/// errors), but steps past contents instead of copying them.
impl TarSource for Stream<'_> {
    fn read_block(&mut self, block: &mut [u8; 512]) -> io::Result<()> {
        if self.copy(block)? < block.len() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "failed to fill whole buffer",
            ));
        }
        Ok(())
    }

    fn skip(&mut self, bytes: u64) -> io::Result<()> {
        if self.pass(bytes)? < bytes {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }

    fn read_header(&mut self, block: &mut [u8; 512]) -> io::Result<bool> {
        match self.copy(block)? {
            0 => Ok(false),
            512 => Ok(true),
            _ => Err(io::ErrorKind::UnexpectedEof.into()),
        }
    }

    fn skip_padding(&mut self, bytes: u64) -> io::Result<()> {
        self.pass(bytes).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// `bytes` pseudo-random but compressible bytes (text with random runs).
    pub(crate) fn content(bytes: usize, seed: u32) -> Vec<u8> {
        let mut state = seed.wrapping_mul(2_654_435_761).max(1);
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        };
        let words: Vec<Vec<u8>> = (0..64)
            .map(|i| format!("word{i} ").repeat((i % 5) + 1).into_bytes())
            .collect();
        let mut out = Vec::with_capacity(bytes + 64);
        while out.len() < bytes {
            if next() % 4 == 0 {
                for _ in 0..(next() % 200) {
                    out.push(next() as u8);
                }
            } else {
                out.extend_from_slice(&words[next() as usize % words.len()]);
            }
        }
        out.truncate(bytes);
        out
    }

    fn gzip(bytes: &[u8], level: u32) -> Vec<u8> {
        let mut encoder =
            flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    /// What flate2's `MultiGzDecoder` (the oracle) makes of a blob: the bytes or the error.
    fn oracle(blob: &[u8]) -> Result<u64, String> {
        let mut decoder = flate2::read::MultiGzDecoder::new(blob);
        let mut buffer = vec![0u8; 256 * 1024];
        let mut total = 0u64;
        loop {
            match decoder.read(&mut buffer) {
                Ok(0) => return Ok(total),
                Ok(read) => total += read as u64,
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    /// What the pipeline makes of it, checked on the inflating thread with every core busy
    /// (only the size asked for, and with the uncompressed bytes hashed too: then they are also
    /// handed over) and, the same, on the calling thread with a core free (both ways).
    fn piped(blob: &[u8]) -> Result<u64, String> {
        let outcome = |result: Result<Inflated, Failure>| match result {
            Ok(inflated) => Ok(inflated.disk_bytes),
            Err(Failure::Decompress(e)) => Err(e.to_string()),
            Err(other) => Err(format!("{other:?}")),
        };
        let direct = outcome(inflate(blob, None, None, false, None, Beside::Busy, None).0);
        let free = outcome(inflate(blob, None, None, false, None, Beside::Free, None).0);
        let hashing = Some(Hasher::Sha256(sha2::Sha256::default()));
        let handed_over = outcome(inflate(blob, None, hashing, false, None, Beside::Busy, None).0);
        let hashing = Some(Hasher::Sha256(sha2::Sha256::default()));
        let hashed_free = outcome(inflate(blob, None, hashing, false, None, Beside::Free, None).0);
        assert_eq!(direct, free);
        assert_eq!(direct, handed_over);
        assert_eq!(direct, hashed_free);
        direct
    }

    fn same(blob: &[u8], what: &str) {
        assert_eq!(piped(blob), oracle(blob), "{what} ({} bytes)", blob.len());
    }

    /// A member with every optional header field (extra, name, comment, header CRC).
    fn full_header_member(bytes: &[u8]) -> Vec<u8> {
        let plain = gzip(bytes, 6);
        let mut header = vec![
            0x1f,
            0x8b,
            8,
            FHCRC | FEXTRA | FNAME | FCOMMENT,
            1,
            2,
            3,
            4,
            0,
            3,
        ];
        header.extend_from_slice(&5u16.to_le_bytes());
        header.extend_from_slice(b"extra");
        header.extend_from_slice(b"name.tar\0a comment\0");
        let mut crc = Crc::new();
        crc.update(&header);
        header.extend_from_slice(&(crc.sum() as u16).to_le_bytes());
        header.extend_from_slice(&plain[10..]);
        header
    }

    #[test]
    fn whole_blobs_inflate_to_what_flate2_inflates_them_to() {
        let big = content(3 * CHUNK + 12_345, 1);
        for (blob, what) in [
            (gzip(&big, 6), "several chunks"),
            (gzip(&big, 0), "stored blocks"),
            (gzip(&big, 9), "level 9"),
            (gzip(b"", 6), "empty member"),
            (gzip(&content(100, 2), 1), "tiny"),
            (full_header_member(&big), "every header field"),
            (
                [gzip(&big[..5000], 6), gzip(b"", 6), gzip(&big, 1)].concat(),
                "three members",
            ),
        ] {
            same(&blob, what);
            assert!(piped(&blob).is_ok(), "{what}");
        }
        assert_eq!(piped(&gzip(&big, 6)), Ok(big.len() as u64));
    }

    #[test]
    fn damaged_blobs_fail_as_flate2_fails_on_them() {
        let small = content(20_000, 3);
        let big = content(3 * CHUNK, 4);
        for base in [gzip(&small, 6), full_header_member(&small), gzip(&big, 6)] {
            let len = base.len();
            // Every 29th byte of a small blob; of a big one, around the chunk boundaries (the
            // stored blob is read in chunks) and a few more.
            let step = if len < CHUNK { 29 } else { len / 12 };
            let mut places: Vec<usize> = (1..40).chain((40..len).step_by(step)).collect();
            for boundary in (CHUNK..len).step_by(CHUNK) {
                places.extend(boundary - 2..boundary + 2);
            }
            places.extend(len - 12..len);
            for at in places {
                // Cut short anywhere: in the header, the deflate data, the trailer.
                same(&base[..at], &format!("cut at {at}"));
                assert!(piped(&base[..at]).is_err(), "cut at {at}");
                // One byte changed anywhere.
                for mask in [0x01u8, 0x80, 0xff] {
                    let mut bad = base.clone();
                    bad[at] ^= mask;
                    same(&bad, &format!("byte {at} ^ {mask:#x}"));
                }
            }
            // Bytes after the last member: another member must follow.
            for tail in [&[0u8][..], &[0; 600], &[0x1f], &[0x1f, 0x8b], b"garbage"] {
                let blob = [&base[..], tail].concat();
                same(&blob, &format!("tail {tail:?}"));
                assert!(piped(&blob).is_err());
            }
        }
        // A name longer than flate2 accepts.
        let mut long = vec![0x1f, 0x8b, 8, FNAME, 0, 0, 0, 0, 0, 3];
        long.extend(std::iter::repeat_n(b'n', 70_000));
        long.push(0);
        long.extend_from_slice(&gzip(b"x", 6)[10..]);
        same(&long, "long name");
        assert_eq!(piped(&long), Err("gzip header field too long".into()));
    }

    #[test]
    fn every_inflated_byte_is_counted_hashed_and_limited() {
        let tar_bytes = content(CHUNK * 2 + 99, 5);
        let blob = gzip(&tar_bytes, 6);
        let hasher = || Some(Hasher::Sha256(sha2::Sha256::default()));
        let (inflated, stored) = inflate(
            &blob[..],
            hasher(),
            hasher(),
            false,
            None,
            Beside::Free,
            None,
        );
        let inflated = inflated.unwrap();
        assert_eq!(inflated.disk_bytes, tar_bytes.len() as u64);
        assert_eq!(
            inflated.tar_hasher.unwrap().finish(),
            super::super::verify::sha256_of(&tar_bytes)
        );
        assert_eq!(
            stored.unwrap().unwrap().finish(),
            super::super::verify::sha256_of(&blob)
        );
        // Checked on the inflating thread, on the calling thread with a core free, and hashed.
        let ways = || {
            [
                (None, Beside::Busy),
                (None, Beside::Free),
                (hasher(), Beside::Busy),
            ]
        };
        for (tar_hasher, beside) in ways() {
            let exact = ReadLimit::new(tar_bytes.len() as u64);
            let (inflated, _) = inflate(
                &blob[..],
                None,
                tar_hasher,
                false,
                Some(&exact),
                beside,
                None,
            );
            assert_eq!(inflated.unwrap().disk_bytes, tar_bytes.len() as u64);
        }
        for (tar_hasher, beside) in ways() {
            let under = ReadLimit::new(tar_bytes.len() as u64 - 1);
            match inflate(
                &blob[..],
                None,
                tar_hasher,
                false,
                Some(&under),
                beside,
                None,
            )
            .0
            {
                Err(Failure::Limit(limit)) => assert_eq!(limit, tar_bytes.len() as u64 - 1),
                other => panic!("{beside:?}: {:?}", other.map(|i| i.disk_bytes)),
            }
        }
    }
}
