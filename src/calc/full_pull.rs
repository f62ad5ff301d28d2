//! The full-pull model (docs/model.md#full-pull-upper-bound): every pull moves the whole image, so these figures are an
//! upper bound. Pure functions on integers; every byte total is an exact product or sum, and
//! anything that would not fit is an [`Overflow`] rather than a wrapped number.
//!
//! ```text
//! pulls_per_day  = services × deploys_per_day × nodes   (an exact fraction: 3/week → 3/7 a day)
//! per_day        = pulls_per_day × size            (before, after, saved; disk and wire)
//! per_year       = pulls_per_day × days_per_year × size ;  per_month = round(per_year / 12)
//! ```
//!
//! With a fractional rate, per_day and per_year are each rounded to the nearest byte once, from
//! the exact product (saved = before − after of the rounded figures); whole rates are exact.
//!
//! ```text
//! pull_seconds   = wire / bandwidth + disk / extract_rate
//! ```

use serde::Serialize;

use crate::model::rate::Fraction;
use crate::model::{FleetShape, ImageSize};

/// Numbers too large to compute exactly; the message names the quantity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the {0} is too large to compute exactly (over 10^38); check the sizes and counts for typos"
)]
pub struct Overflow(pub &'static str);

/// One quantity on both bases. Signed: savings are negative when an image grew.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DiskWire {
    pub disk_bytes: i128,
    pub wire_bytes: i128,
}

impl DiskWire {
    pub fn of(image: &ImageSize) -> DiskWire {
        DiskWire {
            disk_bytes: i128::from(image.disk_bytes),
            wire_bytes: i128::from(image.wire_bytes),
        }
    }

    fn checked_add(self, other: DiskWire, what: &'static str) -> Result<DiskWire, Overflow> {
        Ok(DiskWire {
            disk_bytes: self
                .disk_bytes
                .checked_add(other.disk_bytes)
                .ok_or(Overflow(what))?,
            wire_bytes: self
                .wire_bytes
                .checked_add(other.wire_bytes)
                .ok_or(Overflow(what))?,
        })
    }

    fn checked_sub(self, other: DiskWire, what: &'static str) -> Result<DiskWire, Overflow> {
        Ok(DiskWire {
            disk_bytes: self
                .disk_bytes
                .checked_sub(other.disk_bytes)
                .ok_or(Overflow(what))?,
            wire_bytes: self
                .wire_bytes
                .checked_sub(other.wire_bytes)
                .ok_or(Overflow(what))?,
        })
    }

    fn checked_mul(self, factor: u128, what: &'static str) -> Result<DiskWire, Overflow> {
        let factor = i128::try_from(factor).map_err(|_| Overflow(what))?;
        Ok(DiskWire {
            disk_bytes: self.disk_bytes.checked_mul(factor).ok_or(Overflow(what))?,
            wire_bytes: self.wire_bytes.checked_mul(factor).ok_or(Overflow(what))?,
        })
    }

    /// Each basis times an exact fraction, rounded to the nearest byte.
    fn scaled(self, factor: Fraction, what: &'static str) -> Result<DiskWire, Overflow> {
        Ok(DiskWire {
            disk_bytes: factor
                .times_rounded(self.disk_bytes)
                .ok_or(Overflow(what))?,
            wire_bytes: factor
                .times_rounded(self.wire_bytes)
                .ok_or(Overflow(what))?,
        })
    }

    /// Each basis divided by an exact fraction, rounded to the nearest byte.
    fn divided_by(self, divisor: Fraction) -> DiskWire {
        DiskWire {
            disk_bytes: divisor.divide_rounded(self.disk_bytes).unwrap_or(i128::MAX),
            wire_bytes: divisor.divide_rounded(self.wire_bytes).unwrap_or(i128::MAX),
        }
    }

    /// Each basis divided and rounded to the nearest byte, halves away from zero.
    fn divided_rounded(self, divisor: u128) -> DiskWire {
        DiskWire {
            disk_bytes: divide_rounded_signed(self.disk_bytes, divisor),
            wire_bytes: divide_rounded_signed(self.wire_bytes, divisor),
        }
    }
}

pub use crate::units::divide_rounded_signed;

/// Bytes before, after and saved (before − after) over one period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Transfer {
    pub before: DiskWire,
    pub after: DiskWire,
    pub saved: DiskWire,
}

impl Transfer {
    /// Times an exact fraction: before and after rounded to the nearest byte, saved their
    /// difference (for a whole factor, all three exact products).
    pub fn scaled(self, factor: Fraction, what: &'static str) -> Result<Transfer, Overflow> {
        let before = self.before.scaled(factor, what)?;
        let after = self.after.scaled(factor, what)?;
        let saved = if factor.is_whole() {
            self.saved.checked_mul(factor.numerator(), what)?
        } else {
            before.checked_sub(after, what)?
        };
        Ok(Transfer {
            before,
            after,
            saved,
        })
    }

    /// Divided by an exact fraction, each figure rounded to the nearest byte.
    fn divided_by(self, divisor: Fraction) -> Transfer {
        Transfer {
            before: self.before.divided_by(divisor),
            after: self.after.divided_by(divisor),
            saved: self.saved.divided_by(divisor),
        }
    }

    fn checked_add(self, other: Transfer, what: &'static str) -> Result<Transfer, Overflow> {
        Ok(Transfer {
            before: self.before.checked_add(other.before, what)?,
            after: self.after.checked_add(other.after, what)?,
            saved: self.saved.checked_add(other.saved, what)?,
        })
    }

    fn divided_rounded(self, divisor: u128) -> Transfer {
        Transfer {
            before: self.before.divided_rounded(divisor),
            after: self.after.divided_rounded(divisor),
            saved: self.saved.divided_rounded(divisor),
        }
    }
}

/// Seconds before, after and saved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Seconds {
    pub before: f64,
    pub after: f64,
    pub saved: f64,
}

/// The rates that turn bytes into seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PullRates {
    /// Download bytes per second (wire).
    pub bandwidth: u64,
    /// Extraction bytes per second (disk).
    pub extract_rate: u64,
}

/// Seconds one pull of `image` takes: download plus extraction.
pub fn pull_seconds(image: &ImageSize, rates: PullRates) -> f64 {
    image.wire_bytes as f64 / rates.bandwidth as f64
        + image.disk_bytes as f64 / rates.extract_rate as f64
}

/// Pulls per day of one row, exactly: `services × deploys_per_day × nodes` (a month of a
/// monthly rate is `days_per_year ÷ 12` days).
pub fn pulls_per_day(shape: FleetShape, days_per_year: u64) -> Result<Fraction, Overflow> {
    shape
        .deploys_per_day
        .per_day(days_per_year)
        .checked_mul_whole(u128::from(shape.services))
        .and_then(|p| p.checked_mul_whole(u128::from(shape.nodes)))
        .ok_or(Overflow("number of pulls per day"))
}

/// The full-pull figures of one service, or of a whole fleet (see [`combine`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Figures {
    /// Exact: fractional for rates such as 3/week.
    pub pulls_per_day: Fraction,
    /// Distinct services this stands for (a new node runs one of each).
    pub services: u128,
    /// One pull; for a fleet, the pull-weighted mean (per_day ÷ pulls, rounded).
    pub per_pull: Transfer,
    pub per_day: Transfer,
    pub per_month: Transfer,
    pub per_year: Transfer,
    /// Seconds of one pull; for a fleet, the pull-weighted mean.
    pub pull_seconds: Seconds,
    /// A new node that starts one of each service, pulls serialised (kubelet default).
    pub new_node_seconds: Seconds,
    /// Node-hours spent pulling per day, before − after.
    pub node_hours_saved_per_day: f64,
    /// Registry storage saved: (before − after wire) × retained tags × services.
    pub registry_storage_saved_wire_bytes: i128,
}

/// Everything the model needs besides the images and the fleet shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelParameters {
    pub rates: PullRates,
    pub days_per_year: u64,
    pub retained_tags: u64,
}

/// The figures of one row moving from `before` to `after`.
pub fn service_figures(
    before: &ImageSize,
    after: &ImageSize,
    shape: FleetShape,
    parameters: ModelParameters,
) -> Result<Figures, Overflow> {
    let pulls = pulls_per_day(shape, parameters.days_per_year)?;
    let per_pull = Transfer {
        before: DiskWire::of(before),
        after: DiskWire::of(after),
        saved: DiskWire::of(before).checked_sub(DiskWire::of(after), "saving per pull")?,
    };
    let per_day = per_pull.scaled(pulls, "transfer per day")?;
    let per_year = if pulls.is_whole() {
        per_day.scaled(
            Fraction::whole(u128::from(parameters.days_per_year)),
            "transfer per year",
        )?
    } else {
        // Rounded once, from the exact pulls of the year.
        let pulls_per_year = pulls
            .checked_mul_whole(u128::from(parameters.days_per_year))
            .ok_or(Overflow("transfer per year"))?;
        per_pull.scaled(pulls_per_year, "transfer per year")?
    };
    let seconds_before = pull_seconds(before, parameters.rates);
    let seconds_after = pull_seconds(after, parameters.rates);
    let pull_seconds = Seconds {
        before: seconds_before,
        after: seconds_after,
        saved: seconds_before - seconds_after,
    };
    let services = u128::from(shape.services);
    // Wire bytes only: the disk product is never shown and could overflow where this fits.
    let registry_storage_saved_wire_bytes = per_pull
        .saved
        .wire_bytes
        .checked_mul(i128::from(parameters.retained_tags))
        .and_then(|bytes| bytes.checked_mul(i128::from(shape.services)))
        .ok_or(Overflow("registry storage saving"))?;
    Ok(Figures {
        pulls_per_day: pulls,
        services,
        per_pull,
        per_day,
        per_month: per_year.divided_rounded(12),
        per_year,
        pull_seconds,
        new_node_seconds: scale_seconds(pull_seconds, services as f64),
        node_hours_saved_per_day: pulls.as_f64() * pull_seconds.saved / 3600.0,
        registry_storage_saved_wire_bytes,
    })
}

fn scale_seconds(seconds: Seconds, factor: f64) -> Seconds {
    Seconds {
        before: seconds.before * factor,
        after: seconds.after * factor,
        saved: seconds.saved * factor,
    }
}

/// The fleet total of several rows: sums of the per-day, per-year and cold-start figures;
/// per-pull figures are pull-weighted means. The total of one row is that row.
pub fn combine<'a>(rows: impl IntoIterator<Item = &'a Figures>) -> Result<Figures, Overflow> {
    let mut total = Combiner::default();
    for row in rows {
        total.add(row);
    }
    total.finish()
}

/// A fleet total built a row at a time (as [`combine`] does), so rows need not be kept: the
/// first overflow is kept and reported by [`Combiner::finish`], as `combine` would report it.
#[derive(Debug, Default)]
pub struct Combiner {
    total: Figures,
    weighted_seconds: Seconds,
    rows: usize,
    overflow: Option<Overflow>,
}

impl Combiner {
    /// Adds one row's figures.
    pub fn add(&mut self, row: &Figures) {
        if self.overflow.is_none()
            && let Err(overflow) = self.try_add(row)
        {
            self.overflow = Some(overflow);
        }
        self.rows += 1;
    }

    /// The rows added.
    pub fn rows(&self) -> usize {
        self.rows
    }

    fn try_add(&mut self, row: &Figures) -> Result<(), Overflow> {
        let total = &mut self.total;
        total.pulls_per_day = total
            .pulls_per_day
            .checked_add(row.pulls_per_day)
            .ok_or(Overflow("number of pulls per day"))?;
        total.services = total
            .services
            .checked_add(row.services)
            .ok_or(Overflow("number of services"))?;
        total.per_day = total.per_day.checked_add(row.per_day, "transfer per day")?;
        total.per_year = total
            .per_year
            .checked_add(row.per_year, "transfer per year")?;
        let pulls = row.pulls_per_day.as_f64();
        let weighted = &mut self.weighted_seconds;
        weighted.before += row.pull_seconds.before * pulls;
        weighted.after += row.pull_seconds.after * pulls;
        weighted.saved += row.pull_seconds.saved * pulls;
        total.new_node_seconds.before += row.new_node_seconds.before;
        total.new_node_seconds.after += row.new_node_seconds.after;
        total.new_node_seconds.saved += row.new_node_seconds.saved;
        total.node_hours_saved_per_day += row.node_hours_saved_per_day;
        total.registry_storage_saved_wire_bytes = total
            .registry_storage_saved_wire_bytes
            .checked_add(row.registry_storage_saved_wire_bytes)
            .ok_or(Overflow("registry storage saving"))?;
        Ok(())
    }

    /// The total, or the first overflow met.
    pub fn finish(self) -> Result<Figures, Overflow> {
        if let Some(overflow) = self.overflow {
            return Err(overflow);
        }
        let mut total = self.total;
        total.per_month = total.per_year.divided_rounded(12);
        if !total.pulls_per_day.is_zero() {
            total.per_pull = total.per_day.divided_by(total.pulls_per_day);
            total.pull_seconds =
                scale_seconds(self.weighted_seconds, 1.0 / total.pulls_per_day.as_f64());
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rate::DeployRate;
    use crate::units::{Basis, Ratio};
    use proptest::prelude::*;

    const DEFAULTS: ModelParameters = ModelParameters {
        rates: PullRates {
            bandwidth: 125_000_000,
            extract_rate: 100_000_000,
        },
        days_per_year: 365,
        retained_tags: 10,
    };

    fn disk(bytes: u64) -> ImageSize {
        ImageSize::typed(bytes, Basis::Disk, Ratio::parse("0.37").unwrap()).unwrap()
    }

    fn reference() -> Figures {
        let shape = FleetShape {
            services: 20,
            nodes: 10,
            deploys_per_day: DeployRate::daily(10),
        };
        service_figures(&disk(500_000_000), &disk(80_000_000), shape, DEFAULTS).unwrap()
    }

    #[test]
    fn the_reference_example_of_spec_section_2() {
        let f = reference();
        assert_eq!(f.pulls_per_day, Fraction::whole(2000));
        assert_eq!(f.per_pull.saved.disk_bytes, 420_000_000);
        assert_eq!(f.per_pull.saved.wire_bytes, 155_400_000);
        assert_eq!(f.per_day.saved.disk_bytes, 840_000_000_000);
        assert_eq!(f.per_day.saved.wire_bytes, 310_800_000_000);
        assert_eq!(f.per_year.saved.wire_bytes, 113_442_000_000_000);
        assert_eq!(f.per_month.saved.wire_bytes, 9_453_500_000_000);
        assert_eq!(f.per_day.before.disk_bytes, 1_000_000_000_000);
        assert_eq!(f.per_day.after.disk_bytes, 160_000_000_000);
    }

    #[test]
    fn pull_seconds_follow_the_formula() {
        let f = reference();
        // before: 185 MB / 125 MB/s + 500 MB / 100 MB/s = 1.48 + 5 = 6.48 s
        // after:  29.6 MB / 125 MB/s + 80 MB / 100 MB/s = 0.2368 + 0.8 = 1.0368 s
        assert!((f.pull_seconds.before - 6.48).abs() < 1e-9);
        assert!((f.pull_seconds.after - 1.0368).abs() < 1e-9);
        assert!((f.pull_seconds.saved - 5.4432).abs() < 1e-9);
        // a new node runs one of each of the 20 services, pulled one after another.
        assert!((f.new_node_seconds.saved - 108.864).abs() < 1e-9);
        // 2000 pulls × 5.4432 s / 3600 = 3.024 node-hours a day.
        assert!((f.node_hours_saved_per_day - 3.024).abs() < 1e-9);
    }

    #[test]
    fn registry_storage_counts_retained_tags_and_services() {
        // 155.4 MB wire × 10 tags × 20 services = 31.08 GB
        assert_eq!(
            reference().registry_storage_saved_wire_bytes,
            31_080_000_000
        );
    }

    #[test]
    fn growth_is_a_negative_saving() {
        let f = service_figures(
            &disk(300_000_000),
            &disk(335_000_000),
            FleetShape::default(),
            DEFAULTS,
        )
        .unwrap();
        assert_eq!(f.per_pull.saved.disk_bytes, -35_000_000);
        assert_eq!(f.per_day.saved.wire_bytes, -12_950_000);
        assert!(f.pull_seconds.saved < 0.0);
    }

    #[test]
    fn per_month_rounds_half_away_from_zero() {
        assert_eq!(divide_rounded_signed(18, 12), 2);
        assert_eq!(divide_rounded_signed(-18, 12), -2);
        assert_eq!(divide_rounded_signed(-17, 12), -1);
        assert_eq!(divide_rounded_signed(5, 12), 0);
        assert_eq!(divide_rounded_signed(6, 12), 1);
    }

    #[test]
    fn petabytes_times_millions_of_pulls_are_exact() {
        let shape = FleetShape {
            services: 1_000,
            nodes: 1_000,
            deploys_per_day: DeployRate::daily(1_000),
        };
        let image = ImageSize::measured(1_000_000_000_000_000, 400_000_000_000_000);
        let small = ImageSize::measured(0, 0);
        let f = service_figures(&image, &small, shape, DEFAULTS).unwrap();
        assert_eq!(
            f.per_day.saved.disk_bytes,
            1_000_000_000_000_000_000_000_000
        );
        assert_eq!(
            f.per_year.saved.disk_bytes,
            365_000_000_000_000_000_000_000_000
        );
    }

    #[test]
    fn overflow_is_reported_not_wrapped() {
        let shape = FleetShape {
            services: u64::MAX,
            nodes: u64::MAX,
            deploys_per_day: DeployRate::daily(u64::MAX),
        };
        assert_eq!(
            pulls_per_day(shape, 365),
            Err(Overflow("number of pulls per day"))
        );
        let shape = FleetShape {
            services: u64::MAX,
            nodes: u64::MAX,
            deploys_per_day: DeployRate::daily(1),
        };
        let image = ImageSize::measured(u64::MAX, u64::MAX);
        let error = service_figures(&image, &ImageSize::measured(0, 0), shape, DEFAULTS);
        assert_eq!(error, Err(Overflow("transfer per day")));
    }

    #[test]
    fn combined_per_pull_is_the_pull_weighted_mean() {
        let a = service_figures(
            &disk(500_000_000),
            &disk(100_000_000),
            FleetShape {
                services: 1,
                nodes: 3,
                deploys_per_day: DeployRate::daily(1),
            },
            DEFAULTS,
        )
        .unwrap();
        let b = service_figures(
            &disk(200_000_000),
            &disk(100_000_000),
            FleetShape::default(),
            DEFAULTS,
        )
        .unwrap();
        let total = combine([&a, &b]).unwrap();
        assert_eq!(total.pulls_per_day, Fraction::whole(4));
        // (3 × 400 MB + 1 × 100 MB) / 4 pulls = 325 MB
        assert_eq!(total.per_pull.saved.disk_bytes, 325_000_000);
        assert_eq!(total.per_day.saved.disk_bytes, 1_300_000_000);
        assert_eq!(total.services, 2);
    }

    proptest! {
        #[test]
        fn one_row_combines_to_itself(
            before in 0u64..1_000_000_000_000,
            after in 0u64..1_000_000_000_000,
            services in 1u64..10_000,
            nodes in 1u64..10_000,
            deploys in 1u64..1_000,
        ) {
            let shape = FleetShape { services, nodes, deploys_per_day: DeployRate::daily(deploys) };
            let row = service_figures(&disk(before), &disk(after), shape, DEFAULTS).unwrap();
            let total = combine([&row]).unwrap();
            prop_assert_eq!(total.per_pull, row.per_pull);
            prop_assert_eq!(total.per_day, row.per_day);
            prop_assert_eq!(total.per_month, row.per_month);
            prop_assert_eq!(total.per_year, row.per_year);
        }

        #[test]
        fn saved_is_before_minus_after_everywhere(
            rows in proptest::collection::vec((0u64..u64::MAX / 4, 0u64..u64::MAX / 4, 1u64..100_000), 1..8),
        ) {
            let figures: Vec<Figures> = rows
                .iter()
                .map(|&(before, after, nodes)| {
                    let shape = FleetShape { nodes, ..FleetShape::default() };
                    service_figures(&disk(before), &disk(after), shape, DEFAULTS).unwrap()
                })
                .collect();
            let total = combine(&figures).unwrap();
            for period in [total.per_day, total.per_year] {
                prop_assert_eq!(period.saved.disk_bytes, period.before.disk_bytes - period.after.disk_bytes);
                prop_assert_eq!(period.saved.wire_bytes, period.before.wire_bytes - period.after.wire_bytes);
            }
            let sum: i128 = figures.iter().map(|f| f.per_day.saved.wire_bytes).sum();
            prop_assert_eq!(total.per_day.saved.wire_bytes, sum);
        }
    }
}
