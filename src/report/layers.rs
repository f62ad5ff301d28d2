//! What `layers` reports: each layer of one image in order — digest, media type, wire and
//! unpacked bytes, the history step that made it, its share of the image, and with a fleet the
//! transfer a day and money a year it costs under full pulls — and the image's waste as dive
//! counts it (`findings.waste`).

use serde::Serialize;

use super::SCHEMA_VERSION;
use crate::calc::cost::transfer_cost;
use crate::calc::leftovers::{self, Found, LayerBytes, Rule, TOP_PATHS};
use crate::calc::techniques::{self, Technique};
use crate::calc::waste::{Prebuilt, Waste};
use crate::error::Error;
use crate::model::FleetShape;
use crate::model::assumptions::Assumptions;
use crate::model::files::FileEntry;
use crate::model::image::Image;
use crate::model::rate::Fraction;
use crate::units::Ratio;

/// The basis of the fleet figures, in words.
pub const FULL_PULL_BASIS: &str = "upper bound: every pull a full pull";

/// The basis of the waste figures, in words.
pub const WASTE_BASIS: &str = "file content bytes as dive counts them (tar header sizes), not \
the tar-stream unpacked bytes of the layer table (which add headers, padding and end blocks)";

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
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

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Fleet {
    pub services: u64,
    pub nodes: u64,
    /// Deploys a day, exactly (3/week is 3/7).
    pub deploys_per_day: Fraction,
    pub pulls_per_day: Fraction,
    pub price_per_gb: f64,
    pub currency: String,
    /// The basis of `full_pull_*` figures.
    pub basis: &'static str,
    /// The basis of `expected_*` figures; `null` where none are shown.
    pub expected_basis: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
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
    /// The layer's file content bytes and where they are in the final image; `null` when the
    /// entries were not read.
    pub files: Option<LayerBytes>,
    /// Upper bound: wire bytes × pulls a day (every pull a full pull); `null` without fleet
    /// flags or wire bytes.
    pub full_pull_transfer_per_day_bytes: Option<u128>,
    /// Upper bound: the money a year those bytes cost.
    pub full_pull_cost_per_year: Option<f64>,
    /// Expected: the wire bytes a day this layer moves under the layer-aware model (deploys,
    /// base refreshes, new nodes); `null` without fleet flags or wire bytes.
    pub expected_transfer_per_day_bytes: Option<i128>,
    /// Expected: the money a year those bytes cost.
    pub expected_cost_per_year: Option<f64>,
}

/// The basis of the leftovers, in words.
pub const LEFTOVERS_BASIS: &str = "files of the final filesystem (the layers stacked: whiteouts \
and opaque directories applied) matched by the rules of data/leftovers.csv, first rule wins; \
file content bytes as dive counts them";

/// How `recoverable` avoids counting bytes twice, in words.
pub const RECOVERABLE_BASIS: &str = "dive's wasted bytes + the leftovers' bytes − the bytes of \
each leftover file whose path dive also lists as wasted (its surviving copy is in both; counted \
once); file content bytes";

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Findings {
    pub waste: Option<WasteFinding>,
    /// What the final filesystem should not ship; `null` when the entries could not be read.
    pub leftovers: Option<LeftoversFinding>,
    /// Waste and leftovers without double counting; `null` when the entries could not be read.
    pub recoverable: Option<Recoverable>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
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

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
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

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LeftoverPath {
    pub path: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LayerRef {
    pub index: usize,
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TechniqueRef {
    pub priority: u32,
    pub technique: String,
}

/// The fleet value of some file content bytes: estimated wire bytes (× the compression ratio)
/// × pulls a day (every pull a full pull).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Value {
    /// Always true: the wire share of file bytes is estimated, not measured.
    pub estimated: bool,
    pub wire_bytes_estimated: u64,
    /// Upper bound: every pull a full pull.
    pub full_pull_transfer_per_day_bytes: u128,
    pub full_pull_cost_per_year: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
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

/// What the layers' tar entries gave: dive's waste, the rules and the leftovers they found,
/// and each layer's file bytes split.
struct Walk {
    waste: Waste,
    rules: Vec<Rule>,
    techniques: Vec<Technique>,
    found: Vec<Found>,
    by_layer: Vec<LayerBytes>,
}

impl Walk {
    /// `None` when not every layer's entries were read.
    fn of(image: &Image, prebuilt: Option<&Prebuilt>) -> Result<Option<Walk>, Error> {
        let walked: Option<Vec<&[FileEntry]>> = image
            .layers
            .iter()
            .map(|layer| layer.files.as_deref().map(Vec::as_slice))
            .collect();
        let Some(layers) = walked.filter(|layers| !layers.is_empty()) else {
            return Ok(None);
        };
        let rules = leftovers::bundled()?;
        let (waste, found, by_layer) = leftovers::findings(&rules, &layers, prebuilt);
        Ok(Some(Walk {
            waste,
            by_layer,
            techniques: techniques::bundled()?,
            rules,
            found,
        }))
    }
}

/// The fleet given to the report: its shape, and the assumptions in force (price, days a year,
/// currency, compression ratio and the layer model's parameters).
#[derive(Debug, Clone)]
pub struct FleetInput {
    pub shape: FleetShape,
    pub assumptions: Assumptions,
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
    /// The fleet as reports show it (no expected basis: see [`LayersReport::new`]).
    pub fn fleet(&self) -> Fleet {
        let days = self.assumptions.days_per_year.value;
        Fleet {
            services: self.shape.services,
            nodes: self.shape.nodes,
            deploys_per_day: self.shape.deploys_per_day.per_day(days),
            pulls_per_day: self.pulls_per_day(),
            price_per_gb: self.assumptions.price_per_gb.value,
            currency: self.assumptions.currency.clone(),
            basis: FULL_PULL_BASIS,
            expected_basis: None,
        }
    }

    /// Pulls a day, exactly: services × nodes × deploys a day (saturating).
    pub fn pulls_per_day(&self) -> Fraction {
        crate::calc::full_pull::pulls_per_day(self.shape, self.assumptions.days_per_year.value)
            .unwrap_or(Fraction::whole(u128::MAX))
    }

    /// The money a year `bytes` a day cost.
    pub fn money_a_year(&self, bytes: i128) -> f64 {
        transfer_cost(bytes, self.assumptions.price_per_gb.value)
            * self.assumptions.days_per_year.value as f64
    }

    /// The fleet value of `bytes` of file content: estimated wire bytes × pulls a day, and the
    /// money a year that transfer costs.
    pub fn value(&self, bytes: u64) -> Value {
        let wire = self
            .assumptions
            .compression_ratio
            .value
            .wire_from_disk(bytes);
        let per_day = pulls_times(self.pulls_per_day(), wire);
        Value {
            estimated: true,
            wire_bytes_estimated: wire,
            full_pull_transfer_per_day_bytes: per_day,
            full_pull_cost_per_year: self
                .money_a_year(i128::try_from(per_day).unwrap_or(i128::MAX)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct WasteFinding {
    pub basis: &'static str,
    /// The fleet value of the wasted bytes; `null` without fleet flags.
    pub fleet_value: Option<Value>,
    #[serde(flatten)]
    pub figures: Waste,
}

/// `bytes × pulls`, rounded to the nearest byte; saturating (as layer costs are quoted).
fn pulls_times(pulls: Fraction, bytes: u64) -> u128 {
    pulls
        .times_rounded(i128::from(bytes))
        .and_then(|product| u128::try_from(product).ok())
        .unwrap_or(u128::MAX)
}

impl LayersReport {
    /// The report of `image`, with fleet figures when `fleet` is given (`price_per_gb`,
    /// `days_per_year` from the assumptions); `prebuilt`: its layers' trees made while they were
    /// read, when they were.
    pub fn new(
        image: &Image,
        fleet: Option<FleetInput>,
        base: Option<&Image>,
        prebuilt: Option<&Prebuilt>,
    ) -> Result<LayersReport, Error> {
        let overflow =
            |overflow: crate::calc::full_pull::Overflow| Error::Overflow(overflow.to_string());
        let walk = Walk::of(image, prebuilt)?;
        let ratio = fleet
            .as_ref()
            .map(|fleet| fleet.assumptions.compression_ratio.value);
        let (history, created_by) = history_of(image);
        let total: u64 = image
            .layers
            .iter()
            .filter_map(|layer| layer.disk_bytes)
            .fold(0, u64::saturating_add);
        let expected = match &fleet {
            Some(given) if image.wire_known => Some(
                super::expected::per_layer(image, base, given.shape, &given.assumptions)
                    .map_err(overflow)?,
            ),
            _ => None,
        };
        if let Some(given) = &fleet {
            // Refused, not saturated: the figures below would be wrong.
            crate::calc::full_pull::pulls_per_day(
                given.shape,
                given.assumptions.days_per_year.value,
            )
            .map_err(overflow)?;
        }
        let value_of = |bytes: u64| fleet.as_ref().map(|given| given.value(bytes));
        let money_a_year = |bytes: i128| fleet.as_ref().map(|given| given.money_a_year(bytes));
        let shown = fleet.as_ref().map(|given| Fleet {
            expected_basis: Some(expected_basis(base.is_some())),
            ..given.fleet()
        });
        let layers = image
            .layers
            .iter()
            .enumerate()
            .map(|(index, layer)| {
                let wire = image.wire_known.then_some(layer.wire_bytes);
                let per_day = fleet
                    .as_ref()
                    .and_then(|given| wire.map(|wire| pulls_times(given.pulls_per_day(), wire)));
                let expected = expected.as_ref().and_then(|e| e.get(index).copied());
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
                    full_pull_transfer_per_day_bytes: per_day,
                    full_pull_cost_per_year: per_day
                        .and_then(|bytes| money_a_year(i128::try_from(bytes).unwrap_or(i128::MAX))),
                    files: walk
                        .as_ref()
                        .and_then(|walk| walk.by_layer.get(index).copied()),
                    expected_transfer_per_day_bytes: expected,
                    expected_cost_per_year: expected.and_then(money_a_year),
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
        let leftovers = walk.as_ref().map(|input| {
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
            let twice = leftovers::counted_twice(&input.found, &input.waste);
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
        let waste = walk.as_ref().map(|walk| walk.waste.clone());
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
        let waste = waste.map(|figures| WasteFinding {
            basis: WASTE_BASIS,
            fleet_value: value_of(figures.wasted_bytes),
            figures,
        });
        Ok(LayersReport {
            schema_version: SCHEMA_VERSION,
            command: "layers",
            source: image.source.clone(),
            kind: image.kind.to_string(),
            platform: image.platform.clone(),
            share_basis: "share of the image's unpacked (tar-stream) bytes",
            history,
            fleet: shown,
            layers,
            findings: Findings {
                waste,
                leftovers: leftovers.map(|(leftovers, _)| leftovers),
                recoverable,
            },
            notes,
            base_image: base.map(|base| base.source.clone()),
        })
    }
}

/// Where the bytes of one service's image are, in a fleet report: the image's layers and
/// findings priced with that service's shape (its `layers` JSON, less what describes the source).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ImageFindings {
    pub service: String,
    /// Which of the service's images: `after` when its after image was read, else `before`.
    pub image: &'static str,
    pub source: String,
    pub fleet: Option<Fleet>,
    pub layers: Vec<LayerRow>,
    pub findings: Findings,
}

/// The findings of every service whose image's layer entries were read (an image source with
/// its blobs: layouts, archives, registry references with `--disk`), in `services` order.
pub fn image_findings(
    services: &[crate::model::Service],
    assumptions: &Assumptions,
) -> Result<Vec<ImageFindings>, Error> {
    let mut out = Vec::new();
    for service in services {
        fn walked(image: &Option<Box<Image>>) -> Option<&Image> {
            image.as_deref().filter(|image| {
                !image.layers.is_empty() && image.layers.iter().all(|layer| layer.files.is_some())
            })
        }
        let (side, image) = match (walked(&service.after_image), walked(&service.before_image)) {
            (Some(after), _) => ("after", after),
            (None, Some(before)) => ("before", before),
            (None, None) => continue,
        };
        let report = LayersReport::new(
            image,
            Some(FleetInput {
                shape: service.shape,
                assumptions: assumptions.clone(),
            }),
            service.layering().base_image.as_deref(),
            None,
        )?;
        out.push(ImageFindings {
            service: service.name.to_string(),
            image: side,
            source: report.source,
            fleet: report.fleet,
            layers: report.layers,
            findings: report.findings,
        });
    }
    Ok(out)
}

/// The basis of the per-layer expected figures, in words.
fn expected_basis(with_base: bool) -> String {
    let split = if with_base {
        "the layers --base-image holds move only on base refreshes and to new nodes; the others \
         with every deploy"
    } else {
        "without --base-image every layer moves with every deploy, so the expected figure is the \
         full pull plus the new nodes' pulls"
    };
    format!(
        "Expected: the layer-aware model (docs/model.md#layered-expected) for this image as one row of the fleet; {split}"
    )
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
