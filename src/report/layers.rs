//! What `layers` reports: each layer of one image in order — digest, media type, wire and
//! unpacked bytes, the history step that made it, its share of the image, and with a fleet the
//! transfer a day and money a year it costs under full pulls — and the image's waste as dive
//! counts it (`findings.waste`).

use serde::Serialize;

use super::SCHEMA_VERSION;
use crate::calc::cost::transfer_cost;
use crate::calc::leftovers::{self, Found, Rule, TOP_PATHS};
use crate::calc::techniques::Technique;
use crate::calc::waste::Waste;
use crate::model::FleetShape;
use crate::model::image::Image;
use crate::units::Ratio;

/// The basis of the fleet figures, in words.
pub const FULL_PULL_BASIS: &str = "upper bound: every pull a full pull";

/// The basis of the waste figures, in words.
pub const WASTE_BASIS: &str = "file content bytes as dive counts them (tar header sizes), not \
the tar-stream unpacked bytes of the layer table (which add headers, padding and end blocks)";

#[derive(Debug, Clone, Serialize)]
pub struct LayersReport {
    pub schema_version: u32,
    pub command: &'static str,
    pub source: String,
    pub kind: String,
    pub platform: Option<String>,
    /// What `share` is a share of.
    pub share_basis: &'static str,
    /// Whether the history lines up with the layers, in words.
    pub history: String,
    pub fleet: Option<Fleet>,
    pub layers: Vec<LayerRow>,
    pub findings: Findings,
    pub notes: Vec<String>,
    /// The `--base-image` source, when given.
    pub base_image: Option<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Fleet {
    pub services: u64,
    pub nodes: u64,
    pub deploys_per_day: u64,
    pub pulls_per_day: u64,
    pub price_per_gb: f64,
    pub currency: String,
    pub basis: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct LayerRow {
    pub index: usize,
    pub digest: String,
    pub media_type: String,
    /// The blob as a node downloads it; `null` when the source does not hold it (docker save).
    pub wire_bytes: Option<u64>,
    /// The uncompressed tar stream's length.
    pub unpacked_bytes: Option<u64>,
    pub created_by: Option<String>,
    /// unpacked bytes ÷ the image's unpacked bytes.
    pub share: Option<f64>,
    /// Whether `--base-image` has this layer (same digest); `null` without `--base-image`.
    pub in_base: Option<bool>,
    /// wire bytes × pulls a day (full pulls); `null` without fleet flags or wire bytes.
    pub transfer_per_day_bytes: Option<u128>,
    pub cost_per_year: Option<f64>,
}

/// The basis of the leftovers, in words.
pub const LEFTOVERS_BASIS: &str = "files of the final filesystem (the layers stacked: whiteouts \
and opaque directories applied) matched by the rules of data/leftovers.csv, first rule wins; \
file content bytes as dive counts them";

/// How `recoverable` avoids counting bytes twice, in words.
pub const RECOVERABLE_BASIS: &str = "dive's wasted bytes + the leftovers' bytes − the bytes of \
each leftover file whose path dive also lists as wasted (its surviving copy is in both; counted \
once); file content bytes";

#[derive(Debug, Clone, Serialize)]
pub struct Findings {
    pub waste: Option<WasteFinding>,
    /// What the final filesystem should not ship; `null` when the entries could not be read.
    pub leftovers: Option<LeftoversFinding>,
    /// Waste and leftovers without double counting; `null` when the entries could not be read.
    pub recoverable: Option<Recoverable>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LeftoversFinding {
    pub basis: &'static str,
    /// Σ of the leftovers' bytes.
    pub bytes: u64,
    /// Files matched.
    pub files: u64,
    /// The fleet figures' basis; `null` without fleet flags.
    pub value_basis: Option<String>,
    /// One per rule and layer that brought its files, the largest first.
    pub items: Vec<Leftover>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Leftover {
    /// The rule's id in data/leftovers.csv.
    pub rule: String,
    pub description: String,
    /// The largest files (at most 5).
    pub paths: Vec<LeftoverPath>,
    /// Every file the rule matched in this layer.
    pub path_count: u64,
    /// Σ of their file content bytes.
    pub bytes: u64,
    /// The layer whose entries brought these files (the last to write each).
    pub layer: LayerRef,
    pub created_by: Option<String>,
    pub technique: TechniqueRef,
    /// The fleet value; `null` without fleet flags.
    pub fleet_value: Option<Value>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LeftoverPath {
    pub path: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LayerRef {
    pub index: usize,
    pub digest: String,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TechniqueRef {
    pub priority: u32,
    pub technique: String,
}

/// The fleet value of some file content bytes: estimated wire bytes (× the compression ratio)
/// × pulls a day (every pull a full pull).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Value {
    /// Always true: the wire share of file bytes is estimated, not measured.
    pub estimated: bool,
    pub wire_bytes_estimated: u64,
    pub transfer_per_day_bytes: u128,
    pub cost_per_year: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recoverable {
    pub basis: &'static str,
    pub bytes: u64,
    pub wasted_bytes: u64,
    pub leftover_bytes: u64,
    /// Taken off: in both the wasted and the leftover bytes.
    pub counted_in_both_bytes: u64,
    pub value_basis: Option<String>,
    /// The fleet value; `null` without fleet flags.
    pub fleet_value: Option<Value>,
}

/// What the leftovers are read with: the rules, the checklist, and the final files' leftovers.
pub struct LeftoverInput<'a> {
    pub rules: &'a [Rule],
    pub techniques: &'a [Technique],
    pub found: Vec<Found>,
}

/// The fleet given to the report: its shape, `price_per_gb`, `days_per_year`, currency and
/// compression ratio from the assumptions.
pub struct FleetInput {
    pub shape: FleetShape,
    pub price_per_gb: f64,
    pub days_per_year: u64,
    pub currency: String,
    pub compression_ratio: Ratio,
}

#[derive(Debug, Clone, Serialize)]
pub struct WasteFinding {
    pub basis: &'static str,
    #[serde(flatten)]
    pub figures: Waste,
}

/// The basis of a fleet value of file content bytes, in words.
pub fn value_basis(ratio: Ratio) -> String {
    format!(
        "estimated: file content bytes × the compression ratio {} (assumptions) for the wire \
         share, × pulls a day ({FULL_PULL_BASIS})",
        ratio.as_f64()
    )
}

impl FleetInput {
    /// The fleet as reports show it.
    pub fn fleet(&self) -> Fleet {
        let shape = self.shape;
        Fleet {
            services: shape.services,
            nodes: shape.nodes,
            deploys_per_day: shape.deploys_per_day,
            pulls_per_day: self.pulls_per_day(),
            price_per_gb: self.price_per_gb,
            currency: self.currency.clone(),
            basis: FULL_PULL_BASIS,
        }
    }

    /// Pulls a day: services × nodes × deploys a day.
    pub fn pulls_per_day(&self) -> u64 {
        self.shape
            .services
            .saturating_mul(self.shape.nodes)
            .saturating_mul(self.shape.deploys_per_day)
    }

    /// The fleet value of `bytes` of file content: estimated wire bytes × pulls a day, and the
    /// money a year that transfer costs.
    pub fn value(&self, bytes: u64) -> Value {
        let wire = self.compression_ratio.wire_from_disk(bytes);
        let per_day = u128::from(wire) * u128::from(self.pulls_per_day());
        Value {
            estimated: true,
            wire_bytes_estimated: wire,
            transfer_per_day_bytes: per_day,
            cost_per_year: transfer_cost(
                i128::try_from(per_day).unwrap_or(i128::MAX),
                self.price_per_gb,
            ) * self.days_per_year as f64,
        }
    }
}

impl LayersReport {
    /// The report of `image`, with fleet figures when `fleet` is given (`price_per_gb`,
    /// `days_per_year` from the assumptions).
    pub fn new(
        image: &Image,
        waste: Option<Waste>,
        leftovers: Option<LeftoverInput>,
        fleet: Option<FleetInput>,
        base: Option<&Image>,
    ) -> LayersReport {
        let ratio = fleet.as_ref().map(|fleet| fleet.compression_ratio);
        let (history, created_by) = history_of(image);
        let total: u64 = image
            .layers
            .iter()
            .filter_map(|layer| layer.disk_bytes)
            .fold(0, u64::saturating_add);
        let valued = fleet
            .as_ref()
            .map(|given| (given.fleet(), given.days_per_year));
        let value_of = |bytes: u64| fleet.as_ref().map(|given| given.value(bytes));
        let fleet = valued;
        let layers = image
            .layers
            .iter()
            .enumerate()
            .map(|(index, layer)| {
                let wire = image.wire_known.then_some(layer.wire_bytes);
                let per_day = fleet.as_ref().and_then(|(fleet, _)| {
                    wire.map(|wire| u128::from(wire) * u128::from(fleet.pulls_per_day))
                });
                LayerRow {
                    index,
                    digest: layer.digest.to_string(),
                    media_type: layer.media_type.clone(),
                    wire_bytes: wire,
                    unpacked_bytes: layer.disk_bytes,
                    created_by: created_by.get(index).cloned().flatten(),
                    share: layer
                        .disk_bytes
                        .filter(|_| total > 0)
                        .map(|disk| disk as f64 / total as f64),
                    in_base: base.map(|base| {
                        base.layers
                            .iter()
                            .any(|shared| shared.digest == layer.digest)
                    }),
                    transfer_per_day_bytes: per_day,
                    cost_per_year: per_day.zip(fleet.as_ref()).map(|(bytes, (fleet, days))| {
                        transfer_cost(
                            i128::try_from(bytes).unwrap_or(i128::MAX),
                            fleet.price_per_gb,
                        ) * *days as f64
                    }),
                }
            })
            .collect();
        let mut notes = image.notes.clone();
        if !image.wire_known {
            notes.push(
                "this source does not hold the registry's compressed blobs: no wire bytes, so no \
                 transfer or money per layer"
                    .to_string(),
            );
        }
        let value_basis = ratio.map(value_basis);
        let leftovers = leftovers.map(|input| {
            let items: Vec<Leftover> = input
                .found
                .iter()
                .map(|found| {
                    let rule = &input.rules[found.rule];
                    let bytes = found.bytes();
                    Leftover {
                        rule: rule.rule.clone(),
                        description: rule.description.clone(),
                        paths: found
                            .files
                            .iter()
                            .take(TOP_PATHS)
                            .map(|(path, bytes)| LeftoverPath {
                                path: path.clone(),
                                bytes: *bytes,
                            })
                            .collect(),
                        path_count: found.files.len() as u64,
                        bytes,
                        layer: LayerRef {
                            index: found.layer,
                            digest: image
                                .layers
                                .get(found.layer)
                                .map(|layer| layer.digest.to_string())
                                .unwrap_or_default(),
                        },
                        created_by: created_by.get(found.layer).cloned().flatten(),
                        technique: TechniqueRef {
                            priority: rule.technique,
                            technique: input
                                .techniques
                                .iter()
                                .find(|t| t.priority == rule.technique)
                                .map(|t| t.technique.clone())
                                .unwrap_or_default(),
                        },
                        fleet_value: value_of(bytes),
                    }
                })
                .collect();
            let twice = waste
                .as_ref()
                .map(|waste| leftovers::counted_twice(&input.found, waste))
                .unwrap_or(0);
            (
                LeftoversFinding {
                    basis: LEFTOVERS_BASIS,
                    bytes: items
                        .iter()
                        .fold(0u64, |sum, l| sum.saturating_add(l.bytes)),
                    files: items.iter().map(|l| l.path_count).sum(),
                    value_basis: value_basis.clone(),
                    items,
                },
                twice,
            )
        });
        let recoverable =
            waste
                .as_ref()
                .zip(leftovers.as_ref())
                .map(|(waste, (leftovers, twice))| {
                    let bytes = waste
                        .wasted_bytes
                        .saturating_add(leftovers.bytes)
                        .saturating_sub(*twice);
                    Recoverable {
                        basis: RECOVERABLE_BASIS,
                        bytes,
                        wasted_bytes: waste.wasted_bytes,
                        leftover_bytes: leftovers.bytes,
                        counted_in_both_bytes: *twice,
                        value_basis: value_basis.clone(),
                        fleet_value: value_of(bytes),
                    }
                });
        LayersReport {
            schema_version: SCHEMA_VERSION,
            command: "layers",
            source: image.source.clone(),
            kind: image.kind.to_string(),
            platform: image.platform.clone(),
            share_basis: "share of the image's unpacked (tar-stream) bytes",
            history,
            fleet: fleet.map(|(fleet, _)| fleet),
            layers,
            findings: Findings {
                waste: waste.map(|figures| WasteFinding {
                    basis: WASTE_BASIS,
                    figures,
                }),
                leftovers: leftovers.map(|(leftovers, _)| leftovers),
                recoverable,
            },
            notes,
            base_image: base.map(|base| base.source.clone()),
        }
    }
}

/// Whether the history lines up, and each layer's `created_by` (history entries without
/// `empty_layer`, in order, as dive and docker match them).
fn history_of(image: &Image) -> (String, Vec<Option<String>>) {
    let Some(history) = &image.history else {
        return (
            "missing: the config has no history, so no layer has a created_by".to_string(),
            Vec::new(),
        );
    };
    let made: Vec<Option<String>> = history
        .iter()
        .filter(|entry| !entry.empty_layer)
        .map(|entry| entry.created_by.clone())
        .collect();
    let layers = image.layers.len();
    let said = if made.len() == layers {
        format!("lines up: {layers} history entries that made a layer for {layers} layers")
    } else {
        format!(
            "does not line up: {} history entries that made a layer for {layers} layers; \
             matched in order from the first, so later created_by may belong to other layers",
            made.len()
        )
    };
    (said, made)
}
