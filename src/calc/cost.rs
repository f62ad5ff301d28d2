//! Money (docs/model.md#cost, #registry-storage, #payback): transfer cost at a price per GB, registry storage at a price per
//! GB-month, and the payback of the engineering effort. Pure functions on the byte figures.

use serde::Serialize;

use super::full_pull::Transfer;

/// Cost of moving `wire_bytes` at `price_per_gb` (decimal GB, as cloud bills count).
pub fn transfer_cost(wire_bytes: i128, price_per_gb: f64) -> f64 {
    wire_bytes as f64 / 1e9 * price_per_gb
}

/// Money per period for one quantity of wire bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PeriodCost {
    pub per_day: f64,
    pub per_month: f64,
    pub per_year: f64,
}

/// Transfer cost of the saved, before and after wire bytes of each period.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TransferCost {
    pub before: PeriodCost,
    pub after: PeriodCost,
    pub saved: PeriodCost,
}

/// Prices the wire bytes of each period.
pub fn transfer_costs(
    per_day: &Transfer,
    per_month: &Transfer,
    per_year: &Transfer,
    price_per_gb: f64,
) -> TransferCost {
    let period = |pick: fn(&Transfer) -> i128| PeriodCost {
        per_day: transfer_cost(pick(per_day), price_per_gb),
        per_month: transfer_cost(pick(per_month), price_per_gb),
        per_year: transfer_cost(pick(per_year), price_per_gb),
    };
    TransferCost {
        before: period(|t| t.before.wire_bytes),
        after: period(|t| t.after.wire_bytes),
        saved: period(|t| t.saved.wire_bytes),
    }
}

/// Registry storage cost saved per month.
pub fn storage_cost_per_month(saved_wire_bytes: i128, price_per_gb_month: f64) -> f64 {
    saved_wire_bytes as f64 / 1e9 * price_per_gb_month
}

/// Was it worth it? Effort against what it saves (docs/model.md#payback).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Payback {
    pub effort_hours: f64,
    /// `null` when no hourly rate was given.
    pub hourly_rate: Option<f64>,
    /// effort_hours × hourly_rate.
    pub effort_cost: Option<f64>,
    /// effort cost ÷ money saved per day (transfer and storage); `null` without a rate or when
    /// nothing is saved.
    pub payback_days: Option<f64>,
    /// effort_hours ÷ node-hours of pulling saved per day: days until the fleet has saved as
    /// many node-hours as the work took; `null` when nothing is saved.
    pub node_hours_break_even_days: Option<f64>,
}

/// The payback of `effort_hours` of work, given the money and node-hours it saves per day.
pub fn payback(
    effort_hours: f64,
    hourly_rate: Option<f64>,
    money_saved_per_day: f64,
    node_hours_saved_per_day: f64,
) -> Payback {
    let effort_cost = hourly_rate.map(|rate| effort_hours * rate);
    Payback {
        effort_hours,
        hourly_rate,
        effort_cost,
        payback_days: effort_cost
            .filter(|_| money_saved_per_day > 0.0)
            .map(|cost| cost / money_saved_per_day),
        node_hours_break_even_days: (node_hours_saved_per_day > 0.0)
            .then(|| effort_hours / node_hours_saved_per_day),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calc::full_pull::DiskWire;

    #[test]
    fn transfer_cost_is_decimal_gb_times_price() {
        // 310.8 GB/day at $0.045 = $13.986/day
        assert!((transfer_cost(310_800_000_000, 0.045) - 13.986).abs() < 1e-9);
        // 113.442 TB/year at $0.045 = $5,104.89/year
        assert!((transfer_cost(113_442_000_000_000, 0.045) - 5104.89).abs() < 1e-6);
        assert_eq!(transfer_cost(-1_000_000_000, 0.09), -0.09);
    }

    #[test]
    fn costs_of_each_period() {
        let day = Transfer {
            before: DiskWire {
                disk_bytes: 0,
                wire_bytes: 2_000_000_000,
            },
            after: DiskWire {
                disk_bytes: 0,
                wire_bytes: 500_000_000,
            },
            saved: DiskWire {
                disk_bytes: 0,
                wire_bytes: 1_500_000_000,
            },
        };
        let costs = transfer_costs(&day, &day, &day, 0.1);
        assert!((costs.saved.per_day - 0.15).abs() < 1e-12);
        assert!((costs.before.per_year - 0.2).abs() < 1e-12);
        assert!((costs.after.per_month - 0.05).abs() < 1e-12);
    }

    #[test]
    fn storage() {
        // 31.08 GB at $0.10 per GB-month = $3.108 a month
        assert!((storage_cost_per_month(31_080_000_000, 0.10) - 3.108).abs() < 1e-9);
    }

    #[test]
    fn payback_with_and_without_a_rate() {
        let p = payback(8.0, Some(100.0), 20.0, 4.0);
        assert_eq!(p.effort_cost, Some(800.0));
        assert_eq!(p.payback_days, Some(40.0));
        assert_eq!(p.node_hours_break_even_days, Some(2.0));
        let p = payback(8.0, None, 20.0, 0.0);
        assert_eq!(p.effort_cost, None);
        assert_eq!(p.payback_days, None);
        assert_eq!(p.node_hours_break_even_days, None);
        assert_eq!(payback(8.0, Some(100.0), -1.0, 1.0).payback_days, None);
    }
}
