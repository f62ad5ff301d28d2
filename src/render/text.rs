//! The terminal summary: headline, a table of before/after/saved per pull, day, month and year,
//! money, cold start, targets and the assumptions. Plain text that stays within 80 columns.

use std::fmt::Write;

use super::cells::{RowCells, assumption_rows, estimate_note, row_cells};
use super::headline::{self, plain};
use super::table::{Align, Table, truncate};
use crate::calc::full_pull::DiskWire;
use crate::calc::layered::Decomposition;
use crate::report::FigureBasis;
use crate::report::Report;
use crate::units::{counted, format_bytes, format_money, format_seconds};

/// Renders the report as text.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = write_report(&mut out, report);
    terminal_safe_lines(&out)
}

/// Wraps `text` at `width` columns.
pub(super) fn wrap(text: &str, width: usize) -> String {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines.join("\n")
}

/// Neutralises control characters from input (ANSI escapes, carriage returns) for a terminal,
/// bidirectional overrides and isolates, which would reorder the rest of the line as the
/// terminal shows it ("Trojan Source"), and GitHub Actions workflow commands (`::`, `##[`,
/// broken by a zero-width joiner: [`crate::runner`]).
pub fn terminal_safe(input: &str) -> String {
    let cleaned: String = input
        .chars()
        .map(|c| {
            if c.is_control() || is_bidi_control(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect();
    if crate::runner::holds_command(&cleaned) {
        crate::runner::break_commands(&cleaned)
    } else {
        cleaned
    }
}

/// [`terminal_safe`] for whole outputs: line feeds are kept. Every text output (and every error
/// message) passes through it last, so a string from input that a renderer printed without
/// escaping (a file name in an assumption's source, say) still cannot reach the terminal with
/// its control characters. Fields that must stay on one line are escaped with
/// [`terminal_safe`] where they are printed.
pub fn terminal_safe_lines(output: &str) -> String {
    output
        .split('\n')
        .map(terminal_safe)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The invisible characters that change text direction: embeddings, overrides, isolates and
/// marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

fn write_report(out: &mut String, report: &Report) -> std::fmt::Result {
    let totals = &report.totals;
    writeln!(out, "{}", terminal_safe(&report.title))?;
    writeln!(out)?;
    let mut sentences = vec![headline::sentence(report)];
    sentences.extend(headline::supporting_sentences(report));
    for sentence in sentences {
        writeln!(out, "{}", wrap(&terminal_safe(&plain(&sentence)), 78))?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Fleet: {}, {} a day (upper bound: every pull is a full pull)",
        headline::services_phrase(totals.services),
        totals.pulls_per_day.counted("pull")
    )?;
    writeln!(out)?;
    let estimated = |is: bool| if is { "*" } else { "" };
    writeln!(
        out,
        "{}",
        figures_table().row(&["", "before", "after", "saved"])
    )?;
    let mut period = |label: &str, before: DiskWire, after: DiskWire, saved: DiskWire| {
        let cell = |bytes: i128, mark: &str| format!("{}{mark}", format_bytes(bytes));
        let disk = estimated(totals.estimated.disk);
        let wire = estimated(totals.estimated.wire);
        let _ = writeln!(
            out,
            "{}",
            figures_table().row(&[
                &format!("{label}, disk"),
                &cell(before.disk_bytes, disk),
                &cell(after.disk_bytes, disk),
                &cell(saved.disk_bytes, disk)
            ])
        );
        let _ = writeln!(
            out,
            "{}",
            figures_table().row(&[
                &format!("{label}, wire"),
                &cell(before.wire_bytes, wire),
                &cell(after.wire_bytes, wire),
                &cell(saved.wire_bytes, wire)
            ])
        );
    };
    let pull_label = if totals.rows == 1 {
        "per pull"
    } else {
        "per pull (mean)"
    };
    for (label, transfer) in [
        (pull_label, &totals.per_pull),
        ("per day", &totals.per_day),
        ("per month", &totals.per_month),
        ("per year", &totals.per_year),
    ] {
        period(label, transfer.before, transfer.after, transfer.saved);
    }
    let currency = &totals.cost_saved.currency;
    let money = |amount: f64| format_money(amount, currency);
    writeln!(
        out,
        "{}",
        figures_table().row(&[
            "transfer cost / year",
            &money(totals.cost_before.per_year),
            &money(totals.cost_after.per_year),
            &money(totals.cost_saved.per_year)
        ])
    )?;
    writeln!(
        out,
        "{}",
        figures_table().row(&[
            "pull time / pull",
            &format_seconds(totals.pull_seconds.before),
            &format_seconds(totals.pull_seconds.after),
            &format_seconds(totals.pull_seconds.saved)
        ])
    )?;
    writeln!(
        out,
        "{}",
        figures_table().row(&[
            "new node cold start",
            &format_seconds(totals.new_node_seconds.before),
            &format_seconds(totals.new_node_seconds.after),
            &format_seconds(totals.new_node_seconds.saved)
        ])
    )?;
    if totals.estimated.disk || totals.estimated.wire {
        writeln!(
            out,
            "* estimated from the other basis with compression ratio {}",
            headline::assumption(report, "compression_ratio")
        )?;
    }
    write_expected(out, report)?;
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        wrap(
            &{
                // Growth reads as a cost: amounts "more", never negative in prose.
                let (sign, more) = if totals.cost_saved.per_year < 0.0 {
                    (-1.0, " more")
                } else {
                    (1.0, "")
                };
                format!(
                    "Money ({}): {} a day{more}, {} a month{more}, {} a year{more} at {}.",
                    FigureBasis::UpperBound.words(),
                    money(sign * totals.cost_saved.per_day),
                    money(sign * totals.cost_saved.per_month),
                    money(sign * totals.cost_saved.per_year),
                    headline::price_note(report)
                )
            },
            78
        )
    )?;
    let cold_start = format!(
        "Cold start: a new node starting one of each service waits {} {} (pulls one after \
         another, kubelet's default).",
        format_seconds(totals.new_node_seconds.saved.abs()),
        if totals.new_node_seconds.saved < 0.0 {
            "more"
        } else {
            "less"
        }
    );
    writeln!(out, "{}", wrap(&cold_start, 78))?;
    for sentence in headline::return_sentences(report) {
        writeln!(out, "{}", wrap(&terminal_safe(&plain(&sentence)), 78))?;
    }
    write_services(out, report)?;
    write_findings(out, report)?;
    out.push_str(&super::audit::report_text(report));
    if let Some(bursts) = &report.bursts {
        writeln!(out)?;
        out.push_str(&super::burst::text(bursts));
    }
    write_assumptions(out, report)
}

/// Where the bytes are: each image with findings, its recoverable bytes and its largest
/// findings (at most [`super::findings::TOP_FINDINGS`]).
fn write_findings(out: &mut String, report: &Report) -> std::fmt::Result {
    if report.findings.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "Where the bytes are (layer entries read from the image sources):"
    )?;
    for image in super::findings::by_recoverable(&report.findings) {
        let currency = image.fleet.as_ref().map(|fleet| fleet.currency.as_str());
        writeln!(
            out,
            "  {}",
            terminal_safe(&super::findings::image_title(image))
        )?;
        if let Some(sentence) = super::findings::recoverable_sentence(&image.findings, currency) {
            let wrapped = wrap(&terminal_safe(&sentence), 74);
            writeln!(out, "    {}", wrapped.replace('\n', "\n    "))?;
        }
        let rows = super::findings::rows(&image.findings, currency);
        for row in rows.iter().take(super::findings::TOP_FINDINGS) {
            writeln!(
                out,
                "    {:>10}  {}  ({}; {} a day, {} a year)",
                row.bytes_text,
                terminal_safe(&row.what),
                terminal_safe(&row.layer),
                row.transfer_per_day,
                row.money_per_year
            )?;
        }
        if rows.len() > super::findings::TOP_FINDINGS {
            writeln!(
                out,
                "    … {} more",
                counted(
                    (rows.len() - super::findings::TOP_FINDINGS) as u128,
                    "finding"
                )
            )?;
        }
    }
    Ok(())
}

fn format_decimal(value: f64) -> String {
    if value.abs() >= 100.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

fn target_line(cells: &RowCells) -> String {
    if cells.target_range.is_empty() {
        return "no runtime target (runtime other or not given)".to_string();
    }
    let mut line = format!(
        "{} for {}, {} {} is {}",
        cells.target_range,
        cells.runtime,
        if cells.projected { "before" } else { "after" },
        if cells.projected {
            &cells.before
        } else {
            &cells.after
        },
        cells.status
    );
    if !cells.recoverable.is_empty() {
        let _ = write!(
            line,
            " ({} recoverable)",
            cells.recoverable.trim_end_matches(" over")
        );
    }
    line
}

/// Column widths of the service table; with the gaps they fit 80 columns.
const NAME_WIDTH: usize = 19;
const RUNTIME_WIDTH: usize = 10;

fn write_services(out: &mut String, report: &Report) -> std::fmt::Result {
    writeln!(out)?;
    if let [only] = report.services.as_slice() {
        return writeln!(out, "Target: {}", target_line(&row_cells(only)));
    }
    writeln!(
        out,
        "Services: committed by saving a day, then plans. Sizes unpacked;"
    )?;
    writeln!(
        out,
        "saved/day on the wire, every pull a full pull (upper bound)."
    )?;
    let table = Table::new(
        &[
            (NAME_WIDTH, Align::Left),
            (RUNTIME_WIDTH, Align::Left),
            (8, Align::Right),
            (11, Align::Right),
            (7, Align::Right),
            (12, Align::Right),
        ],
        " ",
    );
    writeln!(
        out,
        "{}",
        table.row(&[
            "service",
            "runtime",
            "before",
            "after",
            "change",
            "saved/day",
            "target"
        ])
    )?;
    for row in &report.services {
        let cells = row_cells(row);
        writeln!(
            out,
            "{}",
            table.row(&[
                &truncate(&terminal_safe(&cells.name), NAME_WIDTH),
                &truncate(&cells.runtime, RUNTIME_WIDTH),
                &cells.before,
                &cells.after,
                &cells.change,
                &cells.saved_per_day,
                &cells.status,
            ])
        )?;
    }
    if let Some(note) = estimate_note(report) {
        writeln!(out, "{}", wrap(&note, 78))?;
    }
    if let Some(projected) = &report.projected_totals {
        let plans = format!(
            "Plans: {} a day on the wire if the {} (not in the totals).",
            headline::format_byte_range(
                projected.per_day.low.wire_bytes,
                projected.per_day.high.wire_bytes
            ),
            if projected.rows == 1 {
                "1 planned row reaches its target".to_string()
            } else {
                format!("{} planned rows reach their targets", projected.rows)
            }
        );
        writeln!(out, "{}", wrap(&plans, 78))?;
    }
    let above: Vec<RowCells> = report
        .services
        .iter()
        .map(row_cells)
        .filter(|cells| !cells.recoverable.is_empty())
        .collect();
    if !above.is_empty() {
        writeln!(out)?;
        writeln!(out, "Above target")?;
        for cells in above {
            let line = format!("{}: {}", terminal_safe(&cells.name), target_line(&cells));
            writeln!(out, "{}", indent(&wrap(&line, 76), 2))?;
        }
    }
    if let Some(next) = &report.next_steps {
        writeln!(out)?;
        let summary = format!(
            "Next steps: bringing the {} above {} down to the high end would \
             save {} more a day on the wire (estimated; {} unpacked). In priority order:",
            plural(next.services_above_target, "image", "images"),
            if next.services_above_target == 1 {
                "its target"
            } else {
                "their targets"
            },
            format_bytes(next.recoverable_per_day.wire_bytes),
            format_bytes(next.recoverable_per_day.disk_bytes),
        );
        writeln!(out, "{}", wrap(&summary, 78))?;
        for technique in &next.techniques {
            let line = format!(
                "{}. {} ({})",
                technique.priority,
                technique.technique,
                super::cells::reduction(technique)
            );
            writeln!(out, "{}", indent(&wrap(&line, 74), 2))?;
        }
    }
    write_trends(out, report)
}

/// `report --history N`: a sparkline of each service's last builds (wire bytes).
fn write_trends(out: &mut String, report: &Report) -> std::fmt::Result {
    if report.trends.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "Size trend (wire bytes of the last builds, oldest first):"
    )?;
    for trend in &report.trends {
        let (service, line, span) = super::cells::trend_cells(trend);
        writeln!(
            out,
            "  {}  {line}  {span}",
            super::table::pad(
                &super::table::truncate(&terminal_safe(&service), 20),
                20,
                super::table::Align::Left
            )
        )?;
    }
    Ok(())
}

fn write_expected(out: &mut String, report: &Report) -> std::fmt::Result {
    let expected = &report.totals.expected;
    let per_day = &expected.per_day;
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        figures_table().row(&["expected, wire / day", "before", "after", "saved"])
    )?;
    for (label, pick) in [
        (
            "  routine deploys",
            (|d| d.routine_deploys) as fn(&Decomposition) -> i128,
        ),
        ("  base refreshes", |d| d.base_refreshes),
        ("  new nodes", |d| d.new_nodes),
        ("  total", |d| d.total),
    ] {
        writeln!(
            out,
            "{}",
            figures_table().row(&[
                label,
                &format_bytes(pick(&per_day.before)),
                &format_bytes(pick(&per_day.after)),
                &format_bytes(pick(&per_day.saved))
            ])
        )?;
    }
    for pool in &expected.pools {
        let line = format!(
            "New node in pool '{}' ({}, {} new a day): pulls {} → {} once, \
             {} → {} of serialised pulls; switching a node to the new images moves {}.",
            terminal_safe(&pool.name),
            counted(u128::from(pool.nodes), "node"),
            format_decimal(pool.new_nodes_per_day),
            format_bytes(i128::from(pool.union_wire_bytes_before)),
            format_bytes(i128::from(pool.union_wire_bytes_after)),
            format_seconds(pool.new_node_seconds_before),
            format_seconds(pool.new_node_seconds_after),
            format_bytes(i128::from(pool.switch_wire_bytes_per_node))
        );
        writeln!(out, "{}", wrap(&line, 78))?;
    }
    Ok(())
}

/// The figures tables: a label, then before, after and saved.
fn figures_table() -> Table {
    Table::new(
        &[
            (22, Align::Left),
            (18, Align::Right),
            (18, Align::Right),
            (18, Align::Right),
        ],
        "",
    )
}

fn write_assumptions(out: &mut String, report: &Report) -> std::fmt::Result {
    writeln!(out)?;
    writeln!(out, "Assumptions (value, origin, source)")?;
    for row in assumption_rows(report) {
        let table = Table::new(&[(23, Align::Left), (16, Align::Left)], "");
        writeln!(out, "  {}", table.row(&[row.name, &row.value, row.origin]))?;
        writeln!(out, "{}", indent(&wrap(&row.source, 72), 6))?;
    }
    Ok(())
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines()
        .map(|line| format!("{pad}{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first line about an image source: `path (OCI image layout, linux/amd64)`.
pub fn image_line(source: &str, kind: &dyn std::fmt::Display, platform: Option<&str>) -> String {
    let platform = platform
        .map(|p| format!(", {}", terminal_safe(p)))
        .unwrap_or_default();
    format!("{} ({kind}{platform})", terminal_safe(source))
}
