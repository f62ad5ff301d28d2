//! The TOML inventory: `[defaults]` (fleet defaults), `[assumptions]` (as an assumptions file)
//! and one `[[service]]` table per service with the same fields as the CSV columns. Numbers may
//! be written bare (`nodes = 10`); sizes as strings (`before = "850MB"`) or bare bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::{DEFAULT_FIELDS, KNOWN_FIELDS, RawInventory, RawRow, RawValue, unknown_field_message};
use crate::assumptions::{AssumptionsTable, line_of, toml_error};
use crate::error::{Error, Place};

type SpannedTable = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InventoryFile {
    defaults: Option<SpannedTable>,
    assumptions: Option<AssumptionsTable>,
    #[serde(default)]
    service: Vec<Spanned<SpannedTable>>,
}

/// Reads a TOML inventory from its text.
pub fn read(path: PathBuf, text: String) -> Result<RawInventory, Error> {
    let file: InventoryFile = toml::from_str(&text).map_err(|e| toml_error(&path, &text, &e))?;
    let defaults = match &file.defaults {
        Some(table) => raw_row(&path, &text, 0, table, DEFAULT_FIELDS, "key in [defaults]")?,
        None => RawRow::default(),
    };
    let mut rows = Vec::with_capacity(file.service.len());
    for service in &file.service {
        let line = line_of(&text, service.span().start);
        rows.push(raw_row(
            &path,
            &text,
            line,
            service.get_ref(),
            KNOWN_FIELDS,
            "key",
        )?);
    }
    Ok(RawInventory {
        path,
        rows,
        defaults,
        assumptions: file.assumptions,
        text,
    })
}

fn raw_row(
    path: &Path,
    text: &str,
    line: usize,
    table: &SpannedTable,
    known: &[&'static str],
    kind: &str,
) -> Result<RawRow, Error> {
    let mut values = Vec::with_capacity(table.len());
    for (key, value) in table {
        let key_line = line_of(text, key.span().start);
        let written = key.get_ref().as_str();
        let Some(name) = known.iter().copied().find(|field| *field == written) else {
            return Err(Error::Input {
                place: Place::file_line(path, key_line, written),
                message: unknown_field_message(kind, written, known),
            });
        };
        let value_line = line_of(text, value.span().start);
        let as_text = match value.get_ref() {
            toml::Value::String(s) => s.trim().to_string(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            other => {
                return Err(Error::Input {
                    place: Place::file_line(path, value_line, name),
                    message: format!(
                        "'{other}' is a {}; expected a string or a number",
                        other.type_str()
                    ),
                });
            }
        };
        if !as_text.is_empty() {
            values.push((
                name,
                RawValue {
                    text: as_text,
                    line: value_line,
                },
            ));
        }
    }
    Ok(RawRow { line, values })
}
