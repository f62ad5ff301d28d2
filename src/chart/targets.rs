//! Each image against its runtime's target band: the band as a shaded range, the image as a
//! marker. Above target is the warning colour, a triangle instead of a circle, and a bold
//! "▲ above by …" label, so it reads in greyscale print too.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{
    Layout, Weight, clean_label, draw_text, finite, format_number, render, short_label, text_style,
    text_width, with_unit,
};
use super::rows::{
    MARKER_RADIUS, Marker, Swatch, chart_height, draw_empty, draw_frame, draw_marker, push_more,
    value_range, visible,
};
use super::{
    AFTER_COLOUR, BAND_COLOUR, GROWTH_COLOUR, LABEL_FONT_PX, LABEL_MAX_CHARS, MARGIN, RIGHT_MARGIN,
    Status, TEXT_COLOUR, TargetChart, VALUE_FONT_PX, Width,
};
use crate::error::Error;

const ROW: i32 = 30;
/// Thickness of the shaded band.
const BAND: i32 = 16;
/// Width of the line from the band to an image above it.
const CONNECTOR_WIDTH: u32 = 2;
/// Gap between the band or marker and the status label.
const LABEL_GAP: i32 = 10;

/// The target-band chart.
pub fn targets(chart: &TargetChart) -> Result<String, Error> {
    targets_at(chart, Width::Wide)
}

/// [`targets`] at `width`. A narrow chart writes each image's size and status at the right end
/// of its label line rather than beside the marker, where it would not fit.
pub fn targets_at(chart: &TargetChart, width: Width) -> Result<String, Error> {
    let (items, more) = visible(&chart.items, chart.more);
    let legend = vec![
        (Swatch::Fill(BAND_COLOUR), "Target range".to_string()),
        (
            Swatch::Marker(Marker::Circle, AFTER_COLOUR),
            "Image, below or within".to_string(),
        ),
        (
            Swatch::Marker(Marker::Triangle, GROWTH_COLOUR),
            "Image above target".to_string(),
        ),
    ];
    let layout = Layout::new(width, &chart.title, &legend);
    let height = chart_height(&layout, items.len(), ROW, more);
    let unit = &chart.axis.unit;
    let mut description = format!(
        "{} of each image against its runtime's target range.",
        chart.axis.description()
    );
    for item in items {
        description.push_str(&format!(
            " {}: {}, target {} to {}, {}.",
            clean_label(&item.label),
            with_unit(finite(item.value), unit),
            format_number(finite(item.low)),
            with_unit(finite(item.high), unit),
            status_text(item.status, finite(item.value), finite(item.high), unit)
        ));
    }
    push_more(&mut description, items.len(), more);

    render(
        &layout,
        &chart.id,
        &chart.title,
        &description,
        height,
        |area| {
            if items.is_empty() {
                return draw_empty(area, &layout, more);
            }
            let narrow = layout.narrow();
            let texts: Vec<String> = items
                .iter()
                .map(|item| {
                    let (value, high) = (finite(item.value), finite(item.high));
                    format!(
                        "{} · {}",
                        with_unit(value, unit),
                        status_text(item.status, value, high, unit)
                    )
                })
                .collect();
            // Each label starts right of the band or the marker, whichever ends later (narrow: the
            // label is on the line above, and only the marker needs room).
            let ends = items.iter().zip(&texts).flat_map(|(item, text)| {
                let label = if narrow {
                    0
                } else {
                    LABEL_GAP + text_width(text, VALUE_FONT_PX)
                };
                [
                    (finite(item.low), 0),
                    (finite(item.high), label),
                    (finite(item.value), MARKER_RADIUS + label),
                ]
            });
            // Narrow: the name is cut so that it ends before the status text on the same line.
            let labels: Vec<String> = items
                .iter()
                .zip(&texts)
                .map(|(item, text)| {
                    if !narrow {
                        return item.label.clone();
                    }
                    let room = layout.px()
                        - MARGIN
                        - RIGHT_MARGIN
                        - text_width(text, VALUE_FONT_PX)
                        - LABEL_GAP;
                    let chars = (f64::from(room.max(0)) / (LABEL_FONT_PX * 0.62)) as usize;
                    short_label(&item.label, chars.clamp(4, LABEL_MAX_CHARS))
                })
                .collect();
            let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
            let frame = draw_frame(
                area,
                &layout,
                &legend,
                &chart.axis,
                value_range(&layout, ends),
                &labels,
                ROW,
                more,
            )?;
            for (index, (item, text)) in items.iter().zip(&texts).enumerate() {
                let (low, high, value) = (finite(item.low), finite(item.high), finite(item.value));
                let centre = frame.bars_top(index) + ROW / 2;
                let (band_left, band_right) = (frame.x(low.min(high)), frame.x(low.max(high)));
                area.draw(&Rectangle::new(
                    [
                        (band_left, centre - BAND / 2),
                        (band_right, centre + BAND / 2),
                    ],
                    BAND_COLOUR.filled(),
                ))?;
                let above = item.status == Status::Above;
                let (marker, colour, weight) = if above {
                    (Marker::Triangle, GROWTH_COLOUR, Weight::Bold)
                } else {
                    (Marker::Circle, AFTER_COLOUR, Weight::Normal)
                };
                let marker_x = frame.x(value);
                if above {
                    // The distance to recover, from the top of the band to the image.
                    area.draw(&PathElement::new(
                        vec![(band_right, centre), (marker_x, centre)],
                        GROWTH_COLOUR.stroke_width(CONNECTOR_WIDTH),
                    ))?;
                }
                draw_marker(area, marker, (marker_x, centre), colour)?;
                let text_colour = if above { GROWTH_COLOUR } else { TEXT_COLOUR };
                if narrow {
                    let style = text_style(
                        VALUE_FONT_PX,
                        &text_colour,
                        weight,
                        HPos::Right,
                        VPos::Center,
                    );
                    let right = layout.px() - RIGHT_MARGIN;
                    draw_text(area, text, (right, frame.label_centre(index)), &style)?;
                    continue;
                }
                let style = text_style(
                    VALUE_FONT_PX,
                    &text_colour,
                    weight,
                    HPos::Left,
                    VPos::Center,
                );
                let x = band_right.max(marker_x + MARKER_RADIUS) + LABEL_GAP;
                draw_text(area, text, (x, centre), &style)?;
            }
            Ok(())
        },
    )
}

/// "below", "within", or "▲ above by 35 MB".
fn status_text(status: Status, value: f64, high: f64, unit: &str) -> String {
    match status {
        Status::Above => format!("▲ above by {}", with_unit(value - high, unit)),
        other => other.as_str().to_string(),
    }
}
