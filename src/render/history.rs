//! `fleetsave history`: the builds of one repository with what each pull moved, the measured
//! parameters and the backtest — as text, JSON, a Markdown table of the last builds with deltas,
//! or an HTML page with the trend charts.

use std::fmt::Write;

use super::cells::{NONE, signed_bytes};
use super::table::{Align, Table, truncate};
use super::text::{terminal_safe, terminal_safe_lines};
use crate::error::Error;
use crate::report::history::{BuildView, HistoryReport};
use crate::units::{counted, format_bytes};

/// Formats of `history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HistoryFormat {
    Text,
    Json,
    Markdown,
}

/// Builds the Markdown table shows: the last ones.
pub const MARKDOWN_BUILDS: usize = 10;

/// Renders the report.
pub fn render(report: &HistoryReport, format: HistoryFormat) -> Result<String, Error> {
    match format {
        HistoryFormat::Json => super::json::to_string(report, "the history"),
        HistoryFormat::Text => Ok(terminal_safe_lines(&text(report))),
        HistoryFormat::Markdown => Ok(markdown(report)),
    }
}

fn bytes(value: u64) -> String {
    format_bytes(i128::from(value))
}

/// A size with `*` when estimated.
fn sized(value: u64, estimated: bool) -> String {
    format!("{}{}", bytes(value), if estimated { "*" } else { "" })
}

/// A share as a percentage with one decimal: `9.6%`.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A signed error as a percentage: `+3.2%`, `−0.4%`.
pub fn error_percent(error: f64) -> String {
    let text = format!("{:.1}%", error.abs() * 100.0);
    if text == "0.0%" {
        text
    } else if error > 0.0 {
        format!("+{text}")
    } else {
        format!("−{text}")
    }
}

/// Days with up to one decimal: `7 days`, `2.5 days`.
pub fn days(value: f64) -> String {
    let text = format!("{value:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text).to_string();
    if text == "1" {
        "1 day".to_string()
    } else {
        format!("{text} days")
    }
}

/// What the measured parameters are, one line each: (name, value, how it was measured).
pub fn measured_lines(report: &HistoryReport) -> Vec<(&'static str, String, String)> {
    let m = &report.measured;
    let none = || NONE.to_string();
    let span = m
        .span_days
        .map(days)
        .unwrap_or_else(|| "an unknown span".to_string());
    vec![
        (
            "builds a day",
            m.builds_per_day
                .map(|rate| format!("{rate:.2}"))
                .unwrap_or_else(none),
            format!("{} over {span}", counted(m.pairs as u128, "build")),
        ),
        (
            "changed part per deploy",
            m.changed_per_deploy_bytes.map(bytes).unwrap_or_else(none),
            match m.changed_per_deploy_share {
                Some(share) => format!(
                    "median pull of {}; {} of a build",
                    counted(m.routine_pairs as u128, "routine build"),
                    percent(share)
                ),
                None => "no routine build".to_string(),
            },
        ),
        (
            "base refresh interval",
            m.base_refresh_days.map(days).unwrap_or_else(none),
            format!(
                "{} in {span}",
                counted(m.base_changes as u128, "base change")
            ),
        ),
        (
            "base refresh fraction",
            m.base_refresh_fraction
                .map(|f| format!("{f:.2}"))
                .unwrap_or_else(none),
            "median share of a build's bytes outside the changed part that a base change pulled"
                .to_string(),
        ),
    ]
}

/// The sentence on whether the measurements replace the defaults.
pub fn enough_sentence(report: &HistoryReport) -> String {
    let m = &report.measured;
    if m.enough {
        format!(
            "{} (at least {}): enough to replace the defaults.",
            counted(m.pairs as u128, "pair"),
            m.min_pairs
        )
    } else {
        format!(
            "Only {} of builds (fewer than {}): too few to measure; the defaults are kept.",
            counted(m.pairs as u128, "pair"),
            m.min_pairs
        )
    }
}

/// The backtest in two lines (defaults, measured), or why there is none.
pub fn backtest_lines(report: &HistoryReport) -> (String, Vec<String>) {
    let Some(test) = &report.backtest else {
        return (
            "No backtest: it needs two builds with creation times apart.".to_string(),
            vec![],
        );
    };
    let head = format!(
        "Backtest over {} ({}): a node that pulled every build really fetched {} (wire, measured).",
        days(test.days),
        counted(test.deploys as u128, "deploy"),
        bytes(test.fetched_wire_bytes)
    );
    let mut lines = vec![format!(
        "layer-aware model with the defaults (base every {}, fraction {}): expected {}, error {}",
        days(test.defaults.base_refresh_days),
        test.defaults.base_refresh_fraction,
        bytes(test.predicted_with_defaults),
        error_percent(test.error_with_defaults)
    )];
    match (test.predicted_with_measured, test.error_with_measured) {
        (Some(predicted), Some(error)) => lines.push(format!(
            "layer-aware model with the measured parameters: expected {}, error {}",
            bytes(predicted),
            error_percent(error)
        )),
        _ => lines.push(
            "layer-aware model with the measured parameters: too few pairs to measure".to_string(),
        ),
    }
    (head, lines)
}

fn heading(report: &HistoryReport) -> String {
    let builds = counted(report.builds.len() as u128, "build");
    match (
        report.measured.first_created.as_deref(),
        report.measured.last_created.as_deref(),
    ) {
        (Some(first), Some(last)) => format!("{builds}, created {first} to {last}"),
        _ => builds,
    }
}

fn text(report: &HistoryReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", terminal_safe(&report.title));
    let _ = writeln!(out, "{}", terminal_safe(&heading(report)));
    let _ = writeln!(
        out,
        "base change: one of the bottom {} changed ({})",
        counted(report.base_layers as u128, "layer"),
        terminal_safe(&report.base_from)
    );
    out.push('\n');
    let table = Table::new(
        &[
            (22, Align::Left),
            (20, Align::Left),
            (9, Align::Right),
            (9, Align::Right),
            (6, Align::Right),
            (9, Align::Right),
            (6, Align::Right),
        ],
        "  ",
    );
    let _ = writeln!(
        out,
        "{}",
        table
            .row(&[
                "build", "created", "wire", "disk", "layers", "pulled", "new", "base"
            ])
            .trim_end()
    );
    for (index, build) in report.builds.iter().enumerate() {
        let pair = index.checked_sub(1).and_then(|i| report.pairs.get(i));
        let created = build
            .created
            .as_deref()
            .map(|c| truncate(c, 20))
            .unwrap_or_else(|| NONE.to_string());
        let line = table.row(&[
            &truncate(&terminal_safe(&build.tag), 22),
            &terminal_safe(&created),
            &sized(build.wire_bytes, build.wire_estimated),
            &sized(build.disk_bytes, build.disk_estimated),
            &build.layers.to_string(),
            &pair
                .map(|p| bytes(p.pull_wire_bytes))
                .unwrap_or_else(|| NONE.to_string()),
            &pair
                .map(|p| percent(p.new_share))
                .unwrap_or_else(|| NONE.to_string()),
            if pair.is_some_and(|p| p.base_changed) {
                "changed"
            } else {
                ""
            },
        ]);
        let _ = writeln!(out, "{}", line.trim_end());
    }
    if report
        .builds
        .iter()
        .any(|b| b.wire_estimated || b.disk_estimated)
    {
        let _ = writeln!(
            out,
            "* estimated from the other basis with the compression ratio"
        );
    }
    let _ = writeln!(
        out,
        "pulled: wire bytes a node holding the build before pulls (new blobs and config)"
    );
    out.push('\n');
    let _ = writeln!(out, "Measured: {}", enough_sentence(report));
    for (name, value, how) in measured_lines(report) {
        let _ = writeln!(out, "  {name:<24} {value:>10}  {how}");
    }
    out.push('\n');
    let (head, lines) = backtest_lines(report);
    let _ = writeln!(out, "{head}");
    for line in lines {
        let _ = writeln!(out, "  {line}");
    }
    if let Some(target) = &report.target {
        let _ = writeln!(
            out,
            "\nTarget for {}: {}–{} unpacked.",
            terminal_safe(&target.runtime),
            bytes(target.low_disk_bytes),
            bytes(target.high_disk_bytes)
        );
    }
    for note in &report.notes {
        let _ = writeln!(out, "note: {}", terminal_safe(note));
    }
    out
}

/// The change of a build's size from the one before: `+1.20 MB`.
fn delta(previous: Option<&BuildView>, build: &BuildView, wire: bool) -> String {
    let value = |b: &BuildView| i128::from(if wire { b.wire_bytes } else { b.disk_bytes });
    previous
        .map(|p| signed_bytes(value(build) - value(p)))
        .unwrap_or_else(|| NONE.to_string())
}

fn markdown(report: &HistoryReport) -> String {
    let cell = super::markdown::cell;
    let mut out = String::new();
    let _ = writeln!(out, "### {}\n", cell(&report.title));
    let _ = writeln!(out, "{}\n", cell(&heading(report)));
    let shown = report.builds.len().saturating_sub(MARKDOWN_BUILDS);
    if shown > 0 {
        let _ = writeln!(out, "The last {MARKDOWN_BUILDS} builds:\n");
    }
    out.push_str("| build | created | wire | Δ wire | disk | Δ disk | pulled | base |\n");
    out.push_str("|---|---|--:|--:|--:|--:|--:|---|\n");
    for (index, build) in report.builds.iter().enumerate().skip(shown) {
        let previous = index.checked_sub(1).map(|i| &report.builds[i]);
        let pair = index.checked_sub(1).and_then(|i| report.pairs.get(i));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&build.tag),
            cell(build.created.as_deref().unwrap_or(NONE)),
            sized(build.wire_bytes, build.wire_estimated),
            delta(previous, build, true),
            sized(build.disk_bytes, build.disk_estimated),
            delta(previous, build, false),
            pair.map(|p| bytes(p.pull_wire_bytes))
                .unwrap_or_else(|| NONE.to_string()),
            if pair.is_some_and(|p| p.base_changed) {
                "changed"
            } else {
                ""
            },
        );
    }
    if report
        .builds
        .iter()
        .any(|b| b.wire_estimated || b.disk_estimated)
    {
        out.push_str("\n\\* estimated from the other basis with the compression ratio\n");
    }
    let _ = writeln!(out, "\n**Measured:** {}\n", cell(&enough_sentence(report)));
    out.push_str("| parameter | value | measured as |\n|---|--:|---|\n");
    for (name, value, how) in measured_lines(report) {
        let _ = writeln!(out, "| {name} | {} | {} |", cell(&value), cell(&how));
    }
    let (head, lines) = backtest_lines(report);
    let _ = writeln!(out, "\n**{}**\n", cell(&head));
    for line in lines {
        let _ = writeln!(out, "- {}", cell(&line));
    }
    for note in &report.notes {
        let _ = writeln!(out, "\n> {}", cell(note));
    }
    out
}
