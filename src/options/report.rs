//! `report`: the inventory read and validated, with fleet flags as defaults for empty cells.

use std::path::Path;

use crate::assumptions::{Assumptions, Overrides};
use crate::calc::targets::Targets;
use crate::cli::ReportArgs;
use crate::error::Error;
use crate::input::inventory::{self, FlagDefaults};
use crate::model::Service;

use super::{OutputOptions, assumptions, basis, output, parse_count, read_options};

/// Everything `report` needs.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub services: Vec<Service>,
    pub assumptions: Assumptions,
    pub output: OutputOptions,
}

/// Validates `report`'s flags and reads its inventory. Fleet flags are defaults for empty cells
/// and win over the file's `[defaults]`; assumption flags win over its `[assumptions]`.
pub fn report(
    args: &ReportArgs,
    targets: &Targets,
    source_date_epoch: Option<&str>,
) -> Result<ReportOptions, Error> {
    let read_count = |flag: &str, value: &Option<String>| {
        value
            .as_deref()
            .map(|text| parse_count(flag, text))
            .transpose()
    };
    let flags = FlagDefaults {
        services: read_count("--services", &args.fleet.services)?,
        nodes: read_count("--nodes", &args.fleet.nodes)?,
        deploys_per_day: read_count("--deploys-per-day", &args.fleet.deploys_per_day)?,
        basis: args
            .basis
            .as_deref()
            .map(|text| basis("--basis", text))
            .transpose()?,
    };
    let output = output(&args.output, source_date_epoch)?;
    let raw = inventory::read(&args.inventory)?;
    let defaults = Assumptions::defaults()?;
    let file_layers: Vec<(&Path, Overrides)> = raw
        .assumption_overrides(&defaults)?
        .map(|overrides| (raw.path.as_path(), overrides))
        .into_iter()
        .collect();
    let assumptions = assumptions(&args.assumptions, &file_layers)?;
    let read = read_options(&args.image)?;
    let services = inventory::resolve(
        &raw,
        &flags,
        assumptions.compression_ratio.value,
        targets,
        &read,
    )?;
    Ok(ReportOptions {
        services,
        assumptions,
        output,
    })
}
