//! The command line, end to end: the one integration test binary. Each module covers one command
//! or concern; helpers live in `common`.

mod common;
#[allow(dead_code)]
#[path = "../src/input/registry/fake_server.rs"]
mod fake_server;
mod harness;

#[path = "cli/architecture.rs"]
mod architecture;
#[path = "cli/audit.rs"]
mod audit;
#[path = "cli/browser.rs"]
mod browser;
#[path = "cli/calc.rs"]
mod calc;
#[path = "cli/check.rs"]
mod check;
#[path = "cli/crashers.rs"]
mod crashers;
#[path = "cli/dive_ci.rs"]
mod dive_ci;
#[path = "cli/expected.rs"]
mod expected;
#[path = "cli/files.rs"]
mod files;
#[path = "cli/findings.rs"]
mod findings;
#[path = "cli/forecast.rs"]
mod forecast;
#[path = "cli/history.rs"]
mod history;
#[path = "cli/hostile.rs"]
mod hostile;
#[path = "cli/html.rs"]
mod html;
#[path = "cli/images.rs"]
mod images;
#[path = "cli/layers.rs"]
mod layers;
#[path = "cli/limits.rs"]
mod limits;
#[path = "cli/markdown.rs"]
mod markdown;
#[path = "cli/mermaid.rs"]
mod mermaid;
#[path = "cli/numbers.rs"]
mod numbers;
#[path = "cli/registry.rs"]
mod registry;
#[path = "cli/report.rs"]
mod report;
#[path = "cli/schema.rs"]
mod schema;
#[path = "cli/workflow.rs"]
mod workflow;
