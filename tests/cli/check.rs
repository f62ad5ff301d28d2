//! `fleetsave check`: the CI gate, and the completions and man page.

use crate::common::*;

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

#[test]
fn a_python_image_over_its_target_fails_and_warn_only_passes() {
    let (code, out, _) = check(&[
        "--size",
        "130MB",
        "--runtime",
        "python",
        "--budget",
        "target",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("fail  target  image: 130 MB unpacked > 120 MB (python target 70–120 MB, high end), over by 10.0 MB"), "{out}");
    let (code, out, _) = check(&[
        "--size",
        "130MB",
        "--runtime",
        "python",
        "--budget",
        "target",
        "--warn-only",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("WARN") && out.contains("warn  target  image: 130 MB unpacked > 120 MB"),
        "{out}"
    );
    let (code, _, _) = check(&[
        "--size",
        "120MB",
        "--runtime",
        "python",
        "--budget",
        "target",
    ]);
    assert_eq!(code, 0, "at the high end is within");
}

#[test]
fn growth_fires_only_above_both_the_percentage_and_the_floor() {
    for (size, expected) in [("104MB", 0), ("109MB", 0), ("110MB", 0), ("111MB", 1)] {
        let (code, out, _) = check(&[
            "--size",
            size,
            "--baseline",
            "100MB",
            "--max-growth",
            "5%,10MB",
        ]);
        assert_eq!(code, expected, "{size}: {out}");
    }
    let (code, _, _) = check(&[
        "--size",
        "105MB",
        "--baseline",
        "100MB",
        "--max-growth",
        "5%",
    ]);
    assert_eq!(code, 0);
    let (code, out, _) = check(&[
        "--size",
        "105000001",
        "--baseline",
        "100MB",
        "--max-growth",
        "5%",
    ]);
    assert_eq!(code, 1, "a percentage alone has a floor of 0: {out}");
}

#[test]
fn warn_levels_warn_without_failing() {
    let (code, out, _) = check(&[
        "--size",
        "300MB",
        "--warn-budget",
        "250MB",
        "--budget",
        "400MB",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("fleetsave check: WARN"), "{out}");
    assert!(
        out.contains("pass  budget  image: 300 MB unpacked ≤ 400 MB"),
        "{out}"
    );
    assert!(
        out.contains(
            "warn  budget  image: 300 MB unpacked > 250 MB (budget 250 MB), over by 50.0 MB"
        ),
        "{out}"
    );
    let (code, out, _) = check(&[
        "--size",
        "112MB",
        "--baseline",
        "100MB",
        "--warn-growth",
        "10%",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("warn  growth"), "{out}");
}

#[test]
fn json_lists_every_rule_with_limit_actual_and_over() {
    let (code, out, _) = check(&[
        "--size",
        "130MB",
        "--runtime",
        "python",
        "--budget",
        "target",
        "--baseline",
        "100MB",
        "--max-growth",
        "50%",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["status"], "fail");
    let rules = json["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0]["rule"], "target");
    assert_eq!(rules[0]["level"], "fail");
    assert_eq!(int(&rules[0]["limit_bytes"]), 120_000_000);
    assert_eq!(int(&rules[0]["actual_bytes"]), 130_000_000);
    assert_eq!(int(&rules[0]["over_bytes"]), 10_000_000);
    assert_eq!(rules[0]["passed"], false);
    assert_eq!(rules[1]["rule"], "growth");
    assert_eq!(int(&rules[1]["limit_bytes"]), 150_000_000);
    assert_eq!(rules[1]["passed"], true);
}

#[test]
fn markdown_has_the_check_marker_and_github_annotations_are_printed() {
    let output = fleetsave()
        .args([
            "check",
            "--size",
            "130MB",
            "--runtime",
            "python",
            "--budget",
            "target",
            "--format",
            "markdown",
        ])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let md = String::from_utf8(output.stdout).unwrap();
    assert!(md.starts_with("<!-- fleetsave:check -->\n"), "{md}");
    assert!(
        md.contains("| ❌ fail | target | image | 130 MB unpacked | 120 MB | 10.0 MB |"),
        "{md}"
    );
    // With the report on stdout, annotations go to stderr so they cannot corrupt it.
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("::error title=fleetsave check (target)::image: 130 MB unpacked > 120 MB"),
        "{stderr}"
    );
    let text = fleetsave()
        .args([
            "check",
            "--size",
            "130MB",
            "--runtime",
            "python",
            "--budget",
            "target",
            "--warn-only",
        ])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    let stdout = String::from_utf8(text.stdout).unwrap();
    assert!(
        stdout.contains("::warning title=fleetsave check (target)::"),
        "{stdout}"
    );
    let quiet = fleetsave()
        .args([
            "check",
            "--size",
            "130MB",
            "--runtime",
            "python",
            "--budget",
            "target",
        ])
        .output()
        .unwrap();
    assert!(!String::from_utf8(quiet.stdout).unwrap().contains("::error"));
}

#[test]
fn inventory_mode_checks_every_service_with_its_budget_column() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "service,runtime,before,after,budget\n\
               api,python,900MB,130MB,target\n\
               web,node,500MB,150MB,200MB\n\
               batch,go,400MB,90MB,\n\
               planned,java,700MB,,600MB\n";
    let path = write_file(dir.path(), "fleet.csv", csv);
    let (code, out, _) = check(&["--inventory", path.to_str().unwrap(), "--budget", "80MB"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("fail  target  api: 130 MB unpacked > 120 MB"),
        "{out}"
    );
    assert!(
        out.contains("pass  budget  web: 150 MB unpacked ≤ 200 MB"),
        "{out}"
    );
    assert!(
        out.contains("fail  budget  batch: 90.0 MB unpacked > 80.0 MB"),
        "the flag is the default budget: {out}"
    );
    assert!(
        out.contains("fail  budget  planned: 700 MB unpacked > 600 MB"),
        "a plan is checked as it is: {out}"
    );
    assert!(out.contains("(4 checked, 4 rules)"), "{out}");
    let (_, out, _) = check(&["--inventory", path.to_str().unwrap(), "--max-growth", "5%"]);
    // Growth is measured from each row's before size; the plan has none to grow from.
    assert_eq!(
        out.matches("pass  growth").count(),
        3,
        "no service grew: {out}"
    );
    assert!(
        out.contains("pass  growth  api: 130 MB unpacked ≤ 945 MB (baseline 900 MB"),
        "{out}"
    );
    let bad = write_file(
        dir.path(),
        "bad.csv",
        "service,before,after,budget\napi,1GB,1MB,huge\n",
    );
    let (code, _, err) = check(&["--inventory", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.csv line 2, budget: 'huge'"), "{err}");
}

#[test]
fn bad_gate_input_is_exit_2() {
    for (args, needle) in [
        (
            &["--size", "1GB", "--budget", "small"][..],
            "--budget: 'small'",
        ),
        (
            &["--size", "1GB", "--baseline", "1GB", "--max-growth", "lots"][..],
            "--max-growth: 'lots'",
        ),
        (
            &["--size", "1GB", "--baseline", "1GB", "--max-growth", "5%,x"][..],
            "--max-growth: '5%,x'",
        ),
        (&["--size", "1GB", "--max-growth", "5%"][..], "--max-growth"),
        (&["--size", "1GB", "--budget", "target"][..], "--budget"),
        (&["--budget", "1GB"][..], "--size"),
        (&["--size", "-1GB"][..], "--size: '-1GB'"),
    ] {
        let (code, _, err) = check(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.lines().next().unwrap_or_default().contains(needle),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn snapshots_of_the_check_outputs() {
    let args = [
        "--size",
        "130MB",
        "--runtime",
        "python",
        "--budget",
        "target",
        "--baseline",
        "120MB",
        "--max-growth",
        "5%,5MB",
        "--warn-budget",
        "100MB",
    ];
    let (_, text, _) = check(&args);
    insta::assert_snapshot!("check_text", text);
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    insta::assert_snapshot!("check_json", check(&json_args).1);
    let mut md_args = args.to_vec();
    md_args.extend(["--format", "markdown"]);
    insta::assert_snapshot!("check_markdown", check(&md_args).1);
}

#[test]
fn completions_for_every_shell_and_a_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.contains("fleetsave"), "{shell}");
        assert!(
            script.contains("max-growth"),
            "{shell} completes check's flags"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let bash = write_file(
        dir.path(),
        "fleetsave.bash",
        &stdout_of(&["completions", "bash"]),
    );
    let status = std::process::Command::new("bash")
        .arg("-n")
        .arg(&bash)
        .status()
        .unwrap();
    assert!(status.success(), "the bash completion script parses");
    let man = stdout_of(&["man"]);
    assert!(man.contains(".TH fleetsave 1"), "{man}");
    assert!(man.contains("calc") && man.contains("report") && man.contains("check"));
}

/// A manifest measures wire bytes only: byte budgets judge them on the wire, unless `--basis`
/// asks for unpacked bytes, which are then estimated and the verdict says so; `--budget target`
/// always judges unpacked bytes and marks the estimate.
#[test]
fn budgets_compare_on_the_measured_basis_unless_told() {
    let manifest = "tests/fixtures/manifests/distroless-java-base_latest_2023-02-14.json";
    let (code, out, _) = check(&[manifest, "--budget", "10MB"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(": 18.5 MB wire > 10.0 MB (budget 10.0 MB)"),
        "{out}"
    );
    let (code, out, _) = check(&[manifest, "--budget", "60MB", "--basis", "disk"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            ": ≈50.1 MB unpacked ≤ 60.0 MB (budget 60.0 MB; the unpacked size is estimated"
        ),
        "{out}"
    );
    let (_, out, _) = check(&[manifest, "--runtime", "java", "--budget", "target"]);
    assert!(
        out.contains(": ≈50.1 MB unpacked ≤ 250 MB (java target"),
        "{out}"
    );
    let (code, out, _) = check(&[manifest, "--budget", "10MB", "--format", "json"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["rules"][0]["basis"], "wire");
    assert_eq!(json["rules"][0]["estimated"], false);
}
