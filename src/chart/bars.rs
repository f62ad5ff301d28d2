//! Bar charts on the shared row frame: before/after per item (image size, pull time) and the
//! stacked decomposition.

use plotters::prelude::*;

use super::canvas::{
    Area, DrawResult, Layout, Weight, clean_label, draw_text, finite, format_change, format_number,
    render, text_style, text_width,
};
use super::rows::{
    RowFrame, Swatch, ValueLabel, chart_height, draw_empty, draw_frame, draw_hatched,
    draw_value_label, push_more, value_label_room, value_range, visible,
};
use super::{
    AFTER_COLOUR, BEFORE_COLOUR, BeforeAfterChart, BeforeAfterItem, GROWTH_COLOUR,
    MUTED_TEXT_COLOUR, PARTS, StackedChart, TEXT_COLOUR, VALUE_FONT_PX, Width,
};
use crate::error::Error;
use plotters::style::text_anchor::{HPos, VPos};

/// Thickness of one bar of a before/after pair.
const PAIR_BAR: i32 = 13;
/// Gap between the before and after bar of one row.
const PAIR_GAP: i32 = 2;
/// Space between rows.
const ROW_PADDING: i32 = 12;
const PAIR_ROW: i32 = 2 * PAIR_BAR + PAIR_GAP + ROW_PADDING;
/// Thickness of a stacked bar.
const STACKED_BAR: i32 = 18;
const STACKED_ROW: i32 = STACKED_BAR + ROW_PADDING;
/// Padding around a value drawn inside a stacked segment.
const SEGMENT_TEXT_PADDING: i32 = 6;

/// Before (grey) and after (strong colour, warning colour when it grew) bars per item, with
/// values and the change beside the bars. Used for image sizes and for pull times.
pub fn before_after(chart: &BeforeAfterChart) -> Result<String, Error> {
    before_after_at(chart, Width::Wide)
}

/// [`before_after`] at `width`.
pub fn before_after_at(chart: &BeforeAfterChart, width: Width) -> Result<String, Error> {
    let (items, more) = visible(&chart.items, chart.more);
    let mut legend = vec![
        (Swatch::Fill(BEFORE_COLOUR), "Before".to_string()),
        (Swatch::Fill(AFTER_COLOUR), "After".to_string()),
    ];
    if items
        .iter()
        .any(|item| finite(item.after) > finite(item.before))
    {
        legend.push((
            Swatch::Hatched(GROWTH_COLOUR),
            "After, grew (▲)".to_string(),
        ));
    }
    let layout = Layout::new(width, &chart.title, &legend);
    let height = chart_height(&layout, items.len(), PAIR_ROW, more);
    let mut description = format!("{}, before and after.", chart.axis.description());
    for item in items {
        let (before, after) = (finite(item.before), finite(item.after));
        description.push_str(&format!(
            " {}: {} before, {} after",
            clean_label(&item.label),
            format_number(before),
            format_number(after)
        ));
        match (format_change(before, after), after > before) {
            (Some(change), true) => description.push_str(&format!(" ({change}, grew).")),
            (Some(change), false) => description.push_str(&format!(" ({change}).")),
            (None, true) => description.push_str(" (grew)."),
            (None, false) => description.push('.'),
        }
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
            let bars: Vec<[(f64, ValueLabel); 2]> = items.iter().map(pair_labels).collect();
            let ends = bars
                .iter()
                .flatten()
                .map(|(value, label)| (*value, value_label_room(&label.text)));
            let labels: Vec<&str> = items.iter().map(|item| item.label.as_str()).collect();
            let frame = draw_frame(
                area,
                &layout,
                &legend,
                &chart.axis,
                value_range(&layout, ends),
                &labels,
                PAIR_ROW,
                more,
            )?;
            for (index, pair) in bars.iter().enumerate() {
                let mut top = frame.bars_top(index) + ROW_PADDING / 2;
                for (value, label) in pair {
                    draw_bar(area, &frame, top, *value, label)?;
                    top += PAIR_BAR + PAIR_GAP;
                }
            }
            Ok(())
        },
    )
}

/// The before and after bar of one item with their labels; the after bar and label take the
/// warning colour, stripes, a bold weight and a ▲ when the item grew.
fn pair_labels(item: &BeforeAfterItem) -> [(f64, ValueLabel); 2] {
    let (before, after) = (finite(item.before), finite(item.after));
    let grew = after > before;
    let change = format_change(before, after)
        .map(|change| format!(" ({change})"))
        .unwrap_or_default();
    let before_label = ValueLabel {
        text: format_number(before),
        colour: MUTED_TEXT_COLOUR,
        bar: BEFORE_COLOUR,
        hatched: false,
        weight: Weight::Normal,
    };
    let after_label = if grew {
        ValueLabel {
            text: format!("▲ {}{change}", format_number(after)),
            colour: GROWTH_COLOUR,
            bar: GROWTH_COLOUR,
            hatched: true,
            weight: Weight::Bold,
        }
    } else {
        ValueLabel {
            text: format!("{}{change}", format_number(after)),
            colour: AFTER_COLOUR,
            bar: AFTER_COLOUR,
            hatched: false,
            weight: Weight::Normal,
        }
    };
    [(before, before_label), (after, after_label)]
}

/// One bar of a pair from 0 to `value`, `PAIR_BAR` thick from `top`, with its value label.
fn draw_bar(
    area: &Area<'_>,
    frame: &RowFrame,
    top: i32,
    value: f64,
    label: &ValueLabel,
) -> DrawResult {
    let (zero, end) = (frame.x(0.0), frame.x(value));
    let corners = ((zero.min(end), top), (zero.max(end), top + PAIR_BAR));
    if label.hatched {
        draw_hatched(area, corners.0, corners.1, label.bar)?;
    } else {
        area.draw(&Rectangle::new([corners.0, corners.1], label.bar.filled()))?;
    }
    draw_value_label(area, frame, label, zero.max(end), top + PAIR_BAR / 2)
}

/// Stacked bars: each item's parts left to right, one colour per part name (the same name has
/// the same colour in every row), values inside segments where they fit and the total at the
/// end. Negative and non-finite parts are drawn as 0.
pub fn stacked(chart: &StackedChart) -> Result<String, Error> {
    stacked_at(chart, Width::Wide)
}

/// [`stacked`] at `width`.
pub fn stacked_at(chart: &StackedChart, width: Width) -> Result<String, Error> {
    let (items, more) = visible(&chart.items, chart.more);

    // Part names in order of first appearance: a Vec, so the legend order is stable.
    let mut names: Vec<String> = Vec::new();
    for (name, _) in items.iter().flat_map(|item| &item.parts) {
        let name = clean_label(name);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let part_value = |value: f64| finite(value).max(0.0);
    let total = |item: &super::StackedItem| -> f64 {
        item.parts.iter().map(|(_, value)| part_value(*value)).sum()
    };

    let mut description = format!("{}, by part.", chart.axis.description());
    for item in items {
        description.push_str(&format!(" {}:", clean_label(&item.label)));
        for (name, value) in &item.parts {
            description.push_str(&format!(
                " {} {},",
                clean_label(name),
                format_number(part_value(*value))
            ));
        }
        description.push_str(&format!(" total {}.", format_number(total(item))));
    }
    push_more(&mut description, items.len(), more);

    let legend: Vec<(Swatch, String)> = if items.is_empty() {
        Vec::new()
    } else {
        names
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let label = super::canvas::short_label(name, super::LABEL_MAX_CHARS);
                (Swatch::Fill(part_colour(index)), label)
            })
            .collect()
    };
    let layout = Layout::new(width, &chart.title, &legend);
    let height = chart_height(&layout, items.len(), STACKED_ROW, more);
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
            let labels: Vec<&str> = items.iter().map(|item| item.label.as_str()).collect();
            let frame = draw_frame(
                area,
                &layout,
                &legend,
                &chart.axis,
                value_range(
                    &layout,
                    items.iter().map(|item| {
                        let total = total(item);
                        (total, value_label_room(&format_number(total)))
                    }),
                ),
                &labels,
                STACKED_ROW,
                more,
            )?;
            for (index, item) in items.iter().enumerate() {
                let top = frame.bars_top(index) + ROW_PADDING / 2;
                let centre = top + STACKED_BAR / 2;
                let mut start = 0.0;
                let mut last_colour = TEXT_COLOUR;
                for (name, value) in &item.parts {
                    let end = start + part_value(*value);
                    let colour_index = names
                        .iter()
                        .position(|known| *known == clean_label(name))
                        .unwrap_or(0);
                    let colour = part_colour(colour_index);
                    let (left, right) = (frame.x(start), frame.x(end));
                    area.draw(&Rectangle::new(
                        [(left, top), (right, top + STACKED_BAR)],
                        colour.filled(),
                    ))?;
                    let text = format_number(part_value(*value));
                    if text_width(&text, VALUE_FONT_PX) + 2 * SEGMENT_TEXT_PADDING <= right - left {
                        let style = text_style(
                            VALUE_FONT_PX,
                            &super::rows::readable_on(colour),
                            Weight::Normal,
                            HPos::Center,
                            VPos::Center,
                        );
                        draw_text(area, &text, ((left + right) / 2, centre), &style)?;
                    }
                    start = end;
                    last_colour = colour;
                }
                let label = ValueLabel {
                    text: format_number(start),
                    colour: TEXT_COLOUR,
                    bar: last_colour,
                    hatched: false,
                    weight: Weight::Bold,
                };
                draw_value_label(area, &frame, &label, frame.x(start), centre)?;
            }
            Ok(())
        },
    )
}

/// The colour of the part with legend position `index`.
fn part_colour(index: usize) -> RGBColor {
    PARTS[index % PARTS.len()].plotters()
}
