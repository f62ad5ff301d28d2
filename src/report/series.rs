//! The series behind the report's charts: what each chart plots, in bytes and seconds, chosen
//! and ordered here so renderers only scale and draw. Not part of the JSON contract.

use super::{Report, ServiceRow};
use crate::calc::full_pull::divide_rounded_signed;
use crate::calc::targets::Status;

/// Per-service charts show this many services, largest saving first.
pub const TOP: usize = 20;

/// A before/after pair for one service.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub name: String,
    pub before: f64,
    pub after: f64,
}

/// One image against its runtime target, in disk bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct AgainstTarget {
    pub name: String,
    pub low: f64,
    pub high: f64,
    /// The after size (a plan: the before size).
    pub size: f64,
    pub status: Status,
}

/// Cumulative wire transfer at the end of a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub month: u32,
    pub before_wire_bytes: i128,
    pub after_wire_bytes: i128,
}

/// Everything the charts plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Disk bytes before and after, top committed services by saving.
    pub sizes: Vec<Pair>,
    /// Committed services left out of `sizes` and `pull_seconds`.
    pub sizes_more: usize,
    /// Seconds of one pull before and after, same services as `sizes`.
    pub pull_seconds: Vec<Pair>,
    /// Months 0 to 12 of cumulative wire transfer, before and after.
    pub months: Vec<Month>,
    /// Wire bytes saved over the 12 months.
    pub saved_in_a_year_wire_bytes: i128,
    /// Services with a runtime target (committed first, then plans), top by saving.
    pub targets: Vec<AgainstTarget>,
    pub targets_more: usize,
}

fn committed(report: &Report) -> impl Iterator<Item = (&ServiceRow, &super::ImageView)> {
    report
        .services
        .iter()
        .filter_map(|row| row.after.as_ref().map(|after| (row, after)))
}

/// The series of a report (rows are already sorted by saving).
pub fn series(report: &Report) -> Series {
    let sizes = committed(report)
        .take(TOP)
        .map(|(row, after)| Pair {
            name: row.name.to_string(),
            before: row.before.disk_bytes as f64,
            after: after.disk_bytes as f64,
        })
        .collect::<Vec<_>>();
    let committed_count = committed(report).count();
    let pull_seconds = committed(report)
        .take(TOP)
        .map(|(row, _)| Pair {
            name: row.name.to_string(),
            before: row.pull_seconds.before,
            after: row.pull_seconds.after,
        })
        .collect();
    let year = &report.totals.per_year;
    let months = (0..=12u32)
        .map(|month| Month {
            month,
            before_wire_bytes: divide_rounded_signed(
                year.before.wire_bytes.saturating_mul(i128::from(month)),
                12,
            ),
            after_wire_bytes: divide_rounded_signed(
                year.after.wire_bytes.saturating_mul(i128::from(month)),
                12,
            ),
        })
        .collect();
    // The first TOP rows with a target are charted; the others are only counted.
    let targets: Vec<AgainstTarget> = report
        .services
        .iter()
        .filter_map(|row| {
            let target = row.target.as_ref()?;
            let size = row.after.as_ref().unwrap_or(&row.before).disk_bytes;
            Some(AgainstTarget {
                name: row.name.to_string(),
                low: target.low_disk_bytes as f64,
                high: target.high_disk_bytes as f64,
                size: size as f64,
                status: target.status,
            })
        })
        .take(TOP)
        .collect();
    let with_target = report
        .services
        .iter()
        .filter(|row| row.target.is_some())
        .count();
    Series {
        sizes_more: committed_count.saturating_sub(sizes.len()),
        sizes,
        pull_seconds,
        months,
        saved_in_a_year_wire_bytes: year.saved.wire_bytes,
        targets_more: with_target.saturating_sub(targets.len()),
        targets,
    }
}
