//! Fleet inventories (SPEC §5): many services, each with its own sizes, runtime, node count and
//! deploy rate, read from CSV or TOML. Both readers produce the same [`RawInventory`] — every
//! value as text with the line it came from — and [`resolve`] turns it into validated
//! [`Service`]s, so the two formats share one set of rules and messages.
//!
//! Empty cells fall back to the defaults: a flag given to `report`, else the TOML `[defaults]`
//! table, else 1 (counts) / `disk` (basis).

mod csv_reader;
mod toml_reader;

use std::path::{Path, PathBuf};

use super::image::{Platform, ReadOptions};
use super::sources::{self, SizedImage, SourceOptions};

use crate::assumptions::{AssumptionsTable, Overrides};
use crate::calc::layered::ChangedPerDeploy;
use crate::calc::targets::Targets;
use crate::error::{Error, Place};
use crate::layers::Image;
use crate::model::{Budget, FleetShape, ImageSize, Layering, Service};
use crate::units::{self, Basis, Ratio};

/// Every column (CSV) or key (TOML `[[service]]`) an inventory row may have.
pub const KNOWN_FIELDS: &[&str] = &[
    "service",
    "before",
    "after",
    "runtime",
    "services",
    "nodes",
    "deploys_per_day",
    "basis",
    "before_image",
    "after_image",
    "platform",
    "budget",
    "base_image",
    "before_prev_image",
    "after_prev_image",
    "changed_per_deploy",
    "node_pool",
];

/// The keys of the TOML `[defaults]` table.
pub const DEFAULT_FIELDS: &[&str] = &[
    "services",
    "nodes",
    "deploys_per_day",
    "basis",
    "runtime",
    "platform",
];

/// One value as written, with the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawValue {
    pub text: String,
    pub line: usize,
}

/// One row as written: (field, value) pairs, fields from [`KNOWN_FIELDS`] or
/// [`DEFAULT_FIELDS`]. Empty values are absent. (A short vector, not a map: rows have a handful
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
pub fn known_field(known: &[&'static str], name: &str) -> Option<&'static str> {
    known
        .iter()
        .copied()
        .find(|field| field.eq_ignore_ascii_case(name))
}

/// An inventory as read, before validation.
#[derive(Debug, Default)]
pub struct RawInventory {
    /// The file name for messages (`<stdin>` for `-`).
    pub path: PathBuf,
    /// The whole text, for line numbers of the assumptions table.
    pub text: String,
    pub rows: Vec<RawRow>,
    /// TOML `[defaults]`.
    pub defaults: RawRow,
    /// TOML `[assumptions]`.
    pub assumptions: Option<AssumptionsTable>,
}

impl RawInventory {
    /// The assumption overrides of the inventory file, validated.
    pub fn assumption_overrides(
        &self,
        known: &crate::assumptions::Assumptions,
    ) -> Result<Option<Overrides>, Error> {
        self.assumptions
            .as_ref()
            .map(|table| table.validate(&self.text, &self.path, known))
            .transpose()
    }
}

/// Reads an inventory file: TOML when the name ends in `.toml`, CSV otherwise; `-` is CSV on
/// standard input.
pub fn read(path: &Path) -> Result<RawInventory, Error> {
    let stdin = path.as_os_str() == "-";
    let label = if stdin {
        PathBuf::from("<stdin>")
    } else {
        path.to_path_buf()
    };
    let read_error = |source| Error::Read {
        path: label.clone(),
        source,
    };
    // Capped whatever the source: a pipe or standard input has no length to check first.
    let cap = super::MAX_INVENTORY_BYTES;
    let bytes = if stdin {
        super::read_capped(std::io::stdin().lock(), cap)
    } else {
        std::fs::File::open(path).and_then(|file| super::read_capped(file, cap))
    }
    .map_err(read_error)?;
    let place = Place::File {
        path: label.clone(),
        line: None,
        field: None,
    };
    let Some(bytes) = bytes else {
        return Err(Error::Input {
            place,
            message: format!(
                "is larger than {cap} bytes, the most fleetsave reads as an inventory \
                 (MAX_INVENTORY_BYTES)"
            ),
        });
    };
    let text = String::from_utf8(bytes).map_err(|e| Error::Input {
        place,
        message: format!(
            "is not UTF-8 text (bad byte at offset {}); save the inventory as UTF-8",
            e.utf8_error().valid_up_to()
        ),
    })?;
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
    pub nodes: Option<u64>,
    pub deploys_per_day: Option<u64>,
    pub basis: Option<Basis>,
}

/// A failure at a row's field.
fn bad(path: &Path, value: &RawValue, field: &str, message: String) -> Error {
    Error::Input {
        place: Place::file_line(path, value.line, field),
        message,
    }
}

fn parse_count_at(path: &Path, field: &str, value: &RawValue) -> Result<u64, Error> {
    crate::options::parse_count(field, &value.text).map_err(|error| match error {
        Error::Input { message, .. } => bad(
            path,
            value,
            field,
            message.replace(&format!("e.g. {field} 10"), &format!("e.g. {field} = 10")),
        ),
        other => other,
    })
}

fn parse_basis_at(path: &Path, value: &RawValue) -> Result<Basis, Error> {
    Basis::parse(&value.text).ok_or_else(|| {
        bad(
            path,
            value,
            "basis",
            format!(
                "'{}' is not a basis; expected {}",
                value.text,
                Basis::ACCEPTED
            ),
        )
    })
}

/// The fleet defaults of the file's `[defaults]` table under the flags.
fn effective_defaults(
    inventory: &RawInventory,
    flags: &FlagDefaults,
    targets: &Targets,
) -> Result<(FleetShape, Basis, Option<String>), Error> {
    let path = &inventory.path;
    let file = &inventory.defaults;
    let count = |field: &str, flag: Option<u64>| -> Result<u64, Error> {
        match (flag, file.get(field)) {
            (Some(value), _) => Ok(value),
            (None, Some(value)) => parse_count_at(path, field, value),
            (None, None) => Ok(1),
        }
    };
    let shape = FleetShape {
        services: count("services", flags.services)?,
        nodes: count("nodes", flags.nodes)?,
        deploys_per_day: count("deploys_per_day", flags.deploys_per_day)?,
    };
    let basis = match (flags.basis, file.get("basis")) {
        (Some(basis), _) => basis,
        (None, Some(value)) => parse_basis_at(path, value)?,
        (None, None) => Basis::Disk,
    };
    let runtime = match file.get("runtime") {
        Some(value) => targets
            .resolve(&value.text)
            .map_err(|message| bad(path, value, "runtime", message))?,
        None => None,
    };
    Ok((shape, basis, runtime))
}

/// Validates every row into a service. `ratio` estimates the basis a row did not give; `read`
/// says how to read the `before_image`/`after_image` sources (paths relative to the inventory, or
/// image references).
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
        .filter(|_| inventory.path.as_os_str() != "<stdin>")
        .unwrap_or(Path::new(""));
    let path = &inventory.path;
    let (default_shape, default_basis, default_runtime) =
        effective_defaults(inventory, flags, targets)?;
    let mut seen: rustc_hash::FxHashMap<&str, usize> = Default::default();
    let mut services = Vec::with_capacity(inventory.rows.len());
    for row in &inventory.rows {
        let Some(name) = row.get("service") else {
            return Err(Error::Input {
                place: Place::file_line(path, row.line, "service"),
                message: "is empty; every row needs a service name".to_string(),
            });
        };
        if let Some(first) = seen.insert(name.text.as_str(), name.line) {
            return Err(bad(
                path,
                name,
                "service",
                format!(
                    "'{}' is a duplicate service name (first on line {first}); names must be unique",
                    name.text
                ),
            ));
        }
        let count = |field: &str, default: u64| match row.get(field) {
            Some(value) => parse_count_at(path, field, value),
            None => Ok(default),
        };
        let shape = FleetShape {
            services: count("services", default_shape.services)?,
            nodes: count("nodes", default_shape.nodes)?,
            deploys_per_day: count("deploys_per_day", default_shape.deploys_per_day)?,
        };
        let basis = match row.get("basis") {
            Some(value) => parse_basis_at(path, value)?,
            None => default_basis,
        };
        let runtime = match row.get("runtime") {
            Some(value) => targets
                .resolve(&value.text)
                .map_err(|message| bad(path, value, "runtime", message))?,
            None => default_runtime.clone(),
        };
        let size = |field: &str| -> Result<Option<ImageSize>, Error> {
            let Some(value) = row.get(field) else {
                return Ok(None);
            };
            let bytes = units::parse_size(&value.text)
                .map_err(|e| bad(path, value, field, e.to_string()))?;
            ImageSize::typed(bytes, basis, ratio)
                .map(Some)
                .ok_or_else(|| {
                    bad(
                        path,
                        value,
                        field,
                        format!("'{}' is too large to estimate a disk size from", value.text),
                    )
                })
        };
        let row_read = match row.get("platform") {
            Some(value) => SourceOptions {
                read: ReadOptions {
                    platform: Platform::parse(&value.text)
                        .map_err(|message| bad(path, value, "platform", message))?,
                    ..read.read.clone()
                },
                registry: read.registry.clone(),
            },
            None => read.clone(),
        };
        let image = |field: &str, size_field: &str| -> Result<Option<SizedImage>, Error> {
            let Some(value) = row.get(field) else {
                return Ok(None);
            };
            if row.get(size_field).is_some() {
                return Err(bad(
                    path,
                    value,
                    field,
                    format!("'{}': give {size_field} or {field}, not both", value.text),
                ));
            }
            sources::read_sized(
                Path::new(&value.text),
                directory,
                &row_read,
                ratio,
                Place::file_line(path, value.line, field),
            )
            .map(Some)
        };
        let before_image = image("before_image", "before")?;
        let after_image = image("after_image", "after")?;
        let Some(before) = before_image.as_ref().map(|i| i.size).or(size("before")?) else {
            return Err(Error::Input {
                place: Place::file_line(path, row.line, "before"),
                message: format!(
                    "service '{}' has no before size; give its size before slimming (e.g. 850MB) \
                     or a before_image",
                    name.text
                ),
            });
        };
        let after = match &after_image {
            Some(image) => Some(image.size),
            None => size("after")?,
        };
        if after.is_none() {
            let has_target = runtime.as_deref().and_then(|r| targets.get(r)).is_some();
            if !has_target {
                return Err(Error::Input {
                    place: Place::file_line(path, row.line, "after"),
                    message: format!(
                        "service '{}' has no after size, so it is a plan, but its runtime '{}' has \
                         no size target to project it to; give an after size or one of the \
                         runtimes {}",
                        name.text,
                        runtime.as_deref().unwrap_or("other"),
                        targets.accepted_keys().trim_end_matches(", other")
                    ),
                });
            }
        }
        let budget = match row.get("budget") {
            None => None,
            Some(value) if value.text.eq_ignore_ascii_case("target") => Some(Budget::Target),
            Some(value) => Some(Budget::Bytes(units::parse_size(&value.text).map_err(
                |e| {
                    bad(
                        path,
                        value,
                        "budget",
                        format!("{e}; or 'target' for the runtime target's high end"),
                    )
                },
            )?)),
        };
        let source = |field: &str| -> Result<Option<Box<Image>>, Error> {
            row.get(field)
                .map(|value| {
                    sources::read_sized(
                        Path::new(&value.text),
                        directory,
                        &row_read,
                        ratio,
                        Place::file_line(path, value.line, field),
                    )
                    .map(|sized| Box::new(sized.image))
                })
                .transpose()
        };
        let layering = Layering {
            base_image: source("base_image")?,
            before_previous: source("before_prev_image")?,
            after_previous: source("after_prev_image")?,
            changed_per_deploy: row
                .get("changed_per_deploy")
                .map(|value| {
                    ChangedPerDeploy::parse(&value.text).ok_or_else(|| {
                        bad(
                            path,
                            value,
                            "changed_per_deploy",
                            format!(
                                "'{}' is not accepted; expected {}",
                                value.text,
                                ChangedPerDeploy::ACCEPTED
                            ),
                        )
                    })
                })
                .transpose()?,
            node_pool: row.get("node_pool").map(|value| value.text.clone()),
        };
        services.push(Service {
            name: name.text.clone(),
            runtime,
            shape,
            basis,
            before,
            after,
            budget,
            before_image: before_image.map(|i| Box::new(i.image)),
            after_image: after_image.map(|i| Box::new(i.image)),
            layering,
        });
    }
    if services.is_empty() {
        return Err(Error::Input {
            place: Place::File {
                path: path.clone(),
                line: None,
                field: None,
            },
            message: "has no services; add at least one row".to_string(),
        });
    }
    Ok(services)
}

/// `unknown column 'x'; known columns: service, before, …`.
pub fn unknown_field_message(kind: &str, name: &str, known: &[&str]) -> String {
    format!(
        "unknown {kind} '{name}'; known {kind}s: {}",
        known.join(", ")
    )
}
