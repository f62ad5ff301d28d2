//! The command line: every flag with its typed parser. Parsing reads no file and does no work:
//! a value is refused here, with its flag, by the same parsers ([`crate::model::values`]) that
//! read CSV cells and TOML keys; everything else happens in the command that runs. Completions
//! and the man page are generated from these definitions.
//!
//! Values that need checking accept a leading `-`, so that `--nodes -3` reaches fleetsave's own
//! parser and gets its message. The assumption flags are generated from the assumptions table
//! ([`crate::model::assumptions::ASSUMPTIONS`]).

use std::path::{Path, PathBuf};

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgMatches, Args, FromArgMatches, Parser, Subcommand};

use crate::calc::audit::Severity;
use crate::calc::dive::{self, DiveRule, Limit};
use crate::calc::gate::Level;
use crate::calc::targets::Targets;
use crate::error::Error;
use crate::input::image::Platform;
use crate::input::registry::{self, Secret};
use crate::model::assumptions::{ASSUMPTIONS, Assumption, Assumptions, Kind, Overrides, Value};
use crate::model::rate::{DeployRate, EgressLimit, Fraction};
use crate::model::scenario::ScenarioSpec;
use crate::model::values::{self, Field, Refusal};
use crate::model::{Budget, Cluster, FleetShape, GrowthLimit, Nodes};
use crate::render::Format;
use crate::render::audit::AuditFormat;
use crate::render::check::CheckFormat;
use crate::render::forecast::ForecastFormat;
use crate::render::history::HistoryFormat;
use crate::render::inspect::InspectFormat;
use crate::render::layers::LayersFormat;
use crate::render::markdown;
use crate::render::targets::TargetsFormat;
use crate::units::{Basis, Ratio};

/// fleetsave: what a smaller container image saves across a whole fleet.
#[derive(Debug, Parser)]
#[command(name = "fleetsave", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: CommandArgs,
}

#[derive(Debug, Subcommand)]
pub enum CommandArgs {
    /// Savings of one before/after pair of sizes across a fleet of identical services.
    Calc(Box<CalcArgs>),
    /// Per-service savings and fleet totals of an inventory (CSV or TOML).
    Report(Box<ReportArgs>),
    /// A month-by-month projection of an inventory under growth scenarios: transfer, money,
    /// storage and node time as is and slimmed, new-node pulls apart, and the rollout burst.
    Forecast(Box<ForecastArgs>),
    /// Sizes and layers of real images: manifests, OCI layouts, oci-archives, docker save
    /// tarballs, docker inspect output.
    Inspect(Box<InspectArgs>),
    /// Each layer of an image: its bytes, the step that made it, its fleet cost, and the image's
    /// waste as dive counts it.
    Layers(Box<LayersArgs>),
    /// Savings of moving from one real image to another across a fleet, and the layers they share.
    Compare(Box<CompareArgs>),
    /// The builds of one repository (from its registry tags, or image sources in order): the
    /// layers each pull moved, the layer model's parameters measured, a backtest, the trend.
    History(Box<HistoryArgs>),
    /// The size techniques a Dockerfile leaves out, each priced across the fleet: measured in
    /// the image built from it (--image), else the checklist's range
    Audit(Box<AuditArgs>),
    /// The CI gate: fail (exit 1) or warn when an image breaks its budget, its runtime target or
    /// grows too much against a baseline.
    Check(Box<CheckArgs>),
    /// The realistic size targets per runtime.
    Targets(TargetsArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout.
    Man,
}

impl Cli {
    /// The inventory file the command reads, when it reads one (`-`, standard input, is none).
    pub fn inventory(&self) -> Option<&Path> {
        let path = match &self.command {
            CommandArgs::Report(args) => Some(&args.inventory),
            CommandArgs::Forecast(args) => Some(&args.inventory),
            CommandArgs::Check(args) => args.inventory.as_ref(),
            _ => None,
        };
        path.map(PathBuf::as_path)
            .filter(|path| path.as_os_str() != "-")
    }
}

/// How many pulls a service stands for.
#[derive(Debug, Args, Default)]
pub struct FleetArgs {
    /// Distinct services of this size [default: 1]
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = values::count)]
    pub services: Option<u64>,
    /// Nodes that pull the image on each deploy, or 'all' (every node of the cluster)
    /// [default: 1]
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = values::nodes)]
    pub nodes: Option<Nodes>,
    /// Deploys of each service: a day (10, 0.5) or per week or month (3/week, 20/month)
    /// [default: 1]
    #[arg(long, value_name = "RATE", allow_hyphen_values = true, value_parser = values::deploy_rate)]
    pub deploys_per_day: Option<DeployRate>,
    /// Nodes of the cluster, which '--nodes all' stands for (and a forecast grows)
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = values::count)]
    pub cluster_nodes: Option<u64>,
    /// Nodes of a node pool, NAME=N, which 'all' stands for on that pool (repeatable)
    #[arg(long, value_name = "NAME=N", allow_hyphen_values = true, value_parser = values::pool_nodes)]
    pub pool_nodes: Vec<(String, u64)>,
}

impl FleetArgs {
    /// The fleet shape, 1 for each count not given; `--nodes all` is `--cluster-nodes`.
    pub fn shape(&self) -> Result<FleetShape, Error> {
        let defaults = FleetShape::default();
        let nodes = match self.nodes {
            None => defaults.nodes,
            Some(Nodes::Count(nodes)) => nodes,
            Some(Nodes::All) => self
                .cluster_nodes
                .ok_or_else(|| Error::flag("--nodes", Cluster::missing(None)))?,
        };
        Ok(FleetShape {
            services: self.services.unwrap_or(defaults.services),
            nodes,
            deploys_per_day: self.deploys_per_day.unwrap_or(defaults.deploys_per_day),
        })
    }

    /// Whether `--nodes all` was given.
    pub fn every_node(&self) -> bool {
        self.nodes == Some(Nodes::All)
    }
}

/// A scenario on today's fleet: every row's nodes and deploys multiplied.
#[derive(Debug, Args, Default)]
pub struct ScaleArgs {
    /// Multiply every row's nodes by this factor (3, 1.5), rounded to the nearest node: the
    /// cluster grown
    #[arg(long, value_name = "FACTOR", allow_hyphen_values = true, value_parser = values::factor)]
    pub scale_nodes: Option<Fraction>,
    /// Multiply every row's deploy rate by this factor (2, 0.5)
    #[arg(long, value_name = "FACTOR", allow_hyphen_values = true, value_parser = values::factor)]
    pub scale_deploys: Option<Fraction>,
}

impl ScaleArgs {
    /// Every service's shape scaled; the title's note (`nodes × 3, deploys × 2`), if any.
    pub fn apply(&self, services: &mut [crate::model::Service]) -> Result<Option<String>, Error> {
        if self.scale_nodes.is_none() && self.scale_deploys.is_none() {
            return Ok(None);
        }
        let one = Fraction::whole(1);
        for service in services.iter_mut() {
            service.shape = service
                .shape
                .scaled(
                    self.scale_nodes.unwrap_or(one),
                    self.scale_deploys.unwrap_or(one),
                )
                .ok_or_else(|| {
                    Error::Overflow(format!(
                        "service '{}' scaled is too large to compute exactly; check the factors",
                        values::shorten(&service.name)
                    ))
                })?;
        }
        let note = [("nodes", self.scale_nodes), ("deploys", self.scale_deploys)]
            .into_iter()
            .filter_map(|(what, factor)| factor.map(|factor| format!("{what} × {factor}")))
            .collect::<Vec<_>>()
            .join(", ");
        Ok(Some(note))
    }
}

/// The rollout burst: a shared egress limit and a maintenance window.
#[derive(Debug, Args, Default, Clone)]
pub struct BurstArgs {
    /// A shared limit every node pulls through (a NAT gateway, a registry mirror), in bytes or
    /// bits a second (1.25GB/s, 10Gbit/s, 10Gbps): adds each service's rollout burst
    #[arg(long, value_name = "RATE", allow_hyphen_values = true, value_parser = values::egress_limit)]
    pub egress_limit: Option<EgressLimit>,
    /// The maintenance window a rollout must fit in (15m, 1h): adds each service's rollout burst
    /// and whether it fits
    #[arg(long, value_name = "TIME", allow_hyphen_values = true, value_parser = values::duration)]
    pub window: Option<f64>,
}

impl BurstArgs {
    /// Whether the burst section was asked for.
    pub fn wanted(&self) -> bool {
        self.egress_limit.is_some() || self.window.is_some()
    }
}

/// The assumptions file and the assumption flags, one per entry of the assumptions table; each
/// report prints the values used and their origin.
#[derive(Debug, Clone, Default)]
pub struct AssumptionArgs {
    /// `--assumptions FILE`: a TOML file of assumption overrides.
    pub file: Option<PathBuf>,
    /// The values given as flags, already parsed.
    pub flags: Overrides,
}

/// The bundled pricing profiles, which `--pricing` names.
fn profiles() -> std::collections::BTreeMap<String, crate::model::assumptions::Profile> {
    Assumptions::defaults()
        .map(|a| a.profiles)
        .unwrap_or_default()
}

/// The flag of one assumption.
fn assumption_arg(assumption: &'static Assumption) -> Arg {
    let parser = move |text: &str| -> Result<Value, Refusal> {
        assumption
            .kind
            .parse(text, &profiles())
            .map_err(|refusal| refusal.example(assumption.example))
    };
    let arg = Arg::new(assumption.key)
        .long(assumption.flag.trim_start_matches('-'))
        .value_name(assumption.value_name)
        .help(assumption.help)
        .allow_hyphen_values(true)
        .value_parser(parser);
    match assumption.kind {
        Kind::Profile => arg.conflicts_with_all(
            ASSUMPTIONS
                .iter()
                .filter(|a| a.kind == Kind::TransferPrice)
                .map(|a| a.key),
        ),
        _ => arg,
    }
}

impl Args for AssumptionArgs {
    fn augment_args(command: clap::Command) -> clap::Command {
        let file = Arg::new("assumptions")
            .long("assumptions")
            .value_name("FILE")
            .help(
                "TOML file of assumption overrides (flat keys: compression_ratio, bandwidth, \
                 pricing, …)",
            )
            .value_parser(clap::value_parser!(PathBuf));
        ASSUMPTIONS
            .iter()
            .fold(command.arg(file), |command, assumption| {
                command.arg(assumption_arg(assumption))
            })
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

impl FromArgMatches for AssumptionArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut flags = Overrides::default();
        for assumption in ASSUMPTIONS {
            if let Some(value) = matches.get_one::<Value>(assumption.key) {
                flags.set(assumption, value.clone());
            }
        }
        Ok(AssumptionArgs {
            file: matches.get_one::<PathBuf>("assumptions").cloned(),
            flags,
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

/// A `--runtime` as given: a key of the runtime targets, or `None` for `other`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runtime(pub Option<crate::model::RuntimeKey>);

/// A `--runtime` key of the bundled targets (`other` for none).
fn runtime(text: &str) -> Result<Runtime, Refusal> {
    let targets =
        Targets::bundled().map_err(|e| Refusal::new("cannot be checked", e.to_string()))?;
    targets.resolve(text).map(Runtime)
}

/// A `--fail-on` severity.
fn severity(text: &str) -> Result<Severity, Refusal> {
    match text.trim().to_ascii_lowercase().as_str() {
        "error" => Ok(Severity::Error),
        "warning" => Ok(Severity::Warning),
        "info" => Ok(Severity::Info),
        _ => Err(Refusal::new("is not a severity", "error, warning or info").example("warning")),
    }
}

/// A `--marker` name.
fn marker(text: &str) -> Result<String, Refusal> {
    if markdown::valid_marker(text) {
        Ok(text.to_string())
    } else {
        Err(Refusal::new(
            "is not a marker name",
            "letters, digits, '-', '_', '.' or ':' (up to 64)",
        )
        .example("api-size"))
    }
}

/// The error to show for a clap error: a refused value gets fleetsave's message (the flag, the
/// quoted value, what is accepted and an example); `None` for clap's own errors (usage, help).
pub fn refused_value(error: &clap::Error) -> Option<Error> {
    if error.kind() != ErrorKind::ValueValidation {
        return None;
    }
    let refusal = std::error::Error::source(error)?.downcast_ref::<Refusal>()?;
    let text = |kind| match error.get(kind) {
        Some(ContextValue::String(text)) => Some(text.clone()),
        _ => None,
    };
    let arg = text(ContextKind::InvalidArg)?;
    let value = text(ContextKind::InvalidValue)?;
    let flag = arg.split([' ', '=']).next().unwrap_or(&arg);
    Some(Field::Flag(flag).refuse(&value, refusal.clone()))
}

/// Where and how the report is written.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Write to FILE (atomically) instead of stdout; `-` is stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Title of the report
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// Time of generation to print (RFC 3339); without it (or SOURCE_DATE_EPOCH) none is shown
    #[arg(long, value_name = "TIME", value_parser = values::time)]
    pub generated_at: Option<String>,
    /// Also write the charts as SVG files into DIR (created if missing); Markdown links them by
    /// this path, so give it relative to where the comment or page is read
    #[arg(long, value_name = "DIR")]
    pub charts_dir: Option<PathBuf>,
    /// Name in the Markdown comment's hidden marker `<!-- fleetsave:NAME -->` [default: the command]
    #[arg(long, value_name = "NAME", value_parser = marker)]
    pub marker: Option<String>,
}

/// How real images are read.
#[derive(Debug, Args, Default)]
pub struct ImageArgs {
    /// Platform to choose from an index or manifest list: OS/ARCH[/VARIANT] [default: linux/amd64]
    #[arg(long, value_name = "PLATFORM", value_parser = Platform::parse)]
    pub platform: Option<Platform>,
    /// Check every blob's sha256 against its digest (reads every byte)
    #[arg(long)]
    pub verify: bool,
    /// For image references: download the layers to measure their exact disk bytes (else only
    /// manifests and configs are fetched and disk bytes are estimated; --verify implies it)
    #[arg(long)]
    pub disk: bool,
    /// Registry host (HOST or HOST:PORT) that may be reached over plain HTTP or unverified TLS
    /// (loopback registries always may); repeatable
    #[arg(long, value_name = "HOST")]
    pub insecure_registry: Vec<String>,
    /// User name for the registries read from (else ~/.docker/config.json, else anonymous)
    #[arg(
        long,
        value_name = "USER",
        env = "REGISTRY_USERNAME",
        requires = "registry_password"
    )]
    pub registry_username: Option<String>,
    /// Password or token for --registry-username (prefer the environment variable)
    #[arg(
        long,
        value_name = "PASSWORD",
        env = "REGISTRY_PASSWORD",
        hide_env_values = true,
        requires = "registry_username"
    )]
    pub registry_password: Option<Secret>,
    /// Registry host the --registry-username credentials are for (as in docker login HOST);
    /// repeatable. Without one they go only to registries named on the command line
    #[arg(
        long,
        value_name = "HOST",
        env = "REGISTRY_HOST",
        value_delimiter = ',',
        value_parser = registry::scope
    )]
    pub registry_auth: Vec<String>,
    /// Seconds one manifest, token or config request to a registry may take, retries included
    /// [default: 60]
    #[arg(long, value_name = "SECONDS", value_parser = registry::timeout)]
    pub timeout: Option<std::time::Duration>,
    /// PEM file of certificate authorities to trust for registries, besides the system's store
    /// (which SSL_CERT_FILE and SSL_CERT_DIR replace); repeatable
    #[arg(long, value_name = "PATH", value_parser = registry::ca_file)]
    pub ca_file: Vec<registry::CaFile>,
    /// Stop with exit 2 once the layers read unpack to more than SIZE (500MB, 20GiB): a guard
    /// against decompression bombs and enormous inputs [default: no limit]
    #[arg(long, value_name = "SIZE", allow_hyphen_values = true, value_parser = values::size)]
    pub max_read: Option<u64>,
}

/// Inputs of the layer-aware (expected) figure for one service.
#[derive(Debug, Args, Default)]
pub struct LayeringArgs {
    /// The base image the service builds on: its layers are refreshed, not moved by deploys
    #[arg(long, value_name = "SRC")]
    pub base_image: Option<PathBuf>,
    /// The previous build of the before image: a deploy moves the blobs it lacks
    #[arg(long, value_name = "SRC")]
    pub before_prev_image: Option<PathBuf>,
    /// The previous build of the after image
    #[arg(long, value_name = "SRC", alias = "previous")]
    pub after_prev_image: Option<PathBuf>,
}

impl LayeringArgs {
    /// The image sources given (files or references).
    pub fn sources(&self) -> impl Iterator<Item = &PathBuf> {
        [
            &self.base_image,
            &self.before_prev_image,
            &self.after_prev_image,
        ]
        .into_iter()
        .flatten()
    }
}

#[derive(Debug, Args)]
pub struct CalcArgs {
    /// Image size before slimming (500MB, 1.2 GiB, 43188023 bytes)
    #[arg(
        long,
        value_name = "SIZE",
        allow_hyphen_values = true,
        required_unless_present = "before_image",
        conflicts_with = "before_image",
        value_parser = values::size
    )]
    pub before: Option<u64>,
    /// Image size after slimming
    #[arg(
        long,
        value_name = "SIZE",
        allow_hyphen_values = true,
        required_unless_present = "after_image",
        conflicts_with = "after_image",
        value_parser = values::size
    )]
    pub after: Option<u64>,
    /// The image before slimming, read from a manifest, layout, archive or image reference
    /// (instead of --before)
    #[arg(long, value_name = "SRC")]
    pub before_image: Option<PathBuf>,
    /// The image after slimming (instead of --after)
    #[arg(long, value_name = "SRC")]
    pub after_image: Option<PathBuf>,
    #[command(flatten)]
    pub image: ImageArgs,
    #[command(flatten)]
    pub layering: LayeringArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
    #[command(flatten)]
    pub scale: ScaleArgs,
    #[command(flatten)]
    pub burst: BurstArgs,
    /// Whether the sizes are unpacked (disk, as docker images shows) or compressed (wire)
    #[arg(long, value_name = "BASIS", default_value = "disk", value_parser = values::basis)]
    pub basis: Basis,
    /// Runtime, to judge the after size against its target: go, python, node, java,
    /// java-jlink, other
    #[arg(long, value_name = "KEY", value_parser = runtime)]
    pub runtime: Option<Runtime>,
    #[command(flatten)]
    pub assumptions: AssumptionArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct TargetsArgs {
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: TargetsFormat,
}

/// In `report` the fleet flags fill empty cells only: their help says so.
#[derive(Debug, Args)]
#[command(
    mut_arg("services", |arg| arg.help(
        "Services for rows with an empty 'services' cell [default: the file's [defaults], else 1]"
    )),
    mut_arg("nodes", |arg| arg.help(
        "Nodes (or 'all') for rows with an empty 'nodes' cell [default: the file's [defaults], \
         else 1]"
    )),
    mut_arg("deploys_per_day", |arg| arg.help(
        "Deploys (10 a day, 0.5, 3/week, 20/month) for rows with an empty 'deploys_per_day' \
         cell [default: the file's [defaults], else 1]"
    )),
)]
pub struct ReportArgs {
    /// Inventory file: CSV with a header row, or TOML (`.toml`); `-` reads CSV from stdin
    #[arg(value_name = "INVENTORY")]
    pub inventory: PathBuf,
    #[command(flatten)]
    pub image: ImageArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
    #[command(flatten)]
    pub scale: ScaleArgs,
    #[command(flatten)]
    pub burst: BurstArgs,
    /// Basis of sizes in rows without a `basis` cell: disk or wire [default: disk]
    #[arg(long, value_name = "BASIS", value_parser = values::basis)]
    pub basis: Option<Basis>,
    /// For rows whose after_image is a registry repository without tag: read its N most recently
    /// created builds and show their size trend (a sparkline per service)
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = values::count)]
    pub history: Option<u64>,
    #[command(flatten)]
    pub assumptions: AssumptionArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `forecast`: the fleet flags fill empty cells, as in `report`.
#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// Inventory file: CSV with a header row, or TOML (`.toml`, which may hold [cluster] and
    /// [[scenario]] tables); `-` reads CSV from stdin
    #[arg(value_name = "INVENTORY")]
    pub inventory: PathBuf,
    /// Months to project [default: 12]
    #[arg(long, value_name = "N", default_value = "12", value_parser = months)]
    pub months: u32,
    /// A scenario in the compact form (repeatable), beside the file's [[scenario]] tables:
    /// 'growth: cluster=40..120, deploys=x2 step@6, new_services=1'
    #[arg(long, value_name = "SCENARIO", value_parser = scenario)]
    pub scenario: Vec<ScenarioSpec>,
    #[command(flatten)]
    pub image: ImageArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// Basis of sizes in rows without a `basis` cell: disk or wire [default: disk]
    #[arg(long, value_name = "BASIS", value_parser = values::basis)]
    pub basis: Option<Basis>,
    #[command(flatten)]
    pub burst: BurstArgs,
    #[command(flatten)]
    pub assumptions: AssumptionArgs,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: ForecastFormat,
    /// Write to FILE (atomically) instead of stdout; `-` is stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Title of the report
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// Time of generation to print (RFC 3339); without it (or SOURCE_DATE_EPOCH) none is shown
    #[arg(long, value_name = "TIME", value_parser = values::time)]
    pub generated_at: Option<String>,
}

/// Months of a forecast: 1 to 120.
fn months(text: &str) -> Result<u32, Refusal> {
    values::whole(text, 1..=120, "months")
        .map(|months| months as u32)
        .map_err(|refusal| refusal.example("12"))
}

/// A `--scenario` in the compact form.
fn scenario(text: &str) -> Result<ScenarioSpec, Refusal> {
    crate::model::scenario::parse_compact(text)
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Image sources: manifest JSON, OCI layout directory, oci-archive or docker save tarball
    /// (PATH:TAG picks one image of several), docker inspect JSON, or an image reference
    /// ([REGISTRY/]REPO[:TAG|@DIGEST], or docker://…; an existing path always means a file)
    #[arg(value_name = "SRC", required = true)]
    pub sources: Vec<PathBuf>,
    #[command(flatten)]
    pub image: ImageArgs,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: InspectFormat,
    /// Write to FILE (atomically) instead of stdout; `-` is stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Compressed ÷ unpacked size, to estimate the size a source does not tell [default: 0.37]
    #[arg(long, value_name = "RATIO", allow_hyphen_values = true, value_parser = values::ratio)]
    pub compression_ratio: Option<Ratio>,
}

#[derive(Debug, Args)]
pub struct LayersArgs {
    /// Image source: OCI layout directory, oci-archive, docker save tarball (PATH:TAG picks one
    /// image of several), or an image reference (every layer is downloaded)
    #[arg(value_name = "SRC")]
    pub source: PathBuf,
    #[command(flatten)]
    pub image: ImageArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// The base image SRC builds on: layers it shares (same digest) are marked, and move only
    /// on base refreshes in the expected figures
    #[arg(long, value_name = "SRC")]
    pub base_image: Option<PathBuf>,
    #[command(flatten)]
    pub assumptions: AssumptionArgs,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: LayersFormat,
    /// Write to FILE (atomically) instead of stdout; `-` is stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// A registry repository without tag (ghcr.io/org/app: its tags, ordered by the configs'
    /// created times), or image sources in order, oldest first (files, directories, PATH:TAG,
    /// references with a tag)
    #[arg(value_name = "SRC", required = true)]
    pub sources: Vec<PathBuf>,
    /// Only the repository's tags that match REGEX (anywhere in the tag: anchor with ^…$)
    #[arg(long, value_name = "REGEX", value_parser = values::tag_pattern)]
    pub tags: Option<regex::Regex>,
    /// Keep the N most recently created matching tags
    #[arg(long, value_name = "N", default_value = "30", allow_hyphen_values = true, value_parser = values::count)]
    pub last: u64,
    /// The base image the builds start from: a base change is a change of its number of bottom
    /// layers (else of the bottom layer)
    #[arg(long, value_name = "SRC")]
    pub base_image: Option<PathBuf>,
    /// Runtime whose target band the size chart shows: go, python, node, java, java-jlink
    #[arg(long, value_name = "KEY", value_parser = runtime)]
    pub runtime: Option<Runtime>,
    /// Write the measured parameters as an assumptions TOML file (for --assumptions)
    #[arg(long, value_name = "FILE")]
    pub write_assumptions: Option<PathBuf>,
    #[command(flatten)]
    pub image: ImageArgs,
    #[command(flatten)]
    pub assumptions: AssumptionArgs,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: HistoryFormat,
    /// Write to FILE (atomically) instead of stdout; `-` is stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Title of the report
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// Time of generation to print (RFC 3339); without it (or SOURCE_DATE_EPOCH) none is shown
    #[arg(long, value_name = "TIME", value_parser = values::time)]
    pub generated_at: Option<String>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The Dockerfile to audit
    #[arg(value_name = "DOCKERFILE")]
    pub dockerfile: PathBuf,
    /// The image built from it, to price each finding with the bytes found in the layer its
    /// instruction made: OCI layout directory, oci-archive, docker save tarball (PATH:TAG), or an
    /// image reference (every layer is downloaded)
    #[arg(long = "image", value_name = "SRC")]
    pub source: Option<PathBuf>,
    #[command(flatten)]
    pub image: ImageArgs,
    /// The build context: its .dockerignore is looked for and its size measured [default: the
    /// Dockerfile's directory, size not measured]
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,
    /// Runtime whose target size the estimates are taken of, without --image [default: guessed
    /// from the final stage's base image]
    #[arg(long, value_name = "KEY", value_parser = runtime)]
    pub runtime: Option<Runtime>,
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// Exit 1 when a finding is at least this severe: error, warning or info
    #[arg(long, value_name = "SEVERITY", value_parser = severity)]
    pub fail_on: Option<Severity>,
    /// Exit 1 when the recoverable bytes (the total's low end) are above SIZE
    #[arg(long, value_name = "SIZE", allow_hyphen_values = true, value_parser = values::size)]
    pub max_recoverable: Option<u64>,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: AuditFormat,
    /// Write to FILE (atomically) instead of stdout; `-` is stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The image before (e.g. the main branch's)
    #[arg(value_name = "BEFORE_SRC")]
    pub before: PathBuf,
    /// The image after (e.g. the pull request's)
    #[arg(value_name = "AFTER_SRC")]
    pub after: PathBuf,
    #[command(flatten)]
    pub image: ImageArgs,
    #[command(flatten)]
    pub layering: LayeringArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// Runtime, to judge the after image against its target
    #[arg(long, value_name = "KEY", value_parser = runtime)]
    pub runtime: Option<Runtime>,
    /// Name of the new image in the report [default: AFTER_SRC as given]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Name of the old image in the report [default: BEFORE_SRC as given]
    #[arg(long, value_name = "NAME")]
    pub before_name: Option<String>,
    /// The gate, as in `check`, on the new image with the old one as its baseline: the verdict
    /// leads the comment and a broken fail-level rule makes the exit code 1
    #[command(flatten)]
    pub gate: GateArgs,
    #[command(flatten)]
    pub assumptions: AssumptionArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The CI gate's rules: budgets and growth limits, failing or warning.
#[derive(Debug, Args, Default)]
pub struct GateArgs {
    /// Fail when the image is larger: a size, or `target` for the runtime target's high end
    #[arg(long, value_name = "SIZE|target", allow_hyphen_values = true, value_parser = values::budget)]
    pub budget: Option<Budget>,
    /// Warn (exit 0) when the image is larger: a size, or `target`
    #[arg(long, value_name = "SIZE|target", allow_hyphen_values = true, value_parser = values::budget)]
    pub warn_budget: Option<Budget>,
    /// Fail when the image grew by more than PCT of the baseline AND more than SIZE
    /// (`5%` alone: a floor of 0)
    #[arg(long, value_name = "PCT[,SIZE]", allow_hyphen_values = true, value_parser = values::growth)]
    pub max_growth: Option<GrowthLimit>,
    /// Warn when the image grew by more than PCT AND more than SIZE
    #[arg(long, value_name = "PCT[,SIZE]", allow_hyphen_values = true, value_parser = values::growth)]
    pub warn_growth: Option<GrowthLimit>,
    /// Report broken rules as warnings and exit 0
    #[arg(long)]
    pub warn_only: bool,
}

impl GateArgs {
    /// Whether any rule was given.
    pub fn any(&self) -> bool {
        self.budget.is_some()
            || self.warn_budget.is_some()
            || self.max_growth.is_some()
            || self.warn_growth.is_some()
    }
}

/// dive's CI rules, on the image's files as dive counts them: each a threshold or `disabled`.
#[derive(Debug, Args, Default)]
pub struct DiveArgs {
    /// Read dive's rules from its CI file (YAML, `rules:` with dive's keys); a rule the file
    /// leaves out takes dive's default, and a flag below overrides the file's rule
    #[arg(long, value_name = "FILE")]
    pub dive_ci: Option<PathBuf>,
    /// Fail when dive's efficiency is below RATIO (0–1, e.g. 0.9)
    #[arg(long, value_name = "RATIO", allow_hyphen_values = true, value_parser = dive::efficiency_limit)]
    pub lowest_efficiency: Option<Limit>,
    /// Warn when dive's efficiency is below RATIO
    #[arg(long, value_name = "RATIO", allow_hyphen_values = true, value_parser = dive::efficiency_limit)]
    pub warn_lowest_efficiency: Option<Limit>,
    /// Fail when dive's wasted bytes are above SIZE (as dive reads it: 20MB, 20Mb = 20,000,000)
    #[arg(long, value_name = "SIZE", allow_hyphen_values = true, value_parser = dive::wasted_bytes_limit)]
    pub highest_wasted_bytes: Option<Limit>,
    /// Warn when dive's wasted bytes are above SIZE
    #[arg(long, value_name = "SIZE", allow_hyphen_values = true, value_parser = dive::wasted_bytes_limit)]
    pub warn_highest_wasted_bytes: Option<Limit>,
    /// Fail when wasted bytes ÷ bytes of every layer but the first are above RATIO (0–1)
    #[arg(long, value_name = "RATIO", allow_hyphen_values = true, value_parser = dive::user_wasted_limit)]
    pub highest_user_wasted_percent: Option<Limit>,
    /// Warn when wasted bytes ÷ bytes of every layer but the first are above RATIO
    #[arg(long, value_name = "RATIO", allow_hyphen_values = true, value_parser = dive::user_wasted_limit)]
    pub warn_highest_user_wasted_percent: Option<Limit>,
    /// Fail when the leftovers of the final filesystem (package caches and lists, language
    /// caches, toolchains, docs: data/leftovers.csv) are above SIZE of file content
    #[arg(long, value_name = "SIZE", allow_hyphen_values = true, value_parser = values::size)]
    pub max_leftovers: Option<u64>,
    /// Warn when the leftovers are above SIZE
    #[arg(long, value_name = "SIZE", allow_hyphen_values = true, value_parser = values::size)]
    pub warn_max_leftovers: Option<u64>,
}

impl DiveArgs {
    /// Whether a leftovers limit was given.
    pub fn leftovers(&self) -> bool {
        self.max_leftovers.is_some() || self.warn_max_leftovers.is_some()
    }

    /// Whether any of dive's rules was asked for.
    pub fn any(&self) -> bool {
        self.dive_ci.is_some()
            || [
                &self.lowest_efficiency,
                &self.warn_lowest_efficiency,
                &self.highest_wasted_bytes,
                &self.warn_highest_wasted_bytes,
                &self.highest_user_wasted_percent,
                &self.warn_highest_user_wasted_percent,
            ]
            .iter()
            .any(|flag| flag.is_some())
    }

    /// The flag of `rule` at `level`, with its name.
    pub fn flag(&self, rule: DiveRule, level: Level) -> (&Option<Limit>, &'static str) {
        match (rule, level) {
            (DiveRule::LowestEfficiency, Level::Fail) => {
                (&self.lowest_efficiency, "--lowest-efficiency")
            }
            (DiveRule::LowestEfficiency, Level::Warn) => {
                (&self.warn_lowest_efficiency, "--warn-lowest-efficiency")
            }
            (DiveRule::HighestWastedBytes, Level::Fail) => {
                (&self.highest_wasted_bytes, "--highest-wasted-bytes")
            }
            (DiveRule::HighestWastedBytes, Level::Warn) => (
                &self.warn_highest_wasted_bytes,
                "--warn-highest-wasted-bytes",
            ),
            (DiveRule::HighestUserWastedPercent, Level::Fail) => (
                &self.highest_user_wasted_percent,
                "--highest-user-wasted-percent",
            ),
            (DiveRule::HighestUserWastedPercent, Level::Warn) => (
                &self.warn_highest_user_wasted_percent,
                "--warn-highest-user-wasted-percent",
            ),
        }
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The image to check: manifest, layout, archive, docker inspect JSON or image reference (or
    /// give --size)
    #[arg(value_name = "SRC", conflicts_with_all = ["size", "inventory"])]
    pub source: Option<PathBuf>,
    #[command(flatten)]
    pub image: ImageArgs,
    /// The image size to check (500MB, 1.2 GiB, bytes)
    #[arg(
        long,
        value_name = "SIZE",
        allow_hyphen_values = true,
        conflicts_with = "inventory",
        value_parser = values::size
    )]
    pub size: Option<u64>,
    /// Check every service of an inventory (its after size, or before for a plan) with the
    /// `budget` column as each one's budget
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
    /// Name of the image in the output [default: image]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The basis of typed sizes and of byte budgets and growth limits: disk (unpacked) or wire
    /// (compressed) [default: typed sizes disk; images their measured basis, wire for manifests
    /// and registries]
    #[arg(long, value_name = "BASIS", value_parser = values::basis)]
    pub basis: Option<Basis>,
    /// Runtime, for `--budget target`: go, python, node, java, java-jlink
    #[arg(long, value_name = "KEY", value_parser = runtime)]
    pub runtime: Option<Runtime>,
    #[command(flatten)]
    pub gate: GateArgs,
    #[command(flatten)]
    pub dive: DiveArgs,
    /// What to measure growth against (e.g. the main branch's image): an image source or a
    /// size; an existing path always means a file
    #[arg(long, value_name = "SRC|SIZE", allow_hyphen_values = true)]
    pub baseline: Option<String>,
    /// Compressed ÷ unpacked size, to judge a wire size against a disk target [default: 0.37]
    #[arg(long, value_name = "RATIO", allow_hyphen_values = true, value_parser = values::ratio)]
    pub compression_ratio: Option<Ratio>,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: CheckFormat,
    /// Write to FILE (atomically) instead of stdout; `-` is stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Name in the Markdown comment's hidden marker [default: check]
    #[arg(long, value_name = "NAME", value_parser = marker)]
    pub marker: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
