//! The JSON contract: the report serialised as is, pretty-printed, with a final newline.

use crate::error::Error;
use crate::report::Report;

/// Serialises the report.
pub fn render(report: &Report) -> Result<String, Error> {
    let mut json = serde_json::to_string_pretty(report)
        .map_err(|e| Error::Internal(format!("cannot serialise the report: {e}")))?;
    json.push('\n');
    Ok(json)
}

/// Reports with more service rows than this are written compact: indentation would make a
/// 100,000-service report half again as large and a third slower (BENCHMARKS.md).
pub const PRETTY_ROWS: usize = 1000;

/// Streams the report as JSON into `out` (nothing is held whole in memory): indented for
/// reports people may read, compact beyond [`PRETTY_ROWS`] services.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    if report.services.len() > PRETTY_ROWS {
        serde_json::to_writer(&mut *out, report)?;
    } else {
        serde_json::to_writer_pretty(&mut *out, report)?;
    }
    out.write_all(b"\n")
}

/// The JSON Schema of the report, generated from the Rust types.
pub fn schema() -> String {
    let schema = schemars::schema_for!(Report);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON Schema of `fleetsave check`'s JSON output.
pub fn check_schema() -> String {
    let schema = schemars::schema_for!(crate::report::check::CheckReport);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
