//! The report: one finished set of figures for a run, built once from the services and the
//! assumptions, and rendered by every format. Its serialised form is the JSON contract of
//! (`schema_version` 1); the JSON Schema in `docs/` is generated from these types.
//!
//! All arithmetic ends here: renderers only format what this module computed.

pub mod audit;
mod build;
pub mod burst;
pub mod check;
pub mod expected;
pub mod forecast;
pub mod history;
pub mod inspect;
pub mod layers;
pub mod series;

pub use build::{BuildInput, RowMaker, build, build_deferred};

use serde::Serialize;

use crate::calc::cost::{Payback, PeriodCost};
use crate::calc::full_pull::{DiskWire, Seconds, Transfer};
use crate::calc::targets::Status;
use crate::calc::techniques::Technique;
use crate::model::assumptions::{ASSUMPTIONS, Assumption, Assumptions, Kind, Origin, Value};
use crate::model::image::{Digest, Image};
use crate::model::rate::Fraction;
use crate::model::{ImageSize, RuntimeKey};
use crate::units::Basis;

/// The version of the JSON contract.
pub const SCHEMA_VERSION: u32 = 1;

/// Which command produced a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Command {
    Calc,
    Report,
    Compare,
}

impl Command {
    pub fn as_str(self) -> &'static str {
        match self {
            Command::Calc => "calc",
            Command::Report => "report",
            Command::Compare => "compare",
        }
    }
}

/// A fleetsave report: what a smaller image saves across the fleet.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[schemars(title = "fleetsave report")]
pub struct Report {
    /// Version of this JSON contract; changes only when a field changes meaning or goes away.
    pub schema_version: u32,
    pub command: Command,
    pub title: String,
    /// RFC 3339 time of generation: only with `--generated-at` or `SOURCE_DATE_EPOCH`.
    pub generated_at: Option<String>,
    pub assumptions: AssumptionsView,
    /// The full-pull model (upper bound: every pull is a full pull), committed services only.
    pub totals: Totals,
    /// One row per service: committed rows by saving per day (wire), largest first, then plan
    /// rows by their high saving.
    pub services: Vec<ServiceRow>,
    /// The sum of the plan rows' projected savings; `null` when there are no plans. Never
    /// included in `totals`.
    pub projected_totals: Option<ProjectedTotals>,
    /// `compare` only: the layers the two images share and what switching a node transfers;
    /// `null` for other commands.
    pub compare: Option<CompareView>,
    /// `report --history N`: the last builds of each service whose after image is a registry
    /// repository (no tag), oldest first. Absent without `--history`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(default)]
    pub trends: Vec<ServiceTrend>,
    /// For committed images above their runtime target: what reaching the target's high end
    /// would add, and the checklist of techniques; `null` when none is above target.
    pub next_steps: Option<NextSteps>,
    /// `compare` with budgets or growth limits: the gate's verdict on the new image (its
    /// baseline the old one); `null` otherwise.
    pub gate: Option<check::CheckReport>,
    /// Where the bytes are: one entry per service whose image's layer entries were read (an
    /// image source with its blobs), its waste, leftovers and recoverable bytes priced with that
    /// service's shape; empty when no image was read that way.
    pub findings: Vec<layers::ImageFindings>,
    /// The audit of each service whose inventory row names a `dockerfile`, in `services` order:
    /// its findings priced in the row's after image, else its before image, else as the
    /// checklist's estimates, valued with that service's shape; empty when no row names one.
    pub audits: Vec<audit::ServiceAudit>,
    /// The rollout burst of each service (with `--egress-limit` or `--window`); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bursts: Option<burst::BurstsView>,
}

/// What moving a node from the BEFORE image to the AFTER image transfers, by layer digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CompareView {
    pub before_source: String,
    pub after_source: String,
    /// Distinct layers of AFTER that BEFORE already holds.
    pub shared_layers: usize,
    /// Their blob sizes.
    pub shared_wire_bytes: u64,
    /// The blobs of AFTER (config included) a node holding BEFORE must fetch.
    pub pull_wire_bytes_per_node: u64,
    /// That, on every node: the one-time switch of the fleet.
    pub pull_wire_bytes_all_nodes: u128,
    pub nodes: u64,
    /// The two images side by side.
    pub before_image: ImageSummary,
    pub after_image: ImageSummary,
    /// Layers of AFTER that BEFORE does not hold, in order.
    pub added_layers: Vec<LayerChange>,
    /// Layers of BEFORE that AFTER no longer has, in order.
    pub removed_layers: Vec<LayerChange>,
}

/// One image of a comparison, as its overview shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ImageSummary {
    /// The name shown: `--name`/`--before-name`, else the source as given.
    pub name: String,
    /// The image's config digest (its image ID), when the source holds a config.
    pub config_digest: Option<String>,
    /// `os/architecture[/variant]`, when known.
    pub platform: Option<String>,
    pub size: ImageView,
    pub layers: usize,
}

impl ImageSummary {
    /// The summary of `image`, measured or estimated as `size` says.
    pub fn of(name: String, image: &Image, size: &ImageSize) -> ImageSummary {
        ImageSummary {
            name,
            config_digest: image
                .config
                .as_ref()
                .map(|config| config.digest.to_string()),
            platform: image.platform.clone(),
            size: ImageView::of(size),
            layers: image.layers.len(),
        }
    }
}

/// A layer added or removed between two images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LayerChange {
    pub digest: String,
    /// Its blob size on the wire (as the source lists it).
    pub wire_bytes: u64,
}

impl LayerChange {
    /// The changes of a comparison's layer list.
    pub fn list(layers: &[(Digest, u64)]) -> Vec<LayerChange> {
        layers
            .iter()
            .map(|(digest, wire_bytes)| LayerChange {
                digest: digest.to_string(),
                wire_bytes: *wire_bytes,
            })
            .collect()
    }
}

/// Next steps for images above target.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct NextSteps {
    /// Committed rows whose after size is above their runtime target.
    pub services_above_target: usize,
    /// Extra saving per day if each of them reached its target's high end (wire estimated with
    /// the compression ratio).
    pub recoverable_per_day: DiskWire,
    pub recoverable_per_year: DiskWire,
    /// The technique checklist, in priority order.
    pub techniques: Vec<Technique>,
}

/// A low–high range of a projected figure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Range<T> {
    pub low: T,
    pub high: T,
}

/// What the planned services would save if they reached their runtime targets.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ProjectedTotals {
    /// Number of plan rows.
    pub rows: usize,
    pub services: u128,
    /// Exact; a number with a fraction for rates such as 3/week.
    pub pulls_per_day: Fraction,
    pub per_day: Range<DiskWire>,
    pub per_year: Range<DiskWire>,
    pub cost_saved_per_year: Range<f64>,
    pub currency: String,
}

/// A saving: exact for a committed row, a low–high range for a plan.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Saving {
    Exact(DiskWire),
    // Boxed: most rows are committed, and every row would otherwise pay for the range.
    Projected(Box<Range<DiskWire>>),
}

impl Saving {
    /// The figure to sort and headline by: exact, or the high end of a range.
    pub fn high(&self) -> DiskWire {
        match self {
            Saving::Exact(saving) => *saving,
            Saving::Projected(range) => range.high,
        }
    }
}

/// The wire bytes a day that `rows` save between them (a projected row counts at its high end):
/// what a view that leaves these rows out says they add up to.
pub fn wire_saved_per_day(rows: &[&ServiceRow]) -> i128 {
    rows.iter()
        .map(|row| row.saved_per_day.high().wire_bytes)
        .sum()
}

/// One assumption as reports show it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AssumptionView<T> {
    pub value: T,
    pub unit: String,
    pub origin: Origin,
    pub source: String,
}

/// Every assumption in force, in the order of the assumptions table, each with its value as the
/// model holds it, its unit, origin and source. Serialised as an object keyed by each
/// assumption's key (`null` for one without a value); its schema is derived from the table too.
#[derive(Debug, Clone, PartialEq)]
pub struct AssumptionsView {
    pub rows: Vec<AssumptionRow>,
    pub currency: String,
}

/// One assumption of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct AssumptionRow {
    pub assumption: &'static Assumption,
    /// `None` for an assumption without a default that was not given.
    pub value: Option<Value>,
    /// The unit, with the currency filled in: `USD/GB`.
    pub unit: String,
    pub origin: Origin,
    pub source: String,
}

impl AssumptionsView {
    /// The view of the assumptions in force.
    pub fn of(assumptions: &Assumptions) -> AssumptionsView {
        let rows = ASSUMPTIONS
            .iter()
            .map(|assumption| {
                let reading = (assumption.get)(assumptions);
                AssumptionRow {
                    assumption,
                    unit: assumption.unit.replace("{currency}", &assumptions.currency),
                    origin: reading.as_ref().map_or(Origin::Default, |r| r.origin),
                    source: reading
                        .as_ref()
                        .map(|r| r.source.to_string())
                        .unwrap_or_default(),
                    value: reading.map(|r| r.value),
                }
            })
            .collect();
        AssumptionsView {
            rows,
            currency: assumptions.currency.clone(),
        }
    }

    /// The value of `key`, if set.
    pub fn value(&self, key: &str) -> Option<&Value> {
        self.rows
            .iter()
            .find(|row| row.assumption.key == key)
            .and_then(|row| row.value.as_ref())
    }

    /// The rows with a value, in table order.
    pub fn set(&self) -> impl Iterator<Item = (&AssumptionRow, &Value)> {
        self.rows
            .iter()
            .filter_map(|row| row.value.as_ref().map(|value| (row, value)))
    }
}

/// A value as the JSON contract writes it: ratios, prices and decimals as numbers, rates and
/// whole numbers as integers, profiles and new-node rates as strings.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
enum JsonValue {
    Number(f64),
    Integer(u64),
    Text(String),
}

/// The JSON type of a kind's values.
fn json_value(value: &Value) -> JsonValue {
    match value {
        Value::Ratio(ratio) => JsonValue::Number(ratio.as_f64()),
        Value::Rate(rate) => JsonValue::Integer(*rate),
        Value::Whole(whole) => JsonValue::Integer(*whole),
        Value::Number(number) => JsonValue::Number(*number),
        Value::Profile(name) => JsonValue::Text(name.clone()),
        Value::NewNodes(new_nodes) => JsonValue::Text(new_nodes.to_string()),
        Value::ChangedPerDeploy(changed) => JsonValue::Text(changed.to_string()),
    }
}

impl Serialize for AssumptionsView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.rows.len()))?;
        for row in &self.rows {
            let view = row.value.as_ref().map(|value| AssumptionView {
                value: json_value(value),
                unit: row.unit.clone(),
                origin: row.origin,
                source: row.source.clone(),
            });
            map.serialize_entry(row.assumption.key, &view)?;
        }
        map.end()
    }
}

impl schemars::JsonSchema for AssumptionsView {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "AssumptionsView".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut properties = serde_json::Map::new();
        let mut required = Vec::new();
        for assumption in ASSUMPTIONS {
            let view = match assumption.kind {
                Kind::Ratio | Kind::TransferPrice | Kind::Price { .. } | Kind::Number { .. } => {
                    generator.subschema_for::<AssumptionView<f64>>()
                }
                Kind::Rate | Kind::Whole { .. } => generator.subschema_for::<AssumptionView<u64>>(),
                Kind::Profile | Kind::NewNodes | Kind::ChangedPerDeploy => {
                    generator.subschema_for::<AssumptionView<String>>()
                }
            };
            let mut property = serde_json::Map::new();
            if let Some(description) = assumption.description {
                property.insert("description".into(), description.into());
            }
            if assumption.has_default {
                required.push(serde_json::Value::from(assumption.key));
                if let Some(view) = view.as_object() {
                    property.extend(view.clone());
                }
            } else {
                property.insert(
                    "anyOf".into(),
                    serde_json::json!([view, { "type": "null" }]),
                );
            }
            properties.insert(assumption.key.into(), property.into());
        }
        schemars::json_schema!({
            "description": "Every assumption in force, each with value, unit, origin and source.",
            "type": "object",
            "properties": properties,
            "required": required,
        })
    }
}

/// Money saved on transfer, with the price it was computed at.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CostSaved {
    pub per_day: f64,
    pub per_month: f64,
    pub per_year: f64,
    pub currency: String,
    pub price_per_gb: f64,
    /// The pricing profile (`nat-gateway`, …) or `custom`.
    pub pricing: String,
}

/// Registry storage no longer needed for the retained tags.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StorageSaved {
    pub wire_bytes: i128,
    pub cost_per_month: f64,
    pub currency: String,
}

/// Which bases hold figures estimated with the compression ratio.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Estimated {
    pub disk: bool,
    pub wire: bool,
}

/// Fleet totals of the full-pull model over the committed services.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Totals {
    /// Number of committed service rows.
    pub rows: usize,
    /// Distinct services (sum of each row's `services`).
    pub services: u128,
    /// Exact; a number with a fraction for rates such as 3/week.
    pub pulls_per_day: Fraction,
    /// Saved per pull; for several rows the pull-weighted mean.
    pub per_pull_saved: DiskWire,
    /// Before, after and saved per pull (pull-weighted means for several rows).
    pub per_pull: Transfer,
    pub per_day: Transfer,
    /// per_year ÷ 12, rounded to the nearest byte.
    pub per_month: Transfer,
    pub per_year: Transfer,
    pub cost_saved: CostSaved,
    pub cost_before: PeriodCost,
    pub cost_after: PeriodCost,
    /// Seconds of one pull (download + extraction), pull-weighted.
    pub pull_seconds: Seconds,
    pub pull_seconds_saved_per_pull: f64,
    /// A new node starting one of each service, pulls serialised (kubelet default).
    pub new_node_seconds: Seconds,
    pub node_hours_saved_per_day: f64,
    pub registry_storage_saved: StorageSaved,
    /// Present when `effort_hours` was given: on the headline's basis, the upper bound's beside.
    pub payback: Option<PaybackView>,
    pub estimated: Estimated,
    /// True when the committed services grew in total (negative savings).
    pub growth: bool,
    /// The expected figure with layer caches (docs/model.md#layered-expected), beside these full-pull figures.
    pub expected: expected::ExpectedView,
    /// The figure every format leads with: the expected one when layers are known, else the
    /// full-pull upper bound (docs/model.md#headline).
    pub headline: Headline,
}

/// Which figure a number is: what layer caches are expected to leave, or the full-pull bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FigureBasis {
    /// With layer caches: a deploy moves the layers that changed.
    Expected,
    /// Every pull a full pull: an upper bound.
    UpperBound,
}

impl FigureBasis {
    /// The basis in words a manager reads: `expected with layer caches`, `upper bound`.
    pub fn words(self) -> &'static str {
        match self {
            FigureBasis::Expected => "expected with layer caches",
            FigureBasis::UpperBound => "upper bound: every pull a full pull",
        }
    }
}

/// The headline figures: transfer on the wire, money and node time saved, on one basis.
/// Negative figures are added (the images grew).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Headline {
    pub basis: FigureBasis,
    /// Wire bytes saved a day.
    pub wire_bytes_per_day: i128,
    /// Wire bytes saved a year (days_per_year days).
    pub wire_bytes_per_year: i128,
    /// Transfer money saved a day, unrounded cents aside.
    pub cost_per_day: f64,
    pub cost_per_year: f64,
    /// Node-hours of pulling saved a day. On the expected basis, the full-pull figure scaled by
    /// the share of wire bytes still moved (an estimate: docs/model.md#payback).
    pub node_hours_per_day: f64,
}

/// The payback of the effort, on the headline's basis, with the upper bound's figures beside.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PaybackView {
    #[serde(flatten)]
    pub headline: Payback,
    /// The basis of `payback_days` and `node_hours_break_even_days`: the headline's.
    pub basis: FigureBasis,
    /// effort cost ÷ (full-pull transfer money a day + storage money a day); `null` without a
    /// rate or when nothing is saved.
    pub upper_bound_payback_days: Option<f64>,
    /// effort_hours ÷ full-pull node-hours saved a day.
    pub upper_bound_node_hours_break_even_days: Option<f64>,
}

/// An image's size on both bases, saying which one was estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ImageView {
    pub disk_bytes: u64,
    pub wire_bytes: u64,
    pub disk_estimated: bool,
    pub wire_estimated: bool,
}

impl ImageView {
    /// The view of a size.
    pub fn of(size: &ImageSize) -> ImageView {
        ImageView {
            disk_bytes: size.disk_bytes,
            wire_bytes: size.wire_bytes,
            disk_estimated: size.disk_estimated,
            wire_estimated: size.wire_estimated,
        }
    }
}

/// A service's runtime target and where its image stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TargetView {
    pub runtime: RuntimeKey,
    pub low_disk_bytes: u64,
    pub high_disk_bytes: u64,
    pub status: Status,
    /// Disk bytes above the target's high end (0 unless `above`).
    pub recoverable_disk_bytes: u64,
}

/// One service row.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ServiceRow {
    pub name: crate::model::ServiceName,
    /// A runtime key, or `null` for other/unknown.
    pub runtime: Option<RuntimeKey>,
    pub services: u64,
    pub nodes: u64,
    /// Deploys a day, exactly (3/week is 3/7).
    pub deploys_per_day: Fraction,
    /// services × nodes × deploys_per_day, exactly.
    pub pulls_per_day: Fraction,
    /// The basis the sizes were typed on.
    pub basis: Basis,
    pub before: ImageView,
    /// `null` for a plan (see `projected_after`).
    pub after: Option<ImageView>,
    /// For a plan: the after size at the target's high end (`low` saving) and low end (`high`).
    pub projected_after: Option<Box<Range<ImageView>>>,
    pub saved_per_pull: Saving,
    pub saved_per_day: Saving,
    pub saved_per_year: Saving,
    /// (after − before) ÷ before × 100 on disk bytes; `null` when before is 0 or for a plan.
    pub change_percent: Option<f64>,
    /// Seconds of one pull; for a plan, after is at the target's high end.
    pub pull_seconds: Seconds,
    /// `null` for a runtime with no target. Judged on the after size, or for a plan on before.
    pub target: Option<TargetView>,
    pub growth: bool,
    /// True for a plan: a service not slimmed yet, projected to its runtime target.
    pub projected: bool,
}

/// The last builds of one service's repository (`report --history N`), oldest first by their
/// configs' created times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ServiceTrend {
    pub service: String,
    /// The repository as the inventory names it.
    pub repository: String,
    pub builds: Vec<ServiceTrendBuild>,
}

/// One build of a [`ServiceTrend`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ServiceTrendBuild {
    pub tag: String,
    pub created: Option<String>,
    /// Config plus layer blobs, from the manifest (measured).
    pub wire_bytes: u64,
}

#[cfg(test)]
mod tests;
