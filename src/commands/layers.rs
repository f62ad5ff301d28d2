//! `layers`: each layer of one image — bytes, the step that made it, share, fleet cost under
//! full pulls — and the image's waste as dive counts it, from the tar entries read while every
//! layer is streamed (nothing extracted).

use std::path::Path;
use std::sync::Arc;

use crate::args::{FleetArgs, LayersArgs};
use crate::calc::waste::Prebuilt;
use crate::error::{Error, Place};
use crate::input::sources;
use crate::model::assumptions::Assumptions;
use crate::report::layers::{FleetInput, LayersReport};
use crate::{output, render};

use super::{assumptions, images};

pub fn run(args: &LayersArgs) -> Result<i32, Error> {
    let mut read = images::source_options(&args.image);
    read.read.files = true;
    // Each layer's tree is made as its entries are read, on the thread walking them.
    let prebuilt = Prebuilt::default();
    read.read.watch = Some(Arc::new(prebuilt.clone()));
    let image = sources::read(&args.source, Path::new(""), &read, &Place::flag("SRC"))?;
    let base = match &args.base_image {
        Some(path) => {
            let plain = images::source_options(&args.image);
            Some(sources::read(
                path,
                Path::new(""),
                &plain,
                &Place::flag("--base-image"),
            )?)
        }
        None => None,
    };
    let assumptions = assumptions::in_force(&args.assumptions, None)?;
    let fleet = fleet_input(&args.fleet, &assumptions)?;
    let mut report = LayersReport::new(&image, fleet, base.as_ref(), Some(&prebuilt))?;
    if report.findings.waste.is_none() {
        report.notes.push(
            "no waste figures and no leftovers: not every layer's tar entries could be read (a manifest or \
             registry source without --disk, or a layer that is not a tar)"
                .to_string(),
        );
    }
    let rendered = render::layers::render(&report, args.format)?;
    let path = args.output.as_deref().filter(|p| p.as_os_str() != "-");
    if let Some(path) = path {
        let inputs: Vec<_> = std::iter::once(&args.source)
            .chain(&args.base_image)
            .chain(&args.assumptions.file)
            .cloned()
            .collect();
        output::refuse_inputs("--output", path, &inputs)?;
    }
    output::write(path, rendered.as_bytes())?;
    super::left_to_exit((image, base, report, prebuilt));
    Ok(0)
}

/// The fleet the fleet flags describe, with `assumptions`; `None` when no fleet flag is given.
pub(super) fn fleet_input(
    given: &FleetArgs,
    assumptions: &Assumptions,
) -> Result<Option<FleetInput>, Error> {
    if given.services.is_none() && given.nodes.is_none() && given.deploys_per_day.is_none() {
        return Ok(None);
    }
    Ok(Some(FleetInput {
        shape: given.shape()?,
        assumptions: assumptions.clone(),
    }))
}
