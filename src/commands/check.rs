//! `check`, the CI gate: one image (a source or a typed size) or every service of an inventory,
//! judged against budgets, runtime targets and growth over a baseline. Exit 1 when a rule fails
//! (unless `--warn-only`); on GitHub Actions, annotation lines for the runner.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::args::CheckArgs;
use crate::calc::dive::DiveRule;
use crate::calc::gate::{Level, Status};
use crate::calc::leftovers;
use crate::calc::targets::Targets;
use crate::calc::waste::{Prebuilt, Waste};
use crate::error::Error;
use crate::input::dive_ci::{self, DiveCi};
use crate::input::inventory::{self, FlagDefaults, RawInventory};
use crate::input::sources::{self, SourceOptions};
use crate::model::ImageSize;
use crate::model::assumptions::Assumptions;
use crate::render::check::CheckFormat;
use crate::report::check::{DiveCheck, Gate, Subject};
use crate::units::{Basis, Ratio};
use crate::{output, render, report};

use super::{Environment, images};

pub fn run(args: &CheckArgs, environment: &Environment) -> Result<i32, Error> {
    let ratio = match args.compression_ratio {
        Some(ratio) => ratio,
        None => Assumptions::defaults()?.compression_ratio.value,
    };
    let read = images::source_options(&args.image);
    let dive = dive_checks(args)?;
    let baseline = baseline(args, &read, ratio)?;
    if (args.gate.max_growth.is_some() || args.gate.warn_growth.is_some())
        && baseline.is_none()
        && args.inventory.is_none()
    {
        return Err(Error::flag(
            "--max-growth",
            "needs a baseline to grow from; add --baseline SIZE (e.g. the main branch's image)",
        ));
    }
    let targets = Targets::bundled()?;
    // The inventory, when it is the one subject given.
    let raw = match (&args.source, args.size, &args.inventory) {
        (None, None, Some(path)) => Some(inventory::read(path)?),
        _ => None,
    };
    let (subjects, findings) = subjects(
        args,
        raw.as_ref(),
        &read,
        dive.is_some() || args.dive.leftovers(),
        ratio,
        baseline,
        &targets,
    )?;
    let gate = Gate {
        basis: args.basis,
        max_growth: args.gate.max_growth,
        warn_growth: args.gate.warn_growth,
        warn_only: args.gate.warn_only,
    };
    let mut report = report::check::check(&subjects, &gate, &targets)?;
    let service = subjects.first().map_or("image", |s| s.name.as_str());
    let needs_entries = || {
        Error::flag(
            "SRC",
            "dive's rules and the leftovers limit need every layer's tar entries, which this \
             source does not give (a manifest or registry source without --disk, or a layer \
             that is not a tar)",
        )
    };
    if args.dive.leftovers() {
        let found = findings.as_ref().ok_or_else(needs_entries)?;
        for (limit, level) in [
            (args.dive.max_leftovers, Level::Fail),
            (args.dive.warn_max_leftovers, Level::Warn),
        ] {
            if let Some(limit) = limit {
                report::check::add_leftovers(
                    &mut report,
                    service,
                    found.leftover_bytes,
                    limit,
                    level,
                );
            }
        }
    }
    if let Some((checks, file)) = dive {
        let waste = &findings.as_ref().ok_or_else(needs_entries)?.waste;
        let (dive_ci, ignored) = match file {
            Some(file) => (Some(file.path.display().to_string()), file.ignored),
            None => (None, Vec::new()),
        };
        report::check::add_dive(&mut report, service, waste, &checks, dive_ci, ignored);
    }
    let rendered = render::check::render(&report, args.format, args.marker.as_deref())?;
    let path = args.output.as_deref().filter(|p| p.as_os_str() != "-");
    if let Some(path) = path {
        output::refuse_inputs("--output", path, &inputs(args, raw.as_ref()))?;
    }
    output::write(path, rendered.as_bytes())?;
    if environment.github_actions {
        let annotations = render::check::annotations(&report);
        // Annotations go to stdout, where the runner reads them, unless the report itself is on
        // stdout in a machine format that they would corrupt.
        if path.is_none() && args.format != CheckFormat::Text {
            eprint!("{annotations}");
        } else {
            output::write(None, annotations.as_bytes())?;
        }
    }
    Ok(match report.status {
        Status::Fail => 1,
        _ => 0,
    })
}

/// The files the check reads: the source, the baseline, the inventory and the images it names.
fn inputs(args: &CheckArgs, inventory: Option<&RawInventory>) -> Vec<PathBuf> {
    [&args.source, &args.inventory]
        .into_iter()
        .flatten()
        .cloned()
        .chain(args.baseline.as_deref().map(PathBuf::from))
        .chain(inventory.into_iter().flat_map(inventory::image_paths))
        .collect()
}

/// `--baseline`: an image source (an existing path or an image reference) or a size.
fn baseline(
    args: &CheckArgs,
    read: &SourceOptions,
    ratio: Ratio,
) -> Result<Option<ImageSize>, Error> {
    let Some(text) = args.baseline.as_deref() else {
        return Ok(None);
    };
    if sources::names_image(text) {
        return Ok(Some(
            images::read("--baseline", Path::new(text), read, ratio)?.size,
        ));
    }
    let bytes =
        crate::model::values::Field::Flag("--baseline").read(text, crate::model::values::size)?;
    images::typed_size("--baseline", bytes, typed_basis(args), ratio).map(Some)
}

/// dive's rules to check and the CI file they came from.
type DiveChecks = (Vec<DiveCheck>, Option<DiveCi>);

/// dive's rules asked for, each level's flag over the CI file's rule (itself over dive's
/// default), and the file; `None` when no dive rule nor file was given.
fn dive_checks(args: &CheckArgs) -> Result<Option<DiveChecks>, Error> {
    if !args.dive.any() {
        return Ok(None);
    }
    if args.source.is_none() {
        return Err(Error::flag(
            if args.dive.dive_ci.is_some() {
                "--dive-ci"
            } else {
                "--lowest-efficiency"
            },
            "dive's rules judge an image's files: give SRC (an archive or layout, or a \
             reference with --disk), not --size or --inventory",
        ));
    }
    let file = args
        .dive
        .dive_ci
        .as_deref()
        .map(dive_ci::read)
        .transpose()?;
    let mut checks = Vec::new();
    for level in [Level::Fail, Level::Warn] {
        for rule in DiveRule::ALL {
            let (flag, name) = args.dive.flag(rule, level);
            let from_file = file.as_ref().filter(|_| level == Level::Fail).map(|file| {
                let (_, limit, set) = file
                    .rules
                    .iter()
                    .find(|(r, _, _)| *r == rule)
                    .expect("every rule");
                let from = if *set {
                    format!("{}: {}", file.path.display(), rule.key())
                } else {
                    format!(
                        "dive's default {} ({} leaves it out)",
                        rule.key(),
                        file.path.display()
                    )
                };
                (limit.clone(), from)
            });
            let given = match flag {
                Some(limit) => Some((limit.clone(), name.to_string())),
                None => from_file,
            };
            if let Some((limit, limit_from)) = given {
                checks.push(DiveCheck {
                    rule,
                    level,
                    limit,
                    limit_from,
                });
            }
        }
    }
    Ok(Some((checks, file)))
}

/// What the walk of an image's files found: dive's waste figures and the leftovers' file bytes.
struct Findings {
    waste: Waste,
    leftover_bytes: u64,
}

/// The images to judge, each with its rules' inputs, and with `entries` the findings of the
/// one image given as SRC (`None` when its entries could not all be read).
fn subjects(
    args: &CheckArgs,
    inventory: Option<&RawInventory>,
    read: &SourceOptions,
    entries: bool,
    ratio: Ratio,
    baseline: Option<ImageSize>,
    targets: &Targets,
) -> Result<(Vec<Subject>, Option<Findings>), Error> {
    let runtime = args.runtime.clone().and_then(|runtime| runtime.0);
    let one = |name: String, image: ImageSize| Subject {
        name,
        image,
        runtime,
        fail_budget: args.gate.budget,
        warn_budget: args.gate.warn_budget,
        baseline,
    };
    match (&args.source, args.size, &args.inventory, inventory) {
        (Some(source), None, None, _) => {
            let name = args.name.clone().unwrap_or_else(|| {
                source
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "image".to_string())
            });
            let mut read = read.clone();
            read.read.files = entries;
            // Each layer's tree is made as its entries are read, on the thread walking them.
            let prebuilt = Prebuilt::default();
            read.read.watch = entries.then(|| Arc::new(prebuilt.clone()) as _);
            let sized = images::read("SRC", source, &read, ratio)?;
            let waste = if entries {
                let walked: Option<Vec<&[_]>> = sized
                    .image
                    .layers
                    .iter()
                    .map(|layer| layer.files.as_deref().map(Vec::as_slice))
                    .collect();
                let rules = leftovers::bundled()?;
                walked.filter(|layers| !layers.is_empty()).map(|layers| {
                    let (waste, found, _) = leftovers::findings(&rules, &layers, Some(&prebuilt));
                    Findings {
                        waste,
                        leftover_bytes: found
                            .iter()
                            .fold(0u64, |sum, found| sum.saturating_add(found.bytes())),
                    }
                })
            } else {
                None
            };
            super::left_to_exit((sized.image, prebuilt));
            Ok((vec![one(name, sized.size)], waste))
        }
        (None, Some(bytes), None, _) => {
            let name = args.name.clone().unwrap_or_else(|| "image".to_string());
            let size = images::typed_size("--size", bytes, typed_basis(args), ratio)?;
            Ok((vec![one(name, size)], None))
        }
        (None, None, Some(_), Some(raw)) => {
            let flags = FlagDefaults {
                basis: args.basis,
                ..FlagDefaults::default()
            };
            let services = inventory::resolve(raw, &flags, ratio, targets, read)?;
            let subjects = services
                .into_iter()
                .map(|service| Subject {
                    name: service.name.to_string(),
                    // The image as it ships: after slimming, or as it is for a plan.
                    image: service.after.unwrap_or(service.before),
                    baseline: service.after.map(|_| service.before),
                    runtime: service.runtime.or(runtime),
                    fail_budget: service.budget.or(args.gate.budget),
                    warn_budget: args.gate.warn_budget,
                })
                .collect();
            Ok((subjects, None))
        }
        _ => Err(Error::flag(
            "--size",
            "give the image to check: SRC (an image source), --size SIZE, or --inventory FILE \
             for every service",
        )),
    }
}

/// The basis of sizes typed with `--size` and `--baseline`: `--basis`, else unpacked.
fn typed_basis(args: &CheckArgs) -> Basis {
    args.basis.unwrap_or(Basis::Disk)
}
