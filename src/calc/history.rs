//! The builds of one repository in order (docs/history.md): what each consecutive pair shares and
//! what a node holding the earlier build must pull for the later one, the layer-aware model's
//! parameters measured from those pairs, and a backtest of the model against what was really
//! fetched. Pure arithmetic on layer lists.
//!
//! - A pair's **pull** is the wire bytes of the later build's blobs (config included) whose
//!   digests the earlier build does not hold ([`super::layers::compare`]).
//! - A pair **changes the base** when one of the bottom `base_layers` layers differs (the layers
//!   of `--base-image`, else the bottom layer). The other pairs are **routine** builds.
//! - **Measured**: the build rate (pairs ÷ days from the first build to the last), the median
//!   pull of a routine build (the changed part per deploy), the base refresh interval (days ÷
//!   base changes) and fraction (median over base changes of the pull beyond the changed part,
//!   as a share of the later build's wire bytes outside the changed part). Fewer than
//!   [`MIN_PAIRS`] pairs are too few to replace the defaults.
//! - **Backtest**: a node that pulled every build fetched the sum of the pulls. The layer-aware
//!   model ([`super::layered`]) predicts, for one node deploying each build of the period,
//!   `changed part × deploys + base refreshes a day × days`: with the defaults (the last build's
//!   base layers declared as its base, refreshed every `base_refresh_days` by
//!   `base_refresh_fraction`) and with the measured parameters (the measured changed part as
//!   `changed_per_deploy`).

use super::full_pull::{Overflow, PullRates};
use super::layered::{self, BlobSize, ImageLayers, LayeredParameters, LayeredService};
use super::layers;
use crate::model::image::Image;
use crate::model::{ChangedPerDeploy, FleetShape, NewNodes};

/// Pairs needed before the measured parameters replace the defaults.
pub const MIN_PAIRS: usize = 4;

const SECONDS_PER_DAY: f64 = 86_400.0;

/// One build: its image and its creation time in seconds since the Unix epoch, when known.
#[derive(Debug, Clone)]
pub struct Build<'a> {
    pub image: &'a Image,
    pub created: Option<f64>,
}

/// One consecutive pair of builds.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// Index of the earlier build; the later one is `from + 1`.
    pub from: usize,
    pub shared_layers: usize,
    pub shared_wire_bytes: u64,
    /// Wire bytes a node holding the earlier build pulls for the later one.
    pub pull_wire_bytes: u64,
    /// `pull_wire_bytes` ÷ the later build's wire bytes.
    pub new_share: f64,
    pub base_changed: bool,
    /// Days from the earlier build to the later, when both times are known.
    pub days: Option<f64>,
}

/// The layer-aware model's parameters as measured; `None` where the data say nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub pairs: usize,
    pub routine_pairs: usize,
    pub base_changes: usize,
    /// Days from the first build to the last.
    pub span_days: Option<f64>,
    pub builds_per_day: Option<f64>,
    /// Median pull of a routine build (wire bytes).
    pub changed_wire_bytes: Option<u64>,
    /// Median share of a routine build's wire bytes that it pulls.
    pub changed_share: Option<f64>,
    pub base_refresh_days: Option<f64>,
    pub base_refresh_fraction: Option<f64>,
    /// At least [`MIN_PAIRS`] pairs: enough to replace the defaults.
    pub enough: bool,
}

/// The model's prediction for the period, against what was fetched.
#[derive(Debug, Clone, PartialEq)]
pub struct Backtest {
    /// Wire bytes a node that pulled every build really fetched (the sum of the pulls).
    pub fetched_wire_bytes: u64,
    pub days: f64,
    pub deploys: usize,
    pub predicted_with_defaults: u64,
    /// `predicted ÷ fetched − 1` (0.1 is 10% over).
    pub error_with_defaults: f64,
    /// `None` when too few pairs were measured.
    pub predicted_with_measured: Option<u64>,
    pub error_with_measured: Option<f64>,
}

/// The model's parameters a prediction uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parameters {
    pub base_refresh_days: f64,
    pub base_refresh_fraction: f64,
    pub changed_per_deploy: Option<ChangedPerDeploy>,
}

/// Whether one of the bottom `base_layers` layers differs between the two images.
fn base_changed(before: &Image, after: &Image, base_layers: usize) -> bool {
    let bottom = |image: &Image| -> Vec<String> {
        image
            .layers
            .iter()
            .take(base_layers)
            .map(|layer| layer.digest.to_string())
            .collect()
    };
    bottom(before) != bottom(after)
}

/// The consecutive pairs of `builds`.
pub fn pairs(builds: &[Build], base_layers: usize) -> Vec<Pair> {
    builds
        .windows(2)
        .enumerate()
        .map(|(from, pair)| {
            let (before, after) = (pair[0].image, pair[1].image);
            let comparison = layers::compare(before, after);
            let wire = wire_of(after);
            Pair {
                from,
                shared_layers: comparison.shared_layers,
                shared_wire_bytes: comparison.shared_wire_bytes,
                pull_wire_bytes: comparison.pull_wire_bytes_per_node,
                new_share: if wire == 0 {
                    0.0
                } else {
                    comparison.pull_wire_bytes_per_node as f64 / wire as f64
                },
                base_changed: base_changed(before, after, base_layers),
                days: match (pair[0].created, pair[1].created) {
                    (Some(a), Some(b)) => Some((b - a) / SECONDS_PER_DAY),
                    _ => None,
                },
            }
        })
        .collect()
}

/// The image's blob bytes as its source describes them (config and each distinct layer).
fn wire_of(image: &Image) -> u64 {
    image
        .blobs()
        .iter()
        .fold(0u64, |total, (_, size)| total.saturating_add(*size))
}

/// The median of `values` (the mean of the middle two for an even count); `None` when empty.
fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    })
}

/// Days from the first build to the last, when both times are known and apart.
fn span_days(builds: &[Build]) -> Option<f64> {
    let first = builds.first()?.created?;
    let last = builds.last()?.created?;
    let days = (last - first) / SECONDS_PER_DAY;
    (days > 0.0).then_some(days)
}

/// The parameters measured from `pairs` of `builds`.
pub fn measure(builds: &[Build], pairs: &[Pair]) -> Measured {
    let span = span_days(builds);
    let routine: Vec<&Pair> = pairs.iter().filter(|p| !p.base_changed).collect();
    let changes: Vec<&Pair> = pairs.iter().filter(|p| p.base_changed).collect();
    let changed = median(routine.iter().map(|p| p.pull_wire_bytes as f64).collect())
        .map(|bytes| bytes.round() as u64);
    let changed_share = median(routine.iter().map(|p| p.new_share).collect());
    let fraction = changed.and_then(|changed| {
        median(
            changes
                .iter()
                .filter_map(|pair| {
                    let rest = wire_of(builds[pair.from + 1].image).saturating_sub(changed);
                    (rest > 0).then(|| {
                        (pair.pull_wire_bytes.saturating_sub(changed) as f64 / rest as f64)
                            .clamp(0.0, 1.0)
                    })
                })
                .collect(),
        )
    });
    Measured {
        pairs: pairs.len(),
        routine_pairs: routine.len(),
        base_changes: changes.len(),
        span_days: span,
        builds_per_day: span.map(|days| pairs.len() as f64 / days),
        changed_wire_bytes: changed,
        changed_share,
        base_refresh_days: span
            .filter(|_| !changes.is_empty())
            .map(|days| days / changes.len() as f64),
        base_refresh_fraction: fraction,
        enough: pairs.len() >= MIN_PAIRS,
    }
}

/// The layer-aware model's prediction of the wire bytes one node fetches over `days` while
/// deploying `deploys` builds of `image`, whose bottom `base_layers` layers are declared its
/// base unless an explicit changed part is given.
pub fn predict(
    image: &Image,
    base_layers: usize,
    deploys: usize,
    days: f64,
    parameters: Parameters,
    rates: PullRates,
) -> Result<u64, Overflow> {
    let blobs: Vec<BlobSize> = image
        .blobs()
        .into_iter()
        .map(|(digest, wire)| BlobSize {
            key: digest.to_string(),
            wire_bytes: wire,
            disk_bytes: 0,
        })
        .collect();
    let layers = ImageLayers::Layers {
        blobs,
        previous: None,
    };
    let declared_base = match parameters.changed_per_deploy {
        Some(_) => None,
        None => Some(Box::new(
            image
                .layers
                .iter()
                .take(base_layers)
                .map(|layer| layer.digest.to_string())
                .collect(),
        )),
    };
    let one_node = FleetShape {
        services: 1,
        nodes: 1,
        deploys_per_day: crate::model::rate::DeployRate::daily(1),
    };
    let many_nodes = FleetShape {
        nodes: 1_000_000,
        ..one_node
    };
    let service = LayeredService {
        pool: "node",
        shape: &one_node,
        before: layers.clone(),
        after: layers,
        declared_base,
        changed_per_deploy: parameters.changed_per_deploy,
    };
    let model = LayeredParameters {
        base_refresh_days: parameters.base_refresh_days,
        base_refresh_fraction: parameters.base_refresh_fraction,
        new_nodes: NewNodes::PerDay(0.0),
        rates,
        days_per_year: 365,
    };
    // Without rounding a day's base refresh: the model's per-day figure, unrounded, is
    // fraction × base ÷ days; asking for a million nodes and dividing keeps the bytes exact.
    let one = layered::expected(std::slice::from_ref(&service), &model)?;
    let routine = one.per_day.after.routine_deploys;
    let mut many = service;
    many.shape = &many_nodes;
    let scaled = layered::expected(std::slice::from_ref(&many), &model)?;
    let refreshes_per_day = scaled.per_day.after.base_refreshes as f64 / 1_000_000.0;
    let total = routine as f64 * deploys as f64 + refreshes_per_day * days;
    Ok(total.round().max(0.0) as u64)
}

/// The backtest of the period `builds` cover; `None` without at least one pair and a span of
/// days. `defaults` are the model's default parameters; `measured` the measured ones, when there
/// are enough pairs.
pub fn backtest(
    builds: &[Build],
    pairs: &[Pair],
    base_layers: usize,
    defaults: Parameters,
    measured: Option<Parameters>,
    rates: PullRates,
) -> Result<Option<Backtest>, Overflow> {
    let (Some(days), Some(last)) = (span_days(builds), builds.last()) else {
        return Ok(None);
    };
    if pairs.is_empty() {
        return Ok(None);
    }
    let fetched = pairs.iter().fold(0u64, |total, pair| {
        total.saturating_add(pair.pull_wire_bytes)
    });
    let error = |predicted: u64| {
        if fetched == 0 {
            0.0
        } else {
            predicted as f64 / fetched as f64 - 1.0
        }
    };
    let with_defaults = predict(last.image, base_layers, pairs.len(), days, defaults, rates)?;
    let with_measured = measured
        .map(|parameters| {
            predict(
                last.image,
                base_layers,
                pairs.len(),
                days,
                parameters,
                rates,
            )
        })
        .transpose()?;
    Ok(Some(Backtest {
        fetched_wire_bytes: fetched,
        days,
        deploys: pairs.len(),
        predicted_with_defaults: with_defaults,
        error_with_defaults: error(with_defaults),
        predicted_with_measured: with_measured,
        error_with_measured: with_measured.map(error),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::image::examples::{image, layer};

    const RATES: PullRates = PullRates {
        bandwidth: 100,
        extract_rate: 100,
    };
    const DAY: f64 = SECONDS_PER_DAY;

    /// A layer whose digest is the number `n`.
    fn numbered(n: u64, wire: u64) -> crate::model::image::Layer {
        let mut layer = layer('a', wire, None);
        layer.digest = crate::model::image::Digest::parse(&format!("sha256:{n:064x}")).unwrap();
        layer
    }

    /// Eight builds a day apart: builds 1–3 on base 1 (1000), build 4 onwards on base 2
    /// (1200), a shared layer of 50; every build its own top layer of 100 + n and config of 10.
    fn eight() -> Vec<Image> {
        (0..8u64)
            .map(|n| {
                let base = if n < 3 {
                    numbered(1, 1000)
                } else {
                    numbered(2, 1200)
                };
                let mut built = image(
                    ('c', 10),
                    vec![base, numbered(3, 50), numbered(10 + n, 100 + n)],
                );
                let config = built.config.as_mut().unwrap();
                config.digest = numbered(20 + n, 0).digest;
                built
            })
            .collect()
    }

    fn builds(images: &[Image]) -> Vec<Build<'_>> {
        images
            .iter()
            .enumerate()
            .map(|(n, image)| Build {
                image,
                created: Some(n as f64 * DAY),
            })
            .collect()
    }

    #[test]
    fn pairs_pull_the_new_layers_and_config_and_see_the_base_change() {
        let images = eight();
        let builds = builds(&images);
        let pairs = pairs(&builds, 1);
        assert_eq!(pairs.len(), 7);
        assert_eq!(pairs[0].pull_wire_bytes, 101 + 10);
        assert_eq!(pairs[0].shared_layers, 2);
        assert_eq!(pairs[2].pull_wire_bytes, 1200 + 103 + 10);
        assert_eq!(pairs[2].shared_layers, 1);
        let changed: Vec<bool> = pairs.iter().map(|p| p.base_changed).collect();
        assert_eq!(changed, [false, false, true, false, false, false, false]);
        assert_eq!(pairs[0].days, Some(1.0));
        assert!((pairs[0].new_share - 111.0 / 1161.0).abs() < 1e-12);
    }

    #[test]
    fn the_parameters_are_measured_from_the_pairs() {
        let images = eight();
        let builds = builds(&images);
        let pairs = pairs(&builds, 1);
        let measured = measure(&builds, &pairs);
        assert_eq!(measured.routine_pairs, 6);
        assert_eq!(measured.base_changes, 1);
        assert_eq!(measured.span_days, Some(7.0));
        assert_eq!(measured.builds_per_day, Some(1.0));
        // Routine pulls: 111, 112, 114, 115, 116, 117 → median (114 + 115) / 2, rounded.
        assert_eq!(measured.changed_wire_bytes, Some(115));
        assert_eq!(measured.base_refresh_days, Some(7.0));
        // Build 4: pulled 1313, of which 1313 − 115 beyond the changed part, of 1363 − 115.
        let fraction = measured.base_refresh_fraction.unwrap();
        assert!((fraction - 1198.0 / 1248.0).abs() < 1e-12, "{fraction}");
        assert!(measured.enough);
        let few = measure(&builds[..4], &pairs[..3]);
        assert!(!few.enough);
    }

    #[test]
    fn the_backtest_with_measured_parameters_is_close_and_the_defaults_say_their_error() {
        let images = eight();
        let builds = builds(&images);
        let pairs = pairs(&builds, 1);
        let measured = measure(&builds, &pairs);
        let defaults = Parameters {
            base_refresh_days: 7.0,
            base_refresh_fraction: 0.7,
            changed_per_deploy: None,
        };
        let from_history = Parameters {
            base_refresh_days: measured.base_refresh_days.unwrap(),
            base_refresh_fraction: measured.base_refresh_fraction.unwrap(),
            changed_per_deploy: measured.changed_wire_bytes.map(ChangedPerDeploy::Bytes),
        };
        let test = backtest(&builds, &pairs, 1, defaults, Some(from_history), RATES)
            .unwrap()
            .unwrap();
        // 111 + 112 + 1313 + 114 + 115 + 116 + 117
        assert_eq!(test.fetched_wire_bytes, 1998);
        // Measured: 7 deploys × 115 + 1 refresh × 1198/1248 × (1367 − 115) over 7 days.
        let expected: f64 = 7.0 * 115.0 + 1198.0 / 1248.0 * (1367.0 - 115.0);
        assert_eq!(test.predicted_with_measured, Some(expected.round() as u64));
        assert!(test.error_with_measured.unwrap().abs() < 0.05);
        // Defaults: base B declared; each deploy moves s + top + config = 167; one refresh
        // of 0.7 × 1200 over the 7 days.
        assert_eq!(test.predicted_with_defaults, 7 * 167 + 840);
        assert!((test.error_with_defaults - (7.0 * 167.0 + 840.0) / 1998.0 + 1.0).abs() < 1e-12);
    }
}
