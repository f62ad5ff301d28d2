//! Charts for the HTML report: plain series in, one self-contained SVG string out; no file I/O
//! and no arithmetic beyond placing things on the canvas.
//!
//! This module owns the drawing (plotters 0.3 with only its SVG backend, so labels stay SVG
//! `<text>` and no system font library is needed), the chart colours and sizes, and the text
//! alternative of every chart. The report decides what to plot (which services, top-N, units,
//! the titles that carry each chart's one message); this module decides how it looks.
//!
//! Every chart is:
//! - **responsive**: a fixed `viewBox` [`CHART_WIDTH`] wide with `width="100%"` and no fixed
//!   height, so it scales with the page and prints on A4; and drawn a second time
//!   [`NARROW_CHART_WIDTH`] wide for phones ([`Width::Narrow`]: row labels above their bars,
//!   title and legend wrapped), where the wide chart would shrink its text to a few pixels;
//! - **accessible**: `role="img"`, `aria-labelledby`, and a `<title>` plus a `<desc>` that lists
//!   the numbers drawn;
//! - **safe**: labels from input are cleaned of control characters, cut to a fixed length with
//!   `…`, and XML-escaped exactly once (plotters escapes the `<text>` it writes; this module
//!   escapes the `<title>`/`<desc>` it adds);
//! - **deterministic**: only `Vec`s and fixed formatting, no hash maps, so identical input gives
//!   byte-identical SVG;
//! - **total**: empty input draws a titled "No data" chart; NaN and infinities are drawn as 0.
//!
//! Horizontal row charts (before/after bars, target bands, stacked decomposition) share one frame
//! (`rows.rs`): title, legend, row labels, value axis and the "… N more" note; they draw at most
//! [`MAX_ROWS`] rows and count the rest into the note.

mod bars;
mod canvas;
mod cumulative;
mod lines;
mod rows;
mod targets;
mod trend;

use plotters::style::RGBColor;

pub use crate::calc::targets::Status;
pub use bars::{before_after, before_after_at, stacked, stacked_at};
pub use cumulative::{cumulative, cumulative_at};
pub use lines::{lines, lines_at};
pub use targets::{targets, targets_at};
pub use trend::{trend, trend_at};

/// How wide a chart is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Width {
    /// [`CHART_WIDTH`]: screens from a tablet up, print, `--charts-dir`.
    #[default]
    Wide,
    /// [`NARROW_CHART_WIDTH`]: phones. Row labels sit above their bars instead of in a column
    /// beside them, the title and the legend wrap, and axes have fewer ticks, so that text keeps
    /// its size when the chart fills a phone's width.
    Narrow,
}

impl Width {
    /// The width of the `viewBox`, in SVG user units.
    pub const fn px(self) -> u32 {
        match self {
            Width::Wide => CHART_WIDTH,
            Width::Narrow => NARROW_CHART_WIDTH,
        }
    }
}

/// An sRGB colour of the report's palette, usable by other formats too (table badges, CSS),
/// so a colour means the same thing in every chart and table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour {
    pub red: u8,
    pub green: u8,
    pub blue: u8,
}

impl Colour {
    const fn rgb(red: u8, green: u8, blue: u8) -> Colour {
        Colour { red, green, blue }
    }

    /// The colour as CSS and SVG write it: `#1A5FB4` (the form plotters writes too).
    pub fn css(self) -> String {
        format!("#{:02X}{:02X}{:02X}", self.red, self.green, self.blue)
    }

    const fn plotters(self) -> RGBColor {
        RGBColor(self.red, self.green, self.blue)
    }
}

/// "Before": muted grey, in every chart and table.
pub const BEFORE: Colour = Colour::rgb(0x9a, 0xa0, 0xa6);
/// "After": the one strong colour.
pub const AFTER: Colour = Colour::rgb(0x1a, 0x5f, 0xb4);
/// Growth (after > before) and images above their target: the warning colour.
pub const GROWTH: Colour = Colour::rgb(0xc2, 0x41, 0x0c);
/// The runtime target band, and the saved area between the 12-month lines.
pub const BAND: Colour = Colour::rgb(0xd3, 0xe2, 0xf4);
/// Parts of a stacked decomposition bar, in legend order; cycled when there are more parts.
pub const PARTS: [Colour; 6] = [
    AFTER,
    Colour::rgb(0x5b, 0x8f, 0xd4),
    Colour::rgb(0x9c, 0xbd, 0xe6),
    Colour::rgb(0x4b, 0x55, 0x63),
    BEFORE,
    Colour::rgb(0xd0, 0xd5, 0xdb),
];
const BEFORE_COLOUR: RGBColor = BEFORE.plotters();
const AFTER_COLOUR: RGBColor = AFTER.plotters();
const GROWTH_COLOUR: RGBColor = GROWTH.plotters();
const BAND_COLOUR: RGBColor = BAND.plotters();
const TEXT_COLOUR: RGBColor = RGBColor(0x1f, 0x23, 0x28);
const MUTED_TEXT_COLOUR: RGBColor = RGBColor(0x57, 0x60, 0x6a);
const GRID_COLOUR: RGBColor = RGBColor(0xe4, 0xe7, 0xeb);
const AXIS_COLOUR: RGBColor = RGBColor(0x8c, 0x95, 0x9f);
const BACKGROUND_COLOUR: RGBColor = RGBColor(0xff, 0xff, 0xff);
/// Text drawn on top of a strong-coloured bar.
const ON_BAR_TEXT_COLOUR: RGBColor = RGBColor(0xff, 0xff, 0xff);

/// Width of every chart's `viewBox`, in SVG user units (pixels at 100%).
pub const CHART_WIDTH: u32 = 960;
/// Width of a narrow chart's `viewBox`: drawn at 330 to 390 CSS pixels on a phone, its smallest
/// text (11 units) stays at 10 pixels or more.
pub const NARROW_CHART_WIDTH: u32 = 360;
/// The most rows a row chart draws; the rest go into the "… N more" note.
pub const MAX_ROWS: usize = 20;
/// Row labels are cut to this many characters, `…` included.
pub const LABEL_MAX_CHARS: usize = 28;
const FONT_FAMILY: &str =
    "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif";
const MARGIN: i32 = 16;
const TITLE_TOP: i32 = 14;
const TITLE_FONT_PX: f64 = 18.0;
const LEGEND_CENTRE_Y: i32 = 52;
const LEGEND_FONT_PX: f64 = 12.0;
const PLOT_TOP: i32 = 74;
/// Narrow charts: distance between wrapped title lines, between legend lines, and the line
/// above each row's bars that holds its label.
const TITLE_LINE_HEIGHT: i32 = 24;
const LEGEND_LINE_HEIGHT: i32 = 20;
const ROW_LABEL_LINE: i32 = 18;
/// Narrow charts wrap a long title onto at most this many lines.
const NARROW_TITLE_LINES: usize = 3;
/// Not 13: plotters-svg divides sizes by 1.24 and no f64 divides back to exactly 13.
const LABEL_FONT_PX: f64 = 12.5;
const VALUE_FONT_PX: f64 = 11.0;
const TICK_FONT_PX: f64 = 12.0;
/// Width of the row-label column left of the value axis.
const LABEL_COLUMN: i32 = 230;
/// Height of the value axis under the rows: ticks, tick labels, axis description.
const AXIS_HEIGHT: i32 = 52;
const NOTE_HEIGHT: i32 = 24;
const RIGHT_MARGIN: i32 = 24;
/// Height of the empty area under the title of a chart with no data.
const NO_DATA_HEIGHT: i32 = 120;
const NO_DATA: &str = "No data";

/// A value axis: what is measured and its unit, shown as "Image size (MB)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    /// What the axis measures, in the reader's words: "Image size", "Pull time".
    pub quantity: String,
    /// The display unit the values are already in: "MB", "s", "TB".
    pub unit: String,
}

impl Axis {
    pub fn new(quantity: impl Into<String>, unit: impl Into<String>) -> Axis {
        Axis {
            quantity: quantity.into(),
            unit: unit.into(),
        }
    }

    fn description(&self) -> String {
        if self.unit.is_empty() {
            self.quantity.clone()
        } else {
            format!("{} ({})", self.quantity, self.unit)
        }
    }
}

/// One line of a [`LinesChart`]: (month, value) points in display units.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    pub points: Vec<(u32, f64)>,
    /// Dashed (the images as they are) or solid with markers (slimmed).
    pub dashed: bool,
    /// An index into the palette ([`PARTS`]); `None` takes the line's position.
    pub colour: Option<usize>,
}

/// Several series by month as lines: the forecast's monthly transfer by scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct LinesChart {
    pub id: String,
    pub title: String,
    pub axis: Axis,
    pub series: Vec<Line>,
}

/// One row of a before/after chart, in display units.
#[derive(Debug, Clone, PartialEq)]
pub struct BeforeAfterItem {
    pub label: String,
    pub before: f64,
    pub after: f64,
}

/// Before/after per item (image size per service, pull time per service).
#[derive(Debug, Clone, PartialEq)]
pub struct BeforeAfterChart {
    /// Unique on the page; used for the `<title>`/`<desc>` ids.
    pub id: String,
    /// The chart's one message: "Where the savings come from".
    pub title: String,
    pub axis: Axis,
    /// Rows in drawing order (the caller sorts); more than [`MAX_ROWS`] are counted into `more`.
    pub items: Vec<BeforeAfterItem>,
    /// Items the caller left out before calling (its own top-N cut).
    pub more: usize,
}

/// One point of the cumulative 12-month chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CumulativePoint {
    /// Month index: 0 (start) to 12.
    pub month: u32,
    /// Cumulative transfer so far with the old images, in the axis unit.
    pub before: f64,
    /// Cumulative transfer so far with the new images, in the axis unit.
    pub after: f64,
}

/// Cumulative transfer before vs after over the months, the gap shaded and labelled.
#[derive(Debug, Clone, PartialEq)]
pub struct CumulativeChart {
    pub id: String,
    pub title: String,
    /// The value axis, e.g. `Axis::new("Cumulative transfer", "TB")`.
    pub axis: Axis,
    /// Points in any order; drawn sorted by month.
    pub points: Vec<CumulativePoint>,
    /// The label in the shaded gap, already formatted: "113 TB saved in 12 months".
    pub saved_label: String,
}

/// One image against its runtime's target band, in display units.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetItem {
    pub label: String,
    pub low: f64,
    pub high: f64,
    pub value: f64,
    pub status: Status,
}

/// Each image against its runtime target band.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetChart {
    pub id: String,
    pub title: String,
    pub axis: Axis,
    pub items: Vec<TargetItem>,
    pub more: usize,
}

/// One stacked bar: named parts in drawing order (left to right), in display units.
#[derive(Debug, Clone, PartialEq)]
pub struct StackedItem {
    pub label: String,
    pub parts: Vec<(String, f64)>,
}

/// Stacked horizontal bars, e.g. where each service's savings come from.
#[derive(Debug, Clone, PartialEq)]
pub struct StackedChart {
    pub id: String,
    pub title: String,
    pub axis: Axis,
    pub items: Vec<StackedItem>,
    pub more: usize,
}

/// A quantity per build over time: up to two named series of (day, value) points in display
/// units, the first drawn strong with markers, the second grey and dashed, and an optional band
/// (low, high, name) behind them.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendChart {
    pub id: String,
    pub title: String,
    pub axis: Axis,
    /// What the horizontal axis counts: "Days since the first build".
    pub x_label: String,
    pub series: Vec<(String, Vec<(f64, f64)>)>,
    pub band: Option<(f64, f64, String)>,
}

#[cfg(test)]
mod tests;
