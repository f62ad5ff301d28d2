//! `fleetsave audit`: the size techniques a Dockerfile leaves out, found by the rules of
//! `data/audit-rules.csv` (names, hadolint codes, techniques, severities: data) whose logic is
//! keyed by id in [`rules`]. Pure: the Dockerfile comes parsed, the context as facts.

pub mod price;
pub mod rules;
pub mod shell;
pub mod stages;

use serde::Deserialize;

use crate::error::Error;

const AUDIT_RULES_CSV: &str = include_str!("../../../data/audit-rules.csv");

/// How bad a finding is, as SARIF and linters grade it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One rule of the table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Rule {
    pub id: String,
    /// hadolint's code for the same check, when it has one.
    pub hadolint: Option<String>,
    /// The priority of the technique in `data/techniques.csv` that fixes it.
    pub technique: u32,
    /// Counts only in the stages that ship (the final stage and those it is built FROM).
    pub final_stage_only: bool,
    pub severity: Severity,
    /// Space-separated ids of `data/leftovers.csv` whose files measure the finding.
    #[serde(default)]
    pub leftovers: String,
    /// What is wrong, in a few words.
    pub message: String,
    /// What to do.
    pub fix: String,
}

impl Rule {
    /// The leftover rule ids that measure this rule's findings.
    pub fn leftover_ids(&self) -> impl Iterator<Item = &str> {
        self.leftovers.split_whitespace()
    }
}

/// The bundled rules, in the table's order.
pub fn bundled() -> Result<Vec<Rule>, Error> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(AUDIT_RULES_CSV.as_bytes());
    reader
        .deserialize::<Rule>()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Internal(format!("data/audit-rules.csv: {e}")))
}

#[cfg(test)]
mod tests;
