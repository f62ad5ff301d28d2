//! The rollout-burst view (docs/model.md#rollout-burst): per service, the burst now and slimmed,
//! with the per-node bandwidth, the shared egress limit as read (bits or bytes) and the
//! maintenance window, largest bursts first. Shared by `calc`, `report` and `forecast`.

use serde::Serialize;

use crate::calc::burst::{Burst, burst};
use crate::calc::full_pull::PullRates;
use crate::model::Service;
use crate::model::assumptions::Assumptions;
use crate::model::rate::EgressLimit;

use super::build::millis;

/// The shared egress limit as the report read it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EgressLimitView {
    pub bytes_per_second: u64,
    /// As written: `10Gbit/s`.
    pub written: String,
    /// `bits` when written in bits a second (8 bits a byte), else `bytes`.
    pub unit: &'static str,
}

/// The bursts of every service.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BurstsView {
    /// What the figures are: transfer only, every node pulling the whole image (upper bound).
    pub basis: &'static str,
    /// Each node's download bandwidth (wire bytes a second, the `bandwidth` assumption).
    pub node_bandwidth_bytes_per_second: u64,
    /// `null` without `--egress-limit`.
    pub egress_limit: Option<EgressLimitView>,
    /// The maintenance window (`--window`), in seconds; `null` without one.
    pub window_seconds: Option<f64>,
    /// Largest burst now first.
    pub services: Vec<ServiceBurst>,
}

/// One service deploying to all its nodes at once.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ServiceBurst {
    pub name: String,
    pub nodes: u64,
    /// Today's image.
    pub now: Burst,
    /// The slimmed image; `null` for a plan (no after size).
    pub slimmed: Option<Burst>,
    /// now − slimmed seconds; `null` for a plan.
    pub saved_seconds: Option<f64>,
    /// Whether each burst fits the window; `null` without `--window`.
    pub now_fits_window: Option<bool>,
    pub slimmed_fits_window: Option<bool>,
}

fn rounded(burst: Burst) -> Burst {
    Burst {
        seconds: millis(burst.seconds),
        node_seconds: millis(burst.node_seconds),
        shared_seconds: burst.shared_seconds.map(millis),
        extract_seconds: millis(burst.extract_seconds),
        ..burst
    }
}

/// The bursts of `services` under the assumptions' bandwidth and extraction rate.
pub fn bursts(
    services: &[Service],
    assumptions: &Assumptions,
    egress_limit: Option<&EgressLimit>,
    window_seconds: Option<f64>,
) -> BurstsView {
    let rates = PullRates {
        bandwidth: assumptions.bandwidth.value,
        extract_rate: assumptions.extract_rate.value,
    };
    let limit = egress_limit.map(|limit| limit.bytes_per_second);
    let fits = |burst: &Burst| window_seconds.map(|window| burst.seconds <= window);
    let mut rows: Vec<ServiceBurst> = services
        .iter()
        .map(|service| {
            let now = burst(&service.before, service.shape.nodes, rates, limit);
            let slimmed = service
                .after
                .map(|after| burst(&after, service.shape.nodes, rates, limit));
            ServiceBurst {
                name: service.name.to_string(),
                nodes: service.shape.nodes,
                now_fits_window: fits(&now),
                slimmed_fits_window: slimmed.as_ref().and_then(fits),
                saved_seconds: slimmed.map(|slimmed| millis(now.seconds - slimmed.seconds)),
                now: rounded(now),
                slimmed: slimmed.map(rounded),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.now.seconds.total_cmp(&a.now.seconds));
    BurstsView {
        basis: "transfer only: every node pulls the whole image, wire bytes, an upper bound",
        node_bandwidth_bytes_per_second: rates.bandwidth,
        egress_limit: egress_limit.map(|limit| EgressLimitView {
            bytes_per_second: limit.bytes_per_second,
            written: limit.written.clone(),
            unit: if limit.in_bits { "bits" } else { "bytes" },
        }),
        window_seconds,
        services: rows,
    }
}
