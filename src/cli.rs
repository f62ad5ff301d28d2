//! The command line as clap sees it: a faithful mirror of the flags, nothing validated beyond
//! their shape. [`crate::options`] turns it into checked options; completions and the man page
//! are generated from these definitions.
//!
//! Values that need checking (sizes, counts, rates) are taken as strings and accept a leading
//! `-`, so that `--nodes -3` reaches fleetsave's own validation and gets its message.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::input::registry::Secret;
use crate::render::Format;
use crate::render::check::CheckFormat;
use crate::render::inspect::InspectFormat;
use crate::render::targets::TargetsFormat;

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
    /// Sizes and layers of real images: manifests, OCI layouts, oci-archives, docker save
    /// tarballs, docker inspect output.
    Inspect(Box<InspectArgs>),
    /// Savings of moving from one real image to another across a fleet, and the layers they share.
    Compare(Box<CompareArgs>),
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

/// How many pulls a service stands for.
#[derive(Debug, Args, Default)]
pub struct FleetArgs {
    /// Distinct services of this size [default: 1]
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub services: Option<String>,
    /// Nodes that pull the image on each deploy [default: 1]
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub nodes: Option<String>,
    /// Deploys of each service per day [default: 1]
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub deploys_per_day: Option<String>,
}

/// Overrides of the assumptions (SPEC §3); each report prints the values used and their origin.
#[derive(Debug, Args, Default)]
pub struct AssumptionArgs {
    /// TOML file of assumption overrides (flat keys: compression_ratio, bandwidth, pricing, …)
    #[arg(long, value_name = "FILE")]
    pub assumptions: Option<PathBuf>,
    /// Compressed ÷ unpacked size, for estimating one basis from the other [default: 0.37]
    #[arg(long, value_name = "RATIO", allow_hyphen_values = true)]
    pub compression_ratio: Option<String>,
    /// Download speed of one pull [default: 125MB/s]
    #[arg(long, value_name = "RATE", allow_hyphen_values = true)]
    pub bandwidth: Option<String>,
    /// Unpacked bytes extracted per second [default: 100MB/s]
    #[arg(long, value_name = "RATE", allow_hyphen_values = true)]
    pub extract_rate: Option<String>,
    /// Transfer price profile: nat-gateway, same-region, vpc-endpoint, cross-region, internet
    /// [default: nat-gateway]
    #[arg(long, value_name = "PROFILE", conflicts_with = "price_per_gb")]
    pub pricing: Option<String>,
    /// Transfer price per GB (instead of a profile)
    #[arg(long, value_name = "PRICE", allow_hyphen_values = true)]
    pub price_per_gb: Option<String>,
    /// Tags kept per service in the registry, for storage saved [default: 10]
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub retained_tags: Option<String>,
    /// Registry storage price per GB-month [default: 0.10]
    #[arg(long, value_name = "PRICE", allow_hyphen_values = true)]
    pub registry_storage_price: Option<String>,
    /// Days of deploys per year [default: 365]
    #[arg(long, value_name = "DAYS", allow_hyphen_values = true)]
    pub days_per_year: Option<String>,
    /// Engineering hours spent or planned on the slimming, for the payback
    #[arg(long, value_name = "HOURS", allow_hyphen_values = true)]
    pub effort_hours: Option<String>,
    /// Cost of one engineering hour, for the payback
    #[arg(long, value_name = "PRICE", allow_hyphen_values = true)]
    pub hourly_rate: Option<String>,
    /// Days between base-image refreshes, for the expected (layer cache) figure [default: 7]
    #[arg(long, value_name = "DAYS", allow_hyphen_values = true)]
    pub base_refresh_days: Option<String>,
    /// Share of a base image's bytes a refresh moves [default: 0.7]
    #[arg(long, value_name = "FRACTION", allow_hyphen_values = true)]
    pub base_refresh_fraction: Option<String>,
    /// New nodes a day per node pool: a share of the pool's nodes (5%) or a count (2) [default: 5%]
    #[arg(long, value_name = "N|PCT", allow_hyphen_values = true)]
    pub new_nodes_per_day: Option<String>,
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
    #[arg(long, value_name = "TIME")]
    pub generated_at: Option<String>,
    /// Also write the charts as SVG files into DIR (created if missing); Markdown links them by
    /// this path, so give it relative to where the comment or page is read
    #[arg(long, value_name = "DIR")]
    pub charts_dir: Option<PathBuf>,
    /// Name in the Markdown comment's hidden marker `<!-- fleetsave:NAME -->` [default: the command]
    #[arg(long, value_name = "NAME")]
    pub marker: Option<String>,
}

/// How real images are read.
#[derive(Debug, Args, Default)]
pub struct ImageArgs {
    /// Platform to choose from an index or manifest list: OS/ARCH[/VARIANT] [default: linux/amd64]
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<String>,
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
        value_delimiter = ','
    )]
    pub registry_auth: Vec<String>,
    /// Seconds one manifest, token or config request to a registry may take, retries included
    /// [default: 60]
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<String>,
    /// Stop with exit 2 once the layers read unpack to more than SIZE (500MB, 20GiB): a guard
    /// against decompression bombs and enormous inputs [default: no limit]
    #[arg(long, value_name = "SIZE", allow_hyphen_values = true)]
    pub max_read: Option<String>,
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
    /// What every deploy changes, when no layers tell: a size (40MB) or a share (30%)
    #[arg(long, value_name = "SIZE|PCT")]
    pub changed_per_deploy: Option<String>,
}

#[derive(Debug, Args)]
pub struct CalcArgs {
    /// Image size before slimming (500MB, 1.2 GiB, 43188023 bytes)
    #[arg(
        long,
        value_name = "SIZE",
        allow_hyphen_values = true,
        required_unless_present = "before_image",
        conflicts_with = "before_image"
    )]
    pub before: Option<String>,
    /// Image size after slimming
    #[arg(
        long,
        value_name = "SIZE",
        allow_hyphen_values = true,
        required_unless_present = "after_image",
        conflicts_with = "after_image"
    )]
    pub after: Option<String>,
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
    /// Whether the sizes are unpacked (disk, as docker images shows) or compressed (wire)
    #[arg(long, value_name = "BASIS", default_value = "disk")]
    pub basis: String,
    /// Runtime, to judge the after size against its target: go, python, node, java,
    /// java-jlink, other
    #[arg(long, value_name = "KEY")]
    pub runtime: Option<String>,
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

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Inventory file: CSV with a header row, or TOML (`.toml`); `-` reads CSV from stdin
    #[arg(value_name = "INVENTORY")]
    pub inventory: PathBuf,
    #[command(flatten)]
    pub image: ImageArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// Basis of sizes in rows without a `basis` cell: disk or wire [default: disk]
    #[arg(long, value_name = "BASIS")]
    pub basis: Option<String>,
    #[command(flatten)]
    pub assumptions: AssumptionArgs,
    #[command(flatten)]
    pub output: OutputArgs,
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
    #[arg(long, value_name = "RATIO", allow_hyphen_values = true)]
    pub compression_ratio: Option<String>,
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
    #[arg(long, value_name = "KEY")]
    pub runtime: Option<String>,
    #[command(flatten)]
    pub assumptions: AssumptionArgs,
    #[command(flatten)]
    pub output: OutputArgs,
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
        conflicts_with = "inventory"
    )]
    pub size: Option<String>,
    /// Check every service of an inventory (its after size, or before for a plan) with the
    /// `budget` column as each one's budget
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
    /// Name of the image in the output [default: image]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Whether sizes are unpacked (disk) or compressed (wire)
    #[arg(long, value_name = "BASIS", default_value = "disk")]
    pub basis: String,
    /// Runtime, for `--budget target`: go, python, node, java, java-jlink
    #[arg(long, value_name = "KEY")]
    pub runtime: Option<String>,
    /// Fail when the image is larger: a size, or `target` for the runtime target's high end
    #[arg(long, value_name = "SIZE|target", allow_hyphen_values = true)]
    pub budget: Option<String>,
    /// Warn (exit 0) when the image is larger: a size, or `target`
    #[arg(long, value_name = "SIZE|target", allow_hyphen_values = true)]
    pub warn_budget: Option<String>,
    /// What to measure growth against (e.g. the main branch's image): an image source or a
    /// size; an existing path always means a file
    #[arg(long, value_name = "SRC|SIZE", allow_hyphen_values = true)]
    pub baseline: Option<String>,
    /// Fail when the image grew by more than PCT of the baseline AND more than SIZE
    /// (`5%` alone: a floor of 0)
    #[arg(long, value_name = "PCT[,SIZE]", allow_hyphen_values = true)]
    pub max_growth: Option<String>,
    /// Warn when the image grew by more than PCT AND more than SIZE
    #[arg(long, value_name = "PCT[,SIZE]", allow_hyphen_values = true)]
    pub warn_growth: Option<String>,
    /// Report broken rules as warnings and exit 0
    #[arg(long)]
    pub warn_only: bool,
    /// Compressed ÷ unpacked size, to judge a wire size against a disk target [default: 0.37]
    #[arg(long, value_name = "RATIO", allow_hyphen_values = true)]
    pub compression_ratio: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: CheckFormat,
    /// Write to FILE (atomically) instead of stdout; `-` is stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Name in the Markdown comment's hidden marker [default: check]
    #[arg(long, value_name = "NAME")]
    pub marker: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
