//! The frame shared by the horizontal row charts, and the pieces every chart reuses: the legend
//! under the title, markers, value labels beside bars, and the "… N more" note.
//!
//! A row chart is: title, legend, then one row per item — its label right-aligned in a fixed
//! column (a narrow chart: on a line of its own above the bars), its bars or markers on a shared
//! value axis with round ticks and vertical gridlines — and the axis description at the bottom.
//! Rows are laid out in pixels from the top, so the chart's height grows with the number of rows
//! while the width stays fixed.

use std::ops::Range;

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{
    Area, DrawResult, Layout, Weight, draw_text, finite, format_tick, short_label, text_style,
    text_width,
};
use super::{
    AXIS_COLOUR, AXIS_HEIGHT, Axis, GRID_COLOUR, LABEL_COLUMN, LABEL_FONT_PX, LABEL_MAX_CHARS,
    LEGEND_FONT_PX, MARGIN, MAX_ROWS, MUTED_TEXT_COLOUR, NO_DATA_HEIGHT, NOTE_HEIGHT,
    ON_BAR_TEXT_COLOUR, RIGHT_MARGIN, ROW_LABEL_LINE, TEXT_COLOUR, TICK_FONT_PX, VALUE_FONT_PX,
    Width,
};

/// Gap between a row label and the value axis.
const LABEL_GAP: i32 = 10;
/// How far below the middle of its line a narrow chart's row label sits (nearer its bars).
const LABEL_LINE_OFFSET: i32 = 3;
/// How far right of the zero line a narrow chart's row label starts.
const NARROW_LABEL_INDENT: i32 = 4;
/// Gap between the end of a bar and its value label.
const VALUE_GAP: i32 = 4;
/// Size of a legend swatch.
const SWATCH: i32 = 12;
/// Length of a line swatch in the legend (long enough to show the dashes).
const LINE_SWATCH: i32 = 24;
/// Space after a swatch and after each legend entry.
const LEGEND_SPACING: (i32, i32) = (6, 20);
/// Marker radius in the target chart and the legend.
pub(super) const MARKER_RADIUS: i32 = 6;
/// The least room right of 0, as a fraction of the most negative value.
const NEGATIVE_ONLY_ROOM: f64 = 0.25;
/// The axis starts this much beyond the smallest negative value.
const NEGATIVE_MARGIN: f64 = 1.05;
/// Fills darker than this (0–255 luma) get white text.
const DARK_FILL_LUMINANCE: f64 = 150.0;
/// Distance between hatch stripes, and their width.
const HATCH_SPACING: usize = 8;
const HATCH_WIDTH: u32 = 2;
/// Tick count hint for the value axis (plotters picks round values up to this many).
const VALUE_TICKS: usize = 8;
const NARROW_VALUE_TICKS: usize = 4;

/// What a legend entry shows beside its text.
#[derive(Clone, Copy)]
pub(super) enum Swatch {
    /// A filled square: bars, bands.
    Fill(RGBColor),
    /// A filled square with white diagonal stripes: growth.
    Hatched(RGBColor),
    /// A marker shape.
    Marker(Marker, RGBColor),
    /// A line; dashed for the "before" series so print in greyscale tells them apart.
    Line(RGBColor, bool),
}

/// Marker shapes; a second shape keeps "above target" visible without colour.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Marker {
    Circle,
    Triangle,
}

/// Which rows of `items` a row chart draws, and how many it leaves for the note.
pub(super) fn visible<T>(items: &[T], more: usize) -> (&[T], usize) {
    let shown = items.len().min(MAX_ROWS);
    (&items[..shown], more.saturating_add(items.len() - shown))
}

/// Height of a row chart with `rows` rows of `row_height` pixels (no-data height for 0 rows).
pub(super) fn chart_height(layout: &Layout, rows: usize, row_height: i32, more: usize) -> u32 {
    let body = if rows == 0 {
        NO_DATA_HEIGHT
    } else {
        rows as i32 * (row_height + label_line(layout)) + AXIS_HEIGHT
    };
    (layout.plot_top() + body + note_height(more) + MARGIN) as u32
}

/// Height of the label line above each row's bars: only narrow charts have one.
fn label_line(layout: &Layout) -> i32 {
    if layout.narrow() { ROW_LABEL_LINE } else { 0 }
}

/// Width of the row-label column left of the plot: narrow charts have none.
fn label_column(layout: &Layout) -> i32 {
    if layout.narrow() { 0 } else { LABEL_COLUMN }
}

fn note_height(more: usize) -> i32 {
    if more > 0 { NOTE_HEIGHT } else { 0 }
}

/// The pixel geometry of a drawn row frame, for placing bars and markers.
pub(super) struct RowFrame {
    x_range: Range<f64>,
    plot_x: Range<i32>,
    rows_top: i32,
    /// Height of a row, its label line included.
    pub row_height: i32,
    label_line: i32,
    width: i32,
}

impl RowFrame {
    /// The pixel x of a value, clamped to the plot.
    pub fn x(&self, value: f64) -> i32 {
        let span = self.x_range.end - self.x_range.start;
        let fraction = ((value - self.x_range.start) / span).clamp(0.0, 1.0);
        let width = f64::from(self.plot_x.end - self.plot_x.start);
        self.plot_x.start + (fraction * width).round() as i32
    }

    /// The pixel y of the top of row `index`.
    pub fn row_top(&self, index: usize) -> i32 {
        self.rows_top + index as i32 * self.row_height
    }

    /// The pixel y of the top of row `index`'s bars, under its label line if it has one.
    pub fn bars_top(&self, index: usize) -> i32 {
        self.row_top(index) + self.label_line
    }

    /// The vertical centre of row `index`'s label line (narrow charts).
    pub fn label_centre(&self, index: usize) -> i32 {
        self.row_top(index) + ROW_LABEL_LINE / 2 + LABEL_LINE_OFFSET
    }

    /// The right edge that text may reach.
    pub fn text_limit(&self) -> i32 {
        self.width - MARGIN / 2
    }
}

/// Width of the plot of a row chart, in pixels.
fn plot_width(layout: &Layout) -> i32 {
    layout.px() - MARGIN - RIGHT_MARGIN - label_column(layout)
}

/// The value range of a row chart whose rows end at `value` and need `label_px` pixels of
/// label right of it: from 0 (or a little below the smallest negative value) to just far enough
/// that every label fits on the chart. The end is not rounded; plotters picks round ticks.
pub(super) fn value_range(
    layout: &Layout,
    ends: impl IntoIterator<Item = (f64, i32)>,
) -> Range<f64> {
    let plot_width = plot_width(layout);
    let room = f64::from(plot_width + RIGHT_MARGIN - MARGIN / 2);
    let plot = f64::from(plot_width);
    let (mut min, mut end) = (0.0f64, 0.0f64);
    for (value, label_px) in ends {
        let value = finite(value);
        min = min.min(value);
        if value > 0.0 {
            let label = f64::from(label_px.clamp(0, plot_width / 2));
            end = end.max(value * plot / (room - label));
        }
    }
    if end <= 0.0 {
        end = if min < 0.0 {
            -min * NEGATIVE_ONLY_ROOM
        } else {
            1.0
        };
    }
    let start = if min < 0.0 {
        min * NEGATIVE_MARGIN
    } else {
        0.0
    };
    start..end
}

/// Draws the frame of a row chart under the title: legend, value axis with gridlines and
/// description, a baseline at 0, the row labels, and the note for `more` rows not drawn. Rows
/// are `row_height` high, plus the label line of a narrow chart.
#[allow(clippy::too_many_arguments)]
pub(super) fn draw_frame(
    area: &Area<'_>,
    layout: &Layout,
    legend: &[(Swatch, String)],
    axis: &Axis,
    x_range: Range<f64>,
    labels: &[&str],
    row_height: i32,
    more: usize,
) -> DrawResult<RowFrame> {
    draw_legend(area, layout, legend)?;
    let (_, height) = area.dim_in_pixel();
    let bottom_margin = MARGIN + note_height(more);
    let mut chart = ChartBuilder::on(area)
        .margin_top(layout.plot_top())
        .margin_left(MARGIN)
        .margin_right(RIGHT_MARGIN)
        .margin_bottom(bottom_margin)
        .y_label_area_size(label_column(layout))
        .x_label_area_size(AXIS_HEIGHT)
        .build_cartesian_2d(x_range.clone(), 0f64..1f64)?;
    let tick_style = text_style(
        TICK_FONT_PX,
        &MUTED_TEXT_COLOUR,
        Weight::Normal,
        HPos::Center,
        VPos::Top,
    );
    let description_style = text_style(
        LABEL_FONT_PX,
        &TEXT_COLOUR,
        Weight::Normal,
        HPos::Center,
        VPos::Top,
    );
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        // Not `.max_light_lines(0)`: it overflows in debug builds.
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID_COLOUR)
        .axis_style(AXIS_COLOUR)
        .x_labels(if layout.narrow() {
            NARROW_VALUE_TICKS
        } else {
            VALUE_TICKS
        })
        .x_label_formatter(&|value| format_tick(*value))
        .x_label_style(tick_style)
        .x_desc(axis.description())
        .axis_desc_style(description_style)
        .draw()?;

    let (plot_x, plot_y) = chart.plotting_area().get_pixel_range();
    let frame = RowFrame {
        x_range,
        plot_x: plot_x.clone(),
        rows_top: plot_y.start,
        row_height: row_height + label_line(layout),
        label_line: label_line(layout),
        width: layout.px(),
    };
    // The zero line the bars grow from.
    let zero = frame.x(0.0);
    area.draw(&PathElement::new(
        vec![(zero, plot_y.start), (zero, plot_y.end)],
        AXIS_COLOUR,
    ))?;

    // Wide: right-aligned in the column left of the plot, centred on the row. Narrow: from the
    // plot's left edge, on the line above the row's bars.
    let label_style = text_style(
        LABEL_FONT_PX,
        &TEXT_COLOUR,
        Weight::Normal,
        if layout.narrow() {
            HPos::Left
        } else {
            HPos::Right
        },
        VPos::Center,
    );
    for (index, label) in labels.iter().enumerate() {
        let text = short_label(label, LABEL_MAX_CHARS);
        let at = if layout.narrow() {
            (
                plot_x.start + NARROW_LABEL_INDENT,
                frame.label_centre(index),
            )
        } else {
            (
                plot_x.start - LABEL_GAP,
                frame.row_top(index) + row_height / 2,
            )
        };
        draw_text(area, &text, at, &label_style)?;
    }
    draw_more_note(area, labels.len(), more, height as i32)?;
    Ok(frame)
}

/// Pixels a legend entry needs, its swatch included.
fn legend_entry_width(text: &str) -> i32 {
    LINE_SWATCH + LEGEND_SPACING.0 + text_width(text, LEGEND_FONT_PX)
}

/// The legend's entries line by line: a wide chart has one line (entries that do not fit are
/// left out, and an `…` says so); a narrow chart starts a new line for an entry that does not fit.
pub(super) fn legend_lines(entries: &[(Swatch, String)], width: Width) -> Vec<Range<usize>> {
    let right = width.px() as i32 - MARGIN;
    let mut lines = Vec::new();
    let (mut start, mut x) = (0, MARGIN);
    for (index, (swatch, text)) in entries.iter().enumerate() {
        if x + legend_entry_width(text) > right {
            if width == Width::Wide {
                lines.push(start..index);
                return lines;
            }
            if index > start {
                lines.push(start..index);
                start = index;
                x = MARGIN;
            }
        }
        x += swatch_width(*swatch)
            + LEGEND_SPACING.0
            + text_width(text, LEGEND_FONT_PX)
            + LEGEND_SPACING.1;
    }
    lines.push(start..entries.len());
    lines
}

fn swatch_width(swatch: Swatch) -> i32 {
    match swatch {
        Swatch::Line(..) => LINE_SWATCH,
        _ => SWATCH,
    }
}

/// Draws the legend entries left to right on the line (lines, in a narrow chart) under the title.
pub(super) fn draw_legend(
    area: &Area<'_>,
    layout: &Layout,
    entries: &[(Swatch, String)],
) -> DrawResult {
    let style = text_style(
        LEGEND_FONT_PX,
        &TEXT_COLOUR,
        Weight::Normal,
        HPos::Left,
        VPos::Center,
    );
    let lines = legend_lines(entries, layout.width);
    for (line, range) in lines.iter().enumerate() {
        let y = layout.legend_centre(line);
        let mut x = MARGIN;
        for (swatch, text) in &entries[range.clone()] {
            x = draw_legend_entry(area, *swatch, text, (x, y), &style)?;
        }
        if layout.width == Width::Wide && range.end < entries.len() {
            // One line only: what does not fit is named in the description, not here.
            draw_text(area, "…", (x, y), &style)?;
        }
    }
    Ok(())
}

/// Draws one legend entry starting at `at`; returns where the next one starts.
fn draw_legend_entry(
    area: &Area<'_>,
    swatch: Swatch,
    text: &str,
    at: (i32, i32),
    style: &TextStyle<'_>,
) -> DrawResult<i32> {
    let (x, y) = at;
    match swatch {
        Swatch::Fill(colour) => area.draw(&Rectangle::new(
            [(x, y - SWATCH / 2), (x + SWATCH, y + SWATCH / 2)],
            colour.filled(),
        ))?,
        Swatch::Hatched(colour) => draw_hatched(
            area,
            (x, y - SWATCH / 2),
            (x + SWATCH, y + SWATCH / 2),
            colour,
        )?,
        Swatch::Marker(marker, colour) => {
            draw_marker(area, marker, (x + SWATCH / 2, y), colour)?;
        }
        Swatch::Line(colour, dashed) => {
            let style = colour.stroke_width(3);
            let ends = vec![(x, y), (x + LINE_SWATCH, y)];
            if dashed {
                area.draw(&DashedPathElement::new(ends, 6, 4, style))?;
            } else {
                area.draw(&PathElement::new(ends, style))?;
            }
        }
    }
    let text_x = x + swatch_width(swatch) + LEGEND_SPACING.0;
    draw_text(area, text, (text_x, y), style)?;
    let x = text_x + text_width(text, LEGEND_FONT_PX) + LEGEND_SPACING.1;
    Ok(x)
}

/// A filled rectangle with white diagonal stripes, so it differs from a plain bar of the same
/// grey in greyscale print.
pub(super) fn draw_hatched(
    area: &Area<'_>,
    top_left: (i32, i32),
    bottom_right: (i32, i32),
    colour: RGBColor,
) -> DrawResult {
    let ((x0, y0), (x1, y1)) = (top_left, bottom_right);
    area.draw(&Rectangle::new([top_left, bottom_right], colour.filled()))?;
    let (width, height) = (x1 - x0, y1 - y0);
    let stripe = ON_BAR_TEXT_COLOUR.stroke_width(HATCH_WIDTH);
    // Stripe k runs up and to the right from (x0 + k, y1); clip it to the rectangle.
    for k in (-height..width).step_by(HATCH_SPACING) {
        let start = (-k).max(0);
        let end = height.min(width - k);
        if start < end {
            area.draw(&PathElement::new(
                vec![(x0 + k + start, y1 - start), (x0 + k + end, y1 - end)],
                stripe,
            ))?;
        }
    }
    Ok(())
}

/// Draws a marker centred on `at`.
pub(super) fn draw_marker(
    area: &Area<'_>,
    marker: Marker,
    at: (i32, i32),
    colour: RGBColor,
) -> DrawResult {
    let (x, y) = at;
    let r = MARKER_RADIUS;
    match marker {
        Marker::Circle => area.draw(&Circle::new(at, r, colour.filled())),
        Marker::Triangle => area.draw(&Polygon::new(
            vec![(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)],
            colour.filled(),
        )),
    }
}

/// A value label beside a bar, and the colour of that bar.
pub(super) struct ValueLabel {
    pub text: String,
    pub colour: RGBColor,
    /// The bar's fill (the label is drawn on it when it does not fit beside it).
    pub bar: RGBColor,
    /// Whether the bar is striped (growth).
    pub hatched: bool,
    pub weight: Weight,
}

/// Pixels a value label needs right of the end of its bar.
pub(super) fn value_label_room(text: &str) -> i32 {
    VALUE_GAP + text_width(text, VALUE_FONT_PX)
}

/// Draws a value label just right of a bar ending at `bar_end`, vertically centred on `centre`;
/// when it would run off the chart, inside the bar's end in white instead.
pub(super) fn draw_value_label(
    area: &Area<'_>,
    frame: &RowFrame,
    label: &ValueLabel,
    bar_end: i32,
    centre: i32,
) -> DrawResult {
    let width = text_width(&label.text, VALUE_FONT_PX);
    if bar_end + VALUE_GAP + width <= frame.text_limit() {
        let style = text_style(
            VALUE_FONT_PX,
            &label.colour,
            label.weight,
            HPos::Left,
            VPos::Center,
        );
        draw_text(area, &label.text, (bar_end + VALUE_GAP, centre), &style)
    } else {
        let style = text_style(
            VALUE_FONT_PX,
            &readable_on(label.bar),
            label.weight,
            HPos::Right,
            VPos::Center,
        );
        draw_text(area, &label.text, (bar_end - VALUE_GAP, centre), &style)
    }
}

/// The note for rows not drawn, e.g. "… 180 more not shown (top 20 drawn)".
pub(super) fn more_note(shown: usize, more: usize) -> String {
    let more = crate::units::format_count(more as u128);
    if shown == 0 {
        format!("… {more} more not shown")
    } else {
        format!("… {more} more not shown (top {shown} drawn)")
    }
}

fn draw_more_note(area: &Area<'_>, shown: usize, more: usize, height: i32) -> DrawResult {
    if more == 0 {
        return Ok(());
    }
    let style = text_style(
        LABEL_FONT_PX,
        &MUTED_TEXT_COLOUR,
        Weight::Normal,
        HPos::Left,
        VPos::Center,
    );
    let text = more_note(shown, more);
    draw_text(
        area,
        &text,
        (MARGIN, height - MARGIN - NOTE_HEIGHT / 2),
        &style,
    )
}

/// The whole body of a row chart with no rows: the legend-less "No data" message and the note.
pub(super) fn draw_empty(area: &Area<'_>, layout: &Layout, more: usize) -> DrawResult {
    let (_, height) = area.dim_in_pixel();
    super::canvas::draw_no_data(area, layout, layout.plot_top(), NO_DATA_HEIGHT)?;
    draw_more_note(area, 0, more, height as i32)
}

/// White text on dark fills, dark text on light ones.
pub(super) fn readable_on(fill: RGBColor) -> RGBColor {
    let RGBColor(r, g, b) = fill;
    let luminance = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
    if luminance < DARK_FILL_LUMINANCE {
        ON_BAR_TEXT_COLOUR
    } else {
        TEXT_COLOUR
    }
}

/// Appends the "… N more" sentence to a description.
pub(super) fn push_more(description: &mut String, shown: usize, more: usize) {
    if shown == 0 && more == 0 {
        description.push_str(&format!(" {}.", super::NO_DATA));
    }
    if more > 0 {
        description.push(' ');
        description.push_str(&more_note(shown, more));
        description.push('.');
    }
}
