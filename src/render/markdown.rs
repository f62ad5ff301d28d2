//! The pull-request comment: a hidden marker first so a bot can update its own comment,
//! the headline sentence, the service table, a Mermaid `xychart-beta` chart, and the assumptions
//! and method in `<details>`. Never longer than GitHub's 65,536 characters: rows that do not fit
//! are summarised in one line.
//!
//! askama does not escape `.md` templates, so every string from input is escaped here: for table
//! cells and sentences by [`escape_inline`], for Mermaid labels by [`super::mermaid::escape_mermaid`].

use askama::Template;

use super::cells::{NONE, assumption_rows, estimate_note, row_cells, signed_bytes};
use super::comment;
use super::headline::{self, Piece};
use super::method;
use crate::error::Error;
use crate::report::{FigureBasis, Report, Saving};
use crate::units::format_bytes;

/// Titles and names longer than this many characters are cut with `…` in a comment (the JSON
/// keeps them whole), so that one cannot fill GitHub's limit by itself.
pub const NAME_CHARS: usize = 256;

/// `text` cut to at most `max` characters (not columns: zero-width characters count too),
/// ending with `…` when cut.
pub fn shorten(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => text.into(),
        Some(_) => {
            let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
            cut.push('…');
            cut.into()
        }
    }
}

#[derive(Template, Clone)]
#[template(path = "report.md", escape = "none")]
struct MarkdownComment {
    marker: String,
    title: String,
    headline: String,
    sentences: Vec<String>,
    empty_line: String,
    rows: Vec<String>,
    table_notes: Vec<String>,
    mermaid: Option<String>,
    chart_links: Vec<(String, String)>,
    /// Where the bytes are, per image (already escaped); empty when no entries were read.
    findings: String,
    /// The Dockerfile findings of each service with a `dockerfile` (src/render/audit.rs).
    audits: String,
    /// The rollout-burst section's lines (escaped); empty without one.
    burst: Vec<String>,
    expected_rows: Vec<String>,
    assumptions: Vec<String>,
    method: String,
    scope: String,
    footer: String,
}

/// Options of the Markdown renderer.
#[derive(Debug, Clone, Default)]
pub struct MarkdownOptions {
    /// The marker name (`report`, `calc`, …); `--marker` overrides the command's.
    pub marker: Option<String>,
    /// Charts written by `--charts-dir`: (title, relative path) to link.
    pub chart_links: Vec<(String, String)>,
}

/// Escapes a string from input for inline Markdown (sentences and table cells): HTML-significant
/// characters become entities, Markdown punctuation is backslash-escaped, `@` and `#` cannot
/// mention or link (even once entities are decoded), bare URLs (`scheme://…`, `www.…`) cannot
/// become links nor `$…$` math, runner commands (`::`, `##[`) are broken, and line breaks become
/// spaces.
pub fn escape_inline(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    // The last three characters of input, lower-cased.
    let mut last = ['\0'; 3];
    for c in input.chars() {
        match c {
            // The runner reads `::` at the start of a line as a command: the second colon is a
            // character reference (`##[` cannot occur: `#` is one).
            ':' if last[2] == ':' => out.push_str("&#58;"),
            // GitHub links `scheme://…` and `www.…` in text, after decoding entities: a
            // zero-width space keeps them plain.
            '/' if last[2] == ':' => out.push_str("&#8203;/"),
            '.' if last == ['w', 'w', 'w'] => out.push_str("&#8203;."),
            // `$…$` is math on GitHub; a character reference is never a delimiter.
            '$' => out.push_str("&#36;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("&#124;"),
            '`' => out.push_str("&#96;"),
            // GitHub links mentions and issue references in the text it renders, after
            // decoding entities: a zero-width space after the sign keeps them plain text.
            '@' => out.push_str("&#64;&#8203;"),
            '#' => out.push_str("&#35;&#8203;"),
            '"' => out.push_str("&quot;"),
            '\\' | '*' | '_' | '~' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
        last = [last[1], last[2], c.to_ascii_lowercase()];
    }
    out
}

/// Joins sentence pieces into a paragraph: figures in bold, input escaped, and a first
/// character that would start a list, heading or quote escaped.
pub(super) fn sentence(pieces: &[Piece]) -> String {
    let joined: String = pieces
        .iter()
        .map(|piece| match piece {
            Piece::Text(text) => escape_inline(text),
            Piece::Input(text) => escape_inline(&shorten(text, NAME_CHARS)),
            Piece::Figure(text) => format!("**{}**", escape_inline(text)),
        })
        .collect();
    match joined.chars().next() {
        Some('-' | '+' | '=' | '!' | '>') => format!("\\{joined}"),
        _ => joined,
    }
}

/// A table cell from input: escaped, `—` when empty.
pub(super) fn cell(text: &str) -> String {
    if text.is_empty() {
        NONE.to_string()
    } else {
        escape_inline(text)
    }
}

/// A valid marker name: letters, digits, `-`, `_`, `.`, `:`.
pub fn valid_marker(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
}

/// The expected decomposition (routine deploys, base refreshes, new nodes, total).
pub(super) fn expected_rows(report: &Report) -> Vec<String> {
    let per_day = &report.totals.expected.per_day;
    [
        (
            "routine deploys",
            per_day.before.routine_deploys,
            per_day.after.routine_deploys,
            per_day.saved.routine_deploys,
        ),
        (
            "base refreshes",
            per_day.before.base_refreshes,
            per_day.after.base_refreshes,
            per_day.saved.base_refreshes,
        ),
        (
            "new nodes",
            per_day.before.new_nodes,
            per_day.after.new_nodes,
            per_day.saved.new_nodes,
        ),
        (
            "**total**",
            per_day.before.total,
            per_day.after.total,
            per_day.saved.total,
        ),
    ]
    .iter()
    .map(|(label, before, after, saved)| {
        format!(
            "| {label} | {} | {} | {} |",
            format_bytes(*before),
            format_bytes(*after),
            format_bytes(*saved)
        )
    })
    .collect()
}

/// The table row of one service.
fn table_row(report: &Report, row: &crate::report::ServiceRow) -> String {
    let cells = row_cells(row);
    let target = match (cells.status.as_str(), cells.recoverable.is_empty()) {
        ("above", false) => format!("**above** ({})", escape_inline(&cells.recoverable)),
        (status, _) => escape_inline(status),
    };
    let findings = super::audit::plan_cell(report, &row.name);
    let after = if cells.projected && !findings.is_empty() {
        format!("{} (plan); {findings}", cells.after)
    } else if cells.projected {
        format!("{} (plan)", cells.after)
    } else {
        cells.after.clone()
    };
    format!(
        "| {} | {} | {} | {} | {} | {} | {} |",
        cell(&shorten(&cells.name, NAME_CHARS)),
        cell(&cells.runtime),
        cell(&cells.before),
        cell(&after),
        cell(&cells.change_arrow),
        cell(&cells.transfer_per_day),
        target
    )
}

/// Renders the comment.
pub fn render(report: &Report, options: &MarkdownOptions) -> Result<String, Error> {
    let marker = options
        .marker
        .clone()
        .unwrap_or_else(|| report.command.as_str().to_string());
    if let Some(compare) = &report.compare {
        return Ok(super::compare::comment(report, compare, &marker));
    }
    let sentences: Vec<String> = headline::supporting_sentences(report)
        .iter()
        .chain(&headline::return_sentences(report))
        .map(|pieces| sentence(pieces))
        .collect();
    let changed: Vec<_> = report
        .services
        .iter()
        .filter(|row| row.projected || row.saved_per_pull != Saving::Exact(Default::default()))
        .collect();
    let unchanged = report.services.len() - changed.len();
    let mut table_notes: Vec<String> = estimate_note(report).into_iter().collect();
    for trend in &report.trends {
        let (service, line, span) = super::cells::trend_cells(trend);
        table_notes.push(format!(
            "Size trend of {}: {line} {span}",
            escape_inline(&shorten(&service, NAME_CHARS)),
        ));
    }
    if unchanged > 0 {
        table_notes.push(format!(
            "{} unchanged (same size before and after).",
            headline::services_phrase(unchanged as u128)
        ));
    }
    let assumptions = assumption_rows(report)
        .iter()
        .map(|a| {
            format!(
                "| `{}` | {} | {} | {} |",
                a.name,
                escape_inline(&a.value),
                a.origin,
                escape_inline(&a.source)
            )
        })
        .collect();
    let generated = report.generated_at.as_deref().map(escape_inline);
    let comment = MarkdownComment {
        marker: comment::marker_line(&marker),
        title: escape_inline(&shorten(&report.title, NAME_CHARS)),
        headline: sentence(&headline::sentence(report)),
        sentences,
        empty_line: "No service changed size.".to_string(),
        rows: Vec::new(),
        table_notes: Vec::new(),
        mermaid: super::mermaid::chart(report),
        chart_links: options
            .chart_links
            .iter()
            .map(|(title, path)| {
                let path = path.replace('%', "%25").replace(' ', "%20");
                (escape_inline(title), path.replace('#', "%23"))
            })
            .collect(),
        findings: super::findings::markdown_for_report(&report.findings),
        audits: super::audit::report_markdown(report),
        burst: report
            .bursts
            .as_ref()
            .map(super::burst::markdown)
            .unwrap_or_default(),
        expected_rows: expected_rows(report),
        assumptions,
        method: method::FORMULAS.to_string(),
        scope: method::scope(report),
        footer: comment::footer(
            generated.as_deref(),
            match report.totals.headline.basis {
                FigureBasis::Expected => {
                    "The headline is expected with layer caches; the table and chart are upper \
                     bounds (every pull a full pull)."
                }
                FigureBasis::UpperBound => "Figures are upper bounds (every pull a full pull).",
            },
        ),
    };
    let all_rows: Vec<String> = changed.iter().map(|row| table_row(report, row)).collect();
    let omitted_line = |omitted: usize| {
        let rest = crate::report::wire_saved_per_day(&changed[changed.len() - omitted..]);
        format!(
            "… and {} more not shown (GitHub limits a comment to 65,536 characters): {} a day \
             between them. The JSON report has every row.",
            headline::services_phrase(omitted as u128),
            signed_bytes(-rest)
        )
    };
    comment::fit(&all_rows, omitted_line, |rows, omitted| {
        let mut notes = table_notes.clone();
        notes.extend(omitted.map(str::to_string));
        render_template(&MarkdownComment {
            rows: rows.to_vec(),
            table_notes: notes,
            ..comment.clone()
        })
    })
}

fn render_template(comment: &MarkdownComment) -> Result<String, Error> {
    comment
        .render()
        .map_err(|e| Error::Internal(format!("cannot render the Markdown template: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_escaping_neutralises_markup() {
        assert_eq!(escape_inline("a|b"), "a&#124;b");
        assert_eq!(
            escape_inline("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(sentence(&[Piece::Input("- item".into())]), "\\- item");
        assert_eq!(escape_inline("a-b"), "a-b");
        assert_eq!(escape_inline("`x`"), "&#96;x&#96;");
        assert_eq!(
            escape_inline("@channel #12"),
            "&#64;&#8203;channel &#35;&#8203;12"
        );
        assert_eq!(escape_inline("a\nb\r\nc"), "a b  c");
        assert_eq!(
            escape_inline("**bold** [link](x)"),
            "\\*\\*bold\\*\\* \\[link\\](x)"
        );
        assert_eq!(escape_inline("\u{1b}[31mred"), "\\[31mred");
        assert_eq!(escape_inline("::error::x"), ":&#58;error:&#58;x");
        assert_eq!(
            escape_inline("HTTPS://e.x WWW.e.x"),
            "HTTPS:&#8203;//e.x WWW&#8203;.e.x"
        );
        assert_eq!(escape_inline("$x$"), "&#36;x&#36;");
    }

    #[test]
    fn names_are_shortened_by_characters() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abcd", 4), "abcd");
        let invisible = "\u{200B}".repeat(1000);
        assert_eq!(shorten(&invisible, 10).chars().count(), 10);
    }

    #[test]
    fn markers() {
        assert!(valid_marker("report"));
        assert!(valid_marker("svc-api.v2"));
        assert!(!valid_marker("a -->"));
        assert!(!valid_marker(""));
    }
}
