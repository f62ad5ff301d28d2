//! The pull-request comment of `compare`: the verdict first — signed, with the gate's result when
//! there is a gate — then the two images side by side, what a node pulls and the layers that
//! changed, the fleet impact with its basis, and the assumptions and method folded away.

use std::fmt::Write;

use super::cells::{ESTIMATED, signed_bytes};
use super::comment;
use super::headline;
use super::markdown::{escape_inline, expected_rows, sentence};
use super::method;
use crate::calc::gate::Status;
use crate::model::values::shorten;
use crate::report::check::CheckReport;
use crate::report::{CompareView, FigureBasis, ImageSummary, LayerChange, Report};
use crate::units::{counted, format_bytes, format_money};

/// Layers listed by name before the rest are counted.
const LAYERS_SHOWN: usize = 5;

/// The comment.
pub fn comment(report: &Report, compare: &CompareView, marker: &str) -> String {
    let head = head(report, compare, marker);
    let mut layer_rows: Vec<String> = Vec::new();
    layer_rows.extend(layer_lines("added", &compare.added_layers));
    layer_rows.extend(layer_lines("removed", &compare.removed_layers));
    let tail = tail(report);
    let omitted = |count: usize| {
        format!(
            "\n… and {} more not shown.",
            counted(count as u128, "layer")
        )
    };
    comment::with_table(
        &head,
        "| | layer | wire |\n|:--|:--|--:|\n",
        &layer_rows,
        omitted,
        &tail,
    )
}

/// `+7.6 MB`, `−185 MB` (U+2212): a change, signed.
fn change(before: u64, after: u64) -> String {
    signed_bytes(i128::from(after) - i128::from(before))
}

/// `(+9.7%)`, or nothing when there is no before.
fn percent(before: u64, after: u64) -> String {
    if before == 0 {
        return String::new();
    }
    let percent = (after as f64 - before as f64) / before as f64 * 100.0;
    format!(
        " ({}{:.1}%)",
        if percent < 0.0 { "−" } else { "+" },
        percent.abs()
    )
}

/// The verdict line: the gate's result when there is one, then the change of the image on the
/// wire, of the fleet's transfer a day and of the money a year, each signed.
fn verdict(report: &Report, compare: &CompareView) -> String {
    let (before, after) = (&compare.before_image.size, &compare.after_image.size);
    let wire_mark = if before.wire_estimated || after.wire_estimated {
        ESTIMATED
    } else {
        ""
    };
    let headline = &report.totals.headline;
    let basis = match headline.basis {
        FigureBasis::Expected => "expected",
        FigureBasis::UpperBound => "upper bound",
    };
    let money = format_money(
        headline.cost_per_year.abs(),
        &report.totals.cost_saved.currency,
    );
    let mut line = String::new();
    if let Some(gate) = &report.gate {
        let _ = write!(line, "{} · ", gate_verdict(gate));
    }
    let _ = write!(
        line,
        "**{wire_mark}{} wire{}** · {}{} a day across {} ({basis}) · {}{money} a year",
        change(before.wire_bytes, after.wire_bytes),
        percent(before.wire_bytes, after.wire_bytes),
        wire_mark,
        signed_bytes(-headline.wire_bytes_per_day),
        counted(u128::from(compare.nodes), "node"),
        if headline.cost_per_year > 0.0 {
            "−"
        } else {
            "+"
        },
    );
    line
}

/// `✅ pass`, `❌ fail: budget, growth`, `⚠️ warn: target`.
fn gate_verdict(gate: &CheckReport) -> String {
    let broken: Vec<String> = gate
        .rules
        .iter()
        .filter(|rule| !rule.passed)
        .map(|rule| {
            serde_json::to_value(rule.rule)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        })
        .collect();
    match gate.status {
        Status::Pass => "✅ **pass**".to_string(),
        Status::Warn => format!("⚠️ **warn**: {}", broken.join(", ")),
        Status::Fail => format!("❌ **fail**: {}", broken.join(", ")),
    }
}

/// An image's name (from input): escaped like every string from input, shortened.
fn name(summary: &ImageSummary) -> String {
    escape_inline(&shorten(&summary.name))
}

fn head(report: &Report, compare: &CompareView, marker: &str) -> String {
    let (before, after) = (&compare.before_image, &compare.after_image);
    let mut out = String::new();
    let _ = writeln!(out, "{}", comment::marker_line(marker));
    let _ = writeln!(out, "{}", verdict(report, compare));
    let _ = writeln!(out);
    let _ = writeln!(out, "### {}", escape_inline(&shorten(&report.title)));
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "A node that already holds {} pulls **{}** to run {}: {} ({}) shared. Switching {} costs \
         {} once.",
        name(before),
        format_bytes(i128::from(compare.pull_wire_bytes_per_node)),
        name(after),
        counted(compare.shared_layers as u128, "layer"),
        format_bytes(i128::from(compare.shared_wire_bytes)),
        counted(u128::from(compare.nodes), "node"),
        format_bytes(compare.pull_wire_bytes_all_nodes as i128)
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "| | before | after | change |");
    let _ = writeln!(out, "|:--|:--|:--|--:|");
    let _ = writeln!(out, "| image | {} | {} | |", name(before), name(after));
    let digest = |summary: &ImageSummary| {
        summary
            .config_digest
            .as_deref()
            .map(|digest| format!("`{}`", short_digest(digest)))
            .unwrap_or_else(|| "—".to_string())
    };
    let _ = writeln!(
        out,
        "| image ID | {} | {} | |",
        digest(before),
        digest(after)
    );
    let platform = |summary: &ImageSummary| {
        summary
            .platform
            .as_deref()
            .map(escape_inline)
            .unwrap_or_else(|| "—".to_string())
    };
    let _ = writeln!(
        out,
        "| platform | {} | {} | |",
        platform(before),
        platform(after)
    );
    let size = |bytes: u64, estimated: bool| {
        format!(
            "{}{}",
            if estimated { ESTIMATED } else { "" },
            format_bytes(i128::from(bytes))
        )
    };
    for (label, pick) in [
        (
            "wire",
            (|s: &ImageSummary| (s.size.wire_bytes, s.size.wire_estimated))
                as fn(&ImageSummary) -> (u64, bool),
        ),
        ("unpacked", |s| (s.size.disk_bytes, s.size.disk_estimated)),
    ] {
        let (b, b_estimated) = pick(before);
        let (a, a_estimated) = pick(after);
        let _ = writeln!(
            out,
            "| {label} | {} | {} | {}{} |",
            size(b, b_estimated),
            size(a, a_estimated),
            change(b, a),
            percent(b, a)
        );
    }
    let _ = writeln!(
        out,
        "| layers | {} | {} | {:+} |",
        before.layers,
        after.layers,
        after.layers as i64 - before.layers as i64
    );
    if [before, after]
        .iter()
        .any(|s| s.size.wire_estimated || s.size.disk_estimated)
    {
        let _ = writeln!(
            out,
            "\n{ESTIMATED} estimated from the other basis at compression ratio {}.",
            headline::assumption(report, "compression_ratio")
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "**Layers**: {} added, {} removed.\n",
        compare.added_layers.len(),
        compare.removed_layers.len()
    );
    out
}

/// `sha256:0123456789ab…`.
fn short_digest(digest: &str) -> String {
    match digest.split_once(':') {
        Some((algorithm, encoded)) if encoded.len() > 12 => {
            format!("{algorithm}:{}…", &encoded[..12])
        }
        _ => digest.to_string(),
    }
}

/// The table rows of `changes`: the largest [`LAYERS_SHOWN`] by name, then one row for the rest.
fn layer_lines(kind: &str, changes: &[LayerChange]) -> Vec<String> {
    let mut largest: Vec<&LayerChange> = changes.iter().collect();
    largest.sort_by_key(|change| std::cmp::Reverse(change.wire_bytes));
    let mut rows: Vec<String> = largest
        .iter()
        .take(LAYERS_SHOWN)
        .map(|change| {
            format!(
                "| {kind} | `{}` | {} |",
                short_digest(&change.digest),
                format_bytes(i128::from(change.wire_bytes))
            )
        })
        .collect();
    if changes.len() > LAYERS_SHOWN {
        let rest: u64 = largest[LAYERS_SHOWN..].iter().map(|c| c.wire_bytes).sum();
        rows.push(format!(
            "| {kind} | … and {} more | {} |",
            counted((changes.len() - LAYERS_SHOWN) as u128, "layer"),
            format_bytes(i128::from(rest))
        ));
    }
    rows
}

/// The fleet impact, the gate's rules, and the folded assumptions and method.
fn tail(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "**Across the fleet** ({}):\n",
        report.totals.headline.basis.words()
    );
    let mut sentences = vec![headline::sentence(report)];
    sentences.extend(headline::expected_sentence(report));
    sentences.extend(headline::return_sentences(report));
    for pieces in &sentences {
        let _ = writeln!(out, "{}\n", sentence(pieces));
    }
    if let Some(gate) = &report.gate {
        let _ = writeln!(out, "**Gate**:\n");
        let _ = writeln!(out, "| result | rule | size | limit | limit from |");
        let _ = writeln!(out, "|:--|:--|--:|--:|:--|");
        for rule in &gate.rules {
            let result = match (rule.passed, rule.level, gate.warn_only) {
                (true, _, _) => "✅ pass",
                (false, crate::calc::gate::Level::Fail, false) => "❌ fail",
                _ => "⚠️ warn",
            };
            let _ = writeln!(
                out,
                "| {result} | {} | {}{} {} | {} | {} |",
                serde_json::to_value(rule.rule)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                if rule.estimated { ESTIMATED } else { "" },
                format_bytes(i128::from(rule.actual_bytes)),
                match rule.basis {
                    crate::units::Basis::Disk => "unpacked",
                    crate::units::Basis::Wire => "wire",
                },
                format_bytes(i128::from(rule.limit_bytes)),
                escape_inline(&rule.limit_from)
            );
        }
        let _ = writeln!(out);
    }
    let findings = super::findings::markdown_for_report(&report.findings);
    if !findings.is_empty() {
        let _ = write!(out, "{findings}");
    }
    let _ = writeln!(out, "<details><summary>Assumptions and method</summary>\n");
    let _ = writeln!(out, "| expected a day, wire | before | after | saved |");
    let _ = writeln!(out, "|:--|--:|--:|--:|");
    for row in expected_rows(report) {
        let _ = writeln!(out, "{row}");
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "| assumption | value | origin |");
    let _ = writeln!(out, "|:--|:--|:--|");
    for row in super::cells::assumption_rows(report) {
        let _ = writeln!(out, "| {} | {} | {} |", row.name, row.value, row.origin);
    }
    let _ = writeln!(out, "\n```text\n{}\n```\n", method::FORMULAS);
    let _ = writeln!(out, "{}\n", method::scope(report));
    let _ = writeln!(out, "</details>\n");
    let _ = writeln!(
        out,
        "{}",
        comment::footer(
            report.generated_at.as_deref().map(escape_inline).as_deref(),
            ""
        )
    );
    out
}
