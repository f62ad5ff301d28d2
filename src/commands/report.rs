//! `report`: every service of an inventory, with the fleet flags as defaults for empty cells
//! (they win over the file's `[defaults]`, as assumption flags win over its `[assumptions]`).

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
    };
    let services = inventory::resolve(
        &raw,
        &flags,
        assumptions.compression_ratio.value,
        &Targets::bundled()?,
        &images::source_options(&args.image),
    )?;
    let subject = Subject {
        command: Command::Report,
        default_title: "fleetsave: image savings across the fleet",
        services: &services,
        assumptions: &assumptions,
        compare: None,
    };
    publish(subject, &output)
}
