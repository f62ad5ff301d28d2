//! The CI gate (`fleetsave check`): size rules and their verdicts. Pure functions on bytes.
//!
//! - **budget**: the image must be at most `limit` bytes (an absolute size, or a runtime target's
//!   high end with `--budget target`);
//! - **growth**: against a baseline, the growth must not be strictly above both a percentage of
//!   the baseline and an absolute floor (small images make percentages noisy). Growth `g` (an
//!   integer) is above `pct × baseline` exactly when it is above its floor, so the rule is stated
//!   as one limit: `baseline + max(⌊pct × baseline⌋, floor)`, failing when `actual > limit`.

use serde::Serialize;

use crate::units::Percent;

/// How bad a broken rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Warn,
    Fail,
}

/// The verdict of a whole check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

/// What a rule is about, in the user's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    /// An absolute size budget.
    Budget,
    /// The runtime target's high end as a budget.
    Target,
    /// Growth against a baseline.
    Growth,
    /// Leftovers in the final filesystem (caches, lists, toolchains, docs), in file content bytes.
    Leftovers,
}

/// One rule to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub kind: RuleKind,
    pub level: Level,
    /// The most the image may be, in bytes.
    pub limit_bytes: u64,
}

/// A rule with its verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub rule: Rule,
    pub actual_bytes: u64,
    /// Bytes over the limit (0 when passed).
    pub over_bytes: u64,
    pub passed: bool,
}

/// The limit of a growth rule: `baseline + max(⌊pct × baseline⌋, floor)`.
pub fn growth_limit(baseline_bytes: u64, percent: Percent, floor_bytes: u64) -> u64 {
    baseline_bytes.saturating_add(percent.of(baseline_bytes).max(floor_bytes))
}

/// Judges `actual_bytes` against a rule: it passes when at most the limit.
pub fn judge(rule: Rule, actual_bytes: u64) -> Verdict {
    let over_bytes = actual_bytes.saturating_sub(rule.limit_bytes);
    Verdict {
        rule,
        actual_bytes,
        over_bytes,
        passed: over_bytes == 0,
    }
}

/// The status of a set of verdicts; with `warn_only`, failures count as warnings.
pub fn status<'a>(verdicts: impl IntoIterator<Item = &'a Verdict>, warn_only: bool) -> Status {
    verdicts
        .into_iter()
        .filter(|verdict| !verdict.passed)
        .map(|verdict| match (verdict.rule.level, warn_only) {
            (Level::Fail, false) => Status::Fail,
            _ => Status::Warn,
        })
        .max()
        .unwrap_or(Status::Pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1_000_000;

    fn growth(actual: u64) -> Verdict {
        let limit = growth_limit(100 * MB, Percent::parse("5%").unwrap(), 10 * MB);
        judge(
            Rule {
                kind: RuleKind::Growth,
                level: Level::Fail,
                limit_bytes: limit,
            },
            actual,
        )
    }

    #[test]
    fn growth_needs_both_the_percentage_and_the_floor() {
        assert!(growth(104 * MB).passed);
        assert!(growth(109 * MB).passed, "9% but under the 10 MB floor");
        assert!(
            growth(110 * MB).passed,
            "exactly at the floor is not above it"
        );
        let failed = growth(111 * MB);
        assert!(!failed.passed);
        assert_eq!(failed.over_bytes, MB);
        assert_eq!(failed.rule.limit_bytes, 110 * MB);
    }

    #[test]
    fn a_percentage_alone_has_a_floor_of_zero() {
        let limit = growth_limit(100 * MB, Percent::parse("5%").unwrap(), 0);
        assert_eq!(limit, 105 * MB);
        assert!(
            judge(
                Rule {
                    kind: RuleKind::Growth,
                    level: Level::Fail,
                    limit_bytes: limit
                },
                105 * MB
            )
            .passed
        );
        assert!(
            !judge(
                Rule {
                    kind: RuleKind::Growth,
                    level: Level::Fail,
                    limit_bytes: limit
                },
                105 * MB + 1
            )
            .passed
        );
    }

    #[test]
    fn fractional_percentages_are_exact() {
        // 2.5% of 1,001 bytes is 25.025: growth of 25 passes, 26 fails.
        let limit = growth_limit(1001, Percent::parse("2.5%").unwrap(), 0);
        assert_eq!(limit, 1026);
        assert_eq!(Percent::parse("2.5").unwrap().as_percent(), 2.5);
        for bad in ["", "%", "-5%", "five", "1.2.3%", "20000%"] {
            assert_eq!(Percent::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn statuses() {
        let budget = |level, limit| Rule {
            kind: RuleKind::Budget,
            level,
            limit_bytes: limit,
        };
        let pass = judge(budget(Level::Fail, 200), 100);
        let warn = judge(budget(Level::Warn, 50), 100);
        let fail = judge(budget(Level::Fail, 80), 100);
        assert_eq!(status([&pass], false), Status::Pass);
        assert_eq!(status([&pass, &warn], false), Status::Warn);
        assert_eq!(status([&pass, &warn, &fail], false), Status::Fail);
        assert_eq!(status([&fail], true), Status::Warn);
        assert_eq!(fail.over_bytes, 20);
    }
}
