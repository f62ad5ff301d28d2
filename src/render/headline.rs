//! The sentences every format shares: the headline that carries the answer, the label of the
//! figure it quotes, and the price note that goes with every money figure (REPORT-DESIGN.md).
//!
//! A sentence is a list of [`Piece`]s so each renderer can emphasise the key figures and escape
//! the strings that came from input in its own way.

use crate::report::{Report, ServiceRow};
use crate::units::{format_bytes, format_money, format_price, format_seconds};

/// A part of a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Words written by fleetsave.
    Text(String),
    /// A key figure, emphasised where the format allows.
    Figure(String),
    /// A string from input (a service name): always escaped by the renderer.
    Input(String),
}

/// Joins pieces as plain text.
pub fn plain(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|piece| match piece {
            Piece::Text(s) | Piece::Figure(s) | Piece::Input(s) => s.as_str(),
        })
        .collect()
}

fn text(s: impl Into<String>) -> Piece {
    Piece::Text(s.into())
}

fn figure(s: impl Into<String>) -> Piece {
    Piece::Figure(s.into())
}

/// `$0.045/GB (nat-gateway)`: the price and profile shown beside every money figure.
pub fn price_note(report: &Report) -> String {
    let cost = &report.totals.cost_saved;
    format!(
        "{}/GB ({})",
        format_price(cost.price_per_gb, &cost.currency),
        cost.pricing
    )
}

/// What the headline figures are: the full-pull upper bound.
pub const UPPER_BOUND: &str = "upper bound: every pull is a full pull";

/// `20 services`, `1 service`.
pub fn services_phrase(count: u128) -> String {
    if count == 1 {
        "1 service".to_string()
    } else {
        format!("{count} services")
    }
}

/// The one sentence with the answer.
pub fn sentence(report: &Report) -> Vec<Piece> {
    let totals = &report.totals;
    let saved = totals.per_day.saved;
    let currency = &totals.cost_saved.currency;
    let subject = match report.services.as_slice() {
        [only] => vec![
            text(if totals.services == 1 {
                "Moving the image from ".to_string()
            } else {
                format!("Moving {} from ", services_phrase(totals.services))
            }),
            figure(format_bytes(i128::from(only.before.disk_bytes))),
            text(" to "),
            figure(format_bytes(i128::from(only.after.disk_bytes))),
        ],
        _ => vec![text(format!(
            "Across {}, the new images",
            services_phrase(totals.services)
        ))],
    };
    let mut pieces = subject;
    if totals.growth {
        pieces.extend([
            text(" adds "),
            figure(format!(
                "{} of image transfer a day",
                format_bytes(-saved.wire_bytes)
            )),
            text(format!(
                " ({} unpacked; {} a year), about ",
                format_bytes(-saved.disk_bytes),
                format_bytes(-totals.per_year.saved.wire_bytes)
            )),
            figure(format!(
                "{} a year more",
                format_money(-totals.cost_saved.per_year, currency)
            )),
            text(format!(" at {}, and ", price_note(report))),
            figure(format_seconds(-totals.pull_seconds_saved_per_pull)),
            text(" more on every cold pull"),
        ]);
    } else {
        pieces.extend([
            text(" saves "),
            figure(format!(
                "{} of image transfer a day",
                format_bytes(saved.wire_bytes)
            )),
            text(format!(
                " ({} unpacked; {} a year), about ",
                format_bytes(saved.disk_bytes),
                format_bytes(totals.per_year.saved.wire_bytes)
            )),
            figure(format!(
                "{} a year",
                format_money(totals.cost_saved.per_year, currency)
            )),
            text(format!(" at {}, and ", price_note(report))),
            figure(format_seconds(totals.pull_seconds_saved_per_pull)),
            text(" on every cold pull"),
        ]);
    }
    pieces.push(text(format!(" ({UPPER_BOUND}).")));
    pieces
}

/// `api grew by 35.0 MB (+11.7%): +1.40 GB/day` for each service that grew (none for a single
/// row: the headline already says it).
pub fn growth_sentences(report: &Report) -> Vec<Vec<Piece>> {
    if report.services.len() < 2 {
        return Vec::new();
    }
    report
        .services
        .iter()
        .filter(|row| row.growth)
        .map(growth_sentence)
        .collect()
}

fn growth_sentence(row: &ServiceRow) -> Vec<Piece> {
    let percent = row
        .change_percent
        .map(|p| format!(" ({p:+.1}%)"))
        .unwrap_or_default();
    vec![
        Piece::Input(row.name.clone()),
        text(format!(
            " grew by {}{percent}: +{} a day of transfer",
            format_bytes(-row.saved_per_pull.disk_bytes),
            format_bytes(-row.saved_per_day.wire_bytes)
        )),
    ]
}
