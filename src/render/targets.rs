//! `fleetsave targets`: the runtime target table as text or JSON.

use std::fmt::Write;

use serde::Serialize;

use crate::calc::targets::{Target, Targets};
use crate::error::Error;
use crate::units::format_range;

#[derive(Serialize)]
struct TargetsJson<'a> {
    schema_version: u32,
    targets: &'a [Target],
}

/// Formats of the target table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetsFormat {
    Text,
    Json,
}

/// Renders the target table.
pub fn render(targets: &Targets, format: TargetsFormat) -> Result<String, Error> {
    match format {
        TargetsFormat::Text => {
            let mut out = String::new();
            let _ = writeln!(out, "{:<12}{:>16}  what", "runtime", "target (disk)");
            for target in &targets.targets {
                let range = format_range(target.low_disk_bytes, target.high_disk_bytes);
                let _ = writeln!(
                    out,
                    "{:<12}{:>16}  {}",
                    target.runtime, range, target.description
                );
            }
            let _ = writeln!(out, "{:<12}{:>16}  no target", "other", "—");
            Ok(out)
        }
        TargetsFormat::Json => {
            let mut json = serde_json::to_string_pretty(&TargetsJson {
                schema_version: crate::report::SCHEMA_VERSION,
                targets: &targets.targets,
            })
            .map_err(|e| Error::Internal(e.to_string()))?;
            json.push('\n');
            Ok(json)
        }
    }
}
