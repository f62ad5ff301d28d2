//! The `fleetsave` binary: parse arguments, run, print the error chain, exit with its code.

use clap::Parser;

fn main() {
    let cli = fleetsave::cli::Cli::parse();
    let environment = fleetsave::app::Environment::from_process();
    match fleetsave::app::run(cli, &environment) {
        Ok(code) => std::process::exit(code),
        Err(error) => {
            // Messages quote values from input: their control characters are neutralised.
            let message = fleetsave::render::text::terminal_safe_lines(&error.to_string());
            eprintln!("error: {message}");
            std::process::exit(error.exit_code());
        }
    }
}
