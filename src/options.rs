//! Validated options: the clap mirror of [`crate::cli`] turned into checked values. Every bad
//! value is refused here with a message that names the flag and quotes the value; nothing after
//! this module sees clap or an unchecked string.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use crate::assumptions::{self, Assumptions, Origin, Overrides};
use crate::calc::gate::Percent;
use crate::calc::layered::{ChangedPerDeploy, NewNodes};
use crate::calc::targets::Targets;
use crate::cli::{
    AssumptionArgs, CalcArgs, CheckArgs, CompareArgs, FleetArgs, ImageArgs, InspectArgs,
    LayeringArgs, OutputArgs, ReportArgs,
};
use crate::error::{Error, Place};
use crate::input::image::{Platform, ReadLimit, ReadOptions};
use crate::input::inventory::{self, FlagDefaults};
use crate::input::registry::{Client, CredentialSource, Credentials, RegistryOptions};
use crate::input::sources::{self, SizedImage, SourceOptions};
use crate::model::{Budget, FleetShape, ImageSize, Layering, Service};
use crate::render::check::CheckFormat;
use crate::render::markdown::{self, MarkdownOptions};
use crate::render::{Format, RenderOptions};
use crate::report::CompareView;
use crate::report::check::{Gate, GrowthLimit, Subject};
use crate::units::{self, Basis, Ratio};

/// Where and how to write a report.
#[derive(Debug, Clone)]
pub struct OutputOptions {
    pub format: Format,
    /// `None` is stdout.
    pub path: Option<PathBuf>,
    pub title: Option<String>,
    pub generated_at: Option<String>,
    pub render: RenderOptions,
    /// `--charts-dir`: where to write the charts as SVG files.
    pub charts_dir: Option<PathBuf>,
}

/// Everything `calc` needs.
#[derive(Debug, Clone)]
pub struct CalcOptions {
    pub service: Service,
    pub assumptions: Assumptions,
    pub output: OutputOptions,
}

/// Everything `report` needs.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub services: Vec<Service>,
    pub assumptions: Assumptions,
    pub output: OutputOptions,
}

/// Validates `report`'s flags and reads its inventory. Fleet flags are defaults for empty cells
/// and win over the file's `[defaults]`; assumption flags win over its `[assumptions]`.
pub fn report(
    args: &ReportArgs,
    targets: &Targets,
    source_date_epoch: Option<&str>,
) -> Result<ReportOptions, Error> {
    let read_count = |flag: &str, value: &Option<String>| {
        value
            .as_deref()
            .map(|text| parse_count(flag, text))
            .transpose()
    };
    let flags = FlagDefaults {
        services: read_count("--services", &args.fleet.services)?,
        nodes: read_count("--nodes", &args.fleet.nodes)?,
        deploys_per_day: read_count("--deploys-per-day", &args.fleet.deploys_per_day)?,
        basis: args
            .basis
            .as_deref()
            .map(|text| basis("--basis", text))
            .transpose()?,
    };
    let output = output(&args.output, source_date_epoch)?;
    let raw = inventory::read(&args.inventory)?;
    let defaults = Assumptions::defaults()?;
    let file_layers: Vec<(&Path, Overrides)> = raw
        .assumption_overrides(&defaults)?
        .map(|overrides| (raw.path.as_path(), overrides))
        .into_iter()
        .collect();
    let assumptions = assumptions(&args.assumptions, &file_layers)?;
    let read = read_options(&args.image)?;
    let services = inventory::resolve(
        &raw,
        &flags,
        assumptions.compression_ratio.value,
        targets,
        &read,
    )?;
    Ok(ReportOptions {
        services,
        assumptions,
        output,
    })
}

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

/// Reads a count flag: a whole number of 1 or more.
pub fn parse_count(flag: &str, text: &str) -> Result<u64, Error> {
    let trimmed = text.trim();
    let problem = if trimmed.starts_with('-') {
        "is negative"
    } else {
        match trimmed.parse::<u64>() {
            Ok(0) => "is zero",
            Ok(count) => return Ok(count),
            Err(_) if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) => {
                "is too large"
            }
            Err(_) => "is not a whole number",
        }
    };
    Err(Error::flag(
        flag,
        format!("'{text}' {problem}; expected a whole number of 1 or more, e.g. {flag} 10"),
    ))
}

/// The fleet shape from flags, each count defaulting to `defaults`' value.
pub fn fleet_shape(args: &FleetArgs, defaults: FleetShape) -> Result<FleetShape, Error> {
    let read = |flag: &str, value: &Option<String>, default: u64| match value {
        Some(text) => parse_count(flag, text),
        None => Ok(default),
    };
    Ok(FleetShape {
        services: read("--services", &args.services, defaults.services)?,
        nodes: read("--nodes", &args.nodes, defaults.nodes)?,
        deploys_per_day: read(
            "--deploys-per-day",
            &args.deploys_per_day,
            defaults.deploys_per_day,
        )?,
    })
}

fn parse_size_flag(flag: &str, text: &str) -> Result<u64, Error> {
    units::parse_size(text).map_err(|e| Error::flag(flag, e.to_string()))
}

fn parse_number(flag: &str, text: &str, positive: bool, example: &str) -> Result<f64, Error> {
    match text.trim().parse::<f64>() {
        Ok(value) if value.is_finite() && (value > 0.0 || (!positive && value == 0.0)) => Ok(value),
        _ => Err(Error::flag(
            flag,
            format!(
                "'{text}' is not accepted; expected a number {}, e.g. {flag} {example}",
                if positive { "above 0" } else { "of 0 or more" }
            ),
        )),
    }
}

fn parse_whole(flag: &str, text: &str, min: u64, max: u64, example: &str) -> Result<u64, Error> {
    match text.trim().parse::<u64>() {
        Ok(value) if (min..=max).contains(&value) => Ok(value),
        _ => Err(Error::flag(
            flag,
            format!(
                "'{text}' is not accepted; expected a whole number from {min} to {max}, e.g. {flag} {example}"
            ),
        )),
    }
}

/// The assumption overrides given as flags.
fn flag_overrides(args: &AssumptionArgs, defaults: &Assumptions) -> Result<Overrides, Error> {
    let pricing = match &args.pricing {
        Some(name) if defaults.profiles.contains_key(name.trim()) => Some(name.trim().to_string()),
        Some(name) => {
            return Err(Error::flag(
                "--pricing",
                format!(
                    "'{name}' is not a pricing profile; expected one of {}",
                    defaults.profile_names()
                ),
            ));
        }
        None => None,
    };
    Ok(Overrides {
        compression_ratio: args
            .compression_ratio
            .as_deref()
            .map(|text| {
                Ratio::parse(text).map_err(|e| Error::flag("--compression-ratio", e.to_string()))
            })
            .transpose()?,
        bandwidth: args
            .bandwidth
            .as_deref()
            .map(|text| {
                units::parse_rate(text).map_err(|e| Error::flag("--bandwidth", e.to_string()))
            })
            .transpose()?,
        extract_rate: args
            .extract_rate
            .as_deref()
            .map(|text| {
                units::parse_rate(text).map_err(|e| Error::flag("--extract-rate", e.to_string()))
            })
            .transpose()?,
        pricing,
        price_per_gb: args
            .price_per_gb
            .as_deref()
            .map(|text| parse_number("--price-per-gb", text, false, "0.045"))
            .transpose()?,
        days_per_year: args
            .days_per_year
            .as_deref()
            .map(|text| parse_whole("--days-per-year", text, 1, 366, "260"))
            .transpose()?,
        registry_storage_price: args
            .registry_storage_price
            .as_deref()
            .map(|text| parse_number("--registry-storage-price", text, false, "0.10"))
            .transpose()?,
        retained_tags: args
            .retained_tags
            .as_deref()
            .map(|text| parse_whole("--retained-tags", text, 0, 1_000_000, "10"))
            .transpose()?,
        effort_hours: args
            .effort_hours
            .as_deref()
            .map(|text| parse_number("--effort-hours", text, true, "8"))
            .transpose()?,
        base_refresh_days: args
            .base_refresh_days
            .as_deref()
            .map(|text| parse_number("--base-refresh-days", text, true, "7"))
            .transpose()?,
        base_refresh_fraction: args
            .base_refresh_fraction
            .as_deref()
            .map(
                |text| match parse_number("--base-refresh-fraction", text, false, "0.7") {
                    Ok(value) if value <= 1.0 => Ok(value),
                    Ok(_) => Err(Error::flag(
                        "--base-refresh-fraction",
                        format!("'{text}' is above 1; expected a fraction from 0 to 1, e.g. 0.7"),
                    )),
                    Err(error) => Err(error),
                },
            )
            .transpose()?,
        new_nodes_per_day: args
            .new_nodes_per_day
            .as_deref()
            .map(|text| {
                NewNodes::parse(text).ok_or_else(|| {
                    Error::flag(
                        "--new-nodes-per-day",
                        format!("'{text}' is not accepted; expected {}", NewNodes::ACCEPTED),
                    )
                })
            })
            .transpose()?,
        hourly_rate: args
            .hourly_rate
            .as_deref()
            .map(|text| parse_number("--hourly-rate", text, false, "120"))
            .transpose()?,
    })
}

/// The assumptions in force: defaults, then `file_layers` (path, overrides) in order, then
/// the `--assumptions` file, then flags.
pub fn assumptions(
    args: &AssumptionArgs,
    file_layers: &[(&Path, Overrides)],
) -> Result<Assumptions, Error> {
    let mut assumptions = Assumptions::defaults()?;
    for (path, overrides) in file_layers {
        assumptions.apply(overrides, Origin::File, &path.display().to_string());
    }
    if let Some(path) = &args.assumptions {
        let overrides = assumptions::read_file(path, &assumptions)?;
        assumptions.apply(&overrides, Origin::File, &path.display().to_string());
    }
    let flags = flag_overrides(args, &assumptions)?;
    assumptions.apply(&flags, Origin::Flag, "flags");
    Ok(assumptions)
}

/// Output options; reads `SOURCE_DATE_EPOCH` when `--generated-at` is absent.
pub fn output(args: &OutputArgs, source_date_epoch: Option<&str>) -> Result<OutputOptions, Error> {
    let generated_at = match (&args.generated_at, source_date_epoch) {
        (Some(text), _) => {
            humantime::parse_rfc3339_weak(text.trim()).map_err(|_| {
                Error::flag(
                    "--generated-at",
                    format!("'{text}' is not a time; expected RFC 3339, e.g. 2026-11-27T09:00:00Z"),
                )
            })?;
            Some(text.trim().to_string())
        }
        (None, Some(epoch)) if !epoch.trim().is_empty() => {
            let seconds = epoch.trim().parse::<u64>().map_err(|_| {
                Error::flag(
                    "SOURCE_DATE_EPOCH",
                    format!("'{epoch}' is not a time; expected whole seconds since 1970, e.g. 1764230400"),
                )
            })?;
            let time = UNIX_EPOCH + Duration::from_secs(seconds);
            Some(humantime::format_rfc3339_seconds(time).to_string())
        }
        _ => None,
    };
    let path = args.output.clone().filter(|path| path.as_os_str() != "-");
    if let Some(marker) = &args.marker
        && !markdown::valid_marker(marker)
    {
        return Err(Error::flag(
            "--marker",
            format!(
                "'{marker}' is not a marker name; expected letters, digits, '-', '_', '.' or ':' \
                 (up to 64), e.g. --marker api-size"
            ),
        ));
    }
    Ok(OutputOptions {
        format: args.format,
        path,
        title: args.title.clone(),
        generated_at,
        render: RenderOptions {
            markdown: MarkdownOptions {
                marker: args.marker.clone(),
                chart_links: Vec::new(),
            },
        },
        charts_dir: args.charts_dir.clone(),
    })
}

/// Resolves a `--runtime` flag.
pub fn runtime(
    flag: &str,
    typed: Option<&str>,
    targets: &Targets,
) -> Result<Option<String>, Error> {
    match typed {
        Some(text) => targets
            .resolve(text)
            .map_err(|message| Error::flag(flag, message)),
        None => Ok(None),
    }
}

/// Reads a `--basis` flag.
pub fn basis(flag: &str, text: &str) -> Result<Basis, Error> {
    Basis::parse(text).ok_or_else(|| {
        Error::flag(
            flag,
            format!("'{text}' is not a basis; expected {}", Basis::ACCEPTED),
        )
    })
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
fn layering(args: &LayeringArgs, read: &SourceOptions, ratio: Ratio) -> Result<Layering, Error> {
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

/// A size typed on `basis`, the other basis estimated with `ratio`.
fn typed_size(flag: &str, text: &str, basis: Basis, ratio: Ratio) -> Result<ImageSize, Error> {
    let bytes = parse_size_flag(flag, text)?;
    ImageSize::typed(bytes, basis, ratio).ok_or_else(|| {
        Error::flag(
            flag,
            format!("'{text}' is too large to estimate a disk size from at ratio {ratio}"),
        )
    })
}

/// How to read image sources, from `--platform`, `--verify`, `--max-read` and the registry
/// flags.
pub fn read_options(args: &ImageArgs) -> Result<SourceOptions, Error> {
    let max_read = args
        .max_read
        .as_deref()
        .map(|text| parse_size_flag("--max-read", text))
        .transpose()?
        .map(|bytes| Arc::new(ReadLimit::new(bytes)));
    let platform = match &args.platform {
        Some(text) => {
            Platform::parse(text).map_err(|message| Error::flag("--platform", message))?
        }
        None => Platform::default(),
    };
    let explicit = match (&args.registry_username, &args.registry_password) {
        (Some(username), Some(password)) => Some(Credentials::Basic {
            username: username.clone(),
            password: password.clone(),
        }),
        _ => None,
    };
    Ok(SourceOptions {
        read: ReadOptions {
            platform,
            verify: args.verify,
            tag: None,
            progress: crate::progress::layer_progress(),
            max_read,
        },
        registry: Arc::new(Client::new(RegistryOptions {
            credentials: CredentialSource {
                explicit,
                docker_config_dir: CredentialSource::docker_config_dir_from_env(),
            },
            insecure_hosts: args.insecure_registry.clone(),
            disk: args.disk,
        })),
    })
}

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
    let layers = crate::layers::compare(&before.image, &after.image);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(parse_count("--nodes", "10").unwrap(), 10);
        for (bad, problem) in [
            ("0", "is zero"),
            ("-3", "is negative"),
            ("ten", "is not a whole number"),
            ("1.5", "is not a whole number"),
            ("", "is not a whole number"),
            ("99999999999999999999999", "is too large"),
        ] {
            let message = parse_count("--nodes", bad).unwrap_err().to_string();
            assert!(
                message.starts_with(&format!("--nodes: '{bad}' {problem}")),
                "{message}"
            );
        }
    }

    #[test]
    fn source_date_epoch_gives_a_fixed_time() {
        let args = OutputArgs {
            format: Format::Json,
            output: Some(PathBuf::from("-")),
            title: None,
            generated_at: None,
            marker: None,
            charts_dir: None,
        };
        let options = output(&args, Some("1764230400")).unwrap();
        assert_eq!(
            options.generated_at.as_deref(),
            Some("2025-11-27T08:00:00Z")
        );
        assert_eq!(options.path, None);
        assert!(output(&args, Some("yesterday")).is_err());
        assert_eq!(output(&args, None).unwrap().generated_at, None);
    }
}
