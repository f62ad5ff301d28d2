//! Publishing a report: where and how it is written (format, file, title, time of generation),
//! then build → render → write, with the charts as SVG files when asked.

use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use crate::args::{BurstArgs, OutputArgs};
use crate::calc::targets::Targets;
use crate::calc::techniques;
use crate::error::Error;
use crate::model::Service;
use crate::model::assumptions::Assumptions;
use crate::model::values::{Field, Refusal};
use crate::output;
use crate::render::charts::ChartView;
use crate::render::markdown::MarkdownOptions;
use crate::render::{self, Format, RenderOptions};
use crate::report::check::CheckReport;
use crate::report::{self, BuildInput, Command, CompareView};

use super::Environment;

/// The last second of year 9999, the latest time RFC 3339 can write.
const LAST_RFC3339_SECOND: u64 = 253_402_300_799;

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

/// The time of generation: `given` (`--generated-at`), else `SOURCE_DATE_EPOCH`, else none.
pub fn generated_at(
    given: Option<&String>,
    environment: &Environment,
) -> Result<Option<String>, Error> {
    Ok(match (given, environment.source_date_epoch.as_deref()) {
        (Some(time), _) => Some(time.clone()),
        (None, Some(epoch)) if !epoch.trim().is_empty() => {
            let seconds = Field::Flag("SOURCE_DATE_EPOCH").read(epoch, |text| {
                text.trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|seconds| *seconds <= LAST_RFC3339_SECOND)
                    .ok_or_else(|| {
                        Refusal::new(
                            "is not a time",
                            "whole seconds since 1970, before the year 10000",
                        )
                        .example("1764230400")
                    })
            })?;
            let time = UNIX_EPOCH + Duration::from_secs(seconds);
            Some(humantime::format_rfc3339_seconds(time).to_string())
        }
        _ => None,
    })
}

/// Output options; the time of generation is `--generated-at`, else `SOURCE_DATE_EPOCH`.
pub fn output_options(
    args: &OutputArgs,
    environment: &Environment,
) -> Result<OutputOptions, Error> {
    let generated_at = generated_at(args.generated_at.as_ref(), environment)?;
    Ok(OutputOptions {
        format: args.format,
        path: args.output.clone().filter(|path| path.as_os_str() != "-"),
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

/// What a report is about.
pub struct Subject<'a> {
    pub command: Command,
    pub default_title: &'a str,
    /// The default title when the images grew in total.
    pub growth_title: &'a str,
    pub services: &'a [Service],
    pub assumptions: &'a Assumptions,
    pub compare: Option<CompareView>,
    /// `compare`'s gate verdict, shown with the report.
    pub gate: Option<CheckReport>,
    /// Every file the report was read from: the report and charts may not be written over one.
    pub inputs: &'a [PathBuf],
    /// `report --history N`: the services' last builds.
    pub trends: Vec<report::ServiceTrend>,
    /// `--egress-limit`, `--window`: the rollout bursts, when asked for.
    pub burst: Option<&'a BurstArgs>,
}

/// The default and growth titles, with the scenario named when one scaled the fleet:
/// `… (scenario: nodes × 3, deploys × 2)`.
pub fn scenario_titles(default: &str, growth: &str, scenario: Option<&str>) -> (String, String) {
    match scenario {
        Some(scenario) => (
            format!("{default} (scenario: {scenario})"),
            format!("{growth} (scenario: {scenario})"),
        ),
        None => (default.to_string(), growth.to_string()),
    }
}

/// Builds the report, renders it and writes it where `output` says.
pub fn publish(subject: Subject<'_>, output: &OutputOptions) -> Result<i32, Error> {
    let targets = Targets::bundled()?;
    let techniques = techniques::bundled()?;
    let (mut report, rows) = report::build_deferred(BuildInput {
        command: subject.command,
        title: output
            .title
            .clone()
            .unwrap_or_else(|| subject.default_title.to_string()),
        generated_at: output.generated_at.clone(),
        services: subject.services,
        assumptions: subject.assumptions,
        targets: &targets,
        techniques: &techniques,
        compare: subject.compare,
    })?;
    // A large report's compact JSON makes its rows as it writes them, so they are never all
    // held; every other output (and the charts) reads them from the report.
    let rows_as_written = output.format == Format::Json
        && output.charts_dir.is_none()
        && rows.len() > render::json::PRETTY_ROWS;
    if !rows_as_written {
        report.services = rows.all()?;
    }
    report.gate = subject.gate;
    report.trends = subject.trends;
    report.bursts = subject.burst.filter(|burst| burst.wanted()).map(|burst| {
        report::burst::bursts(
            subject.services,
            subject.assumptions,
            burst.egress_limit.as_ref(),
            burst.window,
        )
    });
    if output.title.is_none() && report.totals.growth {
        report.title = subject.growth_title.to_string();
    }
    let charts = match &output.charts_dir {
        Some(directory) => render::charts::chart_views(&report)?
            .into_iter()
            .map(|chart| (directory.join(format!("{}.svg", chart.id)), chart))
            .collect(),
        None => Vec::new(),
    };
    // Nothing is written when any file would replace an input.
    if let Some(path) = &output.path {
        output::refuse_inputs("--output", path, subject.inputs)?;
    }
    for (path, _) in &charts {
        output::refuse_inputs("--charts-dir", path, subject.inputs)?;
    }
    let mut render_options = output.render.clone();
    if let Some(directory) = &output.charts_dir {
        render_options.markdown.chart_links = write_charts(directory, charts)?;
    }
    if output.format == Format::Json {
        output::write_with(output.path.as_deref(), |out| match rows_as_written {
            true => render::json::write_deferred(&report, &rows, out),
            false => render::json::write(&report, out),
        })?;
    } else {
        let rendered = render::render(&report, output.format, &render_options)?;
        output::write(output.path.as_deref(), rendered.as_bytes())?;
    }
    // Published is the end of a run: the process exit gives its memory back at once, where
    // freeing a large report's rows one by one took a twentieth of its time (issue 20).
    std::mem::forget((report, rows));
    Ok(0)
}

/// Writes the report's charts, each to its path in `directory`, as SVG files; returns (title,
/// path) to link.
fn write_charts(
    directory: &Path,
    charts: Vec<(PathBuf, ChartView)>,
) -> Result<Vec<(String, String)>, Error> {
    output::refuse_planted_symlink(directory)
        .and_then(|()| std::fs::create_dir_all(directory))
        .map_err(|source| Error::Write {
            path: directory.to_path_buf(),
            source,
        })?;
    let mut links = Vec::new();
    for (path, chart) in charts {
        output::write(Some(&path), chart.svg.as_bytes())?;
        links.push((chart.title, path.to_string_lossy().replace('\\', "/")));
    }
    Ok(links)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> OutputArgs {
        OutputArgs {
            format: Format::Json,
            output: Some(PathBuf::from("-")),
            title: None,
            generated_at: None,
            marker: None,
            charts_dir: None,
        }
    }

    fn with_epoch(epoch: &str) -> Environment {
        Environment {
            source_date_epoch: Some(epoch.to_string()),
            github_actions: false,
        }
    }

    #[test]
    fn source_date_epoch_gives_a_fixed_time() {
        let options = output_options(&args(), &with_epoch("1764230400")).unwrap();
        assert_eq!(
            options.generated_at.as_deref(),
            Some("2025-11-27T08:00:00Z")
        );
        assert_eq!(options.path, None);
        assert_eq!(
            output_options(&args(), &Environment::default())
                .unwrap()
                .generated_at,
            None
        );
    }

    #[test]
    fn source_date_epoch_is_refused_when_not_a_time() {
        for bad in ["yesterday", "-1", "253402300800", "99999999999999999999"] {
            let error = output_options(&args(), &with_epoch(bad)).unwrap_err();
            assert_eq!(error.exit_code(), 2, "{bad}");
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("SOURCE_DATE_EPOCH: '{bad}' is not a time")),
                "{error}"
            );
        }
        let last = output_options(&args(), &with_epoch("253402300799")).unwrap();
        assert_eq!(last.generated_at.as_deref(), Some("9999-12-31T23:59:59Z"));
    }
}
