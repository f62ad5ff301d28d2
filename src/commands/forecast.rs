//! `forecast`: an inventory projected month by month under its scenarios (the file's
//! `[[scenario]]` tables, then each `--scenario`; today's fleet unchanged when there are none),
//! as is, slimmed and with the planned work, with the rollout burst of today's fleet.

use std::path::PathBuf;

use crate::args::ForecastArgs;
use crate::calc::forecast::Scenario;
use crate::error::{Error, Place};
use crate::input::inventory;
use crate::output;
use crate::render;
use crate::report::forecast::{ForecastInput, build};

use super::publish::generated_at;
use super::report::{Loaded, load};
use super::{Environment, images};

pub fn run(args: &ForecastArgs, environment: &Environment) -> Result<i32, Error> {
    let generated_at = generated_at(args.generated_at.as_ref(), environment)?;
    let Loaded {
        raw,
        assumptions,
        flags,
        targets,
        services,
    } = load(
        &args.inventory,
        &args.fleet,
        args.basis,
        &args.assumptions,
        &images::source_options(&args.image),
    )?;
    let cluster = raw.cluster(&flags)?;
    let mut scenarios = Vec::new();
    for (spec, line) in &raw.scenarios {
        scenarios.push(
            Scenario::resolve(spec, cluster.nodes).map_err(|message| Error::Input {
                place: Place::file_line(&raw.path, *line, "scenario"),
                message,
            })?,
        );
    }
    for spec in &args.scenario {
        scenarios.push(
            Scenario::resolve(spec, cluster.nodes)
                .map_err(|message| Error::flag("--scenario", message))?,
        );
    }
    if scenarios.is_empty() {
        scenarios.push(Scenario::steady("today's fleet"));
    }
    let bursts = crate::report::burst::bursts(
        &services,
        &assumptions,
        args.burst.egress_limit.as_ref(),
        args.burst.window,
    );
    let report = build(ForecastInput {
        title: args
            .title
            .clone()
            .unwrap_or_else(|| "fleetsave: the fleet's images over the coming months".to_string()),
        generated_at,
        services: &services,
        assumptions: &assumptions,
        targets: &targets,
        cluster_nodes: cluster.nodes,
        scenarios: &scenarios,
        months: args.months,
        bursts,
    })?;
    let rendered = render::forecast::render(&report, args.format)?;
    let path = args.output.as_deref().filter(|p| p.as_os_str() != "-");
    if let Some(path) = path {
        let inputs: Vec<PathBuf> = [args.inventory.clone()]
            .into_iter()
            .chain(args.assumptions.file.clone())
            .chain(inventory::image_paths(&raw))
            .collect();
        output::refuse_inputs("--output", path, &inputs)?;
    }
    output::write(path, rendered.as_bytes())?;
    Ok(0)
}
