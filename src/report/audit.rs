//! What `audit` reports: each rule that fired on the Dockerfile — where, which rule (its id and
//! hadolint code), the technique that fixes it — priced in bytes: measured in the image built
//! from the Dockerfile when one is given and the instruction's layer is found, else the
//! technique's range of a size (an estimate); with a fleet, what those bytes cost a day and a
//! year. The total counts no byte twice. The JSON contract of `fleetsave audit`.

use serde::Serialize;

use super::SCHEMA_VERSION;
use super::layers::{Fleet, FleetInput, LayerRef, LeftoverPath, TechniqueRef, Value, value_basis};
use crate::calc::audit::price::{self, FoundFile, LayerMatch};
use crate::calc::audit::rules::{self, Hit};
use crate::calc::audit::{self as audit_rules, Rule, Severity, stages};
use crate::calc::leftovers::{self, Found, TOP_PATHS};
use crate::calc::targets::Targets;
use crate::calc::techniques::{self, Technique};
use crate::calc::waste;
use crate::error::Error;
use crate::model::Service;
use crate::model::assumptions::Assumptions;
use crate::model::dockerfile::Dockerfile;
use crate::model::files::FileEntry;
use crate::model::image::Image;
use crate::units::{format_bytes, format_range};

/// Longest instruction text a finding quotes.
const INSTRUCTION_CHARS: usize = 160;

/// The result of `fleetsave audit`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[schemars(title = "fleetsave audit")]
pub struct AuditReport {
    pub schema_version: u32,
    pub command: &'static str,
    /// The Dockerfile as given.
    pub dockerfile: String,
    /// The image built from it (`--image`), when given.
    pub image: Option<String>,
    /// How the instructions were matched to the image's layers, in words; `null` without image.
    pub history: Option<String>,
    /// The runtime whose target sizes the estimates, when one is known.
    pub runtime: Option<String>,
    /// The size the techniques' ranges are taken of, in words; `null` when there is none.
    pub estimate_basis: Option<String>,
    pub fleet: Option<Fleet>,
    /// The fleet figures' basis; `null` without fleet flags.
    pub value_basis: Option<String>,
    /// The build context, when it was looked at.
    pub context: Option<ContextView>,
    /// The findings, in file order.
    pub findings: Vec<Finding>,
    pub counts: Counts,
    pub total: Total,
    /// The limits given (`--fail-on`, `--max-recoverable`) and what they found.
    pub gate: Option<GateView>,
    pub notes: Vec<String>,
}

/// The build context as `--context` (or the Dockerfile's directory) has it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ContextView {
    pub path: String,
    /// A `.dockerignore` (or `<Dockerfile>.dockerignore`) is there.
    pub dockerignore: bool,
    /// File content bytes in the context (what `COPY .` sends before a .dockerignore); `null`
    /// when not measured (`--context` not given).
    pub bytes: Option<u64>,
    pub files: Option<u64>,
    /// True when the walk stopped at its limit: `bytes` and `files` are then lower bounds.
    pub truncated: bool,
}

/// One rule that fired.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Finding {
    /// The rule's id in data/audit-rules.csv (kebab-case).
    pub id: String,
    /// hadolint's code for the same check, when it has one.
    pub hadolint: Option<String>,
    pub severity: Severity,
    pub message: String,
    pub fix: String,
    /// 1-based line and column of the instruction, and its last line.
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    /// The instruction, shortened.
    pub instruction: String,
    /// What exactly fired it.
    pub detail: String,
    /// Whether its stage ships (the final stage or one it is built FROM).
    pub ships: bool,
    pub technique: TechniqueRef,
    /// What it is worth; `null` when neither a measurement nor an estimate is possible.
    pub price: Option<Price>,
}

/// What a finding is worth, in file content bytes.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Price {
    /// True: found in the image; false: an estimate from the technique's range.
    pub measured: bool,
    pub low_bytes: u64,
    /// Equal to `low_bytes` when measured.
    pub high_bytes: u64,
    /// Where the figure comes from, in words.
    pub basis: String,
    /// The layer measured, when one was.
    pub layer: Option<LayerRef>,
    pub created_by: Option<String>,
    /// The files measured (the largest, at most 5) and how many there are.
    pub paths: Vec<LeftoverPath>,
    pub path_count: u64,
    /// The fleet value of `low_bytes` and `high_bytes`; `null` without fleet flags.
    pub fleet_value_low: Option<Value>,
    pub fleet_value_high: Option<Value>,
}

/// How many findings of each severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Counts {
    pub error: u64,
    pub warning: u64,
    pub info: u64,
}

/// The basis of the total, in words.
pub const TOTAL_BASIS: &str = "measured: the files of every measured finding, each (layer, path) \
once; estimated: the ranges of the techniques that have no measured finding, combined as \
1 − Π(1 − pᵢ) of the estimate basis (less the measured bytes), so no byte is counted twice";

/// Every finding together.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Total {
    pub basis: &'static str,
    pub measured_bytes: u64,
    pub estimated_low_bytes: u64,
    pub estimated_high_bytes: u64,
    /// measured + estimated, low and high.
    pub low_bytes: u64,
    pub high_bytes: u64,
    pub fleet_value_low: Option<Value>,
    pub fleet_value_high: Option<Value>,
}

/// The limits given and whether they hold.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GateView {
    /// `pass` or `fail`.
    pub status: String,
    /// `--fail-on`: the least severity that fails.
    pub fail_on: Option<Severity>,
    /// `--max-recoverable`: the most recoverable bytes (the total's low end) allowed.
    pub max_recoverable_bytes: Option<u64>,
    /// Why it failed, one sentence a broken limit.
    pub reasons: Vec<String>,
}

/// The image built from the Dockerfile, as the audit reads it.
pub struct ImageInput<'a> {
    pub source: String,
    /// `created_by` of each layer (history entries that made one).
    pub created_by: Vec<Option<String>>,
    pub matched: LayerMatch,
    pub leftover_rules: &'a [leftovers::Rule],
    /// The leftovers of the final filesystem; empty when the entries could not be read.
    pub found: Vec<Found>,
    /// Each layer's tar entries, when every layer's could be read.
    pub entries: Option<Vec<&'a [FileEntry]>>,
    pub digests: Vec<String>,
    /// The image's unpacked bytes, when known.
    pub unpacked_bytes: Option<u64>,
}

/// A size the techniques' ranges are taken of.
pub struct SizeBasis {
    pub low: u64,
    pub high: u64,
    pub basis: String,
}

/// Everything the report is built from.
pub struct AuditInput<'a> {
    pub path: String,
    pub dockerfile: &'a Dockerfile,
    pub hits: Vec<Hit>,
    pub rules: &'a [Rule],
    pub techniques: &'a [Technique],
    pub image: Option<ImageInput<'a>>,
    pub runtime: Option<String>,
    /// The runtime target's range, when a runtime is known.
    pub target: Option<SizeBasis>,
    pub fleet: Option<FleetInput>,
    pub context: Option<ContextView>,
    pub fail_on: Option<Severity>,
    pub max_recoverable: Option<u64>,
    pub notes: Vec<String>,
}

impl AuditReport {
    pub fn new(input: AuditInput) -> AuditReport {
        let AuditInput {
            path,
            dockerfile,
            hits,
            rules,
            techniques,
            image,
            runtime,
            target,
            fleet,
            context,
            fail_on,
            max_recoverable,
            mut notes,
        } = input;
        let value = |bytes: u64| fleet.as_ref().map(|fleet| fleet.value(bytes));
        let mut measured_files: Vec<FoundFile> = Vec::new();
        let mut measured_techniques: Vec<u32> = Vec::new();
        let mut estimated_techniques: Vec<u32> = Vec::new();
        // The estimate basis: the image's unpacked bytes when known, else the runtime target.
        let size = match image.as_ref().and_then(|i| i.unpacked_bytes) {
            Some(bytes) => Some(SizeBasis {
                low: bytes,
                high: bytes,
                basis: format!("the image's {} unpacked", format_bytes(i128::from(bytes))),
            }),
            None => target,
        };
        let mut findings = Vec::new();
        for hit in &hits {
            let Some(rule) = rules.iter().find(|r| r.id == hit.rule) else {
                continue;
            };
            let instruction = &dockerfile.instructions[hit.instruction];
            let technique = techniques.iter().find(|t| t.priority == rule.technique);
            let measured = image.as_ref().and_then(|image| measure(hit, rule, image));
            let price = match measured {
                Some((files, layer)) => {
                    let bytes = price::distinct_bytes(&files);
                    measured_techniques.push(rule.technique);
                    let layer_ref = layer.and_then(|layer| {
                        image.as_ref().map(|image| LayerRef {
                            index: layer,
                            digest: image.digests.get(layer).cloned().unwrap_or_default(),
                        })
                    });
                    let created_by = layer.and_then(|layer| {
                        image
                            .as_ref()
                            .and_then(|image| image.created_by.get(layer).cloned().flatten())
                    });
                    let basis = match layer {
                        Some(layer) => format!(
                            "measured: {} in layer {layer}, the layer this instruction made (its \
                             tar entries: shipped even if a later layer removes them)",
                            files_phrase(files.len(), rule)
                        ),
                        None => {
                            format!("measured: {} in any layer", files_phrase(files.len(), rule))
                        }
                    };
                    let price = Price {
                        measured: true,
                        low_bytes: bytes,
                        high_bytes: bytes,
                        basis,
                        layer: layer_ref,
                        created_by,
                        paths: files
                            .iter()
                            .take(TOP_PATHS)
                            .map(|f| LeftoverPath {
                                path: f.path.clone(),
                                bytes: f.bytes,
                            })
                            .collect(),
                        path_count: files.len() as u64,
                        fleet_value_low: value(bytes),
                        fleet_value_high: value(bytes),
                    };
                    measured_files.extend(files);
                    Some(price)
                }
                None => technique.zip(size.as_ref()).and_then(|(technique, size)| {
                    let (low, high) = price::estimate(technique, size.low, size.high)?;
                    estimated_techniques.push(rule.technique);
                    Some(Price {
                        measured: false,
                        low_bytes: low,
                        high_bytes: high,
                        basis: format!(
                            "estimate: {}–{}% of {} (technique {} of the checklist)",
                            technique.reduction_low_pct.unwrap_or(0),
                            technique.reduction_high_pct.unwrap_or(0),
                            size.basis,
                            technique.priority
                        ),
                        layer: None,
                        created_by: None,
                        paths: Vec::new(),
                        path_count: 0,
                        fleet_value_low: value(low),
                        fleet_value_high: value(high),
                    })
                }),
            };
            findings.push(Finding {
                id: rule.id.clone(),
                hadolint: rule.hadolint.clone(),
                severity: rule.severity,
                message: rule.message.clone(),
                fix: rule.fix.clone(),
                line: instruction.line,
                column: instruction.column,
                end_line: instruction.end_line,
                instruction: shorten(&format!("{} {}", instruction.keyword, instruction.text())),
                detail: hit.detail.clone(),
                ships: hit.ships,
                technique: TechniqueRef {
                    priority: rule.technique,
                    technique: technique.map(|t| t.technique.clone()).unwrap_or_default(),
                },
                price,
            });
        }
        let measured_bytes = price::distinct_bytes(&measured_files);
        estimated_techniques.sort_unstable();
        estimated_techniques.dedup();
        estimated_techniques.retain(|t| !measured_techniques.contains(t));
        let pick = |high: bool| {
            estimated_techniques.iter().filter_map(move |p| {
                techniques.iter().find(|t| t.priority == *p).and_then(|t| {
                    if high {
                        t.reduction_high_pct
                    } else {
                        t.reduction_low_pct
                    }
                })
            })
        };
        let (estimated_low, estimated_high) = match &size {
            Some(size) if !estimated_techniques.is_empty() => {
                let share = |bytes: u64, high: bool| {
                    let rest = bytes.saturating_sub(measured_bytes) as f64;
                    (rest * price::combined_share(pick(high))).round() as u64
                };
                (share(size.low, false), share(size.high, true))
            }
            _ => (0, 0),
        };
        let low = measured_bytes.saturating_add(estimated_low);
        let high = measured_bytes.saturating_add(estimated_high);
        let total = Total {
            basis: TOTAL_BASIS,
            measured_bytes,
            estimated_low_bytes: estimated_low,
            estimated_high_bytes: estimated_high,
            low_bytes: low,
            high_bytes: high,
            fleet_value_low: value(low),
            fleet_value_high: value(high),
        };
        let mut counts = Counts::default();
        for finding in &findings {
            match finding.severity {
                Severity::Error => counts.error += 1,
                Severity::Warning => counts.warning += 1,
                Severity::Info => counts.info += 1,
            }
        }
        let gate = (fail_on.is_some() || max_recoverable.is_some()).then(|| {
            let mut reasons = Vec::new();
            if let Some(level) = fail_on {
                let failing = findings.iter().filter(|f| f.severity >= level).count();
                if failing > 0 {
                    reasons.push(format!(
                        "{failing} finding(s) of severity {} or worse (--fail-on {})",
                        level.as_str(),
                        level.as_str()
                    ));
                }
            }
            if let Some(limit) = max_recoverable.filter(|limit| low > *limit) {
                reasons.push(format!(
                    "{} recoverable (the total's low end) is above --max-recoverable {}",
                    format_bytes(i128::from(low)),
                    format_bytes(i128::from(limit))
                ));
            }
            GateView {
                status: if reasons.is_empty() { "pass" } else { "fail" }.to_string(),
                fail_on,
                max_recoverable_bytes: max_recoverable,
                reasons,
            }
        });
        let history = image.as_ref().map(|image| {
            let m = &image.matched;
            format!(
                "{} of {} layer-making instructions of the stages that ship matched to layers by \
                 created_by, from the last layer back",
                m.matched, m.expected
            )
        });
        if image.as_ref().is_some_and(|image| image.entries.is_none()) {
            notes.push(
                "the image's layer entries could not be read (a manifest or registry source \
                 without --disk): findings are estimated"
                    .to_string(),
            );
        }
        if size.is_none() {
            notes.push(
                "no runtime known (--runtime, or a base image fleetsave recognises) and no image: \
                 findings without a measurement are not priced"
                    .to_string(),
            );
        }
        AuditReport {
            schema_version: SCHEMA_VERSION,
            command: "audit",
            dockerfile: path,
            image: image.as_ref().map(|image| image.source.clone()),
            history,
            runtime,
            estimate_basis: size.map(|size| size.basis),
            fleet: fleet.as_ref().map(FleetInput::fleet),
            value_basis: fleet
                .as_ref()
                .map(|f| value_basis(f.assumptions.compression_ratio.value)),
            context,
            findings,
            counts,
            total,
            gate,
            notes,
        }
    }

    /// Whether a limit given failed.
    pub fn failed(&self) -> bool {
        self.gate.as_ref().is_some_and(|gate| gate.status == "fail")
    }
}

/// The bundled tables an audit reads: its rules, the checklist, the leftover paths and the
/// runtime targets (read once for every Dockerfile of a report).
pub struct Tables {
    pub rules: Vec<Rule>,
    pub techniques: Vec<Technique>,
    pub leftovers: Vec<leftovers::Rule>,
    pub targets: Targets,
}

impl Tables {
    pub fn bundled() -> Result<Tables, Error> {
        Ok(Tables {
            rules: audit_rules::bundled()?,
            techniques: techniques::bundled()?,
            leftovers: leftovers::bundled()?,
            targets: Targets::bundled()?,
        })
    }
}

/// One Dockerfile to audit, with what was read beside it.
pub struct Request<'a> {
    /// The Dockerfile as given.
    pub path: String,
    pub dockerfile: &'a Dockerfile,
    /// A `.dockerignore` is in its build context.
    pub dockerignore: bool,
    /// The build context as shown; `None` hides it.
    pub context: Option<ContextView>,
    /// The image built from it, read with its layer entries when they could be.
    pub image: Option<&'a Image>,
    /// The runtime said (`--runtime`, the inventory row's; `Some(None)` for other); `None`:
    /// guessed from the final stage's base image.
    pub runtime: Option<Option<crate::model::RuntimeKey>>,
    /// Where the runtime is said, for the note when it is guessed: `--runtime`.
    pub runtime_from: &'static str,
    pub fleet: Option<FleetInput>,
    pub fail_on: Option<Severity>,
    pub max_recoverable: Option<u64>,
}

/// The audit of one Dockerfile: its rules run, each finding priced (in `image` when given, else
/// the runtime target's range) and valued with `fleet`. What `fleetsave audit` and each
/// `dockerfile` of a report's inventory show.
pub fn audit(tables: &Tables, request: Request) -> AuditReport {
    let Request {
        path,
        dockerfile,
        dockerignore,
        context,
        image,
        runtime,
        runtime_from,
        fleet,
        fail_on,
        max_recoverable,
    } = request;
    let hits = rules::audit(
        dockerfile,
        &tables.rules,
        &rules::Context {
            has_dockerignore: dockerignore,
        },
    );
    let image_input = image.map(|image| image_input(tables, dockerfile, image));
    let mut notes = Vec::new();
    let runtime = runtime.unwrap_or_else(|| {
        let guessed = stages::final_base(dockerfile)
            .as_deref()
            .and_then(rules::runtime_of);
        if let Some(runtime) = &guessed {
            notes.push(format!(
                "runtime {runtime} guessed from the final stage's base image ({runtime_from} to \
                 say)"
            ));
        }
        guessed
    });
    let target = runtime
        .and_then(|key| tables.targets.get(key))
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
    AuditReport::new(AuditInput {
        path,
        dockerfile,
        hits,
        rules: &tables.rules,
        techniques: &tables.techniques,
        image: image_input,
        runtime: runtime.map(|runtime| runtime.to_string()),
        target,
        fleet,
        context,
        fail_on,
        max_recoverable,
        notes,
    })
}

/// The image as the audit reads it: each layer's `created_by` matched to the instructions, the
/// leftovers of its final filesystem, each layer's entries when every layer's were read.
fn image_input<'a>(
    tables: &'a Tables,
    dockerfile: &Dockerfile,
    image: &'a Image,
) -> ImageInput<'a> {
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
        .map(|layer| layer.files.as_deref().map(Vec::as_slice))
        .collect();
    let entries = entries.filter(|layers| !layers.is_empty());
    let found = entries
        .as_ref()
        .map(|layers| leftovers::find(&tables.leftovers, &waste::final_files(layers)))
        .unwrap_or_default();
    let unpacked: Option<u64> = image
        .layers
        .iter()
        .map(|layer| layer.disk_bytes)
        .sum::<Option<u64>>();
    ImageInput {
        source: image.source.clone(),
        matched: price::match_layers(dockerfile, &created_by),
        created_by,
        leftover_rules: &tables.leftovers,
        found,
        entries,
        digests: image.layers.iter().map(|l| l.digest.to_string()).collect(),
        unpacked_bytes: unpacked,
    }
}

/// The audit of one service's Dockerfile in a fleet report (the `dockerfile` column).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ServiceAudit {
    pub service: String,
    /// The Dockerfile as the inventory names it (relative to the inventory).
    pub dockerfile: String,
    /// The image its findings are measured in: the row's after image, else its before image;
    /// `null` when the row names none (every finding is then an estimate).
    pub image: Option<String>,
    /// The size the estimates are taken of, in words; `null` when there is none.
    pub estimate_basis: Option<String>,
    /// The findings, as `fleetsave audit` lists them, priced with this service's shape.
    pub findings: Vec<Finding>,
    pub counts: Counts,
    /// What every finding together recovers (no byte counted twice).
    pub total: Total,
    /// For a plan row (no after size): the after size the findings give, beside the runtime
    /// target's projection; `null` for a committed row.
    pub plan: Option<AuditPlan>,
    pub notes: Vec<String>,
}

/// The basis of [`AuditPlan`], in words.
pub const PLAN_BASIS: &str = "the before size (unpacked) less what the findings recover: its high end gives the low after size, its low end the high one";

/// A plan row's after size as its Dockerfile's findings give it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AuditPlan {
    pub basis: &'static str,
    /// True when every byte of the total is measured; false when any of it is an estimate.
    pub measured: bool,
    /// before − the total's high end, and before − its low end (disk bytes).
    pub low_after_disk_bytes: u64,
    pub high_after_disk_bytes: u64,
}

/// The audit of every service with a Dockerfile, in `services` order: measured in the row's
/// after image, else its before image, with the row's shape and the report's assumptions.
pub fn service_audits(
    services: &[Service],
    assumptions: &Assumptions,
) -> Result<Vec<ServiceAudit>, Error> {
    if services.iter().all(|service| service.dockerfile.is_none()) {
        return Ok(Vec::new());
    }
    let tables = Tables::bundled()?;
    let mut out = Vec::new();
    for service in services {
        let Some(dockerfile) = &service.dockerfile else {
            continue;
        };
        let image = service
            .after_image
            .as_deref()
            .or(service.before_image.as_deref());
        let report = audit(
            &tables,
            Request {
                path: dockerfile.path.clone(),
                dockerfile: &dockerfile.parsed,
                dockerignore: dockerfile.dockerignore,
                context: None,
                image,
                runtime: service.runtime.map(Some),
                runtime_from: "the row's runtime",
                fleet: Some(FleetInput {
                    shape: service.shape,
                    assumptions: assumptions.clone(),
                }),
                fail_on: None,
                max_recoverable: None,
            },
        );
        let plan = service.after.is_none().then(|| {
            let before = service.before.disk_bytes;
            AuditPlan {
                basis: PLAN_BASIS,
                measured: report.total.estimated_high_bytes == 0,
                low_after_disk_bytes: before.saturating_sub(report.total.high_bytes),
                high_after_disk_bytes: before.saturating_sub(report.total.low_bytes),
            }
        });
        out.push(ServiceAudit {
            service: service.name.to_string(),
            dockerfile: dockerfile.path.clone(),
            image: report.image,
            estimate_basis: report.estimate_basis,
            findings: report.findings,
            counts: report.counts,
            total: report.total,
            plan,
            notes: report.notes,
        });
    }
    Ok(out)
}

fn files_phrase(count: usize, rule: &Rule) -> String {
    let what = if rule.leftovers.is_empty() {
        "removed later".to_string()
    } else {
        rule.leftover_ids().collect::<Vec<_>>().join(", ")
    };
    format!("{} ({what})", crate::units::counted(count as u128, "file"))
}

fn shorten(text: &str) -> String {
    let collapsed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= INSTRUCTION_CHARS {
        collapsed
    } else {
        let cut: String = collapsed.chars().take(INSTRUCTION_CHARS - 1).collect();
        format!("{cut}…")
    }
}

/// The files that measure a finding and the layer they are in (`None`: any layer); `None` when
/// it cannot be measured (no entries, or its instruction made no layer that was found).
fn measure(hit: &Hit, rule: &Rule, image: &ImageInput) -> Option<(Vec<FoundFile>, Option<usize>)> {
    let entries = image.entries.as_ref()?;
    let ids: Vec<&str> = rule.leftover_ids().collect();
    if rule.id == "multi-stage" {
        return Some((
            price::leftovers_in(&ids, image.leftover_rules, &image.found, None),
            None,
        ));
    }
    let layer = image
        .matched
        .layers
        .get(hit.layer_instruction?)
        .copied()
        .flatten()?;
    if !ids.is_empty() {
        let layer_entries = entries.get(layer)?;
        return Some((
            price::leftovers_of_layer(&ids, image.leftover_rules, layer_entries, layer),
            Some(layer),
        ));
    }
    if rule.id == "deleted-later" && !hit.paths.is_empty() {
        let layer_entries = entries.get(layer)?;
        return Some((
            price::removed_in(layer_entries, layer, &hit.paths),
            Some(layer),
        ));
    }
    None
}
