//! `fleetsave inspect`: what each image source holds — kind, platform, wire and disk bytes (which
//! measured, which estimated), the layers and the reader's notes — as text or JSON.

use std::fmt::Write;

use super::cells::NONE;
use super::table::{Align, Table};
use super::text::{terminal_safe, terminal_safe_lines};
use crate::error::Error;
use crate::report::inspect::InspectReport;
use crate::units::{format_bytes, format_count};

/// Formats of `inspect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InspectFormat {
    Text,
    Json,
}

fn bytes(value: u64) -> String {
    format!(
        "{} ({} bytes)",
        format_bytes(i128::from(value)),
        format_count(u128::from(value))
    )
}

/// Renders the inspected images.
pub fn render(report: &InspectReport, format: InspectFormat) -> Result<String, Error> {
    match format {
        InspectFormat::Json => super::json::to_string(report, "the images"),
        InspectFormat::Text => Ok(terminal_safe_lines(&text(report))),
    }
}

fn text(report: &InspectReport) -> String {
    let ratio = report.compression_ratio;
    let mut out = String::new();
    for (index, sized) in report.images.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let image = &sized.image;
        let _ = writeln!(
            out,
            "{}",
            super::text::image_line(&image.source, &image.kind, image.platform.as_deref())
        );
        let estimated = |is: bool| {
            if is {
                format!(", estimated at compression ratio {ratio}")
            } else {
                String::new()
            }
        };
        let layers = image.layers.len();
        let _ = writeln!(
            out,
            "  wire  {} — config + {layers} layer{}{}",
            bytes(sized.size.wire_bytes),
            if layers == 1 { "" } else { "s" },
            estimated(sized.size.wire_estimated)
        );
        let _ = writeln!(
            out,
            "  disk  {}{}",
            bytes(sized.size.disk_bytes),
            estimated(sized.size.disk_estimated)
        );
        if !image.layers.is_empty() {
            let table = Table::new(
                &[
                    (21, Align::Left),
                    (13, Align::Left),
                    (10, Align::Right),
                    (10, Align::Right),
                ],
                " ",
            );
            let _ = writeln!(out, "  {}", table.row(&["layer", "type", "wire", "disk"]));
            for layer in &image.layers {
                let mut kind = layer.compression.to_string();
                if layer.non_distributable {
                    kind.push_str(", foreign");
                }
                let disk = layer
                    .disk_bytes
                    .map(|d| format_bytes(i128::from(d)))
                    .unwrap_or_else(|| NONE.to_string());
                let _ = writeln!(
                    out,
                    "  {}",
                    table.row(&[
                        &layer.digest.short(),
                        &kind,
                        &format_bytes(i128::from(layer.wire_bytes)),
                        &disk,
                    ])
                );
            }
        }
        for note in &image.notes {
            let _ = writeln!(out, "  note: {}", terminal_safe(note));
        }
    }
    out
}
