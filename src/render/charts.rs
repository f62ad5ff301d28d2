//! The report's charts: the series of [`crate::report::series`] scaled to display units, drawn
//! by [`crate::chart`], each with its caption and the table of its numbers. Used by the HTML
//! page and by `--charts-dir`; and the trend charts of `history`.

use crate::chart::{
    self, Axis, BeforeAfterChart, BeforeAfterItem, CumulativeChart, CumulativePoint, StackedChart,
    StackedItem, TargetChart, TargetItem, TrendChart, Width,
};
use crate::error::Error;
use crate::report::Report;
use crate::report::history::HistoryReport;
use crate::report::series::{self, Pair, Series};
use crate::units::{counted, format_bytes, format_range, format_seconds};

use super::cells::NONE;

/// A drawn chart with what goes around it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartView {
    /// Stable id, also the file name stem for `--charts-dir`.
    pub id: String,
    pub title: String,
    /// The SVG (labels already escaped).
    pub svg: String,
    /// The same chart drawn narrow, for phones (ids end in `-narrow`); the HTML page shows one
    /// of the two by the width of the screen. `--charts-dir` writes only `svg`.
    pub svg_narrow: String,
    pub caption: String,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

const MB: f64 = 1e6;

/// A decimal unit that suits the largest value: (divisor, name).
pub(super) fn unit_for(largest_bytes: f64) -> (f64, &'static str) {
    match largest_bytes.abs() {
        v if v >= 1e15 => (1e15, "PB"),
        v if v >= 1e12 => (1e12, "TB"),
        v if v >= 1e9 => (1e9, "GB"),
        v if v >= 1e6 => (1e6, "MB"),
        _ => (1e3, "kB"),
    }
}

fn top_note(shown: usize, more: usize) -> String {
    if more > 0 {
        format!("Top {shown} images by saving; {more} more not shown.")
    } else {
        format!("All {}, by saving.", counted(shown as u128, "image"))
    }
}

/// Draws the five charts of the report.
pub fn chart_views(report: &Report) -> Result<Vec<ChartView>, Error> {
    let series = series::series(report);
    Ok(vec![
        sizes(&series)?,
        cumulative(&series)?,
        targets(&series)?,
        pull_time(&series)?,
        decomposition(report)?,
    ])
}

/// Where the expected daily transfer goes, before and after: routine deploys, base refreshes,
/// new nodes.
fn decomposition(report: &Report) -> Result<ChartView, Error> {
    let expected = &report.totals.expected;
    let worlds = [
        ("Before", expected.per_day.before),
        ("After", expected.per_day.after),
    ];
    let largest = worlds
        .iter()
        .map(|(_, d)| d.total as f64)
        .fold(0.0, f64::max);
    let (divisor, unit) = unit_for(largest);
    let parts = |d: &crate::calc::layered::Decomposition| {
        vec![
            (
                "Routine deploys".to_string(),
                d.routine_deploys as f64 / divisor,
            ),
            (
                "Base refreshes".to_string(),
                d.base_refreshes as f64 / divisor,
            ),
            ("New nodes".to_string(), d.new_nodes as f64 / divisor),
        ]
    };
    let title = "Expected transfer a day with layer caches, by cause".to_string();
    let chart = StackedChart {
        id: "chart-decomposition".into(),
        title: title.clone(),
        axis: Axis::new("Expected transfer a day, wire", unit),
        items: worlds
            .iter()
            .map(|(label, d)| StackedItem {
                label: label.to_string(),
                parts: parts(d),
            })
            .collect(),
        more: 0,
    };
    Ok(ChartView {
        id: chart.id.clone(),
        svg: chart::stacked(&chart)?,
        svg_narrow: chart::stacked_at(&chart, Width::Narrow)?,
        title,
        caption: if expected.layer_aware {
            "Deploys move only the layers that change; a shared base is pulled once per node per \
             refresh; a new node pulls the union of its services' layers once."
                .to_string()
        } else {
            "No layer lists or changed_per_deploy were given, so every deploy counts as a full \
             pull: give image sources to see what layer caches save."
                .to_string()
        },
        headings: vec![
            "".into(),
            "routine deploys".into(),
            "base refreshes".into(),
            "new nodes".into(),
            "total".into(),
        ],
        rows: worlds
            .iter()
            .map(|(label, d)| {
                vec![
                    label.to_string(),
                    format_bytes(d.routine_deploys),
                    format_bytes(d.base_refreshes),
                    format_bytes(d.new_nodes),
                    format_bytes(d.total),
                ]
            })
            .collect(),
    })
}

/// A before/after chart of per-service pairs: `scale` turns a value into the axis unit,
/// `format` writes it for the table.
fn before_after_view(
    id: &str,
    title: &str,
    axis: Axis,
    pairs: &[Pair],
    more: usize,
    scale: f64,
    format: fn(f64) -> String,
) -> Result<ChartView, Error> {
    let chart = BeforeAfterChart {
        id: id.into(),
        title: title.to_string(),
        axis,
        items: pairs
            .iter()
            .map(|pair| BeforeAfterItem {
                label: pair.name.clone(),
                before: pair.before / scale,
                after: pair.after / scale,
            })
            .collect(),
        more,
    };
    Ok(ChartView {
        id: chart.id.clone(),
        svg: chart::before_after(&chart)?,
        svg_narrow: chart::before_after_at(&chart, Width::Narrow)?,
        title: title.to_string(),
        caption: top_note(pairs.len(), more),
        headings: vec!["service".into(), "before".into(), "after".into()],
        rows: pairs
            .iter()
            .map(|pair| vec![pair.name.clone(), format(pair.before), format(pair.after)])
            .collect(),
    })
}

fn sizes(series: &Series) -> Result<ChartView, Error> {
    before_after_view(
        "chart-sizes",
        "Image size per service, before and after",
        Axis::new("Image size, unpacked", "MB"),
        &series.sizes,
        series.sizes_more,
        MB,
        |bytes| format_bytes(bytes as i128),
    )
}

fn cumulative(series: &Series) -> Result<ChartView, Error> {
    let largest = series
        .months
        .iter()
        .map(|m| m.before_wire_bytes.max(m.after_wire_bytes) as f64)
        .fold(0.0, f64::max);
    let (divisor, unit) = unit_for(largest);
    let saved = series.saved_in_a_year_wire_bytes;
    let saved_label = if saved >= 0 {
        format!("{} saved in 12 months (upper bound)", format_bytes(saved))
    } else {
        format!("{} more in 12 months (upper bound)", format_bytes(-saved))
    };
    let title = "Image transfer over 12 months, full pulls (upper bound)".to_string();
    let chart = CumulativeChart {
        id: "chart-cumulative".into(),
        title: title.clone(),
        axis: Axis::new("Cumulative transfer, wire, full pulls", unit),
        points: series
            .months
            .iter()
            .map(|m| CumulativePoint {
                month: m.month,
                before: m.before_wire_bytes as f64 / divisor,
                after: m.after_wire_bytes as f64 / divisor,
            })
            .collect(),
        saved_label: saved_label.clone(),
    };
    Ok(ChartView {
        id: chart.id.clone(),
        svg: chart::cumulative(&chart)?,
        svg_narrow: chart::cumulative_at(&chart, Width::Narrow)?,
        title,
        caption: format!(
            "Committed services, every pull a full pull: {saved_label}. Plans are not included."
        ),
        headings: vec!["month".into(), "before".into(), "after".into()],
        rows: series
            .months
            .iter()
            .filter(|m| m.month > 0)
            .map(|m| {
                vec![
                    m.month.to_string(),
                    format_bytes(m.before_wire_bytes),
                    format_bytes(m.after_wire_bytes),
                ]
            })
            .collect(),
    })
}

fn targets(series: &Series) -> Result<ChartView, Error> {
    let title = "Each image against its runtime target".to_string();
    let chart = TargetChart {
        id: "chart-targets".into(),
        title: title.clone(),
        axis: Axis::new("Image size, unpacked", "MB"),
        items: series
            .targets
            .iter()
            .map(|t| TargetItem {
                label: t.name.clone(),
                low: t.low / MB,
                high: t.high / MB,
                value: t.size / MB,
                status: t.status,
            })
            .collect(),
        more: series.targets_more,
    };
    Ok(ChartView {
        id: chart.id.clone(),
        svg: chart::targets(&chart)?,
        svg_narrow: chart::targets_at(&chart, Width::Narrow)?,
        title,
        caption: format!(
            "The band is the runtime's realistic range; the marker is the image after slimming \
             (a plan: before). {}",
            top_note(series.targets.len(), series.targets_more)
        ),
        headings: vec![
            "service".into(),
            "size".into(),
            "target".into(),
            "status".into(),
        ],
        rows: series
            .targets
            .iter()
            .map(|t| {
                vec![
                    t.name.clone(),
                    format_bytes(t.size as i128),
                    crate::units::format_range(t.low as u64, t.high as u64),
                    t.status.as_str().to_string(),
                ]
            })
            .collect(),
    })
}

fn pull_time(series: &Series) -> Result<ChartView, Error> {
    before_after_view(
        "chart-pull-time",
        "Pull time per service, before and after (a full pull)",
        Axis::new("Seconds per pull (download + extract)", "s"),
        &series.pull_seconds,
        series.sizes_more,
        1.0,
        format_seconds,
    )
}

/// The horizontal position of each build: days since the first build when every build has a
/// creation time, else its number (1, 2, …); and what the axis says.
fn build_positions(report: &HistoryReport) -> (Vec<f64>, &'static str) {
    let mut days = vec![0.0];
    for pair in &report.pairs {
        match pair.days {
            Some(apart) => days.push(days.last().copied().unwrap_or(0.0) + apart),
            None => {
                let numbers = (1..=report.builds.len()).map(|n| n as f64).collect();
                return (numbers, "Build");
            }
        }
    }
    days.truncate(report.builds.len());
    (days, "Days since the first build")
}

/// The two trend charts of `history`: size per build (wire and unpacked, the runtime target
/// band behind), and bytes pulled per build.
pub fn history_charts(report: &HistoryReport) -> Result<Vec<ChartView>, Error> {
    let (x, x_label) = build_positions(report);
    let largest = report
        .builds
        .iter()
        .map(|b| b.disk_bytes.max(b.wire_bytes) as f64)
        .chain(report.target.iter().map(|t| t.high_disk_bytes as f64))
        .fold(0.0, f64::max);
    let (divisor, unit) = unit_for(largest);
    let scaled = |bytes: u64| bytes as f64 / divisor;
    let estimated = |flag: bool| if flag { " (estimated)" } else { "" };
    let disk_estimated = report.builds.iter().any(|b| b.disk_estimated);
    let wire_estimated = report.builds.iter().any(|b| b.wire_estimated);
    let sizes = TrendChart {
        id: "chart-history-sizes".into(),
        title: "Image size per build".into(),
        axis: Axis::new("Image size", unit),
        x_label: x_label.into(),
        series: vec![
            (
                format!("Unpacked{}", estimated(disk_estimated)),
                x.iter()
                    .zip(&report.builds)
                    .map(|(x, b)| (*x, scaled(b.disk_bytes)))
                    .collect(),
            ),
            (
                format!("Wire{}", estimated(wire_estimated)),
                x.iter()
                    .zip(&report.builds)
                    .map(|(x, b)| (*x, scaled(b.wire_bytes)))
                    .collect(),
            ),
        ],
        band: report.target.as_ref().map(|target| {
            (
                scaled(target.low_disk_bytes),
                scaled(target.high_disk_bytes),
                format!("Target for {} (unpacked)", target.runtime),
            )
        }),
    };
    let size_rows = report
        .builds
        .iter()
        .map(|b| {
            vec![
                b.tag.clone(),
                b.created.clone().unwrap_or_else(|| NONE.to_string()),
                format!(
                    "{}{}",
                    format_bytes(i128::from(b.disk_bytes)),
                    if b.disk_estimated { "*" } else { "" }
                ),
                format!(
                    "{}{}",
                    format_bytes(i128::from(b.wire_bytes)),
                    if b.wire_estimated { "*" } else { "" }
                ),
            ]
        })
        .collect();
    let target_caption = match &report.target {
        Some(target) => format!(
            " The band is the {} target, {} unpacked.",
            target.runtime,
            format_range(target.low_disk_bytes, target.high_disk_bytes)
        ),
        None => String::new(),
    };
    let largest_pull = report
        .pairs
        .iter()
        .map(|p| p.pull_wire_bytes as f64)
        .fold(0.0, f64::max);
    let (pull_divisor, pull_unit) = unit_for(largest_pull);
    let pulled = TrendChart {
        id: "chart-history-pulled".into(),
        title: "Bytes a node pulled per build".into(),
        axis: Axis::new("Pulled, wire", pull_unit),
        x_label: x_label.into(),
        series: vec![(
            "Pulled (blobs the build before lacks)".into(),
            report
                .pairs
                .iter()
                .zip(x.iter().skip(1))
                .map(|(p, x)| (*x, p.pull_wire_bytes as f64 / pull_divisor))
                .collect(),
        )],
        band: None,
    };
    let pull_rows = report
        .pairs
        .iter()
        .map(|p| {
            vec![
                p.to.clone(),
                format_bytes(i128::from(p.pull_wire_bytes)),
                format!("{:.1}%", p.new_share * 100.0),
                if p.base_changed { "base changed" } else { "" }.to_string(),
            ]
        })
        .collect();
    Ok(vec![
        ChartView {
            id: sizes.id.clone(),
            title: sizes.title.clone(),
            svg: chart::trend(&sizes)?,
            svg_narrow: chart::trend_at(&sizes, Width::Narrow)?,
            caption: format!(
                "Unpacked and wire bytes of each build, oldest first (* estimated with the \
                 compression ratio).{target_caption}"
            ),
            headings: vec![
                "build".into(),
                "created".into(),
                "unpacked".into(),
                "wire".into(),
            ],
            rows: size_rows,
        },
        ChartView {
            id: pulled.id.clone(),
            title: pulled.title.clone(),
            svg: chart::trend(&pulled)?,
            svg_narrow: chart::trend_at(&pulled, Width::Narrow)?,
            caption: "Wire bytes a node holding the build before pulled for each build: its \
                      blobs, config included, that the build before lacks (measured)."
                .into(),
            headings: vec![
                "build".into(),
                "pulled".into(),
                "share".into(),
                "base".into(),
            ],
            rows: pull_rows,
        },
    ])
}
