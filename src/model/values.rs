//! Typed values as people write them — counts, sizes, rates, ratios, percentages, prices, days,
//! fractions — each read by one parser shared by flags, CSV cells and TOML keys.
//!
//! A parser knows nothing of where its text came from: it returns a [`Refusal`] that says what is
//! wrong and what is accepted, with an example value. The reader names the place with a
//! [`Field`] — a flag, a CSV column on a line, a TOML key on a line — and [`Field::refuse`] turns
//! the refusal into the one message shape of every input error:
//!
//! ```text
//! --nodes: '0' is zero; expected a whole number of 1 or more, e.g. --nodes 10
//! fleet.csv line 2, nodes: '0' is zero; expected a whole number of 1 or more, e.g. 10
//! fleet.toml line 2, nodes: '0' is zero; expected a whole number of 1 or more, e.g. nodes = 10
//! ```

use std::fmt;
use std::ops::RangeInclusive;
use std::path::Path;

use crate::error::{Error, Place};
use crate::model::rate::{DeployRate, EgressLimit, Fraction};
use crate::model::{Budget, ChangedPerDeploy, GrowthLimit, NewNodes, Nodes};
use crate::units::{self, Basis, Percent, Ratio, UnitError};

/// Longest stretch of a bad value quoted in a message; longer values are cut with `…`.
pub const QUOTED_CHARS: usize = 200;

/// Why a value was refused, without saying where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What is wrong, after the quoted value: `is zero`, `is not a size`.
    pub problem: String,
    /// What is accepted: `a whole number of 1 or more`.
    pub expected: String,
    /// An accepted value as typed (`10`, `500MB`); the place writes it in its own syntax.
    pub example: Option<String>,
}

impl Refusal {
    pub fn new(problem: impl Into<String>, expected: impl Into<String>) -> Refusal {
        Refusal {
            problem: problem.into(),
            expected: expected.into(),
            example: None,
        }
    }

    /// The same refusal with `example` as the accepted value shown.
    pub fn example(mut self, example: impl Into<String>) -> Refusal {
        self.example = Some(example.into());
        self
    }
}

/// A refusal as clap's value parsers return it; the command line adds the flag and the value.
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; expected {}", self.problem, self.expected)?;
        if let Some(example) = &self.example {
            write!(f, ", e.g. {example}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}

/// Where a value was written, and so how an example is written there.
#[derive(Debug, Clone, Copy)]
pub enum Field<'a> {
    /// A command-line flag such as `--nodes` (or an environment variable).
    Flag(&'a str),
    /// A CSV cell: the file, the line of the record and the column.
    Csv {
        path: &'a Path,
        line: usize,
        column: &'a str,
    },
    /// A TOML value: the file, the line of the value and its key.
    Toml {
        path: &'a Path,
        line: usize,
        key: &'a str,
    },
}

impl Field<'_> {
    /// The place for messages: `--nodes`, `fleet.csv line 2, nodes`.
    pub fn place(&self) -> Place {
        match *self {
            Field::Flag(flag) => Place::flag(flag),
            Field::Csv { path, line, column } => Place::file_line(path, line, column),
            Field::Toml { path, line, key } => Place::file_line(path, line, key),
        }
    }

    /// `example` as it is written here: `--nodes 10`, `10` in a cell, `nodes = 10` or
    /// `bandwidth = "250MB/s"` in TOML.
    pub fn write_example(&self, example: &str) -> String {
        match *self {
            Field::Flag(flag) if flag.starts_with('-') => format!("{flag} {example}"),
            Field::Flag(_) | Field::Csv { .. } => example.to_string(),
            Field::Toml { key, .. } => {
                let bare = example.parse::<f64>().is_ok_and(f64::is_finite);
                if bare {
                    format!("{key} = {example}")
                } else {
                    format!("{key} = \"{example}\"")
                }
            }
        }
    }

    /// The input error for `value`, refused for `refusal`'s reason.
    pub fn refuse(&self, value: &str, refusal: Refusal) -> Error {
        let mut message = format!(
            "{} {}; expected {}",
            quote(value),
            refusal.problem,
            refusal.expected
        );
        if let Some(example) = &refusal.example {
            message.push_str(", e.g. ");
            message.push_str(&self.write_example(example));
        }
        Error::Input {
            place: self.place(),
            message,
        }
    }

    /// Parses `value` with `parser`, refusing it here.
    pub fn read<T>(
        &self,
        value: &str,
        parser: impl FnOnce(&str) -> Result<T, Refusal>,
    ) -> Result<T, Error> {
        parser(value).map_err(|refusal| self.refuse(value, refusal))
    }
}

/// `'value'`, cut after [`QUOTED_CHARS`] characters.
pub fn quote(value: &str) -> String {
    format!("'{}'", shorten(value))
}

/// `text` for quoting in a message: whole when short, else its first [`QUOTED_CHARS`]
/// characters and how long it was, so a huge bad value never floods a log.
pub fn shorten(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(QUOTED_CHARS) {
        None => std::borrow::Cow::Borrowed(text),
        Some((end, _)) => std::borrow::Cow::Owned(format!(
            "{}… ({} characters)",
            &text[..end],
            text.chars().count()
        )),
    }
}

/// A count of services, nodes or deploys: a whole number of 1 or more.
pub fn count(text: &str) -> Result<u64, Refusal> {
    let trimmed = text.trim();
    let problem = if trimmed.starts_with('-') {
        "is negative"
    } else {
        match trimmed.parse::<u64>() {
            Ok(0) => "is zero",
            Ok(count) => return Ok(count),
            Err(_) if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) => {
                "is too large"
            }
            Err(_) => "is not a whole number",
        }
    };
    Err(Refusal::new(problem, "a whole number of 1 or more").example("10"))
}

/// A node count (a whole number of 1 or more), or `all`: every node of the cluster or of the
/// service's pool.
pub fn nodes(text: &str) -> Result<Nodes, Refusal> {
    if text.trim().eq_ignore_ascii_case("all") {
        return Ok(Nodes::All);
    }
    // A bad count is refused as every count is (the help and docs name 'all').
    count(text).map(Nodes::Count)
}

/// A node pool's size, `NAME=N` (`--pool-nodes gpu=8`).
pub fn pool_nodes(text: &str) -> Result<(String, u64), Refusal> {
    let accepted = "a node pool's name and its number of nodes";
    let Some((name, count_text)) = text.split_once('=') else {
        return Err(Refusal::new("is not a pool size", accepted).example("gpu=8"));
    };
    let name = name.trim();
    if name.is_empty() {
        return Err(Refusal::new("has no pool name", accepted).example("gpu=8"));
    }
    let nodes = count(count_text).map_err(|inner| {
        Refusal::new(format!("has a node count that {}", inner.problem), accepted).example("gpu=8")
    })?;
    Ok((name.to_string(), nodes))
}

/// A scenario's factor above 0 (`3`, `1.5`, `2x`), exact.
pub fn factor(text: &str) -> Result<Fraction, Refusal> {
    let trimmed = text.trim();
    let number = trimmed
        .strip_suffix(['x', 'X', '×'])
        .unwrap_or(trimmed)
        .trim();
    match crate::model::rate::parse_decimal(number) {
        Some(factor) if !factor.is_zero() => Ok(factor),
        Some(_) => Err(Refusal::new("is zero", "a factor above 0").example("3")),
        None => Err(Refusal::new("is not a factor", "a number above 0 (3, 1.5)").example("3")),
    }
}

/// A deploy rate: deploys a day (`10`, `0.5`) or per week or month (`3/week`, `20/month`).
pub fn deploy_rate(text: &str) -> Result<DeployRate, Refusal> {
    DeployRate::parse(text).ok_or_else(|| {
        let trimmed = text.trim();
        let problem = if trimmed.starts_with('-') {
            "is negative"
        } else if DeployRate::parse(&format!("1{}", trimmed.trim_start_matches(['0', '.'])))
            .is_some()
            && !trimmed.is_empty()
        {
            "is zero"
        } else {
            "is not a deploy rate"
        };
        Refusal::new(problem, DeployRate::ACCEPTED).example("3/week")
    })
}

/// A whole number in `range`, of `noun` (`days`, `tags`).
pub fn whole(text: &str, range: RangeInclusive<u64>, noun: &str) -> Result<u64, Refusal> {
    match text.trim().parse::<u64>() {
        Ok(value) if range.contains(&value) => Ok(value),
        _ => Err(Refusal::new(
            "is not accepted",
            format!(
                "a whole number of {noun} from {} to {}",
                range.start(),
                range.end()
            ),
        )),
    }
}

/// The range a decimal number must fall in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Above 0: days, hours.
    Positive,
    /// 0 or more: prices.
    NonNegative,
    /// From 0 to 1: a share.
    Fraction,
}

/// A decimal number of `noun` (`hours`, `days`) within `bound`.
pub fn number(text: &str, bound: Bound, noun: &str) -> Result<f64, Refusal> {
    let value = text.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    let (accepted, words) = match (bound, value) {
        (Bound::Positive, Some(v)) => (v > 0.0, "above 0"),
        (Bound::Positive, None) => (false, "above 0"),
        (Bound::NonNegative, Some(v)) => (v >= 0.0, "of 0 or more"),
        (Bound::NonNegative, None) => (false, "of 0 or more"),
        (Bound::Fraction, Some(v)) => ((0.0..=1.0).contains(&v), "from 0 to 1"),
        (Bound::Fraction, None) => (false, "from 0 to 1"),
    };
    match value {
        Some(value) if accepted => Ok(value),
        _ => Err(Refusal::new(
            "is not accepted",
            if noun.is_empty() {
                format!("a number {words}")
            } else {
                format!("{noun} {words}")
            },
        )),
    }
}

impl UnitError {
    /// What is wrong and what is accepted, without the value.
    pub fn refusal(&self) -> Refusal {
        match self {
            UnitError::EmptySize(_) => {
                Refusal::new("is empty", units::ACCEPTED_SIZES).example("500MB")
            }
            UnitError::NegativeSize(_) => Refusal::new(
                "is negative; sizes are never below zero",
                units::ACCEPTED_SIZES,
            )
            .example("500MB"),
            UnitError::NotASize(_) => {
                Refusal::new("is not a size", units::ACCEPTED_SIZES).example("500MB")
            }
            UnitError::UnknownUnit { unit, .. } => Refusal::new(
                format!("has an unknown unit '{unit}'"),
                units::ACCEPTED_SIZES,
            )
            .example("500MB"),
            UnitError::SizeOverflow(_) => {
                Refusal::new("is too large", "a size below 18.4 EB (2^64 bytes)")
            }
            UnitError::NotARate(_) => {
                Refusal::new("is not a rate", units::ACCEPTED_RATES).example("125MB/s")
            }
            UnitError::ZeroRate(_) => Refusal::new(
                "is zero",
                format!("a rate above zero, {}", units::ACCEPTED_RATES),
            )
            .example("125MB/s"),
            UnitError::BadRatio(_) => Refusal::new(
                "is not a compression ratio",
                "a number above 0 and at most 1 (compressed wire bytes ÷ unpacked disk bytes)",
            )
            .example("0.37"),
        }
    }
}

/// A size in bytes (`500MB`, `1.2 GiB`, `43188023`).
pub fn size(text: &str) -> Result<u64, Refusal> {
    units::parse_size(text).map_err(|e| e.refusal())
}

/// A rate in bytes a second (`125MB/s`).
pub fn rate(text: &str) -> Result<u64, Refusal> {
    units::parse_rate(text).map_err(|e| e.refusal())
}

/// A shared egress limit (`10Gbit/s`, `1.25GB/s`), remembering whether it was in bits.
pub fn egress_limit(text: &str) -> Result<EgressLimit, Refusal> {
    Ok(EgressLimit {
        bytes_per_second: rate(text).map_err(|refusal| refusal.example("10Gbit/s"))?,
        written: text.trim().to_string(),
        in_bits: units::is_bit_rate(text),
    })
}

/// A length of time (`15m`, `90s`, `1h 30m`) in seconds, above 0.
pub fn duration(text: &str) -> Result<f64, Refusal> {
    humantime::parse_duration(text.trim())
        .ok()
        .map(|duration| duration.as_secs_f64())
        .filter(|seconds| *seconds > 0.0)
        .ok_or_else(|| {
            Refusal::new(
                "is not a length of time",
                "a time above 0 with a unit: s, m, h",
            )
            .example("15m")
        })
}

/// A compression ratio, wire ÷ disk (`0.37`).
pub fn ratio(text: &str) -> Result<Ratio, Refusal> {
    Ratio::parse(text).map_err(|e| e.refusal())
}

/// `disk` or `wire`.
pub fn basis(text: &str) -> Result<Basis, Refusal> {
    Basis::parse(text).ok_or_else(|| Refusal::new("is not a basis", Basis::ACCEPTED))
}

/// What every deploy changes: a size (`40MB`) or a share of the image (`30%`).
pub fn changed_per_deploy(text: &str) -> Result<ChangedPerDeploy, Refusal> {
    ChangedPerDeploy::parse(text)
        .ok_or_else(|| Refusal::new("is not accepted", ChangedPerDeploy::ACCEPTED))
}

/// New nodes a day: a share of a pool's nodes (`5%`) or a count (`2`).
pub fn new_nodes(text: &str) -> Result<NewNodes, Refusal> {
    NewNodes::parse(text).ok_or_else(|| Refusal::new("is not accepted", NewNodes::ACCEPTED))
}

/// A size budget: a size or `target` (the runtime target's high end).
pub fn budget(text: &str) -> Result<Budget, Refusal> {
    if text.trim().eq_ignore_ascii_case("target") {
        return Ok(Budget::Target);
    }
    units::parse_size(text).map(Budget::Bytes).map_err(|e| {
        let mut refusal = e.refusal();
        refusal.expected = format!(
            "{}; or 'target' for the runtime target's high end",
            refusal.expected
        );
        refusal
    })
}

/// A growth limit `PCT[,SIZE]`: more than PCT of the baseline and more than SIZE.
pub fn growth(text: &str) -> Result<GrowthLimit, Refusal> {
    let accepted = "a percentage with an optional absolute floor";
    let (percent, floor) = match text.split_once(',') {
        Some((percent, floor)) => (percent, Some(floor)),
        None => (text, None),
    };
    let percent = Percent::parse(percent)
        .ok_or_else(|| Refusal::new("is not a growth limit", accepted).example("5%,10MB"))?;
    let floor_bytes = match floor {
        Some(floor) => units::parse_size(floor).map_err(|e| {
            let inner = e.refusal();
            Refusal::new(
                format!("has a floor '{}' that {}", floor.trim(), inner.problem),
                accepted,
            )
            .example("5%,10MB")
        })?,
        None => 0,
    };
    Ok(GrowthLimit {
        percent,
        floor_bytes,
    })
}

/// A time in RFC 3339 (`2026-11-27T09:00:00Z`), kept as typed.
pub fn time(text: &str) -> Result<String, Refusal> {
    humantime::parse_rfc3339_weak(text.trim())
        .map(|_| text.trim().to_string())
        .map_err(|_| Refusal::new("is not a time", "RFC 3339").example("2026-11-27T09:00:00Z"))
}

/// `--tags REGEX`: a regular expression a tag must match (anywhere: anchor it with `^…$`), at
/// most 1000 characters, compiled within a bounded size.
pub fn tag_pattern(text: &str) -> Result<regex::Regex, Refusal> {
    let refuse = |problem: String| {
        Refusal::new(problem, "a regular expression (Rust regex syntax)").example("^v[0-9]+$")
    };
    if text.len() > 1000 {
        return Err(refuse("is longer than 1000 characters".to_string()));
    }
    regex::RegexBuilder::new(text)
        .size_limit(1 << 20)
        .build()
        .map_err(|error| {
            let first = error.to_string();
            let reason = first.lines().last().unwrap_or("invalid").trim().to_string();
            refuse(format!(
                "is not a regular expression ({})",
                shorten(&reason)
            ))
        })
}

/// Seconds since the Unix epoch of an RFC 3339 time as image configs write it
/// (`2026-11-27T09:00:00.123456789Z`, or with an offset `+02:00`); `None` when it is not one.
pub fn epoch_seconds(text: &str) -> Option<f64> {
    let text = text.trim();
    let at = text
        .len()
        .checked_sub(6)
        .filter(|at| text.is_char_boundary(*at));
    let (utc, offset) = match at.map(|at| text.split_at(at)) {
        Some((time, zone))
            if (zone.starts_with('+') || zone.starts_with('-'))
                && zone.as_bytes()[3] == b':'
                && time.contains('T') =>
        {
            let hours: i64 = zone[1..3].parse().ok()?;
            let minutes: i64 = zone[4..6].parse().ok()?;
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            (format!("{time}Z"), sign * (hours * 3600 + minutes * 60))
        }
        _ => (text.to_string(), 0),
    };
    let time = humantime::parse_rfc3339_weak(&utc).ok()?;
    let seconds = match time.duration_since(std::time::UNIX_EPOCH) {
        Ok(after) => after.as_secs_f64(),
        Err(before) => -before.duration().as_secs_f64(),
    };
    Some(seconds - offset as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_times_are_read_with_fractions_and_offsets() {
        assert_eq!(epoch_seconds("1970-01-02T00:00:00Z"), Some(86_400.0));
        assert_eq!(epoch_seconds("1970-01-02T00:00:00.5Z"), Some(86_400.5));
        assert_eq!(epoch_seconds("1970-01-02T02:00:00+02:00"), Some(86_400.0));
        assert_eq!(epoch_seconds("1970-01-01T23:30:00-00:30"), Some(86_400.0));
        assert_eq!(epoch_seconds("yesterday"), None);
        assert_eq!(epoch_seconds("1970-01-02T00:00:0€"), None);
        assert_eq!(epoch_seconds(""), None);
    }

    #[test]
    fn counts_say_what_is_wrong() {
        assert_eq!(count("10"), Ok(10));
        for (bad, problem) in [
            ("0", "is zero"),
            ("-3", "is negative"),
            ("ten", "is not a whole number"),
            ("1.5", "is not a whole number"),
            ("", "is not a whole number"),
            ("99999999999999999999999", "is too large"),
        ] {
            assert_eq!(count(bad).unwrap_err().problem, problem, "{bad}");
        }
    }

    #[test]
    fn egress_limits_remember_bits_and_windows_read_units() {
        let limit = egress_limit("10Gbit/s").unwrap();
        assert_eq!(limit.bytes_per_second, 1_250_000_000);
        assert!(limit.in_bits);
        assert!(!egress_limit("1.25GB/s").unwrap().in_bits);
        assert_eq!(
            egress_limit("fast").unwrap_err().example.as_deref(),
            Some("10Gbit/s")
        );
        assert_eq!(duration("15m"), Ok(900.0));
        assert!(duration("0s").is_err());
        assert!(duration("soon").is_err());
    }

    #[test]
    fn factors_are_exact() {
        assert_eq!(factor("3").unwrap().to_string(), "3");
        assert_eq!(factor("1.5x").unwrap().to_string(), "1.5");
        assert_eq!(factor("0").unwrap_err().problem, "is zero");
        assert_eq!(factor("-2").unwrap_err().problem, "is not a factor");
    }

    #[test]
    fn nodes_are_a_count_or_all() {
        assert_eq!(nodes("12"), Ok(Nodes::Count(12)));
        assert_eq!(nodes(" ALL "), Ok(Nodes::All));
        assert_eq!(nodes("0").unwrap_err().problem, "is zero");
        assert_eq!(pool_nodes("gpu=8"), Ok(("gpu".to_string(), 8)));
        assert!(pool_nodes("gpu").is_err());
        assert!(pool_nodes("gpu=0").unwrap_err().problem.contains("is zero"));
    }

    #[test]
    fn deploy_rates_say_what_is_wrong() {
        assert_eq!(deploy_rate("3/week").unwrap().to_string(), "3/week");
        for (bad, problem) in [
            ("0", "is zero"),
            ("0/week", "is zero"),
            ("-3", "is negative"),
            ("often", "is not a deploy rate"),
            ("3/fortnight", "is not a deploy rate"),
        ] {
            assert_eq!(deploy_rate(bad).unwrap_err().problem, problem, "{bad}");
        }
    }

    #[test]
    fn each_place_writes_the_example_in_its_own_syntax() {
        let path = Path::new("fleet.csv");
        let refusal = count("0").unwrap_err();
        let flag = Field::Flag("--nodes").refuse("0", refusal.clone());
        assert_eq!(
            flag.to_string(),
            "--nodes: '0' is zero; expected a whole number of 1 or more, e.g. --nodes 10"
        );
        let csv = Field::Csv {
            path,
            line: 2,
            column: "nodes",
        }
        .refuse("0", refusal.clone());
        assert_eq!(
            csv.to_string(),
            "fleet.csv line 2, nodes: '0' is zero; expected a whole number of 1 or more, e.g. 10"
        );
        let toml = Field::Toml {
            path: Path::new("fleet.toml"),
            line: 3,
            key: "nodes",
        };
        assert_eq!(
            toml.refuse("0", refusal).to_string(),
            "fleet.toml line 3, nodes: '0' is zero; expected a whole number of 1 or more, \
             e.g. nodes = 10"
        );
        assert_eq!(toml.write_example("250MB/s"), "nodes = \"250MB/s\"");
    }

    #[test]
    fn long_values_are_cut_when_quoted() {
        let long = "x".repeat(100_000);
        let message = Field::Flag("--before")
            .refuse(&long, size(&long).unwrap_err())
            .to_string();
        assert!(message.len() < 1_000, "{}", message.len());
        assert!(message.contains("… (100000 characters)'"), "{message}");
    }

    #[test]
    fn numbers_respect_their_bound() {
        assert_eq!(number("0", Bound::NonNegative, ""), Ok(0.0));
        assert!(number("0", Bound::Positive, "").is_err());
        assert!(number("1.5", Bound::Fraction, "").is_err());
        assert!(number("NaN", Bound::NonNegative, "").is_err());
        assert!(number("inf", Bound::Positive, "").is_err());
        assert_eq!(
            number("-1", Bound::Positive, "a number of hours")
                .unwrap_err()
                .expected,
            "a number of hours above 0"
        );
        assert_eq!(whole("366", 1..=366, "days"), Ok(366));
        assert!(whole("367", 1..=366, "days").is_err());
    }

    #[test]
    fn growth_limits_and_budgets() {
        let limit = growth("5%,10MB").unwrap();
        assert_eq!(limit.floor_bytes, 10_000_000);
        assert_eq!(limit.percent, Percent::parse("5").unwrap());
        assert!(growth("lots").is_err());
        assert!(growth("5%,ten").unwrap_err().problem.contains("'ten'"));
        assert_eq!(budget("TARGET"), Ok(Budget::Target));
        assert_eq!(budget("1kB"), Ok(Budget::Bytes(1000)));
        assert!(budget("big").unwrap_err().expected.contains("'target'"));
    }
}
