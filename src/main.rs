//! The `fleetsave` binary: parse arguments, run, print the error chain, exit with its code.

use clap::Parser;

fn main() {
    let cli = fleetsave::cli::Cli::parse();
    let environment = fleetsave::app::Environment::from_process();
    match fleetsave::app::run(cli, &environment) {
        Ok(code) => std::process::exit(code),
        Err(error) => {
            eprintln!("error: {error}");
            std::process::exit(error.exit_code());
        }
    }
}
