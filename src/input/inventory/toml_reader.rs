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
use crate::model::rate::{Fraction, parse_decimal};
use crate::model::scenario::{ChangeSpec, Ramp, ScenarioSpec};
use crate::model::values::shorten;

type SpannedTable = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InventoryFile {
    defaults: Option<SpannedTable>,
    assumptions: Option<AssumptionsTable>,
    cluster: Option<ClusterTable>,
    #[serde(default)]
    scenario: Vec<Spanned<ScenarioTable>>,
    #[serde(default)]
    service: Vec<Spanned<SpannedTable>>,
}

/// `[[scenario]]`: a forecast scenario (docs/model.md#forecast).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioTable {
    name: String,
    cluster_nodes: Option<Spanned<ChangeTable>>,
    deploys_per_day: Option<Spanned<ChangeTable>>,
    new_services_per_month: Option<Spanned<toml::Value>>,
}

/// `{ from = 40, to = 120, ramp = "linear" }`, `{ factor = 2, ramp = "step", at_month = 6 }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeTable {
    from: Option<toml::Value>,
    to: Option<toml::Value>,
    factor: Option<toml::Value>,
    ramp: Option<String>,
    at_month: Option<u32>,
    percent_per_month: Option<f64>,
}

/// A scenario table as the shared [`ScenarioSpec`], refused at its line.
fn scenario_spec(
    path: &Path,
    text: &str,
    table: &Spanned<ScenarioTable>,
) -> Result<ScenarioSpec, Error> {
    let refuse = |span: std::ops::Range<usize>, key: &str, message: String| Error::Input {
        place: Place::file_line(path, line_of(text, span.start), key),
        message,
    };
    let number = |value: &Option<toml::Value>, span: std::ops::Range<usize>, key: &str| {
        value
            .as_ref()
            .map(|value| {
                let written = match value {
                    toml::Value::String(s) => s.trim().to_string(),
                    other => other.to_string(),
                };
                parse_decimal(&written).ok_or_else(|| {
                    refuse(
                        span.clone(),
                        key,
                        format!("'{}' is not a number of 0 or more", shorten(&written)),
                    )
                })
            })
            .transpose()
    };
    let change = |change: &Option<Spanned<ChangeTable>>, key: &str| {
        change
            .as_ref()
            .map(|spanned| {
                let span = spanned.span();
                let table = spanned.get_ref();
                let ramp = match (
                    table.ramp.as_deref().map(str::trim),
                    table.at_month,
                    table.percent_per_month,
                ) {
                    (None | Some("linear"), None, None) => Ramp::Linear,
                    (Some("step"), Some(at_month), None) => Ramp::Step { at_month },
                    (Some("compound"), None, Some(percent_per_month))
                        if percent_per_month.is_finite() && percent_per_month > -100.0 =>
                    {
                        Ramp::Compound { percent_per_month }
                    }
                    (ramp, _, _) => {
                        return Err(refuse(
                            span,
                            key,
                            format!(
                                "has the ramp '{}' with at_month {:?} and percent_per_month {:?}; \
                                 expected {}, e.g. {key} = {{ factor = 2, ramp = \"step\", \
                                 at_month = 6 }}",
                                shorten(ramp.unwrap_or("linear")),
                                table.at_month,
                                table.percent_per_month,
                                Ramp::ACCEPTED
                            ),
                        ));
                    }
                };
                Ok(ChangeSpec {
                    from: number(&table.from, span.clone(), key)?,
                    to: number(&table.to, span.clone(), key)?,
                    factor: number(&table.factor, span.clone(), key)?,
                    ramp,
                })
            })
            .transpose()
    };
    let scenario = table.get_ref();
    let new_services_per_month = match &scenario.new_services_per_month {
        Some(value) => number(
            &Some(value.get_ref().clone()),
            value.span(),
            "new_services_per_month",
        )?
        .unwrap_or(Fraction::ZERO),
        None => Fraction::ZERO,
    };
    Ok(ScenarioSpec {
        name: scenario.name.clone(),
        cluster_nodes: change(&scenario.cluster_nodes, "cluster_nodes")?,
        deploys_per_day: change(&scenario.deploys_per_day, "deploys_per_day")?,
        new_services_per_month,
    })
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
    let scenarios = file
        .scenario
        .iter()
        .map(|table| {
            Ok((
                scenario_spec(&path, &text, table)?,
                line_of(&text, table.span().start),
            ))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(RawInventory {
        csv_columns: Vec::new(),
        path,
        syntax: Syntax::Toml,
        cluster,
        scenarios,
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
