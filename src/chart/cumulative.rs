//! Cumulative transfer month by month, before (grey, dashed) vs after (strong colour, with
//! markers), the gap between them shaded and labelled with the caller's "saved" text.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{
    Layout, Weight, axis_end, clean_label, draw_month_mesh, draw_no_data, draw_text, finite,
    format_number, render, text_style, text_width, with_unit,
};
use super::rows::{Swatch, draw_legend};
use super::{
    AFTER_COLOUR, AXIS_HEIGHT, BAND_COLOUR, BEFORE_COLOUR, CumulativeChart, CumulativePoint,
    LABEL_FONT_PX, MARGIN, MUTED_TEXT_COLOUR, Width,
};
use crate::error::Error;

const HEIGHT: u32 = 440;
/// A narrow chart is less tall, so the plot keeps a similar shape.
const NARROW_HEIGHT: u32 = 320;
/// Month ticks on a narrow chart (every other month).
const NARROW_MONTH_TICKS: usize = 7;
/// Room right of the plot for the "Before: …" and "After: …" end labels.
const END_LABEL_WIDTH: i32 = 150;
/// Width of the value-axis tick labels and description left of the plot.
const VALUE_AXIS_WIDTH: i32 = 72;
const LINE_WIDTH: u32 = 3;
/// At most this many month ticks (one a month for a year, from month 0).
const MAX_MONTH_TICKS: usize = 13;
const DASH: (i32, i32) = (8, 5);
const POINT_RADIUS: i32 = 3;
/// Room above the highest line.
const HEADROOM: f64 = 0.08;
/// End labels closer than this (pixels) are pushed apart.
const END_LABEL_MIN_GAP: i32 = 16;
/// A gap narrower than this (pixels) gets its label above the "before" line instead of inside.
const SAVED_LABEL_MIN_GAP: i32 = 24;
const END_LABEL_OFFSET: i32 = 10;
const END_LABEL_FONT_PX: f64 = 12.0;

/// The 12-month chart: cumulative transfer before vs after with the saving shaded.
pub fn cumulative(chart: &CumulativeChart) -> Result<String, Error> {
    cumulative_at(chart, Width::Wide)
}

/// [`cumulative`] at `width`. A narrow chart has no room right of the plot: the end values go
/// into the legend instead ("Before: 150 TB").
pub fn cumulative_at(chart: &CumulativeChart, width: Width) -> Result<String, Error> {
    let mut points: Vec<CumulativePoint> = chart
        .points
        .iter()
        .map(|point| CumulativePoint {
            month: point.month,
            before: finite(point.before),
            after: finite(point.after),
        })
        .collect();
    points.sort_by_key(|point| point.month);
    let saved_label = clean_label(&chart.saved_label);
    let unit = &chart.axis.unit;

    let mut description = format!("{} by month, before and after.", chart.axis.description());
    for point in &points {
        description.push_str(&format!(
            " Month {}: {} before, {} after.",
            point.month,
            format_number(point.before),
            format_number(point.after)
        ));
    }
    if points.is_empty() {
        description.push_str(&format!(" {}.", super::NO_DATA));
    } else if !saved_label.is_empty() {
        description.push_str(&format!(" {saved_label}."));
    }

    let narrow = width == Width::Narrow;
    let (before_entry, after_entry) = match points.last() {
        Some(last) if narrow => (
            format!("Before: {}", with_unit(last.before, unit)),
            format!("After: {}", with_unit(last.after, unit)),
        ),
        _ => ("Before".to_string(), "After".to_string()),
    };
    let legend = [
        (Swatch::Line(BEFORE_COLOUR, true), before_entry),
        (Swatch::Line(AFTER_COLOUR, false), after_entry),
        (Swatch::Fill(BAND_COLOUR), "Saved".to_string()),
    ];
    let layout = Layout::new(width, &chart.title, &legend);
    let height = if narrow { NARROW_HEIGHT } else { HEIGHT } + layout.extra_top() as u32;
    render(
        &layout,
        &chart.id,
        &chart.title,
        &description,
        height,
        |area| {
            let plot_top = layout.plot_top();
            let (Some(first), Some(last)) = (points.first(), points.last()) else {
                return draw_no_data(area, &layout, plot_top, height as i32 - plot_top - MARGIN);
            };
            draw_legend(area, &layout, &legend)?;
            let first_month = f64::from(first.month);
            let last_month = f64::from(last.month.max(first.month.saturating_add(1)));
            let (low, high) = points.iter().fold((0.0f64, 0.0f64), |(low, high), point| {
                let (lo, hi) = (point.before.min(point.after), point.before.max(point.after));
                (low.min(lo), high.max(hi))
            });
            // The range holds every point: plotters' pixel arithmetic overflows far outside it.
            let top = axis_end(high, HEADROOM);
            let bottom = low * (1.0 + HEADROOM);
            let mut plot = ChartBuilder::on(area)
                .margin_top(plot_top)
                .margin_left(MARGIN)
                .margin_right(if narrow { MARGIN } else { END_LABEL_WIDTH })
                .margin_bottom(MARGIN)
                .y_label_area_size(VALUE_AXIS_WIDTH)
                .x_label_area_size(AXIS_HEIGHT)
                .build_cartesian_2d(first_month..last_month, bottom..top)?;
            let months = ((last_month - first_month) as usize + 1).min(if narrow {
                NARROW_MONTH_TICKS
            } else {
                MAX_MONTH_TICKS
            });
            draw_month_mesh(&mut plot, months, chart.axis.description())?;

            let before: Vec<(f64, f64)> = points
                .iter()
                .map(|point| (f64::from(point.month), point.before))
                .collect();
            let after: Vec<(f64, f64)> = points
                .iter()
                .map(|point| (f64::from(point.month), point.after))
                .collect();
            let gap: Vec<(f64, f64)> = before.iter().chain(after.iter().rev()).copied().collect();
            plot.draw_series(std::iter::once(Polygon::new(gap, BAND_COLOUR.filled())))?;
            plot.draw_series(DashedLineSeries::new(
                before.iter().copied(),
                DASH.0,
                DASH.1,
                BEFORE_COLOUR.stroke_width(LINE_WIDTH),
            ))?;
            plot.draw_series(LineSeries::new(
                after.iter().copied(),
                AFTER_COLOUR.stroke_width(LINE_WIDTH),
            ))?;
            plot.draw_series(
                after
                    .iter()
                    .map(|point| Circle::new(*point, POINT_RADIUS, AFTER_COLOUR.filled())),
            )?;

            // End labels right of the last point, pushed apart when the lines end close together
            // (wide only: a narrow chart has them in its legend).
            if !narrow {
                draw_end_labels(area, &plot, last, unit)?;
            }

            // The saved label sits in the widest part of the gap's last third, or above the line.
            let anchor = &points[(points.len() * 2 / 3).min(points.len() - 1)];
            let (label_x, label_before_y) =
                plot.backend_coord(&(f64::from(anchor.month), anchor.before));
            let (_, label_after_y) = plot.backend_coord(&(f64::from(anchor.month), anchor.after));
            let label_y = if label_after_y - label_before_y >= SAVED_LABEL_MIN_GAP {
                (label_before_y + label_after_y) / 2
            } else {
                label_before_y - SAVED_LABEL_MIN_GAP / 2
            };
            // A narrow chart keeps the label inside its width.
            let label_x = if narrow {
                let half = text_width(&saved_label, LABEL_FONT_PX) / 2;
                let (left, right) = (MARGIN + half, layout.px() - MARGIN / 2 - half);
                if left <= right {
                    label_x.clamp(left, right)
                } else {
                    layout.px() / 2
                }
            } else {
                label_x
            };
            draw_text(
                area,
                &saved_label,
                (label_x, label_y),
                &text_style(
                    LABEL_FONT_PX,
                    &AFTER_COLOUR,
                    Weight::Bold,
                    HPos::Center,
                    VPos::Center,
                ),
            )
        },
    )
}

/// The "Before: …" and "After: …" labels right of the last point.
fn draw_end_labels(
    area: &super::canvas::Area<'_>,
    plot: &ChartContext<
        '_,
        SVGBackend<'_>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    last: &CumulativePoint,
    unit: &str,
) -> super::canvas::DrawResult {
    let (end_x, mut before_y) = plot.backend_coord(&(f64::from(last.month), last.before));
    let (_, mut after_y) = plot.backend_coord(&(f64::from(last.month), last.after));
    let apart = after_y - before_y;
    if apart < END_LABEL_MIN_GAP {
        let push = (END_LABEL_MIN_GAP - apart + 1) / 2;
        before_y -= push;
        after_y += push;
    }
    let end_style = |colour| {
        text_style(
            END_LABEL_FONT_PX,
            colour,
            Weight::Bold,
            HPos::Left,
            VPos::Center,
        )
    };
    let x = end_x + END_LABEL_OFFSET;
    draw_text(
        area,
        &format!("Before: {}", with_unit(last.before, unit)),
        (x, before_y),
        &end_style(&MUTED_TEXT_COLOUR),
    )?;
    draw_text(
        area,
        &format!("After: {}", with_unit(last.after, unit)),
        (x, after_y),
        &end_style(&AFTER_COLOUR),
    )?;
    Ok(())
}
