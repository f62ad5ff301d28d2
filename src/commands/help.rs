//! `completions` and `man`: generated from the command-line definitions.

use clap::CommandFactory;

use crate::args::{Cli, CompletionsArgs};
use crate::error::Error;
use crate::output;

/// Prints a shell completion script.
pub fn completions(args: &CompletionsArgs) -> Result<i32, Error> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "fleetsave", &mut script);
    output::write(None, &script)?;
    Ok(0)
}

/// Prints the man page (roff).
pub fn man() -> Result<i32, Error> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| Error::Internal(format!("cannot render the man page: {e}")))?;
    output::write(None, &page)?;
    Ok(0)
}
