//! Runs one command: validated options → inputs → model → report → render → output.

use crate::assumptions::Assumptions;
use crate::calc::targets::Targets;
use crate::calc::techniques;
use clap::CommandFactory;

use crate::cli::{Cli, CommandArgs};
use crate::error::Error;
use crate::model::Service;
use crate::options;
use crate::options::OutputOptions;
use crate::output;
use crate::render::check::CheckFormat;
use crate::render::{self, Format};
use crate::report::{self, BuildInput, Command, CompareView, Report};
use std::path::Path;

/// The environment a run reads besides its arguments, kept in one place for tests.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub source_date_epoch: Option<String>,
    /// `GITHUB_ACTIONS=true`: `check` also prints annotation lines.
    pub github_actions: bool,
}

impl Environment {
    /// Reads the process environment.
    pub fn from_process() -> Environment {
        Environment {
            source_date_epoch: std::env::var("SOURCE_DATE_EPOCH").ok(),
            github_actions: std::env::var("GITHUB_ACTIONS").as_deref() == Ok("true"),
        }
    }
}

/// Runs the command and returns the exit code for success paths (0; 1 for a failed gate).
pub fn run(cli: Cli, environment: &Environment) -> Result<i32, Error> {
    let targets = Targets::bundled()?;
    match cli.command {
        CommandArgs::Calc(args) => {
            let options = options::calc(&args, &targets, environment.source_date_epoch.as_deref())?;
            publish(
                Command::Calc,
                "fleetsave: what the smaller image saves".to_string(),
                std::slice::from_ref(&options.service),
                &options.assumptions,
                &options.output,
                &targets,
                None,
            )
        }
        CommandArgs::Report(args) => {
            let options =
                options::report(&args, &targets, environment.source_date_epoch.as_deref())?;
            publish(
                Command::Report,
                "fleetsave: image savings across the fleet".to_string(),
                &options.services,
                &options.assumptions,
                &options.output,
                &targets,
                None,
            )
        }
        CommandArgs::Inspect(args) => {
            let (images, ratio) = options::inspect(&args)?;
            let rendered = render::inspect::render(&images, ratio.as_f64(), args.format)?;
            let path = args.output.as_deref().filter(|p| p.as_os_str() != "-");
            output::write(path, rendered.as_bytes())?;
            Ok(0)
        }
        CommandArgs::Compare(args) => {
            let options =
                options::compare(&args, &targets, environment.source_date_epoch.as_deref())?;
            publish(
                Command::Compare,
                "fleetsave: what the new image saves".to_string(),
                std::slice::from_ref(&options.service),
                &options.assumptions,
                &options.output,
                &targets,
                Some(options.comparison.clone()),
            )
        }
        CommandArgs::Check(args) => {
            let options = options::check(&args, &targets)?;
            let report = report::check::check(&options.subjects, &options.gate, &targets)?;
            let rendered =
                render::check::render(&report, options.format, options.marker.as_deref())?;
            output::write(options.path.as_deref(), rendered.as_bytes())?;
            if environment.github_actions {
                let annotations = render::check::annotations(&report);
                // Annotations go to stdout, where the runner reads them, unless the report
                // itself is on stdout in a machine format that they would corrupt.
                if options.path.is_none() && options.format != CheckFormat::Text {
                    eprint!("{annotations}");
                } else {
                    output::write(None, annotations.as_bytes())?;
                }
            }
            Ok(match report.status {
                crate::calc::gate::Status::Fail => 1,
                _ => 0,
            })
        }
        CommandArgs::Completions(args) => {
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "fleetsave", &mut script);
            output::write(None, &script)?;
            Ok(0)
        }
        CommandArgs::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(|e| Error::Internal(format!("cannot render the man page: {e}")))?;
            output::write(None, &page)?;
            Ok(0)
        }
        CommandArgs::Targets(args) => {
            let rendered = render::targets::render(&targets, args.format)?;
            output::write(None, rendered.as_bytes())?;
            Ok(0)
        }
    }
}

/// Builds the report of `services`, renders it and writes it where the options say.
fn publish(
    command: Command,
    default_title: String,
    services: &[Service],
    assumptions: &Assumptions,
    output: &OutputOptions,
    targets: &Targets,
    compare: Option<CompareView>,
) -> Result<i32, Error> {
    let report = report::build(BuildInput {
        command,
        title: output.title.clone().unwrap_or(default_title),
        generated_at: output.generated_at.clone(),
        services,
        assumptions,
        targets,
        techniques: &techniques::bundled()?,
        compare,
    })?;
    let mut render_options = output.render.clone();
    if let Some(directory) = &output.charts_dir {
        render_options.markdown.chart_links = write_charts(&report, directory)?;
    }
    if output.format == Format::Json {
        output::write_with(output.path.as_deref(), |out| {
            render::json::write(&report, out)
        })?;
    } else {
        let rendered = render::render(&report, output.format, &render_options)?;
        output::write(output.path.as_deref(), rendered.as_bytes())?;
    }
    Ok(0)
}

/// Writes the report's charts as SVG files into `directory`; returns (title, path) to link.
fn write_charts(report: &Report, directory: &Path) -> Result<Vec<(String, String)>, Error> {
    std::fs::create_dir_all(directory).map_err(|source| Error::Write {
        path: directory.to_path_buf(),
        source,
    })?;
    let mut links = Vec::new();
    for chart in render::charts::chart_views(report)? {
        let path = directory.join(format!("{}.svg", chart.id));
        output::write(Some(&path), chart.svg.as_bytes())?;
        links.push((chart.title, path.to_string_lossy().replace('\\', "/")));
    }
    Ok(links)
}
