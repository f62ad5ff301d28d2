//! `compare`: moving from one real image to another across a fleet — the two images side by
//! side, the layers they share and change, what the fleet moves — and, with budgets or growth
//! limits, the gate's verdict on the new image (exit 1 when a fail-level rule breaks).

use std::path::PathBuf;

use crate::args::CompareArgs;
use crate::calc::gate::Status;
use crate::calc::layers;
use crate::calc::targets::Targets;
use crate::error::Error;
use crate::model::Service;
use crate::report::check::{self, CheckReport, Gate, Subject as GateSubject};
use crate::report::{Command, CompareView, ImageSummary, LayerChange};
use crate::units::Basis;

use super::publish::{Subject, output_options, publish};
use super::{Environment, assumptions, images};

pub fn run(args: &CompareArgs, environment: &Environment) -> Result<i32, Error> {
    let output = output_options(&args.output, environment)?;
    let assumptions = assumptions::in_force(&args.assumptions, None)?;
    let ratio = assumptions.compression_ratio.value;
    // Layer entries are read while layers stream, for the images' findings.
    let mut read = images::source_options(&args.image);
    read.read.files = true;
    let before = images::read("BEFORE_SRC", &args.before, &read, ratio)?;
    let after = images::read("AFTER_SRC", &args.after, &read, ratio)?;
    let shape = args.fleet.shape()?;
    let shared = layers::compare(&before.image, &after.image);
    let name_of =
        |name: &Option<String>, source: &str| name.clone().unwrap_or_else(|| source.to_string());
    let comparison = CompareView {
        before_source: before.image.source.clone(),
        after_source: after.image.source.clone(),
        shared_layers: shared.shared_layers,
        shared_wire_bytes: shared.shared_wire_bytes,
        pull_wire_bytes_per_node: shared.pull_wire_bytes_per_node,
        pull_wire_bytes_all_nodes: u128::from(shared.pull_wire_bytes_per_node)
            * u128::from(shape.nodes),
        nodes: shape.nodes,
        before_image: ImageSummary::of(
            name_of(&args.before_name, &before.image.source),
            &before.image,
            &before.size,
        ),
        after_image: ImageSummary::of(
            name_of(&args.name, &after.image.source),
            &after.image,
            &after.size,
        ),
        added_layers: LayerChange::list(&shared.added),
        removed_layers: LayerChange::list(&shared.removed),
    };
    let runtime = args.runtime.clone().and_then(|runtime| runtime.0);
    let service_name = args.name.clone().unwrap_or_else(|| {
        args.after
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "image".to_string())
    });
    let gate = gate(args, &service_name, &runtime, &before.size, &after.size)?;
    let failed = gate
        .as_ref()
        .is_some_and(|gate| gate.status == Status::Fail);
    let service = Service {
        name: service_name.into(),
        runtime,
        shape,
        basis: Basis::Wire,
        before: before.size,
        after: Some(after.size),
        budget: None,
        before_image: Some(Box::new(before.image)),
        after_image: Some(Box::new(after.image)),
        layering_given: images::layering(&args.layering, &read, ratio)?.given(),
        dockerfile: None,
    };
    let inputs: Vec<PathBuf> = [&args.before, &args.after]
        .into_iter()
        .chain(&args.assumptions.file)
        .chain(args.layering.sources())
        .cloned()
        .collect();
    let subject = Subject {
        command: Command::Compare,
        default_title: "fleetsave: what the new image saves",
        growth_title: "fleetsave: what the new image adds",
        services: std::slice::from_ref(&service),
        assumptions: &assumptions,
        compare: Some(comparison),
        gate,
        inputs: &inputs,
        trends: Vec::new(),
        burst: None,
    };
    publish(subject, &output)?;
    Ok(if failed { 1 } else { 0 })
}

/// The gate's verdict on the new image, its baseline the old one; `None` without rules.
fn gate(
    args: &CompareArgs,
    name: &str,
    runtime: &Option<crate::model::RuntimeKey>,
    before: &crate::model::ImageSize,
    after: &crate::model::ImageSize,
) -> Result<Option<CheckReport>, Error> {
    if !args.gate.any() {
        return Ok(None);
    }
    let subject = GateSubject {
        name: name.to_string(),
        image: *after,
        runtime: *runtime,
        fail_budget: args.gate.budget,
        warn_budget: args.gate.warn_budget,
        baseline: Some(*before),
    };
    let gate = Gate {
        basis: None,
        max_growth: args.gate.max_growth,
        warn_growth: args.gate.warn_growth,
        warn_only: args.gate.warn_only,
    };
    check::check(&[subject], &gate, &Targets::bundled()?).map(Some)
}
