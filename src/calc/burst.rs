//! The rollout burst (docs/model.md#rollout-burst): a service deploying to all its nodes at once,
//! and how long until the last node has the image. Transfer only:
//!
//! ```text
//! node_seconds   = wire bytes per node ÷ bandwidth              (every node in parallel)
//! shared_seconds = wire bytes per node × nodes ÷ egress limit   (a NAT gateway, a mirror)
//! seconds        = max(node_seconds, shared_seconds)
//! ```
//!
//! Extraction (`disk ÷ extract_rate`, on each node in parallel) is reported beside it, not added:
//! it overlaps the download of later layers. Every pull is a full pull, so the burst is an upper
//! bound for a deploy that changes part of the image.

use serde::Serialize;

use super::full_pull::PullRates;
use crate::model::ImageSize;

/// One burst of one image on `nodes` nodes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Burst {
    /// Wire bytes each node pulls (the whole image).
    pub bytes_per_node: u64,
    /// Wire bytes all the nodes pull together.
    pub bytes_all_nodes: u128,
    /// Seconds of transfer until the last node has the image: the larger of the two below.
    pub seconds: f64,
    /// Seconds each node downloads at its own bandwidth.
    pub node_seconds: f64,
    /// Seconds all the nodes' bytes take through the shared egress limit; `null` without one.
    pub shared_seconds: Option<f64>,
    /// Seconds each node extracts the image (disk ÷ extract rate), not part of `seconds`.
    pub extract_seconds: f64,
    /// What bounds `seconds`: `node` bandwidth or the `shared` limit.
    pub bound_by: BoundBy,
}

/// Which limit decides a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BoundBy {
    Node,
    Shared,
}

/// The burst of `image` deployed at once to `nodes` nodes, each at `rates.bandwidth`, all behind
/// `egress_limit` bytes a second when given.
pub fn burst(image: &ImageSize, nodes: u64, rates: PullRates, egress_limit: Option<u64>) -> Burst {
    let bytes_all_nodes = u128::from(image.wire_bytes) * u128::from(nodes);
    let node_seconds = image.wire_bytes as f64 / rates.bandwidth as f64;
    let shared_seconds = egress_limit.map(|limit| bytes_all_nodes as f64 / limit as f64);
    let (seconds, bound_by) = match shared_seconds {
        Some(shared) if shared > node_seconds => (shared, BoundBy::Shared),
        _ => (node_seconds, BoundBy::Node),
    };
    Burst {
        bytes_per_node: image.wire_bytes,
        bytes_all_nodes,
        seconds,
        node_seconds,
        shared_seconds,
        extract_seconds: image.disk_bytes as f64 / rates.extract_rate as f64,
        bound_by,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATES: PullRates = PullRates {
        bandwidth: 125_000_000,
        extract_rate: 100_000_000,
    };

    #[test]
    fn a_shared_limit_decides_a_wide_rollout() {
        // 333 MB on 120 nodes behind 10 Gbit/s: 39.96 GB ÷ 1.25 GB/s.
        let after = ImageSize::measured(900_000_000, 333_000_000);
        let b = burst(&after, 120, RATES, Some(1_250_000_000));
        assert_eq!(b.bytes_all_nodes, 39_960_000_000);
        assert!((b.seconds - 31.968).abs() < 1e-9);
        assert_eq!(b.bound_by, BoundBy::Shared);
        assert!((b.node_seconds - 2.664).abs() < 1e-9);
        assert!((b.extract_seconds - 9.0).abs() < 1e-9);
        let before = ImageSize::measured(2_400_000_000, 900_000_000);
        assert!((burst(&before, 120, RATES, Some(1_250_000_000)).seconds - 86.4).abs() < 1e-9);
        // Without the shared limit every node pulls at its own 125 MB/s.
        let free = burst(&after, 120, RATES, None);
        assert!((free.seconds - 2.664).abs() < 1e-9);
        assert_eq!(free.bound_by, BoundBy::Node);
        assert_eq!(free.shared_seconds, None);
    }

    #[test]
    fn a_narrow_rollout_is_bound_by_the_node() {
        let image = ImageSize::measured(100, 1_000_000_000);
        let b = burst(&image, 2, RATES, Some(1_250_000_000));
        assert_eq!(b.bound_by, BoundBy::Node);
        assert!((b.seconds - 8.0).abs() < 1e-9);
    }
}
