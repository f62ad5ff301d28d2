//! The `fleetsave` binary: parse the arguments, run the command, print an error, exit with its
//! code.

use clap::Parser;

use fleetsave::args::{Cli, refused_value};
use fleetsave::commands::{self, Environment};
use fleetsave::error::Error;
use fleetsave::render::text::terminal_safe_lines;

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => match refused_value(&error) {
            Some(refused) => fail(&refused),
            None => error.exit(),
        },
    };
    if let Some(inventory) = cli.inventory() {
        fleetsave::huge_pages::for_inventory(inventory);
    }
    match commands::run(cli, &Environment::from_process()) {
        Ok(code) => std::process::exit(code),
        Err(error) => fail(&error),
    }
}

/// Prints `error` (its control characters neutralised: messages quote input) and exits with its
/// code.
fn fail(error: &Error) -> ! {
    eprintln!("error: {}", terminal_safe_lines(&error.to_string()));
    std::process::exit(error.exit_code())
}
