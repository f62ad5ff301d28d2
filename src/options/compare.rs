//! `compare` and `inspect`: the commands that read image sources only.

use std::path::Path;

use crate::assumptions::Assumptions;
use crate::calc::targets::Targets;
use crate::cli::{CompareArgs, InspectArgs};
use crate::error::{Error, Place};
use crate::input::sources::{self, SizedImage};
use crate::model::{FleetShape, ImageSize, Service};
use crate::report::CompareView;
use crate::units::{Basis, Ratio};

use super::calc::layering;
use super::{OutputOptions, assumptions, fleet_shape, output, read_options, runtime};

/// Everything `compare` needs.
#[derive(Debug, Clone)]
pub struct CompareOptions {
    pub service: Service,
    pub comparison: CompareView,
    pub assumptions: Assumptions,
    pub output: OutputOptions,
}

/// Reads both images of `compare` and compares their layers.
pub fn compare(
    args: &CompareArgs,
    targets: &Targets,
    source_date_epoch: Option<&str>,
) -> Result<CompareOptions, Error> {
    let shape = fleet_shape(&args.fleet, FleetShape::default())?;
    let runtime = runtime("--runtime", args.runtime.as_deref(), targets)?;
    let assumptions = assumptions(&args.assumptions, &[])?;
    let output = output(&args.output, source_date_epoch)?;
    let ratio = assumptions.compression_ratio.value;
    let read = read_options(&args.image)?;
    let here = Path::new("");
    let before = sources::read_sized(&args.before, here, &read, ratio, Place::flag("BEFORE_SRC"))?;
    let after = sources::read_sized(&args.after, here, &read, ratio, Place::flag("AFTER_SRC"))?;
    let layers = crate::calc::layers::compare(&before.image, &after.image);
    let per_node = layers.pull_wire_bytes_per_node;
    let comparison = CompareView {
        before_source: before.image.source.clone(),
        after_source: after.image.source.clone(),
        shared_layers: layers.shared_layers,
        shared_wire_bytes: layers.shared_wire_bytes,
        pull_wire_bytes_per_node: per_node,
        pull_wire_bytes_all_nodes: u128::from(per_node) * u128::from(shape.nodes),
        nodes: shape.nodes,
    };
    let name = args
        .after
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "image".to_string());
    Ok(CompareOptions {
        service: Service {
            name,
            runtime,
            shape,
            basis: Basis::Wire,
            before: before.size,
            after: Some(after.size),
            budget: None,
            before_image: Some(Box::new(before.image)),
            after_image: Some(Box::new(after.image)),
            layering: layering(&args.layering, &read, ratio)?,
        },
        comparison,
        assumptions,
        output,
    })
}

/// Reads every source of `inspect`; returns the images and the compression ratio used.
pub fn inspect(args: &InspectArgs) -> Result<(Vec<SizedImage>, Ratio), Error> {
    let ratio = match &args.compression_ratio {
        Some(text) => {
            Ratio::parse(text).map_err(|e| Error::flag("--compression-ratio", e.to_string()))?
        }
        None => Assumptions::defaults()?.compression_ratio.value,
    };
    let read = read_options(&args.image)?;
    let images = args
        .sources
        .iter()
        .map(|path| {
            let image = sources::read(path, Path::new(""), &read, &Place::flag("SRC"))?;
            let size = sources::size_of(&image, ratio).unwrap_or(ImageSize {
                disk_bytes: 0,
                wire_bytes: 0,
                disk_estimated: true,
                wire_estimated: true,
            });
            Ok(SizedImage { image, size })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok((images, ratio))
}
