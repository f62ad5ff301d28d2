//! `report`: every service of an inventory, with the fleet flags as defaults for empty cells
//! (they win over the file's `[defaults]`, as assumption flags win over its `[assumptions]`).
//! `--scale-nodes` and `--scale-deploys` then multiply every row's value: a scenario, which the
//! title names.

use std::path::PathBuf;

use crate::args::ReportArgs;
use crate::calc::targets::Targets;
use crate::error::Error;
use crate::input::inventory::{self, FlagDefaults};
use crate::model::assumptions::Assumptions;
use crate::report::Command;

use super::publish::{Subject, output_options, publish};
use super::{Environment, assumptions, images};

pub fn run(args: &ReportArgs, environment: &Environment) -> Result<i32, Error> {
    let output = output_options(&args.output, environment)?;
    let raw = inventory::read(&args.inventory)?;
    let from_file = raw.assumption_overrides(&Assumptions::defaults()?.profiles)?;
    let assumptions = assumptions::in_force(
        &args.assumptions,
        from_file
            .as_ref()
            .map(|overrides| (raw.path.as_path(), overrides)),
    )?;
    let flags = FlagDefaults {
        services: args.fleet.services,
        nodes: args.fleet.nodes,
        deploys_per_day: args.fleet.deploys_per_day,
        basis: args.basis,
        cluster_nodes: args.fleet.cluster_nodes,
        pool_nodes: args.fleet.pool_nodes.clone(),
    };
    warn_of_overridden_flags(args, &raw);
    let mut services = inventory::resolve(
        &raw,
        &flags,
        assumptions.compression_ratio.value,
        &Targets::bundled()?,
        &images::source_options(&args.image),
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
    let subject = Subject {
        command: Command::Report,
        default_title: &titles.0,
        growth_title: &titles.1,
        services: &services,
        assumptions: &assumptions,
        compare: None,
        gate: None,
        inputs: &inputs,
        burst: Some(&args.burst),
    };
    publish(subject, &output)
}

/// Fleet flags are defaults for empty cells: says once on stderr which flags rows override, and
/// in how many rows, so `--nodes 120` is never silently without effect.
fn warn_of_overridden_flags(args: &ReportArgs, raw: &inventory::RawInventory) {
    let given = [
        (
            "--services",
            "services",
            args.fleet.services.map(|n| n.to_string()),
            None,
        ),
        (
            "--nodes",
            "nodes",
            args.fleet.nodes.map(|n| n.to_string()),
            Some("--scale-nodes"),
        ),
        (
            "--deploys-per-day",
            "deploys_per_day",
            args.fleet.deploys_per_day.map(|n| n.to_string()),
            Some("--scale-deploys"),
        ),
        ("--basis", "basis", args.basis.map(|b| b.to_string()), None),
    ];
    for (flag, field, value, scale) in given {
        let Some(value) = value else { continue };
        let overriding = raw.rows_setting(field);
        if overriding > 0 {
            let hint = scale
                .map(|scale| format!(" ({scale} FACTOR multiplies every row's)"))
                .unwrap_or_default();
            eprintln!(
                "warning: {flag} {value} is a default for empty '{field}' cells: {overriding} of \
                 {} rows set their own and keep it{hint}",
                raw.rows.len()
            );
        }
    }
}
