//! The CSV inventory: a header row naming the columns (any order, case-insensitive), one service
//! per row. A UTF-8 byte-order mark (Excel) and CRLF line endings are accepted; cells are trimmed
//! and empty cells are absent.

use std::collections::HashMap;
use std::io::Read;
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
        .map_err(|e| csv_error(&path, &e, e.position().map(|p| p.line() as usize)))?
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

/// Rows of a CSV inventory's text to walk: the whole body, or one of its [`halves`].
pub(super) struct Rows<'a> {
    /// The header line, when `text` starts after it (the second half); empty otherwise.
    header: &'a str,
    text: &'a str,
    /// The line `text` starts on.
    first_line: usize,
}

impl<'a> Rows<'a> {
    /// Every row of a CSV inventory read by [`read`].
    pub(super) fn whole(inventory: &'a RawInventory) -> Rows<'a> {
        Rows {
            header: "",
            text: body(inventory),
            first_line: 1,
        }
    }

    /// The line the rows' text starts on.
    #[cfg(test)]
    pub(super) fn first_line(&self) -> usize {
        self.first_line
    }
}

/// The text after a byte-order mark.
fn body(inventory: &RawInventory) -> &str {
    inventory
        .text
        .strip_prefix('\u{feff}')
        .unwrap_or(&inventory.text)
}

/// Below this many bytes an inventory's rows are walked on one thread: a second one would cost
/// more than it saves.
const HALVES_FROM_BYTES: usize = 256 * 1024;

/// A large CSV inventory's rows in two halves split at a line break near the middle, to type
/// on two threads: walked one after the other they give the rows, lines and errors
/// [`Rows::whole`] gives. Only a text without quotes and carriage returns is split (a line
/// break then always ends a record, and the csv crate's line numbers are the file's); `None`
/// for others and small ones.
pub(super) fn halves(inventory: &RawInventory) -> Option<[Rows<'_>; 2]> {
    let text = body(inventory);
    let bytes = text.as_bytes();
    if bytes.len() < HALVES_FROM_BYTES
        || bytes.first() == Some(&b'\n')
        || memchr::memchr2(b'"', b'\r', bytes).is_some()
    {
        return None;
    }
    let header_end = bytes.iter().position(|&byte| byte == b'\n')? + 1;
    let middle = (bytes.len() / 2).max(header_end);
    let split = middle + bytes[middle..].iter().position(|&byte| byte == b'\n')? + 1;
    let (first, second) = text.split_at(split);
    Some([
        Rows {
            header: "",
            text: first,
            first_line: 1,
        },
        Rows {
            header: &text[..header_end],
            text: second,
            first_line: 1 + first.bytes().filter(|&byte| byte == b'\n').count(),
        },
    ])
}

/// Walks the rows of a CSV inventory read by [`read`] (its header is known good), each as a
/// [`RawRow`] of its non-empty cells, trimmed. Rows are read from the text at each walk rather
/// than kept: one row's cells at a time, their strings reused from row to row.
pub(super) fn each_row(
    inventory: &RawInventory,
    rows: &Rows<'_>,
    f: &mut dyn FnMut(&RawRow) -> Result<(), Error>,
) -> Result<(), Error> {
    // The second half is read after the header, so a row's cells are counted against it.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(rows.header.as_bytes().chain(rows.text.as_bytes()));
    let mut record = csv::ByteRecord::new();
    let mut lines = LineCounter::new(rows.text, rows.first_line);
    let mut row = RawRow::default();
    let mut spare: Vec<String> = Vec::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                // The line from the record's offset: the csv crate's own count runs one behind
                // after a blank line or CRLF.
                let line = e.position().map(|position| {
                    lines.line_at((position.byte() as usize).saturating_sub(rows.header.len()))
                });
                return Err(csv_error(&inventory.path, &e, line));
            }
        }
        let line = record.position().map_or(0, |position| {
            lines.line_at((position.byte() as usize).saturating_sub(rows.header.len()))
        });
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
    /// The line the text starts on.
    first_line: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str, first_line: usize) -> LineCounter<'a> {
        LineCounter {
            text: text.as_bytes(),
            offset: 0,
            first_line,
            line: first_line,
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
            self.offset = 0;
            self.line = self.first_line;
        }
        self.line += self.text[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = offset;
        self.line
    }
}

/// `line`: where the error is in the file.
fn csv_error(path: &Path, error: &csv::Error, line: Option<usize>) -> Error {
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
            each_row(&inventory, &Rows::whole(&inventory), &mut |row| {
                lines.push(row.line);
                Ok(())
            })
            .unwrap();
            assert_eq!(lines, [2, 4], "{ending:?}");
        }
    }
}
