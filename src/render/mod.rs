//! Renderers: a finished report in, text out. Every figure comes computed from the report;
//! numbers are formatted with the functions of [`crate::units`] and the shared sentences of
//! [`headline`].

pub mod audit;
pub mod burst;
pub mod cells;
pub mod charts;
pub mod check;
pub mod comment;
pub mod compare;
pub mod findings;
pub mod forecast;
pub mod forecast_html;
pub mod headline;
pub mod history;
pub mod html;
pub mod inspect;
pub mod json;
pub mod json_compact;
pub mod layers;
pub mod markdown;
pub mod mermaid;
pub mod method;
pub mod table;
pub mod targets;
pub mod text;

use crate::error::Error;
use crate::report::Report;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned summary for the terminal.
    Text,
    /// The JSON contract (schema_version 1).
    Json,
    /// A pull-request comment (GitHub-flavoured, with a Mermaid chart).
    Markdown,
    /// A self-contained page with charts, for people.
    Html,
}

/// Options some formats take.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    pub markdown: markdown::MarkdownOptions,
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: Format, options: &RenderOptions) -> Result<String, Error> {
    match format {
        Format::Text => Ok(text::render(report)),
        Format::Json => json::render(report),
        Format::Markdown => markdown::render(report, &options.markdown),
        Format::Html => html::render(report),
    }
}

#[cfg(test)]
mod tests;
