//! Several series month by month as lines (the forecast's monthly transfer by scenario): each
//! series a colour of the palette, dashed for the images as they are, solid with markers for the
//! slimmed ones, so print in greyscale still tells them apart.

use plotters::prelude::*;

use super::canvas::{
    Layout, axis_end, clean_label, draw_month_mesh, draw_no_data, finite, format_number, render,
};
use super::rows::{Swatch, draw_legend};
use super::{AXIS_HEIGHT, LinesChart, MARGIN, PARTS, Width};
use crate::error::Error;

const HEIGHT: u32 = 440;
const NARROW_HEIGHT: u32 = 320;
const VALUE_AXIS_WIDTH: i32 = 72;
const LINE_WIDTH: u32 = 3;
const DASH: (i32, i32) = (8, 5);
const POINT_RADIUS: i32 = 3;
const HEADROOM: f64 = 0.08;
const MAX_MONTH_TICKS: usize = 13;
const NARROW_MONTH_TICKS: usize = 7;

/// One line as drawn: its label, dash, colour and points.
type Drawn = (String, bool, RGBColor, Vec<(f64, f64)>);

/// The lines chart at the wide width.
pub fn lines(chart: &LinesChart) -> Result<String, Error> {
    lines_at(chart, Width::Wide)
}

/// [`lines`] at `width`.
pub fn lines_at(chart: &LinesChart, width: Width) -> Result<String, Error> {
    let series: Vec<Drawn> = chart
        .series
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let mut points: Vec<(f64, f64)> = line
                .points
                .iter()
                .map(|(month, value)| (f64::from(*month), finite(*value)))
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            (
                clean_label(&line.label),
                line.dashed,
                PARTS[line.colour.unwrap_or(index) % PARTS.len()].plotters(),
                points,
            )
        })
        .collect();
    let mut description = format!("{} by month.", chart.axis.description());
    for (label, _, _, points) in &series {
        description.push_str(&format!(" {label}:"));
        for (month, value) in points {
            description.push_str(&format!(" month {month:.0} {};", format_number(*value)));
        }
    }
    let legend: Vec<(Swatch, String)> = series
        .iter()
        .map(|(label, dashed, colour, _)| (Swatch::Line(*colour, *dashed), label.clone()))
        .collect();
    let layout = Layout::new(width, &chart.title, &legend);
    let narrow = width == Width::Narrow;
    let height = if narrow { NARROW_HEIGHT } else { HEIGHT } + layout.extra_top() as u32;
    let all: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|(_, _, _, points)| points.iter().copied())
        .collect();
    render(
        &layout,
        &chart.id,
        &chart.title,
        &description,
        height,
        |area| {
            let plot_top = layout.plot_top();
            if all.is_empty() {
                return draw_no_data(area, &layout, plot_top, height as i32 - plot_top - MARGIN);
            }
            draw_legend(area, &layout, &legend)?;
            let (first, last) = super::canvas::x_span(&all);
            let high = all.iter().map(|p| p.1).fold(0.0f64, f64::max);
            let low = all.iter().map(|p| p.1).fold(0.0f64, f64::min);
            let top = axis_end(high, HEADROOM);
            let bottom = low * (1.0 + HEADROOM);
            let mut plot = ChartBuilder::on(area)
                .margin_top(plot_top)
                .margin_left(MARGIN)
                .margin_right(MARGIN * 2)
                .margin_bottom(MARGIN)
                .y_label_area_size(VALUE_AXIS_WIDTH)
                .x_label_area_size(AXIS_HEIGHT)
                .build_cartesian_2d(first..last, bottom..top)?;
            let months = ((last - first) as usize + 1).min(if narrow {
                NARROW_MONTH_TICKS
            } else {
                MAX_MONTH_TICKS
            });
            draw_month_mesh(&mut plot, months, chart.axis.description())?;
            for (_, dashed, colour, points) in &series {
                if *dashed {
                    plot.draw_series(DashedLineSeries::new(
                        points.iter().copied(),
                        DASH.0,
                        DASH.1,
                        colour.stroke_width(LINE_WIDTH),
                    ))?;
                } else {
                    plot.draw_series(LineSeries::new(
                        points.iter().copied(),
                        colour.stroke_width(LINE_WIDTH),
                    ))?;
                    plot.draw_series(
                        points
                            .iter()
                            .map(|point| Circle::new(*point, POINT_RADIUS, colour.filled())),
                    )?;
                }
            }
            Ok(())
        },
    )
}
