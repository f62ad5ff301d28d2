//! Fleet inventories (docs/model.md#inventories): many services, each with its own sizes,
//! runtime, node count and deploy rate, read from CSV or TOML. Both readers produce the same
//! [`RawInventory`] — every value as text with the line it came from — and [`resolve`] turns it
//! into validated [`Service`]s, so the two formats share one set of rules; messages quote
//! examples in the syntax of the file they are about.
//!
//! Empty cells fall back to the defaults: a flag given to `report`, else the TOML `[defaults]`
//! table, else 1 (counts) / `disk` (basis).

mod csv_reader;
mod toml_reader;

use std::path::{Path, PathBuf};

use super::assumptions::{AssumptionsTable, validate};
use super::image::{Platform, ReadOptions};
use super::limits::{STDIN, read_named_text};
use super::sources::{self, SizedImage, SourceOptions};

use crate::calc::targets::Targets;
use crate::error::{Error, Place};
use crate::model::assumptions::{Overrides, Profile};

use crate::model::rate::DeployRate;
use crate::model::values::{self, Field};
use crate::model::{
    Budget, ChangedPerDeploy, Cluster, FleetShape, ImageSize, Layering, Nodes, RuntimeKey, Service,
    ServiceDockerfile, ServiceName,
};
use crate::units::{Basis, Ratio};

/// One column of a CSV inventory, or key of a TOML `[[service]]` table.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    /// Whether the TOML `[defaults]` table may set it for every service.
    pub in_defaults: bool,
    /// What it holds, for the documentation of the format.
    pub meaning: &'static str,
}

/// Every column an inventory may have, in the order the documentation lists them.
pub const COLUMNS: &[Column] = &[
    Column {
        name: "service",
        in_defaults: false,
        meaning: "the service's name, unique",
    },
    Column {
        name: "before",
        in_defaults: false,
        meaning: "size before slimming",
    },
    Column {
        name: "after",
        in_defaults: false,
        meaning: "size after slimming; empty for a plan",
    },
    Column {
        name: "runtime",
        in_defaults: true,
        meaning: "runtime key of the size targets",
    },
    Column {
        name: "services",
        in_defaults: true,
        meaning: "distinct services of this size",
    },
    Column {
        name: "nodes",
        in_defaults: true,
        meaning: "nodes that pull on each deploy, or all (every node of the cluster or pool)",
    },
    Column {
        name: "deploys_per_day",
        in_defaults: true,
        meaning: "deploys of each service: a day (10, 0.5), or 3/week, 20/month",
    },
    Column {
        name: "basis",
        in_defaults: true,
        meaning: "disk (unpacked) or wire (compressed)",
    },
    Column {
        name: "before_image",
        in_defaults: false,
        meaning: "image source of the before size",
    },
    Column {
        name: "after_image",
        in_defaults: false,
        meaning: "image source of the after size",
    },
    Column {
        name: "platform",
        in_defaults: true,
        meaning: "platform to pick from an index",
    },
    Column {
        name: "budget",
        in_defaults: false,
        meaning: "size budget for check, or target",
    },
    Column {
        name: "base_image",
        in_defaults: false,
        meaning: "the base image the service builds on",
    },
    Column {
        name: "before_prev_image",
        in_defaults: false,
        meaning: "previous build of before",
    },
    Column {
        name: "after_prev_image",
        in_defaults: false,
        meaning: "previous build of after",
    },
    Column {
        name: "changed_per_deploy",
        in_defaults: false,
        meaning: "what a deploy changes",
    },
    Column {
        name: "node_pool",
        in_defaults: false,
        meaning: "the node pool the service runs on",
    },
    Column {
        name: "dockerfile",
        in_defaults: false,
        meaning: "the service's Dockerfile, audited in the report",
    },
];

/// The names of the columns a row may have.
pub fn row_fields() -> impl Iterator<Item = &'static str> {
    COLUMNS.iter().map(|c| c.name)
}

/// The names of the keys the TOML `[defaults]` table may have.
pub fn default_fields() -> impl Iterator<Item = &'static str> {
    COLUMNS.iter().filter(|c| c.in_defaults).map(|c| c.name)
}

/// The syntax an inventory is written in, for examples in messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Syntax {
    #[default]
    Csv,
    Toml,
}

/// One value as written, with the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawValue {
    pub text: String,
    pub line: usize,
}

/// One row as written: (field, value) pairs, fields from [`COLUMNS`]. Empty values are absent. (A short vector, not a map: rows have a handful
/// of fields, and 100,000-row inventories should not pay for a hash map each.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawRow {
    /// The line the row starts on.
    pub line: usize,
    pub values: Vec<(&'static str, RawValue)>,
}

impl RawRow {
    fn get(&self, field: &str) -> Option<&RawValue> {
        self.values
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, value)| value)
    }
}

/// The `&'static` name of a known field, matched case-insensitively.
pub fn known_field(
    mut known: impl Iterator<Item = &'static str>,
    name: &str,
) -> Option<&'static str> {
    known.find(|field| field.eq_ignore_ascii_case(name))
}

/// An inventory as read, before validation.
#[derive(Debug, Default)]
pub struct RawInventory {
    /// The file name for messages (`<stdin>` for `-`).
    pub path: PathBuf,
    pub syntax: Syntax,
    /// The whole text, for line numbers of the assumptions table (and a CSV file's rows).
    pub text: String,
    /// TOML: the `[[service]]` tables. A CSV inventory keeps none: its rows are read from
    /// `text` each time they are walked ([`RawInventory::each_row`]), so a large inventory is
    /// never held twice.
    pub rows: Vec<RawRow>,
    /// CSV: the field of each column of the header row, in order; empty for TOML.
    pub csv_columns: Vec<&'static str>,
    /// TOML `[defaults]`.
    pub defaults: RawRow,
    /// TOML `[assumptions]`.
    pub assumptions: Option<AssumptionsTable>,
    /// TOML `[cluster]`.
    pub cluster: RawCluster,
    /// TOML `[[scenario]]` tables, each with its line, for `forecast`.
    pub scenarios: Vec<(crate::model::scenario::ScenarioSpec, usize)>,
}

/// The TOML `[cluster]` table as written: `nodes = 40`, `pools = { gpu = 8 }`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawCluster {
    pub nodes: Option<RawValue>,
    /// (pool name, node count), each with its line.
    pub pools: Vec<(RawValue, RawValue)>,
}

impl RawInventory {
    /// The assumption overrides of the inventory file, validated.
    pub fn assumption_overrides(
        &self,
        profiles: &std::collections::BTreeMap<String, Profile>,
    ) -> Result<Option<Overrides>, Error> {
        self.assumptions
            .as_ref()
            .map(|table| validate(table, &self.text, &self.path, profiles))
            .transpose()
    }

    /// Walks the rows in order, stopping at the first error (`f`'s, or a CSV row that does not
    /// parse).
    pub fn each_row(&self, mut f: impl FnMut(&RawRow) -> Result<(), Error>) -> Result<(), Error> {
        if self.csv_columns.is_empty() {
            self.rows.iter().try_for_each(f)
        } else {
            csv_reader::each_row(self, &csv_reader::Rows::whole(self), &mut f)
        }
    }

    /// How many rows set `field` themselves (so a default for it does not reach them), of how
    /// many. Rows that do not parse are not counted: reading the rows refuses them.
    pub fn rows_setting(&self, field: &str) -> (usize, usize) {
        let (mut setting, mut rows) = (0, 0);
        let _ = self.each_row(|row| {
            rows += 1;
            setting += usize::from(row.get(field).is_some());
            Ok(())
        });
        (setting, rows)
    }

    /// The cluster's and pools' sizes: the flags, else the file's `[cluster]` table.
    pub fn cluster(&self, flags: &FlagDefaults) -> Result<Cluster, Error> {
        let mut cluster = Cluster::default();
        if let Some(value) = &self.cluster.nodes {
            cluster.nodes = Some(self.read("nodes", value, values::count)?);
        }
        for (name, value) in &self.cluster.pools {
            let nodes = self.read(&name.text, value, values::count)?;
            cluster.pools.insert(name.text.clone(), nodes);
        }
        if let Some(nodes) = flags.cluster_nodes {
            cluster.nodes = Some(nodes);
        }
        for (pool, nodes) in &flags.pool_nodes {
            cluster.pools.insert(pool.clone(), *nodes);
        }
        Ok(cluster)
    }

    /// Where `value` of `field` is, for messages in this file's syntax.
    fn field<'a>(&'a self, value: &RawValue, field: &'a str) -> Field<'a> {
        match self.syntax {
            Syntax::Csv => Field::Csv {
                path: &self.path,
                line: value.line,
                column: field,
            },
            Syntax::Toml => Field::Toml {
                path: &self.path,
                line: value.line,
                key: field,
            },
        }
    }

    /// Parses `value` of `field` with `parser`, refusing it in this file's syntax.
    fn read<T>(
        &self,
        field: &str,
        value: &RawValue,
        parser: impl FnOnce(&str) -> Result<T, values::Refusal>,
    ) -> Result<T, Error> {
        self.field(value, field).read(&value.text, parser)
    }
}

/// Reads an inventory file: TOML when the name ends in `.toml`, CSV otherwise; `-` is CSV on
/// standard input.
pub fn read(path: &Path) -> Result<RawInventory, Error> {
    let (label, text) = read_named_text(path)?;
    parse(label, text)
}

/// Parses inventory text already read: TOML when `label` ends in `.toml`, CSV otherwise.
/// `label` names the file in messages and anchors relative image paths.
pub fn parse(label: PathBuf, text: String) -> Result<RawInventory, Error> {
    let is_toml = label
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("toml"));
    if is_toml {
        toml_reader::read(label, text)
    } else {
        csv_reader::read(label, text)
    }
}

/// Fleet defaults given on the command line; `None` where no flag was given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagDefaults {
    pub services: Option<u64>,
    pub nodes: Option<Nodes>,
    pub deploys_per_day: Option<DeployRate>,
    pub basis: Option<Basis>,
    /// `--cluster-nodes`, `--pool-nodes NAME=N`: win over the file's `[cluster]`.
    pub cluster_nodes: Option<u64>,
    pub pool_nodes: Vec<(String, u64)>,
}

/// A failure at a row's field.
fn bad(path: &Path, value: &RawValue, field: &str, message: String) -> Error {
    Error::Input {
        place: Place::file_line(path, value.line, field),
        message,
    }
}

/// The fleet defaults of the file's `[defaults]` table under the flags.
fn effective_defaults(
    inventory: &RawInventory,
    flags: &FlagDefaults,
    targets: &Targets,
) -> Result<(FleetShape, Nodes, Basis, Option<RuntimeKey>), Error> {
    let file = &inventory.defaults;
    let count = |field: &str, flag: Option<u64>| -> Result<u64, Error> {
        match (flag, file.get(field)) {
            (Some(value), _) => Ok(value),
            (None, Some(value)) => inventory.read(field, value, values::count),
            (None, None) => Ok(1),
        }
    };
    let deploys_per_day = match (flags.deploys_per_day, file.get("deploys_per_day")) {
        (Some(rate), _) => rate,
        (None, Some(value)) => inventory.read("deploys_per_day", value, values::deploy_rate)?,
        (None, None) => DeployRate::daily(1),
    };
    let nodes = match (flags.nodes, file.get("nodes")) {
        (Some(nodes), _) => nodes,
        (None, Some(value)) => inventory.read("nodes", value, values::nodes)?,
        (None, None) => Nodes::Count(1),
    };
    let shape = FleetShape {
        services: count("services", flags.services)?,
        // Each row resolves `nodes` (a count or `all`) on its own pool.
        nodes: 1,
        deploys_per_day,
    };
    let basis = match (flags.basis, file.get("basis")) {
        (Some(basis), _) => basis,
        (None, Some(value)) => inventory.read("basis", value, values::basis)?,
        (None, None) => Basis::Disk,
    };
    let runtime = match file.get("runtime") {
        Some(value) => targets.resolve(&value.text).map_err(|refusal| {
            inventory
                .field(value, "runtime")
                .refuse(&value.text, refusal)
        })?,
        None => None,
    };
    Ok((shape, nodes, basis, runtime))
}

/// The image sources and Dockerfiles the rows name as files (relative to the inventory's
/// directory): what a report written over one of them would destroy. References to registries
/// are among them too, as paths that do not exist.
pub fn image_paths(inventory: &RawInventory) -> Vec<PathBuf> {
    let directory = inventory
        .path
        .parent()
        .filter(|_| inventory.path.as_os_str() != STDIN)
        .unwrap_or(Path::new(""));
    let fields = [
        "before_image",
        "after_image",
        "base_image",
        "before_prev_image",
        "after_prev_image",
        "dockerfile",
    ];
    let mut paths = Vec::new();
    let mut add = |row: &RawRow| {
        for value in fields.iter().filter_map(|field| row.get(field)) {
            paths.push(directory.join(&value.text));
        }
    };
    // Rows that do not parse name no path: reading the rows refuses them. A CSV file without a
    // column for one names none, and is not read again.
    let csv_without_paths = !inventory.csv_columns.is_empty()
        && !inventory
            .csv_columns
            .iter()
            .any(|column| fields.contains(column));
    if !csv_without_paths {
        let _ = inventory.each_row(|row| {
            add(row);
            Ok(())
        });
    }
    add(&inventory.defaults);
    paths
}

/// One row with every cell typed by its column's parser, its typed sizes on both bases. Image
/// sources stay as written (with their line) until [`resolve`] reads them: typing a row reads no
/// file. Owned, not borrowed from the text: a CSV inventory's rows are read one at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The line the row starts on.
    pub line: usize,
    /// The service's name as written (shared with the service made from the row).
    pub service: ServiceName,
    /// The line of the name's cell.
    pub service_line: usize,
    pub runtime: Option<RuntimeKey>,
    pub shape: FleetShape,
    pub basis: Basis,
    /// Typed sizes (on `basis`, the other basis estimated).
    pub before: Option<ImageSize>,
    pub after: Option<ImageSize>,
    pub budget: Option<Budget>,
    pub changed_per_deploy: Option<ChangedPerDeploy>,
    pub node_pool: Option<String>,
    /// `nodes` was `all`: `shape.nodes` is the size of the row's pool or of the cluster.
    pub every_node: bool,
    /// The files and images the row names, when it names any.
    pub sources: Option<Box<RowSources>>,
}

/// The cells of a row that name files or images, as written (read by [`resolve`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowSources {
    /// The platform to read the row's image sources for, when the row or `[defaults]` names one.
    pub platform: Option<Platform>,
    pub before_image: Option<RawValue>,
    pub after_image: Option<RawValue>,
    pub base_image: Option<RawValue>,
    pub before_prev_image: Option<RawValue>,
    pub after_prev_image: Option<RawValue>,
    /// The Dockerfile's path as written.
    pub dockerfile: Option<RawValue>,
}

/// The defaults a row falls back to: flags, then `[defaults]`, then 1 and `disk`.
struct RowDefaults {
    shape: FleetShape,
    nodes: Nodes,
    cluster: Cluster,
    basis: Basis,
    runtime: Option<RuntimeKey>,
    platform: Option<Platform>,
}

impl RawInventory {
    /// Types one row (no file is read): every cell through its parser, empty ones from
    /// `defaults`; a size and an image source for the same side are refused together.
    fn typed_row(
        &self,
        row: &RawRow,
        defaults: &RowDefaults,
        targets: &Targets,
        ratio: Ratio,
    ) -> Result<Row, Error> {
        let Some(service) = row.get("service") else {
            return Err(Error::Input {
                place: Place::file_line(&self.path, row.line, "service"),
                message: "is empty; every row needs a service name".to_string(),
            });
        };
        let count = |field: &str, default: u64| match row.get(field) {
            Some(value) => self.read(field, value, values::count),
            None => Ok(default),
        };
        let size = |field: &'static str, basis: Basis| -> Result<Option<ImageSize>, Error> {
            let Some(value) = row.get(field) else {
                return Ok(None);
            };
            let bytes = self.read(field, value, values::size)?;
            ImageSize::typed(bytes, basis, ratio)
                .map(Some)
                .ok_or_else(|| {
                    bad(
                        &self.path,
                        value,
                        field,
                        format!("'{}' is too large to estimate a disk size from", value.text),
                    )
                })
        };
        let source = |field: &'static str, size_field: &str| -> Result<Option<RawValue>, Error> {
            match (row.get(field), row.get(size_field)) {
                (Some(value), Some(_)) => Err(bad(
                    &self.path,
                    value,
                    field,
                    format!("'{}': give {size_field} or {field}, not both", value.text),
                )),
                (value, _) => Ok(value.cloned()),
            }
        };
        let node_pool = row.get("node_pool").map(|value| value.text.clone());
        let nodes = match row.get("nodes") {
            Some(value) => self.read("nodes", value, values::nodes)?,
            None => defaults.nodes,
        };
        let every_node = nodes == Nodes::All;
        let nodes = match nodes {
            Nodes::Count(count) => count,
            Nodes::All => defaults
                .cluster
                .nodes_of(node_pool.as_deref())
                .ok_or_else(|| Error::Input {
                    place: Place::file_line(
                        &self.path,
                        row.get("nodes").map_or(row.line, |value| value.line),
                        "nodes",
                    ),
                    message: Cluster::missing(node_pool.as_deref()),
                })?,
        };
        let runtime = match row.get("runtime") {
            Some(value) => self.read("runtime", value, |text| targets.resolve(text))?,
            None => defaults.runtime,
        };
        let shape = FleetShape {
            services: count("services", defaults.shape.services)?,
            nodes,
            deploys_per_day: match row.get("deploys_per_day") {
                Some(value) => self.read("deploys_per_day", value, values::deploy_rate)?,
                None => defaults.shape.deploys_per_day,
            },
        };
        let basis = match row.get("basis") {
            Some(value) => self.read("basis", value, values::basis)?,
            None => defaults.basis,
        };
        let before = size("before", basis)?;
        let after = size("after", basis)?;
        let budget = row
            .get("budget")
            .map(|value| self.read("budget", value, values::budget))
            .transpose()?;
        let platform = match row.get("platform") {
            Some(value) => Some(self.read("platform", value, Platform::parse)?),
            None => None,
        };
        let sources = RowSources {
            platform: None,
            before_image: source("before_image", "before")?,
            after_image: source("after_image", "after")?,
            base_image: row.get("base_image").cloned(),
            before_prev_image: row.get("before_prev_image").cloned(),
            after_prev_image: row.get("after_prev_image").cloned(),
            dockerfile: row.get("dockerfile").cloned(),
        };
        let changed_per_deploy = row
            .get("changed_per_deploy")
            .map(|value| self.read("changed_per_deploy", value, values::changed_per_deploy))
            .transpose()?;
        Ok(Row {
            line: row.line,
            service: ServiceName::from(service.text.as_str()),
            service_line: service.line,
            runtime,
            shape,
            basis,
            before,
            after,
            budget,
            changed_per_deploy,
            node_pool,
            every_node,
            sources: (sources != RowSources::default()).then(|| {
                Box::new(RowSources {
                    platform: platform.or_else(|| defaults.platform.clone()),
                    ..sources
                })
            }),
        })
    }

    /// Every row typed (no file read); duplicate names refused. `ratio` estimates the basis a
    /// typed size was not given on.
    pub fn typed_rows(
        &self,
        flags: &FlagDefaults,
        targets: &Targets,
        ratio: Ratio,
    ) -> Result<Vec<Row>, Error> {
        self.typed_parts(flags, targets, ratio).map(joined)
    }

    /// [`RawInventory::typed_rows`] in the parts they were typed in (two for a large CSV, typed
    /// at once; one otherwise), in order.
    fn typed_parts(
        &self,
        flags: &FlagDefaults,
        targets: &Targets,
        ratio: Ratio,
    ) -> Result<Vec<Vec<Row>>, Error> {
        let (shape, nodes, basis, runtime) = effective_defaults(self, flags, targets)?;
        let platform = self
            .defaults
            .get("platform")
            .map(|value| self.read("platform", value, Platform::parse))
            .transpose()?;
        let defaults = RowDefaults {
            shape,
            nodes,
            cluster: self.cluster(flags)?,
            basis,
            runtime,
            platform,
        };
        // A CSV row per line at most: sized once instead of grown by doubling.
        let lines = if self.csv_columns.is_empty() {
            self.rows.len()
        } else {
            self.text.bytes().filter(|&byte| byte == b'\n').count() + 1
        };
        let mut rows = Vec::with_capacity(lines);
        // Types the rows of `part` (all rows when `None`) onto `rows`.
        let type_rows = |part: Option<&csv_reader::Rows<'_>>, rows: &mut Vec<Row>| {
            let mut push = |raw: &RawRow| {
                rows.push(self.typed_row(raw, &defaults, targets, ratio)?);
                Ok(())
            };
            match part {
                Some(part) => csv_reader::each_row(self, part, &mut push),
                None => self.each_row(push),
            }
        };
        // A name met twice is refused at its second row, before any row after it (and before
        // the error that ended the rows, if any).
        let names = || {
            let mut seen: rustc_hash::FxHashMap<&str, usize> = Default::default();
            seen.reserve(lines);
            seen
        };
        let path = &self.path;
        // A large CSV inventory is typed in two halves at once, the second on another thread;
        // the second half's rows and error count only when the first half has none. The first
        // half's names are checked while the second half is typed.
        let typed = match csv_reader::halves(self) {
            Some([first, second]) => std::thread::scope(|scope| {
                let later = scope.spawn(|| {
                    let mut rows = Vec::with_capacity(lines / 2 + 1);
                    let typed = type_rows(Some(&second), &mut rows);
                    (rows, typed)
                });
                let typed = type_rows(Some(&first), &mut rows);
                let mut seen = names();
                let repeated = first_repeat(&mut seen, &rows, path);
                let (later_rows, later_typed) = later
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                let repeated = match (&repeated, &typed) {
                    (Ok(()), Ok(())) => first_repeat(&mut seen, &later_rows, path),
                    _ => repeated,
                };
                drop(seen);
                repeated?;
                typed.and(later_typed).map(|()| vec![rows, later_rows])
            }),
            None => {
                let typed = type_rows(None, &mut rows);
                first_repeat(&mut names(), &rows, path)?;
                typed.map(|()| vec![rows])
            }
        };
        let parts = typed?;
        if parts.iter().all(Vec::is_empty) {
            return Err(Error::Input {
                place: Place::File {
                    path: self.path.clone(),
                    line: None,
                    field: None,
                },
                message: "has no services; add at least one row".to_string(),
            });
        }
        Ok(parts)
    }
}

/// Typed parts joined in order into the first part's rows.
fn joined(parts: Vec<Vec<Row>>) -> Vec<Row> {
    let mut parts = parts.into_iter();
    let mut rows = parts.next().unwrap_or_default();
    for mut part in parts {
        rows.append(&mut part);
    }
    rows
}

/// Refuses the first of `rows` whose name `seen` holds (each name with its line), adding the
/// others' names to it.
fn first_repeat<'r>(
    seen: &mut rustc_hash::FxHashMap<&'r str, usize>,
    rows: &'r [Row],
    path: &Path,
) -> Result<(), Error> {
    for row in rows {
        if let Some(first) = seen.insert(&row.service, row.service_line) {
            return Err(Error::Input {
                place: Place::file_line(path, row.service_line, "service"),
                message: format!(
                    "'{}' is a duplicate service name (first on line {first}); names must be \
                     unique",
                    row.service
                ),
            });
        }
    }
    Ok(())
}

/// Validates every row into a service: each row typed ([`RawInventory::typed_rows`]), then its
/// image sources read (paths relative to the inventory, or image references) and its sizes put on
/// both bases, `ratio` estimating the basis a row did not give.
pub fn resolve(
    inventory: &RawInventory,
    flags: &FlagDefaults,
    ratio: Ratio,
    targets: &Targets,
    read: &SourceOptions,
) -> Result<Vec<Service>, Error> {
    let directory = inventory
        .path
        .parent()
        .filter(|_| inventory.path.as_os_str() != STDIN)
        .unwrap_or(Path::new(""));
    let parts = inventory.typed_parts(flags, targets, ratio)?;
    let no_sources = RowSources::default();
    // Each row becomes its service where it lies: a service is smaller than a typed row, so the
    // rows' memory holds the services (no second array is allocated and faulted in).
    let services_of = |rows: Vec<Row>| {
        rows.into_iter()
            .map(|row| service_of(row, inventory, directory, ratio, targets, read, &no_sources))
            .collect::<Result<Vec<Service>, Error>>()
    };
    let mut services = match <[Vec<Row>; 2]>::try_from(parts) {
        // Rows that name no files read none: the second part's become services on a second
        // thread. Its error counts only when the first part has none, as in one walk.
        Ok([first, second]) if first.iter().chain(&second).all(|r| r.sources.is_none()) => {
            std::thread::scope(|scope| {
                let later = scope.spawn(|| services_of(second));
                let first = services_of(first);
                let later = later
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                let mut services = first?;
                services.append(&mut later?);
                Ok::<_, Error>(services)
            })?
        }
        Ok(parts) => services_of(joined(parts.into()))?,
        Err(parts) => services_of(joined(parts))?,
    };
    services.shrink_to_fit();
    Ok(services)
}

/// A typed row made a service: its image sources read and its sizes put on both bases.
fn service_of(
    row: Row,
    inventory: &RawInventory,
    directory: &Path,
    ratio: Ratio,
    targets: &Targets,
    read: &SourceOptions,
    no_sources: &RowSources,
) -> Result<Service, Error> {
    let path = &inventory.path;
    let sources = row.sources.as_deref().unwrap_or(no_sources);
    let row_read = match &sources.platform {
        Some(platform) => std::borrow::Cow::Owned(SourceOptions {
            read: ReadOptions {
                platform: platform.clone(),
                ..read.read.clone()
            },
            registry: read.registry.clone(),
            memo: read.memo.clone(),
        }),
        None => std::borrow::Cow::Borrowed(read),
    };
    let image = |field: &str, value: &Option<RawValue>| -> Result<Option<SizedImage>, Error> {
        value
            .as_ref()
            .map(|value| {
                sources::read_sized(
                    Path::new(&value.text),
                    directory,
                    &row_read,
                    ratio,
                    Place::file_line(path, value.line, field),
                )
            })
            .transpose()
    };
    let before_image = image("before_image", &sources.before_image)?;
    let after_image = image("after_image", &sources.after_image)?;
    let Some(before) = before_image.as_ref().map(|i| i.size).or(row.before) else {
        return Err(Error::Input {
            place: Place::file_line(path, row.line, "before"),
            message: format!(
                "service '{}' has no before size; give its size before slimming (e.g. 850MB) \
                 or a before_image",
                row.service
            ),
        });
    };
    let after = after_image.as_ref().map(|image| image.size).or(row.after);
    if after.is_none() && row.runtime.and_then(|r| targets.get(r)).is_none() {
        return Err(Error::Input {
            place: Place::file_line(path, row.line, "after"),
            message: format!(
                "service '{}' has no after size, so it is a plan, but its runtime '{}' has no \
                 size target to project it to; give an after size or one of the runtimes {}",
                row.service,
                row.runtime.unwrap_or("other"),
                targets.accepted_keys().trim_end_matches(", other")
            ),
        });
    }
    let layer_source = |field: &str, value: &Option<RawValue>| {
        image(field, value).map(|sized| sized.map(|sized| Box::new(sized.image)))
    };
    let layering = Layering {
        base_image: layer_source("base_image", &sources.base_image)?,
        before_previous: layer_source("before_prev_image", &sources.before_prev_image)?,
        after_previous: layer_source("after_prev_image", &sources.after_prev_image)?,
        changed_per_deploy: row.changed_per_deploy,
        node_pool: row.node_pool,
        every_node: row.every_node,
    };
    let dockerfile = sources
        .dockerfile
        .as_ref()
        .map(|value| read_dockerfile(path, directory, value))
        .transpose()?;
    Ok(Service {
        name: row.service,
        runtime: row.runtime,
        shape: row.shape,
        basis: row.basis,
        before,
        after,
        budget: row.budget,
        before_image: before_image.map(|i| Box::new(i.image)),
        after_image: after_image.map(|i| Box::new(i.image)),
        layering_given: layering.given(),
        dockerfile: dockerfile.map(Box::new),
    })
}

/// Reads the Dockerfile a row's `dockerfile` cell names (relative to the inventory's directory,
/// bounded as `audit` reads one); refused at the cell, with the Dockerfile's own line and column
/// when it does not parse.
fn read_dockerfile(
    inventory: &Path,
    directory: &Path,
    value: &RawValue,
) -> Result<ServiceDockerfile, Error> {
    let file = directory.join(&value.text);
    let refuse = |why: String| {
        bad(
            inventory,
            value,
            "dockerfile",
            format!(
                "{} {why}; expected the path of the service's Dockerfile, relative to the \
                 inventory, e.g. services/api/Dockerfile",
                values::quote(&value.text)
            ),
        )
    };
    if !file.is_file() {
        return Err(refuse(format!(
            "is not a file ({} does not exist)",
            values::quote(&file.display().to_string())
        )));
    }
    let parsed = super::dockerfile::read(&file).map_err(|error| match error {
        Error::Input { place, message } => refuse(format!("does not parse: {place}: {message}")),
        Error::Read { source, .. } => refuse(format!("cannot be read ({source})")),
        other => other,
    })?;
    let context = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let facts = super::dockerfile::context(context, &file, false)?;
    Ok(ServiceDockerfile {
        path: value.text.clone(),
        display: file.display().to_string(),
        parsed,
        dockerignore: facts.dockerignore,
    })
}

#[cfg(test)]
mod tests;
