//! The domain: images with their disk and wire sizes, services with their fleet shape. Plain data
//! that every input produces and every calculation consumes.

pub mod assumptions;
pub mod dockerfile;
pub mod files;
pub mod image;
pub mod rate;
pub mod scenario;
pub mod values;

use crate::units::{Basis, Percent, Ratio};
use image::Image;

/// How many pulls one inventory row stands for: `services` identical services, each deployed
/// `deploys_per_day` times to `nodes` nodes. The counts are at least 1; the deploy rate is above
/// 0 and may be fractional or said per week or month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FleetShape {
    pub services: u64,
    pub nodes: u64,
    pub deploys_per_day: rate::DeployRate,
}

impl FleetShape {
    /// A scenario's shape: nodes × `nodes` rounded to the nearest node (at least 1), the deploy
    /// rate × `deploys` exactly; `None` when it would not fit.
    pub fn scaled(self, nodes: rate::Fraction, deploys: rate::Fraction) -> Option<FleetShape> {
        let scaled_nodes = nodes.checked_mul_whole(u128::from(self.nodes))?.rounded();
        Some(FleetShape {
            services: self.services,
            nodes: u64::try_from(scaled_nodes).ok()?.max(1),
            deploys_per_day: self.deploys_per_day.scaled(deploys)?,
        })
    }
}

impl Default for FleetShape {
    fn default() -> Self {
        FleetShape {
            services: 1,
            nodes: 1,
            deploys_per_day: rate::DeployRate::daily(1),
        }
    }
}

/// A node count as written: a number, or `all` — every node of the cluster, or of the service's
/// node pool (a DaemonSet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nodes {
    Count(u64),
    All,
}

impl std::fmt::Display for Nodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Nodes::Count(count) => write!(f, "{count}"),
            Nodes::All => f.write_str("all"),
        }
    }
}

/// The declared size of the cluster and of its node pools. `nodes = "all"` reads it; a forecast
/// grows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cluster {
    pub nodes: Option<u64>,
    /// Node pools by name, each with its node count.
    pub pools: std::collections::BTreeMap<String, u64>,
}

impl Cluster {
    /// The nodes `all` stands for on `pool` (the whole cluster when `None`), if declared.
    pub fn nodes_of(&self, pool: Option<&str>) -> Option<u64> {
        match pool {
            Some(pool) => self.pools.get(pool).copied(),
            None => self.nodes,
        }
    }

    /// What to give so that `all` can be read on `pool`, for messages.
    pub fn missing(pool: Option<&str>) -> String {
        match pool {
            Some(pool) => format!(
                "'all' on node pool '{}' needs the pool's size: give --pool-nodes {}=N, or \
                 pools = {{ {} = N }} in the TOML [cluster] table",
                values::shorten(pool),
                values::shorten(pool),
                values::shorten(pool),
            ),
            None => "'all' needs the cluster's size: give --cluster-nodes N, or nodes = N in the \
                     TOML [cluster] table"
                .to_string(),
        }
    }
}

/// The size of one image on both bases. A basis that was not measured or typed is derived with
/// the compression ratio and marked estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageSize {
    /// Unpacked bytes: the sum of the uncompressed layer tars.
    pub disk_bytes: u64,
    /// Compressed bytes crossing the network: config plus layer blobs.
    pub wire_bytes: u64,
    pub disk_estimated: bool,
    pub wire_estimated: bool,
}

impl ImageSize {
    /// A size typed by a user on one basis; the other basis is estimated with `ratio`.
    /// `None` when the estimate would not fit in 64 bits (a wire size near 2^64 bytes).
    pub fn typed(bytes: u64, basis: Basis, ratio: Ratio) -> Option<ImageSize> {
        Some(match basis {
            Basis::Disk => ImageSize {
                disk_bytes: bytes,
                wire_bytes: ratio.wire_from_disk(bytes),
                disk_estimated: false,
                wire_estimated: true,
            },
            Basis::Wire => ImageSize {
                disk_bytes: ratio.disk_from_wire(bytes)?,
                wire_bytes: bytes,
                disk_estimated: true,
                wire_estimated: false,
            },
        })
    }

    /// A size measured on both bases (from an image artifact).
    pub fn measured(disk_bytes: u64, wire_bytes: u64) -> ImageSize {
        ImageSize {
            disk_bytes,
            wire_bytes,
            disk_estimated: false,
            wire_estimated: false,
        }
    }
}

/// A size budget for the CI gate: an absolute size (on the row's basis), or the runtime target's
/// high end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    Bytes(u64),
    Target,
}

/// A growth limit: more than `percent` of the baseline and more than `floor_bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrowthLimit {
    pub percent: Percent,
    pub floor_bytes: u64,
}

/// A runtime key of the size targets (`go`, `java-jlink`, …): the one copy of the name the
/// process keeps ([`runtime_key`]), shared by every service and row of that runtime.
pub type RuntimeKey = &'static str;

/// `name` as a [`RuntimeKey`]: the one copy of it this process keeps (runtime keys are the few
/// names of the bundled targets table, so a large inventory's rows share them without counting
/// references from every thread).
pub fn runtime_key(name: &str) -> RuntimeKey {
    static KEYS: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut keys = KEYS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match keys.iter().find(|key| **key == name) {
        Some(key) => key,
        None => {
            let key: &'static str = Box::leak(name.into());
            keys.push(key);
            key
        }
    }
}

/// A service's name, shared by the service and its report row rather than copied.
pub type ServiceName = std::sync::Arc<str>;

/// One inventory row (or the single row of `calc`).
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub name: ServiceName,
    /// A runtime key of `data/runtime_targets.csv`, or `None` for other/unknown.
    pub runtime: Option<RuntimeKey>,
    pub shape: FleetShape,
    pub basis: Basis,
    pub before: ImageSize,
    /// `None` for a plan: a service not slimmed yet, projected to its runtime's target.
    pub after: Option<ImageSize>,
    /// The `budget` column, for `check --inventory`.
    pub budget: Option<Budget>,
    /// The images read from image sources, with their layer lists (for comparisons and the
    /// layer-aware model); `None` for typed sizes.
    pub before_image: Option<Box<Image>>,
    pub after_image: Option<Box<Image>>,
    /// What the layer-aware model needs (all optional): the declared base image, the previous
    /// builds, an explicit changed part, and the node pool the service runs on.
    /// Read with [`Service::layering`]; `None` when the row gives none of them (most rows: a
    /// large inventory should not carry them inline for every row).
    pub layering_given: Option<Box<Layering>>,
    /// The `dockerfile` column: the service's Dockerfile, parsed, for its audit.
    pub dockerfile: Option<Box<ServiceDockerfile>>,
}

/// A service's Dockerfile as the inventory names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDockerfile {
    /// The path as written in the inventory.
    pub path: String,
    /// The path as read (relative to the inventory's directory), for the audit's context.
    pub display: String,
    pub parsed: dockerfile::Dockerfile,
    /// A `.dockerignore` beside it (the build context is taken to be its directory).
    pub dockerignore: bool,
}

impl Service {
    /// What the layer-aware model needs of this service.
    pub fn layering(&self) -> &Layering {
        static NONE: Layering = Layering {
            base_image: None,
            before_previous: None,
            after_previous: None,
            changed_per_deploy: None,
            node_pool: None,
            every_node: false,
        };
        self.layering_given.as_deref().unwrap_or(&NONE)
    }

    /// The same, to change.
    pub fn layering_mut(&mut self) -> &mut Layering {
        self.layering_given.get_or_insert_default()
    }
}

/// The layer-aware model's inputs for one service (docs/model.md#layered-expected).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layering {
    pub base_image: Option<Box<Image>>,
    pub before_previous: Option<Box<Image>>,
    pub after_previous: Option<Box<Image>>,
    pub changed_per_deploy: Option<ChangedPerDeploy>,
    /// `None`: the default pool, where every service runs on every node.
    pub node_pool: Option<String>,
    /// `nodes = all`: the service runs on every node of its pool (or of the cluster), so its node
    /// count grows with it (a forecast's cluster ramp).
    pub every_node: bool,
}

impl Layering {
    /// Boxed for a [`Service`], or `None` when it holds nothing.
    pub fn given(self) -> Option<Box<Layering>> {
        (self != Layering::default()).then(|| Box::new(self))
    }
}

/// How much of an image a deploy changes, when said explicitly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ChangedPerDeploy {
    /// This many wire bytes.
    Bytes(u64),
    /// This fraction (0–1) of the image's wire bytes.
    Fraction(f64),
}

impl ChangedPerDeploy {
    pub const ACCEPTED: &'static str =
        "a size (40MB) or a percentage of the image (30%) that every deploy changes";

    /// Reads `40MB` or `30%`.
    pub fn parse(text: &str) -> Option<ChangedPerDeploy> {
        let text = text.trim();
        match text.strip_suffix('%') {
            Some(number) => {
                let percent: f64 = number.trim().parse().ok()?;
                (0.0..=100.0)
                    .contains(&percent)
                    .then_some(ChangedPerDeploy::Fraction(percent / 100.0))
            }
            None => crate::units::parse_size(text)
                .ok()
                .map(ChangedPerDeploy::Bytes),
        }
    }
}

/// `40000000` (bytes, exact, so it reads back the same) or `30%`.
impl std::fmt::Display for ChangedPerDeploy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChangedPerDeploy::Bytes(bytes) => write!(f, "{bytes}"),
            // Rounded so `30%` (0.3) shows as typed, not as 30.000000000000004%.
            ChangedPerDeploy::Fraction(fraction) => {
                write!(f, "{}%", (fraction * 100.0 * 1e9).round() / 1e9)
            }
        }
    }
}

/// New nodes a day in each pool.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NewNodes {
    /// A fraction of the pool's nodes (default 0.05).
    FractionOfNodes(f64),
    /// A number of nodes a day, in each pool.
    PerDay(f64),
}

impl NewNodes {
    pub const ACCEPTED: &'static str =
        "a percentage of each pool's nodes (5%) or a number of nodes a day (2, 0.5)";

    /// Reads `5%` (of the pool's nodes) or `2` (nodes a day).
    pub fn parse(text: &str) -> Option<NewNodes> {
        let text = text.trim();
        let (number, percent) = match text.strip_suffix('%') {
            Some(number) => (number.trim(), true),
            None => (text, false),
        };
        let value: f64 = number
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)?;
        Some(if percent {
            NewNodes::FractionOfNodes(value / 100.0)
        } else {
            NewNodes::PerDay(value)
        })
    }
}

impl std::fmt::Display for NewNodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NewNodes::FractionOfNodes(fraction) => write!(f, "{}%", fraction * 100.0),
            NewNodes::PerDay(count) => write!(f, "{count}"),
        }
    }
}

/// No new nodes (the blank before the defaults are read).
impl Default for NewNodes {
    fn default() -> NewNodes {
        NewNodes::PerDay(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::runtime_key;

    /// A runtime key is kept once: every row of a runtime points at the same name.
    #[test]
    fn a_runtime_key_is_kept_once() {
        let typed = String::from("python");
        let (first, again) = (runtime_key(&typed), runtime_key("python"));
        assert_eq!(first, "python");
        assert!(std::ptr::eq(first, again));
        assert!(!std::ptr::eq(first, runtime_key("python-slim")));
    }
}
