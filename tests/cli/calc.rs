//! `fleetsave calc`: the reference example, the figures of SPEC §2/§3, errors and output files.

use crate::common::*;

fn with<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    reference_with(extra)
}

#[test]
fn the_reference_example_of_spec_section_2() {
    let json = json_of(&with(&["--format", "json"]));
    let totals = &json["totals"];
    assert_eq!(int(&totals["pulls_per_day"]), 2000);
    assert_eq!(int(&totals["per_pull_saved"]["disk_bytes"]), 420_000_000);
    assert_eq!(
        int(&totals["per_day"]["saved"]["disk_bytes"]),
        840_000_000_000
    );
    let ratio = json["assumptions"]["compression_ratio"]["value"]
        .as_f64()
        .unwrap();
    assert_eq!(ratio, 0.37);
    assert_eq!(
        int(&totals["per_day"]["saved"]["wire_bytes"]),
        310_800_000_000
    );
    assert_eq!(
        int(&totals["per_year"]["saved"]["wire_bytes"]),
        113_442_000_000_000
    );
    assert_eq!(totals["estimated"]["wire"], true);
    assert_eq!(totals["estimated"]["disk"], false);
    assert_eq!(json["services"].as_array().unwrap().len(), 1);
    assert_eq!(json["schema_version"], 1);
}

#[test]
fn the_wire_basis_is_exact() {
    let json = json_of(&[
        "calc",
        "--basis",
        "wire",
        "--before",
        "410908459",
        "--after",
        "43188023",
        "--format",
        "json",
    ]);
    assert_eq!(
        int(&json["totals"]["per_pull_saved"]["wire_bytes"]),
        367_720_436
    );
    assert_eq!(json["totals"]["estimated"]["disk"], true);
    // disk estimated per image: round(410908459 / 0.37) − round(43188023 / 0.37)
    assert_eq!(
        int(&json["totals"]["per_pull_saved"]["disk_bytes"]),
        1_110_563_403 - 116_724_386
    );
}

#[test]
fn cost_and_cold_start_follow_the_formulas() {
    let json = json_of(&with(&["--format", "json", "--pricing", "internet"]));
    let totals = &json["totals"];
    // 310.8 GB/day × $0.09 = $27.972 → $27.97; a year: 113,442 GB × $0.09 = $10,209.78
    assert_eq!(totals["cost_saved"]["per_day"], 27.97);
    assert_eq!(totals["cost_saved"]["per_year"], 10209.78);
    assert_eq!(totals["cost_saved"]["price_per_gb"], 0.09);
    assert_eq!(totals["cost_saved"]["pricing"], "internet");
    assert_eq!(totals["cost_saved"]["currency"], "USD");
    // 6.48 s → 1.0368 s per pull; 20 services on a new node; 2000 pulls × 5.4432 s / 3600.
    assert_eq!(totals["pull_seconds"]["before"], 6.48);
    assert_eq!(totals["pull_seconds"]["after"], 1.037);
    assert_eq!(totals["pull_seconds_saved_per_pull"], 5.443);
    assert_eq!(totals["new_node_seconds"]["saved"], 108.864);
    assert_eq!(totals["node_hours_saved_per_day"], 3.024);
    // storage: 155.4 MB × 10 tags × 20 services = 31.08 GB at $0.10 = $3.11 a month
    assert_eq!(
        int(&totals["registry_storage_saved"]["wire_bytes"]),
        31_080_000_000
    );
    assert_eq!(totals["registry_storage_saved"]["cost_per_month"], 3.11);
}

#[test]
fn rates_and_prices_from_flags() {
    let json = json_of(&with(&[
        "--format",
        "json",
        "--bandwidth",
        "250MB/s",
        "--extract-rate",
        "50MB/s",
        "--price-per-gb",
        "0.1",
        "--compression-ratio",
        "0.5",
    ]));
    let totals = &json["totals"];
    // before: 250 MB / 250 MB/s + 500 MB / 50 MB/s = 11 s; after: 40/250 + 80/50 = 1.76 s
    assert_eq!(totals["pull_seconds"]["before"], 11.0);
    assert_eq!(totals["pull_seconds"]["after"], 1.76);
    // 420 GB a day of wire at $0.10
    assert_eq!(
        int(&totals["per_day"]["saved"]["wire_bytes"]),
        420_000_000_000
    );
    assert_eq!(totals["cost_saved"]["per_day"], 42.0);
    assert_eq!(totals["cost_saved"]["pricing"], "custom");
    let assumptions = &json["assumptions"];
    assert_eq!(assumptions["bandwidth"]["origin"], "flag");
    assert_eq!(assumptions["bandwidth"]["value"], 250_000_000);
    assert_eq!(assumptions["extract_rate"]["origin"], "flag");
    assert_eq!(assumptions["days_per_year"]["origin"], "default");
}

#[test]
fn payback_of_the_effort() {
    let json = json_of(&with(&[
        "--format",
        "json",
        "--effort-hours",
        "8",
        "--hourly-rate",
        "100",
    ]));
    let payback = &json["totals"]["payback"];
    assert_eq!(payback["effort_cost"], 800.0);
    // $13.986 transfer + $3.108 / (365 / 12) storage = $14.088 a day → 56.8 days
    assert_eq!(payback["payback_days"], 56.8);
    // 8 h ÷ 3.024 node-hours a day = 2.6 days
    assert_eq!(payback["node_hours_break_even_days"], 2.6);
}

#[test]
fn growth_is_negative_savings_and_said_plainly() {
    let json = json_of(&[
        "calc", "--before", "300MB", "--after", "335MB", "--format", "json",
    ]);
    assert_eq!(
        int(&json["totals"]["per_day"]["saved"]["disk_bytes"]),
        -35_000_000
    );
    assert_eq!(json["totals"]["growth"], true);
    assert_eq!(json["services"][0]["growth"], true);
    let text = stdout_of(&["calc", "--before", "300MB", "--after", "335MB"]);
    assert!(
        text.contains("adds 12.9 MB of image transfer a day"),
        "{text}"
    );
    assert!(text.contains("0.45 s more on every cold pull"), "{text}");
}

#[test]
fn the_runtime_target_is_judged() {
    let json = json_of(&[
        "calc",
        "--before",
        "900MB",
        "--after",
        "310MB",
        "--runtime",
        "python",
        "--format",
        "json",
    ]);
    let target = &json["services"][0]["target"];
    assert_eq!(target["status"], "above");
    assert_eq!(int(&target["recoverable_disk_bytes"]), 190_000_000);
    assert_eq!(int(&target["low_disk_bytes"]), 70_000_000);
    let json = json_of(&[
        "calc",
        "--before",
        "900MB",
        "--after",
        "18MB",
        "--runtime",
        "go",
        "--format",
        "json",
    ]);
    assert_eq!(json["services"][0]["target"]["status"], "within");
    let json = json_of(&[
        "calc", "--before", "9MB", "--after", "8MB", "--format", "json",
    ]);
    assert!(json["services"][0]["target"].is_null());
}

#[test]
fn bad_values_exit_2_naming_the_flag_and_quoting_the_value() {
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["--before", "5OOMB", "--after", "80MB"],
            "--before",
            "'5OOMB'",
        ),
        (
            &["--before", "500MB", "--after", "80MB", "--nodes", "0"],
            "--nodes",
            "'0'",
        ),
        (
            &["--before", "500MB", "--after", "80MB", "--nodes", "-3"],
            "--nodes",
            "'-3'",
        ),
        (
            &["--before", "500MB", "--after", "80MB", "--basis", "tar"],
            "--basis",
            "'tar'",
        ),
        (
            &[
                "--before",
                "500MB",
                "--after",
                "80MB",
                "--compression-ratio",
                "0",
            ],
            "--compression-ratio",
            "'0'",
        ),
        (
            &["--before", "-5MB", "--after", "80MB"],
            "--before",
            "'-5MB'",
        ),
        (&["--before", "NaN", "--after", "80MB"], "--before", "'NaN'"),
        (
            &["--before", "5 furlongs", "--after", "80MB"],
            "--before",
            "'5 furlongs'",
        ),
        (&["--before", "", "--after", "80MB"], "--before", "''"),
        (
            &["--before", "99999PB", "--after", "80MB"],
            "--before",
            "'99999PB'",
        ),
        (
            &["--before", "500MB", "--after", "80MB", "--services", "2.5"],
            "--services",
            "'2.5'",
        ),
        (
            &["--before", "500MB", "--after", "80MB", "--runtime", "cobol"],
            "--runtime",
            "'cobol'",
        ),
        (
            &["--before", "500MB", "--after", "80MB", "--pricing", "free"],
            "--pricing",
            "'free'",
        ),
        (
            &["--before", "500MB", "--after", "80MB", "--bandwidth", "0"],
            "--bandwidth",
            "'0'",
        ),
        (
            &[
                "--before",
                "500MB",
                "--after",
                "80MB",
                "--generated-at",
                "noon",
            ],
            "--generated-at",
            "'noon'",
        ),
    ];
    for (args, flag, quoted) in cases {
        let mut all = vec!["calc"];
        all.extend_from_slice(args);
        let (code, stderr) = failure_of(&all);
        assert_eq!(code, 2, "{all:?}: {stderr}");
        let first_line = stderr.lines().next().unwrap_or_default();
        assert!(
            first_line.contains(flag) && first_line.contains(quoted),
            "{all:?}: first line should name {flag} and quote {quoted}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn absurd_fleets_fail_clearly_instead_of_overflowing() {
    let (code, stderr) = failure_of(&[
        "calc",
        "--before",
        "10PB",
        "--after",
        "0",
        "--services",
        "18446744073709551615",
        "--nodes",
        "18446744073709551615",
    ]);
    assert_eq!(code, 2, "{stderr}");
    // Beyond 2^64 the JSON still carries the exact integer.
    let json = stdout_of(&[
        "calc",
        "--before",
        "5PB",
        "--after",
        "0",
        "--services",
        "1000",
        "--nodes",
        "1000",
        "--deploys-per-day",
        "1000",
        "--format",
        "json",
    ]);
    assert!(
        json.contains("\"disk_bytes\": 5000000000000000000000000"),
        "{json}"
    );
}

#[test]
fn an_assumptions_file_overrides_defaults_and_flags_override_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(
        dir.path(),
        "ops.toml",
        "# our network\nbandwidth = \"250MB/s\"\npricing = \"cross-region\"\nretained_tags = 5\n",
    );
    let json = json_of(&with(&[
        "--format",
        "json",
        "--assumptions",
        file.to_str().unwrap(),
        "--retained-tags",
        "2",
    ]));
    let a = &json["assumptions"];
    assert_eq!(a["bandwidth"]["value"], 250_000_000);
    assert_eq!(a["bandwidth"]["origin"], "file");
    assert_eq!(a["pricing"]["value"], "cross-region");
    assert_eq!(a["price_per_gb"]["value"], 0.02);
    assert_eq!(a["retained_tags"]["value"], 2);
    assert_eq!(a["retained_tags"]["origin"], "flag");
    assert_eq!(json["totals"]["cost_saved"]["price_per_gb"], 0.02);
}

#[test]
fn a_bad_assumptions_file_names_file_line_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(
        dir.path(),
        "ops.toml",
        "bandwidth = \"250MB/s\"\nextract_rate = \"fast\"\n",
    );
    let (code, stderr) = failure_of(&with(&["--assumptions", file.to_str().unwrap()]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("ops.toml line 2, extract_rate: 'fast'"),
        "{stderr}"
    );
    let broken = write_file(dir.path(), "broken.toml", "bandwidth = [\n");
    let (code, stderr) = failure_of(&with(&["--assumptions", broken.to_str().unwrap()]));
    assert_eq!(code, 2);
    assert!(stderr.contains("broken.toml line"), "{stderr}");
    let missing = dir.path().join("missing.toml");
    let (code, stderr) = failure_of(&with(&["--assumptions", missing.to_str().unwrap()]));
    assert_eq!(code, 2);
    assert!(stderr.contains("missing.toml"), "{stderr}");
}

#[test]
fn output_files_are_written_whole_and_never_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.json");
    std::fs::write(&target, "previous report").unwrap();
    // A bad input leaves the existing file as it was.
    let (code, _) = failure_of(&[
        "calc",
        "--before",
        "bad",
        "--after",
        "1MB",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "previous report");
    // A good run replaces it whole.
    fleetsave()
        .args(with(&["--format", "json", "-o", target.to_str().unwrap()]))
        .assert()
        .success()
        .stdout("");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(int(&written["totals"]["pulls_per_day"]), 2000);
    // A path that cannot be written is exit 3, and a directory is left alone.
    let (code, stderr) = failure_of(&with(&["-o", dir.path().to_str().unwrap()]));
    assert_eq!(code, 3, "{stderr}");
    let (code, stderr) = failure_of(&with(&[
        "-o",
        dir.path().join("no/such/dir.json").to_str().unwrap(),
    ]));
    assert_eq!(code, 3, "{stderr}");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["report.json"], "no temporary files left behind");
}

#[test]
fn output_is_deterministic_and_timestamps_are_opt_in() {
    let first = stdout_of(&with(&["--format", "json"]));
    let second = stdout_of(&with(&["--format", "json"]));
    assert_eq!(first, second);
    assert!(first.contains("\"generated_at\": null"));
    let stamped = fleetsave()
        .args(with(&["--format", "json"]))
        .env("SOURCE_DATE_EPOCH", "1764230400")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&stamped.stdout).unwrap();
    assert_eq!(json["generated_at"], "2025-11-27T08:00:00Z");
}

#[test]
fn text_output_snapshot() {
    insta::assert_snapshot!(
        "calc_reference_text",
        stdout_of(&with(&["--runtime", "python"]))
    );
}

#[test]
fn json_output_snapshot() {
    insta::assert_snapshot!(
        "calc_reference_json",
        stdout_of(&with(&["--format", "json", "--runtime", "python"]))
    );
}

#[test]
fn targets_lists_every_runtime() {
    let json = json_of(&["targets", "--format", "json"]);
    let runtimes: Vec<&str> = json["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["runtime"].as_str().unwrap())
        .collect();
    assert_eq!(runtimes, ["go", "python", "node", "java", "java-jlink"]);
    assert_eq!(int(&json["targets"][1]["high_disk_bytes"]), 120_000_000);
    insta::assert_snapshot!("targets_text", stdout_of(&["targets"]));
}

#[test]
fn version_and_help() {
    let version = stdout_of(&["--version"]);
    assert!(version.starts_with("fleetsave "), "{version}");
    let help = stdout_of(&["calc", "--help"]);
    for flag in [
        "--before",
        "--after",
        "--services",
        "--nodes",
        "--deploys-per-day",
        "--basis",
        "--runtime",
        "--pricing",
        "--compression-ratio",
        "--bandwidth",
        "--extract-rate",
        "--price-per-gb",
        "--assumptions",
        "--format",
        "--output",
    ] {
        assert!(help.contains(flag), "calc --help lacks {flag}");
    }
}

/// A refused flag value is told in fleetsave's words (flag, quoted value, what is accepted, an
/// example written as a flag), not clap's, and exits 2.
#[test]
fn refused_flag_values_read_like_every_other_input_error() {
    for (args, expected) in [
        (
            &["--nodes", "0"][..],
            "error: --nodes: '0' is zero; expected a whole number of 1 or more, e.g. --nodes 10",
        ),
        (
            &["--retained-tags", "-1"][..],
            "error: --retained-tags: '-1' is not accepted; expected a whole number of tags from 0 \
             to 1000000, e.g. --retained-tags 20",
        ),
        (
            &["--deploys-per-day=ten"][..],
            "error: --deploys-per-day: 'ten' is not a deploy rate; expected a number of deploys \
             above 0 a day (10, 0.5) or per week or month (3/week, 20/month), e.g. \
             --deploys-per-day 3/week",
        ),
    ] {
        let mut all = vec!["calc", "--before", "500MB", "--after", "80MB"];
        all.extend_from_slice(args);
        let (code, stderr) = failure_of(&all);
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(stderr.trim_end(), expected);
    }
}

#[test]
fn nodes_all_is_the_cluster() {
    let json = json_of(&[
        "calc",
        "--before",
        "900MB",
        "--after",
        "250MB",
        "--nodes",
        "all",
        "--cluster-nodes",
        "40",
        "--format",
        "json",
    ]);
    assert_eq!(json["totals"]["pulls_per_day"], 40);
    let (code, stderr) = failure_of(&[
        "calc", "--before", "900MB", "--after", "250MB", "--nodes", "all",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: --nodes: 'all' needs the cluster's size: give --cluster-nodes N, or nodes = N in \
         the TOML [cluster] table"
    );
}

/// The rollout burst of issue 18's acceptance: 333 MB (wire) on 120 nodes behind 10 Gbit/s.
fn burst_args(format: &str) -> Vec<&str> {
    vec![
        "calc",
        "--before",
        "900MB",
        "--after",
        "333MB",
        "--basis",
        "wire",
        "--nodes",
        "120",
        "--egress-limit",
        "10Gbit/s",
        "--window",
        "1m",
        "--format",
        format,
    ]
}

#[test]
fn the_rollout_burst_is_bound_by_the_shared_limit() {
    let json = json_of(&burst_args("json"));
    let bursts = &json["bursts"];
    assert_eq!(bursts["egress_limit"]["bytes_per_second"], 1_250_000_000);
    assert_eq!(bursts["egress_limit"]["unit"], "bits");
    let service = &bursts["services"][0];
    // 39.96 GB ÷ 1.25 GB/s slimmed, 108 GB ÷ 1.25 GB/s before.
    assert_eq!(service["slimmed"]["seconds"].as_f64(), Some(31.968));
    assert_eq!(service["slimmed"]["bytes_all_nodes"], 39_960_000_000u64);
    assert_eq!(service["now"]["seconds"].as_f64(), Some(86.4));
    assert_eq!(service["slimmed"]["bound_by"], "shared");
    // Without the shared limit: 333 MB at 125 MB/s a node.
    assert_eq!(service["slimmed"]["node_seconds"].as_f64(), Some(2.664));
    assert_eq!(service["now_fits_window"], false);
    assert_eq!(service["slimmed_fits_window"], true);
    let mut free = burst_args("json");
    free.retain(|arg| *arg != "--egress-limit" && *arg != "10Gbit/s");
    let json = json_of(&free);
    assert_eq!(
        json["bursts"]["services"][0]["slimmed"]["seconds"].as_f64(),
        Some(2.664)
    );
    assert!(json["bursts"]["egress_limit"].is_null());
    // Without either flag there is no burst section: the JSON is as before.
    let plain = json_of(&[
        "calc", "--before", "900MB", "--after", "333MB", "--format", "json",
    ]);
    assert!(plain.get("bursts").is_none());
}

#[test]
fn burst_snapshots() {
    insta::assert_snapshot!("calc_burst_text", stdout_of(&burst_args("text")));
    insta::assert_snapshot!("calc_burst_markdown", stdout_of(&burst_args("markdown")));
}
