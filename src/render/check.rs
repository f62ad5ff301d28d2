//! `fleetsave check` output: a text verdict, the JSON contract, a Markdown comment with the
//! marker `<!-- fleetsave:check -->`, and GitHub Actions annotations (`::error::`,
//! `::warning::`) for broken rules.

use super::cells::ESTIMATED;
use super::comment;
use super::table::{Align, Table};
use crate::units::Basis;
use std::fmt::Write;

use super::markdown::{NAME_CHARS, escape_inline, shorten};
use super::text::{terminal_safe, terminal_safe_lines};
use crate::calc::dive::{DiveRule, Outcome, Threshold};
use crate::calc::gate::{Level, RuleKind, Status};
use crate::error::Error;
use crate::report::check::{CheckReport, DiveRuleResult, RuleResult};
use crate::units::format_bytes;

/// Formats of the check report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    Markdown,
}

fn rules_phrase(count: usize) -> String {
    if count == 1 {
        "1 rule".to_string()
    } else {
        format!("{count} rules")
    }
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Warn => "warn",
        Status::Fail => "fail",
    }
}

fn rule_word(rule: RuleKind) -> &'static str {
    match rule {
        RuleKind::Budget => "budget",
        RuleKind::Target => "target",
        RuleKind::Growth => "growth",
        RuleKind::Leftovers => "leftovers",
    }
}

/// What a broken rule does: `fail`, or `warn` for a warn-level rule or with `--warn-only`.
fn outcome(rule: &RuleResult, warn_only: bool) -> &'static str {
    match (rule.passed, rule.level, warn_only) {
        (true, _, _) => "pass",
        (false, Level::Fail, false) => "fail",
        (false, _, _) => "warn",
    }
}

/// `image: 130 MB > 120 MB (python target 70–120 MB, high end), over by 10.0 MB`, naming the
/// service as given (callers escape it for their format).
fn sentence(rule: &RuleResult, name: &str) -> String {
    let actual = size(rule);
    let limit = format_bytes(i128::from(rule.limit_bytes));
    let estimated = if rule.estimated {
        format!(
            "; the {} size is estimated from the {} one with the compression ratio",
            basis_words(rule.basis),
            basis_words(match rule.basis {
                Basis::Disk => Basis::Wire,
                Basis::Wire => Basis::Disk,
            })
        )
    } else {
        String::new()
    };
    if rule.passed {
        format!(
            "{name}: {actual} ≤ {limit} ({}{estimated})",
            rule.limit_from
        )
    } else {
        format!(
            "{name}: {actual} > {limit} ({}{estimated}), over by {}",
            rule.limit_from,
            format_bytes(i128::from(rule.over_bytes))
        )
    }
}

/// `unpacked` or `wire`.
fn basis_words(basis: Basis) -> &'static str {
    match basis {
        Basis::Disk => "unpacked",
        Basis::Wire => "wire",
    }
}

/// The size judged, with its basis and the estimate mark: `130 MB unpacked`, `≈48.1 MB wire`.
fn size(rule: &RuleResult) -> String {
    format!(
        "{}{} {}",
        if rule.estimated { ESTIMATED } else { "" },
        format_bytes(i128::from(rule.actual_bytes)),
        basis_words(rule.basis)
    )
}

/// A dive figure: `0.9844 (98.44%)`, `32,025 bytes (32.0 kB)`.
fn dive_figure(figure: Threshold) -> String {
    match figure {
        Threshold::Ratio(ratio) => format!("{ratio:.4} ({:.2}%)", ratio * 100.0),
        Threshold::Bytes(bytes) => format!("{bytes} bytes ({})", format_bytes(i128::from(bytes))),
    }
}

/// What a dive rule's figure is called.
fn dive_noun(rule: DiveRule) -> &'static str {
    match rule {
        DiveRule::LowestEfficiency => "efficiency",
        DiveRule::HighestWastedBytes => "wasted",
        DiveRule::HighestUserWastedPercent => "user wasted",
    }
}

/// What a dive rule does: `pass`, `fail`, `warn` or `skip` (disabled).
fn dive_outcome(rule: &DiveRuleResult, warn_only: bool) -> &'static str {
    match (rule.outcome, rule.level, warn_only) {
        (Outcome::Disabled, _, _) => "skip",
        (Outcome::Passed, _, _) => "pass",
        (Outcome::Failed, Level::Fail, false) => "fail",
        (Outcome::Failed, _, _) => "warn",
    }
}

/// `image: efficiency 0.9844 (98.44%) ≥ 0.95 (lowestEfficiency from …; basis …)`.
fn dive_sentence(rule: &DiveRuleResult, name: &str) -> String {
    let key = serde_json::to_value(rule.rule)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let Some(limit) = rule.limit else {
        return format!(
            "{name}: {key} disabled ({}; {} {})",
            rule.limit_from,
            dive_noun(rule.rule),
            dive_figure(rule.value)
        );
    };
    let relation = match (rule.rule, rule.passed) {
        (DiveRule::LowestEfficiency, true) => "≥",
        (DiveRule::LowestEfficiency, false) => "<",
        (_, true) => "≤",
        (_, false) => ">",
    };
    let mut out = format!(
        "{name}: {} {} {relation} {} ({key} {} from {}; {})",
        dive_noun(rule.rule),
        dive_figure(rule.value),
        dive_figure(limit),
        rule.configured,
        rule.limit_from,
        rule.basis
    );
    if !rule.message.is_empty() {
        let _ = write!(out, ": {}", rule.message);
    }
    out
}

/// Renders the check report.
pub fn render(
    report: &CheckReport,
    format: CheckFormat,
    marker: Option<&str>,
) -> Result<String, Error> {
    match format {
        CheckFormat::Text => Ok(terminal_safe_lines(&text(report))),
        CheckFormat::Json => super::json::to_string(report, "the check"),
        CheckFormat::Markdown => Ok(markdown(report, marker.unwrap_or("check"))),
    }
}

fn text(report: &CheckReport) -> String {
    let mut out = String::new();
    let dive_rules = report.dive.as_ref().map_or(0, |dive| dive.rules.len());
    let _ = writeln!(
        out,
        "fleetsave check: {} ({} checked, {}{})",
        status_word(report.status).to_uppercase(),
        report.checked,
        rules_phrase(report.rules.len() + dive_rules),
        if report.warn_only { ", warn only" } else { "" }
    );
    if report.rules.is_empty() && dive_rules == 0 {
        let _ = writeln!(
            out,
            "No rules given: add --budget, --warn-budget or --baseline with --max-growth."
        );
    }
    for rule in &report.rules {
        let table = Table::new(&[(5, Align::Left), (7, Align::Left)], " ");
        let _ = writeln!(
            out,
            "  {}",
            table.row(&[
                outcome(rule, report.warn_only),
                rule_word(rule.rule),
                &sentence(rule, &terminal_safe(&rule.service)),
            ])
        );
    }
    if let Some(dive) = &report.dive {
        for rule in &dive.rules {
            let table = Table::new(&[(5, Align::Left), (7, Align::Left)], " ");
            let _ = writeln!(
                out,
                "  {}",
                table.row(&[
                    dive_outcome(rule, report.warn_only),
                    "dive",
                    &dive_sentence(rule, &terminal_safe(&dive.service)),
                ])
            );
        }
        if let Some(path) = &dive.dive_ci {
            let _ = writeln!(out, "dive CI file: {}", terminal_safe(path));
        }
        for key in &dive.ignored {
            let _ = writeln!(out, "ignored as dive ignores it: {}", terminal_safe(key));
        }
    }
    out
}

fn markdown(report: &CheckReport, marker: &str) -> String {
    let badge = match report.status {
        Status::Pass => "✅ pass",
        Status::Warn => "⚠️ warn",
        Status::Fail => "❌ fail",
    };
    let dive_rules: &[DiveRuleResult] = report.dive.as_ref().map_or(&[], |d| &d.rules);
    let broken = report.rules.iter().filter(|r| !r.passed).count()
        + dive_rules.iter().filter(|r| !r.passed).count();
    let head = format!(
        "{}\n### fleetsave check: {badge}\n\n{} checked against {}: {} broken{}.\n",
        comment::marker_line(marker),
        report.checked,
        rules_phrase(report.rules.len() + dive_rules.len()),
        broken,
        if report.warn_only {
            " (warn only: the build is not failed)"
        } else {
            ""
        }
    );
    // Broken rules first, so a cut never hides a failure.
    let mut rules: Vec<_> = report.rules.iter().collect();
    rules.sort_by_key(|rule| rule.passed);
    let rows: Vec<String> = rules
        .iter()
        .map(|rule| {
            let result = match outcome(rule, report.warn_only) {
                "pass" => "✅ pass",
                "warn" => "⚠️ warn",
                _ => "❌ fail",
            };
            format!(
                "| {result} | {} | {} | {} | {} | {} | {} |",
                rule_word(rule.rule),
                escape_inline(&shorten(&rule.service, NAME_CHARS)),
                size(rule),
                format_bytes(i128::from(rule.limit_bytes)),
                if rule.passed {
                    "—".to_string()
                } else {
                    format_bytes(i128::from(rule.over_bytes))
                },
                escape_inline(&rule.limit_from)
            )
        })
        .collect();
    let mut rows = rows;
    if let Some(dive) = &report.dive {
        // dive's broken rules after the other broken rules, the rest last.
        let mut sorted: Vec<_> = dive.rules.iter().collect();
        sorted.sort_by_key(|rule| rule.passed);
        let at = rules.iter().take_while(|rule| !rule.passed).count();
        let mut broken_rows = Vec::new();
        let mut other_rows = Vec::new();
        for rule in sorted {
            let result = match dive_outcome(rule, report.warn_only) {
                "pass" => "✅ pass",
                "warn" => "⚠️ warn",
                "skip" => "➖ skip",
                _ => "❌ fail",
            };
            let key = serde_json::to_value(rule.rule)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let row = format!(
                "| {result} | dive {key} | {} | {} | {} | {} | {} |",
                escape_inline(&shorten(&dive.service, NAME_CHARS)),
                dive_figure(rule.value),
                rule.limit.map_or("disabled".to_string(), dive_figure),
                match (rule.passed, rule.rule) {
                    (true, _) => "—",
                    (false, DiveRule::LowestEfficiency) => "below",
                    (false, _) => "over",
                },
                escape_inline(&format!(
                    "{} from {}; {}",
                    rule.configured, rule.limit_from, rule.basis
                ))
            );
            if rule.passed {
                other_rows.push(row);
            } else {
                broken_rows.push(row);
            }
        }
        let tail = rows.split_off(at);
        rows.extend(broken_rows);
        rows.extend(tail);
        rows.extend(other_rows);
    }
    let omitted = |count: usize| {
        format!(
            "\n… and {} more not shown (GitHub limits a comment to 65,536 characters). The JSON \
             output has every rule.",
            if count == 1 {
                "1 rule".to_string()
            } else {
                format!("{count} rules")
            }
        )
    };
    comment::with_table(
        &head,
        "\n| result | rule | service | size | limit | over | limit from |\n|:--|:--|:--|--:|--:|--:|:--|\n",
        &rows,
        omitted,
        &format!("\n{}\n", comment::footer(None, "")),
    )
}

/// Escapes a GitHub Actions workflow-command message as the runner's toolkit does (`%`, `\r`,
/// `\n`), and breaks every `::` and `##[` in it with a zero-width joiner: the message keeps no
/// command from input.
fn escape_annotation(message: &str) -> String {
    crate::runner::break_commands(
        &message
            .replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A"),
    )
}

/// Escapes a workflow-command property value (`title=…`) as the runner's toolkit does: `%`,
/// `\r`, `\n`, `:` and `,`.
fn escape_property(value: &str) -> String {
    value
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// `::error title=fleetsave check::image: 130 MB > 120 MB …` for each broken rule.
pub fn annotations(report: &CheckReport) -> String {
    let mut out = String::new();
    for rule in report.rules.iter().filter(|r| !r.passed) {
        let command = match outcome(rule, report.warn_only) {
            "fail" => "error",
            _ => "warning",
        };
        let title = format!("fleetsave check ({})", rule_word(rule.rule));
        let _ = writeln!(
            out,
            "::{command} title={}::{}",
            escape_property(&title),
            escape_annotation(&terminal_safe(&sentence(rule, &rule.service)))
        );
    }
    if let Some(dive) = &report.dive {
        for rule in dive.rules.iter().filter(|r| !r.passed) {
            let command = match dive_outcome(rule, report.warn_only) {
                "fail" => "error",
                _ => "warning",
            };
            let _ = writeln!(
                out,
                "::{command} title={}::{}",
                escape_property("fleetsave check (dive)"),
                escape_annotation(&terminal_safe(&dive_sentence(rule, &dive.service)))
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_messages_cannot_break_out() {
        assert_eq!(escape_annotation("a\nb%c\r"), "a%0Ab%25c%0D");
        for message in [
            "x ::error::PWNED",
            "::add-mask::x",
            "##[stop-commands]t",
            "a::::b",
        ] {
            let escaped = escape_annotation(message);
            assert!(
                !escaped.contains("::") && !escaped.contains("##["),
                "{escaped}"
            );
        }
    }

    #[test]
    fn annotation_properties_are_escaped_as_the_toolkit_does() {
        assert_eq!(
            escape_property("a%b\r\nc:d,e::f"),
            "a%25b%0D%0Ac%3Ad%2Ce%3A%3Af"
        );
    }
}
