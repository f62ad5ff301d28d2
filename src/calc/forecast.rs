//! The month-by-month forecast (docs/model.md#forecast): today's fleet under a scenario whose
//! changes ramp over `N` months. Pure arithmetic on exact fractions; a month is
//! `days_per_year ÷ 12` days.
//!
//! ```text
//! linear   value(m) = from + (to − from) × (m − 0.5) ÷ N        (the month's midpoint)
//! step     value(m) = from, or to from month at_month + 1 on
//! compound value(m) = from × (1 + p)^(m − 0.5)                    (p = percent_per_month ÷ 100)
//!
//! node factor    = cluster(m) ÷ cluster(from)   every row's nodes grow in proportion
//! deploy factor  = deploys(m)                    a factor of every row's rate (from 1)
//! service factor = (S + k × (m − 0.5)) ÷ S       k new services a month, each the mean service
//! transfer(m)    = transfer a day today × node × deploy × service factors × days_per_year ÷ 12
//! new nodes(m)   = cluster(end of m) − cluster(end of m − 1), each pulling one image of every
//!                  service it runs (a row's share: its nodes ÷ the cluster's), once
//! ```
//!
//! A compound ramp's power is computed in f64 and kept to nine decimals; every other value is
//! exact, and each month's bytes are rounded to the nearest byte once.

use crate::model::rate::Fraction;

use super::full_pull::Overflow;

pub use crate::model::scenario::Ramp;
use crate::model::scenario::{ChangeSpec, ScenarioSpec};

/// One quantity's change: the cluster's nodes (`from` → `to`), or the deploy rate's factor
/// (1 → `to`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    pub from: Fraction,
    pub to: Fraction,
    pub ramp: Ramp,
}

/// `a + (b − a) × k` for fractions that may decrease.
fn between(a: Fraction, b: Fraction, k: Fraction) -> Option<Fraction> {
    if b.as_f64() >= a.as_f64() {
        a.checked_add(difference(b, a)?.checked_mul(k)?)
    } else {
        let down = difference(a, b)?.checked_mul(k)?;
        difference(a, down)
    }
}

/// `a − b` for `a ≥ b`.
fn difference(a: Fraction, b: Fraction) -> Option<Fraction> {
    let numerator = a
        .numerator()
        .checked_mul(b.denominator())?
        .checked_sub(b.numerator().checked_mul(a.denominator())?)?;
    Fraction::new(numerator, a.denominator().checked_mul(b.denominator())?)
}

/// A non-negative f64 as a fraction of nine decimals.
fn from_f64(value: f64) -> Option<Fraction> {
    let scaled = (value * 1e9).round();
    (0.0..1e30)
        .contains(&scaled)
        .then(|| Fraction::new(scaled as u128, 1_000_000_000))
        .flatten()
}

impl Change {
    /// The value during month `month` (1..=months): the midpoint for linear and compound.
    pub fn during(&self, month: u32, months: u32) -> Option<Fraction> {
        match self.ramp {
            Ramp::Linear => between(
                self.from,
                self.to,
                Fraction::new(u128::from(2 * month - 1), u128::from(2 * months))?,
            ),
            Ramp::Step { at_month } => Some(if month > at_month { self.to } else { self.from }),
            Ramp::Compound { percent_per_month } => from_f64(
                self.from.as_f64() * (1.0 + percent_per_month / 100.0).powf(f64::from(month) - 0.5),
            ),
        }
    }

    /// The value at the end of month `month` (0 is the start).
    pub fn at_end(&self, month: u32, months: u32) -> Option<Fraction> {
        match self.ramp {
            Ramp::Linear => between(
                self.from,
                self.to,
                Fraction::new(u128::from(month), u128::from(months))?,
            ),
            Ramp::Step { at_month } => Some(if month > at_month { self.to } else { self.from }),
            Ramp::Compound { percent_per_month } => from_f64(
                self.from.as_f64() * (1.0 + percent_per_month / 100.0).powf(f64::from(month)),
            ),
        }
    }
}

/// A scenario: what changes over the period. `None` keeps today's value.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub cluster_nodes: Option<Change>,
    pub deploys_per_day: Option<Change>,
    pub new_services_per_month: Fraction,
}

impl Scenario {
    /// The scenario `spec` describes on a cluster of `cluster` nodes (if declared); a message
    /// saying what is missing otherwise.
    pub fn resolve(spec: &ScenarioSpec, cluster: Option<u64>) -> Result<Scenario, String> {
        let end = |change: &ChangeSpec, from: Fraction, what: &str| -> Result<Fraction, String> {
            match (change.to, change.factor, change.ramp) {
                (Some(to), _, _) => Ok(to),
                (None, Some(factor), _) => from
                    .checked_mul(factor)
                    .ok_or_else(|| format!("the {what} change is too large")),
                // A compound ramp needs no end: its percent says where it goes.
                (None, None, Ramp::Compound { .. }) => Ok(from),
                (None, None, _) => Err(format!(
                    "the {what} change has no end: give to or a factor (x2)"
                )),
            }
        };
        let cluster_nodes = spec
            .cluster_nodes
            .as_ref()
            .map(|change| {
                let from = change
                    .from
                    .or(cluster.map(|nodes| Fraction::whole(u128::from(nodes))))
                    .filter(|from| !from.is_zero())
                    .ok_or_else(|| {
                        "the cluster change has no start: give from, or the cluster's size                          (--cluster-nodes N or [cluster] nodes = N)"
                            .to_string()
                    })?;
                Ok::<_, String>(Change {
                    from,
                    to: end(change, from, "cluster")?,
                    ramp: change.ramp,
                })
            })
            .transpose()?;
        let deploys_per_day = spec
            .deploys_per_day
            .as_ref()
            .map(|change| {
                if change.from.is_some() || change.to.is_some() {
                    return Err("the deploys change is a factor of every row's rate: give                                 factor = 2 (x2), not from or to"
                        .to_string());
                }
                let from = Fraction::whole(1);
                Ok(Change {
                    from,
                    to: end(change, from, "deploys")?,
                    ramp: change.ramp,
                })
            })
            .transpose()?;
        Ok(Scenario {
            name: spec.name.clone(),
            cluster_nodes,
            deploys_per_day,
            new_services_per_month: spec.new_services_per_month,
        })
    }

    /// Today's fleet, unchanged.
    pub fn steady(name: &str) -> Scenario {
        Scenario {
            name: name.to_string(),
            cluster_nodes: None,
            deploys_per_day: None,
            new_services_per_month: Fraction::ZERO,
        }
    }
}

/// One image state's fleet today (as is, slimmed, with planned work): exact bytes a day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StateToday {
    pub disk_per_day: Fraction,
    pub wire_per_day: Fraction,
    /// Seconds of pulling a day, all nodes together.
    pub pull_seconds_per_day: f64,
    /// What one new node pulls: one image of every service it runs (a row's share is its
    /// nodes ÷ the cluster's).
    pub disk_per_new_node: Fraction,
    pub wire_per_new_node: Fraction,
    /// Images a new node pulls (the same share).
    pub pulls_per_new_node: Fraction,
    /// Wire bytes of one tag of every service (registry storage before retained tags).
    pub wire_per_tag: u128,
}

/// The multipliers of one month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthFactors {
    pub month: u32,
    /// The cluster's nodes during the month, when the cluster is known.
    pub cluster_nodes: Option<Fraction>,
    pub nodes: Fraction,
    pub deploys: Fraction,
    pub services: Fraction,
    /// Nodes the cluster gains during the month (0 when it shrinks).
    pub added_nodes: Fraction,
}

/// The factors of every month 1..=months of `scenario` on a fleet of `services` services and a
/// cluster of `cluster` nodes (if declared).
pub fn factors(
    scenario: &Scenario,
    months: u32,
    services: u128,
    cluster: Option<u64>,
) -> Result<Vec<MonthFactors>, Overflow> {
    let overflow = || Overflow("forecast");
    let one = Fraction::whole(1);
    let start = scenario
        .cluster_nodes
        .map(|change| change.from)
        .or(cluster.map(|nodes| Fraction::whole(u128::from(nodes))));
    (1..=months)
        .map(|month| {
            let (cluster_nodes, nodes, added_nodes) = match (scenario.cluster_nodes, start) {
                (Some(change), Some(start)) if !start.is_zero() => {
                    let during = change.during(month, months).ok_or_else(overflow)?;
                    let end = change.at_end(month, months).ok_or_else(overflow)?;
                    let before = change.at_end(month - 1, months).ok_or_else(overflow)?;
                    let added = difference(end, before).unwrap_or(Fraction::ZERO);
                    let inverse = Fraction::new(start.denominator(), start.numerator())
                        .ok_or_else(overflow)?;
                    (
                        Some(during),
                        during.checked_mul(inverse).ok_or_else(overflow)?,
                        added,
                    )
                }
                _ => (start, one, Fraction::ZERO),
            };
            let deploys = match scenario.deploys_per_day {
                Some(change) => change.during(month, months).ok_or_else(overflow)?,
                None => one,
            };
            let added_services = scenario
                .new_services_per_month
                .checked_mul(Fraction::new(u128::from(2 * month - 1), 2).ok_or_else(overflow)?)
                .ok_or_else(overflow)?;
            let services = if services == 0 {
                one
            } else {
                Fraction::whole(services)
                    .checked_add(added_services)
                    .and_then(|total| total.checked_mul(Fraction::new(1, services)?))
                    .ok_or_else(overflow)?
            };
            Ok(MonthFactors {
                month,
                cluster_nodes,
                nodes,
                deploys,
                services,
                added_nodes,
            })
        })
        .collect()
}

/// One month of one image state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthFigures {
    /// Deploy pulls of the month (exact).
    pub pulls: Fraction,
    pub disk_bytes: i128,
    pub wire_bytes: i128,
    pub pull_seconds: f64,
    /// Pulls of the nodes growth adds, and their bytes (not in the above).
    pub new_node_pulls: Fraction,
    pub new_node_disk_bytes: i128,
    pub new_node_wire_bytes: i128,
    /// Wire bytes of one tag of every service during the month (new services included).
    pub wire_per_tag: i128,
}

fn rounded(value: Fraction) -> Result<i128, Overflow> {
    i128::try_from(value.rounded()).map_err(|_| Overflow("forecast"))
}

/// The month's figures of `state` whose fleet pulls `pulls_per_day` today.
pub fn month(
    state: &StateToday,
    pulls_per_day: Fraction,
    factors: &MonthFactors,
    days_per_year: u64,
) -> Result<MonthFigures, Overflow> {
    let overflow = || Overflow("forecast");
    let days = Fraction::new(u128::from(days_per_year), 12).ok_or_else(overflow)?;
    let scale = factors
        .nodes
        .checked_mul(factors.deploys)
        .and_then(|f| f.checked_mul(factors.services))
        .and_then(|f| f.checked_mul(days))
        .ok_or_else(overflow)?;
    let times = |value: Fraction, by: Fraction| value.checked_mul(by).ok_or_else(overflow);
    let added = factors
        .added_nodes
        .checked_mul(factors.services)
        .ok_or_else(overflow)?;
    Ok(MonthFigures {
        pulls: times(pulls_per_day, scale)?,
        disk_bytes: rounded(times(state.disk_per_day, scale)?)?,
        wire_bytes: rounded(times(state.wire_per_day, scale)?)?,
        pull_seconds: state.pull_seconds_per_day * scale.as_f64(),
        new_node_pulls: times(state.pulls_per_new_node, added)?,
        new_node_disk_bytes: rounded(times(state.disk_per_new_node, added)?)?,
        new_node_wire_bytes: rounded(times(state.wire_per_new_node, added)?)?,
        wire_per_tag: rounded(times(
            Fraction::whole(state.wire_per_tag),
            factors.services,
        )?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(n: u128) -> Fraction {
        Fraction::whole(n)
    }

    /// Issue 18's acceptance: 30 services of 900 → 250 MB on every node, the cluster 40 → 120
    /// linear over 12 months, deploys 4 → 8 a day after month 6.
    #[test]
    fn the_planners_question_by_hand() {
        let scenario = Scenario {
            name: "growth".into(),
            cluster_nodes: Some(Change {
                from: whole(40),
                to: whole(120),
                ramp: Ramp::Linear,
            }),
            deploys_per_day: Some(Change {
                from: whole(1),
                to: whole(2),
                ramp: Ramp::Step { at_month: 6 },
            }),
            new_services_per_month: Fraction::ZERO,
        };
        let months = factors(&scenario, 12, 30, Some(40)).unwrap();
        // Month 1: 40 + 80 × 0.5 / 12 = 43⅓ nodes; month 7 deploys twice as often.
        assert_eq!(months[0].cluster_nodes, Fraction::new(130, 3));
        assert_eq!(months[6].deploys, whole(2));
        assert_eq!(months[5].deploys, whole(1));
        let state = |mb: u128| StateToday {
            // 30 services × 40 nodes × 4 deploys a day.
            disk_per_day: whole(30 * 40 * 4 * mb * 1_000_000),
            wire_per_day: whole(0),
            pull_seconds_per_day: 0.0,
            disk_per_new_node: whole(30 * mb * 1_000_000),
            wire_per_new_node: whole(0),
            pulls_per_new_node: whole(30),
            wire_per_tag: 0,
        };
        let total = |mb: u128| {
            let figures: Vec<MonthFigures> = months
                .iter()
                .map(|f| month(&state(mb), whole(4800), f, 365).unwrap())
                .collect();
            (
                figures.iter().map(|f| f.disk_bytes).sum::<i128>(),
                figures.iter().map(|f| f.new_node_disk_bytes).sum::<i128>(),
                figures
                    .iter()
                    .map(|f| f.new_node_pulls)
                    .fold(Fraction::ZERO, |a, b| a.checked_add(b).unwrap()),
            )
        };
        // Σ nodes × deploys over the months = 360 × 4 + 600 × 8 = 6,240; × 30 services ×
        // 365/12 days = 5,694,000 pulls; × 900 MB = 5.1246 PB.
        assert_eq!(total(900).0, 5_124_600_000_000_000);
        assert_eq!(total(250).0, 1_423_500_000_000_000);
        // 80 new nodes × 30 images.
        assert_eq!(total(900).1, 2_160_000_000_000);
        assert_eq!(total(250).1, 600_000_000_000);
        assert_eq!(total(900).2, whole(2_400));
    }

    #[test]
    fn ramps_follow_their_definitions() {
        let step = Change {
            from: whole(4),
            to: whole(8),
            ramp: Ramp::Step { at_month: 6 },
        };
        assert_eq!(step.during(6, 12), Some(whole(4)));
        assert_eq!(step.during(7, 12), Some(whole(8)));
        let down = Change {
            from: whole(120),
            to: whole(40),
            ramp: Ramp::Linear,
        };
        assert_eq!(down.during(12, 12), Fraction::new(2 * 40 * 12 + 80, 24));
        assert_eq!(down.at_end(12, 12), Some(whole(40)));
        let compound = Change {
            from: whole(100),
            to: whole(0),
            ramp: Ramp::Compound {
                percent_per_month: 10.0,
            },
        };
        assert_eq!(compound.at_end(2, 12), Some(whole(121)));
        // New services: 2 a month on 10 services, month 1 has 11 on average.
        let scenario = Scenario {
            new_services_per_month: whole(2),
            ..Scenario::steady("more services")
        };
        let months = factors(&scenario, 3, 10, None).unwrap();
        assert_eq!(Some(months[0].services), Fraction::new(11, 10));
        assert_eq!(Some(months[2].services), Fraction::new(15, 10));
        assert_eq!(months[0].added_nodes, Fraction::ZERO);
    }
}
