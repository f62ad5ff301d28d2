//! `fleetsave history`: the builds of one repository with what each pull moved, the measured
//! parameters and the backtest — as text, JSON, a Markdown table of the last builds with deltas,
//! or an HTML page with the trend charts.

use std::fmt::Write;

use super::cells::{NONE, signed_bytes};
use super::table::{Align, Table, truncate};
use super::text::{terminal_safe, terminal_safe_lines};
use crate::error::Error;
use crate::report::history::{BuildView, HistoryReport};
use crate::units::{counted, format_bytes, format_range};

/// Formats of `history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HistoryFormat {
    Text,
    Json,
    Markdown,
    Html,
}

/// Builds the Markdown table shows: the last ones.
pub const MARKDOWN_BUILDS: usize = 10;

/// Renders the report.
pub fn render(report: &HistoryReport, format: HistoryFormat) -> Result<String, Error> {
    match format {
        HistoryFormat::Json => super::json::to_string(report, "the history"),
        HistoryFormat::Text => Ok(terminal_safe_lines(&text(report))),
        HistoryFormat::Markdown => Ok(markdown(report)),
        HistoryFormat::Html => super::html::history(report),
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
            format!("{} over {span}", counted(m.pairs as u128, "pair")),
        ),
        (
            "changed part per deploy",
            m.changed_per_deploy_bytes.map(bytes).unwrap_or_else(none),
            match m.changed_per_deploy_share {
                Some(share) => format!(
                    "median of {} ({})",
                    counted(m.routine_pairs as u128, "routine pull"),
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
            "of a build beyond its changed part, median".to_string(),
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
            "only {} of builds (fewer than {}): too few to measure; the defaults are kept.",
            counted(m.pairs as u128, "pair"),
            m.min_pairs
        )
    }
}

/// The backtest: its sentence, and rows of (model, expected, error); no rows without one.
pub fn backtest_rows(report: &HistoryReport) -> (String, Vec<(String, String, String)>) {
    let Some(test) = &report.backtest else {
        return (
            "No backtest: it needs two builds with creation times apart.".to_string(),
            vec![],
        );
    };
    let head = format!(
        "Backtest over {}: a node pulling all {} fetched {} (wire).",
        days(test.days),
        counted(test.deploys as u128, "deploy"),
        bytes(test.fetched_wire_bytes)
    );
    let mut rows = vec![(
        format!(
            "defaults (base every {}, fraction {})",
            days(test.defaults.base_refresh_days),
            test.defaults.base_refresh_fraction
        ),
        bytes(test.predicted_with_defaults),
        error_percent(test.error_with_defaults),
    )];
    rows.push(
        match (test.predicted_with_measured, test.error_with_measured) {
            (Some(predicted), Some(error)) => (
                "measured parameters".to_string(),
                bytes(predicted),
                error_percent(error),
            ),
            _ => (
                "measured parameters".to_string(),
                NONE.to_string(),
                "too few pairs".to_string(),
            ),
        },
    );
    (head, rows)
}

pub fn heading(report: &HistoryReport) -> String {
    let builds = counted(report.builds.len() as u128, "build");
    match (
        report.measured.first_created.as_deref(),
        report.measured.last_created.as_deref(),
    ) {
        (Some(first), Some(last)) => format!("{builds}, created {first} to {last}"),
        _ => builds,
    }
}

/// `2026-01-01T00:00:00Z` as `2026-01-01 00:00`; other text cut to 16 columns.
fn short_time(created: &str) -> String {
    let bytes = created.as_bytes();
    if created.len() >= 16 && created.is_char_boundary(16) && bytes.get(10) == Some(&b'T') {
        format!("{} {}", &created[..10], &created[11..16])
    } else {
        truncate(created, 16)
    }
}

fn text(report: &HistoryReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", terminal_safe(&report.title));
    let _ = writeln!(out, "{}", terminal_safe(&heading(report)));
    out.push('\n');
    let table = Table::new(
        &[
            (16, Align::Left),
            (16, Align::Left),
            (8, Align::Right),
            (8, Align::Right),
            (8, Align::Right),
            (6, Align::Right),
            (4, Align::Left),
        ],
        "  ",
    );
    let row = |cells: &[&str]| table.row(cells).trim_end().to_string();
    let _ = writeln!(
        out,
        "{}",
        row(&[
            "build", "created", "wire", "disk", "pulled", "share", "base"
        ])
    );
    for (index, build) in report.builds.iter().enumerate() {
        let pair = index.checked_sub(1).and_then(|i| report.pairs.get(i));
        let created = build
            .created
            .as_deref()
            .map(|c| short_time(&terminal_safe(c)))
            .unwrap_or_else(|| NONE.to_string());
        let _ = writeln!(
            out,
            "{}",
            row(&[
                &truncate(&terminal_safe(&build.tag), 16),
                &created,
                &sized(build.wire_bytes, build.wire_estimated),
                &sized(build.disk_bytes, build.disk_estimated),
                &pair
                    .map(|p| bytes(p.pull_wire_bytes))
                    .unwrap_or_else(|| NONE.to_string()),
                &pair
                    .map(|p| percent(p.new_share))
                    .unwrap_or_else(|| NONE.to_string()),
                if pair.is_some_and(|p| p.base_changed) {
                    "new"
                } else {
                    ""
                },
            ])
        );
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
        "pulled: wire bytes of the blobs the build before lacks; share: of the build"
    );
    let _ = writeln!(
        out,
        "base: new when {} changed",
        terminal_safe(&report.base_from)
    );
    out.push('\n');
    let _ = writeln!(out, "Measured: {}", enough_sentence(report));
    for (name, value, how) in measured_lines(report) {
        let _ = writeln!(out, "  {name:<24}{value:>10}  {how}");
    }
    out.push('\n');
    let (head, rows) = backtest_rows(report);
    let _ = writeln!(out, "{head}");
    if !rows.is_empty() {
        let table = Table::new(
            &[(48, Align::Left), (10, Align::Right), (14, Align::Right)],
            "",
        );
        let _ = writeln!(
            out,
            "{}",
            table.row(&["  layer-aware model with", "expected", "error"])
        );
        for (model, expected, error) in &rows {
            let _ = writeln!(
                out,
                "{}",
                table.row(&[&format!("    {model}"), expected, error])
            );
        }
    }
    if let Some(target) = &report.target {
        let _ = writeln!(
            out,
            "\nTarget for {}: {} unpacked.",
            terminal_safe(&target.runtime),
            format_range(target.low_disk_bytes, target.high_disk_bytes)
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

/// The table of the last `count` builds, plain strings: build, created, wire, Δ wire, disk,
/// Δ disk, pulled, base.
pub fn build_rows(report: &HistoryReport, count: usize) -> Vec<[String; 8]> {
    let skip = report.builds.len().saturating_sub(count);
    report
        .builds
        .iter()
        .enumerate()
        .skip(skip)
        .map(|(index, build)| {
            let previous = index.checked_sub(1).map(|i| &report.builds[i]);
            let pair = index.checked_sub(1).and_then(|i| report.pairs.get(i));
            [
                build.tag.clone(),
                build.created.clone().unwrap_or_else(|| NONE.to_string()),
                sized(build.wire_bytes, build.wire_estimated),
                delta(previous, build, true),
                sized(build.disk_bytes, build.disk_estimated),
                delta(previous, build, false),
                pair.map(|p| bytes(p.pull_wire_bytes))
                    .unwrap_or_else(|| NONE.to_string()),
                if pair.is_some_and(|p| p.base_changed) {
                    "changed".to_string()
                } else {
                    String::new()
                },
            ]
        })
        .collect()
}

/// What the builds table shows, under it.
pub fn builds_note(report: &HistoryReport, count: usize) -> String {
    let mut note = if report.builds.len() > count {
        format!("The last {count} of {} builds.", report.builds.len())
    } else {
        format!("All {}.", counted(report.builds.len() as u128, "build"))
    };
    if report
        .builds
        .iter()
        .any(|b| b.wire_estimated || b.disk_estimated)
    {
        note.push_str(" * estimated from the other basis with the compression ratio.");
    }
    note.push_str(
        " Pulled: wire bytes of the blobs (config included) the build before lacks, measured.",
    );
    note
}

fn markdown(report: &HistoryReport) -> String {
    let cell = super::markdown::cell;
    let mut out = String::new();
    let _ = writeln!(out, "### {}\n", cell(&report.title));
    let _ = writeln!(out, "{}\n", cell(&heading(report)));
    out.push_str("| build | created | wire | Δ wire | disk | Δ disk | pulled | base |\n");
    out.push_str("|---|---|--:|--:|--:|--:|--:|---|\n");
    for row in build_rows(report, MARKDOWN_BUILDS) {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    let _ = writeln!(out, "\n{}", cell(&builds_note(report, MARKDOWN_BUILDS)));
    let _ = writeln!(out, "\n**Measured:** {}\n", cell(&enough_sentence(report)));
    out.push_str("| parameter | value | measured as |\n|---|--:|---|\n");
    for (name, value, how) in measured_lines(report) {
        let _ = writeln!(out, "| {name} | {} | {} |", cell(&value), cell(&how));
    }
    let (head, rows) = backtest_rows(report);
    let _ = writeln!(out, "\n{}\n", cell(&head));
    if !rows.is_empty() {
        out.push_str("| layer-aware model with | expected | error |\n|---|--:|--:|\n");
        for (model, expected, error) in &rows {
            let _ = writeln!(out, "| {} | {expected} | {error} |", cell(model));
        }
    }
    for note in &report.notes {
        let _ = writeln!(out, "\n> {}", cell(note));
    }
    out
}
