//! Byte sizes, rates and ratios: parsing what users type, displaying what reports show, and the
//! disk/wire basis with the compression ratio (docs/model.md#units-and-bases).
//!
//! Parsing is exact. A size is a plain integer (bytes) or a decimal number followed by a unit,
//! case-insensitive, with an optional space: `B`, `kB`/`KB`, `MB`, `GB`, `TB`, `PB` are decimal
//! (10^3…), `KiB`…`PiB` binary (2^10…); a lowercase `b` means bytes, never bits. Fractions are
//! computed in integer arithmetic on the decimal digits as typed and rounded to the nearest byte,
//! halves away from zero, so `1.2 GiB` is exactly 1,288,490,189 bytes. (The `bytesize` crate goes
//! through `f64` and truncates, giving 1,288,490,188; hence this small parser.)
//!
//! Display uses decimal units with three significant digits, as `docker images` and cloud bills do.

use std::fmt;

/// The sizes a user may type, shown in every size error.
pub const ACCEPTED_SIZES: &str = "a whole number of bytes (43188023) or a number with a unit: \
B, kB, MB, GB, TB, PB (powers of 1000) or KiB, MiB, GiB, TiB, PiB (powers of 1024)";

/// Examples of sizes, after [`ACCEPTED_SIZES`] in messages.
const SIZE_EXAMPLES: &str = "e.g. 500MB, 1.2 GiB, 850 MiB";

/// The rates a user may type, shown in every rate error.
pub const ACCEPTED_RATES: &str = "a size per second such as 125MB/s, 1 GiB/s or 125000000 \
(bytes per second), or bits per second such as 1Gbps, 10Gbit/s";

/// Why a size, rate or ratio could not be read. The caller adds which flag, file or cell it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    #[error("'{0}' is empty; expected {ACCEPTED_SIZES}, {SIZE_EXAMPLES}")]
    EmptySize(String),
    #[error(
        "'{0}' is negative; sizes are never below zero; expected {ACCEPTED_SIZES}, {SIZE_EXAMPLES}"
    )]
    NegativeSize(String),
    #[error("'{0}' is not a size; expected {ACCEPTED_SIZES}, {SIZE_EXAMPLES}")]
    NotASize(String),
    #[error("'{value}' has an unknown unit '{unit}'; expected {ACCEPTED_SIZES}, {SIZE_EXAMPLES}")]
    UnknownUnit { value: String, unit: String },
    #[error("'{0}' is too large: sizes must stay below 18.4 EB (2^64 bytes)")]
    SizeOverflow(String),
    #[error("'{0}' is not a rate; expected {ACCEPTED_RATES}")]
    NotARate(String),
    #[error("'{0}' is zero; expected a rate above zero, {ACCEPTED_RATES}")]
    ZeroRate(String),
    #[error(
        "'{0}' is not a compression ratio; expected a number above 0 and at most 1 \
         (compressed wire bytes ÷ unpacked disk bytes), e.g. 0.37"
    )]
    BadRatio(String),
}

/// Parses a size as typed by a user (see the module docs for the accepted forms).
pub fn parse_size(text: &str) -> Result<u64, UnitError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(UnitError::EmptySize(text.to_string()));
    }
    if trimmed.starts_with('-') {
        return Err(UnitError::NegativeSize(text.to_string()));
    }
    let number_len = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(number_len);
    let decimal = Decimal::parse(number).ok_or_else(|| UnitError::NotASize(text.to_string()))?;
    let unit = unit.trim();
    let multiplier = unit_multiplier(unit).ok_or_else(|| {
        if unit.chars().all(|c| c.is_ascii_alphabetic()) {
            UnitError::UnknownUnit {
                value: text.to_string(),
                unit: unit.to_string(),
            }
        } else {
            UnitError::NotASize(text.to_string())
        }
    })?;
    decimal
        .times_rounded(multiplier)
        .and_then(|bytes| u64::try_from(bytes).ok())
        .ok_or_else(|| UnitError::SizeOverflow(text.to_string()))
}

/// Parses a rate: a size optionally followed by `/s` (bytes per second), or a number of bits a
/// second (`1Gbps`, `10 Gbit/s`, `800kbit/s`: `bps` or `bit/s` after k, M, G or T, each a power
/// of 1000; 8 bits a byte, rounded to the nearest byte). `B/s` and a lowercase `b/s` stay bytes.
/// Zero is refused because every rate divides something.
pub fn parse_rate(text: &str) -> Result<u64, UnitError> {
    let trimmed = text.trim();
    if let Some(bits) = parse_bit_rate(trimmed) {
        let bytes = bits.map_err(|error| match error {
            UnitError::SizeOverflow(_) => UnitError::SizeOverflow(text.to_string()),
            _ => UnitError::NotARate(text.to_string()),
        })?;
        if bytes == 0 {
            return Err(UnitError::ZeroRate(text.to_string()));
        }
        return Ok(bytes);
    }
    let size_part = trimmed
        .strip_suffix("/s")
        .or_else(|| trimmed.strip_suffix("/S"))
        .unwrap_or(trimmed);
    let bytes = parse_size(size_part).map_err(|error| match error {
        UnitError::SizeOverflow(_) => UnitError::SizeOverflow(text.to_string()),
        _ => UnitError::NotARate(text.to_string()),
    })?;
    if bytes == 0 {
        return Err(UnitError::ZeroRate(text.to_string()));
    }
    Ok(bytes)
}

/// Whether `text` is a rate in bits a second (`1Gbps`, `10Gbit/s`), as [`parse_rate`] reads it.
pub fn is_bit_rate(text: &str) -> bool {
    parse_bit_rate(text.trim()).is_some()
}

/// A rate in bits a second, in bytes a second; `None` when `text` does not end in `bps` or
/// `bit/s` (`bits/s`).
fn parse_bit_rate(text: &str) -> Option<Result<u64, UnitError>> {
    let lower = text.to_ascii_lowercase();
    let stem_len = ["bits/s", "bit/s"]
        .iter()
        .find(|suffix| lower.ends_with(*suffix))
        .map(|suffix| text.len() - suffix.len())
        .or_else(|| text.strip_suffix("bps").map(str::len))?;
    let stem = text[..stem_len].trim_end();
    let (number, multiplier) = match stem.chars().last() {
        Some('k' | 'K') => (&stem[..stem.len() - 1], 1_000),
        Some('M') => (&stem[..stem.len() - 1], 1_000_000),
        Some('G' | 'g') => (&stem[..stem.len() - 1], 1_000_000_000),
        Some('T' | 't') => (&stem[..stem.len() - 1], 1_000_000_000_000),
        _ => (stem, 1),
    };
    let not_a_rate = || UnitError::NotARate(text.to_string());
    Some(
        Decimal::parse(number.trim())
            .ok_or_else(not_a_rate)
            .and_then(|decimal| {
                // bits × multiplier ÷ 8, rounded once: scale the decimal to bytes exactly.
                let bits = decimal.times_rounded(multiplier * 1_000);
                bits.map(|millibits| divide_rounded(millibits, 8_000))
                    .and_then(|bytes| u64::try_from(bytes).ok())
                    .ok_or_else(|| UnitError::SizeOverflow(text.to_string()))
            }),
    )
}

fn unit_multiplier(unit: &str) -> Option<u128> {
    let lower = unit.to_ascii_lowercase();
    let multiplier = match lower.as_str() {
        "" | "b" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        "pb" => 1_000_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        "pib" => 1 << 50,
        _ => return None,
    };
    Some(multiplier)
}

/// A non-negative decimal number kept as `digits / 10^scale`, so arithmetic on it is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Decimal {
    digits: u128,
    scale: u32,
}

impl Decimal {
    /// Reads `123`, `1.5`, `.5` or `5.`; anything else (signs, exponents, several dots) is `None`.
    fn parse(text: &str) -> Option<Decimal> {
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (text, ""),
        };
        let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        let mut digits: u128 = 0;
        for byte in whole.bytes().chain(fraction.bytes()) {
            digits = digits
                .checked_mul(10)?
                .checked_add(u128::from(byte - b'0'))?;
        }
        Some(Decimal {
            digits,
            scale: u32::try_from(fraction.len()).ok()?,
        })
    }

    /// `self × multiplier`, rounded to the nearest integer, halves away from zero.
    fn times_rounded(self, multiplier: u128) -> Option<u128> {
        let denominator = 10u128.checked_pow(self.scale)?;
        let product = self.digits.checked_mul(multiplier)?;
        Some(divide_rounded(product, denominator))
    }
}

/// `numerator / denominator` rounded to the nearest integer, halves away from zero.
pub fn divide_rounded(numerator: u128, denominator: u128) -> u128 {
    // On a machine word when both fit: a u128 division and remainder are library calls, and
    // every row's figures take several of these.
    if let (Ok(numerator), Ok(denominator)) = (u64::try_from(numerator), u64::try_from(denominator))
    {
        let quotient = numerator / denominator;
        let remainder = numerator % denominator;
        // No overflow: a remainder is left only when the denominator is 2 or more.
        return u128::from(
            quotient + u64::from(remainder >= denominator - remainder && remainder > 0),
        );
    }
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    if remainder >= denominator - remainder {
        quotient + 1
    } else {
        quotient
    }
}

/// `value / divisor` rounded to the nearest integer, halves away from zero.
pub fn divide_rounded_signed(value: i128, divisor: u128) -> i128 {
    if divisor == 0 {
        return 0;
    }
    let magnitude = divide_rounded(value.unsigned_abs(), divisor);
    // magnitude ≤ |value|, which fits in i128 except for i128::MIN: saturate there.
    let magnitude = i128::try_from(magnitude).unwrap_or(i128::MAX);
    if value < 0 { -magnitude } else { magnitude }
}

/// The compression ratio wire ÷ disk, kept as an exact decimal fraction so that sizes derived
/// with it are exact: `0.37` is 37/100, not the nearest binary float.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    numerator: u128,
    denominator: u128,
}

impl Ratio {
    /// Parses a ratio as typed (`0.37`); it must be above 0 and at most 1.
    pub fn parse(text: &str) -> Result<Ratio, UnitError> {
        let bad = || UnitError::BadRatio(text.to_string());
        let decimal = Decimal::parse(text.trim()).ok_or_else(bad)?;
        let denominator = 10u128.checked_pow(decimal.scale).ok_or_else(bad)?;
        if decimal.digits == 0 || decimal.digits > denominator || decimal.scale > 18 {
            return Err(bad());
        }
        Ok(Ratio {
            numerator: decimal.digits,
            denominator,
        })
    }

    /// Takes a ratio read as a float (from TOML) through its shortest decimal form, so `0.37`
    /// in a file means exactly 37/100.
    pub fn from_f64(value: f64) -> Result<Ratio, UnitError> {
        if !value.is_finite() {
            return Err(UnitError::BadRatio(value.to_string()));
        }
        Ratio::parse(&format!("{value}"))
    }

    /// The ratio as a float, for display and for JSON.
    pub fn as_f64(self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }

    /// Wire bytes estimated from disk bytes: `round(disk × ratio)`.
    pub fn wire_from_disk(self, disk_bytes: u64) -> u64 {
        let product = u128::from(disk_bytes) * self.numerator;
        // ratio ≤ 1, so the result never exceeds disk_bytes.
        divide_rounded(product, self.denominator) as u64
    }

    /// Disk bytes estimated from wire bytes: `round(wire ÷ ratio)`; `None` if it would not fit.
    pub fn disk_from_wire(self, wire_bytes: u64) -> Option<u64> {
        let product = u128::from(wire_bytes).checked_mul(self.denominator)?;
        u64::try_from(divide_rounded(product, self.numerator)).ok()
    }
}

/// 1: wire bytes equal disk bytes (the blank before the defaults are read).
impl Default for Ratio {
    fn default() -> Ratio {
        Ratio {
            numerator: 1,
            denominator: 1,
        }
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_f64())
    }
}

/// A percentage kept as an exact decimal fraction: `5%` is 5/100, `2.5%` is 25/1000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Percent {
    numerator: u128,
    denominator: u128,
}

impl Percent {
    /// Parses `5%`, `5`, `2.5%` (0 to 10,000).
    pub fn parse(text: &str) -> Option<Percent> {
        let number = text.trim().trim_end_matches('%').trim();
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty()
            || !digits_only(whole)
            || !digits_only(fraction)
            || fraction.len() > 6
            || whole.len() > 5
        {
            return None;
        }
        let numerator: u128 = format!("{whole}{fraction}").parse().ok()?;
        let denominator = 100 * 10u128.pow(fraction.len() as u32);
        (numerator <= 10_000 * 10u128.pow(fraction.len() as u32)).then_some(Percent {
            numerator,
            denominator,
        })
    }

    /// `⌊self × bytes⌋`.
    pub fn of(self, bytes: u64) -> u64 {
        let product = u128::from(bytes) * self.numerator / self.denominator;
        u64::try_from(product).unwrap_or(u64::MAX)
    }

    /// The percentage as a float, for display.
    pub fn as_percent(self) -> f64 {
        self.numerator as f64 * 100.0 / self.denominator as f64
    }
}

/// Which size a user typed: unpacked (`disk`, the default) or compressed (`wire`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    #[default]
    Disk,
    Wire,
}

impl Basis {
    pub const ACCEPTED: &'static str = "disk (unpacked, as docker images shows) or wire \
(compressed, as the registry manifest lists)";

    pub fn parse(text: &str) -> Option<Basis> {
        match text.trim().to_ascii_lowercase().as_str() {
            "disk" => Some(Basis::Disk),
            "wire" => Some(Basis::Wire),
            _ => None,
        }
    }
}

impl fmt::Display for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Basis::Disk => "disk",
            Basis::Wire => "wire",
        })
    }
}

const DECIMAL_UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];

/// Formats a byte count with decimal units and three significant digits: `840 GB`, `311 GB`,
/// `43.2 MB`, `-35.0 MB`. Counts below 1000 are shown exactly (`512 B`).
pub fn format_bytes(bytes: i128) -> String {
    format_scaled(bytes, "")
}

/// Formats a range of sizes, sharing the unit when both ends have the same one: `70–120 MB`,
/// `800 MB–1.20 GB`.
pub fn format_range(low: u64, high: u64) -> String {
    let low_text = format_bytes(i128::from(low));
    let high_text = format_bytes(i128::from(high));
    match (low_text.rsplit_once(' '), high_text.rsplit_once(' ')) {
        (Some((low_number, low_unit)), Some((high_number, high_unit))) if low_unit == high_unit => {
            let trim = |number: &str| {
                let trimmed = number.trim_end_matches('0');
                if trimmed.ends_with('.') {
                    trimmed.trim_end_matches('.').to_string()
                } else {
                    number.to_string()
                }
            };
            format!("{}–{} {high_unit}", trim(low_number), trim(high_number))
        }
        _ => format!("{low_text}–{high_text}"),
    }
}

/// Formats a rate in bytes per second: `125 MB/s`.
pub fn format_rate(bytes_per_second: u64) -> String {
    format_scaled(i128::from(bytes_per_second), "/s")
}

fn format_scaled(bytes: i128, suffix: &str) -> String {
    let sign = if bytes < 0 { "-" } else { "" };
    let magnitude = bytes.unsigned_abs();
    if magnitude < 1000 {
        return format!("{sign}{magnitude} B{suffix}");
    }
    let mut unit = 0;
    let mut value = magnitude as f64;
    while value >= 1000.0 && unit + 1 < DECIMAL_UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    let mut text = three_significant(value);
    // 999.6 MB rounds to "1000": show it as 1.00 GB instead.
    if text == "1000" && unit + 1 < DECIMAL_UNITS.len() {
        unit += 1;
        text = "1.00".to_string();
    }
    format!("{sign}{text} {}{suffix}", DECIMAL_UNITS[unit])
}

/// Three significant digits for a value in [1, 1000).
fn three_significant(value: f64) -> String {
    if value >= 99.95 {
        format!("{value:.0}")
    } else if value >= 9.995 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// Formats seconds for reports: `4.55 s`, `0.120 s`, `1.5 min` style is avoided so columns align.
pub fn format_seconds(seconds: f64) -> String {
    let magnitude = seconds.abs();
    if magnitude == 0.0 {
        "0 s".to_string()
    } else if magnitude >= 100.0 {
        format!("{seconds:.0} s")
    } else if magnitude >= 10.0 {
        format!("{seconds:.1} s")
    } else if magnitude >= 0.01 {
        format!("{seconds:.2} s")
    } else {
        format!("{seconds:.3} s")
    }
}

/// A span of days as people say it: `less than a day`, `12 days`, `3.2 months`,
/// `about 38 years`; never thousands of days.
pub fn format_days(days: f64) -> String {
    let days = days.abs();
    if days < 1.0 {
        "less than a day".to_string()
    } else if days < 60.0 {
        let whole = days.round();
        if whole == 1.0 {
            "1 day".to_string()
        } else {
            format!("{whole:.0} days")
        }
    } else if days < 730.0 {
        format!("{:.1} months", days / (365.0 / 12.0))
    } else {
        format!("about {:.0} years", days / 365.0)
    }
}

/// Formats an amount of money with thousands separators and cents below 100: `$5,103`, `$13.99`.
pub fn format_money(amount: f64, currency: &str) -> String {
    let symbol = if currency == "USD" { "$" } else { "" };
    let sign = if amount < 0.0 { "-" } else { "" };
    let magnitude = amount.abs();
    let body = if magnitude >= 100.0 {
        group_thousands(&format!("{magnitude:.0}"))
    } else {
        format!("{magnitude:.2}")
    };
    if symbol.is_empty() {
        format!("{sign}{body} {currency}")
    } else {
        format!("{sign}{symbol}{body}")
    }
}

/// Formats a unit price with at least two decimals: `$0.10`, `$0.045`, `$120.00`, `0.05 EUR`.
pub fn format_price(price: f64, currency: &str) -> String {
    let shortest = format!("{price}");
    let decimals = shortest
        .split_once('.')
        .map_or(0, |(_, fraction)| fraction.len());
    let body = format!("{price:.prec$}", prec = decimals.max(2));
    if currency == "USD" {
        format!("${body}")
    } else {
        format!("{body} {currency}")
    }
}

/// Inserts `,` every three digits of a whole number written in ASCII digits.
pub fn group_thousands(digits: &str) -> String {
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, ch) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    grouped
}

/// Formats a count with thousands separators: `2,000`.
pub fn format_count(count: u128) -> String {
    group_thousands(&count.to_string())
}

/// A count with its noun, plural when it is not 1: `1 pull`, `2,000 pulls`, `3 nodes`.
pub fn counted(count: u128, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", format_count(count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    mod word {
        use super::divide_rounded;
        use proptest::prelude::*;

        proptest! {
            /// The machine-word path rounds as the u128 arithmetic does.
            #[test]
            fn divide_rounded_on_a_word_agrees_with_u128(
                numerator in prop_oneof![0..10u128, any::<u64>().prop_map(u128::from), any::<u128>()],
                denominator in prop_oneof![1..10u128, any::<u64>().prop_map(|d| u128::from(d.max(1))), 1..=u128::MAX],
            ) {
                let (quotient, remainder) = (numerator / denominator, numerator % denominator);
                let expected =
                    if remainder >= denominator - remainder { quotient + 1 } else { quotient };
                prop_assert_eq!(divide_rounded(numerator, denominator), expected);
            }
        }
    }

    #[test]
    fn plain_integers_are_bytes() {
        assert_eq!(parse_size("43188023"), Ok(43_188_023));
        assert_eq!(parse_size("0"), Ok(0));
        assert_eq!(parse_size(" 12 "), Ok(12));
    }

    #[test]
    fn decimal_and_binary_units() {
        assert_eq!(parse_size("500MB"), Ok(500_000_000));
        assert_eq!(parse_size("500 mb"), Ok(500_000_000));
        assert_eq!(parse_size("1kB"), Ok(1_000));
        assert_eq!(parse_size("1KB"), Ok(1_000));
        assert_eq!(parse_size("2 TB"), Ok(2_000_000_000_000));
        assert_eq!(parse_size("1PB"), Ok(1_000_000_000_000_000));
        assert_eq!(parse_size("850 MiB"), Ok(850 * 1_048_576));
        assert_eq!(parse_size("1KiB"), Ok(1024));
        assert_eq!(parse_size("1 pib"), Ok(1 << 50));
        assert_eq!(parse_size("7b"), Ok(7));
        assert_eq!(parse_size("7 B"), Ok(7));
    }

    #[test]
    fn fractions_round_to_the_nearest_byte() {
        assert_eq!(parse_size("1.2 GiB"), Ok(1_288_490_189));
        assert_eq!(parse_size("0.5GB"), Ok(500_000_000));
        assert_eq!(parse_size("1.1GB"), Ok(1_100_000_000));
        assert_eq!(parse_size(".5kB"), Ok(500));
        // 1.5 bytes is a half: away from zero.
        assert_eq!(parse_size("1.5"), Ok(2));
        assert_eq!(parse_size("0.0004kB"), Ok(0));
        assert_eq!(parse_size("0.0005kB"), Ok(1));
    }

    #[test]
    fn bad_sizes_are_rejected_with_the_value_quoted() {
        for bad in [
            "", "  ", "5OOMB", "-3", "-5MB", "NaN", "inf", "1e3", "1.2.3MB", "MB", ".",
        ] {
            let error = parse_size(bad).expect_err(bad);
            let message = error.to_string();
            assert!(message.contains(&format!("'{bad}'")), "{message}");
            assert!(message.contains("500MB"), "{message}");
        }
        assert!(matches!(
            parse_size("12 bits"),
            Err(UnitError::UnknownUnit { .. })
        ));
        assert!(matches!(parse_size("12 Gb/s"), Err(UnitError::NotASize(_))));
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        assert_eq!(parse_size("18446744073709551615"), Ok(u64::MAX));
        assert!(matches!(
            parse_size("18446744073709551616"),
            Err(UnitError::SizeOverflow(_))
        ));
        assert!(matches!(
            parse_size("20000 PB"),
            Err(UnitError::SizeOverflow(_))
        ));
        assert!(parse_size(&"9".repeat(60)).is_err());
    }

    #[test]
    fn bit_rates_are_eight_bits_a_byte() {
        assert_eq!(parse_rate("1Gbps"), Ok(125_000_000));
        assert_eq!(parse_rate("10Gbit/s"), Ok(1_250_000_000));
        assert_eq!(parse_rate("10 Gbit/s"), Ok(1_250_000_000));
        assert_eq!(parse_rate("100 Mbps"), Ok(12_500_000));
        assert_eq!(parse_rate("800kbit/s"), Ok(100_000));
        assert_eq!(parse_rate("2.5Gbits/s"), Ok(312_500_000));
        assert_eq!(parse_rate("12bps"), Ok(2)); // 1.5 bytes, halves up
        assert_eq!(parse_rate("8 bit/s"), Ok(1));
        // B/s and a lowercase b/s stay bytes.
        assert_eq!(parse_rate("1GB/s"), Ok(1_000_000_000));
        assert_eq!(parse_rate("1Gb/s"), Ok(1_000_000_000));
        assert!(matches!(parse_rate("0Gbps"), Err(UnitError::ZeroRate(_))));
        assert!(matches!(parse_rate("10mbps"), Err(UnitError::NotARate(_))));
        assert!(matches!(parse_rate("Gbps"), Err(UnitError::NotARate(_))));
        assert!(matches!(parse_rate("-1Gbps"), Err(UnitError::NotARate(_))));
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("125MB/s"), Ok(125_000_000));
        assert_eq!(parse_rate("125 MB"), Ok(125_000_000));
        assert_eq!(parse_rate("1 GiB/s"), Ok(1 << 30));
        assert!(matches!(parse_rate("0MB/s"), Err(UnitError::ZeroRate(_))));
        assert!(matches!(parse_rate("fast"), Err(UnitError::NotARate(_))));
    }

    #[test]
    fn ratios_are_exact_decimals() {
        let ratio = Ratio::parse("0.37").unwrap();
        assert_eq!(ratio.wire_from_disk(500_000_000), 185_000_000);
        assert_eq!(ratio.wire_from_disk(80_000_000), 29_600_000);
        // 1 × 0.37 = 0.37 → 0; 2 × 0.37 = 0.74 → 1; 50 × 0.37 = 18.5 → 19 (half away from zero).
        assert_eq!(ratio.wire_from_disk(1), 0);
        assert_eq!(ratio.wire_from_disk(2), 1);
        assert_eq!(ratio.wire_from_disk(50), 19);
        assert_eq!(ratio.disk_from_wire(37), Some(100));
        assert_eq!(ratio.disk_from_wire(185_000_000), Some(500_000_000));
        assert_eq!(Ratio::from_f64(0.37), Ok(ratio));
        assert_eq!(ratio.as_f64(), 0.37);
        assert_eq!(ratio.wire_from_disk(u64::MAX), 6_825_295_307_272_534_098);
    }

    #[test]
    fn bad_ratios() {
        for bad in ["0", "0.0", "1.5", "-0.3", "abc", "", "NaN"] {
            assert!(Ratio::parse(bad).is_err(), "{bad}");
        }
        assert!(Ratio::parse("1").is_ok());
        assert!(Ratio::from_f64(f64::NAN).is_err());
    }

    #[test]
    fn display_has_three_significant_digits() {
        assert_eq!(format_bytes(840_000_000_000), "840 GB");
        assert_eq!(format_bytes(310_800_000_000), "311 GB");
        assert_eq!(format_bytes(113_442_000_000_000), "113 TB");
        assert_eq!(format_bytes(43_188_023), "43.2 MB");
        assert_eq!(format_bytes(1_288_490_189), "1.29 GB");
        assert_eq!(format_bytes(-35_000_000), "-35.0 MB");
        assert_eq!(format_bytes(999_600_000), "1.00 GB");
        assert_eq!(format_bytes(999), "999 B");
        assert_eq!(format_bytes(0), "0 B");
        assert_eq!(format_bytes(1000), "1.00 kB");
        assert_eq!(format_rate(125_000_000), "125 MB/s");
        assert_eq!(format_range(70_000_000, 120_000_000), "70–120 MB");
        assert_eq!(format_range(10_000_000, 25_000_000), "10–25 MB");
        assert_eq!(format_range(10_500_000, 25_000_000), "10.5–25 MB");
        assert_eq!(format_range(800_000_000, 1_200_000_000), "800 MB–1.20 GB");
    }

    #[test]
    fn money_and_counts() {
        assert_eq!(format_money(5103.4, "USD"), "$5,103");
        assert_eq!(format_money(13.986, "USD"), "$13.99");
        assert_eq!(format_money(-2.5, "USD"), "-$2.50");
        assert_eq!(format_money(1234.0, "EUR"), "1,234 EUR");
        assert_eq!(format_count(2000), "2,000");
        assert_eq!(format_price(0.1, "USD"), "$0.10");
        assert_eq!(format_days(0.4), "less than a day");
        assert_eq!(format_days(1.2), "1 day");
        assert_eq!(format_days(40.0), "40 days");
        assert_eq!(format_days(273.4), "9.0 months");
        assert_eq!(format_days(6369.1), "about 17 years");
        assert_eq!(format_days(13_968.0), "about 38 years");
        assert_eq!(format_price(0.045, "USD"), "$0.045");
        assert_eq!(format_price(0.0, "USD"), "$0.00");
        assert_eq!(format_price(120.0, "EUR"), "120.00 EUR");
        assert_eq!(format_count(1_234_567), "1,234,567");
        assert_eq!(format_count(12), "12");
    }

    #[test]
    fn basis() {
        assert_eq!(Basis::parse("WIRE"), Some(Basis::Wire));
        assert_eq!(Basis::parse("tar"), None);
    }
}
