//! `fleetsave layers`: each layer with its bytes, the step that made it and its fleet cost, and
//! dive's waste figures — as text or JSON.

use std::fmt::Write;

use super::cells::NONE;
use super::comment;
use super::html::filters;
use super::markdown::{NAME_CHARS, escape_inline, shorten};
use super::table::{Align, Table, truncate};
use super::text::{terminal_safe, terminal_safe_lines};
use crate::error::Error;
use crate::report::layers::{Fleet, LayersReport, Value};
use crate::units::{counted, format_bytes, format_count, format_money, format_price};

/// Formats of `layers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LayersFormat {
    Text,
    Json,
    /// A pull-request comment: the layers, and the top findings with their fleet value.
    Markdown,
    /// A self-contained page: the layers, and where the bytes are (chart and findings).
    Html,
}

/// Renders the report.
pub fn render(report: &LayersReport, format: LayersFormat) -> Result<String, Error> {
    match format {
        LayersFormat::Json => super::json::to_string(report, "the layers"),
        LayersFormat::Text => Ok(terminal_safe_lines(&text(report))),
        LayersFormat::Markdown => Ok(markdown(report)),
        LayersFormat::Html => html(report),
    }
}

/// `1,200 pulls a day (1 service × 300 nodes × 4 deploys a day) at $0.045/GB`.
fn pulls(fleet: &Fleet) -> String {
    format!(
        "{} a day ({} × {} × {} a day) at {}/GB",
        fleet.pulls_per_day.counted("pull"),
        counted(u128::from(fleet.services), "service"),
        counted(u128::from(fleet.nodes), "node"),
        fleet.deploys_per_day.counted("deploy"),
        format_price(fleet.price_per_gb, &fleet.currency)
    )
}

/// `50 pulls a day (1 service × 10 nodes × 5 deploys a day) at $0.045/GB — upper bound: …`.
pub fn fleet_line(fleet: &Fleet) -> String {
    format!("{} — {}", pulls(fleet), fleet.basis)
}

/// The fleet and both bases, as a paragraph of the comment and the page.
fn fleet_note(fleet: &Fleet) -> String {
    format!(
        "{}. Full pull per layer: the upper bound, every pull a full pull. {}",
        pulls(fleet),
        fleet.expected_basis.as_deref().unwrap_or_default()
    )
}

/// `sha256:` and the first 12 hex digits.
fn short_digest(digest: &str) -> String {
    digest
        .split_once(':')
        .map(|(algorithm, hex)| format!("{algorithm}:{}", hex.get(..12).unwrap_or(hex)))
        .unwrap_or_else(|| digest.to_string())
}

fn bytes(value: Option<u64>) -> String {
    value
        .map(|v| format_bytes(i128::from(v)))
        .unwrap_or_else(|| NONE.to_string())
}

fn text(report: &LayersReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        super::text::image_line(&report.source, &report.kind, report.platform.as_deref())
    );
    let _ = writeln!(out, "  history: {}", report.history);
    if let Some(base) = &report.base_image {
        let _ = writeln!(
            out,
            "  base image: {} — its layers (same digest) marked [base]",
            terminal_safe(base)
        );
    }
    if let Some(fleet) = &report.fleet {
        let _ = writeln!(
            out,
            "  fleet: {}\n  full pull: {}",
            pulls(fleet),
            fleet.basis,
        );
        if let Some(expected) = &fleet.expected_basis {
            let _ = writeln!(out, "  {expected}");
        }
    }
    let table = Table::new(
        &[
            (3, Align::Right),
            (19, Align::Left),
            (10, Align::Right),
            (10, Align::Right),
            (6, Align::Right),
            (13, Align::Right),
            (12, Align::Right),
            (12, Align::Right),
        ],
        " ",
    );
    let _ = writeln!(
        out,
        "  {}",
        table.row(&[
            "#",
            "layer",
            "wire",
            "unpacked",
            "share",
            "full pull/day",
            "expected/day",
            "expected/year",
            "created by"
        ])
    );
    for layer in &report.layers {
        let short = short_digest(&layer.digest);
        let created = layer
            .created_by
            .as_deref()
            .map(|c| truncate(&terminal_safe(c), 60))
            .unwrap_or_else(|| "(no history entry)".to_string());
        let _ = writeln!(
            out,
            "  {}",
            table.row(&[
                &layer.index.to_string(),
                &short,
                &bytes(layer.wire_bytes),
                &bytes(layer.unpacked_bytes),
                &layer
                    .share
                    .map(|s| format!("{:.1}%", s * 100.0))
                    .unwrap_or_else(|| NONE.to_string()),
                &layer
                    .full_pull_transfer_per_day_bytes
                    .map(|b| format_bytes(i128::try_from(b).unwrap_or(i128::MAX)))
                    .unwrap_or_else(|| NONE.to_string()),
                &layer
                    .expected_transfer_per_day_bytes
                    .map(format_bytes)
                    .unwrap_or_else(|| NONE.to_string()),
                &match (&report.fleet, layer.expected_cost_per_year) {
                    (Some(fleet), Some(cost)) => format_money(cost, &fleet.currency),
                    _ => NONE.to_string(),
                },
                &match layer.in_base {
                    Some(true) => format!("[base] {created}"),
                    _ => created,
                },
            ])
        );
    }
    let _ = writeln!(
        out,
        "  wire and unpacked: the layer blob and its tar stream; share: {}",
        report.share_basis
    );
    if let Some(waste) = &report.findings.waste {
        let w = &waste.figures;
        let _ = writeln!(out, "waste, as dive counts it ({})", waste.basis);
        let _ = writeln!(out, "  efficiency           {}", w.efficiency);
        let _ = writeln!(
            out,
            "  size                 {} bytes",
            format_count(u128::from(w.size_bytes))
        );
        let _ = writeln!(
            out,
            "  user size            {} bytes (every layer but the first)",
            format_count(u128::from(w.user_size_bytes))
        );
        let _ = writeln!(
            out,
            "  wasted               {} bytes",
            format_count(u128::from(w.wasted_bytes))
        );
        let _ = writeln!(
            out,
            "  user wasted percent  {}",
            w.user_wasted_percent
                .map(|p| p.to_string())
                .unwrap_or_else(|| NONE.to_string())
        );
        if !w.inefficient_files.is_empty() {
            let _ = writeln!(out, "  inefficient files (count, cumulative bytes, path):");
            for file in &w.inefficient_files {
                let _ = writeln!(
                    out,
                    "  {:>5} {:>14} {}",
                    file.count,
                    format_count(u128::from(file.cumulative_bytes)),
                    terminal_safe(&file.path)
                );
            }
        }
    }
    leftovers(&mut out, report);
    for note in &report.notes {
        let _ = writeln!(out, "note: {}", terminal_safe(note));
    }
    out
}

/// The leftovers (at most 5 rows and "… N more") and the recoverable total, after the waste.
fn leftovers(out: &mut String, report: &LayersReport) {
    let Some(found) = &report.findings.leftovers else {
        return;
    };
    let _ = writeln!(out, "leftovers in the final filesystem ({})", found.basis);
    if found.items.is_empty() {
        let _ = writeln!(out, "  none found");
    } else {
        let table = Table::new(
            &[
                (14, Align::Right),
                (6, Align::Right),
                (5, Align::Right),
                (18, Align::Left),
                (12, Align::Right),
                (10, Align::Right),
            ],
            " ",
        );
        let _ = writeln!(
            out,
            "  {}",
            table.row(&[
                "bytes",
                "files",
                "layer",
                "rule",
                "transfer/day",
                "money/year",
                "largest path; technique"
            ])
        );
        for item in found.items.iter().take(ROWS) {
            let (transfer, money) = value_cells(report, item.fleet_value.as_ref());
            let largest = item
                .paths
                .first()
                .map(|p| truncate(&terminal_safe(&p.path), 50))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}",
                table.row(&[
                    &format_count(u128::from(item.bytes)),
                    &item.path_count.to_string(),
                    &item.layer.index.to_string(),
                    &item.rule,
                    &transfer,
                    &money,
                    &format!(
                        "{largest}; {}. {}",
                        item.technique.priority, item.technique.technique
                    ),
                ])
            );
        }
        if found.items.len() > ROWS {
            let _ = writeln!(out, "  … {} more", found.items.len() - ROWS);
        }
        let _ = writeln!(
            out,
            "  total {} bytes in {}",
            format_count(u128::from(found.bytes)),
            counted(u128::from(found.files), "file")
        );
    }
    if let Some(basis) = &found.value_basis {
        let _ = writeln!(out, "  transfer and money: {basis}");
    }
    if let Some(recoverable) = &report.findings.recoverable {
        let (transfer, money) = value_cells(report, recoverable.fleet_value.as_ref());
        let value = if recoverable.fleet_value.is_some() {
            format!(" — {transfer} a day, {money} a year (estimated)")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "recoverable          {} bytes (wasted {} + leftovers {} − {} counted in both){value}",
            format_count(u128::from(recoverable.bytes)),
            format_count(u128::from(recoverable.wasted_bytes)),
            format_count(u128::from(recoverable.leftover_bytes)),
            format_count(u128::from(recoverable.counted_in_both_bytes)),
        );
    }
}

/// Leftover rows shown in text.
const ROWS: usize = 5;

fn value_cells(report: &LayersReport, value: Option<&Value>) -> (String, String) {
    super::findings::value_cells(
        value,
        report.fleet.as_ref().map(|fleet| fleet.currency.as_str()),
    )
}

/// The pull-request comment: the layers (as many as fit), then where the bytes are.
fn markdown(report: &LayersReport) -> String {
    let currency = report.fleet.as_ref().map(|fleet| fleet.currency.as_str());
    let mut head = format!(
        "{}\n### fleetsave: where the bytes of {} are\n\n",
        comment::marker_line("layers"),
        escape_inline(&shorten(&report.source, NAME_CHARS))
    );
    if let Some(fleet) = &report.fleet {
        head.push_str(&escape_inline(&fleet_note(fleet)));
        head.push_str("\n\n");
    }
    let rows: Vec<String> = report
        .layers
        .iter()
        .map(|layer| {
            let money = match (&report.fleet, layer.expected_cost_per_year) {
                (Some(fleet), Some(cost)) => format_money(cost, &fleet.currency),
                _ => NONE.to_string(),
            };
            format!(
                "| {}{} | {} | {} | {} | {} | {} |",
                escape_inline(&super::findings::layer_label(
                    layer.index,
                    layer.created_by.as_deref()
                )),
                if layer.in_base == Some(true) {
                    " (base)"
                } else {
                    ""
                },
                bytes(layer.wire_bytes),
                bytes(layer.unpacked_bytes),
                layer
                    .full_pull_transfer_per_day_bytes
                    .map(|b| format_bytes(i128::try_from(b).unwrap_or(i128::MAX)))
                    .unwrap_or_else(|| NONE.to_string()),
                layer
                    .expected_transfer_per_day_bytes
                    .map(format_bytes)
                    .unwrap_or_else(|| NONE.to_string()),
                escape_inline(&money)
            )
        })
        .collect();
    let mut tail = String::from("\n");
    if report.findings.waste.is_some() {
        tail.push_str(&super::findings::markdown(
            &report.source,
            &report.findings,
            currency,
        ));
        tail.push('\n');
    }
    for note in &report.notes {
        tail.push_str(&format!("Note: {}\n\n", escape_inline(note)));
    }
    tail.push_str(&comment::footer(None, ""));
    tail.push('\n');
    comment::with_table(
        &head,
        "| layer | wire | unpacked | full pull/day | expected/day | expected/year |\n|:--|--:|--:|--:|--:|--:|\n",
        &rows,
        |omitted| {
            format!(
                "\n… and {} more not shown.",
                counted(omitted as u128, "layer")
            )
        },
        &tail,
    )
}

/// The rows of the HTML page's layer table.
struct LayerCells {
    step: String,
    base: bool,
    digest: String,
    wire: String,
    unpacked: String,
    full_pull: String,
    expected: String,
    money: String,
}

#[derive(askama::Template)]
#[template(path = "layers.html")]
struct LayersPage {
    version: &'static str,
    title: String,
    subtitle: String,
    fleet_note: Option<String>,
    layers: Vec<LayerCells>,
    section: super::findings::ImageSection,
    has_findings: bool,
    notes: Vec<String>,
}

/// The HTML page: the layers, then where the bytes are.
fn html(report: &LayersReport) -> Result<String, Error> {
    use askama::Template;
    let currency = report.fleet.as_ref().map(|fleet| fleet.currency.as_str());
    let page = LayersPage {
        version: env!("CARGO_PKG_VERSION"),
        title: format!("fleetsave: where the bytes of {} are", report.source),
        subtitle: format!(
            "{}{} · {} · history {}",
            report.kind,
            report
                .platform
                .as_deref()
                .map(|p| format!(" {p}"))
                .unwrap_or_default(),
            counted(report.layers.len() as u128, "layer"),
            report.history
        ),
        fleet_note: report.fleet.as_ref().map(fleet_note),
        layers: report
            .layers
            .iter()
            .map(|layer| LayerCells {
                step: super::findings::layer_label(layer.index, layer.created_by.as_deref()),
                base: layer.in_base == Some(true),
                digest: short_digest(&layer.digest),
                wire: bytes(layer.wire_bytes),
                unpacked: bytes(layer.unpacked_bytes),
                full_pull: layer
                    .full_pull_transfer_per_day_bytes
                    .map(|b| format_bytes(i128::try_from(b).unwrap_or(i128::MAX)))
                    .unwrap_or_else(|| NONE.to_string()),
                expected: layer
                    .expected_transfer_per_day_bytes
                    .map(format_bytes)
                    .unwrap_or_else(|| NONE.to_string()),
                money: match (&report.fleet, layer.expected_cost_per_year) {
                    (Some(fleet), Some(cost)) => format_money(cost, &fleet.currency),
                    _ => NONE.to_string(),
                },
            })
            .collect(),
        section: super::findings::section(
            0,
            &report.source,
            "",
            &report.layers,
            &report.findings,
            currency,
        )?,
        has_findings: report.findings.waste.is_some(),
        notes: report.notes.clone(),
    };
    page.render()
        .map_err(|e| Error::Internal(format!("cannot render the HTML template: {e}")))
}
