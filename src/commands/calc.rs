//! `calc`: one before/after pair — typed sizes or image sources — across a fleet of identical
//! services.

use std::path::PathBuf;

use crate::args::CalcArgs;
use crate::error::Error;
use crate::input::sources::SourceOptions;
use crate::model::image::Image;
use crate::model::{ImageSize, Layering, Service};
use crate::report::Command;
use crate::units::{Basis, Ratio};

use super::publish::{Subject, output_options, publish};
use super::{Environment, assumptions, images};

pub fn run(args: &CalcArgs, environment: &Environment) -> Result<i32, Error> {
    let output = output_options(&args.output, environment)?;
    let assumptions = assumptions::in_force(&args.assumptions, None)?;
    let ratio = assumptions.compression_ratio.value;
    let read = images::source_options(&args.image);
    let side = Side {
        basis: args.basis,
        ratio,
        read: &read,
    };
    let (before, before_image) = side.size(
        ("--before", args.before),
        ("--before-image", &args.before_image),
    )?;
    let (after, after_image) = side.size(
        ("--after", args.after),
        ("--after-image", &args.after_image),
    )?;
    let mut service = Service {
        name: "image".into(),
        runtime: args.runtime.clone().and_then(|runtime| runtime.0),
        shape: args.fleet.shape()?,
        basis: args.basis,
        before,
        after: Some(after),
        budget: None,
        before_image,
        after_image,
        layering_given: Layering {
            every_node: args.fleet.every_node(),
            ..images::layering(&args.layering, &read, ratio)?
        }
        .given(),
        dockerfile: None,
    };
    let scenario = args.scale.apply(std::slice::from_mut(&mut service))?;
    let titles = super::publish::scenario_titles(
        "fleetsave: what the smaller image saves",
        "fleetsave: what the larger image costs",
        scenario.as_deref(),
    );
    let inputs: Vec<PathBuf> = [
        &args.assumptions.file,
        &args.before_image,
        &args.after_image,
    ]
    .into_iter()
    .flatten()
    .chain(args.layering.sources())
    .cloned()
    .collect();
    let subject = Subject {
        command: Command::Calc,
        default_title: &titles.0,
        growth_title: &titles.1,
        services: std::slice::from_ref(&service),
        assumptions: &assumptions,
        compare: None,
        gate: None,
        inputs: &inputs,
        trends: Vec::new(),
        burst: Some(&args.burst),
    };
    publish(subject, &output)
}

/// How one side (before or after) of `calc` is read.
struct Side<'a> {
    basis: Basis,
    ratio: Ratio,
    read: &'a SourceOptions,
}

impl Side<'_> {
    /// The size typed with the size flag, or read from the image flag's source.
    fn size(
        &self,
        (size_flag, size): (&str, Option<u64>),
        (image_flag, image): (&str, &Option<PathBuf>),
    ) -> Result<(ImageSize, Option<Box<Image>>), Error> {
        match (size, image) {
            (_, Some(path)) => {
                let sized = images::read(image_flag, path, self.read, self.ratio)?;
                Ok((sized.size, Some(Box::new(sized.image))))
            }
            (Some(bytes), None) => Ok((
                images::typed_size(size_flag, bytes, self.basis, self.ratio)?,
                None,
            )),
            (None, None) => Err(Error::flag(
                size_flag,
                format!("is missing; give {size_flag} SIZE or {image_flag} SRC"),
            )),
        }
    }
}
