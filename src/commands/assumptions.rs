//! The assumptions in force: the bundled defaults, then an inventory's `[assumptions]` table,
//! then the `--assumptions` file, then the flags — each later layer wins, and every value keeps
//! where it came from.

use std::path::Path;

use crate::args::AssumptionArgs;
use crate::error::Error;
use crate::input::assumptions::read_file;
use crate::model::assumptions::{Assumptions, Origin, Overrides};

/// The assumptions in force; `inventory` is the inventory's own table, when it has one.
pub fn in_force(
    args: &AssumptionArgs,
    inventory: Option<(&Path, &Overrides)>,
) -> Result<Assumptions, Error> {
    let mut assumptions = Assumptions::defaults()?;
    if let Some((path, overrides)) = inventory {
        assumptions.apply(overrides, Origin::File, &path.display().to_string());
    }
    if let Some(path) = &args.file {
        let overrides = read_file(path, &assumptions.profiles)?;
        assumptions.apply(&overrides, Origin::File, &path.display().to_string());
    }
    assumptions.apply(&args.flags, Origin::Flag, "flags");
    Ok(assumptions)
}
