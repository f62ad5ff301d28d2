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
