//! `compare`: moving from one real image to another across a fleet, and the layers they share.

use crate::args::CompareArgs;
use crate::calc::layers;
use crate::error::Error;
use crate::model::Service;
use crate::report::{Command, CompareView};
use crate::units::Basis;

use super::publish::{Subject, output_options, publish};
use super::{Environment, assumptions, images};

pub fn run(args: &CompareArgs, environment: &Environment) -> Result<i32, Error> {
    let output = output_options(&args.output, environment)?;
    let assumptions = assumptions::in_force(&args.assumptions, None)?;
    let ratio = assumptions.compression_ratio.value;
    let read = images::source_options(&args.image);
    let before = images::read("BEFORE_SRC", &args.before, &read, ratio)?;
    let after = images::read("AFTER_SRC", &args.after, &read, ratio)?;
    let shape = args.fleet.shape();
    let shared = layers::compare(&before.image, &after.image);
    let comparison = CompareView {
        before_source: before.image.source.clone(),
        after_source: after.image.source.clone(),
        shared_layers: shared.shared_layers,
        shared_wire_bytes: shared.shared_wire_bytes,
        pull_wire_bytes_per_node: shared.pull_wire_bytes_per_node,
        pull_wire_bytes_all_nodes: u128::from(shared.pull_wire_bytes_per_node)
            * u128::from(shape.nodes),
        nodes: shape.nodes,
    };
    let service = Service {
        name: args
            .after
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "image".to_string()),
        runtime: args.runtime.clone().and_then(|runtime| runtime.0),
        shape,
        basis: Basis::Wire,
        before: before.size,
        after: Some(after.size),
        budget: None,
        before_image: Some(Box::new(before.image)),
        after_image: Some(Box::new(after.image)),
        layering: images::layering(&args.layering, &read, ratio)?,
    };
    let subject = Subject {
        command: Command::Compare,
        default_title: "fleetsave: what the new image saves",
        growth_title: "fleetsave: what the new image adds",
        services: std::slice::from_ref(&service),
        assumptions: &assumptions,
        compare: Some(comparison),
    };
    publish(subject, &output)
}
