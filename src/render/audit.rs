//! `fleetsave audit`: the findings as a linter writes them (`Dockerfile:12 DL3009 apt lists
//! kept — 41.8 MB, 6.2 GB a day across the fleet`), as JSON (the report as is), as SARIF 2.1.0
//! for code scanning, and as a Markdown pull-request comment through the shared comment builder.

use std::fmt::Write;

use askama::Template;
use serde_json::json;

use super::comment;
use super::headline::{format_byte_range, format_money_range};
use super::markdown::escape_inline;
use super::text::{terminal_safe, terminal_safe_lines};
use crate::calc::audit::{Rule, Severity};
use crate::error::Error;
use crate::report::audit::{AuditPlan, AuditReport, Finding, Price, ServiceAudit, Total};
use crate::report::layers::Value;
use crate::report::{Report, ServiceRow};
use crate::units::{counted, format_bytes, format_count, format_money};

/// Formats of `audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    Text,
    Json,
    Markdown,
    Sarif,
    Html,
}

/// The URI of the SARIF 2.1.0 schema written in `$schema`.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Renders the report; `rules` is the whole table (SARIF lists every rule).
pub fn render(report: &AuditReport, rules: &[Rule], format: AuditFormat) -> Result<String, Error> {
    match format {
        AuditFormat::Json => super::json::to_string(report, "the audit"),
        AuditFormat::Text => Ok(terminal_safe_lines(&text(report))),
        AuditFormat::Markdown => Ok(markdown(report)),
        AuditFormat::Sarif => super::json::to_string(&sarif(report, rules), "the SARIF log"),
        AuditFormat::Html => html(report),
    }
}

fn bytes(value: u64) -> String {
    format_bytes(i128::from(value))
}

/// `15.0 kB measured` or `est. 3.50–36.0 MB`.
fn price_words(price: &Price) -> String {
    if price.measured {
        format!("{} measured", bytes(price.low_bytes))
    } else {
        format!(
            "est. {}",
            format_byte_range(i128::from(price.low_bytes), i128::from(price.high_bytes))
        )
    }
}

/// `, 6.2 GB a day across the fleet ($1,234 a year)` for a priced finding with a fleet.
fn fleet_words(low: Option<&Value>, high: Option<&Value>, currency: &str) -> Option<String> {
    let (low, high) = (low?, high?);
    let day = if low.full_pull_transfer_per_day_bytes == high.full_pull_transfer_per_day_bytes {
        bytes(u64::try_from(low.full_pull_transfer_per_day_bytes).unwrap_or(u64::MAX))
    } else {
        format_byte_range(
            i128::try_from(low.full_pull_transfer_per_day_bytes).unwrap_or(i128::MAX),
            i128::try_from(high.full_pull_transfer_per_day_bytes).unwrap_or(i128::MAX),
        )
    };
    let year = if low.full_pull_cost_per_year == high.full_pull_cost_per_year {
        format_money(low.full_pull_cost_per_year, currency)
    } else {
        format_money_range(
            low.full_pull_cost_per_year,
            high.full_pull_cost_per_year,
            currency,
        )
    };
    Some(format!("{day} a day across the fleet ({year} a year)"))
}

/// `44.8–62.6 kB (15.0 kB measured + 29.8–47.6 kB estimated), 828 kB–1.16 MB a day across the
/// fleet ($0.01–$0.02 a year)`.
fn total_words(report: &AuditReport) -> String {
    total_in(&report.total, currency(report))
}

fn total_in(total: &Total, currency: &str) -> String {
    let fleet = fleet_words(
        total.fleet_value_low.as_ref(),
        total.fleet_value_high.as_ref(),
        currency,
    )
    .map(|f| format!(", {f}"))
    .unwrap_or_default();
    format!(
        "{} ({} measured + {} estimated){fleet}",
        format_byte_range(i128::from(total.low_bytes), i128::from(total.high_bytes)),
        bytes(total.measured_bytes),
        format_byte_range(
            i128::from(total.estimated_low_bytes),
            i128::from(total.estimated_high_bytes)
        )
    )
}

fn code(finding: &Finding) -> &str {
    finding.hadolint.as_deref().unwrap_or(&finding.id)
}

fn currency(report: &AuditReport) -> &str {
    report
        .fleet
        .as_ref()
        .map(|f| f.currency.as_str())
        .unwrap_or("USD")
}

fn finding_value(report: &AuditReport, finding: &Finding) -> String {
    value_in(finding, currency(report))
}

/// `15.0 kB measured, 278 kB a day across the fleet ($0.01 a year)`, or `not priced`.
fn value_in(finding: &Finding, currency: &str) -> String {
    match &finding.price {
        Some(price) => {
            let mut out = price_words(price);
            if let Some(fleet) = fleet_words(
                price.fleet_value_low.as_ref(),
                price.fleet_value_high.as_ref(),
                currency,
            ) {
                out.push_str(", ");
                out.push_str(&fleet);
            }
            out
        }
        None => "not priced".to_string(),
    }
}

fn text(report: &AuditReport) -> String {
    let mut out = String::new();
    let path = terminal_safe(&report.dockerfile);
    for finding in &report.findings {
        let _ = writeln!(
            out,
            "{path}:{} {} {} — {}",
            finding.line,
            code(finding),
            finding.message,
            finding_value(report, finding)
        );
        let _ = writeln!(
            out,
            "  {} ({}): {}",
            finding.id,
            finding.severity.as_str(),
            terminal_safe(&finding.detail)
        );
        let _ = writeln!(out, "  fix: {}", finding.fix);
        if let Some(price) = &finding.price {
            let _ = writeln!(out, "  {}", price.basis);
            for path in &price.paths {
                let _ = writeln!(
                    out,
                    "    {:>14} {}",
                    format_count(u128::from(path.bytes)),
                    terminal_safe(&path.path)
                );
            }
            if price.path_count > price.paths.len() as u64 {
                let _ = writeln!(
                    out,
                    "    … {} more",
                    format_count(u128::from(price.path_count - price.paths.len() as u64))
                );
            }
        }
    }
    let c = &report.counts;
    let _ = writeln!(
        out,
        "{}: {} ({} error, {} warning, {} info)",
        path,
        counted(report.findings.len() as u128, "finding"),
        c.error,
        c.warning,
        c.info
    );
    let total = &report.total;
    if total.high_bytes > 0 {
        let _ = writeln!(out, "recoverable: {}", total_words(report));
        let _ = writeln!(out, "  {}", total.basis);
    }
    if let Some(image) = &report.image {
        let _ = writeln!(out, "image: {}", terminal_safe(image));
    }
    if let Some(history) = &report.history {
        let _ = writeln!(out, "  history: {history}");
    }
    if let Some(basis) = &report.estimate_basis {
        let _ = writeln!(out, "estimates: of {}", terminal_safe(basis));
    }
    if let Some(fleet) = &report.fleet {
        let _ = writeln!(out, "fleet: {}", super::layers::fleet_line(fleet));
    }
    if let Some(basis) = &report.value_basis {
        let _ = writeln!(out, "  fleet values: {basis}");
    }
    if let Some(context) = &report.context {
        let measured = match (context.bytes, context.files) {
            (Some(b), Some(f)) => format!(
                ", {}{} in {}",
                if context.truncated { "at least " } else { "" },
                bytes(b),
                counted(u128::from(f), "file")
            ),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "context: {}{} ({})",
            terminal_safe(&context.path),
            measured,
            if context.dockerignore {
                ".dockerignore found"
            } else {
                "no .dockerignore"
            }
        );
    }
    if let Some(gate) = &report.gate {
        let _ = writeln!(out, "gate: {}", gate.status);
        for reason in &gate.reasons {
            let _ = writeln!(out, "  {reason}");
        }
    }
    for note in &report.notes {
        let _ = writeln!(out, "note: {}", terminal_safe(note));
    }
    out
}

/// The level SARIF knows for a severity.
fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A SARIF 2.1.0 log: one run, every rule of the table, one result per finding located on the
/// Dockerfile's lines.
fn sarif(report: &AuditReport, rules: &[Rule]) -> serde_json::Value {
    let uri = report
        .dockerfile
        .trim_start_matches("./")
        .replace('\\', "/");
    let driver_rules: Vec<serde_json::Value> = rules
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id,
                "name": rule.id,
                "shortDescription": { "text": rule.message },
                "help": { "text": rule.fix },
                "defaultConfiguration": { "level": sarif_level(rule.severity) },
                "properties": {
                    "hadolint": rule.hadolint,
                    "technique": rule.technique,
                    "final_stage_only": rule.final_stage_only,
                },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = report
        .findings
        .iter()
        .map(|finding| {
            let index = rules.iter().position(|r| r.id == finding.id).unwrap_or(0);
            let value = finding_value(report, finding);
            json!({
                "ruleId": finding.id,
                "ruleIndex": index,
                "level": sarif_level(finding.severity),
                "message": {
                    "text": format!(
                        "{}: {} ({}) — {}. Fix: {}",
                        code(finding),
                        finding.message,
                        finding.detail,
                        value,
                        finding.fix
                    )
                },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": {
                            "startLine": finding.line,
                            "startColumn": finding.column,
                            "endLine": finding.end_line,
                        }
                    }
                }],
                "partialFingerprints": {
                    "fleetsave/v1": format!("{}:{}", finding.id, finding.instruction)
                },
                "properties": {
                    "hadolint": finding.hadolint,
                    "detail": finding.detail,
                    "measured": finding.price.as_ref().map(|p| p.measured),
                    "low_bytes": finding.price.as_ref().map(|p| p.low_bytes),
                    "high_bytes": finding.price.as_ref().map(|p| p.high_bytes),
                },
            })
        })
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "fleetsave",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": driver_rules,
                }
            },
            "results": results,
        }]
    })
}

/// The Markdown comment: a summary, then the findings worth most first.
fn markdown(report: &AuditReport) -> String {
    let mut head = comment::marker_line("audit");
    head.push_str("\n### Dockerfile audit: ");
    head.push_str(&escape_inline(&super::markdown::shorten(
        &report.dockerfile,
        super::markdown::NAME_CHARS,
    )));
    head.push_str("\n\n");
    let total = &report.total;
    let _ = write!(
        head,
        "**{}** ({} error, {} warning, {} info)",
        counted(report.findings.len() as u128, "finding"),
        report.counts.error,
        report.counts.warning,
        report.counts.info
    );
    if total.high_bytes > 0 {
        let _ = write!(
            head,
            "; recoverable **{}**",
            format_byte_range(i128::from(total.low_bytes), i128::from(total.high_bytes))
        );
        if total.measured_bytes > 0 {
            let _ = write!(head, " ({} measured)", bytes(total.measured_bytes));
        }
        if let Some(fleet) = fleet_words(
            total.fleet_value_low.as_ref(),
            total.fleet_value_high.as_ref(),
            currency(report),
        ) {
            let _ = write!(head, ": **{}**", escape_inline(&fleet));
        }
    }
    head.push_str(".\n\n");
    if let Some(gate) = &report.gate {
        let _ = writeln!(head, "Gate: **{}**.\n", gate.status);
        for reason in &gate.reasons {
            let _ = writeln!(head, "- {}", escape_inline(reason));
        }
        if !gate.reasons.is_empty() {
            head.push('\n');
        }
    }
    let rows: Vec<String> = largest_first(&report.findings)
        .into_iter()
        .map(|finding| markdown_row(finding, currency(report)))
        .collect();
    let mut tail = String::new();
    if let Some(basis) = &report.estimate_basis {
        let _ = writeln!(
            tail,
            "\nEstimates are the checklist's ranges of {}.",
            escape_inline(basis)
        );
    }
    if let Some(basis) = &report.value_basis {
        let _ = writeln!(tail, "\nFleet figures: {}.", escape_inline(basis));
    }
    tail.push('\n');
    tail.push_str(&comment::footer(None, ""));
    tail.push('\n');
    comment::with_table(
        &head,
        MARKDOWN_HEADER,
        &rows,
        |left| format!("\n_{} more not shown._", format_count(left as u128)),
        &tail,
    )
}

const MARKDOWN_HEADER: &str =
    "| line | rule | finding | bytes | across the fleet |\n|---:|---|---|---|---|\n";

/// The findings by their high bytes, largest first (unpriced last), file order among equals.
fn largest_first(findings: &[Finding]) -> Vec<&Finding> {
    let mut ordered: Vec<&Finding> = findings.iter().collect();
    ordered.sort_by_key(|f| std::cmp::Reverse(f.price.as_ref().map(|p| p.high_bytes).unwrap_or(0)));
    ordered
}

/// One finding as a row of a Markdown table under [`MARKDOWN_HEADER`].
fn markdown_row(finding: &Finding, currency: &str) -> String {
    let (size, fleet) = match &finding.price {
        Some(price) => (
            price_words(price),
            fleet_words(
                price.fleet_value_low.as_ref(),
                price.fleet_value_high.as_ref(),
                currency,
            )
            .unwrap_or_else(|| "—".to_string()),
        ),
        None => ("not priced".to_string(), "—".to_string()),
    };
    format!(
        "| {} | `{}` {} | {}: {} | {} | {} |",
        finding.line,
        code(finding),
        escape_inline(finding.severity.as_str()),
        escape_inline(&finding.message),
        escape_inline(&super::markdown::shorten(&finding.detail, 120)),
        escape_inline(&size),
        escape_inline(&fleet)
    )
}

/// A fleet report shows this many findings of each service's Dockerfile (the largest); the JSON
/// has them all.
pub const SERVICE_FINDINGS: usize = 5;

/// `python.Dockerfile (measured in …): 10 findings (0 error, 7 warning, 3 info)`.
fn service_title(audit: &ServiceAudit) -> String {
    let c = &audit.counts;
    format!(
        "{}: {}{} — {} ({} error, {} warning, {} info)",
        audit.service,
        audit.dockerfile,
        match &audit.image {
            Some(image) => format!(", measured in {image}"),
            None => String::new(),
        },
        counted(audit.findings.len() as u128, "finding"),
        c.error,
        c.warning,
        c.info
    )
}

/// The sentences under a service's title: what the findings recover, and for a plan row the
/// after size they give beside the runtime target's projection.
fn service_sentences(
    audit: &ServiceAudit,
    row: Option<&ServiceRow>,
    currency: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    if audit.total.high_bytes > 0 {
        out.push(format!(
            "Recoverable: {}.",
            total_in(&audit.total, currency)
        ));
    }
    if let Some(plan) = &audit.plan {
        let target = row
            .and_then(|row| row.projected_after.as_ref())
            .map(|range| {
                format!(
                    "; the runtime target projects {}",
                    format_byte_range(
                        i128::from(range.high.disk_bytes),
                        i128::from(range.low.disk_bytes)
                    )
                )
            })
            .unwrap_or_default();
        let (range, label) = plan_range(plan);
        out.push(format!(
            "Plan: after {range} unpacked by the findings ({label}){target}."
        ));
    }
    if let Some(basis) = &audit.estimate_basis {
        out.push(format!("Estimates are the checklist's ranges of {basis}."));
    }
    out.extend(audit.notes.iter().map(|note| format!("Note: {note}.")));
    out
}

/// (`784–849 MB`, `estimated`): a plan's after size by its Dockerfile's findings, and whether
/// it is measured.
fn plan_range(plan: &AuditPlan) -> (String, &'static str) {
    (
        format_byte_range(
            i128::from(plan.low_after_disk_bytes),
            i128::from(plan.high_after_disk_bytes),
        ),
        if plan.measured {
            "measured"
        } else {
            "estimated"
        },
    )
}

/// The after size the findings of the plan row `name` give, for its table cell beside the
/// target's projection; empty when the row is no plan or names no Dockerfile.
pub fn plan_cell(report: &Report, name: &str) -> String {
    report
        .audits
        .iter()
        .find(|audit| audit.service == name)
        .and_then(|audit| audit.plan.as_ref())
        .map(|plan| {
            let (range, label) = plan_range(plan);
            format!("{range} by the findings ({label})")
        })
        .unwrap_or_default()
}

/// `… 5 more findings` when a service has more than [`SERVICE_FINDINGS`].
fn more_line(audit: &ServiceAudit) -> Option<String> {
    (audit.findings.len() > SERVICE_FINDINGS).then(|| {
        format!(
            "… {} more",
            counted((audit.findings.len() - SERVICE_FINDINGS) as u128, "finding")
        )
    })
}

/// The report's row of `audit`'s service.
fn row_of<'a>(report: &'a Report, audit: &ServiceAudit) -> Option<&'a ServiceRow> {
    report
        .services
        .iter()
        .find(|row| *row.name == *audit.service)
}

/// The text report's Dockerfile findings: a block a service, its largest findings as the
/// linter lines of `audit`.
pub fn report_text(report: &Report) -> String {
    let mut out = String::new();
    if report.audits.is_empty() {
        return out;
    }
    let currency = report.assumptions.currency.as_str();
    let _ = writeln!(
        out,
        "\nDockerfile findings (fleetsave audit, each service's shape):"
    );
    for audit in &report.audits {
        let _ = writeln!(out, "  {}", terminal_safe(&service_title(audit)));
        for sentence in service_sentences(audit, row_of(report, audit), currency) {
            let wrapped = super::text::wrap(&terminal_safe(&sentence), 74);
            let _ = writeln!(out, "    {}", wrapped.replace('\n', "\n    "));
        }
        for finding in largest_first(&audit.findings)
            .into_iter()
            .take(SERVICE_FINDINGS)
        {
            let _ = writeln!(
                out,
                "    {}:{} {} {} — {}",
                terminal_safe(&audit.dockerfile),
                finding.line,
                code(finding),
                finding.message,
                value_in(finding, currency)
            );
        }
        if let Some(more) = more_line(audit) {
            let _ = writeln!(out, "    {more}");
        }
    }
    out
}

/// The pull-request comment's Dockerfile findings: a table a service of its largest findings.
pub fn report_markdown(report: &Report) -> String {
    let mut out = String::new();
    let currency = report.assumptions.currency.as_str();
    for audit in report.audits.iter().take(super::findings::COMMENT_IMAGES) {
        let _ = writeln!(
            out,
            "\n#### Dockerfile findings: {}\n",
            escape_inline(&super::markdown::shorten(
                &service_title(audit),
                super::markdown::NAME_CHARS * 2
            ))
        );
        for sentence in service_sentences(audit, row_of(report, audit), currency) {
            let _ = writeln!(out, "{}\n", escape_inline(&sentence));
        }
        if audit.findings.is_empty() {
            continue;
        }
        out.push_str(MARKDOWN_HEADER);
        for finding in largest_first(&audit.findings)
            .into_iter()
            .take(SERVICE_FINDINGS)
        {
            out.push_str(&markdown_row(finding, currency));
            out.push('\n');
        }
        if let Some(more) = more_line(audit) {
            let _ = writeln!(out, "\n_{more} (the JSON report has them all)._");
        }
    }
    if let Some(left) = more_services(report, super::findings::COMMENT_IMAGES) {
        let _ = writeln!(out, "\n{left}");
    }
    out
}

/// `… the Dockerfile findings of 3 more services not shown (the JSON report has them all).`
/// when a report has more than `shown` audits.
fn more_services(report: &Report, shown: usize) -> Option<String> {
    (report.audits.len() > shown).then(|| {
        format!(
            "… the Dockerfile findings of {} not shown (the JSON report has them all).",
            counted((report.audits.len() - shown) as u128, "more service")
        )
    })
}

/// One service's Dockerfile findings as the HTML report shows them: plain strings, escaped by
/// the template.
pub struct AuditSection {
    pub title: String,
    pub sentences: Vec<String>,
    pub rows: Vec<HtmlRow>,
}

/// The HTML report's "Dockerfile findings": a table a service (at most
/// [`super::findings::PAGE_IMAGES`]), every finding; and the line that counts the rest.
pub fn report_sections(report: &Report) -> (Vec<AuditSection>, Option<String>) {
    let currency = report.assumptions.currency.as_str();
    let sections = report
        .audits
        .iter()
        .take(super::findings::PAGE_IMAGES)
        .map(|audit| AuditSection {
            title: service_title(audit),
            sentences: service_sentences(audit, row_of(report, audit), currency),
            rows: audit
                .findings
                .iter()
                .map(|finding| html_row(finding, currency))
                .collect(),
        })
        .collect();
    (
        sections,
        more_services(report, super::findings::PAGE_IMAGES),
    )
}

/// The rules table of docs/audit.md, generated from `data/audit-rules.csv`.
pub fn rules_table(rules: &[Rule]) -> String {
    let mut out = String::from(
        "| id | hadolint | technique | stages | severity | priced by | finding | fix |\n\
         |---|---|---:|---|---|---|---|---|\n",
    );
    for rule in rules {
        let measured: Vec<String> = rule.leftover_ids().map(|id| format!("`{id}`")).collect();
        let priced = if !measured.is_empty() {
            format!("leftovers {}", measured.join(", "))
        } else if rule.id == "deleted-later" {
            "the removed files in the earlier layer".to_string()
        } else {
            "estimate".to_string()
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |",
            rule.id,
            rule.hadolint.as_deref().unwrap_or("—"),
            rule.technique,
            if rule.final_stage_only {
                "those that ship"
            } else {
                "all"
            },
            rule.severity.as_str(),
            priced,
            escape_inline(&rule.message),
            escape_inline(&rule.fix)
        );
    }
    out
}

/// One finding as a page shows it.
pub struct HtmlRow {
    pub line: usize,
    pub code: String,
    pub severity: &'static str,
    pub finding: String,
    pub basis: String,
    pub fix: String,
    pub bytes: String,
    pub fleet: String,
}

fn html_row(finding: &Finding, currency: &str) -> HtmlRow {
    HtmlRow {
        line: finding.line,
        code: code(finding).to_string(),
        severity: finding.severity.as_str(),
        finding: format!("{}: {}", finding.message, finding.detail),
        basis: finding
            .price
            .as_ref()
            .map(|p| p.basis.clone())
            .unwrap_or_default(),
        fix: finding.fix.clone(),
        bytes: finding
            .price
            .as_ref()
            .map(price_words)
            .unwrap_or_else(|| "not priced".to_string()),
        fleet: finding
            .price
            .as_ref()
            .and_then(|p| {
                fleet_words(
                    p.fleet_value_low.as_ref(),
                    p.fleet_value_high.as_ref(),
                    currency,
                )
            })
            .unwrap_or_else(|| "—".to_string()),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct HtmlAudit {
    version: &'static str,
    title: String,
    subtitle: String,
    bound: &'static str,
    summary: Vec<String>,
    rows: Vec<HtmlRow>,
    notes: Vec<String>,
}

/// The findings as one self-contained page (the shared page shell; every string escaped by the
/// template).
fn html(report: &AuditReport) -> Result<String, Error> {
    let total = &report.total;
    let mut summary = vec![format!(
        "{} ({} error, {} warning, {} info).",
        counted(report.findings.len() as u128, "finding"),
        report.counts.error,
        report.counts.warning,
        report.counts.info
    )];
    if total.high_bytes > 0 {
        summary.push(format!("Recoverable: {}.", total_words(report)));
        summary.push(total.basis.to_string());
    }
    if let Some(basis) = &report.estimate_basis {
        summary.push(format!("Estimates are the checklist's ranges of {basis}."));
    }
    if let Some(basis) = &report.value_basis {
        summary.push(format!("Fleet figures: {basis}."));
    }
    if let Some(gate) = &report.gate {
        summary.push(format!("Gate: {}. {}", gate.status, gate.reasons.join(" ")));
    }
    let rows = report
        .findings
        .iter()
        .map(|finding| html_row(finding, currency(report)))
        .collect();
    let page = HtmlAudit {
        version: env!("CARGO_PKG_VERSION"),
        title: format!("Dockerfile audit: {}", report.dockerfile),
        subtitle: match &report.image {
            Some(image) => format!("measured in {image}"),
            None => "no image: estimates".to_string(),
        },
        bound: "fleet figures: upper bound, every pull a full pull",
        summary,
        rows,
        notes: report.notes.clone(),
    };
    page.render()
        .map_err(|e| Error::Internal(format!("cannot render the audit page: {e}")))
}
