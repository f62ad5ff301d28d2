//! Table cells: each service row's figures formatted once, for every format's table. Strings
//! from input (the name) are left raw here; each renderer escapes them its own way.

use super::headline::format_byte_range;
use crate::calc::techniques::Technique;
use crate::model::assumptions::Origin;
use crate::report::{Report, Saving, ServiceRow};
use crate::units::{format_bytes, format_range, format_seconds};

/// The display strings of one service row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowCells {
    /// Raw service name (escape before output).
    pub name: String,
    pub runtime: String,
    pub before: String,
    /// The after size, or the projected target range for a plan.
    pub after: String,
    /// `-84.0%`, `+11.7%`, or `plan`.
    pub change: String,
    /// `▼ 84.0%`, `▲ 11.7%`, or `plan`: the change with an arrow for scanning.
    pub change_arrow: String,
    /// The change in wire transfer a day, signed (U+2212 minus): `−33.2 GB`, `+104 MB`,
    /// `−5.11 to −5.88 GB` for a plan.
    pub transfer_per_day: String,
    /// Wire bytes saved per day, or the projected range.
    pub saved_per_day: String,
    /// Seconds saved per pull.
    pub pull_time_saved: String,
    /// `below`, `within`, `above` or `—`.
    pub status: String,
    /// `190 MB over` for images above target, else empty.
    pub recoverable: String,
    /// `70–120 MB` or empty.
    pub target_range: String,
    pub projected: bool,
    pub growth: bool,
    /// For a plan whose Dockerfile was audited: the after size its findings give, beside the
    /// target's (`784–849 MB by the findings (estimated)`); else empty. Set by the renderers
    /// that show it ([`super::audit::plan_cell`]).
    pub findings_plan: String,
}

/// A dash for "nothing to show".
pub const NONE: &str = "—";

/// Formats a saving (exact or a range) on the wire basis.
pub fn saving_wire(saving: &Saving) -> String {
    match saving {
        Saving::Exact(value) => format_bytes(value.wire_bytes),
        Saving::Projected(range) => format_byte_range(range.low.wire_bytes, range.high.wire_bytes),
    }
}

/// The mark of a figure estimated from the other basis with the compression ratio.
pub const ESTIMATED: &str = "≈";

/// `≈` before `figure` when it is estimated.
fn marked(estimated: bool, figure: String) -> String {
    // Nothing saved is nothing, at any ratio.
    if estimated && figure != "0 B" {
        format!("{ESTIMATED}{figure}")
    } else {
        figure
    }
}

/// Whether a row's wire figures rest on an estimate (a size given unpacked only).
fn wire_estimated(row: &ServiceRow) -> bool {
    row.before.wire_estimated || row.after.is_some_and(|after| after.wire_estimated)
}

/// The note under a table with estimated figures: `≈ estimated from the other basis at
/// compression ratio 0.37`; `None` when no row has one.
pub fn estimate_note(report: &Report) -> Option<String> {
    let any = report.services.iter().any(|row| {
        !row.projected
            && (wire_estimated(row)
                || row.before.disk_estimated
                || row.after.is_some_and(|after| after.disk_estimated))
    });
    any.then(|| {
        format!(
            "{ESTIMATED} estimated from the other basis (unpacked from wire, or wire from \
             unpacked) at compression ratio {}.",
            super::headline::assumption(report, "compression_ratio")
        )
    })
}

/// The cells of one row.
pub fn row_cells(row: &ServiceRow) -> RowCells {
    let after = match (&row.after, &row.projected_after) {
        (Some(after), _) => marked(
            after.disk_estimated,
            format_bytes(i128::from(after.disk_bytes)),
        ),
        (None, Some(range)) => format_range(range.high.disk_bytes, range.low.disk_bytes),
        (None, None) => NONE.to_string(),
    };
    let change = match (row.projected, row.change_percent) {
        (true, _) => "plan".to_string(),
        (false, Some(percent)) => format!("{percent:+.1}%"),
        (false, None) => NONE.to_string(),
    };
    let change_arrow = match (row.projected, row.change_percent) {
        (true, _) => "plan".to_string(),
        (false, Some(percent)) if percent < 0.0 => format!("▼ {:.1}%", -percent),
        (false, Some(percent)) if percent > 0.0 => format!("▲ {percent:.1}%"),
        (false, Some(_)) => "0%".to_string(),
        (false, None) => NONE.to_string(),
    };
    let wire_marked = wire_estimated(row) && !row.projected;
    let transfer_per_day = match &row.saved_per_day {
        Saving::Exact(saved) => marked(wire_marked, signed_bytes(-saved.wire_bytes)),
        Saving::Projected(range) => format!(
            "{} to {}",
            signed_bytes(-range.low.wire_bytes),
            signed_bytes(-range.high.wire_bytes)
        ),
    };
    let (status, recoverable, target_range) = match &row.target {
        Some(target) => (
            target.status.as_str().to_string(),
            if target.recoverable_disk_bytes > 0 {
                format!(
                    "{} over",
                    format_bytes(i128::from(target.recoverable_disk_bytes))
                )
            } else {
                String::new()
            },
            format_range(target.low_disk_bytes, target.high_disk_bytes),
        ),
        None => (NONE.to_string(), String::new(), String::new()),
    };
    RowCells {
        name: row.name.to_string(),
        runtime: row.runtime.unwrap_or(NONE).to_string(),
        before: marked(
            row.before.disk_estimated,
            format_bytes(i128::from(row.before.disk_bytes)),
        ),
        after,
        change,
        change_arrow,
        transfer_per_day,
        saved_per_day: marked(wire_marked, saving_wire(&row.saved_per_day)),
        pull_time_saved: format_seconds(row.pull_seconds.saved),
        status,
        recoverable,
        target_range,
        projected: row.projected,
        growth: row.growth,
        findings_plan: String::new(),
    }
}

/// `50–80% smaller`, `build speed and minor size`: what a technique is expected to do.
pub fn reduction(technique: &Technique) -> String {
    match (technique.reduction_low_pct, technique.reduction_high_pct) {
        (Some(low), Some(high)) if high > 0 => format!("{low}–{high}% smaller"),
        _ => technique.effect.clone(),
    }
}

/// A signed size for changes: `+12.0 MB`, `−420 MB` (U+2212 minus), `0 B`.
pub fn signed_bytes(bytes: i128) -> String {
    match bytes {
        0 => "0 B".to_string(),
        b if b > 0 => format!("+{}", format_bytes(b)),
        b => format!("−{}", format_bytes(-b)),
    }
}

/// One assumption as every format's table shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumptionCells {
    pub name: &'static str,
    pub value: String,
    pub origin: &'static str,
    pub source: String,
    /// How to change it: `--bandwidth 250MB/s`.
    pub change_with: String,
}

fn origin(origin: Origin) -> &'static str {
    match origin {
        Origin::Default => "default",
        Origin::File => "file",
        Origin::Flag => "flag",
    }
}

/// The assumptions of a report, in the order of the assumptions table, formatted; those without
/// a value are left out.
pub fn assumption_rows(report: &Report) -> Vec<AssumptionCells> {
    assumption_rows_of(&report.assumptions)
}

/// The rows of an assumptions view (any report's).
pub fn assumption_rows_of(assumptions: &crate::report::AssumptionsView) -> Vec<AssumptionCells> {
    let currency = &assumptions.currency;
    assumptions
        .set()
        .map(|(row, value)| AssumptionCells {
            name: row.assumption.key,
            value: row.assumption.kind.show(value, currency),
            origin: origin(row.origin),
            source: row.source.clone(),
            change_with: format!("{} {}", row.assumption.flag, row.assumption.example),
        })
        .collect()
}

/// A sparkline of `values` in eight block heights, lowest `▁` to highest `█` (all `▄` when they
/// are equal): one character a value.
pub fn sparkline(values: &[u64]) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (Some(low), Some(high)) = (values.iter().min(), values.iter().max()) else {
        return String::new();
    };
    values
        .iter()
        .map(|value| {
            if high == low {
                BLOCKS[3]
            } else {
                let step = (value - low) as f64 / (high - low) as f64 * 7.0;
                BLOCKS[step.round() as usize]
            }
        })
        .collect()
}

/// One service's size trend as every format shows it: (service, sparkline, `first → last`,
/// how many builds).
pub fn trend_cells(trend: &crate::report::ServiceTrend) -> (String, String, String) {
    let wires: Vec<u64> = trend.builds.iter().map(|b| b.wire_bytes).collect();
    let span = match (wires.first(), wires.last()) {
        (Some(first), Some(last)) => format!(
            "{} → {} wire over {}",
            format_bytes(i128::from(*first)),
            format_bytes(i128::from(*last)),
            crate::units::counted(wires.len() as u128, "build")
        ),
        _ => "no builds".to_string(),
    };
    (trend.service.clone(), sparkline(&wires), span)
}

#[cfg(test)]
mod sparkline_tests {
    use super::sparkline;

    #[test]
    fn sparklines_span_the_lowest_to_the_highest() {
        assert_eq!(sparkline(&[10, 20, 30, 40, 50, 60, 70, 80]), "▁▂▃▄▅▆▇█");
        assert_eq!(sparkline(&[5, 5, 5]), "▄▄▄");
        assert_eq!(sparkline(&[]), "");
        assert_eq!(sparkline(&[0, u64::MAX]), "▁█");
    }
}
