//! The sentences every format shares: the headline that carries the answer, the label of the
//! figure it quotes, and the price note that goes with every money figure (docs/model.md#headline).
//!
//! A sentence is a list of [`Piece`]s so each renderer can emphasise the key figures and escape
//! the strings that came from input in its own way.

use crate::report::FigureBasis;
use crate::report::{Report, ServiceRow};
use crate::units::{
    counted, format_bytes, format_days, format_money, format_price, format_seconds,
};

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

/// `every cold pull` for one image; `an average cold pull` for several, where the seconds are a
/// pull-weighted mean.
pub fn cold_pull(report: &Report) -> &'static str {
    if report.totals.rows == 1 {
        "every cold pull"
    } else {
        "an average cold pull"
    }
}

/// `20 services`, `1 service`.
pub fn services_phrase(count: u128) -> String {
    counted(count, "service")
}

/// The one sentence with the answer (committed services; plans get [`plan_sentence`]).
pub fn sentence(report: &Report) -> Vec<Piece> {
    let totals = &report.totals;
    if totals.rows == 0 {
        return vec![text(
            "No service has a committed after size yet: every row is a plan (below).",
        )];
    }
    let currency = &totals.cost_saved.currency;
    // Once layers are known the headline quotes the expected figure, the bound beside it.
    let headline = &totals.headline;
    let layer_aware = headline.basis == FigureBasis::Expected;
    let (saved_wire, saved_year_wire, money_year) = (
        headline.wire_bytes_per_day,
        headline.wire_bytes_per_year,
        headline.cost_per_year,
    );
    let growth = saved_wire < 0;
    let single = match report.services.as_slice() {
        [only] => only.after.map(|after| (only.before, after)),
        _ => None,
    };
    let mut pieces = match single {
        Some((before, after)) => vec![
            text(if totals.services == 1 {
                "Moving the image from ".to_string()
            } else {
                format!("Moving {} from ", services_phrase(totals.services))
            }),
            figure(format_bytes(i128::from(before.disk_bytes))),
            text(" to "),
            figure(format_bytes(i128::from(after.disk_bytes))),
        ],
        None if growth => vec![text(format!(
            "Across {}, the new images",
            services_phrase(totals.services)
        ))],
        None => vec![text(format!(
            "Slimming {}",
            services_phrase(totals.services)
        ))],
    };
    // Growth reads as a cost: the figures are shown as positive amounts "more".
    let (verb, sign, more) = if growth {
        (" adds ", -1, " more")
    } else {
        (" saves ", 1, "")
    };
    let which = if layer_aware {
        format!(
            " expected with layer caches (full pulls: {}; expected {} a year)",
            format_bytes(sign * totals.per_day.saved.wire_bytes),
            format_bytes(sign * saved_year_wire)
        )
    } else {
        format!(
            " ({} unpacked; {} a year)",
            format_bytes(sign * totals.per_day.saved.disk_bytes),
            format_bytes(sign * saved_year_wire)
        )
    };
    pieces.extend([
        text(verb),
        figure(format!(
            "{} of image transfer a day",
            format_bytes(sign * saved_wire)
        )),
        text(format!("{which}, about ")),
        figure(format!(
            "{} a year{more}",
            format_money(sign as f64 * money_year, currency)
        )),
        text(format!(" at {}, and ", price_note(report))),
        figure(format_seconds(
            sign as f64 * totals.pull_seconds_saved_per_pull,
        )),
        text(if layer_aware {
            format!("{more} on {}.", cold_pull(report))
        } else {
            format!("{more} on {} ({UPPER_BOUND}).", cold_pull(report))
        }),
    ]);
    pieces
}

/// The sentences that follow the headline, in order: why the expected figure differs from the
/// bound, what a `compare` switch moves, the plans, and each service that grew.
pub fn supporting_sentences(report: &Report) -> Vec<Vec<Piece>> {
    let mut sentences = Vec::new();
    sentences.extend(expected_sentence(report));
    sentences.extend(compare_sentence(report));
    sentences.extend(plan_sentence(report));
    sentences.extend(growth_sentences(report));
    sentences
}

/// Why the expected figure and the upper bound differ, with the expected decomposition.
pub fn expected_sentence(report: &Report) -> Option<Vec<Piece>> {
    let expected = &report.totals.expected;
    if report.totals.rows == 0 {
        return None;
    }
    let after = expected.per_day.after;
    let decomposition = format!(
        "{} of routine deploys, {} of base refreshes and {} of new nodes a day",
        format_bytes(after.routine_deploys),
        format_bytes(after.base_refreshes),
        format_bytes(after.new_nodes)
    );
    if !expected.layer_aware {
        let missing = if expected.layers_known {
            "the layers are known but not what a deploy changes (give the previous build, a base \
             image or a changed_per_deploy)"
        } else {
            "without layer lists (image sources) or a changed_per_deploy"
        };
        return Some(vec![text(format!(
            "With layer caches the new images would move {decomposition}; {missing}, every \
             deploy counts as a full pull, so this expected figure is the upper bound plus new \
             nodes."
        ))]);
    }
    Some(vec![
        text("Expected with layer caches, the new images move "),
        figure(format!("{} a day", format_bytes(after.total))),
        text(format!(
            " ({decomposition}) against {} with full pulls: a deploy moves only the layers \
             that change, a shared base is pulled once per node when it is refreshed, and a new \
             node pulls the layers of all its services once.",
            format_bytes(report.totals.per_day.after.wire_bytes)
        )),
    ])
}

/// For `compare`: what switching a node transfers, given the layers the images share.
pub fn compare_sentence(report: &Report) -> Option<Vec<Piece>> {
    let compare = report.compare.as_ref()?;
    let layers = if compare.shared_layers == 1 {
        "1 layer".to_string()
    } else {
        format!("{} layers", compare.shared_layers)
    };
    Some(vec![
        text("A node that already holds "),
        Piece::Input(short_source(&compare.before_source)),
        text(" pulls only "),
        figure(format_bytes(i128::from(compare.pull_wire_bytes_per_node))),
        text(" to run "),
        Piece::Input(short_source(&compare.after_source)),
        text(format!(
            ": {layers} ({}) are shared. Switching all {} costs {} once.",
            format_bytes(i128::from(compare.shared_wire_bytes)),
            counted(u128::from(compare.nodes), "node"),
            format_bytes(compare.pull_wire_bytes_all_nodes as i128)
        )),
    ])
}

/// `Plus 40.0–70.0 GB a day (…) if the 4 planned services reach their runtime targets.`
pub fn plan_sentence(report: &Report) -> Option<Vec<Piece>> {
    let projected = report.projected_totals.as_ref()?;
    let planned = if projected.rows == 1 {
        "the 1 planned service reaches its runtime target".to_string()
    } else {
        format!(
            "the {} planned services reach their runtime targets",
            projected.rows
        )
    };
    let lead = if report.totals.rows == 0 {
        "If "
    } else {
        "Plus, if "
    };
    Some(vec![
        text(format!("{lead}{planned}: ")),
        figure(format!(
            "{} of image transfer a day",
            format_byte_range(
                projected.per_day.low.wire_bytes,
                projected.per_day.high.wire_bytes
            )
        )),
        text(format!(
            " ({} a year, about {} a year at {}; projected, not included above).",
            format_byte_range(
                projected.per_year.low.wire_bytes,
                projected.per_year.high.wire_bytes
            ),
            format_money_range(
                projected.cost_saved_per_year.low,
                projected.cost_saved_per_year.high,
                &projected.currency
            ),
            price_note(report)
        )),
    ])
}

/// `40.0–70.0 GB`: a range of signed byte counts.
pub fn format_byte_range(low: i128, high: i128) -> String {
    if low >= 0 && high >= 0 {
        crate::units::format_range(low as u64, high as u64)
    } else {
        format!("{} to {}", format_bytes(low), format_bytes(high))
    }
}

/// `$1,200–$2,100`.
pub fn format_money_range(low: f64, high: f64, currency: &str) -> String {
    format!(
        "{}–{}",
        format_money(low, currency),
        format_money(high, currency)
    )
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
    let per_pull = row.saved_per_pull.high();
    let per_day = row.saved_per_day.high();
    let percent = row
        .change_percent
        .map(|p| format!(" ({p:+.1}%)"))
        .unwrap_or_default();
    // A row grows by its unpacked bytes; its transfer is on the wire, which may go either way
    // (a better compressor can make a larger image smaller to pull).
    let transfer = if per_day.wire_bytes <= 0 {
        format!(
            "+{} a day of transfer on the wire",
            format_bytes(-per_day.wire_bytes)
        )
    } else {
        format!(
            "yet {} a day less transfer on the wire",
            format_bytes(per_day.wire_bytes)
        )
    };
    vec![
        Piece::Input(row.name.to_string()),
        text(format!(
            " grew by {}{percent} unpacked: {transfer}",
            format_bytes(-per_pull.disk_bytes)
        )),
    ]
}

/// The last component of a source path, for sentences: `java17.json` for `a/b/java17.json`.
fn short_source(source: &str) -> String {
    source
        .rsplit(['/', '\\'])
        .find(|part| !part.is_empty())
        .unwrap_or(source)
        .to_string()
}

/// `1.17` node-hours: three significant digits, no trailing noise.
fn node_hours(hours: f64) -> String {
    let magnitude = hours.abs();
    if magnitude >= 100.0 {
        format!("{hours:.0}")
    } else if magnitude >= 10.0 {
        format!("{hours:.1}")
    } else if magnitude >= 0.01 || magnitude == 0.0 {
        format!("{hours:.2}")
    } else {
        format!("{hours:.3}")
    }
}

/// What the slimming returns besides transfer, for every format: registry storage, node time
/// and, when the effort is given, the payback — each saying its basis.
pub fn return_sentences(report: &Report) -> Vec<Vec<Piece>> {
    let totals = &report.totals;
    if totals.rows == 0 {
        return Vec::new();
    }
    let currency = &totals.cost_saved.currency;
    let headline = &totals.headline;
    let mut sentences = Vec::new();
    let storage = &totals.registry_storage_saved;
    let (less, sign) = if storage.wire_bytes < 0 {
        ("more", -1)
    } else {
        ("less", 1)
    };
    sentences.push(vec![
        text("Registry storage: "),
        figure(format!(
            "{} {less}",
            format_bytes(sign * storage.wire_bytes)
        )),
        text(format!(
            " to keep ({} a month {less} at {}, {} tags kept per service).",
            format_money(storage.cost_per_month.abs(), currency),
            assumption(report, "registry_storage_price"),
            assumption(report, "retained_tags")
        )),
    ]);
    let hours = headline.node_hours_per_day;
    sentences.push(vec![
        text("Node time: "),
        figure(format!(
            "{} node-hours of pulling {} a day",
            node_hours(hours.abs()),
            if hours < 0.0 { "added" } else { "saved" }
        )),
        text(match headline.basis {
            FigureBasis::Expected => format!(
                " (expected with layer caches, estimated from the upper bound's {} a day).",
                node_hours(totals.node_hours_saved_per_day)
            ),
            FigureBasis::UpperBound => " (upper bound: every pull a full pull).".to_string(),
        }),
    ]);
    if let Some(payback) = &totals.payback {
        let effort = &payback.headline;
        let mut pieces = vec![text(format!("Effort: {} hours", effort.effort_hours))];
        match (effort.effort_cost, effort.payback_days) {
            (Some(cost), Some(days)) => pieces.extend([
                text(format!(" ({}) pays back in ", format_money(cost, currency))),
                figure(format_days(days)),
                text(format!(
                    " at the {} saving of transfer and storage{}",
                    match payback.basis {
                        FigureBasis::Expected => "expected",
                        FigureBasis::UpperBound => "upper-bound",
                    },
                    match (payback.basis, payback.upper_bound_payback_days) {
                        (FigureBasis::Expected, Some(bound)) =>
                            format!(" (upper bound: {})", format_days(bound)),
                        _ => String::new(),
                    }
                )),
            ]),
            (Some(cost), None) => pieces.push(text(format!(
                " ({}) does not pay back in money: nothing is saved",
                format_money(cost, currency)
            ))),
            (None, _) => {}
        }
        if let Some(days) = effort.node_hours_break_even_days {
            pieces.push(text(format!(
                "; the fleet saves as many node-hours of pulling as the work took in {}",
                format_days(days)
            )));
        }
        pieces.push(text("."));
        sentences.push(pieces);
    }
    sentences
}

/// An assumption's value as reports show it: `0.37`, `$0.10/GB-month`; empty when unset.
pub fn assumption(report: &Report, key: &str) -> String {
    report
        .assumptions
        .rows
        .iter()
        .find(|row| row.assumption.key == key)
        .and_then(|row| {
            let value = row.value.as_ref()?;
            Some(
                row.assumption
                    .kind
                    .show(value, &report.assumptions.currency),
            )
        })
        .unwrap_or_default()
}
