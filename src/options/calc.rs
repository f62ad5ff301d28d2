//! `calc`: before and after as sizes or image sources, and the layer-aware model's inputs.

use std::path::{Path, PathBuf};

use crate::assumptions::Assumptions;
use crate::calc::targets::Targets;
use crate::cli::{CalcArgs, LayeringArgs};
use crate::error::{Error, Place};
use crate::input::sources::{self, SourceOptions};
use crate::model::ChangedPerDeploy;
use crate::model::{FleetShape, Layering, Service};
use crate::units::Ratio;

use super::{
    OutputOptions, assumptions, basis, fleet_shape, output, read_options, runtime, typed_size,
};

/// Everything `calc` needs.
#[derive(Debug, Clone)]
pub struct CalcOptions {
    pub service: Service,
    pub assumptions: Assumptions,
    pub output: OutputOptions,
}

/// Validates `calc`'s flags.
pub fn calc(
    args: &CalcArgs,
    targets: &Targets,
    source_date_epoch: Option<&str>,
) -> Result<CalcOptions, Error> {
    let shape = fleet_shape(&args.fleet, FleetShape::default())?;
    let basis = basis("--basis", &args.basis)?;
    let runtime = runtime("--runtime", args.runtime.as_deref(), targets)?;
    let assumptions = assumptions(&args.assumptions, &[])?;
    let output = output(&args.output, source_date_epoch)?;
    let ratio = assumptions.compression_ratio.value;
    let read = read_options(&args.image)?;
    let side = |size_flag: &str,
                size: &Option<String>,
                image_flag: &str,
                image: &Option<PathBuf>| match (size, image) {
        (_, Some(path)) => {
            let sized =
                sources::read_sized(path, Path::new(""), &read, ratio, Place::flag(image_flag))?;
            Ok((sized.size, Some(Box::new(sized.image))))
        }
        (Some(text), None) => Ok((typed_size(size_flag, text, basis, ratio)?, None)),
        (None, None) => Err(Error::flag(
            size_flag,
            format!("is missing; give {size_flag} SIZE or {image_flag} SRC"),
        )),
    };
    let (before, before_image) = side(
        "--before",
        &args.before,
        "--before-image",
        &args.before_image,
    )?;
    let (after, after_image) = side("--after", &args.after, "--after-image", &args.after_image)?;
    Ok(CalcOptions {
        service: Service {
            name: "image".to_string(),
            runtime,
            shape,
            basis,
            before,
            after: Some(after),
            budget: None,
            before_image,
            after_image,
            layering: layering(&args.layering, &read, ratio)?,
        },
        assumptions,
        output,
    })
}

/// The layer-aware model's inputs from flags.
pub(super) fn layering(
    args: &LayeringArgs,
    read: &SourceOptions,
    ratio: Ratio,
) -> Result<Layering, Error> {
    let source = |flag: &str, path: &Option<PathBuf>| {
        path.as_deref()
            .map(|path| {
                sources::read_sized(path, Path::new(""), read, ratio, Place::flag(flag))
                    .map(|s| Box::new(s.image))
            })
            .transpose()
    };
    Ok(Layering {
        base_image: source("--base-image", &args.base_image)?,
        before_previous: source("--before-prev-image", &args.before_prev_image)?,
        after_previous: source("--after-prev-image", &args.after_prev_image)?,
        changed_per_deploy: args
            .changed_per_deploy
            .as_deref()
            .map(|text| {
                ChangedPerDeploy::parse(text).ok_or_else(|| {
                    Error::flag(
                        "--changed-per-deploy",
                        format!(
                            "'{text}' is not accepted; expected {}",
                            ChangedPerDeploy::ACCEPTED
                        ),
                    )
                })
            })
            .transpose()?,
        node_pool: None,
    })
}
