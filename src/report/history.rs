//! What `history` reports (docs/history.md): the builds of one repository, oldest first, with
//! their sizes; each consecutive pair with the layers it shares and the bytes a node pulls; the
//! layer-aware model's parameters measured from the pairs; and the backtest of the model against
//! what a node really fetched. Every figure of the text, Markdown and HTML outputs is here under
//! the same name.

use serde::Serialize;

use super::SCHEMA_VERSION;
use crate::calc::history::{Backtest, MIN_PAIRS, Measured, Pair, Parameters};
use crate::calc::targets::Target;
use crate::model::image::Image;
use crate::model::{ChangedPerDeploy, ImageSize};

/// The history of one repository.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[schemars(title = "fleetsave history")]
pub struct HistoryReport {
    /// Version of this JSON contract.
    pub schema_version: u32,
    /// Always `history`.
    pub command: String,
    pub title: String,
    /// RFC 3339 time of generation: only with `--generated-at` or `SOURCE_DATE_EPOCH`.
    pub generated_at: Option<String>,
    /// The registry repository read, or `null` for image sources given in order.
    pub repository: Option<String>,
    /// The layers a base change is judged on: the bottom `base_layers` layers of each build.
    pub base_layers: usize,
    /// Which layers a base change is judged on, in words.
    pub base_from: String,
    /// Oldest first.
    pub builds: Vec<BuildView>,
    /// Each consecutive pair of builds.
    pub pairs: Vec<PairView>,
    pub measured: MeasuredView,
    /// `null` without two builds with creation times apart.
    pub backtest: Option<BacktestView>,
    /// The runtime target band of `--runtime` (unpacked bytes).
    pub target: Option<TargetBand>,
    pub notes: Vec<String>,
}

/// One build.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BuildView {
    /// The tag (registry), or the last part of the source path (`layout:v2`).
    pub tag: String,
    pub source: String,
    /// The config blob's digest (the image ID).
    pub config_digest: Option<String>,
    /// The config's `created` time as written.
    pub created: Option<String>,
    /// Config plus layer blobs.
    pub wire_bytes: u64,
    pub wire_estimated: bool,
    /// Unpacked layer tars.
    pub disk_bytes: u64,
    pub disk_estimated: bool,
    pub layers: usize,
}

/// One consecutive pair of builds.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PairView {
    /// The earlier build's tag.
    pub from: String,
    /// The later build's tag.
    pub to: String,
    /// Distinct layers of the later build the earlier one holds.
    pub layers_shared: usize,
    pub shared_wire_bytes: u64,
    /// Wire bytes a node holding the earlier build pulls to run the later one: its blobs
    /// (config included) the earlier build does not hold. Measured, not modelled.
    pub pull_wire_bytes: u64,
    /// `pull_wire_bytes` ÷ the later build's wire bytes (0–1).
    pub new_share: f64,
    /// One of the bottom `base_layers` layers changed.
    pub base_changed: bool,
    /// Days between the two builds' creation times.
    pub days: Option<f64>,
}

/// The layer-aware model's parameters measured from the pairs.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MeasuredView {
    pub pairs: usize,
    pub routine_pairs: usize,
    pub base_changes: usize,
    /// At least `min_pairs` pairs: the measured values replace the defaults (in
    /// `--write-assumptions` and the backtest).
    pub enough: bool,
    pub min_pairs: usize,
    /// The creation times of the first and last builds.
    pub first_created: Option<String>,
    pub last_created: Option<String>,
    /// Days from the first build to the last.
    pub span_days: Option<f64>,
    /// Builds (deploys) a day: pairs ÷ `span_days`.
    pub builds_per_day: Option<f64>,
    /// Median wire bytes a routine build pulls: the changed part per deploy.
    pub changed_per_deploy_bytes: Option<u64>,
    /// Median share of a routine build's wire bytes it pulls (0–1).
    pub changed_per_deploy_share: Option<f64>,
    /// Days between base changes: `span_days` ÷ `base_changes`.
    pub base_refresh_days: Option<f64>,
    /// Median share of a build's bytes outside the changed part that a base change pulls (0–1).
    pub base_refresh_fraction: Option<f64>,
}

/// The model's parameters a prediction used.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ParametersView {
    pub base_refresh_days: f64,
    pub base_refresh_fraction: f64,
    /// Wire bytes every deploy moves; `null`: the layers outside the base.
    pub changed_per_deploy_bytes: Option<u64>,
}

/// The model against what a node really fetched over the period.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BacktestView {
    /// Wire bytes a node that pulled every build fetched: the sum of the pairs' pulls.
    pub fetched_wire_bytes: u64,
    pub days: f64,
    /// Builds deployed after the first.
    pub deploys: usize,
    /// Expected wire bytes the layer-aware model predicts with the default parameters.
    pub predicted_with_defaults: u64,
    /// `predicted ÷ fetched − 1`: 0.1 predicts 10% too much.
    pub error_with_defaults: f64,
    pub defaults: ParametersView,
    /// `null` with fewer than `min_pairs` pairs.
    pub predicted_with_measured: Option<u64>,
    pub error_with_measured: Option<f64>,
    pub measured: Option<ParametersView>,
}

/// A runtime's target band.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TargetBand {
    pub runtime: String,
    pub low_disk_bytes: u64,
    pub high_disk_bytes: u64,
}

/// One build as the report needs it.
pub struct BuildInput<'a> {
    pub tag: &'a str,
    pub image: &'a Image,
    pub size: ImageSize,
}

/// Everything a history report is made of.
pub struct HistoryInput<'a> {
    pub title: String,
    pub generated_at: Option<String>,
    pub repository: Option<String>,
    pub base_layers: usize,
    pub base_from: String,
    pub builds: Vec<BuildInput<'a>>,
    pub pairs: &'a [Pair],
    pub measured: &'a Measured,
    pub backtest: Option<(&'a Backtest, Parameters, Option<Parameters>)>,
    pub target: Option<&'a Target>,
    pub notes: Vec<String>,
}

/// `value` to `places` decimals (`+ 0.0` turns -0.0 into 0.0).
fn round(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale + 0.0
}

fn parameters_view(parameters: Parameters) -> ParametersView {
    ParametersView {
        base_refresh_days: round(parameters.base_refresh_days, 3),
        base_refresh_fraction: round(parameters.base_refresh_fraction, 4),
        changed_per_deploy_bytes: match parameters.changed_per_deploy {
            Some(ChangedPerDeploy::Bytes(bytes)) => Some(bytes),
            _ => None,
        },
    }
}

impl HistoryReport {
    pub fn new(input: HistoryInput) -> HistoryReport {
        let tags: Vec<&str> = input.builds.iter().map(|b| b.tag).collect();
        let measured = input.measured;
        HistoryReport {
            schema_version: SCHEMA_VERSION,
            command: "history".to_string(),
            title: input.title,
            generated_at: input.generated_at,
            repository: input.repository,
            base_layers: input.base_layers,
            base_from: input.base_from,
            pairs: input
                .pairs
                .iter()
                .map(|pair| PairView {
                    from: tags[pair.from].to_string(),
                    to: tags[pair.from + 1].to_string(),
                    layers_shared: pair.shared_layers,
                    shared_wire_bytes: pair.shared_wire_bytes,
                    pull_wire_bytes: pair.pull_wire_bytes,
                    new_share: round(pair.new_share, 4),
                    base_changed: pair.base_changed,
                    days: pair.days.map(|days| round(days, 3)),
                })
                .collect(),
            measured: MeasuredView {
                pairs: measured.pairs,
                routine_pairs: measured.routine_pairs,
                base_changes: measured.base_changes,
                enough: measured.enough,
                min_pairs: MIN_PAIRS,
                first_created: input.builds.first().and_then(|b| b.image.created.clone()),
                last_created: input.builds.last().and_then(|b| b.image.created.clone()),
                span_days: measured.span_days.map(|days| round(days, 3)),
                builds_per_day: measured.builds_per_day.map(|rate| round(rate, 3)),
                changed_per_deploy_bytes: measured.changed_wire_bytes,
                changed_per_deploy_share: measured.changed_share.map(|share| round(share, 4)),
                base_refresh_days: measured.base_refresh_days.map(|days| round(days, 3)),
                base_refresh_fraction: measured
                    .base_refresh_fraction
                    .map(|fraction| round(fraction, 4)),
            },
            backtest: input
                .backtest
                .map(|(test, defaults, measured)| BacktestView {
                    fetched_wire_bytes: test.fetched_wire_bytes,
                    days: round(test.days, 3),
                    deploys: test.deploys,
                    predicted_with_defaults: test.predicted_with_defaults,
                    error_with_defaults: round(test.error_with_defaults, 4),
                    defaults: parameters_view(defaults),
                    predicted_with_measured: test.predicted_with_measured,
                    error_with_measured: test.error_with_measured.map(|error| round(error, 4)),
                    measured: measured.map(parameters_view),
                }),
            builds: input
                .builds
                .iter()
                .map(|build| BuildView {
                    tag: build.tag.to_string(),
                    source: build.image.source.clone(),
                    config_digest: build.image.config.as_ref().map(|c| c.digest.to_string()),
                    created: build.image.created.clone(),
                    wire_bytes: build.size.wire_bytes,
                    wire_estimated: build.size.wire_estimated,
                    disk_bytes: build.size.disk_bytes,
                    disk_estimated: build.size.disk_estimated,
                    layers: build.image.layers.len(),
                })
                .collect(),
            target: input.target.map(|target| TargetBand {
                runtime: target.runtime.to_string(),
                low_disk_bytes: target.low_disk_bytes,
                high_disk_bytes: target.high_disk_bytes,
            }),
            notes: input.notes,
        }
    }
}
