//! `fleetsave targets`: the runtime target table as text or JSON.

use super::table::{Align, Table};
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
            let table = Table::new(&[(12, Align::Left), (16, Align::Right)], "");
            let _ = writeln!(
                out,
                "{}",
                table.row(&["runtime", "target (disk)", "  what"])
            );
            for target in &targets.targets {
                let range = format_range(target.low_disk_bytes, target.high_disk_bytes);
                let what = format!("  {}", target.description);
                let _ = writeln!(out, "{}", table.row(&[target.runtime, &range, &what]));
            }
            let _ = writeln!(out, "{}", table.row(&["other", "—", "  no target"]));
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
