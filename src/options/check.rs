//! `check`: budgets, growth limits and the image (or inventory) the gate judges.

use std::path::{Path, PathBuf};

use crate::assumptions::{Assumptions, Origin, Overrides};
use crate::calc::gate::Percent;
use crate::calc::targets::Targets;
use crate::cli::CheckArgs;
use crate::error::{Error, Place};
use crate::input::inventory::{self, FlagDefaults};
use crate::input::sources;
use crate::model::Budget;
use crate::render::check::CheckFormat;
use crate::render::markdown;
use crate::report::check::{Gate, GrowthLimit, Subject};
use crate::units::{self, Basis, Ratio};

use super::{basis, read_options, runtime, typed_size};

/// Everything `check` needs.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub subjects: Vec<Subject>,
    pub gate: Gate,
    pub format: CheckFormat,
    pub path: Option<PathBuf>,
    pub marker: Option<String>,
}

/// Reads `--budget`/`--warn-budget`: a size or `target`.
fn parse_budget(flag: &str, text: &str) -> Result<Budget, Error> {
    if text.trim().eq_ignore_ascii_case("target") {
        return Ok(Budget::Target);
    }
    units::parse_size(text).map(Budget::Bytes).map_err(|e| {
        Error::flag(
            flag,
            format!("{e}; or 'target' for the runtime target's high end"),
        )
    })
}

/// Reads `--max-growth`/`--warn-growth`: `PCT[,SIZE]`.
fn parse_growth(flag: &str, text: &str) -> Result<GrowthLimit, Error> {
    let (percent, floor) = match text.split_once(',') {
        Some((percent, floor)) => (percent, Some(floor)),
        None => (text, None),
    };
    let accepted = "expected a percentage with an optional absolute floor, e.g. 5% or 5%,10MB";
    let percent = Percent::parse(percent)
        .ok_or_else(|| Error::flag(flag, format!("'{text}' is not a growth limit; {accepted}")))?;
    let floor_bytes = match floor {
        Some(floor) => units::parse_size(floor)
            .map_err(|e| Error::flag(flag, format!("'{text}': the floor {e}")))?,
        None => 0,
    };
    Ok(GrowthLimit {
        percent,
        floor_bytes,
    })
}

/// Validates `check`'s flags and reads its inventory, if any.
pub fn check(args: &CheckArgs, targets: &Targets) -> Result<CheckOptions, Error> {
    let basis = basis("--basis", &args.basis)?;
    let mut assumptions = Assumptions::defaults()?;
    if let Some(text) = &args.compression_ratio {
        let ratio =
            Ratio::parse(text).map_err(|e| Error::flag("--compression-ratio", e.to_string()))?;
        assumptions.apply(
            &Overrides {
                compression_ratio: Some(ratio),
                ..Overrides::default()
            },
            Origin::Flag,
            "flags",
        );
    }
    let ratio = assumptions.compression_ratio.value;
    let fail_budget = args
        .budget
        .as_deref()
        .map(|t| parse_budget("--budget", t))
        .transpose()?;
    let warn_budget = args
        .warn_budget
        .as_deref()
        .map(|t| parse_budget("--warn-budget", t))
        .transpose()?;
    let max_growth = args
        .max_growth
        .as_deref()
        .map(|t| parse_growth("--max-growth", t))
        .transpose()?;
    let warn_growth = args
        .warn_growth
        .as_deref()
        .map(|t| parse_growth("--warn-growth", t))
        .transpose()?;
    let typed = |flag: &str, text: &str| typed_size(flag, text, basis, ratio);
    let read = read_options(&args.image)?;
    // An existing path or an image reference means an image source; anything else is a size.
    let baseline = match args.baseline.as_deref() {
        Some(text) if sources::names_image(text) => Some(
            sources::read_sized(
                Path::new(text),
                Path::new(""),
                &read,
                ratio,
                Place::flag("--baseline"),
            )?
            .size,
        ),
        Some(text) => Some(typed("--baseline", text)?),
        None => None,
    };
    if (max_growth.is_some() || warn_growth.is_some())
        && baseline.is_none()
        && args.inventory.is_none()
    {
        return Err(Error::flag(
            "--max-growth",
            "needs a baseline to grow from; add --baseline SIZE (e.g. the main branch's image)",
        ));
    }
    let runtime = runtime("--runtime", args.runtime.as_deref(), targets)?;
    let subjects = match (&args.source, &args.size, &args.inventory) {
        (Some(source), None, None) => vec![Subject {
            name: args.name.clone().unwrap_or_else(|| {
                source
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "image".to_string())
            }),
            image: sources::read_sized(source, Path::new(""), &read, ratio, Place::flag("SRC"))?
                .size,
            runtime,
            fail_budget,
            warn_budget,
            baseline,
        }],
        (None, Some(size), None) => vec![Subject {
            name: args.name.clone().unwrap_or_else(|| "image".to_string()),
            image: typed("--size", size)?,
            runtime,
            fail_budget,
            warn_budget,
            baseline,
        }],
        (None, None, Some(path)) => {
            let raw = inventory::read(path)?;
            let flags = FlagDefaults {
                basis: Some(basis).filter(|b| *b != Basis::Disk),
                ..FlagDefaults::default()
            };
            inventory::resolve(&raw, &flags, ratio, targets, &read)?
                .into_iter()
                .map(|service| Subject {
                    name: service.name,
                    // The image as it ships: after slimming, or as it is for a plan.
                    image: service.after.unwrap_or(service.before),
                    baseline: service.after.map(|_| service.before),
                    runtime: service.runtime.or_else(|| runtime.clone()),
                    fail_budget: service.budget.or(fail_budget),
                    warn_budget,
                })
                .collect()
        }
        _ => {
            return Err(Error::flag(
                "--size",
                "give the image to check: SRC (an image source), --size SIZE, or --inventory \
                 FILE for every service",
            ));
        }
    };
    let marker = args.marker.clone();
    if let Some(marker) = &marker
        && !markdown::valid_marker(marker)
    {
        return Err(Error::flag(
            "--marker",
            format!(
                "'{marker}' is not a marker name; expected letters, digits, '-', '_', '.' or ':'"
            ),
        ));
    }
    Ok(CheckOptions {
        subjects,
        gate: Gate {
            basis,
            max_growth,
            warn_growth,
            warn_only: args.warn_only,
        },
        format: args.format,
        path: args.output.clone().filter(|p| p.as_os_str() != "-"),
        marker,
    })
}
