//! Exact rates: deploys as people say them (`10`, `0.5`, `3/week`, `20/month`) and the
//! fractions of pulls a day they make, kept exact so pull counts never drift
//! (docs/model.md#deploy-rates).
//!
//! A month is `days_per_year ÷ 12` days, so a monthly rate becomes a daily one only once the
//! assumptions are known: [`DeployRate::per_day`] takes `days_per_year`.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::units::divide_rounded_signed;

/// A non-negative exact fraction `numerator / denominator`, always in lowest terms with a
/// denominator of 1 or more. Every operation is checked: `None` rather than a wrapped number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fraction {
    numerator: u128,
    denominator: u128,
}

/// The greatest common divisor (`gcd(0, 0)` is 0). Most values fit a machine word, whose
/// remainder is one instruction where a `u128`'s is a library call, and most denominators are
/// 1: both are taken first (the full-pull model reduces fractions for every row, three times).
fn gcd(mut a: u128, mut b: u128) -> u128 {
    if a == 1 || b == 1 {
        return 1;
    }
    if let (Ok(mut x), Ok(mut y)) = (u64::try_from(a), u64::try_from(b)) {
        while y != 0 {
            (x, y) = (y, x % y);
        }
        return u128::from(x);
    }
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `value / divisor`, skipping the division by 1 (a library call for `u128`).
fn divided(value: u128, divisor: u128) -> u128 {
    if divisor == 1 { value } else { value / divisor }
}

impl Fraction {
    pub const ZERO: Fraction = Fraction {
        numerator: 0,
        denominator: 1,
    };

    /// `numerator / denominator` in lowest terms; `None` for a zero denominator.
    pub fn new(numerator: u128, denominator: u128) -> Option<Fraction> {
        if denominator == 0 {
            return None;
        }
        let divisor = gcd(numerator, denominator).max(1);
        Some(Fraction {
            numerator: divided(numerator, divisor),
            denominator: divided(denominator, divisor),
        })
    }

    pub fn whole(value: u128) -> Fraction {
        Fraction {
            numerator: value,
            denominator: 1,
        }
    }

    pub fn numerator(self) -> u128 {
        self.numerator
    }

    pub fn denominator(self) -> u128 {
        self.denominator
    }

    pub fn is_whole(self) -> bool {
        self.denominator == 1
    }

    pub fn is_zero(self) -> bool {
        self.numerator == 0
    }

    pub fn as_f64(self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }

    /// The nearest whole number, halves up.
    pub fn rounded(self) -> u128 {
        crate::units::divide_rounded(self.numerator, self.denominator)
    }

    /// The count with its noun for text, rounded: `2,000 pulls`, `4.3 pulls` (30/7), `0.5
    /// deploys`; below 100 one decimal is kept, above the nearest whole number.
    pub fn counted(self, noun: &str) -> String {
        if self.is_whole() || self.as_f64() >= 100.0 {
            return crate::units::counted(self.rounded(), noun);
        }
        let tenths =
            crate::units::divide_rounded(self.numerator.saturating_mul(10), self.denominator);
        if tenths.is_multiple_of(10) {
            crate::units::counted(tenths / 10, noun)
        } else {
            format!("{}.{} {noun}s", tenths / 10, tenths % 10)
        }
    }

    pub fn checked_mul(self, other: Fraction) -> Option<Fraction> {
        // Cross-reduce first so products stay small.
        let a = gcd(self.numerator, other.denominator).max(1);
        let b = gcd(other.numerator, self.denominator).max(1);
        Fraction::new(
            divided(self.numerator, a).checked_mul(divided(other.numerator, b))?,
            divided(self.denominator, b).checked_mul(divided(other.denominator, a))?,
        )
    }

    pub fn checked_mul_whole(self, factor: u128) -> Option<Fraction> {
        self.checked_mul(Fraction::whole(factor))
    }

    pub fn checked_add(self, other: Fraction) -> Option<Fraction> {
        let common = gcd(self.denominator, other.denominator).max(1);
        let left = divided(self.denominator, common);
        let right = divided(other.denominator, common);
        Fraction::new(
            self.numerator
                .checked_mul(right)?
                .checked_add(other.numerator.checked_mul(left)?)?,
            self.denominator.checked_mul(right)?,
        )
    }

    /// `value × self`, rounded to the nearest integer (halves away from zero).
    pub fn times_rounded(self, value: i128) -> Option<i128> {
        let numerator = i128::try_from(self.numerator).ok()?;
        if self.denominator == 1 {
            return value.checked_mul(numerator);
        }
        let product = value.checked_mul(numerator)?;
        Some(divide_rounded_signed(product, self.denominator))
    }

    /// `value ÷ self`, rounded to the nearest integer; 0 when self is zero.
    pub fn divide_rounded(self, value: i128) -> Option<i128> {
        if self.numerator == 0 {
            return Some(0);
        }
        let denominator = i128::try_from(self.denominator).ok()?;
        Some(divide_rounded_signed(
            value.checked_mul(denominator)?,
            self.numerator,
        ))
    }
}

/// Equal to a whole number when it is that number.
impl PartialEq<u128> for Fraction {
    fn eq(&self, other: &u128) -> bool {
        self.is_whole() && self.numerator == *other
    }
}

impl Default for Fraction {
    fn default() -> Fraction {
        Fraction::ZERO
    }
}

/// A whole number as an integer, anything else as the nearest `f64` (30/7 →
/// 4.285714285714286), so outputs of whole rates are unchanged.
impl Serialize for Fraction {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.is_whole() {
            serializer.serialize_u128(self.numerator)
        } else {
            serializer.serialize_f64(self.as_f64())
        }
    }
}

impl schemars::JsonSchema for Fraction {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Fraction".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An exact count that may be fractional (3 deploys a week on 10 nodes \
                            are 30/7 pulls a day): an integer when whole, else the nearest \
                            double.",
            "type": "number",
            "minimum": 0,
        })
    }
}

/// `4`, `0.5`, `30/7`: whole numbers and terminating decimals as decimals, others as a
/// fraction.
impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_whole() {
            return write!(f, "{}", self.numerator);
        }
        // A terminating decimal when the denominator divides a power of ten of 18 digits or
        // fewer.
        let mut scale: u128 = 1;
        for digits in 1..=18 {
            scale *= 10;
            if scale.is_multiple_of(self.denominator) {
                let Some(scaled) = self.numerator.checked_mul(scale / self.denominator) else {
                    break;
                };
                let whole = scaled / scale;
                let fraction = scaled % scale;
                return write!(f, "{whole}.{fraction:0digits$}");
            }
        }
        write!(f, "{}/{}", self.numerator, self.denominator)
    }
}

/// A shared egress limit (a NAT gateway, a registry mirror) as read: its bytes a second and
/// whether it was written in bits (`10Gbit/s`) or bytes (`1.25GB/s`), so reports say which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EgressLimit {
    pub bytes_per_second: u64,
    pub written: String,
    pub in_bits: bool,
}

/// The period a deploy rate is said in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Day,
    Week,
    /// `days_per_year ÷ 12` days.
    Month,
}

impl Period {
    fn name(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }
}

/// Deploys of a service, as written: a count (above 0, decimals allowed) per day, week or month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeployRate {
    pub count: Fraction,
    pub per: Period,
}

impl DeployRate {
    pub const ACCEPTED: &'static str = "a number of deploys above 0 a day (10, 0.5) or per week \
                                        or month (3/week, 20/month)";

    /// `count` deploys a day.
    pub fn daily(count: u64) -> DeployRate {
        DeployRate {
            count: Fraction::whole(u128::from(count)),
            per: Period::Day,
        }
    }

    /// Deploys a day, exactly; a month is `days_per_year ÷ 12` days.
    pub fn per_day(self, days_per_year: u64) -> Fraction {
        let divisor = match self.per {
            Period::Day => Fraction::whole(1),
            Period::Week => Fraction::whole(7),
            Period::Month => {
                Fraction::new(u128::from(days_per_year.max(1)), 12).unwrap_or(Fraction::whole(1))
            }
        };
        // count ÷ divisor: count × (denominator / numerator); a small divisor cannot overflow
        // counts parsed from at most 20 digits.
        let inverse =
            Fraction::new(divisor.denominator, divisor.numerator).unwrap_or(Fraction::whole(1));
        self.count.checked_mul(inverse).unwrap_or(self.count)
    }

    /// This rate multiplied by `factor` (a scenario's `--scale-deploys`).
    pub fn scaled(self, factor: Fraction) -> Option<DeployRate> {
        Some(DeployRate {
            count: self.count.checked_mul(factor)?,
            per: self.per,
        })
    }

    /// Reads `10`, `0.5`, `3/week`, `20/month` (also `/day`); `None` when not accepted.
    pub fn parse(text: &str) -> Option<DeployRate> {
        let text = text.trim();
        let (count, per) = match text.split_once('/') {
            Some((count, period)) => {
                let per = match period.trim().to_ascii_lowercase().as_str() {
                    "day" | "d" => Period::Day,
                    "week" | "wk" | "w" => Period::Week,
                    "month" | "mo" => Period::Month,
                    _ => return None,
                };
                (count.trim(), per)
            }
            None => (text, Period::Day),
        };
        let count = parse_decimal(count).filter(|count| !count.is_zero())?;
        Some(DeployRate { count, per })
    }
}

/// `10`, `3/week`, `20/month`, `0.5`: the rate as it can be written back.
impl fmt::Display for DeployRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.per {
            Period::Day => write!(f, "{}", self.count),
            per => write!(f, "{}/{}", self.count, per.name()),
        }
    }
}

/// A plain non-negative decimal (`12`, `0.25`, `.5`) as an exact fraction: no sign, no
/// exponent, at most 38 digits each side of the point.
pub fn parse_decimal(text: &str) -> Option<Fraction> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |part: &str| part.len() <= 38 && part.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return None;
    }
    let scale = 10u128.checked_pow(u32::try_from(fraction.len()).ok()?)?;
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: u128 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().ok()?
    };
    Fraction::new(whole.checked_mul(scale)?.checked_add(fraction)?, scale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn f(n: u128, d: u128) -> Fraction {
        Fraction::new(n, d).unwrap()
    }

    /// Euclid's algorithm on `u128` throughout: what [`gcd`]'s shortcuts must agree with.
    fn euclid(mut a: u128, mut b: u128) -> u128 {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    }

    proptest! {
        /// The machine-word and 1 shortcuts give Euclid's divisor, for small, word-sized and
        /// wider values alike.
        #[test]
        fn gcd_agrees_with_euclid(
            a in prop_oneof![0..4u128, any::<u64>().prop_map(u128::from), any::<u128>()],
            b in prop_oneof![0..4u128, any::<u64>().prop_map(u128::from), any::<u128>()],
            common in prop_oneof![Just(1u128), 2..1000u128],
        ) {
            let (a, b) = (a / common * common, b / common * common);
            prop_assert_eq!(gcd(a, b), euclid(a, b));
            prop_assert_eq!(divided(a, 1), a);
        }
    }

    #[test]
    fn rates_as_people_say_them() {
        assert_eq!(DeployRate::parse("10").unwrap().per_day(365), f(10, 1));
        assert_eq!(DeployRate::parse("0.5").unwrap().per_day(365), f(1, 2));
        assert_eq!(DeployRate::parse("3/week").unwrap().per_day(365), f(3, 7));
        assert_eq!(
            DeployRate::parse("20/month").unwrap().per_day(365),
            f(240, 365)
        );
        assert_eq!(
            DeployRate::parse(" 2 / Day ").unwrap().per_day(365),
            f(2, 1)
        );
        for bad in [
            "0",
            "-1",
            "1e3",
            "ten",
            "3/fortnight",
            "",
            "/week",
            "0/week",
            "1.2.3",
        ] {
            assert_eq!(DeployRate::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn rates_write_back_as_read() {
        for text in ["10", "0.5", "3/week", "20/month", "2.25/week"] {
            assert_eq!(DeployRate::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(f(30, 7).to_string(), "30/7");
    }

    #[test]
    fn three_a_week_on_ten_nodes_is_thirty_sevenths_exactly() {
        let pulls = DeployRate::parse("3/week")
            .unwrap()
            .per_day(365)
            .checked_mul_whole(10)
            .unwrap();
        assert_eq!(pulls, f(30, 7));
        assert_eq!(serde_json::to_string(&pulls).unwrap(), "4.285714285714286");
        assert_eq!(serde_json::to_string(&f(20, 1)).unwrap(), "20");
        // Seven days of it are exactly 30 pulls: no drift.
        assert_eq!(pulls.checked_mul_whole(7).unwrap(), f(30, 1));
    }

    #[test]
    fn text_rounds_fractional_counts() {
        assert_eq!(f(30, 7).counted("pull"), "4.3 pulls");
        assert_eq!(f(1, 2).counted("deploy"), "0.5 deploys");
        assert_eq!(f(2000, 1).counted("pull"), "2,000 pulls");
        assert_eq!(f(1, 1).counted("pull"), "1 pull");
        assert_eq!(f(30_001, 7).counted("pull"), "4,286 pulls");
        assert_eq!(f(99, 100).counted("pull"), "1 pull");
    }

    #[test]
    fn fractions_add_and_round() {
        assert_eq!(f(1, 2).checked_add(f(1, 3)).unwrap(), f(5, 6));
        assert_eq!(f(30, 7).times_rounded(7), Some(30));
        assert_eq!(f(1, 2).times_rounded(-3), Some(-2));
        assert_eq!(f(30, 7).divide_rounded(300), Some(70));
        assert_eq!(Fraction::ZERO.divide_rounded(5), Some(0));
        assert_eq!(f(u128::MAX, 1).checked_add(f(1, 1)), None);
    }
}
