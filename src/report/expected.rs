//! The expected figure (docs/model.md#layered-expected) for a report: the committed services turned into the
//! layer-aware model's inputs, the model run, and its result priced and shaped for every format.

use serde::Serialize;

use crate::calc::cost;
use crate::calc::full_pull::{Overflow, PullRates};
use crate::calc::layered::{
    self, BlobSize, ChangedFrom, DecompositionChange, Fleet, ImageLayers, ImageSeen,
    LayeredParameters, LayeredService, PoolFigures, ServiceSeen,
};
use crate::model::assumptions::Assumptions;
use crate::model::image::Image;
use crate::model::{ChangedPerDeploy, FleetShape, ImageSize, Service, ServiceName};
use crate::units::Ratio;

/// The pool every service runs on unless its row names one.
pub const DEFAULT_POOL: &str = "all nodes";

/// How one service's changed part was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ChangedSource {
    pub service: ServiceName,
    pub before: ChangedFrom,
    pub after: ChangedFrom,
}

/// Expected wire bytes with layer caches, beside the full-pull totals.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ExpectedView {
    /// True when at least one service's changed part came from layers, a previous build or an
    /// explicit `changed_per_deploy`; false when every image is known by its size only, so the
    /// figure is the full pull plus new nodes.
    pub layer_aware: bool,
    /// True when at least one service's images came with their layer lists (image sources),
    /// whether or not what a deploy changes is known.
    pub layers_known: bool,
    /// Wire bytes a day: routine deploys, base refreshes, new nodes, total.
    pub per_day: DecompositionChange,
    /// Totals × days_per_year.
    pub per_year: YearTotals,
    pub cost_saved: ExpectedCost,
    pub pools: Vec<PoolFigures>,
    pub changed_from: Vec<ChangedSource>,
}

/// Expected totals over a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct YearTotals {
    pub before: i128,
    pub after: i128,
    pub saved: i128,
}

/// Money the expected saving is worth.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ExpectedCost {
    pub per_day: f64,
    pub per_year: f64,
    pub currency: String,
}

/// The blobs of an image from a source: config and layers, the basis a source lacks estimated.
fn blobs_of(image: &Image, ratio: Ratio) -> Vec<BlobSize> {
    let config = image.config.iter().map(|config| BlobSize {
        key: config.digest.to_string(),
        wire_bytes: if image.wire_known { config.size } else { 0 },
        disk_bytes: 0,
    });
    let layers = image.layers.iter().map(|layer| {
        let (wire, disk) = match (image.wire_known, layer.disk_bytes) {
            (true, Some(disk)) => (layer.wire_bytes, disk),
            (true, None) => (
                layer.wire_bytes,
                ratio.disk_from_wire(layer.wire_bytes).unwrap_or(u64::MAX),
            ),
            // A docker save archive holds uncompressed layers: their size is the disk size.
            (false, Some(disk)) => (ratio.wire_from_disk(disk), disk),
            (false, None) => (ratio.wire_from_disk(layer.wire_bytes), layer.wire_bytes),
        };
        BlobSize {
            key: layer.digest.to_string(),
            wire_bytes: wire,
            disk_bytes: disk,
        }
    });
    config.chain(layers).collect()
}

fn keys_of<S: FromIterator<String>>(image: &Image, ratio: Ratio) -> S {
    blobs_of(image, ratio).into_iter().map(|b| b.key).collect()
}

fn layers_for(
    image: Option<&Image>,
    size: &ImageSize,
    previous: Option<&Image>,
    ratio: Ratio,
) -> ImageLayers {
    match image {
        // docker inspect output has a size but no layers: a stand-in like a typed size.
        Some(image) if !image.layers.is_empty() => ImageLayers::Layers {
            blobs: blobs_of(image, ratio),
            previous: previous.map(|p| Box::new(keys_of(p, ratio))),
        },
        _ => ImageLayers::Size {
            wire_bytes: size.wire_bytes,
            disk_bytes: size.disk_bytes,
        },
    }
}

/// The model's parameters from the assumptions in force.
fn parameters(assumptions: &Assumptions) -> LayeredParameters {
    LayeredParameters {
        base_refresh_days: assumptions.base_refresh_days.value,
        base_refresh_fraction: assumptions.base_refresh_fraction.value,
        new_nodes: assumptions.new_nodes_per_day.value,
        rates: PullRates {
            bandwidth: assumptions.bandwidth.value,
            extract_rate: assumptions.extract_rate.value,
        },
        days_per_year: assumptions.days_per_year.value,
    }
}

/// What each layer of one image costs a day under the layer-aware model, in wire bytes: the
/// image run as one row of `shape` on one pool (with `base`'s layers as its declared base), and
/// each layer's share the model's total less the total without that layer's bytes. The model is
/// a sum over blobs, so the shares add up to the image's figure less its config blob's (to a
/// byte per layer: the fractional terms are rounded per pool).
pub fn per_layer(
    image: &Image,
    base: Option<&Image>,
    shape: FleetShape,
    assumptions: &Assumptions,
) -> Result<Vec<i128>, Overflow> {
    let ratio = assumptions.compression_ratio.value;
    let parameters = parameters(assumptions);
    let blobs = blobs_of(image, ratio);
    let configs = blobs.len() - image.layers.len();
    let run = |blobs: Vec<BlobSize>| {
        let layers = ImageLayers::Layers {
            blobs,
            previous: None,
        };
        let service = LayeredService {
            pool: DEFAULT_POOL,
            shape: &shape,
            before: layers.clone(),
            after: layers,
            declared_base: base.map(|base| Box::new(keys_of(base, ratio))),
            changed_per_deploy: None,
        };
        layered::expected(std::slice::from_ref(&service), &parameters)
            .map(|result| result.per_day.after.total)
    };
    let whole = run(blobs.clone())?;
    (0..image.layers.len())
        .map(|index| {
            let mut without = blobs.clone();
            without[configs + index].wire_bytes = 0;
            Ok(whole - run(without)?)
        })
        .collect()
}

/// The committed services (plans have no after image) as the model reads them: each read where
/// it lies, the layer lists of those with image sources or a declared base made once, beside.
struct Committed<'s> {
    services: Vec<&'s Service>,
    /// By index in `services`.
    layered: rustc_hash::FxHashMap<usize, Layered>,
    /// The assumed changed part, for a row that gives none.
    changed_per_deploy: Option<ChangedPerDeploy>,
}

/// The model's form of a service's images, when they came with layer lists or a declared base.
struct Layered {
    before: ImageLayers,
    after: ImageLayers,
    declared_base: Option<rustc_hash::FxHashSet<String>>,
}

impl<'s> Committed<'s> {
    fn of(services: &'s [Service], assumptions: &Assumptions) -> Committed<'s> {
        let ratio = assumptions.compression_ratio.value;
        let services: Vec<&Service> = services
            .iter()
            .filter(|service| service.after.is_some())
            .collect();
        let has_layers = |image: Option<&Image>| image.is_some_and(|i| !i.layers.is_empty());
        let layered = services
            .iter()
            .enumerate()
            .filter_map(|(index, service)| {
                let layering = service.layering();
                let after = service.after.as_ref()?;
                (has_layers(service.before_image.as_deref())
                    || has_layers(service.after_image.as_deref())
                    || layering.base_image.is_some())
                .then(|| {
                    let layered = Layered {
                        before: layers_for(
                            service.before_image.as_deref(),
                            &service.before,
                            layering.before_previous.as_deref(),
                            ratio,
                        ),
                        after: layers_for(
                            service.after_image.as_deref(),
                            after,
                            layering.after_previous.as_deref(),
                            ratio,
                        ),
                        declared_base: layering
                            .base_image
                            .as_ref()
                            .map(|base| keys_of(base, ratio)),
                    };
                    (index, layered)
                })
            })
            .collect();
        Committed {
            services,
            layered,
            changed_per_deploy: assumptions
                .changed_per_deploy
                .as_ref()
                .map(|assumed| assumed.value),
        }
    }
}

fn size_seen(size: &ImageSize) -> ImageSeen<'_> {
    ImageSeen::Size {
        wire_bytes: size.wire_bytes,
        disk_bytes: size.disk_bytes,
    }
}

impl Fleet for Committed<'_> {
    fn count(&self) -> usize {
        self.services.len()
    }

    fn service(&self, index: usize) -> ServiceSeen<'_> {
        let service = self.services[index];
        let layering = service.layering();
        let layered = match self.layered.is_empty() {
            true => None,
            false => self.layered.get(&index),
        };
        let after = service.after.as_ref().unwrap_or(&service.before);
        ServiceSeen {
            pool: layering.node_pool.as_deref().unwrap_or(DEFAULT_POOL),
            shape: &service.shape,
            before: layered.map_or_else(|| size_seen(&service.before), |l| l.before.seen()),
            after: layered.map_or_else(|| size_seen(after), |l| l.after.seen()),
            declared_base: layered.and_then(|l| l.declared_base.as_ref()),
            changed_per_deploy: layering.changed_per_deploy.or(self.changed_per_deploy),
        }
    }
}

/// Runs the layer-aware model over the committed services (plans have no after image).
pub fn expected(services: &[Service], assumptions: &Assumptions) -> Result<ExpectedView, Overflow> {
    let committed = Committed::of(services, assumptions);
    let parameters = parameters(assumptions);
    let layers_known = committed
        .layered
        .values()
        .any(|service| service.before.layers_known() || service.after.layers_known());
    let result = layered::expected(&committed, &parameters)?;
    let days = i128::from(assumptions.days_per_year.value);
    let year = |per_day: i128| {
        per_day
            .checked_mul(days)
            .ok_or(Overflow("expected transfer per year"))
    };
    let per_year = YearTotals {
        before: year(result.per_day.before.total)?,
        after: year(result.per_day.after.total)?,
        saved: year(result.per_day.saved.total)?,
    };
    // `+ 0.0` turns a rounded -0.0 into 0.0.
    let cents = |amount: f64| (amount * 100.0).round() / 100.0 + 0.0;
    let price = assumptions.price_per_gb.value;
    Ok(ExpectedView {
        layer_aware: result
            .changed_from
            .iter()
            .any(|(b, a)| *b != ChangedFrom::WholeImage || *a != ChangedFrom::WholeImage),
        layers_known,
        per_day: result.per_day,
        per_year,
        cost_saved: ExpectedCost {
            per_day: cents(cost::transfer_cost(result.per_day.saved.total, price)),
            per_year: cents(cost::transfer_cost(per_year.saved, price)),
            currency: assumptions.currency.clone(),
        },
        pools: result
            .pools
            .into_iter()
            .map(|pool| PoolFigures {
                new_node_seconds_before: (pool.new_node_seconds_before * 1000.0).round() / 1000.0,
                new_node_seconds_after: (pool.new_node_seconds_after * 1000.0).round() / 1000.0,
                ..pool
            })
            .collect(),
        changed_from: committed
            .services
            .iter()
            .zip(result.changed_from)
            .map(|(service, (before, after))| ChangedSource {
                service: service.name.clone(),
                before,
                after,
            })
            .collect(),
    })
}
