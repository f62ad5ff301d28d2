//! The TOML inventory: `[defaults]` (fleet defaults), `[assumptions]` (as an assumptions file),
//! `[cluster]` (the cluster's and node pools' sizes) and one `[[service]]` table per service with the same fields as the CSV columns. Numbers may
//! be written bare (`nodes = 10`); sizes as strings (`before = "850MB"`) or bare bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::{
    RawCluster, RawInventory, RawRow, RawValue, Syntax, default_fields, known_field, row_fields,
};
use crate::error::{Error, Place};
use crate::input::assumptions::{AssumptionsTable, line_of, toml_error, unknown_key, with_article};

type SpannedTable = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InventoryFile {
    defaults: Option<SpannedTable>,
    assumptions: Option<AssumptionsTable>,
    cluster: Option<ClusterTable>,
    #[serde(default)]
    service: Vec<Spanned<SpannedTable>>,
}

/// `[cluster]`: `nodes = 40`, `pools = { gpu = 8 }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClusterTable {
    nodes: Option<Spanned<toml::Value>>,
    pools: Option<SpannedTable>,
}

/// Reads a TOML inventory from its text.
pub fn read(path: PathBuf, text: String) -> Result<RawInventory, Error> {
    let file: InventoryFile = toml::from_str(&text).map_err(|e| toml_error(&path, &text, &e))?;
    let defaults = match &file.defaults {
        Some(table) => raw_row(&path, &text, 0, table, true)?,
        None => RawRow::default(),
    };
    let mut rows = Vec::with_capacity(file.service.len());
    for service in &file.service {
        let line = line_of(&text, service.span().start);
        rows.push(raw_row(&path, &text, line, service.get_ref(), false)?);
    }
    let mut cluster = RawCluster::default();
    if let Some(table) = &file.cluster {
        if let Some(nodes) = &table.nodes {
            cluster.nodes = Some(raw_value(&path, &text, "nodes", nodes)?);
        }
        for (name, nodes) in table.pools.iter().flatten() {
            let pool = RawValue {
                text: name.get_ref().clone(),
                line: line_of(&text, name.span().start),
            };
            let nodes = raw_value(&path, &text, name.get_ref(), nodes)?;
            cluster.pools.push((pool, nodes));
        }
    }
    Ok(RawInventory {
        path,
        syntax: Syntax::Toml,
        cluster,
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
    in_defaults: bool,
) -> Result<RawRow, Error> {
    let known = || -> Box<dyn Iterator<Item = &'static str>> {
        if in_defaults {
            Box::new(default_fields())
        } else {
            Box::new(row_fields())
        }
    };
    let kind = if in_defaults {
        "key in [defaults]"
    } else {
        "key"
    };
    let mut values = Vec::with_capacity(table.len());
    for (key, value) in table {
        let key_line = line_of(text, key.span().start);
        let written = key.get_ref().as_str();
        let Some(name) = known_field(known(), written).filter(|name| *name == written) else {
            return Err(Error::Input {
                place: Place::file_line(path, key_line, &crate::model::values::shorten(written)),
                message: unknown_key(kind, written, known()),
            });
        };
        let value = raw_value(path, text, name, value)?;
        if !value.text.is_empty() {
            values.push((name, value));
        }
    }
    Ok(RawRow { line, values })
}

/// A TOML value as text (strings trimmed, numbers as written), with its line.
fn raw_value(
    path: &Path,
    text: &str,
    name: &str,
    value: &Spanned<toml::Value>,
) -> Result<RawValue, Error> {
    let value_line = line_of(text, value.span().start);
    let as_text = match value.get_ref() {
        toml::Value::String(s) => s.trim().to_string(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        other => {
            return Err(Error::Input {
                place: Place::file_line(path, value_line, name),
                message: format!(
                    "'{other}' is {}; expected a string or a number",
                    with_article(other.type_str())
                ),
            });
        }
    };
    Ok(RawValue {
        text: as_text,
        line: value_line,
    })
}
