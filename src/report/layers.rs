//! What `layers` reports: each layer of one image in order — digest, media type, wire and
//! unpacked bytes, the history step that made it, its share of the image, and with a fleet the
//! transfer a day and money a year it costs under full pulls — and the image's waste as dive
//! counts it (`findings.waste`).

use serde::Serialize;

use super::SCHEMA_VERSION;
use crate::calc::cost::transfer_cost;
use crate::calc::waste::Waste;
use crate::model::FleetShape;
use crate::model::image::Image;

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

#[derive(Debug, Clone, Serialize)]
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

#[derive(Debug, Clone, Serialize)]
pub struct Findings {
    pub waste: Option<WasteFinding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WasteFinding {
    pub basis: &'static str,
    #[serde(flatten)]
    pub figures: Waste,
}

impl LayersReport {
    /// The report of `image`, with fleet figures when `fleet` is given (`price_per_gb`,
    /// `days_per_year` from the assumptions).
    pub fn new(
        image: &Image,
        waste: Option<Waste>,
        fleet: Option<(FleetShape, f64, u64, String)>,
        base: Option<&Image>,
    ) -> LayersReport {
        let (history, created_by) = history_of(image);
        let total: u64 = image
            .layers
            .iter()
            .filter_map(|layer| layer.disk_bytes)
            .fold(0, u64::saturating_add);
        let fleet = fleet.map(|(shape, price, days, currency)| {
            let pulls = shape
                .services
                .saturating_mul(shape.nodes)
                .saturating_mul(shape.deploys_per_day);
            (
                Fleet {
                    services: shape.services,
                    nodes: shape.nodes,
                    deploys_per_day: shape.deploys_per_day,
                    pulls_per_day: pulls,
                    price_per_gb: price,
                    currency,
                    basis: FULL_PULL_BASIS,
                },
                days,
            )
        });
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
