//! The CSV inventory: a header row naming the columns (any order, case-insensitive), one service
//! per row. A UTF-8 byte-order mark (Excel) and CRLF line endings are accepted; cells are trimmed
//! and empty cells are absent.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{RawInventory, RawRow, RawValue, Syntax, known_field, row_fields};
use crate::error::{Error, Place};
use crate::input::assumptions::unknown_key;

fn at(path: &Path, line: Option<usize>, field: Option<&str>, message: String) -> Error {
    Error::Input {
        place: Place::File {
            path: path.to_path_buf(),
            line,
            field: field.map(str::to_string),
        },
        message,
    }
}

/// Reads a CSV inventory from its text.
pub fn read(path: PathBuf, text: String) -> Result<RawInventory, Error> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if body.trim().is_empty() {
        return Err(at(
            &path,
            None,
            None,
            "is empty; an inventory needs a header row (e.g. service,runtime,before,after,nodes) \
             and one row per service"
                .to_string(),
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(body.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| csv_error(&path, &e))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect::<Vec<_>>();
    if !headers.iter().any(|h| h == "service") {
        return Err(at(
            &path,
            Some(1),
            None,
            format!(
                "the header row is missing or has no 'service' column (found '{}'); the first line \
                 must name the columns, e.g. service,runtime,before,after,nodes,deploys_per_day",
                headers.join(",")
            ),
        ));
    }
    let mut seen = HashMap::new();
    let mut columns: Vec<&'static str> = Vec::with_capacity(headers.len());
    for (index, header) in headers.iter().enumerate() {
        let Some(field) = known_field(row_fields(), header) else {
            return Err(at(
                &path,
                Some(1),
                Some(&crate::model::values::shorten(header)),
                unknown_key("column", header, row_fields()),
            ));
        };
        columns.push(field);
        if let Some(first) = seen.insert(field, index + 1) {
            return Err(at(
                &path,
                Some(1),
                Some(&crate::model::values::shorten(header)),
                format!(
                    "column '{header}' appears twice (columns {first} and {}); keep one",
                    index + 1
                ),
            ));
        }
    }
    Ok(RawInventory {
        path,
        syntax: Syntax::Csv,
        text,
        csv_columns: columns,
        ..RawInventory::default()
    })
}

/// Walks the rows of a CSV inventory read by [`read`] (its header is known good), each as a
/// [`RawRow`] of its non-empty cells, trimmed. Rows are read from the text at each walk rather
/// than kept: one row's cells at a time, their strings reused from row to row.
pub(super) fn each_row(
    inventory: &RawInventory,
    f: &mut dyn FnMut(&RawRow) -> Result<(), Error>,
) -> Result<(), Error> {
    let body = inventory
        .text
        .strip_prefix('\u{feff}')
        .unwrap_or(&inventory.text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(body.as_bytes());
    let mut record = csv::ByteRecord::new();
    let mut lines = LineCounter::new(body);
    let mut row = RawRow::default();
    let mut spare: Vec<String> = Vec::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => return Err(csv_error(&inventory.path, &e)),
        }
        let line = record
            .position()
            .map_or(0, |position| lines.line_at(position.byte() as usize));
        spare.extend(row.values.drain(..).map(|(_, value)| value.text));
        for (field, cell) in inventory.csv_columns.iter().zip(record.iter()) {
            // The text is UTF-8 and cells end at ASCII bytes: every cell is UTF-8 too.
            let cell = std::str::from_utf8(cell)
                .map_err(|_| {
                    at(
                        &inventory.path,
                        Some(line),
                        None,
                        "is not UTF-8 text; save the inventory as UTF-8".to_string(),
                    )
                })?
                .trim();
            if cell.is_empty() {
                continue;
            }
            let mut text = spare.pop().unwrap_or_default();
            text.clear();
            text.push_str(cell);
            row.values.push((field, RawValue { text, line }));
        }
        if !row.values.is_empty() {
            row.line = line;
            f(&row)?;
        }
    }
}

/// The 1-based line of records in a text, counted by `\n` whatever the line ending (the csv
/// crate's own line numbers run one behind after CRLF). Offsets are asked in order, so the count
/// goes forward only.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> LineCounter<'a> {
        LineCounter {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The line of the record that the csv crate says starts at `offset`. After a CR it may
    /// point at the LF that ends the previous line: a record never starts with a line break, so
    /// those are skipped.
    fn line_at(&mut self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while offset < self.text.len() && matches!(self.text[offset], b'\r' | b'\n') {
            offset += 1;
        }
        if offset < self.offset {
            *self = LineCounter::new(std::str::from_utf8(self.text).unwrap_or_default());
        }
        self.line += self.text[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = offset;
        self.line
    }
}

fn csv_error(path: &Path, error: &csv::Error) -> Error {
    let line = error.position().map(|p| p.line() as usize);
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "has {len} cells but the header names {expected_len} columns; quote cells that \
             contain commas (\"a, b\")"
        ),
        csv::ErrorKind::Utf8 { .. } => "is not UTF-8 text; save the inventory as UTF-8".to_string(),
        _ => format!("is not valid CSV: {error}"),
    };
    at(path, line, None, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line numbers are the same with LF and CRLF endings (the header is line 1).
    #[test]
    fn crlf_lines_are_counted_like_lf_lines() {
        for ending in ["\n", "\r\n"] {
            let text = ["service,before", "web,800MB", "", "api,700MB"].join(ending) + ending;
            let inventory = read(PathBuf::from("d.csv"), text).unwrap();
            let mut lines = Vec::new();
            each_row(&inventory, &mut |row| {
                lines.push(row.line);
                Ok(())
            })
            .unwrap();
            assert_eq!(lines, [2, 4], "{ending:?}");
        }
    }
}
