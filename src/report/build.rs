//! Builds a [`Report`] from services and assumptions: runs the model per service, totals the
//! fleet, prices it, judges targets, and sorts rows by saving. The totals are folded in input
//! order (their floats are summed in that order); the rows are then made in their sorted
//! order by a [`RowMaker`], each service's figures computed a second time rather than kept or
//! moved (a row is 416 bytes: moving 100,000 of them into order cost a fifth of the build) —
//! all at once on every core, or a block at a time by a large report's JSON as it writes them.

use super::*;
use crate::calc::cost;
use crate::calc::full_pull::{self, Figures, ModelParameters, PullRates};
use crate::calc::plan::{self, Projection};
use crate::calc::targets::{Target, Targets};
use crate::calc::techniques::Technique;
use crate::error::Error;
use crate::model::assumptions::Assumptions;
use crate::model::{ImageSize, Service};

/// What a report is built from.
pub struct BuildInput<'a> {
    pub command: Command,
    pub title: String,
    pub generated_at: Option<String>,
    pub services: &'a [Service],
    pub assumptions: &'a Assumptions,
    pub targets: &'a Targets,
    pub techniques: &'a [Technique],
    pub compare: Option<CompareView>,
}

/// The sort key of a row: committed rows first, each group by saving per day (wire, then
/// disk), largest first; a plan by its high saving.
type SortKey = (bool, i128, i128);

fn sort_key(plan: bool, saved_per_day: DiskWire) -> SortKey {
    (plan, saved_per_day.wire_bytes, saved_per_day.disk_bytes)
}

/// Runs the model and assembles the report.
pub fn build(input: BuildInput<'_>) -> Result<Report, Error> {
    let (mut report, rows) = build_deferred(input)?;
    report.services = rows.all()?;
    Ok(report)
}

/// The report without its rows (`services` empty), and what makes them, in order, when they
/// are wanted: a large report's JSON makes them a block at a time as it writes them, so they
/// are never all held (at 100,000 services they were 42 MB of the run's memory).
pub fn build_deferred<'a>(input: BuildInput<'a>) -> Result<(Report, RowMaker<'a>), Error> {
    let assumptions = input.assumptions;
    let parameters = ModelParameters {
        rates: PullRates {
            bandwidth: assumptions.bandwidth.value,
            extract_rate: assumptions.extract_rate.value,
        },
        days_per_year: assumptions.days_per_year.value,
        retained_tags: assumptions.retained_tags.value,
    };
    let mut rows = RowMaker {
        services: input.services,
        targets: input.targets,
        ratio: assumptions.compression_ratio.value,
        parameters,
        order: (0..input.services.len()).collect(),
    };
    // The full-pull figures folded into the totals on a second thread while this one runs the
    // layer-aware model: the model's working set is gone before any row is made (on this
    // thread, its memory is reused for them), and its error, if any, is reported where it
    // always was: after the rows'. The sort keys are allocated here for the same reason.
    let keys = Vec::with_capacity(input.services.len());
    let (folded, expected) = std::thread::scope(|scope| {
        let folding = scope.spawn(|| fold(&rows, keys));
        let expected = expected::expected(input.services, assumptions);
        let folded = folding
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (folded, expected)
    });
    let folded = folded?;
    let committed_rows = folded.fleet.rows();
    let fleet = folded
        .fleet
        .finish()
        .map_err(|overflow| Error::Overflow(overflow.to_string()))?;
    let projected_totals = projected_totals(folded.plans, assumptions)?;
    let next_steps = folded.recoverable.next_steps(&input)?;
    // Committed rows first, each group by saving per day, largest first; ties keep input order.
    let keys = folded.keys;
    rows.order.sort_by(|&a, &b| {
        let (plan_a, wire_a, disk_a) = keys[a];
        let (plan_b, wire_b, disk_b) = keys[b];
        plan_a
            .cmp(&plan_b)
            .then(wire_b.cmp(&wire_a))
            .then(disk_b.cmp(&disk_a))
    });
    drop(keys);
    let report = Report {
        schema_version: SCHEMA_VERSION,
        command: input.command,
        title: input.title,
        generated_at: input.generated_at,
        assumptions: AssumptionsView::of(assumptions),
        totals: totals(
            &fleet,
            committed_rows,
            folded.estimated,
            assumptions,
            expected.map_err(|overflow| Error::Overflow(overflow.to_string()))?,
        ),
        services: Vec::new(),
        projected_totals,
        trends: Vec::new(),
        compare: input.compare.clone(),
        next_steps,
        gate: None,
        findings: super::layers::image_findings(input.services, assumptions)?,
        audits: super::audit::service_audits(input.services, assumptions)?,
        bursts: None,
    };
    check_finite(&report, folded.rows_finite)?;
    Ok((report, rows))
}

/// Makes a report's rows, in the report's order, from its services: each service's figures
/// computed again (as the totals' fold computed them, so they cannot fail now) and turned into
/// its row, so no row is kept or moved before it is wanted.
pub struct RowMaker<'a> {
    services: &'a [Service],
    targets: &'a Targets,
    ratio: crate::units::Ratio,
    parameters: ModelParameters,
    /// The services' indexes in the order of the rows.
    order: Vec<usize>,
}

impl RowMaker<'_> {
    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The rows at `range` of the report's order, made on this thread.
    pub fn rows(&self, range: std::ops::Range<usize>) -> Result<Vec<ServiceRow>, Error> {
        self.order[range]
            .iter()
            .map(|&index| self.row(index))
            .collect()
    }

    /// Every row, made on every core straight into its place.
    pub fn all(&self) -> Result<Vec<ServiceRow>, Error> {
        use rayon::prelude::*;
        let failed = std::sync::OnceLock::new();
        let rows = self
            .order
            .par_iter()
            .map(|&index| {
                self.row(index).unwrap_or_else(|error| {
                    let _ = failed.set(error);
                    let service = &self.services[index];
                    row_of(
                        service,
                        &service.before,
                        None,
                        self.parameters.days_per_year,
                    )
                })
            })
            .collect();
        match failed.into_inner() {
            None => Ok(rows),
            Some(error) => Err(error),
        }
    }

    /// The row of the service at `index`.
    fn row(&self, index: usize) -> Result<ServiceRow, Error> {
        let service = &self.services[index];
        let days_per_year = self.parameters.days_per_year;
        match self.modelled(service) {
            Ok(Modelled::Committed {
                after,
                figures,
                target,
            }) => Ok(committed_row(
                service,
                after,
                &figures,
                target,
                days_per_year,
            )),
            Ok(Modelled::Plan {
                projection,
                low,
                high,
                target,
            }) => Ok(plan_row(
                service,
                &projection,
                [&low, &high],
                target,
                days_per_year,
            )),
            Err(error) => Err(Error::Internal(format!(
                "a service's figures failed after they were totalled: {error}"
            ))),
        }
    }
}

/// The totals folded from every service's figures in input order (floats are summed in that
/// order), and each service's sort key.
struct Folded {
    keys: Vec<SortKey>,
    fleet: full_pull::Combiner,
    /// The plans' totals at the low and high ends of their targets.
    plans: [full_pull::Combiner; 2],
    recoverable: Recoverable,
    estimated: Estimated,
    /// Every row's floats are finite ([`row_floats_finite`]), checked here so rows need not be
    /// kept to be checked.
    rows_finite: bool,
}

/// One service through the full-pull model: a committed service's figures, or a plan's
/// projection and its figures at its target's two ends.
#[expect(
    clippy::large_enum_variant,
    reason = "one at a time per service, never stored: boxing would allocate per row"
)]
enum Modelled<'a> {
    Committed {
        after: &'a ImageSize,
        figures: Figures,
        target: Option<&'a Target>,
    },
    Plan {
        projection: Projection,
        /// With the after size at the target's high end: the low saving.
        low: Figures,
        /// At its low end: the high saving.
        high: Figures,
        target: &'a Target,
    },
}

impl<'a> RowMaker<'a> {
    /// One service through the full-pull model. Inlined: returned by value, its large figures
    /// were copied out of it into each caller.
    #[inline(always)]
    fn modelled(&self, service: &'a Service) -> Result<Modelled<'a>, Error> {
        let figures_for = |after: &ImageSize| {
            full_pull::service_figures(&service.before, after, service.shape, self.parameters)
                .map_err(|overflow| {
                    Error::Overflow(format!("service '{}': {overflow}", service.name))
                })
        };
        let targets: &'a Targets = self.targets;
        let target = service.runtime.and_then(|runtime| targets.get(runtime));
        Ok(match &service.after {
            Some(after) => Modelled::Committed {
                after,
                figures: figures_for(after)?,
                target,
            },
            None => {
                let target = target.ok_or_else(|| {
                    Error::Internal(format!(
                        "plan '{}' reached the report without a runtime target",
                        service.name
                    ))
                })?;
                let projection = plan::project(&service.before, target, self.ratio);
                Modelled::Plan {
                    low: figures_for(&projection.at_target_high)?,
                    high: figures_for(&projection.at_target_low)?,
                    projection,
                    target,
                }
            }
        })
    }
}

/// Runs the full-pull model on each service in input order, folding its figures into the
/// totals as it goes (no figures are kept); the first error is the first service's.
fn fold(rows: &RowMaker<'_>, mut keys: Vec<SortKey>) -> Result<Folded, Error> {
    let mut fleet = full_pull::Combiner::default();
    let mut plans = [
        full_pull::Combiner::default(),
        full_pull::Combiner::default(),
    ];
    let mut recoverable = Recoverable::default();
    let mut estimated = Estimated::default();
    let mut rows_finite = true;
    for service in rows.services {
        match rows.modelled(service)? {
            Modelled::Committed {
                after,
                figures,
                target,
            } => {
                for image in [&service.before, after] {
                    estimated.disk |= image.disk_estimated;
                    estimated.wire |= image.wire_estimated;
                }
                fleet.add(&figures);
                if let Some(target) = target {
                    recoverable.add(target, after, &figures, rows.ratio);
                }
                keys.push(sort_key(false, figures.per_day.saved));
                rows_finite &= row_floats_finite(
                    &rounded_seconds(figures.pull_seconds),
                    change_percent(&service.before, after),
                );
            }
            Modelled::Plan { low, high, .. } => {
                plans[0].add(&low);
                plans[1].add(&high);
                keys.push(sort_key(true, high.per_day.saved));
                rows_finite &= row_floats_finite(&rounded_seconds(low.pull_seconds), None);
            }
        }
    }
    Ok(Folded {
        keys,
        fleet,
        plans,
        recoverable,
        estimated,
        rows_finite,
    })
}

/// Whether a row's floats (its seconds, its change) are numbers JSON can hold.
fn row_floats_finite(seconds: &Seconds, change_percent: Option<f64>) -> bool {
    [seconds.before, seconds.after, seconds.saved]
        .into_iter()
        .chain(change_percent)
        .all(f64::is_finite)
}

/// Money, seconds and hours are floats: a price, effort or rate large enough to overflow them
/// is refused here instead of printing as `$inf` in text and vanishing as `null` in JSON;
/// `rows_finite`: the rows' floats are (the fold checks them).
fn check_finite(report: &Report, rows_finite: bool) -> Result<(), Error> {
    let totals = &report.totals;
    let seconds = |s: &Seconds| [s.before, s.after, s.saved];
    let periods = |c: &cost::PeriodCost| [c.per_day, c.per_month, c.per_year];
    let mut figures: Vec<f64> = vec![
        totals.cost_saved.per_day,
        totals.cost_saved.per_month,
        totals.cost_saved.per_year,
        totals.pull_seconds_saved_per_pull,
        totals.node_hours_saved_per_day,
        totals.registry_storage_saved.cost_per_month,
        totals.headline.cost_per_day,
        totals.headline.cost_per_year,
        totals.headline.node_hours_per_day,
    ];
    figures.extend(periods(&totals.cost_before));
    figures.extend(periods(&totals.cost_after));
    figures.extend(seconds(&totals.pull_seconds));
    figures.extend(seconds(&totals.new_node_seconds));
    if let Some(payback) = &totals.payback {
        figures.extend(
            [
                payback.headline.effort_cost,
                payback.headline.payback_days,
                payback.headline.node_hours_break_even_days,
                payback.upper_bound_payback_days,
                payback.upper_bound_node_hours_break_even_days,
            ]
            .into_iter()
            .flatten(),
        );
    }
    if let Some(projected) = &report.projected_totals {
        figures.extend([
            projected.cost_saved_per_year.low,
            projected.cost_saved_per_year.high,
        ]);
    }
    if rows_finite && figures.iter().all(|figure| figure.is_finite()) {
        Ok(())
    } else {
        Err(Error::Overflow(
            "a money or time figure is too large to represent (over 10^308); check the prices, \
             rates, effort hours and counts for typos"
                .to_string(),
        ))
    }
}

/// What bringing every committed image above its target down to the target's high end adds,
/// summed a row at a time; the first overflow is kept for [`Recoverable::next_steps`].
#[derive(Default)]
struct Recoverable {
    above: usize,
    per_day: DiskWire,
    overflow: bool,
}

impl Recoverable {
    fn add(
        &mut self,
        target: &Target,
        after: &ImageSize,
        figures: &Figures,
        ratio: crate::units::Ratio,
    ) {
        let recoverable = target.judge(after.disk_bytes).recoverable_disk_bytes;
        if recoverable == 0 || self.overflow {
            self.above += usize::from(recoverable != 0);
            return;
        }
        self.above += 1;
        let pulls = figures.pulls_per_day;
        let sum = pulls
            .times_rounded(i128::from(recoverable))
            .zip(pulls.times_rounded(i128::from(ratio.wire_from_disk(recoverable))))
            .and_then(|(disk, wire)| {
                Some(DiskWire {
                    disk_bytes: self.per_day.disk_bytes.checked_add(disk)?,
                    wire_bytes: self.per_day.wire_bytes.checked_add(wire)?,
                })
            });
        match sum {
            Some(per_day) => self.per_day = per_day,
            None => self.overflow = true,
        }
    }

    fn next_steps(self, input: &BuildInput<'_>) -> Result<Option<NextSteps>, Error> {
        let overflow =
            || Error::Overflow("the recoverable transfer is too large to compute".into());
        if self.overflow {
            return Err(overflow());
        }
        if self.above == 0 {
            return Ok(None);
        }
        let days = i128::from(input.assumptions.days_per_year.value);
        Ok(Some(NextSteps {
            services_above_target: self.above,
            recoverable_per_day: self.per_day,
            recoverable_per_year: DiskWire {
                disk_bytes: self
                    .per_day
                    .disk_bytes
                    .checked_mul(days)
                    .ok_or_else(overflow)?,
                wire_bytes: self
                    .per_day
                    .wire_bytes
                    .checked_mul(days)
                    .ok_or_else(overflow)?,
            },
            techniques: input.techniques.to_vec(),
        }))
    }
}

/// What the plans would save at the ends of their targets: `plans` are the totals of their low
/// and high savings.
fn projected_totals(
    plans: [full_pull::Combiner; 2],
    assumptions: &Assumptions,
) -> Result<Option<ProjectedTotals>, Error> {
    let rows = plans[0].rows();
    if rows == 0 {
        return Ok(None);
    }
    let overflow = |overflow: full_pull::Overflow| Error::Overflow(overflow.to_string());
    let [low, high] = plans;
    let low = low.finish().map_err(overflow)?;
    let high = high.finish().map_err(overflow)?;
    let price = assumptions.price_per_gb.value;
    Ok(Some(ProjectedTotals {
        rows,
        services: low.services,
        pulls_per_day: low.pulls_per_day,
        per_day: Range {
            low: low.per_day.saved,
            high: high.per_day.saved,
        },
        per_year: Range {
            low: low.per_year.saved,
            high: high.per_year.saved,
        },
        cost_saved_per_year: Range {
            low: cents(cost::transfer_cost(low.per_year.saved.wire_bytes, price)),
            high: cents(cost::transfer_cost(high.per_year.saved.wire_bytes, price)),
        },
        currency: assumptions.currency.clone(),
    }))
}

/// Money to the cent.
pub(super) fn cents(amount: f64) -> f64 {
    // `+ 0.0` turns a rounded -0.0 into 0.0.
    (amount * 100.0).round() / 100.0 + 0.0
}

/// Seconds to the millisecond.
pub(super) fn millis(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

fn rounded_seconds(seconds: Seconds) -> Seconds {
    Seconds {
        before: millis(seconds.before),
        after: millis(seconds.after),
        saved: millis(seconds.saved),
    }
}

fn rounded_cost(cost: cost::PeriodCost) -> cost::PeriodCost {
    cost::PeriodCost {
        per_day: cents(cost.per_day),
        per_month: cents(cost.per_month),
        per_year: cents(cost.per_year),
    }
}

fn totals(
    fleet: &Figures,
    rows: usize,
    estimated: Estimated,
    assumptions: &Assumptions,
    expected: expected::ExpectedView,
) -> Totals {
    let price = assumptions.price_per_gb.value;
    let costs = cost::transfer_costs(&fleet.per_day, &fleet.per_month, &fleet.per_year, price);
    let storage_cost = cost::storage_cost_per_month(
        fleet.registry_storage_saved_wire_bytes,
        assumptions.registry_storage_price.value,
    );
    // Rounded as published, so the payback can be redone from the JSON figures.
    let headline = rounded(headline(fleet, &costs.saved, &expected, assumptions));
    let storage_per_day = cents(storage_cost) * 12.0 / assumptions.days_per_year.value as f64;
    let payback = assumptions.effort_hours.as_ref().map(|effort| {
        let rate = assumptions.hourly_rate.as_ref().map(|rate| rate.value);
        let on = |money_per_day: f64, node_hours_per_day: f64| {
            let mut payback = cost::payback(
                effort.value,
                rate,
                money_per_day + storage_per_day,
                node_hours_per_day,
            );
            payback.effort_cost = payback.effort_cost.map(cents);
            payback.payback_days = payback.payback_days.map(tenths);
            payback.node_hours_break_even_days = payback.node_hours_break_even_days.map(tenths);
            payback
        };
        let bound = on(
            cents(costs.saved.per_day),
            millis(fleet.node_hours_saved_per_day),
        );
        PaybackView {
            headline: on(headline.cost_per_day, headline.node_hours_per_day),
            basis: headline.basis,
            upper_bound_payback_days: bound.payback_days,
            upper_bound_node_hours_break_even_days: bound.node_hours_break_even_days,
        }
    });
    Totals {
        rows,
        services: fleet.services,
        pulls_per_day: fleet.pulls_per_day,
        per_pull_saved: fleet.per_pull.saved,
        per_pull: fleet.per_pull,
        per_day: fleet.per_day,
        per_month: fleet.per_month,
        per_year: fleet.per_year,
        cost_saved: CostSaved {
            per_day: cents(costs.saved.per_day),
            per_month: cents(costs.saved.per_month),
            per_year: cents(costs.saved.per_year),
            currency: assumptions.currency.clone(),
            price_per_gb: price,
            pricing: assumptions.pricing.value.clone(),
        },
        cost_before: rounded_cost(costs.before),
        cost_after: rounded_cost(costs.after),
        pull_seconds: rounded_seconds(fleet.pull_seconds),
        pull_seconds_saved_per_pull: millis(fleet.pull_seconds.saved),
        new_node_seconds: rounded_seconds(fleet.new_node_seconds),
        node_hours_saved_per_day: millis(fleet.node_hours_saved_per_day),
        registry_storage_saved: StorageSaved {
            wire_bytes: fleet.registry_storage_saved_wire_bytes,
            cost_per_month: cents(storage_cost),
            currency: assumptions.currency.clone(),
        },
        payback,
        estimated,
        growth: fleet.per_day.saved.disk_bytes < 0,
        expected,
        headline,
    }
}

/// The headline with money in cents and node-hours in thousandths, as published.
fn rounded(headline: Headline) -> Headline {
    Headline {
        cost_per_day: cents(headline.cost_per_day),
        cost_per_year: cents(headline.cost_per_year),
        node_hours_per_day: millis(headline.node_hours_per_day),
        ..headline
    }
}

/// Rounds days to tenths.
fn tenths(days: f64) -> f64 {
    (days * 10.0).round() / 10.0
}

/// The figure a report leads with (unrounded): the expected one once layers are known, else the
/// full-pull upper bound.
fn headline(
    fleet: &Figures,
    saved: &cost::PeriodCost,
    expected: &expected::ExpectedView,
    assumptions: &Assumptions,
) -> Headline {
    if !expected.layer_aware {
        return Headline {
            basis: FigureBasis::UpperBound,
            wire_bytes_per_day: fleet.per_day.saved.wire_bytes,
            wire_bytes_per_year: fleet.per_year.saved.wire_bytes,
            cost_per_day: saved.per_day,
            cost_per_year: saved.per_year,
            node_hours_per_day: fleet.node_hours_saved_per_day,
        };
    }
    let price = assumptions.price_per_gb.value;
    let full = fleet.per_day.saved.wire_bytes;
    let share = if full == 0 {
        0.0
    } else {
        expected.per_day.saved.total as f64 / full as f64
    };
    Headline {
        basis: FigureBasis::Expected,
        wire_bytes_per_day: expected.per_day.saved.total,
        wire_bytes_per_year: expected.per_year.saved,
        cost_per_day: cost::transfer_cost(expected.per_day.saved.total, price),
        cost_per_year: cost::transfer_cost(expected.per_year.saved, price),
        node_hours_per_day: fleet.node_hours_saved_per_day * share,
    }
}

/// A row's columns common to committed rows and plans; `judged` is the size its target judges.
fn row_of(
    service: &Service,
    judged: &ImageSize,
    target: Option<&Target>,
    days_per_year: u64,
) -> ServiceRow {
    let target = target.map(|target| {
        let judgement = target.judge(judged.disk_bytes);
        TargetView {
            runtime: target.runtime,
            low_disk_bytes: target.low_disk_bytes,
            high_disk_bytes: target.high_disk_bytes,
            status: judgement.status,
            recoverable_disk_bytes: judgement.recoverable_disk_bytes,
        }
    });
    ServiceRow {
        name: service.name.clone(),
        runtime: service.runtime,
        services: service.shape.services,
        nodes: service.shape.nodes,
        deploys_per_day: service.shape.deploys_per_day.per_day(days_per_year),
        pulls_per_day: Fraction::ZERO,
        basis: service.basis,
        before: ImageView::of(&service.before),
        after: None,
        projected_after: None,
        saved_per_pull: Saving::Exact(DiskWire::default()),
        saved_per_day: Saving::Exact(DiskWire::default()),
        saved_per_year: Saving::Exact(DiskWire::default()),
        change_percent: None,
        pull_seconds: Seconds::default(),
        target,
        growth: false,
        projected: false,
    }
}

/// How much the image changed, in percent of its before size to a tenth; `None` from nothing.
fn change_percent(before: &ImageSize, after: &ImageSize) -> Option<f64> {
    (before.disk_bytes > 0).then(|| {
        let change =
            (after.disk_bytes as f64 - before.disk_bytes as f64) / before.disk_bytes as f64 * 100.0;
        (change * 10.0).round() / 10.0
    })
}

/// The row of a committed service, judged on its after size.
fn committed_row(
    service: &Service,
    after: &ImageSize,
    figures: &Figures,
    target: Option<&Target>,
    days_per_year: u64,
) -> ServiceRow {
    ServiceRow {
        pulls_per_day: figures.pulls_per_day,
        after: Some(ImageView::of(after)),
        saved_per_pull: Saving::Exact(figures.per_pull.saved),
        saved_per_day: Saving::Exact(figures.per_day.saved),
        saved_per_year: Saving::Exact(figures.per_year.saved),
        change_percent: change_percent(&service.before, after),
        pull_seconds: rounded_seconds(figures.pull_seconds),
        growth: figures.per_pull.saved.disk_bytes < 0,
        ..row_of(service, after, target, days_per_year)
    }
}

/// The row of a plan, judged on its before size: `[low, high]` are its savings at the target's
/// high and low ends.
fn plan_row(
    service: &Service,
    projection: &Projection,
    [low, high]: [&Figures; 2],
    target: &Target,
    days_per_year: u64,
) -> ServiceRow {
    let range = |pick: fn(&Figures) -> DiskWire| {
        Saving::Projected(Box::new(Range {
            low: pick(low),
            high: pick(high),
        }))
    };
    ServiceRow {
        pulls_per_day: low.pulls_per_day,
        projected_after: Some(Box::new(Range {
            low: ImageView::of(&projection.at_target_high),
            high: ImageView::of(&projection.at_target_low),
        })),
        saved_per_pull: range(|f| f.per_pull.saved),
        saved_per_day: range(|f| f.per_day.saved),
        saved_per_year: range(|f| f.per_year.saved),
        pull_seconds: rounded_seconds(low.pull_seconds),
        projected: true,
        ..row_of(service, &service.before, Some(target), days_per_year)
    }
}

#[cfg(test)]
mod tests {
    use super::{check_finite, row_floats_finite};
    use crate::calc::targets::Targets;
    use crate::calc::techniques;
    use crate::model::assumptions::Assumptions;
    use crate::report::tests::{build_report, disk, reference, service, shape};
    use crate::report::{BuildInput, Command, Seconds, build_deferred};

    /// Rows made a block at a time, as a large report's JSON makes them, are the rows made all
    /// at once, in the report's order (committed rows by saving, then plans), whatever the
    /// blocks.
    #[test]
    fn rows_made_in_blocks_are_the_reports_rows() {
        let services: Vec<_> = (0..40u64)
            .map(|index| {
                let after = (index % 3 != 0).then(|| disk(40 + index * 7 % 90));
                let runtime = ["python", "go", "node"][index as usize % 3];
                let name = format!("svc-{index}");
                service(
                    &name,
                    Some(runtime),
                    shape(1 + index % 4, 3, 1 + index % 5),
                    disk(200 + index * 13 % 300),
                    after,
                )
            })
            .collect();
        let assumptions = Assumptions::defaults().unwrap();
        let targets = Targets::bundled().unwrap();
        let techniques = techniques::bundled().unwrap();
        let (report, rows) = build_deferred(BuildInput {
            command: Command::Report,
            title: "fleet".to_string(),
            generated_at: None,
            services: &services,
            assumptions: &assumptions,
            targets: &targets,
            techniques: &techniques,
            compare: None,
        })
        .unwrap();
        assert!(report.services.is_empty());
        let all = rows.all().unwrap();
        assert_eq!(all, build_report(&services).services);
        assert_eq!(all.len(), 40);
        for split in [0, 1, 17, 39, 40] {
            let mut blocks = rows.rows(0..split).unwrap();
            blocks.extend(rows.rows(split..40).unwrap());
            assert_eq!(blocks, all, "split at {split}");
        }
        // Committed rows first, largest saving per day first; plans after them.
        let plans = all.iter().position(|row| row.projected).unwrap();
        assert!(all[plans..].iter().all(|row| row.projected));
        assert!(
            all[..plans]
                .windows(2)
                .all(|pair| pair[0].saved_per_day.high().wire_bytes
                    >= pair[1].saved_per_day.high().wire_bytes)
        );
    }

    /// A money or time figure too large to represent is refused, a row's as the totals'.
    #[test]
    fn a_figure_too_large_to_represent_is_refused() {
        let mut report = build_report(&[reference(), reference()]);
        assert!(check_finite(&report, true).is_ok());
        let error = check_finite(&report, false).unwrap_err().to_string();
        assert!(error.contains("too large to represent"), "{error}");
        report.totals.cost_saved.per_year = f64::INFINITY;
        assert!(check_finite(&report, true).is_err());
        let seconds = |after| Seconds {
            before: 1.0,
            after,
            saved: 0.5,
        };
        assert!(row_floats_finite(&seconds(0.5), Some(-12.5)));
        assert!(!row_floats_finite(&seconds(f64::INFINITY), None));
        assert!(!row_floats_finite(&seconds(0.5), Some(f64::NAN)));
    }
}
