//! The rollout burst in words and tables, for text, Markdown and HTML: what bounds it, the
//! largest bursts now and slimmed, and the window.

use crate::calc::burst::{BoundBy, Burst};
use crate::report::burst::{BurstsView, ServiceBurst};
use crate::units::{format_bytes, format_rate, format_seconds};

use super::table::{Align, Table, truncate};
use super::text::terminal_safe;

/// The largest bursts a text or Markdown report lists; JSON has every service.
pub const LISTED: usize = 10;

/// `10Gbit/s (1.25 GB/s, read as bits a second)` or `1.25 GB/s`.
pub fn limit_phrase(view: &BurstsView) -> String {
    match &view.egress_limit {
        Some(limit) if limit.unit == "bits" => format!(
            "a shared egress limit of {} (read as bits a second: {})",
            limit.written,
            format_rate(limit.bytes_per_second)
        ),
        Some(limit) => format!(
            "a shared egress limit of {} (read as bytes a second)",
            format_rate(limit.bytes_per_second)
        ),
        None => "no shared egress limit".to_string(),
    }
}

/// The sentence that introduces the table.
pub fn intro(view: &BurstsView) -> String {
    let window = view
        .window_seconds
        .map(|window| format!("; window {}", format_seconds(window)))
        .unwrap_or_default();
    format!(
        "Rollout burst, each service deploying to all its nodes at once ({}), at {} a node and \
         {}{window}. Extraction is not included.",
        view.basis,
        format_rate(view.node_bandwidth_bytes_per_second),
        limit_phrase(view)
    )
}

/// `32.0 s shared`: the time and what bounds it, with `✗` when it misses the window.
pub fn seconds_cell(burst: &Burst, fits: Option<bool>) -> String {
    let bound = match burst.bound_by {
        BoundBy::Node => "node",
        BoundBy::Shared => "shared",
    };
    let miss = if fits == Some(false) { " ✗" } else { "" };
    format!("{} {bound}{miss}", format_seconds(burst.seconds))
}

/// The legend under a table, when a window was given.
fn legend(view: &BurstsView) -> Option<String> {
    view.window_seconds.map(|window| {
        format!(
            "node / shared: what bounds the burst; ✗ longer than the {} window.",
            format_seconds(window)
        )
    })
}

/// The cells of one row: name, nodes, bytes now, time now, bytes slimmed, time slimmed.
pub fn cells(row: &ServiceBurst) -> [String; 6] {
    [
        row.name.clone(),
        row.nodes.to_string(),
        format_bytes(i128::try_from(row.now.bytes_all_nodes).unwrap_or(i128::MAX)),
        seconds_cell(&row.now, row.now_fits_window),
        row.slimmed
            .map(|s| format_bytes(i128::try_from(s.bytes_all_nodes).unwrap_or(i128::MAX)))
            .unwrap_or_else(|| "plan".to_string()),
        row.slimmed
            .as_ref()
            .map(|s| seconds_cell(s, row.slimmed_fits_window))
            .unwrap_or_else(|| "—".to_string()),
    ]
}

/// The note under a cut list.
fn more(view: &BurstsView) -> String {
    format!(
        "… and {} more; the JSON report has every service.",
        view.services.len() - LISTED
    )
}

/// The text section: intro and the largest bursts.
pub fn text(view: &BurstsView) -> String {
    let table = Table::new(
        &[
            (18, Align::Left),
            (6, Align::Right),
            (9, Align::Right),
            (16, Align::Right),
            (9, Align::Right),
            (16, Align::Right),
        ],
        " ",
    );
    let mut out = String::new();
    out.push_str(&super::text::wrap(&intro(view), 78));
    out.push('\n');
    out.push_str(&table.row(&[
        "service",
        "nodes",
        "now",
        "time now",
        "slimmed",
        "time slimmed",
    ]));
    out.push('\n');
    for row in view.services.iter().take(LISTED) {
        let [name, nodes, now_bytes, now_time, after_bytes, after_time] = cells(row);
        let name = truncate(&terminal_safe(&name), 18);
        out.push_str(&table.row(&[
            &name,
            &nodes,
            &now_bytes,
            &now_time,
            &after_bytes,
            &after_time,
        ]));
        out.push('\n');
    }
    if let Some(legend) = legend(view) {
        out.push_str(&legend);
        out.push('\n');
    }
    if view.services.len() > LISTED {
        out.push_str(&more(view));
        out.push('\n');
    }
    out
}

/// The section as the HTML page shows it (escaped by the template).
pub struct BurstTable {
    pub intro: String,
    pub legend: Option<String>,
    pub rows: Vec<[String; 6]>,
}

/// The HTML section's text: every service (JSON and HTML alike list them all, up to the page's
/// table limit).
pub fn table(view: &BurstsView) -> BurstTable {
    BurstTable {
        intro: intro(view),
        legend: legend(view),
        rows: view
            .services
            .iter()
            .take(super::html::TABLE_ROWS)
            .map(cells)
            .collect(),
    }
}

/// The Markdown section: intro and a table, every name escaped.
pub fn markdown(view: &BurstsView) -> Vec<String> {
    let mut lines = vec![
        super::markdown::escape_inline(&intro(view)),
        String::new(),
        "| service | nodes | burst now | time now | burst slimmed | time slimmed |".to_string(),
        "|:--|--:|--:|--:|--:|--:|".to_string(),
    ];
    for row in view.services.iter().take(LISTED) {
        let cells = cells(row).map(|cell| {
            super::markdown::escape_inline(&super::markdown::shorten(
                &cell,
                super::markdown::NAME_CHARS,
            ))
        });
        lines.push(format!("| {} |", cells.join(" | ")));
    }
    if view.services.len() > LISTED {
        lines.push(String::new());
        lines.push(more(view));
    }
    if let Some(legend) = legend(view) {
        lines.push(String::new());
        lines.push(super::markdown::escape_inline(&legend));
    }
    lines
}
