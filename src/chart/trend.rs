//! A quantity per build over time: one or two lines (the first strong with markers, the second
//! grey and dashed) against days since the first build, with an optional band behind them (a
//! runtime's target range).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{
    Layout, Weight, axis_end, clean_label, draw_no_data, finite, format_number, format_tick,
    render, text_style,
};
use super::rows::{Swatch, draw_legend};
use super::{
    AFTER_COLOUR, AXIS_COLOUR, AXIS_HEIGHT, BAND_COLOUR, BEFORE_COLOUR, GRID_COLOUR, LABEL_FONT_PX,
    MARGIN, MUTED_TEXT_COLOUR, TEXT_COLOUR, TICK_FONT_PX, TrendChart, Width,
};
use crate::error::Error;

const HEIGHT: u32 = 400;
const NARROW_HEIGHT: u32 = 300;
const VALUE_AXIS_WIDTH: i32 = 72;
const LINE_WIDTH: u32 = 3;
const DASH: (i32, i32) = (8, 5);
const POINT_RADIUS: i32 = 3;
const HEADROOM: f64 = 0.08;
const TICKS: usize = 8;
const NARROW_TICKS: usize = 4;

/// The trend chart.
pub fn trend(chart: &TrendChart) -> Result<String, Error> {
    trend_at(chart, Width::Wide)
}

/// [`trend`] at `width`.
pub fn trend_at(chart: &TrendChart, width: Width) -> Result<String, Error> {
    let series: Vec<(String, Vec<(f64, f64)>)> = chart
        .series
        .iter()
        .take(2)
        .map(|(name, points)| {
            let mut points: Vec<(f64, f64)> = points
                .iter()
                .map(|(x, y)| (finite(*x), finite(*y)))
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            (clean_label(name), points)
        })
        .collect();
    let band = chart
        .band
        .as_ref()
        .map(|(low, high, name)| (finite(*low), finite(*high), clean_label(name)));
    let mut description = format!(
        "{} by {}.",
        chart.axis.description(),
        clean_label(&chart.x_label).to_lowercase()
    );
    for (name, points) in &series {
        description.push_str(&format!(" {name}:"));
        for (x, y) in points {
            description.push_str(&format!(" {} at {};", format_number(*y), format_number(*x)));
        }
    }
    if let Some((low, high, name)) = &band {
        description.push_str(&format!(
            " {name}: {} to {}.",
            format_number(*low),
            format_number(*high)
        ));
    }
    if series.iter().all(|(_, points)| points.is_empty()) {
        description.push_str(&format!(" {}.", super::NO_DATA));
    }
    let mut legend: Vec<(Swatch, String)> = series
        .iter()
        .enumerate()
        .map(|(index, (name, _))| {
            if index == 0 {
                (Swatch::Line(AFTER_COLOUR, false), name.clone())
            } else {
                (Swatch::Line(BEFORE_COLOUR, true), name.clone())
            }
        })
        .collect();
    if let Some((_, _, name)) = &band {
        legend.push((Swatch::Fill(BAND_COLOUR), name.clone()));
    }
    let narrow = width == Width::Narrow;
    let layout = Layout::new(width, &chart.title, &legend);
    let height = if narrow { NARROW_HEIGHT } else { HEIGHT } + layout.extra_top() as u32;
    let points: Vec<(f64, f64)> = series.iter().flat_map(|(_, p)| p.iter().copied()).collect();
    render(
        &layout,
        &chart.id,
        &chart.title,
        &description,
        height,
        |area| {
            let plot_top = layout.plot_top();
            if points.is_empty() {
                return draw_no_data(area, &layout, plot_top, height as i32 - plot_top - MARGIN);
            }
            draw_legend(area, &layout, &legend)?;
            let (first, last) = super::canvas::x_span(&points);
            let high = points
                .iter()
                .map(|p| p.1)
                .chain(band.iter().map(|b| b.1))
                .fold(0.0f64, f64::max);
            let top = axis_end(high, HEADROOM);
            let mut plot = ChartBuilder::on(area)
                .margin_top(plot_top)
                .margin_left(MARGIN)
                .margin_right(MARGIN * 2)
                .margin_bottom(MARGIN)
                .y_label_area_size(VALUE_AXIS_WIDTH)
                .x_label_area_size(AXIS_HEIGHT)
                .build_cartesian_2d(first..last, 0.0..top)?;
            let tick_style =
                |h, v| text_style(TICK_FONT_PX, &MUTED_TEXT_COLOUR, Weight::Normal, h, v);
            plot.configure_mesh()
                .disable_x_mesh()
                .light_line_style(TRANSPARENT)
                .bold_line_style(GRID_COLOUR)
                .axis_style(AXIS_COLOUR)
                .x_labels(if narrow { NARROW_TICKS } else { TICKS })
                .x_label_formatter(&|x| format_tick(*x))
                .x_label_style(tick_style(HPos::Center, VPos::Top))
                .y_labels(6)
                .y_label_formatter(&|value| format_tick(*value))
                .y_label_style(tick_style(HPos::Right, VPos::Center))
                .x_desc(clean_label(&chart.x_label))
                .y_desc(chart.axis.description())
                .axis_desc_style(text_style(
                    LABEL_FONT_PX,
                    &TEXT_COLOUR,
                    Weight::Normal,
                    HPos::Center,
                    VPos::Top,
                ))
                .draw()?;
            if let Some((low, high, _)) = &band {
                plot.draw_series(std::iter::once(Rectangle::new(
                    [(first, low.min(top)), (last, high.min(top))],
                    BAND_COLOUR.filled(),
                )))?;
            }
            for (index, (_, line)) in series.iter().enumerate().rev() {
                if index == 0 {
                    plot.draw_series(LineSeries::new(
                        line.iter().copied(),
                        AFTER_COLOUR.stroke_width(LINE_WIDTH),
                    ))?;
                    plot.draw_series(
                        line.iter()
                            .map(|point| Circle::new(*point, POINT_RADIUS, AFTER_COLOUR.filled())),
                    )?;
                } else {
                    plot.draw_series(DashedLineSeries::new(
                        line.iter().copied(),
                        DASH.0,
                        DASH.1,
                        BEFORE_COLOUR.stroke_width(LINE_WIDTH),
                    ))?;
                }
            }
            Ok(())
        },
    )
}
