//! The layer-aware model (docs/model.md#layered-expected): expected daily wire transfer when nodes cache layers by
//! digest, beside the full-pull upper bound. Pure functions on layer lists.
//!
//! Each service's image (before and after, separately) is split into a **changed part**, moved by
//! every deploy to every node it deploys to, and a **base part**, moved only when the base is
//! refreshed or a node is new. The changed part is, in order of preference:
//! 1. the blobs not in the previous build's image (when given);
//! 2. the blobs not shared with any other service's image of the same fleet, nor with the
//!    declared base image (when the image's layers are known);
//! 3. an explicit `changed_per_deploy` (bytes, or a fraction of the image);
//! 4. otherwise the whole image (every deploy a full pull, as in the upper bound).
//!
//! Per node pool (default: every service on every node; the pool has as many nodes as its
//! largest row), per day:
//! ```text
//! routine_deploys = Σ services × deploys_per_day × nodes × changed_wire
//! base_refreshes  = pool_nodes × base_refresh_fraction ÷ base_refresh_days × Σ distinct base blobs
//! new_nodes       = new_nodes_per_day × wire of the union of the pool's blobs (shared ones once)
//! ```
//! A blob shared by several services is one blob on a node: it counts once in a base refresh and
//! once in a new node's pull. The cold start of a new node is the serialised pull of that union:
//! `union_wire ÷ bandwidth + union_disk ÷ extract_rate`. Moving a node from the before images to
//! the after images transfers the after union's blobs the node does not hold yet (`switch`).
//!
//! Fractional terms (base refreshes, new nodes) are rounded to the nearest byte per pool; every
//! total is an exact sum of those. With every layer changing on every deploy and no new nodes,
//! the expected figure equals the full-pull figure exactly.

use std::collections::HashSet;

use rustc_hash::{FxHashMap as HashMap, FxHashSet};

use serde::Serialize;

use super::full_pull::{Overflow, PullRates};
use crate::model::{ChangedPerDeploy, FleetShape, NewNodes};

/// One blob (config or layer) of an image from a source, with its sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobSize {
    /// Its digest.
    pub key: String,
    pub wire_bytes: u64,
    /// Unpacked bytes (0 for a config blob).
    pub disk_bytes: u64,
}

/// One image of one service, in one world (before or after).
#[derive(Debug, Clone, PartialEq)]
pub enum ImageLayers {
    /// Known by its size only (a typed size, or a source without a layer list): one blob of that
    /// size that no other image holds.
    Size { wire_bytes: u64, disk_bytes: u64 },
    /// From an image source: its blobs by digest, and the blob digests of the previous build of
    /// the image when given.
    Layers {
        blobs: Vec<BlobSize>,
        previous: Option<Box<HashSet<String>>>,
    },
}

impl ImageLayers {
    /// True when the blobs are real digests (from an image source), not a stand-in for a size.
    pub fn layers_known(&self) -> bool {
        matches!(self, ImageLayers::Layers { .. })
    }

    /// The image as the model reads it.
    pub fn seen(&self) -> ImageSeen<'_> {
        match self {
            ImageLayers::Size {
                wire_bytes,
                disk_bytes,
            } => ImageSeen::Size {
                wire_bytes: *wire_bytes,
                disk_bytes: *disk_bytes,
            },
            ImageLayers::Layers { blobs, previous } => ImageSeen::Layers {
                blobs,
                previous: previous.as_deref(),
            },
        }
    }
}

/// An image as the model reads it: [`ImageLayers`] borrowed, or a size read where it lies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ImageSeen<'a> {
    Size {
        wire_bytes: u64,
        disk_bytes: u64,
    },
    Layers {
        blobs: &'a [BlobSize],
        previous: Option<&'a HashSet<String>>,
    },
}

/// A service as the model reads it: a [`LayeredService`] borrowed, or made from a fleet's own
/// records where they lie ([`Fleet`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceSeen<'a> {
    pub pool: &'a str,
    pub shape: &'a FleetShape,
    pub before: ImageSeen<'a>,
    pub after: ImageSeen<'a>,
    pub declared_base: Option<&'a FxHashSet<String>>,
    pub changed_per_deploy: Option<ChangedPerDeploy>,
}

impl<'a> ServiceSeen<'a> {
    fn image(&self, world: usize) -> ImageSeen<'a> {
        if world == 0 { self.before } else { self.after }
    }
}

/// The services the model runs over, each read by its index (0 to `len`, in fleet order) each
/// time the model needs it: a large fleet's services are not copied into the model's own form.
pub trait Fleet {
    /// How many services the fleet has.
    fn count(&self) -> usize;
    /// The service at `index`.
    fn service(&self, index: usize) -> ServiceSeen<'_>;
}

impl Fleet for [LayeredService<'_>] {
    fn count(&self) -> usize {
        self.len()
    }

    fn service(&self, index: usize) -> ServiceSeen<'_> {
        let service = &self[index];
        ServiceSeen {
            pool: service.pool,
            shape: service.shape,
            before: service.before.seen(),
            after: service.after.seen(),
            declared_base: service.declared_base.as_deref(),
            changed_per_deploy: service.changed_per_deploy,
        }
    }
}

/// A service as the layer-aware model sees it, owned (a fleet of a few services; a large one is
/// read through [`Fleet`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LayeredService<'a> {
    pub pool: &'a str,
    pub shape: &'a FleetShape,
    pub before: ImageLayers,
    pub after: ImageLayers,
    /// Blob keys of the declared base image, when one is declared.
    pub declared_base: Option<Box<FxHashSet<String>>>,
    pub changed_per_deploy: Option<ChangedPerDeploy>,
}

/// The model's parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayeredParameters {
    pub base_refresh_days: f64,
    pub base_refresh_fraction: f64,
    pub new_nodes: NewNodes,
    pub rates: PullRates,
    pub days_per_year: u64,
}

/// How a service's changed part was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ChangedFrom {
    PreviousBuild,
    SharedLayers,
    ChangedPerDeploy,
    WholeImage,
}

/// Expected wire bytes a day, decomposed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Decomposition {
    pub routine_deploys: i128,
    pub base_refreshes: i128,
    pub new_nodes: i128,
    pub total: i128,
}

impl Decomposition {
    fn add(self, other: Decomposition) -> Result<Decomposition, Overflow> {
        let sum = |a: i128, b: i128| {
            a.checked_add(b)
                .ok_or(Overflow("expected transfer per day"))
        };
        Ok(Decomposition {
            routine_deploys: sum(self.routine_deploys, other.routine_deploys)?,
            base_refreshes: sum(self.base_refreshes, other.base_refreshes)?,
            new_nodes: sum(self.new_nodes, other.new_nodes)?,
            total: sum(self.total, other.total)?,
        })
    }

    fn minus(self, other: Decomposition) -> Decomposition {
        Decomposition {
            routine_deploys: self.routine_deploys - other.routine_deploys,
            base_refreshes: self.base_refreshes - other.base_refreshes,
            new_nodes: self.new_nodes - other.new_nodes,
            total: self.total - other.total,
        }
    }
}

/// Before, after and saved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DecompositionChange {
    pub before: Decomposition,
    pub after: Decomposition,
    pub saved: Decomposition,
}

/// One node pool's figures.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PoolFigures {
    pub name: String,
    pub nodes: u64,
    pub new_nodes_per_day: f64,
    /// Wire bytes of the union of the pool's blobs (what a new node pulls).
    pub union_wire_bytes_before: u64,
    pub union_wire_bytes_after: u64,
    /// Seconds a new node spends pulling, pulls serialised.
    pub new_node_seconds_before: f64,
    pub new_node_seconds_after: f64,
    /// Wire bytes a node moves to switch from the before images to the after images.
    pub switch_wire_bytes_per_node: u64,
}

/// The model's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    pub per_day: DecompositionChange,
    pub pools: Vec<PoolFigures>,
    /// How each service's changed part was found, before and after, in fleet order.
    pub changed_from: Vec<(ChangedFrom, ChangedFrom)>,
}

/// A service's image split into its changed part and its base blobs.
struct Split<'a> {
    changed_wire: u64,
    base: Vec<&'a BlobSize>,
    from: ChangedFrom,
}

fn wire_of<'a>(blobs: impl IntoIterator<Item = &'a BlobSize>) -> u64 {
    blobs
        .into_iter()
        .fold(0u64, |total, blob| total.saturating_add(blob.wire_bytes))
}

/// Distinct blobs of an image (a digest listed twice is one blob).
fn distinct(blobs: &[BlobSize]) -> Vec<&BlobSize> {
    let mut seen = FxHashSet::default();
    blobs
        .iter()
        .filter(|b| seen.insert(b.key.as_str()))
        .collect()
}

/// The wire bytes of an image's distinct blobs.
fn image_wire(image: ImageSeen<'_>) -> u64 {
    match image {
        ImageSeen::Size { wire_bytes, .. } => wire_bytes,
        ImageSeen::Layers { blobs, .. } => wire_of(distinct(blobs)),
    }
}

fn split<'a>(
    image: ImageSeen<'a>,
    shared_elsewhere: &dyn Fn(&str) -> bool,
    declared_base: Option<&FxHashSet<String>>,
    explicit: Option<ChangedPerDeploy>,
) -> Split<'a> {
    if let ImageSeen::Layers { blobs, previous } = image {
        let blobs = distinct(blobs);
        if let Some(previous) = previous {
            let (base, changed): (Vec<&BlobSize>, Vec<&BlobSize>) =
                blobs.iter().partition(|b| previous.contains(&b.key));
            return Split {
                changed_wire: wire_of(changed),
                base,
                from: ChangedFrom::PreviousBuild,
            };
        }
        let (base, changed): (Vec<&BlobSize>, Vec<&BlobSize>) = blobs.iter().partition(|b| {
            shared_elsewhere(&b.key) || declared_base.is_some_and(|base| base.contains(&b.key))
        });
        if !base.is_empty() || explicit.is_none() {
            return Split {
                changed_wire: wire_of(changed),
                from: if base.is_empty() {
                    ChangedFrom::WholeImage
                } else {
                    ChangedFrom::SharedLayers
                },
                base,
            };
        }
    }
    let total = image_wire(image);
    match explicit {
        Some(changed) => {
            let changed_wire = match changed {
                ChangedPerDeploy::Bytes(bytes) => bytes.min(total),
                ChangedPerDeploy::Fraction(fraction) => {
                    (total as f64 * fraction.clamp(0.0, 1.0)).round() as u64
                }
            };
            // The rest of the image stays on the node like a base: a stand-in blob of its size.
            Split {
                changed_wire,
                base: Vec::new(),
                from: ChangedFrom::ChangedPerDeploy,
            }
        }
        None => Split {
            changed_wire: total,
            base: Vec::new(),
            from: ChangedFrom::WholeImage,
        },
    }
}

/// Wire and disk bytes of a set of blobs each counted once: those known by digest in a map (a
/// digest met again keeps its largest count), the blobs no other image holds summed beside it.
#[derive(Default)]
struct BlobUnion<'a> {
    by_digest: HashMap<&'a str, (u64, u64)>,
    private: (u64, u64),
}

impl<'a> BlobUnion<'a> {
    fn add(&mut self, key: Option<&'a str>, wire: u64, disk: u64) {
        match key {
            Some(key) => {
                let slot = self.by_digest.entry(key).or_insert((0, 0));
                slot.0 = slot.0.max(wire);
                slot.1 = slot.1.max(disk);
            }
            None => {
                self.private.0 = self.private.0.saturating_add(wire);
                self.private.1 = self.private.1.saturating_add(disk);
            }
        }
    }

    /// (wire, disk), each summed saturating.
    fn totals(&self) -> (u64, u64) {
        self.by_digest
            .values()
            .fold(self.private, |(w, d), (bw, bd)| {
                (w.saturating_add(*bw), d.saturating_add(*bd))
            })
    }

    /// Wire bytes of the blobs of `self` that `other` does not hold.
    fn wire_missing_from(&self, other: &BlobUnion<'_>) -> u64 {
        self.by_digest
            .iter()
            .filter(|(key, _)| !other.by_digest.contains_key(*key))
            .fold(self.private.0, |t, (_, (w, _))| t.saturating_add(*w))
    }
}

/// The expected transfer of a fleet.
pub fn expected<F: Fleet + ?Sized>(
    services: &F,
    parameters: &LayeredParameters,
) -> Result<Expected, Overflow> {
    // Pools in a stable order (first appearance), each with its members in fleet order.
    let mut pool_index: HashMap<&str, usize> = HashMap::default();
    let mut pools: Vec<(&str, Vec<usize>)> = Vec::new();
    for index in 0..services.count() {
        let pool = services.service(index).pool;
        let slot = *pool_index.entry(pool).or_insert_with(|| {
            pools.push((pool, Vec::new()));
            pools.len() - 1
        });
        pools[slot].1.push(index);
    }
    // In how many rows of the fleet (each world) each digest appears: counted once, not per pool.
    let rows_with: [HashMap<&str, usize>; 2] = [0, 1].map(|world| {
        let mut rows_with: HashMap<&str, usize> = HashMap::default();
        for index in 0..services.count() {
            if let ImageSeen::Layers { blobs, .. } = services.service(index).image(world) {
                for blob in distinct(blobs) {
                    *rows_with.entry(blob.key.as_str()).or_default() += 1;
                }
            }
        }
        rows_with
    });
    let mut total = DecompositionChange::default();
    let mut pool_figures = Vec::with_capacity(pools.len());
    let mut changed_from =
        vec![(ChangedFrom::WholeImage, ChangedFrom::WholeImage); services.count()];
    for (pool, members) in pools {
        let nodes = members
            .iter()
            .map(|&index| services.service(index).shape.nodes)
            .max()
            .unwrap_or(0);
        let new_nodes_per_day = match parameters.new_nodes {
            NewNodes::FractionOfNodes(fraction) => nodes as f64 * fraction,
            NewNodes::PerDay(count) => count,
        };
        let mut worlds = [Decomposition::default(); 2];
        let mut unions: [BlobUnion<'_>; 2] = Default::default();
        for (world, decomposition) in worlds.iter_mut().enumerate() {
            let rows_with = &rows_with[world];
            let shared_elsewhere = |key: &str| rows_with.get(key).copied().unwrap_or(0) >= 2;
            let mut routine: i128 = 0;
            // Base blobs by digest, and the bases private to one row summed beside them.
            let mut base_blobs: HashMap<&str, u128> = HashMap::default();
            let mut private_base: u128 = 0;
            let union = &mut unions[world];
            for &index in &members {
                let service = services.service(index);
                let image = service.image(world);
                let split = split(
                    image,
                    &shared_elsewhere,
                    service.declared_base,
                    service.changed_per_deploy,
                );
                if world == 0 {
                    changed_from[index].0 = split.from;
                } else {
                    changed_from[index].1 = split.from;
                }
                let pulls =
                    super::full_pull::pulls_per_day(*service.shape, parameters.days_per_year)?;
                let moved = pulls
                    .times_rounded(i128::from(split.changed_wire))
                    .ok_or(Overflow("expected transfer per day"))?;
                routine = routine
                    .checked_add(moved)
                    .ok_or(Overflow("expected transfer per day"))?;
                let copies = u128::from(service.shape.services);
                // Base blobs shared across rows are one blob; a row's own are one per service.
                for blob in &split.base {
                    let count = if shared_elsewhere(&blob.key) {
                        1
                    } else {
                        copies
                    };
                    let slot = base_blobs.entry(blob.key.as_str()).or_insert(0);
                    *slot = (*slot).max(count * u128::from(blob.wire_bytes));
                }
                if split.from == ChangedFrom::ChangedPerDeploy {
                    // The unchanged remainder is a row-private base of that size.
                    let rest = image_wire(image).saturating_sub(split.changed_wire);
                    private_base += copies * u128::from(rest);
                }
                match image {
                    ImageSeen::Size {
                        wire_bytes,
                        disk_bytes,
                    } => {
                        let count = service.shape.services;
                        union.add(
                            None,
                            wire_bytes.saturating_mul(count),
                            disk_bytes.saturating_mul(count),
                        );
                    }
                    ImageSeen::Layers { blobs, .. } => {
                        for blob in distinct(blobs) {
                            let shared = shared_elsewhere(&blob.key)
                                || service
                                    .declared_base
                                    .is_some_and(|base| base.contains(&blob.key));
                            let count = if shared { 1 } else { service.shape.services };
                            union.add(
                                Some(blob.key.as_str()),
                                blob.wire_bytes.saturating_mul(count),
                                blob.disk_bytes.saturating_mul(count),
                            );
                        }
                    }
                }
            }
            let base_wire: u128 = base_blobs.values().sum::<u128>() + private_base;
            let refreshes = if parameters.base_refresh_days > 0.0 {
                (nodes as f64 * parameters.base_refresh_fraction * base_wire as f64
                    / parameters.base_refresh_days)
                    .round()
            } else {
                0.0
            };
            let (union_wire, _) = union.totals();
            let new_nodes = (new_nodes_per_day * union_wire as f64).round();
            *decomposition = Decomposition {
                routine_deploys: routine,
                base_refreshes: refreshes as i128,
                new_nodes: new_nodes as i128,
                total: routine
                    .checked_add(refreshes as i128)
                    .and_then(|t| t.checked_add(new_nodes as i128))
                    .ok_or(Overflow("expected transfer per day"))?,
            };
        }
        let seconds = |union: &BlobUnion<'_>| {
            let (wire, disk) = union.totals();
            wire as f64 / parameters.rates.bandwidth as f64
                + disk as f64 / parameters.rates.extract_rate as f64
        };
        pool_figures.push(PoolFigures {
            name: pool.to_string(),
            nodes,
            new_nodes_per_day,
            union_wire_bytes_before: unions[0].totals().0,
            union_wire_bytes_after: unions[1].totals().0,
            new_node_seconds_before: seconds(&unions[0]),
            new_node_seconds_after: seconds(&unions[1]),
            switch_wire_bytes_per_node: unions[1].wire_missing_from(&unions[0]),
        });
        total.before = total.before.add(worlds[0])?;
        total.after = total.after.add(worlds[1])?;
    }
    total.saved = total.before.minus(total.after);
    Ok(Expected {
        per_day: total,
        pools: pool_figures,
        changed_from,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATES: PullRates = PullRates {
        bandwidth: 100,
        extract_rate: 100,
    };

    fn params(new_nodes: NewNodes) -> LayeredParameters {
        LayeredParameters {
            base_refresh_days: 7.0,
            base_refresh_fraction: 0.7,
            new_nodes,
            rates: RATES,
            days_per_year: 365,
        }
    }

    fn blob(key: &str, wire: u64) -> BlobSize {
        BlobSize {
            key: key.to_string(),
            wire_bytes: wire,
            disk_bytes: wire * 2,
        }
    }

    fn layers(blobs: &[(&str, u64)]) -> ImageLayers {
        ImageLayers::Layers {
            blobs: blobs.iter().map(|(k, w)| blob(k, *w)).collect(),
            previous: None,
        }
    }

    fn service<'a>(
        shape: FleetShape,
        before: ImageLayers,
        after: ImageLayers,
    ) -> LayeredService<'a> {
        LayeredService {
            pool: "all",
            // A test's shape lives as long as the test.
            shape: Box::leak(Box::new(shape)),
            before,
            after,
            declared_base: None,
            changed_per_deploy: None,
        }
    }

    fn shape(services: u64, nodes: u64, deploys: u64) -> FleetShape {
        FleetShape {
            services,
            nodes,
            deploys_per_day: crate::model::rate::DeployRate::daily(deploys),
        }
    }

    #[test]
    fn three_services_sharing_a_base_layer_pull_it_once_on_a_new_node() {
        // Each image: the shared alpine layer (1000), its own layer and config.
        let image = |own: &str, size: u64| {
            layers(&[("alpine", 1000), (own, size), (&format!("{own}-cfg"), 10)])
        };
        let services = [
            service(shape(1, 4, 2), image("a", 300), image("a2", 100)),
            service(shape(1, 4, 2), image("b", 200), image("b2", 100)),
            service(shape(1, 4, 2), image("c", 100), image("c2", 100)),
        ];
        let e = expected(&services[..], &params(NewNodes::PerDay(1.0))).unwrap();
        let pool = &e.pools[0];
        // before union: alpine once + 300 + 200 + 100 + 3 configs = 1630, not 3 × 1000 + ….
        assert_eq!(pool.union_wire_bytes_before, 1000 + 600 + 30);
        assert_eq!(pool.union_wire_bytes_after, 1000 + 300 + 30);
        assert_eq!(e.per_day.before.new_nodes, 1630);
        // routine: each deploy moves only the own layer + config: 8 pulls × (310 + 210 + 110).
        assert_eq!(e.per_day.before.routine_deploys, 8 * 630);
        assert_eq!(e.per_day.after.routine_deploys, 8 * 330);
        // base refresh: 4 nodes × 0.7 × 1000 (one distinct base) ÷ 7 days = 400.
        assert_eq!(e.per_day.before.base_refreshes, 400);
        assert_eq!(e.per_day.before.total, 8 * 630 + 400 + 1630);
        assert_eq!(
            e.per_day.saved.total,
            e.per_day.before.total - e.per_day.after.total
        );
        assert_eq!(e.changed_from[0].0, ChangedFrom::SharedLayers);
        // cold start: union wire 1630 / 100 + union disk 3260 / 100 = 48.9 s
        assert!((pool.new_node_seconds_before - 48.9).abs() < 1e-9);
        // switching a node: the after images' own layers and configs it does not hold.
        assert_eq!(pool.switch_wire_bytes_per_node, 300 + 30);
    }

    #[test]
    fn every_layer_changing_and_no_new_nodes_equals_the_full_pull() {
        let services = [
            service(
                shape(2, 10, 3),
                layers(&[("x", 500), ("y", 70)]),
                layers(&[("p", 80)]),
            ),
            service(
                shape(1, 5, 1),
                layers(&[("z", 900)]),
                layers(&[("q", 120), ("r", 1)]),
            ),
        ];
        let e = expected(&services[..], &params(NewNodes::PerDay(0.0))).unwrap();
        // full pull: 60 pulls × 570 + 5 × 900 before; 60 × 80 + 5 × 121 after.
        assert_eq!(e.per_day.before.total, 60 * 570 + 5 * 900);
        assert_eq!(e.per_day.after.total, 60 * 80 + 5 * 121);
        assert_eq!(e.per_day.before.base_refreshes, 0);
        assert!(
            e.changed_from
                .iter()
                .all(|(b, a)| *b == ChangedFrom::WholeImage && *a == ChangedFrom::WholeImage)
        );
    }

    #[test]
    fn the_previous_build_says_what_a_deploy_changes() {
        let before = ImageLayers::Layers {
            blobs: vec![blob("base", 1000), blob("app1", 50)],
            previous: Some(Box::new(["base".to_string()].into_iter().collect())),
        };
        let s = service(
            shape(1, 2, 5),
            before,
            layers(&[("base", 1000), ("app2", 20)]),
        );
        let e = expected(&[s][..], &params(NewNodes::PerDay(0.0))).unwrap();
        assert_eq!(e.per_day.before.routine_deploys, 10 * 50);
        // after has no previous build and shares nothing: whole image.
        assert_eq!(e.per_day.after.routine_deploys, 10 * 1020);
        // base refresh of the before image: 2 nodes × 0.7 × 1000 ÷ 7 = 200.
        assert_eq!(e.per_day.before.base_refreshes, 200);
        assert_eq!(e.changed_from[0].0, ChangedFrom::PreviousBuild);
    }

    #[test]
    fn an_explicit_changed_part_for_sizes_without_layers() {
        let opaque = |wire: u64| ImageLayers::Size {
            wire_bytes: wire,
            disk_bytes: wire * 2,
        };
        let mut s = service(shape(1, 10, 2), opaque(1000), opaque(400));
        s.changed_per_deploy = Some(ChangedPerDeploy::Fraction(0.25));
        let e = expected(&[s][..], &params(NewNodes::FractionOfNodes(0.1))).unwrap();
        // routine: 20 pulls × 250; base: 10 nodes × 0.7 × 750 ÷ 7 = 750; new: 1 node × 1000.
        assert_eq!(e.per_day.before.routine_deploys, 5000);
        assert_eq!(e.per_day.before.base_refreshes, 750);
        assert_eq!(e.per_day.before.new_nodes, 1000);
        assert_eq!(e.per_day.after.routine_deploys, 20 * 100);
        assert_eq!(e.per_day.after.base_refreshes, 300);
    }

    #[test]
    fn a_declared_base_is_a_base_even_for_one_service() {
        let mut s = service(
            shape(1, 7, 1),
            layers(&[("debian", 700), ("app", 30)]),
            layers(&[("alpine", 7), ("app", 30)]),
        );
        s.declared_base = Some(Box::new(
            ["debian".to_string(), "alpine".to_string()]
                .into_iter()
                .collect(),
        ));
        let e = expected(&[s][..], &params(NewNodes::PerDay(0.0))).unwrap();
        assert_eq!(e.per_day.before.routine_deploys, 7 * 30);
        // 7 nodes × 0.7 × 700 ÷ 7 = 490
        assert_eq!(e.per_day.before.base_refreshes, 490);
        assert_eq!(e.per_day.after.base_refreshes, 5);
    }

    #[test]
    fn pools_are_separate_and_sized_by_their_largest_row() {
        let mut a = service(shape(1, 3, 1), layers(&[("l", 100)]), layers(&[("l2", 10)]));
        let mut b = service(shape(1, 8, 1), layers(&[("m", 100)]), layers(&[("m2", 10)]));
        a.pool = "web";
        b.pool = "batch";
        let e = expected(&[a, b][..], &params(NewNodes::FractionOfNodes(0.5))).unwrap();
        assert_eq!(e.pools.len(), 2);
        assert_eq!((e.pools[0].name.as_str(), e.pools[0].nodes), ("web", 3));
        assert_eq!(e.pools[1].new_nodes_per_day, 4.0);
        // new nodes: web 1.5 × 100 = 150; batch 4 × 100 = 400.
        assert_eq!(e.per_day.before.new_nodes, 550);
    }
}
