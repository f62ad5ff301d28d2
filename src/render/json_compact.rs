//! The compact JSON of large reports, written fast: the same bytes as `serde_json`'s compact
//! serializer with the runner-safe formatter of [`super::json`] (a test compares them), with
//! two costs taken out. A struct's field names are our own `&'static str`s, never input, so
//! they are copied as they are instead of scanned for escapes and runner commands; and every
//! token goes into one buffer, handed to the writer in large blocks, instead of through the
//! formatter's calls one small write at a time (issue 20: at 100,000 services the report's
//! 86 MB of JSON was most of its time). Strings from input go through the same escapes and the
//! same runner-safe fragments as everywhere else; numbers through `serde_json`'s own formatting.

use std::fmt::Display;
use std::io;

use serde::Serialize;
use serde::ser::{self, Impossible};
use serde_json::ser::{CharEscape, CompactFormatter, Formatter};

use super::json::RunnerSafe;
use crate::calc::full_pull::{DiskWire, Seconds};
use crate::report::{ImageView, Report, RowMaker, Saving, ServiceRow, TargetView};

/// Blocks handed to the writer at about this size.
const BLOCK: usize = 1 << 17;

/// Threads serialising blocks of rows, taking turns, while the writing thread writes them (it
/// writes the bytes to the file as well: sharing the serialising with it left it behind).
const SERIALISERS: usize = 2;

const NULL: &[u8] = b"null";

/// Rows serialised as one piece by either thread (about 0.45 MB of JSON).
const ROWS_PER_BLOCK: usize = 512;

/// Blocks each serialising thread may have made and not yet handed over: it starts as the
/// report's top is written and runs ahead of the writing thread by this many.
const AHEAD: usize = 4;

/// Writes `value` as compact JSON to `out`.
pub fn to_writer<T: Serialize + ?Sized>(out: impl io::Write, value: &T) -> io::Result<()> {
    let mut writer = Compact::new(out, None);
    value.serialize(&mut writer).map_err(|error| error.0)?;
    writer.flush()
}

/// Writes a report as compact JSON to `out`, as [`to_writer`] does, its rows serialised on two
/// threads, each every other block of rows into buffers of its own, while this one hands them
/// to `out` in order (two blocks in flight per thread at most).
pub fn write_report(out: impl io::Write, report: &Report) -> io::Result<()> {
    write_with_rows(out, report, Rows::Made(&report.services))
}

/// Writes a report built without its rows ([`crate::report::build_deferred`]) as
/// [`write_report`] writes it with them: the serialising threads make each block of rows as
/// they write it, and drop it.
pub fn write_report_deferred(
    out: impl io::Write,
    report: &Report,
    rows: &RowMaker<'_>,
) -> io::Result<()> {
    write_with_rows(out, report, Rows::Deferred(rows))
}

fn write_with_rows(out: impl io::Write, report: &Report, rows: Rows<'_>) -> io::Result<()> {
    std::thread::scope(|scope| {
        // The rows are serialised from the start, while the fields before them are written.
        let mut writer = Compact::new(out, Some(Blocks::start(scope, rows)));
        report.serialize(&mut writer).map_err(|error| error.0)?;
        writer.flush()
    })
}

/// A report's rows being serialised on [`SERIALISERS`] threads, a block of
/// [`ROWS_PER_BLOCK`] at a time, each thread every other block; received in order.
struct Blocks {
    count: usize,
    receivers: Vec<std::sync::mpsc::Receiver<Result<Vec<u8>>>>,
    /// Each thread's written buffers, handed back to be filled again.
    give_back: Vec<std::sync::mpsc::Sender<Vec<u8>>>,
}

impl Blocks {
    /// Starts the threads; they stop when the blocks are all made or the receivers are gone.
    fn start<'scope>(scope: &'scope std::thread::Scope<'scope, '_>, rows: Rows<'scope>) -> Blocks {
        let total = rows.len();
        let blocks: Vec<std::ops::Range<usize>> = (0..total)
            .step_by(ROWS_PER_BLOCK)
            .map(|start| start..(start + ROWS_PER_BLOCK).min(total))
            .collect();
        let (receivers, give_back) = (0..SERIALISERS)
            .map(|first| {
                let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<Vec<u8>>>(AHEAD);
                let (give_back, given_back) = std::sync::mpsc::channel::<Vec<u8>>();
                let theirs: Vec<std::ops::Range<usize>> = blocks
                    .iter()
                    .skip(first)
                    .step_by(SERIALISERS)
                    .cloned()
                    .collect();
                scope.spawn(move || {
                    for block in theirs {
                        let mut writer = Compact::new(io::sink(), None);
                        if let Ok(buffer) = given_back.try_recv() {
                            writer.buffer = buffer;
                        }
                        // Blocks after the first are written after a comma.
                        if block.start > 0 {
                            writer.push(b",");
                        }
                        let written = rows.serialise(block, &mut writer).map(|()| writer.buffer);
                        if sender.send(written).is_err() {
                            return;
                        }
                    }
                });
                (receiver, give_back)
            })
            .unzip();
        Blocks {
            count: blocks.len(),
            receivers,
            give_back,
        }
    }
}

/// A report's rows as the writer takes them: made already, or made a block at a time.
#[derive(Clone, Copy)]
enum Rows<'r> {
    Made(&'r [ServiceRow]),
    Deferred(&'r RowMaker<'r>),
}

impl Rows<'_> {
    fn len(&self) -> usize {
        match self {
            Rows::Made(rows) => rows.len(),
            Rows::Deferred(maker) => maker.len(),
        }
    }

    /// The rows at `range`, serialised into `writer`'s buffer.
    fn serialise(&self, range: std::ops::Range<usize>, writer: &mut Compact<io::Sink>) -> Result {
        match self {
            Rows::Made(rows) => writer.block(&rows[range]),
            Rows::Deferred(maker) => {
                let rows = maker
                    .rows(range)
                    .map_err(|error| WriteError(io::Error::other(error.to_string())))?;
                writer.block(&rows)
            }
        }
    }
}

/// A failure to write, or a value JSON cannot hold.
#[derive(Debug)]
pub struct WriteError(io::Error);

impl Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for WriteError {}

impl ser::Error for WriteError {
    fn custom<T: Display>(message: T) -> Self {
        WriteError(io::Error::other(message.to_string()))
    }
}

type Result<T = ()> = std::result::Result<T, WriteError>;

struct Compact<W> {
    buffer: Vec<u8>,
    out: W,
    /// How deep in arrays and objects the next token is (1: the top object's fields).
    depth: usize,
    /// A report's rows being serialised, written by [`Compact::rows`] where the top object's
    /// `services` field is (once).
    rows: Option<Blocks>,
}

impl<W: io::Write> Compact<W> {
    fn new(out: W, rows: Option<Blocks>) -> Compact<W> {
        Compact {
            buffer: Vec::with_capacity(BLOCK + BLOCK / 2),
            out,
            depth: 0,
            rows,
        }
    }

    /// A report's rows as a JSON array, its blocks taken in order as they are serialised and
    /// written as they are (not copied into this buffer), then handed back for reuse.
    fn rows(&mut self, blocks: Blocks) -> Result {
        self.push(b"[");
        self.out.write_all(&self.buffer).map_err(WriteError)?;
        self.buffer.clear();
        for index in 0..blocks.count {
            let thread = index % SERIALISERS;
            let mut written = blocks.receivers[thread]
                .recv()
                .map_err(|_| WriteError(io::Error::other("the row writer stopped")))??;
            self.out.write_all(&written).map_err(WriteError)?;
            written.clear();
            // A thread that has stopped takes nothing back.
            let _ = blocks.give_back[thread].send(written);
        }
        self.push(b"]");
        Ok(())
    }

    /// Rows separated by commas, into the buffer (not spilled: a block is small).
    fn block(&mut self, rows: &[ServiceRow]) -> Result {
        for (index, row) in rows.iter().enumerate() {
            if index > 0 {
                self.push(b",");
            }
            self.row(row)?;
        }
        Ok(())
    }

    /// One row as its `Serialize` writes it (a test compares the two on every kind of row),
    /// its field names written as whole pieces: a report's rows are most of its bytes, and
    /// copying each name apart cost as much as the figures.
    fn row(&mut self, row: &ServiceRow) -> Result {
        self.push(b"{\"name\":");
        self.string(&row.name);
        self.push(b",\"runtime\":");
        self.or_null(row.runtime, |writer, runtime| writer.string(runtime));
        self.push(b",\"services\":");
        self.u64(row.services);
        self.push(b",\"nodes\":");
        self.u64(row.nodes);
        self.push(b",\"deploys_per_day\":");
        row.deploys_per_day.serialize(&mut *self)?;
        self.push(b",\"pulls_per_day\":");
        row.pulls_per_day.serialize(&mut *self)?;
        self.push(b",\"basis\":");
        row.basis.serialize(&mut *self)?;
        self.push(b",\"before\":");
        self.image(&row.before);
        self.push(b",\"after\":");
        self.or_null(row.after.as_ref(), Compact::image);
        self.push(b",\"projected_after\":");
        row.projected_after.serialize(&mut *self)?;
        self.push(b",\"saved_per_pull\":");
        self.saving(&row.saved_per_pull)?;
        self.push(b",\"saved_per_day\":");
        self.saving(&row.saved_per_day)?;
        self.push(b",\"saved_per_year\":");
        self.saving(&row.saved_per_year)?;
        self.push(b",\"change_percent\":");
        row.change_percent.serialize(&mut *self)?;
        self.push(b",\"pull_seconds\":");
        self.seconds(&row.pull_seconds)?;
        self.push(b",\"target\":");
        match &row.target {
            Some(target) => self.target(target)?,
            None => self.push(NULL),
        }
        self.push(b",\"growth\":");
        self.boolean(row.growth);
        self.push(b",\"projected\":");
        self.boolean(row.projected);
        self.push(b"}");
        Ok(())
    }

    fn image(&mut self, image: &ImageView) {
        self.push(b"{\"disk_bytes\":");
        self.u64(image.disk_bytes);
        self.push(b",\"wire_bytes\":");
        self.u64(image.wire_bytes);
        self.push(b",\"disk_estimated\":");
        self.boolean(image.disk_estimated);
        self.push(b",\"wire_estimated\":");
        self.boolean(image.wire_estimated);
        self.push(b"}");
    }

    fn saving(&mut self, saving: &Saving) -> Result {
        match saving {
            Saving::Exact(DiskWire {
                disk_bytes,
                wire_bytes,
            }) => {
                self.push(b"{\"disk_bytes\":");
                let _ = CompactFormatter.write_i128(&mut self.buffer, *disk_bytes);
                self.push(b",\"wire_bytes\":");
                let _ = CompactFormatter.write_i128(&mut self.buffer, *wire_bytes);
                self.push(b"}");
                Ok(())
            }
            Saving::Projected(_) => saving.serialize(&mut *self),
        }
    }

    fn seconds(&mut self, seconds: &Seconds) -> Result {
        use ser::Serializer;
        self.push(b"{\"before\":");
        self.serialize_f64(seconds.before)?;
        self.push(b",\"after\":");
        self.serialize_f64(seconds.after)?;
        self.push(b",\"saved\":");
        self.serialize_f64(seconds.saved)?;
        self.push(b"}");
        Ok(())
    }

    fn target(&mut self, target: &TargetView) -> Result {
        self.push(b"{\"runtime\":");
        self.string(target.runtime);
        self.push(b",\"low_disk_bytes\":");
        self.u64(target.low_disk_bytes);
        self.push(b",\"high_disk_bytes\":");
        self.u64(target.high_disk_bytes);
        self.push(b",\"status\":");
        target.status.serialize(&mut *self)?;
        self.push(b",\"recoverable_disk_bytes\":");
        self.u64(target.recoverable_disk_bytes);
        self.push(b"}");
        Ok(())
    }

    /// `value` written by `write`, or `null`.
    fn or_null<T>(&mut self, value: Option<T>, write: impl FnOnce(&mut Self, T)) {
        match value {
            Some(value) => write(self, value),
            None => self.push(NULL),
        }
    }

    fn boolean(&mut self, value: bool) {
        self.push(if value { b"true" } else { b"false" });
    }

    fn u64(&mut self, value: u64) {
        // Writing to a vector cannot fail.
        let _ = CompactFormatter.write_u64(&mut self.buffer, value);
    }

    #[inline]
    fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// Hands the buffer to the writer once it holds a block.
    fn spill(&mut self) -> Result {
        if self.buffer.len() >= BLOCK {
            self.out.write_all(&self.buffer).map_err(WriteError)?;
            self.buffer.clear();
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buffer)?;
        self.buffer.clear();
        self.out.flush()
    }

    /// A string from anywhere: escaped as `serde_json` escapes it, its runs written through the
    /// runner-safe formatter.
    fn string(&mut self, value: &str) {
        let buffer = &mut self.buffer;
        buffer.push(b'"');
        let bytes = value.as_bytes();
        let mut start = 0;
        for (index, &byte) in bytes.iter().enumerate() {
            let escape = match byte {
                b'"' => CharEscape::Quote,
                b'\\' => CharEscape::ReverseSolidus,
                b'\x08' => CharEscape::Backspace,
                b'\x0c' => CharEscape::FormFeed,
                b'\n' => CharEscape::LineFeed,
                b'\r' => CharEscape::CarriageReturn,
                b'\t' => CharEscape::Tab,
                0x00..=0x1f => CharEscape::AsciiControl(byte),
                _ => continue,
            };
            if start < index {
                fragment(buffer, &value[start..index]);
            }
            // Writing to a vector cannot fail.
            let _ = CompactFormatter.write_char_escape(buffer, escape);
            start = index + 1;
        }
        if start < bytes.len() {
            fragment(buffer, &value[start..]);
        }
        buffer.push(b'"');
    }

    /// A field name or variant of our own types: no escapes, no runner commands.
    fn name(&mut self, name: &'static str) {
        debug_assert!(
            !name.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) && !name.contains("::"),
            "{name}"
        );
        self.buffer.push(b'"');
        self.buffer.extend_from_slice(name.as_bytes());
        self.buffer.push(b'"');
    }
}

fn fragment(buffer: &mut Vec<u8>, text: &str) {
    // Writing to a vector cannot fail.
    let _ = RunnerSafe(CompactFormatter).write_string_fragment(buffer, text);
}

/// A number through `serde_json`'s compact formatting.
macro_rules! number {
    ($($method:ident: $type:ty => $write:ident),* $(,)?) => {
        $(fn $method(self, value: $type) -> Result {
            // Writing to a vector cannot fail.
            let _ = CompactFormatter.$write(&mut self.buffer, value);
            Ok(())
        })*
    };
}

impl<'a, W: io::Write> ser::Serializer for &'a mut Compact<W> {
    type Ok = ();
    type Error = WriteError;
    type SerializeSeq = Sequence<'a, W>;
    type SerializeTuple = Sequence<'a, W>;
    type SerializeTupleStruct = Sequence<'a, W>;
    type SerializeTupleVariant = Sequence<'a, W>;
    type SerializeMap = Sequence<'a, W>;
    type SerializeStruct = Sequence<'a, W>;
    type SerializeStructVariant = Sequence<'a, W>;

    number! {
        serialize_i8: i8 => write_i8,
        serialize_i16: i16 => write_i16,
        serialize_i32: i32 => write_i32,
        serialize_i64: i64 => write_i64,
        serialize_i128: i128 => write_i128,
        serialize_u8: u8 => write_u8,
        serialize_u16: u16 => write_u16,
        serialize_u32: u32 => write_u32,
        serialize_u64: u64 => write_u64,
        serialize_u128: u128 => write_u128,
    }

    fn serialize_bool(self, value: bool) -> Result {
        self.boolean(value);
        Ok(())
    }

    // As `serde_json`: a float JSON cannot hold is null.
    fn serialize_f32(self, value: f32) -> Result {
        if !value.is_finite() {
            return self.serialize_unit();
        }
        let _ = CompactFormatter.write_f32(&mut self.buffer, value);
        Ok(())
    }

    fn serialize_f64(self, value: f64) -> Result {
        if !value.is_finite() {
            return self.serialize_unit();
        }
        let _ = CompactFormatter.write_f64(&mut self.buffer, value);
        Ok(())
    }

    fn serialize_char(self, value: char) -> Result {
        self.string(value.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, value: &str) -> Result {
        self.string(value);
        Ok(())
    }

    fn serialize_bytes(self, value: &[u8]) -> Result {
        use ser::SerializeSeq;
        let mut sequence = self.serialize_seq(Some(value.len()))?;
        for byte in value {
            sequence.serialize_element(byte)?;
        }
        sequence.end()
    }

    fn serialize_none(self) -> Result {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result {
        self.push(NULL);
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result {
        self.name(variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        self.push(b"{");
        self.name(variant);
        self.push(b":");
        value.serialize(&mut *self)?;
        self.push(b"}");
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Sequence<'a, W>> {
        Ok(open(self, None, b"[", b"]"))
    }

    fn serialize_tuple(self, len: usize) -> Result<Sequence<'a, W>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Sequence<'a, W>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Sequence<'a, W>> {
        Ok(open(self, Some(variant), b"[", b"]}"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Sequence<'a, W>> {
        Ok(open(self, None, b"{", b"}"))
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Sequence<'a, W>> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Sequence<'a, W>> {
        Ok(open(self, Some(variant), b"{", b"}}"))
    }
}

/// Opens an array or object (`{"variant":` before it for an enum's variant); `close` ends both.
fn open<'a, W: io::Write>(
    writer: &'a mut Compact<W>,
    variant: Option<&'static str>,
    bracket: &[u8],
    close: &'static [u8],
) -> Sequence<'a, W> {
    if let Some(variant) = variant {
        writer.push(b"{");
        writer.name(variant);
        writer.push(b":");
    }
    writer.push(bracket);
    writer.depth += 1;
    Sequence {
        writer,
        first: true,
        close,
    }
}

/// An array or object being written: commas between its items, its closing bytes at the end.
pub struct Sequence<'a, W> {
    writer: &'a mut Compact<W>,
    first: bool,
    close: &'static [u8],
}

impl<W: io::Write> Sequence<'_, W> {
    fn separate(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.writer.push(b",");
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.separate();
        value.serialize(&mut *self.writer)?;
        self.writer.spill()
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.separate();
        self.writer.name(key);
        self.writer.push(b":");
        if self.writer.depth == 1
            && key == "services"
            && let Some(rows) = self.writer.rows.take()
        {
            return self.writer.rows(rows);
        }
        value.serialize(&mut *self.writer)
    }

    fn close(self) -> Result {
        self.writer.push(self.close);
        self.writer.depth -= 1;
        Ok(())
    }
}

/// The array-like traits: each item an element.
macro_rules! items {
    ($($trait:ident::$method:ident),* $(,)?) => {
        $(impl<W: io::Write> ser::$trait for Sequence<'_, W> {
            type Ok = ();
            type Error = WriteError;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
                self.element(value)
            }

            fn end(self) -> Result {
                self.close()
            }
        })*
    };
}

items! {
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
}

/// The object-like traits of our own types: each item a named field.
macro_rules! fields {
    ($($trait:ident),* $(,)?) => {
        $(impl<W: io::Write> ser::$trait for Sequence<'_, W> {
            type Ok = ();
            type Error = WriteError;

            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result {
                self.field(key, value)
            }

            fn end(self) -> Result {
                self.close()
            }
        })*
    };
}

fields!(SerializeStruct, SerializeStructVariant);

impl<W: io::Write> ser::SerializeMap for Sequence<'_, W> {
    type Ok = ();
    type Error = WriteError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.separate();
        key.serialize(MapKey(&mut *self.writer))?;
        self.writer.push(b":");
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut *self.writer)?;
        self.writer.spill()
    }

    fn end(self) -> Result {
        self.close()
    }
}

/// A map's key, as `serde_json` writes one: a string, or a number or boolean in quotes; anything
/// else is refused.
struct MapKey<'a, W>(&'a mut Compact<W>);

/// A quoted key from a number or boolean.
macro_rules! quoted {
    ($($method:ident: $type:ty),* $(,)?) => {
        $(fn $method(self, value: $type) -> Result {
            self.0.buffer.push(b'"');
            ser::Serializer::$method(&mut *self.0, value)?;
            self.0.buffer.push(b'"');
            Ok(())
        })*
    };
}

fn not_a_key() -> WriteError {
    WriteError(io::Error::other("key must be a string"))
}

impl<W: io::Write> ser::Serializer for MapKey<'_, W> {
    type Ok = ();
    type Error = WriteError;
    type SerializeSeq = Impossible<(), WriteError>;
    type SerializeTuple = Impossible<(), WriteError>;
    type SerializeTupleStruct = Impossible<(), WriteError>;
    type SerializeTupleVariant = Impossible<(), WriteError>;
    type SerializeMap = Impossible<(), WriteError>;
    type SerializeStruct = Impossible<(), WriteError>;
    type SerializeStructVariant = Impossible<(), WriteError>;

    quoted! {
        serialize_bool: bool,
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_i128: i128,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_u128: u128,
    }

    fn serialize_str(self, value: &str) -> Result {
        self.0.string(value);
        Ok(())
    }

    fn serialize_char(self, value: char) -> Result {
        self.0.string(value.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result {
        self.0.string(variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result {
        value.serialize(self)
    }

    fn serialize_f32(self, _value: f32) -> Result {
        Err(not_a_key())
    }

    fn serialize_f64(self, _value: f64) -> Result {
        Err(not_a_key())
    }

    fn serialize_bytes(self, _value: &[u8]) -> Result {
        Err(not_a_key())
    }

    fn serialize_none(self) -> Result {
        Err(not_a_key())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result {
        Err(not_a_key())
    }

    fn serialize_unit(self) -> Result {
        Err(not_a_key())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        Err(not_a_key())
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result {
        Err(not_a_key())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(not_a_key())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(not_a_key())
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(not_a_key())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(not_a_key())
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(not_a_key())
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Err(not_a_key())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(not_a_key())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde::Serialize;

    /// The reference: `serde_json`'s compact serializer with the runner-safe formatter.
    fn reference<T: Serialize>(value: &T) -> String {
        let mut bytes = Vec::new();
        super::super::json::with_serde_json(&mut bytes, value, false).unwrap();
        String::from_utf8(bytes).unwrap()
    }

    fn fast<T: Serialize>(value: &T) -> String {
        let mut bytes = Vec::new();
        super::to_writer(&mut bytes, value).unwrap();
        String::from_utf8(bytes).unwrap()
    }

    #[derive(Serialize)]
    #[serde(rename_all = "kebab-case")]
    enum Kind {
        Unit,
        NewType(u8),
        Tuple(i8, String),
        Struct { low: f64, high: Option<f32> },
    }

    #[derive(Serialize)]
    #[serde(untagged)]
    enum Either {
        Number(i128),
        Text(String),
    }

    #[derive(Serialize)]
    #[serde(tag = "type")]
    enum Tagged {
        One { value: u128 },
    }

    #[derive(Serialize)]
    struct Row {
        name: String,
        empty: Vec<u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        none: Option<u8>,
        kinds: Vec<Kind>,
        either: Vec<Either>,
        tagged: Tagged,
        by_name: BTreeMap<String, f64>,
        by_number: BTreeMap<u64, bool>,
        unit: (),
        pair: (char, bool),
        floats: Vec<f64>,
    }

    fn row(text: String, number: i128, float: f64) -> Row {
        Row {
            name: text.clone(),
            empty: Vec::new(),
            skipped: None,
            none: None,
            kinds: vec![
                Kind::Unit,
                Kind::NewType(7),
                Kind::Tuple(-3, text.clone()),
                Kind::Struct {
                    low: float,
                    high: None,
                },
            ],
            either: vec![Either::Number(number), Either::Text(text.clone())],
            tagged: Tagged::One {
                value: number.unsigned_abs(),
            },
            by_name: [(text.clone(), float), (String::new(), -0.0)].into(),
            by_number: [(u64::MAX, true), (0, false)].into(),
            unit: (),
            pair: (text.chars().next().unwrap_or('"'), false),
            floats: vec![
                float,
                f64::NAN,
                f64::INFINITY,
                1e16,
                1e-7,
                0.1 + 0.2,
                -0.0,
                f64::MAX,
            ],
        }
    }

    #[test]
    fn runner_commands_and_escapes_are_written_as_serde_json_writes_them() {
        for text in [
            "::error::pwned",
            "##[group]x",
            "a\"b\\c\nd\re\tf\u{8}\u{c}\u{1}\u{1f}\u{7f}é😀",
            "",
            ":",
            "::",
            "#",
        ] {
            let value = row(text.to_string(), i128::MIN, 2.5);
            assert_eq!(fast(&value), reference(&value), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn any_row_is_written_byte_for_byte_as_serde_json_writes_it(
            text in "(\\PC|[\"\\\\\\n\\t:#\\[\\u{0}-\\u{1f}]){0,24}",
            number in any::<i128>(),
            float in any::<f64>(),
        ) {
            let value = row(text, number, float);
            prop_assert_eq!(fast(&value), reference(&value));
        }
    }

    /// 128-bit numbers on both sides of the 64-bit boundaries are written as `serde_json`
    /// writes them.
    #[test]
    fn wide_numbers_around_the_64_bit_boundaries_are_written_as_serde_json_writes_them() {
        let signed = [
            0,
            -1,
            i128::from(i64::MAX),
            i128::from(i64::MAX) + 1,
            i128::from(i64::MIN),
            i128::from(i64::MIN) - 1,
            i128::from(u64::MAX),
            i128::MAX,
            i128::MIN,
        ];
        let unsigned = [0, u128::from(u64::MAX), u128::from(u64::MAX) + 1, u128::MAX];
        let mut bytes = Vec::new();
        super::to_writer(&mut bytes, &(signed, unsigned)).unwrap();
        assert_eq!(bytes, serde_json::to_vec(&(signed, unsigned)).unwrap());
    }

    #[test]
    fn a_key_that_is_not_a_string_or_number_is_refused() {
        let map: BTreeMap<Option<u8>, u8> = [(None, 1)].into();
        let mut bytes = Vec::new();
        assert!(super::to_writer(&mut bytes, &map).is_err());
    }
}
