//! The CI recipe: every fleetsave command line in `examples/github-actions.yml` parses with the
//! real command-line definition, so the example cannot drift from the tool.

use clap::Parser;
use fleetsave::args::Cli;

use crate::common::project_file;

/// The fleetsave invocations of the workflow's `run:` blocks, continuation lines joined.
fn fleetsave_command_lines(workflow: &str) -> Vec<String> {
    let joined = workflow.replace("\\\n", " ");
    joined
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("fleetsave "))
        .map(|line| {
            // Shell glue after the command is not fleetsave's: `|| status=$?`.
            let command = line.split(" || ").next().unwrap_or(line);
            // GitHub expressions become plain words.
            let mut out = String::new();
            let mut rest = command;
            while let Some(start) = rest.find("${{") {
                out.push_str(&rest[..start]);
                out.push_str("EXPR");
                rest = rest[start..]
                    .find("}}")
                    .map_or("", |end| &rest[start + end + 2..]);
            }
            out.push_str(rest);
            out
        })
        .collect()
}

#[test]
fn every_fleetsave_command_in_the_example_workflow_parses() {
    let workflow = std::fs::read_to_string(project_file("examples/github-actions.yml")).unwrap();
    let commands = fleetsave_command_lines(&workflow);
    assert!(
        commands.len() >= 2,
        "the workflow runs compare and check: {commands:?}"
    );
    let mut seen = Vec::new();
    for command in &commands {
        let words = shlex::split(command).unwrap_or_else(|| panic!("unbalanced quotes: {command}"));
        if let Err(error) = Cli::try_parse_from(&words) {
            panic!("`{command}` does not parse:\n{error}");
        }
        seen.push(words[1].clone());
    }
    assert!(seen.contains(&"compare".to_string()) && seen.contains(&"check".to_string()));
}

#[test]
fn a_command_line_that_drifted_would_be_caught() {
    let drifted = "    run: |\n      fleetsave compare a.json b.json --nodez 3 \\\n        --format markdown\n";
    let commands = fleetsave_command_lines(drifted);
    assert_eq!(commands.len(), 1);
    let words = shlex::split(&commands[0]).unwrap();
    assert!(Cli::try_parse_from(&words).is_err());
}
