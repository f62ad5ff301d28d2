//! `targets`: the realistic size targets per runtime.

use crate::args::TargetsArgs;
use crate::calc::targets::Targets;
use crate::error::Error;
use crate::{output, render};

pub fn run(args: &TargetsArgs) -> Result<i32, Error> {
    let targets = Targets::bundled()?;
    let rendered = render::targets::render(&targets, args.format)?;
    output::write(None, rendered.as_bytes())?;
    Ok(0)
}
