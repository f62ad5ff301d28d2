//! The drawing surface every chart shares: the SVG backend on a `String`, the title, text
//! helpers, label hygiene (control characters, truncation), number formatting, and the final
//! rewrite of the `<svg>` tag into a responsive, accessible one with `<title>` and `<desc>`.
//!
//! Escaping: plotters-svg 0.3.7 escapes `<`, `>`, `&`, `"` and `'` in every `<text>` body and
//! attribute it writes, so labels are handed to plotters raw (escaping them first would show
//! `&amp;lt;` to the reader). Only what this module writes itself — `<title>`, `<desc>`, the
//! id — is escaped here, with [`xml_escape`].

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::rows::{Swatch, legend_lines};
use super::{
    BACKGROUND_COLOUR, FONT_FAMILY, LEGEND_CENTRE_Y, LEGEND_LINE_HEIGHT, MARGIN, MUTED_TEXT_COLOUR,
    NARROW_TITLE_LINES, PLOT_TOP, TEXT_COLOUR, TITLE_FONT_PX, TITLE_LINE_HEIGHT, TITLE_TOP, Width,
};
use crate::error::Error;

/// The plotters surface all charts draw on.
pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
/// What plotters drawing calls return.
pub(super) type DrawResult<T = ()> = Result<T, DrawingAreaErrorKind<std::io::Error>>;

/// A plot with months along x and values up y.
pub(super) type MonthPlot<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// The grid and axes of a month-by-month chart: `months` month ticks, value ticks, the axis
/// descriptions.
pub(super) fn draw_month_mesh(
    plot: &mut MonthPlot<'_, '_>,
    months: usize,
    y_desc: String,
) -> DrawResult {
    let tick_style = |h| {
        text_style(
            super::TICK_FONT_PX,
            &super::MUTED_TEXT_COLOUR,
            Weight::Normal,
            h,
            VPos::Center,
        )
    };
    let description_style = text_style(
        super::LABEL_FONT_PX,
        &super::TEXT_COLOUR,
        Weight::Normal,
        HPos::Center,
        VPos::Top,
    );
    plot.configure_mesh()
        .disable_x_mesh()
        // Not `.max_light_lines(0)`: it overflows in debug builds.
        .light_line_style(TRANSPARENT)
        .bold_line_style(super::GRID_COLOUR)
        .axis_style(super::AXIS_COLOUR)
        .x_labels(months)
        .x_label_formatter(&|month| format!("{month:.0}"))
        .x_label_style(text_style(
            super::TICK_FONT_PX,
            &super::MUTED_TEXT_COLOUR,
            Weight::Normal,
            HPos::Center,
            VPos::Top,
        ))
        .y_labels(6)
        .y_label_formatter(&|value| format_tick(*value))
        .y_label_style(tick_style(HPos::Right))
        .x_desc("Month")
        .y_desc(y_desc)
        .axis_desc_style(description_style)
        .draw()
}

/// plotters-svg writes `font-size` as the style size divided by 1.24; this undoes that so the
/// constants in this module are the pixel sizes that end up in the SVG.
const PLOTTERS_FONT_SCALE: f64 = 1.24;
/// The typographic minus for negative numbers and changes.
const MINUS: &str = "\u{2212}";
/// Average advance of a sans-serif glyph, in ems; used to decide whether a label fits.
const AVERAGE_GLYPH_EM: f64 = 0.62;

/// Text weight.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Weight {
    Normal,
    Bold,
}

/// A text style of `px` pixels in `colour`, anchored at `h`/`v`.
pub(super) fn text_style(
    px: f64,
    colour: &RGBColor,
    weight: Weight,
    h: HPos,
    v: VPos,
) -> TextStyle<'static> {
    let style = match weight {
        Weight::Normal => FontStyle::Normal,
        Weight::Bold => FontStyle::Bold,
    };
    TextStyle {
        font: FontDesc::new(FontFamily::Name(FONT_FAMILY), plotters_size(px), style),
        color: colour.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

/// The plotters font size that plotters-svg writes back as exactly `px` (so the SVG says
/// `font-size="13"`, not `13.000000000000002`).
fn plotters_size(px: f64) -> f64 {
    let mut size = px * PLOTTERS_FONT_SCALE;
    for _ in 0..4 {
        let written = size / PLOTTERS_FONT_SCALE;
        if written == px {
            break;
        }
        size = if written > px {
            size.next_down()
        } else {
            size.next_up()
        };
    }
    size
}

/// Draws one line of text at pixel `at`.
pub(super) fn draw_text(
    area: &Area<'_>,
    text: &str,
    at: (i32, i32),
    style: &TextStyle<'_>,
) -> DrawResult {
    if text.is_empty() {
        return Ok(());
    }
    if crate::runner::holds_command(text) {
        let text = crate::runner::break_commands(text);
        return area.draw(&Text::new(text.as_str(), at, style.clone()));
    }
    area.draw(&Text::new(text, at, style.clone()))
}

/// Estimated width in pixels of `text` set at `px` pixels.
pub(super) fn text_width(text: &str, px: f64) -> i32 {
    (text.chars().count() as f64 * px * AVERAGE_GLYPH_EM).ceil() as i32
}

/// Where the parts of one chart go at its [`Width`]: the title's lines and the legend's lines
/// above the plot. A wide chart has one title line (cut to the width) and one legend line (cut
/// with `…`); a narrow one wraps both, and everything below moves down.
pub(super) struct Layout {
    pub width: Width,
    title_lines: Vec<String>,
    legend_lines: usize,
}

impl Layout {
    /// The layout of a chart with this title and legend.
    pub fn new(width: Width, title: &str, legend: &[(Swatch, String)]) -> Layout {
        let title = clean_label(title);
        let fits =
            ((width.px() as i32 - 2 * MARGIN) as f64 / (TITLE_FONT_PX * AVERAGE_GLYPH_EM)) as usize;
        let title_lines = match width {
            Width::Wide => vec![short_label(&title, fits)],
            Width::Narrow => wrap(&title, fits, NARROW_TITLE_LINES),
        };
        Layout {
            width,
            title_lines,
            legend_lines: legend_lines(legend, width).len().max(1),
        }
    }

    /// The width in pixels.
    pub fn px(&self) -> i32 {
        self.width.px() as i32
    }

    pub fn narrow(&self) -> bool {
        self.width == Width::Narrow
    }

    /// The pixels that a wrapped title and legend add above the plot (0 for a wide chart).
    pub fn extra_top(&self) -> i32 {
        (self.title_lines.len().max(1) as i32 - 1) * TITLE_LINE_HEIGHT
            + (self.legend_lines as i32 - 1) * LEGEND_LINE_HEIGHT
    }

    /// The vertical centre of legend line `line`.
    pub fn legend_centre(&self, line: usize) -> i32 {
        LEGEND_CENTRE_Y
            + (self.title_lines.len().max(1) as i32 - 1) * TITLE_LINE_HEIGHT
            + line as i32 * LEGEND_LINE_HEIGHT
    }

    /// The top of the plot, under the title and the legend.
    pub fn plot_top(&self) -> i32 {
        PLOT_TOP + self.extra_top()
    }
}

/// `text` in lines of at most `fits` characters, broken at spaces, at most `max_lines` lines; a
/// word too long for a line, and the last line when there are more, are cut with `…`.
fn wrap(text: &str, fits: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut words = text.split(' ').filter(|word| !word.is_empty()).peekable();
    while let Some(word) = words.next() {
        if lines.len() + 1 == max_lines {
            let rest: Vec<&str> = std::iter::once(word).chain(words.by_ref()).collect();
            lines.push(short_label(&rest.join(" "), fits));
            break;
        }
        let mut line = short_label(word, fits);
        while let Some(next) = words.peek() {
            if line.chars().count() + 1 + next.chars().count() > fits {
                break;
            }
            line.push(' ');
            line.push_str(next);
            words.next();
        }
        lines.push(line);
    }
    lines
}

/// Renders one chart: a white canvas of the layout's width and `height` with the title at the
/// top (cut or wrapped to the width; the `<title>` element keeps it whole), `draw` for the rest,
/// then the accessible `<svg>` wrapper. A narrow chart's ids end in `-narrow`, so both can be
/// on one page. plotters errors (none are expected when drawing into a `String`) become
/// [`Error::Internal`].
pub(super) fn render(
    layout: &Layout,
    id: &str,
    title: &str,
    description: &str,
    height: u32,
    draw: impl FnOnce(&Area<'_>) -> DrawResult,
) -> Result<String, Error> {
    let title = clean_label(title);
    let id = match layout.width {
        Width::Wide => id.to_string(),
        Width::Narrow => format!("{id}-narrow"),
    };
    let width = layout.width.px();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let drawn = root
            .fill(&BACKGROUND_COLOUR)
            .and_then(|()| {
                let style = text_style(
                    TITLE_FONT_PX,
                    &TEXT_COLOUR,
                    Weight::Bold,
                    HPos::Left,
                    VPos::Top,
                );
                for (index, line) in layout.title_lines.iter().enumerate() {
                    let top = TITLE_TOP + index as i32 * TITLE_LINE_HEIGHT;
                    draw_text(&root, line, (MARGIN, top), &style)?;
                }
                Ok(())
            })
            .and_then(|()| draw(&root))
            .and_then(|()| root.present());
        drawn.map_err(|error| Error::Internal(format!("chart {id:?}: {error}")))?;
    }
    accessible(&svg, &id, &title, &clean_label(description), width, height)
}

/// Replaces plotters' fixed-size `<svg>` tag with a responsive one (`viewBox`, `width="100%"`,
/// no fixed height) carrying `role="img"`, `aria-labelledby` and the `<title>`/`<desc>` pair.
fn accessible(
    svg: &str,
    id: &str,
    title: &str,
    description: &str,
    width: u32,
    height: u32,
) -> Result<String, Error> {
    let plotters_tag = format!(
        "<svg width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" \
         xmlns=\"http://www.w3.org/2000/svg\">\n"
    );
    let body = svg.strip_prefix(&plotters_tag).ok_or_else(|| {
        Error::Internal(format!(
            "chart {id:?}: plotters wrote an unexpected <svg> tag"
        ))
    })?;
    let id = xml_id(id);
    let mut out = String::with_capacity(svg.len() + title.len() + description.len() + 400);
    out.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"100%\" preserveAspectRatio=\"xMidYMin meet\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" class=\"fleetsave-chart\">\n"
    ));
    out.push_str(&format!(
        "<title id=\"{id}-title\">{}</title>\n",
        xml_escape(title)
    ));
    out.push_str(&format!(
        "<desc id=\"{id}-desc\">{}</desc>\n",
        xml_escape(description)
    ));
    out.push_str(body);
    Ok(out)
}

/// Escapes text for an XML element body or a double-quoted attribute.
pub(super) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Runner commands (`::`, `##[`) are broken with character references.
    crate::runner::break_commands_with(text, &mut out, "&#58;", "&#91;", |out, ch| match ch {
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '&' => out.push_str("&amp;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&apos;"),
        other => out.push(other),
    });
    out
}

/// An XML id from a caller's chart id: ASCII letters, digits, `-` and `_` kept, anything else
/// becomes `-`, and a leading non-letter gets a `chart-` prefix.
pub(super) fn xml_id(id: &str) -> String {
    let cleaned: String = id
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || ch == '-' || ch == '_' {
                ch
            } else {
                '-'
            }
        })
        .collect();
    if cleaned.starts_with(|ch: char| ch.is_ascii_alphabetic()) {
        cleaned
    } else {
        format!("chart-{cleaned}")
    }
}

/// A label safe to place in XML text: control characters (newlines, NUL, …) and the
/// non-characters U+FFFE/U+FFFF become spaces, and bidi embedding/override/isolate controls are
/// dropped so one label cannot reorder the text around it. Runs of spaces collapse.
pub(super) fn clean_label(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for ch in label.chars() {
        let ch = match ch {
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => continue,
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => ' ',
            c => c,
        };
        if ch == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(ch);
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    if crate::runner::holds_command(&out) {
        // Inline in the HTML page, which may go to a CI log: no runner command from input.
        return crate::runner::break_commands(&out);
    }
    out
}

/// [`clean_label`], then cut to at most `max_chars` characters with a trailing `…`.
pub(super) fn short_label(label: &str, max_chars: usize) -> String {
    let clean = clean_label(label);
    if clean.chars().count() <= max_chars {
        return clean;
    }
    let mut cut: String = clean.chars().take(max_chars.saturating_sub(1)).collect();
    let trimmed = cut.trim_end().len();
    cut.truncate(trimmed);
    cut.push('…');
    cut
}

/// Largest magnitude a chart draws; beyond it plotters' pixel arithmetic overflows `i32`.
const MAX_MAGNITUDE: f64 = 1e12;
/// Smaller magnitudes are drawn as 0, so an axis never spans a subnormal range.
const MIN_MAGNITUDE: f64 = 1e-9;

/// A value the charts can draw: NaN and infinities become 0, magnitudes are clamped to
/// [`MAX_MAGNITUDE`], and magnitudes below [`MIN_MAGNITUDE`] become 0. Descriptions use the
/// same value, so the text alternative matches the picture.
pub(super) fn finite(value: f64) -> f64 {
    if !value.is_finite() || value.abs() < MIN_MAGNITUDE {
        0.0
    } else {
        value.clamp(-MAX_MAGNITUDE, MAX_MAGNITUDE)
    }
}

/// A number for a bar or a description: three significant digits below 1000 (`420`, `42.0`,
/// `4.20`, `0.120`), whole numbers with thousands separators above (`1,240`).
pub(super) fn format_number(value: f64) -> String {
    let value = finite(value);
    let sign = if value < 0.0 { MINUS } else { "" };
    let magnitude = value.abs();
    if magnitude == 0.0 {
        return "0".to_string();
    }
    if magnitude >= 999.5 {
        return format!(
            "{sign}{}",
            crate::units::group_thousands(&format!("{magnitude:.0}"))
        );
    }
    let decimals = (2 - magnitude.log10().floor() as i32).clamp(0, 6) as usize;
    let text = format!("{magnitude:.decimals$}");
    // 99.96 with one decimal prints "100.0": four significant digits, so drop the decimal.
    let text = match text.split_once('.') {
        Some((whole, _)) if whole.len() >= 3 => whole.to_string(),
        _ => text,
    };
    format!("{sign}{text}")
}

/// [`format_number`] followed by the unit, if there is one: `420 MB`.
pub(super) fn with_unit(value: f64, unit: &str) -> String {
    if unit.is_empty() {
        format_number(value)
    } else {
        format!("{} {unit}", format_number(value))
    }
}

/// A tick label: the shortest exact form of a round value (`0`, `250`, `1.5`, `12,000`).
pub(super) fn format_tick(value: f64) -> String {
    let value = finite(value);
    let rounded = (value * 1e6).round() / 1e6;
    if rounded.fract() == 0.0 {
        let sign = if rounded < 0.0 { "-" } else { "" };
        return format!(
            "{sign}{}",
            crate::units::group_thousands(&format!("{:.0}", rounded.abs()))
        );
    }
    let text = format!("{rounded:.6}");
    text.trim_end_matches('0').to_string()
}

/// A change in percent with its sign: `+12%`, `−4.5%`; `None` when `before` is 0.
pub(super) fn format_change(before: f64, after: f64) -> Option<String> {
    if before == 0.0 {
        return None;
    }
    let percent = (after - before) / before * 100.0;
    let sign = if percent < 0.0 { MINUS } else { "+" };
    let magnitude = percent.abs();
    Some(if magnitude < 9.95 {
        format!("{sign}{magnitude:.1}%")
    } else {
        format!("{sign}{magnitude:.0}%")
    })
}

/// The upper end of a value axis: `headroom` (a fraction) above the largest value, for labels
/// beside the bars; 1 when there is nothing above 0. The end need not be round: plotters picks
/// round ticks inside the range, and a round end can waste a third of the width.
pub(super) fn axis_end(max: f64, headroom: f64) -> f64 {
    let max = finite(max);
    if max <= 0.0 {
        1.0
    } else {
        max * (1.0 + headroom)
    }
}

/// Draws `text` in the muted colour, centred in the area below `top`: the "no data" message.
pub(super) fn draw_no_data(area: &Area<'_>, layout: &Layout, top: i32, height: i32) -> DrawResult {
    let style = text_style(
        super::LABEL_FONT_PX,
        &MUTED_TEXT_COLOUR,
        Weight::Normal,
        HPos::Center,
        VPos::Center,
    );
    draw_text(
        area,
        super::NO_DATA,
        (layout.px() / 2, top + height / 2),
        &style,
    )
}

/// The span of the points' x values, at least 1 wide (one point still gets an axis).
pub(super) fn x_span(points: &[(f64, f64)]) -> (f64, f64) {
    let first = points.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let last = points.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    (first, if last > first { last } else { first + 1.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_lose_control_and_bidi_characters() {
        assert_eq!(clean_label("a\nb\t\tc\u{0}"), "a b c");
        assert_eq!(clean_label("\u{202E}evil\u{2066}"), "evil");
        assert_eq!(clean_label("שלום-api"), "שלום-api");
    }

    #[test]
    fn long_labels_end_in_an_ellipsis() {
        let long = "x".repeat(300);
        let short = short_label(&long, 20);
        assert_eq!(short.chars().count(), 20);
        assert!(short.ends_with('…'));
        assert_eq!(short_label("api", 20), "api");
    }

    #[test]
    fn numbers_have_three_significant_digits() {
        assert_eq!(format_number(420.0), "420");
        assert_eq!(format_number(42.04), "42.0");
        assert_eq!(format_number(4.2), "4.20");
        assert_eq!(format_number(0.12), "0.120");
        assert_eq!(format_number(99.96), "100");
        assert_eq!(format_number(1240.4), "1,240");
        assert_eq!(format_number(-35.0), "\u{2212}35.0");
        assert_eq!(format_number(f64::NAN), "0");
        assert_eq!(format_number(1e300), "1,000,000,000,000");
        assert_eq!(format_number(1e-300), "0");
    }

    #[test]
    fn ticks_are_short_and_exact() {
        assert_eq!(format_tick(0.0), "0");
        assert_eq!(format_tick(250.0), "250");
        assert_eq!(format_tick(0.30000000000000004), "0.3");
        assert_eq!(format_tick(12000.0), "12,000");
    }

    #[test]
    fn axis_leaves_headroom_and_is_never_empty() {
        assert_eq!(axis_end(400.0, 0.25), 500.0);
        assert_eq!(axis_end(0.0, 0.2), 1.0);
        assert_eq!(axis_end(f64::NAN, 0.2), 1.0);
    }

    #[test]
    fn changes_carry_a_sign() {
        assert_eq!(format_change(300.0, 336.0).as_deref(), Some("+12%"));
        assert_eq!(format_change(200.0, 191.0).as_deref(), Some("\u{2212}4.5%"));
        assert_eq!(format_change(0.0, 10.0), None);
    }

    #[test]
    fn font_sizes_reach_the_svg_exactly() {
        use super::super::{LABEL_FONT_PX, LEGEND_FONT_PX, TICK_FONT_PX, VALUE_FONT_PX};
        for px in [
            TITLE_FONT_PX,
            LABEL_FONT_PX,
            LEGEND_FONT_PX,
            TICK_FONT_PX,
            VALUE_FONT_PX,
        ] {
            assert_eq!(plotters_size(px) / PLOTTERS_FONT_SCALE, px, "{px}");
        }
    }

    #[test]
    fn narrow_titles_wrap_at_spaces() {
        assert_eq!(
            wrap("Image size per service, before and after", 29, 3),
            ["Image size per service,", "before and after"]
        );
        assert_eq!(wrap("", 29, 3), Vec::<String>::new());
        assert_eq!(
            wrap(&"x".repeat(40), 10, 3),
            [format!("{}…", "x".repeat(9))]
        );
        assert_eq!(
            wrap("one two three four five six", 9, 2),
            ["one two", "three fo…"]
        );
    }

    #[test]
    fn ids_are_valid_xml_names() {
        assert_eq!(xml_id("sizes"), "sizes");
        assert_eq!(xml_id("1 \"x\""), "chart-1--x-");
    }
}
