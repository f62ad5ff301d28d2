//! Validated options: the clap mirror of [`crate::cli`] turned into checked values. Every bad
//! value is refused here with a message that names the flag and quotes the value; nothing after
//! this module sees clap or an unchecked string.
//!
//! This module holds what every command shares (counts, sizes, the fleet shape, output, image
//! reading); each command's own validation is in a submodule named after it.

mod assumption_flags;
mod calc;
mod check;
mod compare;
mod report;

pub use assumption_flags::assumptions;
pub use calc::{CalcOptions, calc};
pub use check::{CheckOptions, check};
pub use compare::{CompareOptions, compare, inspect};
pub use report::{ReportOptions, report};

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use crate::calc::targets::Targets;
use crate::cli::{FleetArgs, ImageArgs, OutputArgs};
use crate::error::Error;
use crate::input::image::{Platform, ReadLimit, ReadOptions};
use crate::input::registry::{self, Client, CredentialSource, Credentials, RegistryOptions};
use crate::input::sources::SourceOptions;
use crate::model::{FleetShape, ImageSize};
use crate::render::markdown::{self, MarkdownOptions};
use crate::render::{Format, RenderOptions};
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
                explicit_for: registry::scope_flag(&args.registry_auth)?,
                docker_config_dir: CredentialSource::docker_config_dir_from_env(),
            },
            insecure_hosts: args.insecure_registry.clone(),
            disk: args.disk,
            timeout: registry::timeout_flag(args.timeout.as_deref())?,
        })),
    })
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
