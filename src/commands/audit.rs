//! `audit`: the Dockerfile read and judged by the rules of `data/audit-rules.csv`, each finding
//! priced — in the bytes found in the image built from it (`--image`), else the checklist's
//! range of the runtime target — and valued across the fleet; exit 1 only when `--fail-on` or
//! `--max-recoverable` is given and broken.

use std::path::Path;

use crate::args::AuditArgs;
use crate::calc::audit::{self, price, rules, stages};
use crate::calc::targets::Targets;
use crate::calc::{leftovers, techniques, waste};
use crate::error::{Error, Place};
use crate::input::{dockerfile, sources};
use crate::model::assumptions::Assumptions;
use crate::report::audit::{AuditInput, AuditReport, ContextView, ImageInput, SizeBasis};
use crate::units::format_range;
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
    let table = audit::bundled()?;
    let checklist = techniques::bundled()?;
    let hits = rules::audit(
        &parsed,
        &table,
        &rules::Context {
            has_dockerignore: facts.dockerignore,
        },
    );
    let leftover_rules = leftovers::bundled()?;
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
    let image_input = image.as_ref().map(|image| {
        let created_by: Vec<Option<String>> = image
            .history
            .iter()
            .flatten()
            .filter(|entry| !entry.empty_layer)
            .map(|entry| entry.created_by.clone())
            .collect();
        let entries: Option<Vec<&[_]>> = image
            .layers
            .iter()
            .map(|layer| layer.files.as_deref())
            .collect();
        let entries = entries.filter(|layers| !layers.is_empty());
        let found = entries
            .as_ref()
            .map(|layers| leftovers::find(&leftover_rules, &waste::final_files(layers)))
            .unwrap_or_default();
        let unpacked: Option<u64> = image
            .layers
            .iter()
            .map(|layer| layer.disk_bytes)
            .sum::<Option<u64>>();
        ImageInput {
            source: image.source.clone(),
            matched: price::match_layers(&parsed, &created_by),
            created_by,
            leftover_rules: &leftover_rules,
            found,
            entries,
            digests: image.layers.iter().map(|l| l.digest.to_string()).collect(),
            unpacked_bytes: unpacked,
        }
    });
    let mut notes = Vec::new();
    let runtime = match &args.runtime {
        Some(given) => given.0.clone(),
        None => {
            let guessed = stages::final_base(&parsed)
                .as_deref()
                .and_then(rules::runtime_of)
                .map(str::to_string);
            if let Some(runtime) = &guessed {
                notes.push(format!(
                    "runtime {runtime} guessed from the final stage's base image (--runtime to say)"
                ));
            }
            guessed
        }
    };
    let targets = Targets::bundled()?;
    let target = runtime
        .as_deref()
        .and_then(|key| targets.get(key))
        .map(|target| SizeBasis {
            low: target.low_disk_bytes,
            high: target.high_disk_bytes,
            basis: format!(
                "the {} runtime target {} ({})",
                target.runtime,
                format_range(target.low_disk_bytes, target.high_disk_bytes),
                target.description
            ),
        });
    let context = (args.context.is_some() || !facts.dockerignore).then(|| ContextView {
        path: context_dir.display().to_string(),
        dockerignore: facts.dockerignore,
        bytes: facts.size.map(|(bytes, _)| bytes),
        files: facts.size.map(|(_, files)| files),
        truncated: facts.truncated,
    });
    let report = AuditReport::new(AuditInput {
        path: args.dockerfile.display().to_string(),
        dockerfile: &parsed,
        hits,
        rules: &table,
        techniques: &checklist,
        image: image_input,
        runtime,
        target,
        fleet: super::layers::fleet_input(&args.fleet, &Assumptions::defaults()?)?,
        context,
        fail_on: args.fail_on,
        max_recoverable: args.max_recoverable,
        notes,
    });
    let rendered = render::audit::render(&report, &table, args.format)?;
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
