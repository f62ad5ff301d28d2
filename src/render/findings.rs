//! Where an image's bytes are, as every output but the JSON shows it: the findings (dive's
//! wasted bytes and each leftover) as rows priced across the fleet, largest first; the top of
//! them for a pull-request comment; and a chart of each layer's file bytes split into leftovers,
//! the rest, and what a later layer overwrites or deletes.

use super::charts::{ChartView, unit_for};
use super::markdown::{NAME_CHARS, escape_inline, shorten};
use crate::chart::{self, Axis, StackedChart, StackedItem, Width};
use crate::error::Error;
use crate::report::layers::{Findings, LayerRow, Value};
use crate::units::{counted, format_bytes, format_money};

/// A pull-request comment shows this many findings per image, and says how many more there are.
pub const TOP_FINDINGS: usize = 5;

/// `created_by` is cut to this many characters in tables and chart labels.
const STEP_CHARS: usize = 60;

/// One finding as plain strings (escape them for the format that shows them).
#[derive(Debug, Clone, PartialEq)]
pub struct FindingCells {
    /// What it is: the leftover rule's description and its largest path, or dive's waste.
    pub what: String,
    /// The layer that brought it: `#3 RUN apt-get update …`, or `several` for the waste.
    pub layer: String,
    pub bytes: u64,
    pub bytes_text: String,
    /// `~6.2 GB`, estimated; `—` without fleet flags.
    pub transfer_per_day: String,
    pub money_per_year: String,
    /// The checklist technique that removes it.
    pub fix: String,
}

/// The step that made a layer, cut for a cell or a label: `#3 apt-get update && …`. Docker's
/// `/bin/sh -c ` and `#(nop) ` prefixes say nothing and go.
pub fn layer_label(index: usize, created_by: Option<&str>) -> String {
    match created_by {
        Some(step) => {
            let mut step = step.trim();
            for prefix in ["/bin/sh -c ", "#(nop) "] {
                step = step.strip_prefix(prefix).unwrap_or(step).trim_start();
            }
            format!("#{index} {}", shorten(step, STEP_CHARS))
        }
        None => format!("#{index}"),
    }
}

/// A fleet value as `(~transfer a day, ~money a year)`, or `—` twice without one.
pub fn value_cells(value: Option<&Value>, currency: Option<&str>) -> (String, String) {
    match (value, currency) {
        (Some(value), Some(currency)) => (
            format!(
                "~{}",
                format_bytes(
                    i128::try_from(value.full_pull_transfer_per_day_bytes).unwrap_or(i128::MAX)
                )
            ),
            format!("~{}", format_money(value.full_pull_cost_per_year, currency)),
        ),
        _ => (
            super::cells::NONE.to_string(),
            super::cells::NONE.to_string(),
        ),
    }
}

/// The findings as rows, largest first: dive's wasted bytes (when any) and each leftover.
pub fn rows(findings: &Findings, currency: Option<&str>) -> Vec<FindingCells> {
    let mut rows = Vec::new();
    if let Some(waste) = findings
        .waste
        .as_ref()
        .filter(|w| w.figures.wasted_bytes > 0)
    {
        let (transfer, money) = value_cells(waste.fleet_value.as_ref(), currency);
        let paths = waste.figures.inefficient_files.len() as u128;
        rows.push(FindingCells {
            what: format!(
                "wasted: {} written in more than one layer (dive's wasted bytes), largest {}",
                counted(paths, "path"),
                waste
                    .figures
                    .inefficient_files
                    .first()
                    .map(|file| file.path.as_str())
                    .unwrap_or("")
            ),
            layer: "several".to_string(),
            bytes: waste.figures.wasted_bytes,
            bytes_text: format_bytes(i128::from(waste.figures.wasted_bytes)),
            transfer_per_day: transfer,
            money_per_year: money,
            fix: "Remove files in the layer that creates them".to_string(),
        });
    }
    if let Some(leftovers) = &findings.leftovers {
        for item in &leftovers.items {
            let (transfer, money) = value_cells(item.fleet_value.as_ref(), currency);
            let largest = item.paths.first().map(|p| p.path.as_str()).unwrap_or("");
            let others = item.path_count.saturating_sub(1);
            rows.push(FindingCells {
                what: if others > 0 {
                    format!(
                        "{}: {largest} (+{})",
                        item.description,
                        counted(u128::from(others), "more file")
                    )
                } else {
                    format!("{}: {largest}", item.description)
                },
                layer: layer_label(item.layer.index, item.created_by.as_deref()),
                bytes: item.bytes,
                bytes_text: format_bytes(i128::from(item.bytes)),
                transfer_per_day: transfer,
                money_per_year: money,
                fix: item.technique.technique.clone(),
            });
        }
    }
    // Stable: equal sizes keep the waste first, then the leftovers' order.
    rows.sort_by_key(|row| std::cmp::Reverse(row.bytes));
    rows
}

/// The recoverable bytes in one sentence: `41.8 MB recoverable (wasted … + leftovers … − …
/// counted in both), ~6.2 GB a day and ~$1,234 a year across the fleet`.
pub fn recoverable_sentence(findings: &Findings, currency: Option<&str>) -> Option<String> {
    let recoverable = findings.recoverable.as_ref()?;
    let mut sentence = format!(
        "{} recoverable (file content bytes: wasted {} + leftovers {} − {} counted in both)",
        format_bytes(i128::from(recoverable.bytes)),
        format_bytes(i128::from(recoverable.wasted_bytes)),
        format_bytes(i128::from(recoverable.leftover_bytes)),
        format_bytes(i128::from(recoverable.counted_in_both_bytes)),
    );
    if let (Some(value), Some(_)) = (&recoverable.fleet_value, currency) {
        let (transfer, money) = value_cells(Some(value), currency);
        sentence.push_str(&format!(
            ", {transfer} a day and {money} a year across the fleet (estimated wire share; \
             upper bound: every pull a full pull)"
        ));
    }
    Some(sentence)
}

/// The findings of one image for a pull-request comment: a heading, the recoverable sentence,
/// and a table of the top [`TOP_FINDINGS`] with `… N more`. Everything from input escaped.
pub fn markdown(title: &str, findings: &Findings, currency: Option<&str>) -> String {
    let mut out = format!(
        "#### Where the bytes are: {}\n\n",
        escape_inline(&shorten(title, NAME_CHARS))
    );
    if let Some(sentence) = recoverable_sentence(findings, currency) {
        out.push_str(&escape_inline(&sentence));
        out.push_str("\n\n");
    }
    let rows = rows(findings, currency);
    if rows.is_empty() {
        out.push_str("No wasted bytes and no leftovers.\n");
        return out;
    }
    out.push_str("| finding | layer | bytes | transfer/day | money/year | fix |\n");
    out.push_str("|:--|:--|--:|--:|--:|:--|\n");
    for row in rows.iter().take(TOP_FINDINGS) {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            escape_inline(&shorten(&row.what, NAME_CHARS)),
            escape_inline(&row.layer),
            row.bytes_text,
            escape_inline(&row.transfer_per_day),
            escape_inline(&row.money_per_year),
            escape_inline(&row.fix)
        ));
    }
    if rows.len() > TOP_FINDINGS {
        let rest = &rows[TOP_FINDINGS..];
        let bytes = rest
            .iter()
            .fold(0u64, |sum, row| sum.saturating_add(row.bytes));
        out.push_str(&format!(
            "\n… {} more, {} between them (the JSON has them all).\n",
            counted(rest.len() as u128, "finding"),
            format_bytes(i128::from(bytes))
        ));
    }
    out
}

/// Each layer's file content bytes as a stacked bar: leftovers, the rest of what it leaves in
/// the final image, and what a later layer overwrites or deletes. `None` when the entries were
/// not read.
pub fn layer_chart(id: &str, name: &str, layers: &[LayerRow]) -> Result<Option<ChartView>, Error> {
    let split: Option<Vec<_>> = layers.iter().map(|layer| layer.files).collect();
    let Some(split) = split else {
        return Ok(None);
    };
    let largest = split.iter().map(|s| s.file_bytes).max().unwrap_or(0);
    let (divisor, unit) = unit_for(largest as f64);
    let scaled = |bytes: u64| bytes as f64 / divisor;
    let parts = |s: &crate::calc::leftovers::LayerBytes| {
        let rest = s
            .file_bytes
            .saturating_sub(s.hidden_later_bytes)
            .saturating_sub(s.leftover_bytes);
        vec![
            ("leftovers".to_string(), scaled(s.leftover_bytes)),
            ("in the final image".to_string(), scaled(rest)),
            (
                "overwritten or deleted later".to_string(),
                scaled(s.hidden_later_bytes),
            ),
        ]
    };
    let labels: Vec<String> = layers
        .iter()
        .map(|layer| layer_label(layer.index, layer.created_by.as_deref()))
        .collect();
    let chart = StackedChart {
        id: id.to_string(),
        title: format!("{name}: file content bytes by layer"),
        axis: Axis::new("File content bytes", unit),
        items: labels
            .iter()
            .zip(&split)
            .map(|(label, s)| StackedItem {
                label: label.clone(),
                parts: parts(s),
            })
            .collect(),
        more: 0,
    };
    Ok(Some(ChartView {
        id: chart.id.clone(),
        svg: chart::stacked(&chart)?,
        svg_narrow: chart::stacked_at(&chart, Width::Narrow)?,
        title: chart.title.clone(),
        caption: "File content bytes as dive counts them (tar header sizes). A layer's bytes that \
                  a later layer overwrites or deletes still ship with it: removing files in a \
                  later step saves nothing."
            .to_string(),
        headings: vec![
            "layer".into(),
            "leftovers".into(),
            "in the final image".into(),
            "overwritten or deleted later".into(),
            "file bytes".into(),
        ],
        rows: labels
            .iter()
            .zip(&split)
            .map(|(label, s)| {
                vec![
                    label.clone(),
                    format_bytes(i128::from(s.leftover_bytes)),
                    format_bytes(i128::from(
                        s.file_bytes
                            .saturating_sub(s.hidden_later_bytes)
                            .saturating_sub(s.leftover_bytes),
                    )),
                    format_bytes(i128::from(s.hidden_later_bytes)),
                    format_bytes(i128::from(s.file_bytes)),
                ]
            })
            .collect(),
    }))
}

/// Findings of this many images at most go into one pull-request comment (the largest
/// recoverable first); the rest are counted.
pub const COMMENT_IMAGES: usize = 10;

/// The images of a fleet report with findings, the largest recoverable first (ties in report
/// order).
pub fn by_recoverable(
    images: &[crate::report::layers::ImageFindings],
) -> Vec<&crate::report::layers::ImageFindings> {
    let mut sorted: Vec<_> = images.iter().collect();
    sorted.sort_by_key(|image| {
        std::cmp::Reverse(
            image
                .findings
                .recoverable
                .as_ref()
                .map(|r| r.bytes)
                .unwrap_or(0),
        )
    });
    sorted
}

/// The title of one service's image: `api (after image: images/api.tar)`.
pub fn image_title(image: &crate::report::layers::ImageFindings) -> String {
    format!(
        "{} ({} image: {})",
        image.service, image.image, image.source
    )
}

/// The findings of a fleet report's images for a pull-request comment: one block per image (at
/// most [`COMMENT_IMAGES`]), or nothing when no image's entries were read.
pub fn markdown_for_report(images: &[crate::report::layers::ImageFindings]) -> String {
    let sorted = by_recoverable(images);
    let mut out = String::new();
    for image in sorted.iter().take(COMMENT_IMAGES) {
        let currency = image.fleet.as_ref().map(|fleet| fleet.currency.as_str());
        out.push_str(&markdown(&image_title(image), &image.findings, currency));
        out.push('\n');
    }
    if sorted.len() > COMMENT_IMAGES {
        out.push_str(&format!(
            "… findings of {} more not shown (the JSON report has them all).\n\n",
            counted((sorted.len() - COMMENT_IMAGES) as u128, "image")
        ));
    }
    out
}

/// The HTML page shows the findings of this many images at most (the largest recoverable
/// first); the rest are counted.
pub const PAGE_IMAGES: usize = 50;

/// One image's "Where the bytes are" section of an HTML page: plain strings, escaped by the
/// template (the chart's SVG is escaped where it is drawn).
pub struct ImageSection {
    pub title: String,
    pub summary: Option<String>,
    pub chart: Option<ChartView>,
    pub rows: Vec<FindingCells>,
}

/// One section for `findings` of the image called `title`; `index` makes its chart id unique.
pub fn section(
    index: usize,
    name: &str,
    title: &str,
    layers: &[LayerRow],
    findings: &Findings,
    currency: Option<&str>,
) -> Result<ImageSection, Error> {
    Ok(ImageSection {
        title: title.to_string(),
        summary: recoverable_sentence(findings, currency),
        chart: layer_chart(&format!("chart-bytes-{index}"), name, layers)?,
        rows: rows(findings, currency),
    })
}

/// The sections of a fleet report's images (at most [`PAGE_IMAGES`]) and the line that counts
/// the rest.
pub fn sections_for_report(
    images: &[crate::report::layers::ImageFindings],
) -> Result<(Vec<ImageSection>, Option<String>), Error> {
    let sorted = by_recoverable(images);
    let sections = sorted
        .iter()
        .take(PAGE_IMAGES)
        .enumerate()
        .map(|(index, image)| {
            section(
                index,
                &image.service,
                &image_title(image),
                &image.layers,
                &image.findings,
                image.fleet.as_ref().map(|fleet| fleet.currency.as_str()),
            )
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let more = (sorted.len() > PAGE_IMAGES).then(|| {
        format!(
            "… findings of {} more not shown here; the JSON output lists them all.",
            counted((sorted.len() - PAGE_IMAGES) as u128, "image")
        )
    });
    Ok((sections, more))
}
