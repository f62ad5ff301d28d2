//! `forecast` in every format: text for the terminal, the JSON contract
//! (docs/forecast.schema.json), a Markdown comment, an HTML page with charts
//! ([`super::forecast_html`]), and CSV of the monthly table for spreadsheets, its text cells
//! neutralised against formula injection.

use std::fmt::Write as _;

use crate::error::Error;
use crate::report::forecast::{ForecastReport, MonthView, ScenarioView, StateFigures};
use crate::units::{format_bytes, format_money};

use super::markdown::{NAME_CHARS, escape_inline, shorten};
use super::table::{Align, Table};
use super::text::terminal_safe;

/// Formats of `forecast`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ForecastFormat {
    Text,
    Json,
    Markdown,
    Html,
    Csv,
}

/// Renders the forecast.
pub fn render(report: &ForecastReport, format: ForecastFormat) -> Result<String, Error> {
    match format {
        ForecastFormat::Text => Ok(text(report)),
        ForecastFormat::Json => super::json::to_string(report, "the forecast"),
        ForecastFormat::Markdown => Ok(markdown(report)),
        ForecastFormat::Html => super::forecast_html::render(report),
        ForecastFormat::Csv => csv(report),
    }
}

/// The month's full-pull unpacked bytes plus the new nodes', of one state.
pub fn moved_disk(state: &StateFigures) -> i128 {
    state
        .full_pull
        .disk_bytes
        .saturating_add(state.new_nodes.disk_bytes)
}

/// The month's wire bytes (full pull plus new nodes), of one state.
pub fn moved_wire(state: &StateFigures) -> i128 {
    state
        .full_pull
        .wire_bytes
        .saturating_add(state.new_nodes.wire_bytes)
}

/// The cells of one month (or the total): label, nodes, pulls, as is, slimmed, saved, new-node
/// bytes as is, money saved. Transfer is unpacked, full-pull bound, new nodes apart.
fn cells(
    label: String,
    nodes: Option<f64>,
    pulls: &crate::model::rate::Fraction,
    as_is: &StateFigures,
    slimmed: &StateFigures,
    saved: &StateFigures,
    currency: &str,
) -> [String; 8] {
    [
        label,
        nodes
            .map(|nodes| format!("{:.1}", nodes))
            .unwrap_or_else(|| "—".to_string()),
        crate::units::format_count(pulls.rounded()),
        format_bytes(as_is.full_pull.disk_bytes),
        format_bytes(slimmed.full_pull.disk_bytes),
        format_bytes(saved.full_pull.disk_bytes),
        format_bytes(as_is.new_nodes.disk_bytes),
        format_money(saved.transfer_cost, currency),
    ]
}

fn month_cells(month: &MonthView, currency: &str) -> [String; 8] {
    cells(
        month.month.to_string(),
        month.cluster_nodes,
        &month.pulls,
        &month.as_is,
        &month.slimmed,
        &month.saved,
        currency,
    )
}

fn total_cells(scenario: &ScenarioView, currency: &str) -> [String; 8] {
    let totals = &scenario.totals;
    cells(
        "total".to_string(),
        None,
        &totals.pulls,
        &totals.as_is,
        &totals.slimmed,
        &totals.saved,
        currency,
    )
}

const HEADERS: [&str; 8] = [
    "month",
    "nodes",
    "pulls",
    "as is",
    "slimmed",
    "saved",
    "new nodes",
    "money saved",
];

/// The totals in sentences: wire, expected, money, storage, node time, new-node pulls.
pub fn total_sentences(scenario: &ScenarioView, currency: &str) -> Vec<String> {
    let t = &scenario.totals;
    let money = |amount: f64| format_money(amount, currency);
    let mut sentences = vec![
        format!(
            "Wire bytes (full pull): {} as is, {} slimmed, {} saved; with layer caches \
             (expected): {} as is, {} slimmed.",
            format_bytes(t.as_is.full_pull.wire_bytes),
            format_bytes(t.slimmed.full_pull.wire_bytes),
            format_bytes(t.saved.full_pull.wire_bytes),
            t.as_is
                .expected_wire_bytes
                .map(format_bytes)
                .unwrap_or_default(),
            t.slimmed
                .expected_wire_bytes
                .map(format_bytes)
                .unwrap_or_default(),
        ),
        format!(
            "Nodes added by growth pull {} images: {} unpacked as is, {} slimmed ({} and {} on \
             the wire), not in the monthly deploy figures.",
            crate::units::format_count(t.new_node_pulls.rounded()),
            format_bytes(t.as_is.new_nodes.disk_bytes),
            format_bytes(t.slimmed.new_nodes.disk_bytes),
            format_bytes(t.as_is.new_nodes.wire_bytes),
            format_bytes(t.slimmed.new_nodes.wire_bytes),
        ),
        format!(
            "Money: transfer {} as is, {} slimmed ({} saved); registry storage {} as is, {} \
             slimmed over the period. Node time pulling: {} node-hours as is, {} slimmed.",
            money(t.as_is.transfer_cost),
            money(t.slimmed.transfer_cost),
            money(t.saved.transfer_cost),
            money(t.as_is.registry_storage_cost),
            money(t.slimmed.registry_storage_cost),
            crate::units::format_count(t.as_is.node_hours.round().max(0.0) as u128),
            crate::units::format_count(t.slimmed.node_hours.round().max(0.0) as u128),
        ),
    ];
    if let Some(planned) = &t.planned {
        sentences.push(format!(
            "With the planned work (plans at their runtime target's high end): {} unpacked, {} \
             on the wire, {}.",
            format_bytes(planned.full_pull.disk_bytes),
            format_bytes(planned.full_pull.wire_bytes),
            money(planned.transfer_cost),
        ));
    }
    sentences
}

/// Every month's cells and the total's, of one scenario.
pub fn table_rows(scenario: &ScenarioView, currency: &str) -> Vec<[String; 8]> {
    scenario
        .months
        .iter()
        .map(|month| month_cells(month, currency))
        .chain(std::iter::once(total_cells(scenario, currency)))
        .collect()
}

fn text(report: &ForecastReport) -> String {
    let forecast = &report.forecast;
    let currency = &forecast.currency;
    let mut out = String::new();
    let wrap = |text: &str| super::text::wrap(&terminal_safe(text), 78);
    let _ = writeln!(out, "{}", terminal_safe(&report.title));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", wrap(&forecast.headline));
    let table = Table::new(
        &[
            (5, Align::Left),
            (6, Align::Right),
            (11, Align::Right),
            (9, Align::Right),
            (9, Align::Right),
            (9, Align::Right),
            (9, Align::Right),
            (12, Align::Right),
        ],
        " ",
    );
    for scenario in &forecast.scenarios {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}",
            wrap(&format!(
                "Scenario '{}': {} — transfer unpacked, full-pull upper bound, by month of {:.2} \
                 days",
                scenario.name, scenario.changes, forecast.days_per_month
            ))
        );
        let _ = writeln!(out, "{}", table.row(&HEADERS));
        for row in table_rows(scenario, currency) {
            let refs: Vec<&str> = row.iter().map(String::as_str).collect();
            let _ = writeln!(out, "{}", table.row(&refs));
        }
        for sentence in total_sentences(scenario, currency) {
            let _ = writeln!(out, "{}", wrap(&sentence));
        }
    }
    let _ = writeln!(out);
    out.push_str(&super::burst::text(&report.bursts));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", wrap(&format!("Figures: {}.", forecast.basis)));
    out
}

fn markdown(report: &ForecastReport) -> String {
    let forecast = &report.forecast;
    let currency = &forecast.currency;
    let mut out = String::new();
    let _ = writeln!(out, "<!-- fleetsave:forecast -->");
    let _ = writeln!(
        out,
        "### {}",
        escape_inline(&shorten(&report.title, NAME_CHARS))
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", escape_inline(&forecast.headline));
    for scenario in &forecast.scenarios {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "**{}**: {} (unpacked, full-pull upper bound)",
            escape_inline(&shorten(&scenario.name, NAME_CHARS)),
            escape_inline(&scenario.changes)
        );
        let _ = writeln!(out);
        let _ = writeln!(out, "| {} |", HEADERS.join(" | "));
        let _ = writeln!(out, "|:--|--:|--:|--:|--:|--:|--:|--:|");
        for row in table_rows(scenario, currency) {
            let cells: Vec<String> = row.iter().map(|cell| escape_inline(cell)).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        let _ = writeln!(out);
        for sentence in total_sentences(scenario, currency) {
            let _ = writeln!(out, "{}", escape_inline(&sentence));
            let _ = writeln!(out);
        }
    }
    for line in super::burst::markdown(&report.bursts) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}",
        escape_inline(&format!("Figures: {}.", forecast.basis))
    );
    out
}

/// A CSV cell that a spreadsheet would read as a formula (a leading `=`, `+`, `-`, `@`, tab or
/// carriage return, OWASP's list) gets a leading `'`; numbers stay numbers.
pub fn neutralised(cell: &str) -> String {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = cell.parse::<f64>().is_ok_and(f64::is_finite);
    if formula && !number {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn csv(report: &ForecastReport) -> Result<String, Error> {
    let forecast = &report.forecast;
    let mut header: Vec<String> = [
        "scenario",
        "month",
        "cluster_nodes",
        "node_factor",
        "deploy_factor",
        "service_factor",
        "pulls",
        "new_node_pulls",
    ]
    .map(str::to_string)
    .to_vec();
    let states = forecast.states.iter().copied().chain(["saved"]);
    let fields = [
        "full_pull_disk_bytes",
        "full_pull_wire_bytes",
        "expected_wire_bytes",
        "new_nodes_disk_bytes",
        "new_nodes_wire_bytes",
        "transfer_cost",
        "registry_storage_cost",
        "node_hours",
    ];
    for state in states.clone() {
        for field in fields {
            header.push(format!("{state}_{field}"));
        }
    }
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let fail = |e: ::csv::Error| Error::Internal(format!("cannot write the CSV: {e}"));
    writer.write_record(&header).map_err(fail)?;
    for scenario in &forecast.scenarios {
        for month in &scenario.months {
            let mut record = vec![
                neutralised(&scenario.name),
                month.month.to_string(),
                month
                    .cluster_nodes
                    .map(|nodes| nodes.to_string())
                    .unwrap_or_default(),
                month.node_factor.to_string(),
                month.deploy_factor.to_string(),
                month.service_factor.to_string(),
                month.pulls.as_f64().to_string(),
                month.new_node_pulls.as_f64().to_string(),
            ];
            for state in states.clone() {
                let figures = match state {
                    "as_is" => Some(&month.as_is),
                    "slimmed" => Some(&month.slimmed),
                    "planned" => month.planned.as_ref(),
                    _ => Some(&month.saved),
                };
                let figures = figures.copied().unwrap_or_default();
                record.extend([
                    figures.full_pull.disk_bytes.to_string(),
                    figures.full_pull.wire_bytes.to_string(),
                    figures
                        .expected_wire_bytes
                        .map(|bytes| bytes.to_string())
                        .unwrap_or_default(),
                    figures.new_nodes.disk_bytes.to_string(),
                    figures.new_nodes.wire_bytes.to_string(),
                    figures.transfer_cost.to_string(),
                    figures.registry_storage_cost.to_string(),
                    figures.node_hours.to_string(),
                ]);
            }
            writer.write_record(&record).map_err(fail)?;
        }
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::Internal(format!("cannot write the CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::Internal(format!("cannot write the CSV: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_quoted_and_numbers_kept() {
        assert_eq!(neutralised("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralised("+1+1"), "'+1+1");
        assert_eq!(neutralised("-cmd"), "'-cmd");
        assert_eq!(neutralised("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralised("-12.5"), "-12.5");
        assert_eq!(neutralised("growth"), "growth");
    }
}
