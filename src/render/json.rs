//! The JSON contract: the report serialised as is, pretty-printed, with a final newline. Every
//! JSON fleetsave writes goes through [`to_writer`]: inside strings, the second colon of `::` is
//! written `\u003a` and the bracket of `##[` `\u005b`, so no runner command from input reaches a
//! CI log in JSON either (parsers read the strings back exactly).

use std::io;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use crate::error::Error;
use crate::report::Report;
use crate::runner::{self, Part};

/// Serialises the report.
pub fn render(report: &Report) -> Result<String, Error> {
    to_string(report, "the report")
}

/// `value` as indented JSON with a final newline, written by [`to_writer`]; `what` names it in
/// the internal error a failed serialisation is.
pub fn to_string<T: Serialize + ?Sized>(value: &T, what: &str) -> Result<String, Error> {
    let mut bytes = Vec::new();
    to_writer(&mut bytes, value, true)
        .and_then(|()| io::Write::write_all(&mut bytes, b"\n"))
        .map_err(|e| Error::Internal(format!("cannot serialise {what}: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::Internal(format!("cannot serialise {what}: {e}")))
}

/// Writes `value` as JSON, indented when `pretty`, runner commands broken inside strings.
/// Compact JSON (large reports) goes through [`super::json_compact`], which writes the same
/// bytes faster.
pub fn to_writer<T: Serialize + ?Sized>(
    out: impl io::Write,
    value: &T,
    pretty: bool,
) -> io::Result<()> {
    if pretty {
        with_serde_json(out, value, true)
    } else {
        super::json_compact::to_writer(out, value)
    }
}

/// [`to_writer`] through `serde_json`'s own serializer: the reference of the compact writer.
pub(crate) fn with_serde_json<T: Serialize + ?Sized>(
    out: impl io::Write,
    value: &T,
    pretty: bool,
) -> io::Result<()> {
    if pretty {
        let formatter = RunnerSafe(PrettyFormatter::new());
        value.serialize(&mut serde_json::Serializer::with_formatter(out, formatter))?;
    } else {
        let formatter = RunnerSafe(CompactFormatter);
        value.serialize(&mut serde_json::Serializer::with_formatter(out, formatter))?;
    }
    Ok(())
}

/// serde_json's formatter `F`, with `::` and `##[` broken inside strings (object keys included).
pub(super) struct RunnerSafe<F>(pub(super) F);

impl<F: Formatter> Formatter for RunnerSafe<F> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if !runner::holds_command(fragment) {
            return self.0.write_string_fragment(writer, fragment);
        }
        for part in runner::parts(fragment) {
            match part {
                Part::Text(text) => self.0.write_string_fragment(writer, text)?,
                Part::Colon => writer.write_all(b"\\u003a")?,
                Part::Bracket => writer.write_all(b"\\u005b")?,
            }
        }
        Ok(())
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn end_object_key<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_key(writer)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_value(writer)
    }
}

/// Reports with more service rows than this are written compact: indentation would make a
/// 100,000-service report half again as large and a third slower (BENCHMARKS.md).
pub const PRETTY_ROWS: usize = 1000;

/// The buffer between the serialiser and the `dyn Write` it writes to: serde_json writes a few
/// bytes at a time (about ten million writes at 100,000 services), and through a buffer of a
/// concrete type each is a copy, not a virtual call.
pub const WRITE_BUFFER: usize = 1 << 16;

/// Streams the report as JSON into `out` (nothing is held whole in memory): indented for
/// reports people may read, compact beyond [`PRETTY_ROWS`] services. Written through a
/// [`WRITE_BUFFER`]-byte buffer, so `out` sees large writes only.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(WRITE_BUFFER, out);
    if report.services.len() <= PRETTY_ROWS {
        to_writer(&mut buffered, report, true)?;
    } else {
        super::json_compact::write_report(&mut buffered, report)?;
    }
    io::Write::write_all(&mut buffered, b"\n")?;
    io::Write::flush(&mut buffered)
}

/// Streams a report built without its rows ([`crate::report::build_deferred`]) as [`write`]
/// streams it with them: compact, the rows made as they are written (for more than
/// [`PRETTY_ROWS`] services: fewer are written indented, from a built report).
pub fn write_deferred(
    report: &Report,
    rows: &crate::report::RowMaker<'_>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(WRITE_BUFFER, out);
    super::json_compact::write_report_deferred(&mut buffered, report, rows)?;
    io::Write::write_all(&mut buffered, b"\n")?;
    io::Write::flush(&mut buffered)
}

/// The JSON Schema of `T`, pretty, with a final newline: what `docs/*.schema.json` hold.
fn schema_of<T: schemars::JsonSchema>() -> String {
    let schema = schemars::schema_for!(T);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON Schema of the report, generated from the Rust types.
pub fn schema() -> String {
    schema_of::<Report>()
}

/// The JSON Schema of `fleetsave layers --format json`.
pub fn layers_schema() -> String {
    schema_of::<crate::report::layers::LayersReport>()
}

/// The JSON Schema of `fleetsave check`'s JSON output.
pub fn check_schema() -> String {
    schema_of::<crate::report::check::CheckReport>()
}

/// The JSON Schema of `fleetsave history`'s JSON output.
pub fn history_schema() -> String {
    schema_of::<crate::report::history::HistoryReport>()
}

/// The JSON Schema of `fleetsave audit`'s JSON output.
pub fn audit_schema() -> String {
    schema_of::<crate::report::audit::AuditReport>()
}

/// The JSON Schema of `forecast`'s output (docs/forecast.schema.json).
pub fn forecast_schema() -> String {
    schema_of::<crate::report::forecast::ForecastReport>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_hold_no_runner_command_and_read_back_exactly() {
        let names = [
            "::error::PWNED",
            "x ##[stop-commands] y",
            "a\n::add-mask::b",
            ":::",
        ];
        for pretty in [true, false] {
            let mut bytes = Vec::new();
            to_writer(&mut bytes, &names, pretty).unwrap();
            let json = String::from_utf8(bytes).unwrap();
            assert!(!json.contains("::") && !json.contains("##["), "{json}");
            let back: Vec<String> = serde_json::from_str(&json).unwrap();
            assert_eq!(back, names);
        }
        let mut map = std::collections::BTreeMap::new();
        map.insert("::key", "##[v");
        let json = to_string(&map, "a map").unwrap();
        assert_eq!(json, "{\n  \":\\u003akey\": \"##\\u005bv\"\n}\n");
    }
}
