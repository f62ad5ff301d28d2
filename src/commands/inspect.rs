//! `inspect`: what each image source holds — kind, platform, both sizes (measured or estimated),
//! the layers and the reader's notes.

use std::path::Path;

use crate::args::InspectArgs;
use crate::error::{Error, Place};
use crate::input::sources;
use crate::model::ImageSize;
use crate::model::assumptions::Assumptions;
use crate::report::inspect::InspectReport;
use crate::{output, render};

use super::images;

pub fn run(args: &InspectArgs) -> Result<i32, Error> {
    let ratio = match args.compression_ratio {
        Some(ratio) => ratio,
        None => Assumptions::defaults()?.compression_ratio.value,
    };
    let read = images::source_options(&args.image);
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
            Ok((image, size))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let report = InspectReport::new(images, ratio);
    let rendered = render::inspect::render(&report, args.format)?;
    let path = args.output.as_deref().filter(|p| p.as_os_str() != "-");
    if let Some(path) = path {
        output::refuse_inputs("--output", path, &args.sources)?;
    }
    output::write(path, rendered.as_bytes())?;
    Ok(0)
}
