//! `report`: every service of an inventory, with the fleet flags as defaults for empty cells
//! (they win over the file's `[defaults]`, as assumption flags win over its `[assumptions]`).
//! `--scale-nodes` and `--scale-deploys` then multiply every row's value: a scenario, which the
//! title names.

use std::path::PathBuf;

use crate::args::{FleetArgs, ReportArgs};
use crate::calc::targets::Targets;
use crate::error::Error;
use crate::input::history as read_history;
use crate::input::inventory::{self, FlagDefaults};
use crate::model::assumptions::Assumptions;
use crate::report::{Command, ServiceTrend, ServiceTrendBuild};
use crate::units::Basis;

use super::publish::{Subject, output_options, publish};
use super::{Environment, assumptions, images};

pub fn run(args: &ReportArgs, environment: &Environment) -> Result<i32, Error> {
    let output = output_options(&args.output, environment)?;
    // Layer entries are read while layers stream, for each image's findings.
    let mut read = images::source_options(&args.image);
    read.read.files = true;
    let Loaded {
        raw,
        assumptions,
        mut services,
        ..
    } = load(
        &args.inventory,
        &args.fleet,
        args.basis,
        &args.assumptions,
        &read,
    )?;
    let scenario = args.scale.apply(&mut services)?;
    let titles = super::publish::scenario_titles(
        "fleetsave: image savings across the fleet",
        "fleetsave: image growth across the fleet",
        scenario.as_deref(),
    );
    let inputs: Vec<PathBuf> = [args.inventory.clone()]
        .into_iter()
        .chain(args.assumptions.file.clone())
        .chain(inventory::image_paths(&raw))
        .collect();
    // The inventory's text is not needed past here: a large one should not be held twice.
    drop(raw);
    let subject = Subject {
        command: Command::Report,
        default_title: &titles.0,
        growth_title: &titles.1,
        services: &services,
        assumptions: &assumptions,
        compare: None,
        gate: None,
        inputs: &inputs,
        trends: match args.history {
            Some(last) => trends(&services, last, &images::source_options(&args.image))?,
            None => Vec::new(),
        },
        burst: Some(&args.burst),
    };
    let published = publish(subject, &output);
    // The run ends here: its services are not freed one by one (see `publish`).
    std::mem::forget(services);
    published
}

/// `--history N`: the last `last` builds of every service whose after image names a registry
/// repository without tag, read as `history` reads them.
fn trends(
    services: &[crate::model::Service],
    last: u64,
    options: &crate::input::sources::SourceOptions,
) -> Result<Vec<ServiceTrend>, Error> {
    let last = usize::try_from(last).unwrap_or(usize::MAX);
    let mut trends = Vec::new();
    for service in services {
        let Some(image) = &service.after_image else {
            continue;
        };
        let Some(reference) = read_history::repository_in(&image.source) else {
            continue;
        };
        let builds =
            read_history::read_repository(&reference, &image.source, &|_| true, last, options)?;
        trends.push(ServiceTrend {
            service: service.name.to_string(),
            repository: image.source.clone(),
            builds: builds
                .into_iter()
                .filter_map(|build| {
                    Some(ServiceTrendBuild {
                        wire_bytes: build.image.wire_bytes()?,
                        created: build.image.created.clone(),
                        tag: build.name,
                    })
                })
                .collect(),
        });
    }
    Ok(trends)
}

/// An inventory read with the fleet flags as defaults and the assumptions in force.
pub(super) struct Loaded {
    pub raw: inventory::RawInventory,
    pub assumptions: Assumptions,
    pub flags: FlagDefaults,
    pub targets: Targets,
    pub services: Vec<crate::model::Service>,
}

/// Reads `path`: its assumptions under the flags', its rows with the fleet flags as defaults
/// (warning of those rows override), their image sources read with `read`.
pub(super) fn load(
    path: &std::path::Path,
    fleet: &FleetArgs,
    basis: Option<Basis>,
    assumption_args: &crate::args::AssumptionArgs,
    read: &crate::input::sources::SourceOptions,
) -> Result<Loaded, Error> {
    let raw = inventory::read(path)?;
    let from_file = raw.assumption_overrides(&Assumptions::defaults()?.profiles)?;
    let assumptions = assumptions::in_force(
        assumption_args,
        from_file
            .as_ref()
            .map(|overrides| (raw.path.as_path(), overrides)),
    )?;
    let flags = flag_defaults(fleet, basis);
    warn_of_overridden_flags(fleet, basis, &raw);
    let targets = Targets::bundled()?;
    let services = inventory::resolve(
        &raw,
        &flags,
        assumptions.compression_ratio.value,
        &targets,
        read,
    )?;
    Ok(Loaded {
        raw,
        assumptions,
        flags,
        targets,
        services,
    })
}

/// The fleet flags as defaults for empty cells.
fn flag_defaults(fleet: &FleetArgs, basis: Option<Basis>) -> FlagDefaults {
    FlagDefaults {
        services: fleet.services,
        nodes: fleet.nodes,
        deploys_per_day: fleet.deploys_per_day,
        basis,
        cluster_nodes: fleet.cluster_nodes,
        pool_nodes: fleet.pool_nodes.clone(),
    }
}

/// Fleet flags are defaults for empty cells: says once on stderr which flags rows override, and
/// in how many rows, so `--nodes 120` is never silently without effect.
fn warn_of_overridden_flags(
    fleet: &FleetArgs,
    basis: Option<Basis>,
    raw: &inventory::RawInventory,
) {
    let given = [
        (
            "--services",
            "services",
            fleet.services.map(|n| n.to_string()),
            None,
        ),
        (
            "--nodes",
            "nodes",
            fleet.nodes.map(|n| n.to_string()),
            Some("--scale-nodes"),
        ),
        (
            "--deploys-per-day",
            "deploys_per_day",
            fleet.deploys_per_day.map(|n| n.to_string()),
            Some("--scale-deploys"),
        ),
        ("--basis", "basis", basis.map(|b| b.to_string()), None),
    ];
    for (flag, field, value, scale) in given {
        let Some(value) = value else { continue };
        let (overriding, rows) = raw.rows_setting(field);
        if overriding > 0 {
            let hint = scale
                .map(|scale| format!(" ({scale} FACTOR multiplies every row's)"))
                .unwrap_or_default();
            eprintln!(
                "warning: {flag} {value} is a default for empty '{field}' cells: {overriding} of \
                 {rows} rows set their own and keep it{hint}"
            );
        }
    }
}
