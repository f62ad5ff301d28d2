//! `check` with dive's CI rules (`--dive-ci`, `--lowest-efficiency`, …) on dive's own test image,
//! against the verdicts of dive's `cmd/dive/cli/internal/command/ci/evaluator_test.go`.

use crate::common::*;

const DIVE: &str = "tests/fixtures/dive/test-docker-image.tar";
const DIVE_CI: &str = "tests/fixtures/dive/dive-ci.yaml";

fn check(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    let output = fleetsave().args(&all).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// (rule, outcome) of each dive rule in a check's JSON.
fn outcomes(json: &serde_json::Value) -> Vec<(String, String, String)> {
    json["dive"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| {
            (
                rule["rule"].as_str().unwrap().to_string(),
                rule["level"].as_str().unwrap().to_string(),
                rule["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn owned(rows: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

#[test]
fn dives_evaluator_cases_pass_and_fail_as_dive_expects() {
    // Test_Evaluator: efficiency, wasted bytes, wasted percent, pass, each rule's status.
    let cases = [
        ("0.99", "1B", "0.01", 1, ["failed", "failed", "failed"]),
        ("0.9", "50kB", "0.5", 0, ["passed", "passed", "passed"]),
        (
            "disabled",
            "disabled",
            "disabled",
            0,
            ["disabled", "disabled", "disabled"],
        ),
        ("0.9", "1B", "0.5", 1, ["passed", "failed", "passed"]),
    ];
    for (efficiency, wasted, percent, code, expected) in cases {
        let (got, out, err) = check(&[
            DIVE,
            "--lowest-efficiency",
            efficiency,
            "--highest-wasted-bytes",
            wasted,
            "--highest-user-wasted-percent",
            percent,
            "--format",
            "json",
        ]);
        assert_eq!(got, code, "{efficiency} {wasted} {percent}: {err}");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            outcomes(&json),
            owned(&[
                ("lowestEfficiency", "fail", expected[0]),
                ("highestWastedBytes", "fail", expected[1]),
                ("highestUserWastedPercent", "fail", expected[2]),
            ])
        );
    }
}

#[test]
fn dives_own_ci_file_passes_on_dives_test_image() {
    let (code, out, err) = check(&["--dive-ci", DIVE_CI, DIVE]);
    assert_eq!(code, 0, "{out}{err}");
    for line in [
        "pass  dive    test-docker-image.tar: efficiency 0.9844 (98.44%) ≥ 0.9500 (95.00%) \
         (lowestEfficiency 0.95 from tests/fixtures/dive/dive-ci.yaml: lowestEfficiency; \
         efficiency: Σ smallest size of each path ÷ Σ every size seen, file content bytes)",
        "pass  dive    test-docker-image.tar: wasted 32025 bytes (32.0 kB) ≤ 20000000 bytes \
         (20.0 MB) (highestWastedBytes 20Mb from",
        "pass  dive    test-docker-image.tar: user wasted 0.4835 (48.35%) ≤ 0.5000 (50.00%)",
        "ignored as dive ignores it: rules.plugin1/rule1",
    ] {
        assert!(out.contains(line), "{line}\n{out}");
    }
    let json = json_of(&["check", "--dive-ci", DIVE_CI, DIVE, "--format", "json"]);
    assert_eq!(json["status"], "pass");
    let dive = &json["dive"];
    assert_eq!(dive["efficiency"], 0.9844212134184309);
    assert_eq!(dive["wasted_bytes"], 32025);
    assert_eq!(dive["user_wasted_percent"], 0.4834911001404049);
    assert_eq!(dive["rules"][1]["limit"], 20_000_000);
    assert_eq!(dive["rules"][1]["value"], 32025);
    assert_eq!(dive["rules"][1]["configured"], "20Mb");
    assert_eq!(dive["rules"][0]["limit"], 0.95);
    assert!(
        dive["rules"][2]["basis"]
            .as_str()
            .unwrap()
            .contains("every layer but the first")
    );
}

#[test]
fn a_flag_overrides_the_files_rule_and_left_out_rules_take_dives_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(
        dir.path(),
        ".dive-ci",
        "rules:\n  highestWastedBytes: 1MB\n",
    );
    let file = file.to_str().unwrap();
    let json: serde_json::Value = {
        let (code, out, err) = check(&[
            "--dive-ci",
            file,
            DIVE,
            "--highest-wasted-bytes",
            "1B",
            "--format",
            "json",
        ]);
        // dive's default highestUserWastedPercent 0.1 fails at 0.4835, as dive would.
        assert_eq!(code, 1, "{err}");
        serde_json::from_str(&out).unwrap()
    };
    assert_eq!(
        outcomes(&json),
        owned(&[
            ("lowestEfficiency", "fail", "passed"),
            ("highestWastedBytes", "fail", "failed"),
            ("highestUserWastedPercent", "fail", "failed"),
        ])
    );
    let rules = &json["dive"]["rules"];
    assert_eq!(rules[1]["limit_from"], "--highest-wasted-bytes");
    assert!(
        rules[2]["limit_from"]
            .as_str()
            .unwrap()
            .starts_with("dive's default highestUserWastedPercent"),
        "{}",
        rules[2]
    );
    assert!(
        rules[2]["message"]
            .as_str()
            .unwrap()
            .starts_with("too many bytes wasted, relative to the user bytes added"),
    );
}

#[test]
fn each_rule_at_warn_level_warns_without_failing() {
    for (flag, value, rule) in [
        ("--warn-lowest-efficiency", "0.99", "lowestEfficiency"),
        ("--warn-highest-wasted-bytes", "32024", "highestWastedBytes"),
        (
            "--warn-highest-user-wasted-percent",
            "0.48",
            "highestUserWastedPercent",
        ),
    ] {
        let (code, out, err) = check(&[DIVE, flag, value, "--format", "json"]);
        assert_eq!(code, 0, "{flag}: {err}");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(json["status"], "warn", "{flag}");
        assert_eq!(outcomes(&json), owned(&[(rule, "warn", "failed")]));
        // At the figure itself, the rule passes (dive fails strictly past the threshold).
        let at = match rule {
            "lowestEfficiency" => "0.98",
            "highestWastedBytes" => "32025",
            _ => "0.49",
        };
        let (code, out, _) = check(&[DIVE, flag, at]);
        assert_eq!(code, 0);
        assert!(
            out.starts_with("fleetsave check: PASS"),
            "{flag} {at}: {out}"
        );
    }
}

#[test]
fn each_rule_at_fail_level_fails_and_warn_only_makes_it_a_warning() {
    for (flag, value) in [
        ("--lowest-efficiency", "0.99"),
        ("--highest-wasted-bytes", "32KB"),
        ("--highest-user-wasted-percent", "0.2"),
    ] {
        let (code, out, _) = check(&[DIVE, flag, value]);
        assert_eq!(code, 1, "{flag}: {out}");
        assert!(
            out.contains("  fail  dive    test-docker-image.tar: "),
            "{out}"
        );
        let (code, out, _) = check(&[DIVE, flag, value, "--warn-only"]);
        assert_eq!(code, 0, "{flag}: {out}");
        assert!(out.contains("  warn  dive    "), "{out}");
    }
    let (_, out, _) = check(&[DIVE, "--lowest-efficiency", "0.99"]);
    assert!(
        out.contains(
            "efficiency 0.9844 (98.44%) < 0.9900 (99.00%) (lowestEfficiency 0.99 from \
             --lowest-efficiency; efficiency: Σ smallest size of each path ÷ Σ every size seen, \
             file content bytes): image efficiency is too low (efficiency=0.98 < threshold=0.99)"
        ),
        "{out}"
    );
}

#[test]
fn disabled_rules_are_shown_and_never_fail() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(
        dir.path(),
        ".dive-ci",
        "rules:\n  lowestEfficiency: disabled\n  highestWastedBytes: off\n  \
         highestUserWastedPercent: false\n",
    );
    let (code, out, _) = check(&["--dive-ci", file.to_str().unwrap(), DIVE]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.matches("  skip  dive    ").count(), 3, "{out}");
    assert!(out.contains("lowestEfficiency disabled ("), "{out}");
    let (code, out, _) = check(&[
        DIVE,
        "--lowest-efficiency",
        "disabled",
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("| ➖ skip | dive lowestEfficiency | test-docker-image.tar | 0.9844 (98.44%) | disabled |"),
        "{out}"
    );
}

#[test]
fn markdown_and_annotations_show_dives_rules() {
    let (code, out, _) = check(&[
        DIVE,
        "--highest-wasted-bytes",
        "1kB",
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "| ❌ fail | dive highestWastedBytes | test-docker-image.tar | 32025 bytes (32.0 kB) \
             | 1000 bytes (1.00 kB) | over | 1kB from --highest-wasted-bytes; wasted bytes: Σ \
             sizes of every path seen in more than one layer, file content bytes |"
        ),
        "{out}"
    );
    let output = fleetsave()
        .args(["check", DIVE, "--highest-wasted-bytes", "1kB"])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        out.contains("::error title=fleetsave check (dive)::test-docker-image.tar: wasted"),
        "{out}"
    );
}

#[test]
fn bad_dive_ci_files_and_values_are_exit_2_naming_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "rules:\n  lowestEfficiency: 0.9\n  highestWastedByte: 20MB\n",
            "line 3, highestWastedByte: has an unknown key 'highestWastedByte'",
        ),
        (
            "rules:\n  lowestEfficiency: 1.1\n",
            "line 2, lowestEfficiency: '1.1' is outside 0–1",
        ),
        (
            "rules:\n  highestWastedBytes: lots\n",
            "line 2, highestWastedBytes: 'lots' is not a size",
        ),
        ("rules: [\n", "is not a dive CI file"),
        ("ci: true\n", "line 1, ci: has an unknown key 'ci'"),
    ];
    for (text, expected) in cases {
        let file = write_file(dir.path(), ".dive-ci", text);
        let (code, err) = failure_of(&["check", "--dive-ci", file.to_str().unwrap(), DIVE]);
        assert_eq!(code, 2, "{text}: {err}");
        assert!(
            err.contains(".dive-ci") && err.contains(expected),
            "{text}: {err}"
        );
    }
    let big = write_file(dir.path(), "big", &"# x\n".repeat(20_000));
    let (code, err) = failure_of(&["check", "--dive-ci", big.to_str().unwrap(), DIVE]);
    assert_eq!(code, 2);
    assert!(err.contains("larger than 65536 bytes"), "{err}");
    for (flag, value) in [
        ("--lowest-efficiency", "90%"),
        ("--highest-wasted-bytes", "20 megs"),
        ("--warn-highest-user-wasted-percent", "-0.1"),
    ] {
        let (code, err) = failure_of(&["check", DIVE, flag, value]);
        assert_eq!(code, 2, "{flag} {value}: {err}");
    }
    let (code, err) = failure_of(&["check", "--size", "1GB", "--lowest-efficiency", "0.9"]);
    assert_eq!(code, 2);
    assert!(err.contains("dive's rules judge an image's files"), "{err}");
}

/// `--max-leftovers` judges the leftovers of the final filesystem (18,540 bytes of file content
/// in the leftovers fixture, worked by hand in its README) at fail or warn level.
#[test]
fn leftovers_limits_fail_and_warn() {
    let layout = "tests/fixtures/leftovers/layout";
    let output = fleetsave()
        .args([
            "check",
            layout,
            "--max-leftovers",
            "10kB",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let rule = &json["rules"][0];
    assert_eq!(rule["rule"], "leftovers");
    assert_eq!(int(&rule["actual_bytes"]), 18_540);
    assert_eq!(int(&rule["limit_bytes"]), 10_000);
    assert_eq!(rule["passed"], false);
    let output = fleetsave()
        .args([
            "check",
            layout,
            "--warn-max-leftovers",
            "10kB",
            "--max-leftovers",
            "20kB",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("fleetsave check: WARN"), "{text}");
    // A manifest holds no files: the limit cannot be judged, and says why.
    let (code, stderr) = failure_of(&[
        "check",
        "tests/fixtures/manifests/distroless-java-base_latest_2023-02-14.json",
        "--max-leftovers",
        "10MB",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("need every layer's tar entries"),
        "{stderr}"
    );
}
