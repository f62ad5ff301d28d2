//! The command line, end to end: the one integration test binary. Each module covers one command
//! or concern; helpers live in `common`.

mod common;

#[path = "cli/browser.rs"]
mod browser;
#[path = "cli/calc.rs"]
mod calc;
#[path = "cli/check.rs"]
mod check;
#[path = "cli/expected.rs"]
mod expected;
#[path = "cli/html.rs"]
mod html;
#[path = "cli/images.rs"]
mod images;
#[path = "cli/markdown.rs"]
mod markdown;
#[path = "cli/registry.rs"]
mod registry;
#[path = "cli/report.rs"]
mod report;
#[path = "cli/schema.rs"]
mod schema;
#[path = "cli/workflow.rs"]
mod workflow;
