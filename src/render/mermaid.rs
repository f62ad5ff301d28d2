//! The Mermaid chart of the pull-request comment: image size saved per service, as one
//! horizontal `xychart-beta` bar series.
//!
//! Why this shape (each point was wrong once, checked with mermaid-cli in the default and dark
//! themes):
//! - **One series, one colour, set explicitly.** `xychart-beta` has no legend, and its palette
//!   differs between themes, so a title naming a colour was wrong in one of them. The chart draws
//!   only the saving, in a colour given by `%%{init}%%` (readable on GitHub's light and dark
//!   backgrounds), and its title names no colour.
//! - **No overlaid series.** Mermaid draws every bar series from the axis start at the same
//!   place: a second series hides the first where it is longer, and draws a stub where it is 0.
//!   Images that grew are therefore not drawn; the title counts them (the table shows them).
//! - **Horizontal, at most [`MAX_BARS`] bars, labels of at most [`LABEL_CHARS`] characters**, so
//!   labels never run into each other.
//! - **No chart for fewer than two bars**: one bar (calc, compare) says nothing the headline does
//!   not.
//!
//! Labels are escaped with Mermaid's own entity codes by [`escape_mermaid`].

use crate::report::Report;

/// Bars drawn at most; the title says "top N of M" when there are more.
pub const MAX_BARS: usize = 10;
/// Labels are cut to this many characters, `…` included.
pub const LABEL_CHARS: usize = 20;
/// … and to this many characters as Mermaid measures them (an escaped character counts as its
/// placeholder, see [`measured`]): with a wider label, Mermaid hides every label of the
/// axis (mermaid-cli 11.17, 700 px wide chart).
const LABEL_MEASURE: usize = 28;
/// The colour of the bars: GitHub's accent blue, at least 3:1 against both the light (#ffffff)
/// and the dark (#0d1117) page.
pub const BAR_COLOUR: &str = "#2f81f7";

/// The directive that fixes the bar colour in every theme.
fn init_directive() -> String {
    format!(
        "%%{{init: {{\"themeVariables\": {{\"xyChart\": {{\"plotColorPalette\": \"{BAR_COLOUR}\"}}}}}}}}%%"
    )
}

/// Escapes a Mermaid label with Mermaid's own entity codes (`#60;` for `<`): only letters,
/// digits, spaces and `-_.:/,` pass through, and the second colon of `::` is `#58;` (a runner
/// command cannot start in a label, see [`crate::runner`]).
pub fn escape_mermaid(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    crate::runner::break_commands_with(input, &mut out, "#58;", "#91;", |out, c| {
        if passes(c) {
            out.push(c);
        } else if c.is_control() {
            out.push(' ');
        } else {
            out.push_str(&format!("#{};", c as u32));
        }
    });
    out
}

/// Whether [`escape_mermaid`] lets `c` through unchanged.
fn passes(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | ':' | '/' | ',')
}

/// One image's sizes, as the chart needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sizes {
    pub name: String,
    pub before_disk: u64,
    pub after_disk: u64,
    pub before_wire: u64,
    pub after_wire: u64,
    /// Whether either unpacked size was estimated from the wire size.
    pub disk_estimated: bool,
    /// Whether either wire size was estimated from the unpacked size.
    pub wire_estimated: bool,
}

/// The chart of a report's committed services (plans have no after size), or `None` when fewer
/// than two images shrank.
pub fn chart(report: &Report) -> Option<String> {
    let sizes: Vec<Sizes> = report
        .services
        .iter()
        .filter(|row| !row.projected)
        .filter_map(|row| {
            let after = row.after?;
            Some(Sizes {
                name: row.name.to_string(),
                before_disk: row.before.disk_bytes,
                after_disk: after.disk_bytes,
                before_wire: row.before.wire_bytes,
                after_wire: after.wire_bytes,
                disk_estimated: row.before.disk_estimated || after.disk_estimated,
                wire_estimated: row.before.wire_estimated || after.wire_estimated,
            })
        })
        .collect();
    chart_of(&sizes)
}

/// The sizes the chart compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Basis {
    Unpacked,
    Wire,
}

impl Basis {
    /// Unpacked when every unpacked size was measured, else the wire when every wire size was,
    /// else unpacked (the estimated bars are marked).
    fn of(sizes: &[Sizes]) -> Basis {
        if sizes.iter().all(|s| !s.disk_estimated) {
            Basis::Unpacked
        } else if sizes.iter().all(|s| !s.wire_estimated) {
            Basis::Wire
        } else {
            Basis::Unpacked
        }
    }

    /// An image's (before, after) on this basis.
    fn pick(self, s: &Sizes) -> (u64, u64) {
        match self {
            Basis::Unpacked => (s.before_disk, s.after_disk),
            Basis::Wire => (s.before_wire, s.after_wire),
        }
    }

    fn estimated(self, s: &Sizes) -> bool {
        match self {
            Basis::Unpacked => s.disk_estimated,
            Basis::Wire => s.wire_estimated,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Basis::Unpacked => "unpacked",
            Basis::Wire => "on the wire",
        }
    }
}

/// The end of a label that was cut.
const CUT: &str = "...";
/// The mark after the label of a bar whose sizes were estimated, as in the tables.
const ESTIMATED: &str = " ≈";

/// A decimal unit for the largest value, (divisor, name): MB up to 10 GB, as image sizes are
/// usually quoted.
fn unit_for(largest: u64) -> (f64, &'static str) {
    match largest {
        v if v >= 10_000_000_000_000 => (1e12, "TB"),
        v if v >= 10_000_000_000 => (1e9, "GB"),
        v if v >= 1_000_000 => (1e6, "MB"),
        _ => (1e3, "kB"),
    }
}

/// A bar value: one decimal below 100, whole numbers above.
fn value(amount: f64) -> String {
    if amount < 100.0 {
        format!("{amount:.1}")
    } else {
        format!("{amount:.0}")
    }
}

/// A round end for the value axis at or above `top`: two significant digits (1,200 for 1,145),
/// at least 1.
fn axis_end(top: f64) -> f64 {
    if !top.is_finite() || top <= 1.0 {
        return 1.0;
    }
    let step = 10f64.powf(top.log10().floor() - 1.0).max(1.0);
    (top / step).ceil() * step
}

/// How wide Mermaid takes an escaped label to be while it lays out the axis, in characters: an
/// entity code (`#60;`) counts as the placeholder Mermaid puts in its place until after layout
/// (`ﬂ°°60¶ß`, 5 characters more than its digits), any other character as one.
fn measured(escaped: &str) -> usize {
    let mut total = 0;
    let mut rest = escaped;
    while let Some(c) = rest.chars().next() {
        // `#` only appears in escaped text as the start of an entity code.
        let entity = (c == '#')
            .then(|| rest[1..].find(';'))
            .flatten()
            .filter(|end| *end > 0 && rest[1..1 + end].bytes().all(|b| b.is_ascii_digit()));
        match entity {
            Some(digits) => {
                total += 5 + digits;
                rest = &rest[digits + 2..];
            }
            None => {
                total += 1;
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    total
}

/// A label of at most [`LABEL_CHARS`] characters and [`LABEL_MEASURE`] measured ones, escaped:
/// the name, cut with `...` when it does not fit (three dots measure less than an escaped `…`),
/// and [`ESTIMATED`] if `estimated`.
fn label(name: &str, estimated: bool) -> String {
    let mark = if estimated { ESTIMATED } else { "" };
    let chars: Vec<char> = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .chars()
        .collect();
    let fits = |text: &str| {
        text.chars().count() <= LABEL_CHARS && measured(&escape_mermaid(text)) <= LABEL_MEASURE
    };
    let whole: String = chars.iter().collect::<String>() + mark;
    if fits(&whole) {
        return format!("\"{}\"", escape_mermaid(&whole));
    }
    // The longest prefix that fits with the cut and the mark (names are cut at LABEL_CHARS
    // characters at most, so this tries a handful of prefixes).
    let mut best = format!("{CUT}{mark}");
    for end in 1..chars.len().min(LABEL_CHARS) {
        let prefix: String = chars[..end].iter().collect();
        let candidate = format!("{}{CUT}{mark}", prefix.trim_end());
        if !fits(&candidate) {
            break;
        }
        best = candidate;
    }
    format!("\"{}\"", escape_mermaid(&best))
}

/// The chart of `sizes` (in the report's order), or `None` when fewer than two images shrank.
pub fn chart_of(sizes: &[Sizes]) -> Option<String> {
    let basis = Basis::of(sizes);
    let mut shrank: Vec<(&Sizes, u64)> = sizes
        .iter()
        .filter_map(|s| {
            let (before, after) = basis.pick(s);
            (after < before).then(|| (s, before - after))
        })
        .collect();
    if shrank.len() < 2 {
        return None;
    }
    let grew = sizes
        .iter()
        .filter(|s| {
            let (before, after) = basis.pick(s);
            after > before
        })
        .count();
    // Largest saving first; a stable sort keeps the report's order between equals.
    shrank.sort_by_key(|(_, saved)| std::cmp::Reverse(*saved));
    let candidates = shrank.len();
    shrank.truncate(MAX_BARS);
    let (divisor, unit) = unit_for(shrank[0].1);
    let values: Vec<String> = shrank
        .iter()
        .map(|(_, saved)| value(*saved as f64 / divisor))
        .collect();
    let labels: Vec<String> = shrank
        .iter()
        .map(|(s, _)| label(&s.name, basis.estimated(s)))
        .collect();
    let mut axis = format!("{unit} saved per image, {}", basis.name());
    if shrank.iter().any(|(s, _)| basis.estimated(s)) {
        axis.push_str(", ≈ estimated");
    }
    let ceiling = axis_end(shrank[0].1 as f64 / divisor * 1.05);
    let mut title = if candidates > shrank.len() {
        format!("Image size saved, top {} of {candidates}", shrank.len())
    } else {
        "Image size saved per service".to_string()
    };
    match grew {
        0 => {}
        1 => title.push_str(", 1 image grew, not drawn"),
        n => title.push_str(&format!(", {n} images grew, not drawn")),
    }
    Some(format!(
        "{}\nxychart-beta horizontal\n    title \"{}\"\n    x-axis [{}]\n    y-axis \"{}\" 0 --> \
         {ceiling}\n    bar [{}]",
        init_directive(),
        escape_mermaid(&title),
        labels.join(", "),
        escape_mermaid(&axis),
        values.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(name: &str, before_mb: u64, after_mb: u64) -> Sizes {
        Sizes {
            name: name.to_string(),
            before_disk: before_mb * 1_000_000,
            after_disk: after_mb * 1_000_000,
            before_wire: before_mb * 370_000,
            after_wire: after_mb * 370_000,
            disk_estimated: false,
            wire_estimated: true,
        }
    }

    fn bars(chart: &str) -> Vec<f64> {
        let line = chart
            .lines()
            .find_map(|line| line.trim().strip_prefix("bar ["))
            .expect("a bar line");
        line.trim_end_matches(']')
            .split(", ")
            .map(|value| value.parse().unwrap())
            .collect()
    }

    fn labels(chart: &str) -> Vec<String> {
        let line = chart
            .lines()
            .find_map(|line| line.trim().strip_prefix("x-axis ["))
            .expect("an x-axis line");
        line.trim_end_matches(']')
            .split("\", \"")
            .map(|label| label.trim_matches('"').to_string())
            .collect()
    }

    #[test]
    fn mermaid_labels_use_entity_codes() {
        assert_eq!(escape_mermaid("api-gw"), "api-gw");
        assert_eq!(escape_mermaid("a\"b"), "a#34;b");
        assert_eq!(escape_mermaid("<x>"), "#60;x#62;");
        assert_eq!(escape_mermaid("a]b"), "a#93;b");
        assert_eq!(escape_mermaid("a`b"), "a#96;b");
    }

    #[test]
    fn a_single_image_has_no_chart() {
        assert_eq!(chart_of(&[image("image", 500, 80)]), None);
        assert_eq!(chart_of(&[]), None);
        // Two images, but only one shrank: one bar says nothing either.
        assert_eq!(chart_of(&[image("a", 500, 80), image("b", 100, 200)]), None);
    }

    #[test]
    fn the_init_block_fixes_the_bar_colour() {
        let chart = chart_of(&[image("a", 500, 80), image("b", 300, 200)]).unwrap();
        let first = chart.lines().next().unwrap();
        assert_eq!(
            first,
            "%%{init: {\"themeVariables\": {\"xyChart\": {\"plotColorPalette\": \"#2f81f7\"}}}}%%"
        );
        assert_eq!(chart.lines().nth(1), Some("xychart-beta horizontal"));
        // One series: no second bar line whose colour a title would have to name.
        assert_eq!(chart.matches("\n    bar [").count(), 1, "{chart}");
        assert!(!chart.contains("line ["), "{chart}");
        assert!(
            !chart.contains("grey") && !chart.contains("blue"),
            "{chart}"
        );
    }

    #[test]
    fn at_most_ten_bars_largest_first() {
        let sizes: Vec<Sizes> = (1..=14)
            .map(|i| image(&format!("service-{i}"), 100 * i, 10))
            .collect();
        let chart = chart_of(&sizes).unwrap();
        let values = bars(&chart);
        assert_eq!(values.len(), MAX_BARS);
        assert_eq!(labels(&chart).len(), MAX_BARS);
        assert_eq!(values[0], 1390.0);
        assert!(
            values.windows(2).all(|pair| pair[0] >= pair[1]),
            "{values:?}"
        );
        assert!(
            chart.contains("title \"Image size saved, top 10 of 14\""),
            "{chart}"
        );
        assert!(chart.contains("y-axis \"MB saved per image, unpacked\" 0 --> 1500"));
    }

    #[test]
    fn grown_images_are_counted_not_drawn() {
        let chart = chart_of(&[
            image("a", 500, 80),
            image("grew", 100, 900),
            image("b", 300, 200),
        ])
        .unwrap();
        assert_eq!(bars(&chart), [420.0, 100.0]);
        assert_eq!(labels(&chart), ["a", "b"]);
        assert!(
            chart.contains("title \"Image size saved per service, 1 image grew, not drawn\""),
            "{chart}"
        );
    }

    #[test]
    fn the_axis_ends_at_a_round_value() {
        assert_eq!(axis_end(1144.5), 1200.0);
        assert_eq!(axis_end(36.3), 37.0);
        assert_eq!(axis_end(0.5), 1.0);
        assert_eq!(axis_end(f64::NAN), 1.0);
    }

    #[test]
    fn labels_are_short() {
        let chart = chart_of(&[
            image("payments-gateway-service-eu-west-1", 500, 80),
            image("b", 300, 200),
        ])
        .unwrap();
        let labels = labels(&chart);
        assert_eq!(labels[0], "payments-gateway-...");
        assert_eq!(
            label(&"x".repeat(300), false),
            format!("\"{}...\"", "x".repeat(17))
        );
        // Escaped characters count as Mermaid measures them (`<` as 7): at most 28.
        assert_eq!(
            label("<script>alert(1)</script>", false),
            "\"#60;script#62;alert...\""
        );
        assert_eq!(label("api (v2)", false), "\"api #40;v2#41;\"");
        // A runner command cannot start in a label: its second colon is escaped, and counts.
        assert_eq!(label("::error::x", false), "\":#58;error:#58;x\"");
        assert_eq!(measured(":#58;error:#58;x"), 1 + 7 + 5 + 1 + 7 + 1);
        assert_eq!(label("  padded  ", false), "\"padded\"");
    }

    #[test]
    fn the_measured_basis_leads() {
        let mut a = image("a", 500, 80);
        let mut b = image("b", 300, 200);
        for s in [&mut a, &mut b] {
            s.disk_estimated = true;
            s.wire_estimated = false;
        }
        let chart = chart_of(&[a.clone(), b.clone()]).unwrap();
        assert!(
            chart.contains("\"MB saved per image, on the wire\""),
            "{chart}"
        );
        assert_eq!(bars(&chart), [155.0, 37.0]);
        b.disk_estimated = false;
        b.wire_estimated = true;
        let chart = chart_of(&[a, b]).unwrap();
        // Mixed: unpacked sizes, the estimated bar marked as in the tables.
        assert!(
            chart.contains("\"MB saved per image, unpacked, #8776; estimated\""),
            "{chart}"
        );
        assert_eq!(labels(&chart), ["a #8776;", "b"]);
        // The mark counts too: 1 + 9 of the 28.
        assert_eq!(
            label("payments-gateway-service", true),
            "\"payments-gatewa... #8776;\""
        );
        assert_eq!(
            label("legacy-billing, v1", true),
            "\"legacy-billing, v1 #8776;\""
        );
    }
}
