//! Table cells: each service row's figures formatted once, for every format's table. Strings
//! from input (the name) are left raw here; each renderer escapes them its own way.

use super::headline::format_byte_range;
use crate::report::{Saving, ServiceRow};
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

/// The cells of one row.
pub fn row_cells(row: &ServiceRow) -> RowCells {
    let after = match (&row.after, &row.projected_after) {
        (Some(after), _) => format_bytes(i128::from(after.disk_bytes)),
        (None, Some(range)) => format_range(range.high.disk_bytes, range.low.disk_bytes),
        (None, None) => NONE.to_string(),
    };
    let change = match (row.projected, row.change_percent) {
        (true, _) => "plan".to_string(),
        (false, Some(percent)) => format!("{percent:+.1}%"),
        (false, None) => NONE.to_string(),
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
        name: row.name.clone(),
        runtime: row.runtime.clone().unwrap_or_else(|| NONE.to_string()),
        before: format_bytes(i128::from(row.before.disk_bytes)),
        after,
        change,
        saved_per_day: saving_wire(&row.saved_per_day),
        pull_time_saved: format_seconds(row.pull_seconds.saved),
        status,
        recoverable,
        target_range,
        projected: row.projected,
        growth: row.growth,
    }
}

/// Shortens `text` to at most `width` characters, ending with `…` when cut.
pub fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_the_width() {
        assert_eq!(truncate("payments-gateway-service", 10), "payments-…");
        assert_eq!(truncate("api", 10), "api");
        assert_eq!(truncate("ééééééé", 4), "ééé…");
    }
}
