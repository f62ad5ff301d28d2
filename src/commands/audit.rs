//! `audit`: the Dockerfile read and judged by the rules of `data/audit-rules.csv`, each finding
//! priced — in the bytes found in the image built from it (`--image`), else the checklist's
//! range of the runtime target — and valued across the fleet; exit 1 only when `--fail-on` or
//! `--max-recoverable` is given and broken.

use std::path::Path;

use crate::args::AuditArgs;
use crate::error::{Error, Place};
use crate::input::{dockerfile, sources};
use crate::model::assumptions::Assumptions;
use crate::report::audit::{ContextView, Request, Tables, audit};
use crate::{output, render};

use super::images;

pub fn run(args: &AuditArgs) -> Result<i32, Error> {
    let parsed = dockerfile::read(&args.dockerfile)?;
    let beside = args
        .dockerfile
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let context_dir = args.context.as_deref().unwrap_or(beside);
    let facts = dockerfile::context(context_dir, &args.dockerfile, args.context.is_some())?;
    let tables = Tables::bundled()?;
    let image = match &args.source {
        Some(source) => {
            let mut read = images::source_options(&args.image);
            read.read.files = true;
            Some(sources::read(
                source,
                Path::new(""),
                &read,
                &Place::flag("--image"),
            )?)
        }
        None => None,
    };
    let context = (args.context.is_some() || !facts.dockerignore).then(|| ContextView {
        path: context_dir.display().to_string(),
        dockerignore: facts.dockerignore,
        bytes: facts.size.map(|(bytes, _)| bytes),
        files: facts.size.map(|(_, files)| files),
        truncated: facts.truncated,
    });
    let report = audit(
        &tables,
        Request {
            path: args.dockerfile.display().to_string(),
            dockerfile: &parsed,
            dockerignore: facts.dockerignore,
            context,
            image: image.as_ref(),
            runtime: args.runtime.as_ref().map(|given| given.0),
            runtime_from: "--runtime",
            fleet: super::layers::fleet_input(&args.fleet, &Assumptions::defaults()?)?,
            fail_on: args.fail_on,
            max_recoverable: args.max_recoverable,
        },
    );
    let rendered = render::audit::render(&report, &tables.rules, args.format)?;
    let path = args.output.as_deref().filter(|p| p.as_os_str() != "-");
    if let Some(path) = path {
        let inputs: Vec<_> = std::iter::once(&args.dockerfile)
            .chain(&args.source)
            .cloned()
            .collect();
        output::refuse_inputs("--output", path, &inputs)?;
    }
    output::write(path, rendered.as_bytes())?;
    Ok(if report.failed() { 1 } else { 0 })
}
