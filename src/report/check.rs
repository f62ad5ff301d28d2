//! The check report: every rule checked, its verdict, and the overall status (the JSON contract
//! of `fleetsave check`, `schema_version` 1).

use serde::Serialize;

use crate::calc::dive::{self, DiveRule, Limit, Outcome, Threshold};
use crate::calc::gate::{self, Level, Rule, RuleKind, Status, Verdict};
use crate::calc::targets::Targets;
use crate::calc::waste::Waste;
use crate::error::Error;
use crate::model::{Budget, GrowthLimit, ImageSize};
use crate::units::{Basis, format_bytes, format_range};

/// One image to check, with its rules' inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    pub name: String,
    pub image: ImageSize,
    pub runtime: Option<crate::model::RuntimeKey>,
    pub fail_budget: Option<Budget>,
    pub warn_budget: Option<Budget>,
    pub baseline: Option<ImageSize>,
}

/// The gate's settings, the same for every subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gate {
    /// The basis byte budgets and growth limits compare on; `None`: each image's measured one
    /// (wire for manifests and registries, unpacked for archives and typed sizes).
    pub basis: Option<Basis>,
    pub max_growth: Option<GrowthLimit>,
    pub warn_growth: Option<GrowthLimit>,
    pub warn_only: bool,
}

/// One rule with its verdict, as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RuleResult {
    /// The service or image checked.
    pub service: String,
    pub rule: RuleKind,
    pub level: Level,
    /// `disk` or `wire`: the basis both sizes are on.
    pub basis: Basis,
    /// True when the image's size on this basis was estimated from the other with the
    /// compression ratio, not measured or typed.
    pub estimated: bool,
    pub limit_bytes: u64,
    pub actual_bytes: u64,
    pub over_bytes: u64,
    pub passed: bool,
    /// Where the limit comes from: `python target 70–120 MB, high end`, `baseline 100 MB +
    /// max(5%, 10.0 MB)`.
    pub limit_from: String,
}

/// The result of `fleetsave check`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[schemars(title = "fleetsave check")]
pub struct CheckReport {
    pub schema_version: u32,
    pub command: String,
    /// `fail` makes the exit code 1 (never with `--warn-only`).
    pub status: Status,
    pub warn_only: bool,
    /// Images checked.
    pub checked: usize,
    pub rules: Vec<RuleResult>,
    /// dive's CI rules (`--dive-ci`, `--lowest-efficiency`, …), when any was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dive: Option<DiveReport>,
}

/// dive's rules on one image, with the figures they judge.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DiveReport {
    /// The service or image checked.
    pub service: String,
    /// The dive CI file read, when one was.
    pub dive_ci: Option<String>,
    /// Keys of the CI file ignored as dive ignores them (its plugin placeholders).
    pub ignored: Vec<String>,
    /// dive's efficiency: Σ smallest size of each path ÷ Σ every size seen.
    pub efficiency: f64,
    /// Σ of every layer's file content bytes.
    pub size_bytes: u64,
    /// The same without the first (base) layer.
    pub user_size_bytes: u64,
    /// Σ of the cumulative size of every path seen in more than one layer.
    pub wasted_bytes: u64,
    /// wasted ÷ user size; `null` when the user size is 0 (no threshold fails it, as in dive).
    pub user_wasted_percent: Option<f64>,
    pub rules: Vec<DiveRuleResult>,
}

/// One of dive's rules with its verdict.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DiveRuleResult {
    /// dive's key: `lowestEfficiency`, `highestWastedBytes`, `highestUserWastedPercent`.
    pub rule: DiveRule,
    pub level: Level,
    /// `passed`, `failed` or `disabled` (as dive reports it, before `--warn-only`).
    pub outcome: Outcome,
    /// False only when failed.
    pub passed: bool,
    /// The image's figure: a ratio (0–1) or bytes.
    pub value: Threshold,
    /// The threshold: a ratio (0–1) or bytes; `null` when disabled.
    pub limit: Option<Threshold>,
    /// The threshold as written: `0.95`, `20Mb`, `disabled`.
    pub configured: String,
    /// Where the threshold comes from: a flag, `FILE line N, KEY`, or dive's default.
    pub limit_from: String,
    /// What the figure is, in file content bytes as dive counts them.
    pub basis: String,
    /// dive's own message for a failure, else empty.
    pub message: String,
}

/// One of dive's rules to check: its level, threshold and where that came from.
#[derive(Debug, Clone, PartialEq)]
pub struct DiveCheck {
    pub rule: DiveRule,
    pub level: Level,
    pub limit: Limit,
    pub limit_from: String,
}

/// What each rule's figure is.
fn dive_basis(rule: DiveRule) -> &'static str {
    match rule {
        DiveRule::LowestEfficiency => {
            "efficiency: Σ smallest size of each path ÷ Σ every size seen, file content bytes"
        }
        DiveRule::HighestWastedBytes => {
            "wasted bytes: Σ sizes of every path seen in more than one layer, file content bytes"
        }
        DiveRule::HighestUserWastedPercent => {
            "user wasted: wasted bytes ÷ file content bytes of every layer but the first"
        }
    }
}

/// Judges `checks` on one image's waste figures and adds them to `report`, its status too.
/// Adds the leftovers rule of `level`: the bytes of files the checklist says should not ship
/// (data/leftovers.csv) against `limit_bytes`, file content bytes as dive counts them.
pub fn add_leftovers(
    report: &mut CheckReport,
    service: &str,
    leftover_bytes: u64,
    limit_bytes: u64,
    level: Level,
) {
    let verdict = gate::judge(
        Rule {
            kind: RuleKind::Leftovers,
            level,
            limit_bytes,
        },
        leftover_bytes,
    );
    if !verdict.passed {
        let status = match (level, report.warn_only) {
            (Level::Fail, false) => Status::Fail,
            _ => Status::Warn,
        };
        report.status = report.status.max(status);
    }
    report.rules.push(RuleResult {
        service: service.to_string(),
        rule: RuleKind::Leftovers,
        level,
        basis: Basis::Disk,
        estimated: false,
        limit_bytes,
        actual_bytes: verdict.actual_bytes,
        over_bytes: verdict.over_bytes,
        passed: verdict.passed,
        limit_from: format!(
            "leftovers limit {} (file content bytes of caches, lists, toolchains and docs)",
            format_bytes(i128::from(limit_bytes))
        ),
    });
}

pub fn add_dive(
    report: &mut CheckReport,
    service: &str,
    waste: &Waste,
    checks: &[DiveCheck],
    dive_ci: Option<String>,
    ignored: Vec<String>,
) {
    let mut rules = Vec::new();
    for check in checks {
        let value = dive::value(check.rule, waste);
        let outcome = dive::judge(check.rule, check.limit.threshold, value);
        let message = match (outcome, check.limit.threshold) {
            (Outcome::Failed, Some(threshold)) => dive::message(check.rule, threshold, value),
            _ => String::new(),
        };
        if outcome == Outcome::Failed {
            let status = match (check.level, report.warn_only) {
                (Level::Fail, false) => Status::Fail,
                _ => Status::Warn,
            };
            report.status = report.status.max(status);
        }
        rules.push(DiveRuleResult {
            rule: check.rule,
            level: check.level,
            outcome,
            passed: outcome != Outcome::Failed,
            value,
            limit: check.limit.threshold,
            configured: check.limit.configured.clone(),
            limit_from: check.limit_from.clone(),
            basis: dive_basis(check.rule).to_string(),
            message,
        });
    }
    report.dive = Some(DiveReport {
        service: service.to_string(),
        dive_ci,
        ignored,
        efficiency: waste.efficiency,
        size_bytes: waste.size_bytes,
        user_size_bytes: waste.user_size_bytes,
        wasted_bytes: waste.wasted_bytes,
        user_wasted_percent: waste.user_wasted_percent,
        rules,
    });
}

fn size_on(image: &ImageSize, basis: Basis) -> u64 {
    match basis {
        Basis::Disk => image.disk_bytes,
        Basis::Wire => image.wire_bytes,
    }
}

fn estimated_on(image: &ImageSize, basis: Basis) -> bool {
    match basis {
        Basis::Disk => image.disk_estimated,
        Basis::Wire => image.wire_estimated,
    }
}

/// The basis a subject's byte rules compare on: the gate's, else the one measured for the
/// image (and its baseline, when it has one), unpacked when both are.
fn basis_for(subject: &Subject, gate: &Gate) -> Basis {
    if let Some(basis) = gate.basis {
        return basis;
    }
    let measured = |basis| {
        !estimated_on(&subject.image, basis)
            && subject
                .baseline
                .as_ref()
                .is_none_or(|baseline| !estimated_on(baseline, basis))
    };
    if !measured(Basis::Disk) && measured(Basis::Wire) {
        Basis::Wire
    } else {
        Basis::Disk
    }
}

fn budget_rule(
    subject: &Subject,
    budget: Budget,
    level: Level,
    basis: Basis,
    targets: &Targets,
) -> Result<(Rule, u64, String, Basis), Error> {
    match budget {
        Budget::Bytes(limit_bytes) => Ok((
            Rule {
                kind: RuleKind::Budget,
                level,
                limit_bytes,
            },
            size_on(&subject.image, basis),
            format!("budget {}", format_bytes(i128::from(limit_bytes))),
            basis,
        )),
        Budget::Target => {
            let target = subject
                .runtime
                .and_then(|runtime| targets.get(runtime))
                .ok_or_else(|| Error::Input {
                    place: crate::error::Place::flag("--budget"),
                    message: format!(
                        "'target' needs a runtime with a size target for '{}'; give --runtime \
                             (or a runtime column) with one of {}",
                        subject.name,
                        targets.accepted_keys().trim_end_matches(", other")
                    ),
                })?;
            // Targets are unpacked sizes: always judged on disk bytes.
            Ok((
                Rule {
                    kind: RuleKind::Target,
                    level,
                    limit_bytes: target.high_disk_bytes,
                },
                subject.image.disk_bytes,
                format!(
                    "{} target {}, high end",
                    target.runtime,
                    format_range(target.low_disk_bytes, target.high_disk_bytes)
                ),
                Basis::Disk,
            ))
        }
    }
}

fn growth_rule(
    baseline: &ImageSize,
    limit: GrowthLimit,
    level: Level,
    basis: Basis,
) -> (Rule, String) {
    let baseline_bytes = size_on(baseline, basis);
    let limit_bytes = gate::growth_limit(baseline_bytes, limit.percent, limit.floor_bytes);
    (
        Rule {
            kind: RuleKind::Growth,
            level,
            limit_bytes,
        },
        format!(
            "baseline {} + the larger of {}% and {}",
            format_bytes(i128::from(baseline_bytes)),
            limit.percent.as_percent(),
            format_bytes(i128::from(limit.floor_bytes))
        ),
    )
}

/// Checks every subject against the gate.
pub fn check(subjects: &[Subject], gate: &Gate, targets: &Targets) -> Result<CheckReport, Error> {
    let mut rules = Vec::new();
    let mut verdicts: Vec<Verdict> = Vec::new();
    for subject in subjects {
        let basis = basis_for(subject, gate);
        let mut push = |rule: Rule, actual: u64, limit_from: String, basis: Basis| {
            let verdict = gate::judge(rule, actual);
            verdicts.push(verdict);
            rules.push(RuleResult {
                service: subject.name.clone(),
                rule: rule.kind,
                level: rule.level,
                basis,
                estimated: estimated_on(&subject.image, basis),
                limit_bytes: rule.limit_bytes,
                actual_bytes: verdict.actual_bytes,
                over_bytes: verdict.over_bytes,
                passed: verdict.passed,
                limit_from,
            });
        };
        for (budget, level) in [
            (subject.fail_budget, Level::Fail),
            (subject.warn_budget, Level::Warn),
        ] {
            if let Some(budget) = budget {
                let (rule, actual, from, basis) =
                    budget_rule(subject, budget, level, basis, targets)?;
                push(rule, actual, from, basis);
            }
        }
        if let Some(baseline) = &subject.baseline {
            for (limit, level) in [
                (gate.max_growth, Level::Fail),
                (gate.warn_growth, Level::Warn),
            ] {
                if let Some(limit) = limit {
                    let (rule, from) = growth_rule(baseline, limit, level, basis);
                    push(rule, size_on(&subject.image, basis), from, basis);
                }
            }
        }
    }
    Ok(CheckReport {
        schema_version: super::SCHEMA_VERSION,
        command: "check".to_string(),
        status: gate::status(&verdicts, gate.warn_only),
        warn_only: gate.warn_only,
        checked: subjects.len(),
        rules,
        dive: None,
    })
}
