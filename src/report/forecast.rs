//! The forecast view (docs/model.md#forecast): per scenario, month by month and in total, what
//! the fleet moves as is, slimmed and (where plans exist) with the planned work — pulls, image
//! transfer (full-pull bound on both bases, expected wire with layer caches), money, registry
//! storage, node-hours of pulling — and the extra pulls of the nodes growth adds, apart.

use serde::Serialize;

use crate::calc::cost::{storage_cost_per_month, transfer_cost};
use crate::calc::forecast::{self, MonthFactors, MonthFigures, Scenario, StateToday};
use crate::calc::full_pull::{self, DiskWire, Overflow, PullRates, pull_seconds};
use crate::calc::plan;
use crate::calc::targets::Targets;
use crate::error::Error;
use crate::model::assumptions::Assumptions;
use crate::model::rate::Fraction;
use crate::model::{ImageSize, Service};

use super::build::{cents, millis};
use super::burst::BurstsView;
use super::{AssumptionsView, SCHEMA_VERSION};

/// The forecast report: the JSON contract of `fleetsave forecast` (docs/forecast.schema.json).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ForecastReport {
    pub schema_version: u32,
    pub title: String,
    /// RFC 3339 time of generation: only with `--generated-at` or `SOURCE_DATE_EPOCH`.
    pub generated_at: Option<String>,
    pub forecast: Forecast,
    /// The rollout burst of each service, today's fleet.
    pub bursts: BurstsView,
    pub assumptions: AssumptionsView,
}

/// The projection.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Forecast {
    pub months: u32,
    /// days_per_year ÷ 12.
    pub days_per_month: f64,
    /// The declared cluster's nodes today; `null` when not declared.
    pub cluster_nodes: Option<u64>,
    /// The image states every month shows: `as_is`, `slimmed`, and `planned` when plans exist.
    pub states: Vec<&'static str>,
    /// What the transfer figures are.
    pub basis: &'static str,
    /// The answer in one sentence, for the first scenario.
    pub headline: String,
    pub currency: String,
    pub scenarios: Vec<ScenarioView>,
}

/// One scenario.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ScenarioView {
    pub name: String,
    /// Its changes in words.
    pub changes: String,
    pub months: Vec<MonthView>,
    pub totals: Totals,
}

/// One month.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MonthView {
    pub month: u32,
    /// The cluster's nodes during the month (the ramp's midpoint); `null` when not known.
    pub cluster_nodes: Option<f64>,
    /// Factors of today's nodes, deploy rates and services.
    pub node_factor: f64,
    pub deploy_factor: f64,
    pub service_factor: f64,
    /// Deploy pulls (every row's, exact; a number with a fraction where the ramp makes one).
    pub pulls: Fraction,
    /// Images the nodes added this month pull, once each (not in `pulls`).
    pub new_node_pulls: Fraction,
    pub as_is: StateFigures,
    pub slimmed: StateFigures,
    /// With the planned work: plans at their runtime target's high end; `null` without plans.
    pub planned: Option<StateFigures>,
    /// as_is − slimmed.
    pub saved: StateFigures,
}

/// One image state over one period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StateFigures {
    /// Full-pull upper bound: every deploy pull moves the whole image.
    pub full_pull: DiskWire,
    /// Expected wire bytes with layer caches (routine deploys, base refreshes, the steady churn
    /// of new nodes); `null` for the planned state.
    pub expected_wire_bytes: Option<i128>,
    /// The nodes growth adds, each pulling one image of every service it runs, once.
    pub new_nodes: DiskWire,
    /// Transfer money of the full-pull wire bytes plus the new nodes'.
    pub transfer_cost: f64,
    /// Registry storage: wire bytes of the retained tags of every service, and their money for
    /// the period.
    pub registry_storage_wire_bytes: i128,
    pub registry_storage_cost: f64,
    /// Node-hours spent pulling (full pulls).
    pub node_hours: f64,
}

/// The totals of the period.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Totals {
    pub pulls: Fraction,
    pub new_node_pulls: Fraction,
    pub as_is: StateFigures,
    pub slimmed: StateFigures,
    pub planned: Option<StateFigures>,
    pub saved: StateFigures,
}

impl StateFigures {
    fn plus(self, other: StateFigures) -> StateFigures {
        let add = |a: DiskWire, b: DiskWire| DiskWire {
            disk_bytes: a.disk_bytes.saturating_add(b.disk_bytes),
            wire_bytes: a.wire_bytes.saturating_add(b.wire_bytes),
        };
        StateFigures {
            full_pull: add(self.full_pull, other.full_pull),
            expected_wire_bytes: self
                .expected_wire_bytes
                .zip(other.expected_wire_bytes)
                .map(|(a, b)| a.saturating_add(b)),
            new_nodes: add(self.new_nodes, other.new_nodes),
            transfer_cost: cents(self.transfer_cost + other.transfer_cost),
            // Storage is a stock, not a flow: the period's total is its last month's.
            registry_storage_wire_bytes: other.registry_storage_wire_bytes,
            registry_storage_cost: cents(self.registry_storage_cost + other.registry_storage_cost),
            node_hours: millis(self.node_hours + other.node_hours),
        }
    }

    fn minus(self, other: StateFigures) -> StateFigures {
        let sub = |a: DiskWire, b: DiskWire| DiskWire {
            disk_bytes: a.disk_bytes.saturating_sub(b.disk_bytes),
            wire_bytes: a.wire_bytes.saturating_sub(b.wire_bytes),
        };
        StateFigures {
            full_pull: sub(self.full_pull, other.full_pull),
            expected_wire_bytes: self
                .expected_wire_bytes
                .zip(other.expected_wire_bytes)
                .map(|(a, b)| a.saturating_sub(b)),
            new_nodes: sub(self.new_nodes, other.new_nodes),
            transfer_cost: cents(self.transfer_cost - other.transfer_cost),
            registry_storage_wire_bytes: self
                .registry_storage_wire_bytes
                .saturating_sub(other.registry_storage_wire_bytes),
            registry_storage_cost: cents(self.registry_storage_cost - other.registry_storage_cost),
            node_hours: millis(self.node_hours - other.node_hours),
        }
    }
}

/// What `forecast` builds from.
pub struct ForecastInput<'a> {
    pub title: String,
    pub generated_at: Option<String>,
    pub services: &'a [Service],
    pub assumptions: &'a Assumptions,
    pub targets: &'a Targets,
    pub cluster_nodes: Option<u64>,
    pub scenarios: &'a [Scenario],
    pub months: u32,
    pub bursts: BurstsView,
}

/// The image of `service` in each state: as is, slimmed, planned.
fn states_of(service: &Service, targets: &Targets, assumptions: &Assumptions) -> [ImageSize; 3] {
    let slimmed = service.after.unwrap_or(service.before);
    let planned = service.after.unwrap_or_else(|| {
        service
            .runtime
            .and_then(|runtime| targets.get(runtime))
            .map(|target| {
                plan::project(&service.before, target, assumptions.compression_ratio.value)
                    .at_target_high
            })
            .unwrap_or(service.before)
    });
    [service.before, slimmed, planned]
}

/// Today's fleet in each state, and its pulls a day.
fn today(
    input: &ForecastInput<'_>,
    cluster: Option<Fraction>,
) -> Result<([StateToday; 3], Fraction), Overflow> {
    let overflow = || Overflow("forecast");
    let assumptions = input.assumptions;
    let rates = PullRates {
        bandwidth: assumptions.bandwidth.value,
        extract_rate: assumptions.extract_rate.value,
    };
    let blank = StateToday {
        disk_per_day: Fraction::ZERO,
        wire_per_day: Fraction::ZERO,
        pull_seconds_per_day: 0.0,
        disk_per_new_node: Fraction::ZERO,
        wire_per_new_node: Fraction::ZERO,
        pulls_per_new_node: Fraction::ZERO,
        wire_per_tag: 0,
    };
    let mut states = [blank; 3];
    let mut pulls_per_day = Fraction::ZERO;
    for service in input.services {
        let pulls = full_pull::pulls_per_day(service.shape, assumptions.days_per_year.value)?;
        pulls_per_day = pulls_per_day.checked_add(pulls).ok_or_else(overflow)?;
        // A new node runs the row's services in proportion to its share of the cluster.
        let share = match cluster {
            Some(cluster) if !cluster.is_zero() => Fraction::whole(u128::from(service.shape.nodes))
                .checked_mul(
                    Fraction::new(cluster.denominator(), cluster.numerator())
                        .ok_or_else(overflow)?,
                )
                .ok_or_else(overflow)?,
            _ => Fraction::ZERO,
        };
        let services = Fraction::whole(u128::from(service.shape.services));
        let per_new_node = services.checked_mul(share).ok_or_else(overflow)?;
        for (state, image) in states
            .iter_mut()
            .zip(states_of(service, input.targets, assumptions))
        {
            let add = |total: Fraction, bytes: u64, factor: Fraction| {
                factor
                    .checked_mul_whole(u128::from(bytes))
                    .and_then(|product| total.checked_add(product))
                    .ok_or_else(overflow)
            };
            state.disk_per_day = add(state.disk_per_day, image.disk_bytes, pulls)?;
            state.wire_per_day = add(state.wire_per_day, image.wire_bytes, pulls)?;
            state.pull_seconds_per_day += pulls.as_f64() * pull_seconds(&image, rates);
            state.disk_per_new_node = add(state.disk_per_new_node, image.disk_bytes, per_new_node)?;
            state.wire_per_new_node = add(state.wire_per_new_node, image.wire_bytes, per_new_node)?;
            state.pulls_per_new_node = state
                .pulls_per_new_node
                .checked_add(per_new_node)
                .ok_or_else(overflow)?;
            state.wire_per_tag = state
                .wire_per_tag
                .checked_add(u128::from(service.shape.services) * u128::from(image.wire_bytes))
                .ok_or_else(overflow)?;
        }
    }
    Ok((states, pulls_per_day))
}

/// Expected wire bytes a day (as is, slimmed) of the fleet scaled to `factors`: the layer
/// model run on every service with its nodes and deploys scaled (nodes rounded to whole nodes),
/// plans kept at their before size.
fn expected_per_day(
    services: &[Service],
    factors: &MonthFactors,
    assumptions: &Assumptions,
) -> Result<(i128, i128), Overflow> {
    let scaled: Vec<Service> = services
        .iter()
        .map(|service| {
            Ok(Service {
                shape: service
                    .shape
                    .scaled(factors.nodes, factors.deploys)
                    .ok_or(Overflow("forecast"))?,
                after: Some(service.after.unwrap_or(service.before)),
                ..service.clone()
            })
        })
        .collect::<Result<_, Overflow>>()?;
    let view = super::expected::expected(&scaled, assumptions)?;
    Ok((view.per_day.before.total, view.per_day.after.total))
}

/// The words of a scenario's changes.
fn changes(scenario: &Scenario) -> String {
    let ramp = |ramp: forecast::Ramp| match ramp {
        forecast::Ramp::Linear => "linear".to_string(),
        forecast::Ramp::Step { at_month } => format!("step after month {at_month}"),
        forecast::Ramp::Compound { percent_per_month } => {
            format!("compound {percent_per_month}% a month")
        }
    };
    let mut words = Vec::new();
    if let Some(change) = scenario.cluster_nodes {
        words.push(format!(
            "cluster {} → {} nodes ({})",
            change.from,
            change.to,
            ramp(change.ramp)
        ));
    }
    if let Some(change) = scenario.deploys_per_day {
        words.push(format!("deploys × {} ({})", change.to, ramp(change.ramp)));
    }
    if !scenario.new_services_per_month.is_zero() {
        words.push(format!(
            "{} new services a month",
            scenario.new_services_per_month
        ));
    }
    if words.is_empty() {
        "today's fleet, unchanged".to_string()
    } else {
        words.join(", ")
    }
}

/// Builds the forecast report.
pub fn build(input: ForecastInput<'_>) -> Result<ForecastReport, Error> {
    let assumptions = input.assumptions;
    let overflow = |overflow: Overflow| Error::Overflow(overflow.to_string());
    let price = assumptions.price_per_gb.value;
    let storage_price = assumptions.registry_storage_price.value;
    let tags = i128::from(assumptions.retained_tags.value);
    let has_plans = input.services.iter().any(|service| service.after.is_none());
    let total_services: u128 = input
        .services
        .iter()
        .map(|service| u128::from(service.shape.services))
        .sum();
    let mut scenarios = Vec::with_capacity(input.scenarios.len());
    for scenario in input.scenarios {
        let start = scenario
            .cluster_nodes
            .map(|change| change.from)
            .or(input.cluster_nodes.map(|n| Fraction::whole(u128::from(n))));
        let (states, pulls_per_day) = today(&input, start).map_err(overflow)?;
        let factors =
            forecast::factors(scenario, input.months, total_services, input.cluster_nodes)
                .map_err(overflow)?;
        let mut months = Vec::with_capacity(factors.len());
        for month in &factors {
            let figures: Vec<MonthFigures> = states
                .iter()
                .map(|state| {
                    forecast::month(state, pulls_per_day, month, assumptions.days_per_year.value)
                })
                .collect::<Result<_, _>>()
                .map_err(overflow)?;
            let (expected_before, expected_after) =
                expected_per_day(input.services, month, assumptions).map_err(overflow)?;
            let days = month.services.as_f64() * assumptions.days_per_year.value as f64 / 12.0;
            let expected = |per_day: i128| (per_day as f64 * days).round() as i128;
            let state = |figures: &MonthFigures, expected_wire: Option<i128>| {
                let storage = figures.wire_per_tag.saturating_mul(tags);
                StateFigures {
                    full_pull: DiskWire {
                        disk_bytes: figures.disk_bytes,
                        wire_bytes: figures.wire_bytes,
                    },
                    expected_wire_bytes: expected_wire,
                    new_nodes: DiskWire {
                        disk_bytes: figures.new_node_disk_bytes,
                        wire_bytes: figures.new_node_wire_bytes,
                    },
                    transfer_cost: cents(transfer_cost(
                        figures
                            .wire_bytes
                            .saturating_add(figures.new_node_wire_bytes),
                        price,
                    )),
                    registry_storage_wire_bytes: storage,
                    registry_storage_cost: cents(storage_cost_per_month(storage, storage_price)),
                    node_hours: millis(figures.pull_seconds / 3600.0),
                }
            };
            let as_is = state(&figures[0], Some(expected(expected_before)));
            let slimmed = state(&figures[1], Some(expected(expected_after)));
            months.push(MonthView {
                month: month.month,
                cluster_nodes: month.cluster_nodes.map(|nodes| nodes.as_f64()),
                node_factor: month.nodes.as_f64(),
                deploy_factor: month.deploys.as_f64(),
                service_factor: month.services.as_f64(),
                pulls: figures[0].pulls,
                new_node_pulls: figures[0].new_node_pulls,
                as_is,
                slimmed,
                planned: has_plans.then(|| state(&figures[2], None)),
                saved: as_is.minus(slimmed),
            });
        }
        let sum = |pick: fn(&MonthView) -> Option<StateFigures>| {
            months
                .iter()
                .filter_map(pick)
                .reduce(StateFigures::plus)
                .unwrap_or_default()
        };
        let add_all = |pick: fn(&MonthView) -> Fraction| {
            months
                .iter()
                .map(pick)
                .try_fold(Fraction::ZERO, Fraction::checked_add)
                .ok_or(Overflow("forecast"))
        };
        let as_is = sum(|m| Some(m.as_is));
        let slimmed = sum(|m| Some(m.slimmed));
        let totals = Totals {
            pulls: add_all(|m| m.pulls).map_err(overflow)?,
            new_node_pulls: add_all(|m| m.new_node_pulls).map_err(overflow)?,
            as_is,
            slimmed,
            planned: has_plans.then(|| sum(|m| m.planned)),
            saved: as_is.minus(slimmed),
        };
        scenarios.push(ScenarioView {
            name: scenario.name.clone(),
            changes: changes(scenario),
            months,
            totals,
        });
    }
    let mut states = vec!["as_is", "slimmed"];
    if has_plans {
        states.push("planned");
    }
    Ok(ForecastReport {
        schema_version: SCHEMA_VERSION,
        title: input.title,
        generated_at: input.generated_at,
        forecast: Forecast {
            months: input.months,
            days_per_month: assumptions.days_per_year.value as f64 / 12.0,
            cluster_nodes: input.cluster_nodes,
            states,
            basis: "full-pull upper bound (every deploy pull moves the whole image) on both \
                    bases, expected wire bytes with layer caches beside it; new-node pulls of \
                    growth apart",
            headline: headline(&scenarios, input.months, &assumptions.currency),
            currency: assumptions.currency.clone(),
            scenarios,
        },
        bursts: input.bursts,
        assumptions: AssumptionsView::of(assumptions),
    })
}

/// "Next 12 months (growth): the fleet moves 5.12 PB of images …; slimming saves 3.70 PB (…)".
fn headline(scenarios: &[ScenarioView], months: u32, currency: &str) -> String {
    use crate::units::{format_bytes, format_money};
    let Some(first) = scenarios.first() else {
        return String::new();
    };
    let totals = &first.totals;
    let moved = |state: &StateFigures| {
        state
            .full_pull
            .disk_bytes
            .saturating_add(state.new_nodes.disk_bytes)
    };
    let moved_wire = |state: &StateFigures| {
        state
            .full_pull
            .wire_bytes
            .saturating_add(state.new_nodes.wire_bytes)
    };
    let period = if months == 12 {
        "Next year".to_string()
    } else {
        format!("The next {months} months")
    };
    format!(
        "{period} ({}) the fleet moves {} of images unpacked ({} on the wire, {}); slimming saves \
         {} ({} on the wire, −{}). Full-pull upper bound, new-node pulls of growth included.",
        crate::model::values::shorten(&first.name),
        format_bytes(moved(&totals.as_is)),
        format_bytes(moved_wire(&totals.as_is)),
        format_money(totals.as_is.transfer_cost, currency),
        format_bytes(moved(&totals.saved)),
        format_bytes(moved_wire(&totals.saved)),
        format_money(totals.saved.transfer_cost, currency),
    )
}
