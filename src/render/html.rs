//! The HTML report: one self-contained page — inline CSS, inline SVG
//! charts, no script, no external resource — that a manager can read in ten seconds and print
//! on A4. The view below holds finished strings; the askama templates in `templates/` only
//! place them. askama escapes every `{{ }}` in `.html` templates with [`HtmlEscaper`]; the few
//! fields marked `|safe` (the headline with its `<strong>` figures, the SVG charts) are escaped
//! here, in Rust.

use askama::Template;

use super::cells::{
    AssumptionCells, RowCells, assumption_rows, estimate_note, reduction, row_cells,
};
use super::charts::{ChartView, chart_views};
use super::findings::ImageSection;
use super::headline::{self, Piece};
use super::method;
use crate::calc::targets::Status;
use crate::error::Error;
use crate::report::{FigureBasis, Report};
use crate::runner::Part;
use crate::units::{format_bytes, format_count, format_days, format_money, format_seconds};

/// The per-service table shows at most this many rows; the JSON has them all.
pub const TABLE_ROWS: usize = 1000;

/// One of the big figures at the top.
struct Figure {
    value: String,
    caption: String,
    bad: bool,
}

struct NextStepsView {
    summary: String,
    /// (priority, technique, expected effect)
    techniques: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "report.html")]
struct HtmlReport {
    version: &'static str,
    title: String,
    subtitle: String,
    generated_at: Option<String>,
    bound: String,
    growth: bool,
    headline_html: String,
    sentences_html: Vec<String>,
    figures: Vec<Figure>,
    charts: Vec<ChartView>,
    /// `report --history`: (service, sparkline, first → last).
    trends: Vec<(String, String, String)>,
    table_note: String,
    rows: Vec<RowCells>,
    rows_more: Option<String>,
    next_steps: Option<NextStepsView>,
    findings: Vec<ImageSection>,
    findings_more: Option<String>,
    /// "Dockerfile findings": a section a service with a `dockerfile`.
    audits: Vec<super::audit::AuditSection>,
    audits_more: Option<String>,
    burst: Option<super::burst::BurstTable>,
    assumptions: Vec<AssumptionCells>,
    scope: String,
    formulas: &'static str,
    worked_example: &'static str,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HtmlHistory {
    version: &'static str,
    title: String,
    subtitle: String,
    generated_at: Option<String>,
    charts: Vec<ChartView>,
    builds: Vec<[String; 8]>,
    builds_note: String,
    enough: String,
    measured: Vec<(&'static str, String, String)>,
    backtest: String,
    backtest_rows: Vec<(String, String, String)>,
    notes: Vec<String>,
}

/// The builds the history page's table shows: the last ones.
pub const HISTORY_TABLE_BUILDS: usize = 30;

/// The page of `fleetsave history`: the trend charts, the last builds with deltas, the measured
/// parameters and the backtest.
pub fn history(report: &crate::report::history::HistoryReport) -> Result<String, Error> {
    use super::history as parts;
    let (backtest, backtest_rows) = parts::backtest_rows(report);
    let page = HtmlHistory {
        version: env!("CARGO_PKG_VERSION"),
        title: report.title.clone(),
        subtitle: parts::heading(report),
        generated_at: report.generated_at.clone(),
        charts: super::charts::history_charts(report)?,
        builds: parts::build_rows(report, HISTORY_TABLE_BUILDS),
        builds_note: parts::builds_note(report, HISTORY_TABLE_BUILDS),
        enough: format!("Measured: {}", parts::enough_sentence(report)),
        measured: parts::measured_lines(report),
        backtest,
        backtest_rows,
        notes: report.notes.clone(),
    };
    page.render()
        .map_err(|e| Error::Internal(format!("cannot render the HTML template: {e}")))
}

/// Escapes text for HTML content and attribute values; runner commands (`::`, `##[`) are broken
/// with character references (`:&#58;`, `##&#91;`), which the page shows unchanged.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    crate::runner::break_commands_with(input, &mut out, "&#58;", "&#91;", |out, c| match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c if replaced_in_html(c) => out.push('\u{FFFD}'),
        c => out.push(c),
    });
    out
}

/// The escaper of every `{{ }}` in the `.html` templates (configured in `askama.toml`): askama's
/// own HTML escaper, after replacing control characters from input, with runner commands
/// broken as in [`escape_html`].
#[derive(Debug, Clone, Copy)]
pub struct HtmlEscaper;

impl askama::filters::Escaper for HtmlEscaper {
    fn write_escaped_str<W: std::fmt::Write>(&self, mut dest: W, string: &str) -> std::fmt::Result {
        let html = askama::filters::Html;
        if !string.contains(replaced_in_html) && !crate::runner::holds_command(string) {
            return html.write_escaped_str(dest, string);
        }
        let cleaned: String = string
            .chars()
            .map(|c| if replaced_in_html(c) { '\u{FFFD}' } else { c })
            .collect();
        // Text goes through askama's escaper; the breaks are character references.
        for part in crate::runner::parts(&cleaned) {
            match part {
                Part::Text(text) => html.write_escaped_str(&mut dest, text)?,
                Part::Colon => dest.write_str("&#58;")?,
                Part::Bracket => dest.write_str("&#91;")?,
            }
        }
        Ok(())
    }
}

/// Control characters (ESC, CR, NUL, …) have no place in a page; line feeds are kept.
fn replaced_in_html(c: char) -> bool {
    c.is_control() && c != '\n'
}

/// A name as HTML that wraps only after `-`, `_` and `.` (and at spaces): escaped, with `<wbr>`
/// after each of those characters. Table cells with names forbid breaks anywhere else (CSS
/// `word-break: keep-all`), so "recommendations" never becomes "recommendatio/ns".
pub fn breakable_name(name: &str) -> String {
    use askama::filters::Escaper;
    let mut out = String::with_capacity(name.len() + 16);
    for piece in name.split_inclusive(['-', '_', '.']) {
        // Escaped as every other `{{ }}` of the page is.
        let _ = HtmlEscaper.write_escaped_str(&mut out, piece);
        if piece.ends_with(['-', '_', '.']) {
            out.push_str("<wbr>");
        }
    }
    out
}

/// Filters of the HTML templates.
pub(super) mod filters {
    /// `{{ name|breakable }}`: see [`super::breakable_name`].
    #[askama::filter_fn]
    pub fn breakable<T: std::fmt::Display>(
        name: T,
        _: &dyn askama::Values,
    ) -> askama::Result<askama::filters::Safe<String>> {
        Ok(askama::filters::Safe(super::breakable_name(
            &name.to_string(),
        )))
    }
}

/// A sentence as HTML: figures in `<strong>`, input isolated in `<bdi>` (right-to-left names
/// cannot reorder the sentence), everything escaped.
fn sentence_html(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|piece| match piece {
            Piece::Text(text) => escape_html(text),
            Piece::Figure(text) => format!("<strong>{}</strong>", escape_html(text)),
            Piece::Input(text) => format!("<bdi>{}</bdi>", escape_html(text)),
        })
        .collect()
}

fn figures(report: &Report) -> Vec<Figure> {
    let totals = &report.totals;
    let currency = &totals.cost_saved.currency;
    let headline = &totals.headline;
    let (saved_wire, money_year) = (headline.wire_bytes_per_day, headline.cost_per_year);
    // The basis goes in every caption; the expected figure shows the bound beside it.
    let which = match headline.basis {
        FigureBasis::Expected => format!(
            "expected with layer caches (upper bound: {} with full pulls)",
            format_bytes(totals.per_day.saved.wire_bytes.abs())
        ),
        FigureBasis::UpperBound => format!(
            "upper bound: every pull a full pull ({} unpacked)",
            format_bytes(totals.per_day.saved.disk_bytes.abs())
        ),
    };
    let growth = saved_wire < 0;
    // Slimmed images are judged on their after size; planned ones, not slimmed yet, are counted
    // apart so the figure agrees with the next steps.
    let above = |projected: bool| {
        report
            .services
            .iter()
            .filter(|row| row.projected == projected)
            .filter(|row| {
                row.target
                    .as_ref()
                    .is_some_and(|t| t.status == Status::Above)
            })
            .count()
    };
    let judged = report
        .services
        .iter()
        .filter(|row| !row.projected && row.target.is_some())
        .count();
    let (above, planned_above) = (above(false), above(true));
    let mut figures = vec![
        Figure {
            value: if growth {
                format!("+{}", format_bytes(-saved_wire))
            } else {
                format_bytes(saved_wire)
            },
            caption: format!(
                "image transfer on the wire {} a day, {which}",
                if growth { "added" } else { "saved" },
            ),
            bad: growth,
        },
        Figure {
            value: format_money(money_year.abs(), currency),
            caption: format!(
                "{} a year, {}, at {}",
                if growth { "more" } else { "saved" },
                match headline.basis {
                    FigureBasis::Expected => "expected with layer caches",
                    FigureBasis::UpperBound => "upper bound",
                },
                headline::price_note(report)
            ),
            bad: growth,
        },
        Figure {
            value: format_seconds(totals.pull_seconds_saved_per_pull.abs()),
            caption: format!(
                "{} on {} (every pull a full pull); a new node is ready {} {}",
                if totals.pull_seconds_saved_per_pull < 0.0 {
                    "lost"
                } else {
                    "saved"
                },
                headline::cold_pull(report),
                format_seconds(totals.new_node_seconds.saved.abs()),
                if totals.pull_seconds_saved_per_pull < 0.0 {
                    "later"
                } else {
                    "sooner"
                }
            ),
            bad: totals.pull_seconds_saved_per_pull < 0.0,
        },
        Figure {
            value: format!("{above} of {judged}"),
            caption: if planned_above > 0 {
                format!(
                    "slimmed images above their runtime target ({} planned, not slimmed yet, \
                     above too)",
                    planned_above
                )
            } else {
                "slimmed images above their runtime target".to_string()
            },
            bad: above > 0,
        },
    ];
    if let Some(payback) = &totals.payback
        && let (Some(cost), Some(days)) =
            (payback.headline.effort_cost, payback.headline.payback_days)
    {
        figures.push(Figure {
            value: format_days(days),
            caption: format!(
                "to pay back {} hours ({}) at the {} saving of transfer and storage",
                payback.headline.effort_hours,
                format_money(cost, currency),
                match payback.basis {
                    FigureBasis::Expected => "expected",
                    FigureBasis::UpperBound => "upper-bound",
                }
            ),
            bad: false,
        });
    }
    figures
}

fn next_steps(report: &Report) -> Option<NextStepsView> {
    let next = report.next_steps.as_ref()?;
    Some(NextStepsView {
        summary: format!(
            "{} above {} runtime target{}. Bringing {} down to the target's high end would save \
             {} more image transfer a day on the wire (estimated; {} unpacked), {} a year. The \
             checklist, in priority order:",
            headline::services_phrase(next.services_above_target as u128),
            if next.services_above_target == 1 {
                "its"
            } else {
                "their"
            },
            if next.services_above_target == 1 {
                ""
            } else {
                "s"
            },
            if next.services_above_target == 1 {
                "it"
            } else {
                "them"
            },
            format_bytes(next.recoverable_per_day.wire_bytes),
            format_bytes(next.recoverable_per_day.disk_bytes),
            format_bytes(next.recoverable_per_year.wire_bytes),
        ),
        techniques: next
            .techniques
            .iter()
            .map(|t| (t.priority.to_string(), t.technique.clone(), reduction(t)))
            .collect(),
    })
}

/// Renders the page.
pub fn render(report: &Report) -> Result<String, Error> {
    let totals = &report.totals;
    let sentences: Vec<String> = headline::supporting_sentences(report)
        .iter()
        .chain(&headline::return_sentences(report))
        .map(|pieces| sentence_html(pieces))
        .collect();
    let rows: Vec<RowCells> = report
        .services
        .iter()
        .take(TABLE_ROWS)
        .map(|row| RowCells {
            findings_plan: super::audit::plan_cell(report, &row.name),
            ..row_cells(row)
        })
        .collect();
    let hidden = report.services.len().saturating_sub(rows.len());
    let (findings, findings_more) = super::findings::sections_for_report(&report.findings)?;
    let (audits, audits_more) = super::audit::report_sections(report);
    let burst = report.bursts.as_ref().map(super::burst::table);
    let page = HtmlReport {
        version: env!("CARGO_PKG_VERSION"),
        title: report.title.clone(),
        subtitle: format!(
            "{} slimmed{} · {} a day",
            headline::services_phrase(totals.services),
            report
                .projected_totals
                .as_ref()
                .map(|plans| format!(", {} planned", plans.services))
                .unwrap_or_default(),
            totals.pulls_per_day.counted("pull")
        ),
        generated_at: report.generated_at.clone(),
        bound: if totals.expected.layer_aware {
            "expected with layer caches, beside the full-pull upper bound".to_string()
        } else {
            "upper bound: every pull is a full pull".to_string()
        },
        growth: totals.growth,
        headline_html: sentence_html(&headline::sentence(report)),
        sentences_html: sentences,
        figures: figures(report),
        trends: report
            .trends
            .iter()
            .map(super::cells::trend_cells)
            .collect(),
        charts: chart_views(report)?,
        table_note: format!(
            "Sorted by image transfer saved a day: committed services first, then plans \
             (projected to their runtime target, shown as a range). Sizes are unpacked (disk); \
             transfer is on the wire, every pull a full pull (upper bound).{}",
            estimate_note(report)
                .map(|note| format!(" {note}"))
                .unwrap_or_default()
        ),
        rows,
        rows_more: (hidden > 0).then(|| {
            format!(
                "… {} more not shown here; the JSON output (--format json) lists every service.",
                format_count(hidden as u128)
            )
        }),
        next_steps: next_steps(report),
        findings,
        findings_more,
        audits,
        audits_more,
        burst,
        assumptions: assumption_rows(report),
        scope: method::scope(report),
        formulas: method::FORMULAS,
        worked_example: method::WORKED_EXAMPLE,
    };
    page.render()
        .map_err(|e| Error::Internal(format!("cannot render the HTML template: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_content_and_attributes() {
        assert_eq!(
            escape_html("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(escape_html("a\u{1b}[31m"), "a\u{FFFD}[31m");
    }

    #[test]
    fn names_may_break_only_after_dashes_underscores_and_dots() {
        assert_eq!(
            breakable_name("api-gw_v1.2 x"),
            "api-<wbr>gw_<wbr>v1.<wbr>2 x"
        );
        assert_eq!(breakable_name("recommendations"), "recommendations");
        assert_eq!(breakable_name("<b>-\u{1b}"), "&#60;b&#62;-<wbr>\u{FFFD}");
    }

    #[test]
    fn input_in_sentences_is_isolated_and_escaped() {
        let html = sentence_html(&[
            Piece::Input("<b>x</b>".into()),
            Piece::Text(" grew".into()),
            Piece::Figure("1 MB".into()),
        ]);
        assert_eq!(
            html,
            "<bdi>&lt;b&gt;x&lt;/b&gt;</bdi> grew<strong>1 MB</strong>"
        );
    }
}
