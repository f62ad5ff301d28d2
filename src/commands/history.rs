//! `history`: the builds of one repository — from its registry tags (listed, filtered, the
//! newest `--last` kept, ordered by their configs' created times) or from image sources given in
//! order — each consecutive pair's pull, the layer-aware model's parameters measured from the
//! pairs (optionally written as an assumptions file), the backtest, and the trend.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::args::HistoryArgs;
use crate::calc::full_pull::PullRates;
use crate::calc::history::{self, Build, Measured, Parameters};
use crate::calc::targets::Targets;
use crate::error::{Error, Place};
use crate::input::history::{self as read_history, ReadBuild};
use crate::input::sources;
use crate::model::ChangedPerDeploy;
use crate::model::assumptions::Assumptions;
use crate::report::history::{BuildInput, HistoryInput, HistoryReport};
use crate::units::counted;
use crate::{output, render};

use super::publish::generated_at;
use super::{Environment, assumptions, images};

pub fn run(args: &HistoryArgs, environment: &Environment) -> Result<i32, Error> {
    let generated_at = generated_at(args.generated_at.as_ref(), environment)?;
    let assumptions = assumptions::in_force(&args.assumptions, None)?;
    let ratio = assumptions.compression_ratio.value;
    let options = images::source_options(&args.image);
    let repository = match args.sources.as_slice() {
        [only] => only.to_str().and_then(read_history::repository_in),
        _ => None,
    };
    let mut notes = Vec::new();
    let builds: Vec<ReadBuild> = match &repository {
        Some(reference) => {
            let text = args.sources[0].to_string_lossy();
            let keep = |tag: &str| {
                args.tags
                    .as_ref()
                    .is_none_or(|pattern| pattern.is_match(tag))
            };
            let last = usize::try_from(args.last).unwrap_or(usize::MAX);
            read_history::read_repository(reference, &text, &keep, last, &options)?
        }
        None => {
            if args.tags.is_some() {
                notes.push(
                    "--tags applies to a registry repository; the sources were read as given"
                        .to_string(),
                );
            }
            let sources: Vec<&Path> = args.sources.iter().map(PathBuf::as_path).collect();
            read_history::read_sources(&sources, &options)?
        }
    };
    let base = args
        .base_image
        .as_deref()
        .map(|path| sources::read(path, Path::new(""), &options, &Place::flag("--base-image")))
        .transpose()?;
    let (base_layers, base_from) = match &base {
        Some(image) => (
            image.layers.len().max(1),
            format!(
                "the bottom {} (as many as --base-image has)",
                counted(image.layers.len().max(1) as u128, "layer")
            ),
        ),
        None => (
            1,
            "the bottom layer (--base-image says how many)".to_string(),
        ),
    };
    let mut sized = Vec::with_capacity(builds.len());
    for build in &builds {
        let size = sources::size_of(&build.image, ratio).ok_or_else(|| Error::Input {
            place: Place::flag("SRC"),
            message: format!(
                "'{}' tells neither its compressed nor its unpacked size",
                build.image.source
            ),
        })?;
        sized.push(size);
    }
    if builds.iter().any(|b| b.created.is_none()) {
        notes.push(
            "some builds have no valid created time in their config: no days between them, so no \
             build rate, refresh interval or backtest"
                .to_string(),
        );
    }
    if builds.iter().any(|b| !b.image.wire_known) {
        notes.push(
            "some sources do not hold the registry's compressed blobs (docker save archives): \
             their pulls count the blobs as stored"
                .to_string(),
        );
    }
    let calc_builds: Vec<Build> = builds
        .iter()
        .map(|build| Build {
            image: &build.image,
            created: build.created,
        })
        .collect();
    let pairs = history::pairs(&calc_builds, base_layers);
    let measured = history::measure(&calc_builds, &pairs);
    let defaults = Parameters {
        base_refresh_days: assumptions.base_refresh_days.value,
        base_refresh_fraction: assumptions.base_refresh_fraction.value,
        changed_per_deploy: None,
    };
    let from_history = measured
        .enough
        .then(|| measured_parameters(&measured, &assumptions));
    let rates = PullRates {
        bandwidth: assumptions.bandwidth.value,
        extract_rate: assumptions.extract_rate.value,
    };
    let backtest = history::backtest(
        &calc_builds,
        &pairs,
        base_layers,
        defaults,
        from_history,
        rates,
    )
    .map_err(|overflow| Error::Overflow(format!("the backtest: {overflow}")))?;
    let targets = Targets::bundled()?;
    let target = args
        .runtime
        .as_ref()
        .and_then(|runtime| runtime.0)
        .and_then(|key| targets.get(key));
    let name = repository
        .as_ref()
        .map(|_| args.sources[0].to_string_lossy().into_owned());
    let report = HistoryReport::new(HistoryInput {
        title: args.title.clone().unwrap_or_else(|| match &name {
            Some(name) => format!("fleetsave: build history of {name}"),
            None => "fleetsave: build history".to_string(),
        }),
        generated_at,
        repository: name.clone(),
        base_layers,
        base_from,
        builds: builds
            .iter()
            .zip(&sized)
            .map(|(build, size)| BuildInput {
                tag: &build.name,
                image: &build.image,
                size: *size,
            })
            .collect(),
        pairs: &pairs,
        measured: &measured,
        backtest: backtest.as_ref().map(|test| (test, defaults, from_history)),
        target,
        notes,
    });
    let rendered = render::history::render(&report, args.format)?;
    let mut inputs: Vec<PathBuf> = args.sources.clone();
    inputs.extend(args.base_image.iter().cloned());
    inputs.extend(args.assumptions.file.iter().cloned());
    if let Some(path) = &args.write_assumptions {
        output::refuse_inputs("--write-assumptions", path, &inputs)?;
        let text = assumptions_file(&report, &measured);
        output::write(Some(path), text.as_bytes())?;
    }
    let path = args.output.as_deref().filter(|p| p.as_os_str() != "-");
    if let Some(path) = path {
        output::refuse_inputs("--output", path, &inputs)?;
    }
    output::write(path, rendered.as_bytes())?;
    Ok(0)
}

/// The measured parameters, the defaults in force where a measurement is missing.
fn measured_parameters(measured: &Measured, assumptions: &Assumptions) -> Parameters {
    Parameters {
        base_refresh_days: measured
            .base_refresh_days
            .unwrap_or(assumptions.base_refresh_days.value),
        base_refresh_fraction: measured
            .base_refresh_fraction
            .unwrap_or(assumptions.base_refresh_fraction.value),
        changed_per_deploy: measured.changed_wire_bytes.map(ChangedPerDeploy::Bytes),
    }
}

/// The assumptions TOML of `--write-assumptions`: the measured keys, each with how it was
/// measured; with too few pairs, only comments (the defaults stay).
fn assumptions_file(report: &HistoryReport, measured: &Measured) -> String {
    let m = &report.measured;
    let mut out = String::new();
    let source = report
        .repository
        .clone()
        .unwrap_or_else(|| format!("{} image sources given in order", report.builds.len()));
    // A TOML comment holds no control character: input text is written on one clean line.
    let one_line = |text: &str| -> String {
        text.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    };
    let _ = writeln!(
        out,
        "# Measured by `fleetsave history` from {}: {} builds",
        one_line(&source),
        report.builds.len()
    );
    if let (Some(first), Some(last)) = (&m.first_created, &m.last_created) {
        let _ = writeln!(out, "# created {} to {}", one_line(first), one_line(last));
    }
    let _ = writeln!(
        out,
        "# {}: {}, {}. Use with --assumptions FILE.",
        counted(m.pairs as u128, "pair"),
        counted(m.routine_pairs as u128, "routine build"),
        counted(m.base_changes as u128, "base change")
    );
    if !measured.enough {
        let _ = writeln!(
            out,
            "# Fewer than {} pairs: too few to measure; the defaults are kept.",
            m.min_pairs
        );
        return out;
    }
    match m.changed_per_deploy_bytes {
        Some(bytes) => {
            let _ = writeln!(
                out,
                "\n# Median wire bytes a routine build pulled ({}).\nchanged_per_deploy = \"{bytes}\"",
                crate::units::format_bytes(i128::from(bytes))
            );
        }
        None => out.push_str("\n# No routine build: changed_per_deploy not measured.\n"),
    }
    match m.base_refresh_days {
        Some(days) => {
            let _ = writeln!(
                out,
                "\n# Days between base changes ({} in {} days).\nbase_refresh_days = {days}",
                counted(m.base_changes as u128, "base change"),
                m.span_days.unwrap_or_default()
            );
        }
        None => out.push_str("\n# No base change seen: base_refresh_days not measured.\n"),
    }
    if let Some(fraction) = m.base_refresh_fraction {
        let _ = writeln!(
            out,
            "\n# Median share of a build's bytes outside the changed part a base change pulled.\nbase_refresh_fraction = {fraction}"
        );
    }
    out
}
