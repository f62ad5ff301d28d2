//! dive's three CI rules (`lowestEfficiency`, `highestWastedBytes`, `highestUserWastedPercent`)
//! with dive's semantics, on the waste figures of [`super::waste`]:
//!
//! - a threshold of `disabled`, `off`, `false` or nothing (any case, spaces trimmed) disables the
//!   rule;
//! - efficiency and user wasted percent are ratios from 0 to 1 (`0.9`, not `90%`), read as Go's
//!   `strconv.ParseFloat` reads them; outside 0–1 is refused;
//! - wasted bytes are read as go-humanize's `ParseBytes` reads them: a number (commas allowed)
//!   and an optional unit, any case, `k`/`kb` 1000 and `ki`/`kib` 1024 (`20Mb` is 20,000,000);
//! - efficiency fails when the threshold is above it; wasted bytes and user wasted percent fail
//!   when above the threshold (equal passes, whatever dive's comments say).

use serde::Serialize;

use crate::model::values::Refusal;

/// One of dive's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub enum DiveRule {
    /// The image's efficiency must be at least the threshold.
    #[serde(rename = "lowestEfficiency")]
    LowestEfficiency,
    /// The wasted bytes must be at most the threshold.
    #[serde(rename = "highestWastedBytes")]
    HighestWastedBytes,
    /// Wasted bytes ÷ bytes of every layer but the first must be at most the threshold.
    #[serde(rename = "highestUserWastedPercent")]
    HighestUserWastedPercent,
}

impl DiveRule {
    pub const ALL: [DiveRule; 3] = [
        DiveRule::LowestEfficiency,
        DiveRule::HighestWastedBytes,
        DiveRule::HighestUserWastedPercent,
    ];

    /// dive's key: `lowestEfficiency`.
    pub fn key(self) -> &'static str {
        match self {
            DiveRule::LowestEfficiency => "lowestEfficiency",
            DiveRule::HighestWastedBytes => "highestWastedBytes",
            DiveRule::HighestUserWastedPercent => "highestUserWastedPercent",
        }
    }

    /// dive's default when its CI file leaves the rule out.
    pub fn dive_default(self) -> &'static str {
        match self {
            DiveRule::LowestEfficiency => "0.9",
            DiveRule::HighestWastedBytes => "disabled",
            DiveRule::HighestUserWastedPercent => "0.1",
        }
    }

    /// Parses a threshold for this rule as dive does: `None` when disabled.
    pub fn parse(self, text: &str) -> Result<Option<Threshold>, Refusal> {
        if is_disabled(text) {
            return Ok(None);
        }
        match self {
            DiveRule::HighestWastedBytes => humanize_bytes(text).map(|b| Some(Threshold::Bytes(b))),
            _ => ratio(text).map(|r| Some(Threshold::Ratio(r))),
        }
    }
}

/// A rule's threshold or an image's figure: a ratio (0–1) or bytes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Threshold {
    Ratio(f64),
    Bytes(u64),
}

/// A threshold as given and as parsed (`None`: disabled).
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    /// The text as given: `0.95`, `20Mb`, `disabled`.
    pub configured: String,
    pub threshold: Option<Threshold>,
}

/// `value` parsed for `rule`, as a [`Limit`].
pub fn limit(rule: DiveRule, text: &str) -> Result<Limit, Refusal> {
    Ok(Limit {
        configured: text.to_string(),
        threshold: rule.parse(text)?,
    })
}

/// `--lowest-efficiency`'s parser.
pub fn efficiency_limit(text: &str) -> Result<Limit, Refusal> {
    limit(DiveRule::LowestEfficiency, text)
}

/// `--highest-wasted-bytes`'s parser.
pub fn wasted_bytes_limit(text: &str) -> Result<Limit, Refusal> {
    limit(DiveRule::HighestWastedBytes, text)
}

/// `--highest-user-wasted-percent`'s parser.
pub fn user_wasted_limit(text: &str) -> Result<Limit, Refusal> {
    limit(DiveRule::HighestUserWastedPercent, text)
}

/// dive's `isRuleDisabled`.
pub fn is_disabled(text: &str) -> bool {
    matches!(
        text.trim().to_lowercase().as_str(),
        "" | "disabled" | "off" | "false"
    )
}

const RATIO_EXPECTED: &str = "a ratio from 0 to 1 as dive reads it, or disabled";

/// A ratio from 0 to 1, as dive parses `lowestEfficiency` and `highestUserWastedPercent`.
pub fn ratio(text: &str) -> Result<f64, Refusal> {
    let value: f64 = text
        .parse()
        .map_err(|_| Refusal::new("is not a number", RATIO_EXPECTED).example("0.9"))?;
    if value.is_nan() || !(0.0..=1.0).contains(&value) {
        return Err(Refusal::new("is outside 0–1", RATIO_EXPECTED).example("0.9"));
    }
    Ok(value)
}

/// Bytes as go-humanize's `ParseBytes` reads them (dive's `highestWastedBytes`).
pub fn humanize_bytes(text: &str) -> Result<u64, Refusal> {
    const EXPECTED: &str = "a size as dive reads it (B, kB, KiB, MB, MiB, GB, … in any case; \
                            k and kB are 1000), or disabled";
    let digits = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(text.len());
    let number: f64 = text[..digits]
        .replace(',', "")
        .parse()
        .map_err(|_| Refusal::new("is not a size", EXPECTED).example("20MB"))?;
    let unit = text[digits..].trim().to_lowercase();
    let multiplier: u64 = match unit.as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "ki" | "kib" => 1 << 10,
        "m" | "mb" => 1000u64.pow(2),
        "mi" | "mib" => 1 << 20,
        "g" | "gb" => 1000u64.pow(3),
        "gi" | "gib" => 1 << 30,
        "t" | "tb" => 1000u64.pow(4),
        "ti" | "tib" => 1 << 40,
        "p" | "pb" => 1000u64.pow(5),
        "pi" | "pib" => 1 << 50,
        "e" | "eb" => 1000u64.pow(6),
        "ei" | "eib" => 1 << 60,
        _ => {
            return Err(Refusal::new("has an unknown size unit", EXPECTED).example("20MB"));
        }
    };
    let bytes = number * multiplier as f64;
    if bytes >= u64::MAX as f64 {
        return Err(Refusal::new("is too large", EXPECTED).example("20MB"));
    }
    // Go's conversion truncates, as does Rust's.
    Ok(bytes as u64)
}

/// The verdict of one rule on one image's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    Failed,
    Disabled,
}

/// The figure a rule judges, from the image's waste figures.
pub fn value(rule: DiveRule, waste: &super::waste::Waste) -> Threshold {
    match rule {
        DiveRule::LowestEfficiency => Threshold::Ratio(waste.efficiency),
        DiveRule::HighestWastedBytes => Threshold::Bytes(waste.wasted_bytes),
        // dive divides 0 wasted bytes by 0 user bytes into NaN, which no threshold is below.
        DiveRule::HighestUserWastedPercent => {
            Threshold::Ratio(waste.user_wasted_percent.unwrap_or(0.0))
        }
    }
}

/// Judges `value` against `threshold` for `rule` as dive does.
pub fn judge(rule: DiveRule, threshold: Option<Threshold>, value: Threshold) -> Outcome {
    let failed = match (rule, threshold, value) {
        (_, None, _) => return Outcome::Disabled,
        (DiveRule::LowestEfficiency, Some(Threshold::Ratio(t)), Threshold::Ratio(v)) => t > v,
        (DiveRule::HighestWastedBytes, Some(Threshold::Bytes(t)), Threshold::Bytes(v)) => v > t,
        (DiveRule::HighestUserWastedPercent, Some(Threshold::Ratio(t)), Threshold::Ratio(v)) => {
            v > t
        }
        _ => unreachable!("a threshold of the rule's own kind"),
    };
    if failed {
        Outcome::Failed
    } else {
        Outcome::Passed
    }
}

/// dive's message for a failed rule.
pub fn message(rule: DiveRule, threshold: Threshold, value: Threshold) -> String {
    match (rule, threshold, value) {
        (DiveRule::LowestEfficiency, Threshold::Ratio(t), Threshold::Ratio(v)) => {
            format!("image efficiency is too low (efficiency={v:.2} < threshold={t})")
        }
        (DiveRule::HighestWastedBytes, Threshold::Bytes(t), Threshold::Bytes(v)) => {
            format!("too many bytes wasted (wasted-bytes={v} > threshold={t})")
        }
        (_, Threshold::Ratio(t), Threshold::Ratio(v)) => format!(
            "too many bytes wasted, relative to the user bytes added \
             (%-user-wasted-bytes={v:.2} > threshold={t})"
        ),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_as_dive_reads_it() {
        for text in ["", "  ", "disabled", "DISABLED", " off ", "False"] {
            assert!(is_disabled(text), "{text:?}");
            assert_eq!(DiveRule::LowestEfficiency.parse(text), Ok(None));
        }
        assert!(!is_disabled("no"));
    }

    #[test]
    fn ratios_as_dive_reads_them() {
        assert_eq!(ratio("0.95"), Ok(0.95));
        assert_eq!(ratio("1"), Ok(1.0));
        assert_eq!(ratio("0"), Ok(0.0));
        // dive's Test_Evaluator_Misconfigurations.
        for bad in ["1.1", "-0.1", "not_a_number", "90%", "NaN", "inf"] {
            assert!(ratio(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bytes_as_go_humanize_reads_them() {
        assert_eq!(humanize_bytes("20Mb"), Ok(20_000_000));
        assert_eq!(humanize_bytes("20MB"), Ok(20_000_000));
        assert_eq!(humanize_bytes("20 MiB"), Ok(20 << 20));
        assert_eq!(humanize_bytes("50kB"), Ok(50_000));
        assert_eq!(humanize_bytes("1B"), Ok(1));
        assert_eq!(humanize_bytes("1,000"), Ok(1000));
        assert_eq!(humanize_bytes("1.5k"), Ok(1500));
        assert_eq!(humanize_bytes("42"), Ok(42));
        for bad in ["not_a_size", "MB", "20 megabytes", "-5MB", "99999EB"] {
            assert!(humanize_bytes(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn thresholds_as_dive_judges_them() {
        use DiveRule::*;
        let r = |v| Some(Threshold::Ratio(v));
        assert_eq!(
            judge(LowestEfficiency, r(0.9), Threshold::Ratio(0.9)),
            Outcome::Passed
        );
        assert_eq!(
            judge(LowestEfficiency, r(0.91), Threshold::Ratio(0.9)),
            Outcome::Failed
        );
        let b = Some(Threshold::Bytes(100));
        assert_eq!(
            judge(HighestWastedBytes, b, Threshold::Bytes(100)),
            Outcome::Passed
        );
        assert_eq!(
            judge(HighestWastedBytes, b, Threshold::Bytes(101)),
            Outcome::Failed
        );
        assert_eq!(
            judge(HighestUserWastedPercent, r(0.5), Threshold::Ratio(0.5)),
            Outcome::Passed
        );
        assert_eq!(
            judge(HighestUserWastedPercent, None, Threshold::Ratio(0.9)),
            Outcome::Disabled
        );
    }
}
