//! Runtime size targets (docs/model.md#targets-and-plans): the realistic range for each runtime, read from
//! `data/runtime_targets.csv`, and the judgement of an image against it.

use crate::model::values::Refusal;
use serde::Serialize;

use crate::error::Error;

const TARGETS_CSV: &str = include_str!("../../data/runtime_targets.csv");

/// The runtime key for images with no target.
pub const OTHER_RUNTIME: &str = "other";

/// One runtime's realistic size range, in disk bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Target {
    /// Shared with every service and row of the runtime (a key per row would be an allocation
    /// per row).
    pub runtime: crate::model::RuntimeKey,
    pub description: String,
    pub low_disk_bytes: u64,
    pub high_disk_bytes: u64,
}

/// Where an image stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Below,
    Within,
    Above,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Below => "below",
            Status::Within => "within",
            Status::Above => "above",
        }
    }
}

/// An image judged against its target: the status, and for `above` the bytes over the high end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judgement {
    pub status: Status,
    pub recoverable_disk_bytes: u64,
}

impl Target {
    /// Judges an image of `disk_bytes` (both ends of the range inclusive).
    pub fn judge(&self, disk_bytes: u64) -> Judgement {
        let status = if disk_bytes < self.low_disk_bytes {
            Status::Below
        } else if disk_bytes <= self.high_disk_bytes {
            Status::Within
        } else {
            Status::Above
        };
        Judgement {
            status,
            recoverable_disk_bytes: disk_bytes.saturating_sub(self.high_disk_bytes),
        }
    }
}

#[derive(serde::Deserialize)]
struct TargetRecord {
    runtime: String,
    description: String,
    low_mb: u64,
    high_mb: u64,
}

/// The target table, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    pub targets: Vec<Target>,
}

impl Targets {
    /// The bundled table of `data/runtime_targets.csv`.
    pub fn bundled() -> Result<Targets, Error> {
        let broken = |why: String| Error::Internal(format!("data/runtime_targets.csv: {why}"));
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_reader(TARGETS_CSV.as_bytes());
        let mut targets = Vec::new();
        for record in reader.deserialize::<TargetRecord>() {
            let record = record.map_err(|e| broken(e.to_string()))?;
            targets.push(Target {
                runtime: crate::model::runtime_key(&record.runtime),
                description: record.description,
                low_disk_bytes: record.low_mb * 1_000_000,
                high_disk_bytes: record.high_mb * 1_000_000,
            });
        }
        Ok(Targets { targets })
    }

    /// The target of a runtime key, case-insensitive.
    pub fn get(&self, runtime: &str) -> Option<&Target> {
        self.targets
            .iter()
            .find(|t| t.runtime.eq_ignore_ascii_case(runtime))
    }

    /// The accepted runtime keys, for messages: `go, python, …, other`.
    pub fn accepted_keys(&self) -> String {
        let mut keys: Vec<&str> = self.targets.iter().map(|t| t.runtime).collect();
        keys.push(OTHER_RUNTIME);
        keys.join(", ")
    }

    /// Normalises a runtime as typed: a known key (lower case), `None` for `other` or blank,
    /// `Err` with the accepted keys for anything else.
    pub fn resolve(&self, typed: &str) -> Result<Option<crate::model::RuntimeKey>, Refusal> {
        let typed = typed.trim();
        if typed.is_empty() || typed.eq_ignore_ascii_case(OTHER_RUNTIME) {
            return Ok(None);
        }
        self.get(typed).map(|t| Some(t.runtime)).ok_or_else(|| {
            Refusal::new(
                "is not a known runtime",
                format!("one of {}", self.accepted_keys()),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_table() {
        let t = Targets::bundled().unwrap();
        let keys: Vec<&str> = t.targets.iter().map(|t| t.runtime).collect();
        assert_eq!(keys, ["go", "python", "node", "java", "java-jlink"]);
        let python = t.get("Python").unwrap();
        assert_eq!(python.low_disk_bytes, 70_000_000);
        assert_eq!(python.high_disk_bytes, 120_000_000);
    }

    #[test]
    fn judgements_from_the_spec() {
        let t = Targets::bundled().unwrap();
        let python = t.get("python").unwrap().judge(310_000_000);
        assert_eq!(python.status, Status::Above);
        assert_eq!(python.recoverable_disk_bytes, 190_000_000);
        let go = t.get("go").unwrap().judge(18_000_000);
        assert_eq!(go.status, Status::Within);
        assert_eq!(go.recoverable_disk_bytes, 0);
        assert_eq!(
            t.get("go").unwrap().judge(10_000_000).status,
            Status::Within
        );
        assert_eq!(
            t.get("go").unwrap().judge(25_000_000).status,
            Status::Within
        );
        assert_eq!(t.get("go").unwrap().judge(9_999_999).status, Status::Below);
        assert_eq!(t.get("go").unwrap().judge(25_000_001).status, Status::Above);
    }

    #[test]
    fn resolving_runtime_keys() {
        let t = Targets::bundled().unwrap();
        assert_eq!(t.resolve("JAVA"), Ok(Some("java")));
        assert_eq!(t.resolve("other"), Ok(None));
        assert_eq!(t.resolve(""), Ok(None));
        let error = t.resolve("rust").unwrap_err();
        assert_eq!(error.problem, "is not a known runtime");
        assert!(error.expected.contains("java-jlink, other"), "{error}");
    }
}
