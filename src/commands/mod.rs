//! One room per command. Each `run` reads top to bottom: the arguments, already typed and
//! checked by [`crate::args`] → the inputs loaded → the figures computed → rendered → written.
//! What several commands share has a room of its own: [`assumptions`] (defaults, files, flags),
//! [`images`] (reading image sources and typed sizes) and [`publish`] (a report built, rendered
//! and written atomically).

mod assumptions;
mod audit;
mod calc;
mod check;
mod compare;
mod forecast;
mod help;
mod history;
mod images;
mod inspect;
mod layers;
mod publish;
mod report;
mod targets;

use crate::args::{Cli, CommandArgs};
use crate::error::Error;

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

/// Leaves `value` to be freed by the process's exit, which follows the command: an image of half
/// a million files holds as many paths (and its trees as many keys), and freeing them one by one
/// takes milliseconds that the exit's unmapping does not (BENCHMARKS.md, eleventh round).
fn left_to_exit<T>(value: T) {
    std::mem::forget(value);
}

/// Runs the command; returns the exit code of a run that completed (0, or 1 for a failed gate).
pub fn run(cli: Cli, environment: &Environment) -> Result<i32, Error> {
    match cli.command {
        CommandArgs::Calc(args) => calc::run(&args, environment),
        CommandArgs::Report(args) => report::run(&args, environment),
        CommandArgs::Forecast(args) => forecast::run(&args, environment),
        CommandArgs::Inspect(args) => inspect::run(&args),
        CommandArgs::Layers(args) => layers::run(&args),
        CommandArgs::Compare(args) => compare::run(&args, environment),
        CommandArgs::History(args) => history::run(&args, environment),
        CommandArgs::Audit(args) => audit::run(&args),
        CommandArgs::Check(args) => check::run(&args, environment),
        CommandArgs::Targets(args) => targets::run(&args),
        CommandArgs::Completions(args) => help::completions(&args),
        CommandArgs::Man => help::man(),
    }
}
