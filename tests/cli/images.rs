//! Image sources on the command line: `inspect`, `compare`, `calc --before-image`, inventory
//! image columns and `check SRC`. Expected figures come from the fixtures' own facts
//! (shared/reference/README.md for distroless; `expected.env`, written by the tools, for the
//! umoci/skopeo images).

use crate::common::*;

const JAVA11: &str = "tests/fixtures/manifests/distroless-java11_latest_2023-02-14.json";
const JAVA17: &str = "tests/fixtures/manifests/distroless-java17_latest_2023-02-14.json";
const IMAGES: &str = "tests/fixtures/images";

/// A figure from `tests/fixtures/images/expected.env`.
fn expected(key: &str) -> u64 {
    let env = std::fs::read_to_string(project_file(&format!("{IMAGES}/expected.env"))).unwrap();
    env.lines()
        .find_map(|line| line.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("{key} missing"))
        .parse()
        .unwrap()
}

#[test]
fn inspect_reports_the_distroless_wire_totals() {
    let json = json_of(&["inspect", JAVA11, JAVA17, "--format", "json"]);
    let images = json["images"].as_array().unwrap();
    assert_eq!(int(&images[0]["wire_bytes"]), 78_359_390);
    assert_eq!(int(&images[1]["wire_bytes"]), 85_970_285);
    assert!(
        images[0]["disk_bytes"].is_null(),
        "a manifest has no layer content"
    );
    assert_eq!(images[0]["size"]["disk_estimated"], true);
    assert_eq!(images[1]["layers"].as_array().unwrap().len(), 5);
    let text = stdout_of(&["inspect", JAVA17]);
    assert!(
        text.contains("wire  86.0 MB (85,970,285 bytes) — config + 5 layers"),
        "{text}"
    );
    assert!(
        text.contains("estimated at compression ratio 0.37"),
        "{text}"
    );
}

#[test]
fn compare_java11_to_java17_shares_the_base_layers() {
    let json = json_of(&[
        "compare",
        JAVA11,
        JAVA17,
        "--nodes",
        "10",
        "--deploys-per-day",
        "4",
        "--format",
        "json",
    ]);
    let compare = &json["compare"];
    assert_eq!(compare["shared_layers"], 4);
    assert_eq!(int(&compare["shared_wire_bytes"]), 18_536_502);
    assert_eq!(int(&compare["pull_wire_bytes_per_node"]), 67_433_783);
    assert_eq!(int(&compare["pull_wire_bytes_all_nodes"]), 674_337_830);
    // the usual totals for the fleet flags, on measured wire bytes: java17 is larger.
    assert_eq!(int(&json["totals"]["pulls_per_day"]), 40);
    assert_eq!(
        int(&json["totals"]["per_pull_saved"]["wire_bytes"]),
        78_359_390 - 85_970_285
    );
    assert_eq!(json["totals"]["growth"], true);
    let text = stdout_of(&["compare", JAVA11, JAVA17, "--nodes", "10"]).replace('\n', " ");
    assert!(
        text.contains("pulls only 67.4 MB to run distroless-java17"),
        "{text}"
    );
    assert!(
        text.contains("4 layers (18.5 MB) are shared. Switching all 10 nodes costs 674 MB once."),
        "{text}"
    );
    for format in ["markdown", "html"] {
        let out = stdout_of(&["compare", JAVA11, JAVA17, "--format", format]);
        assert!(out.contains("67.4 MB"), "{format}");
    }
    let md = stdout_of(&["compare", JAVA11, JAVA17, "--format", "markdown"]);
    assert!(md.starts_with("<!-- fleetsave:compare -->"));
}

#[test]
fn calc_takes_image_sources_for_either_side() {
    let json = json_of(&[
        "calc",
        "--before-image",
        JAVA17,
        "--after-image",
        JAVA11,
        "--nodes",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(
        int(&json["totals"]["per_pull_saved"]["wire_bytes"]),
        85_970_285 - 78_359_390
    );
    assert_eq!(json["services"][0]["before"]["wire_estimated"], false);
    let mixed = json_of(&[
        "calc",
        "--before",
        "300MB",
        "--after-image",
        JAVA11,
        "--format",
        "json",
    ]);
    assert_eq!(
        int(&mixed["services"][0]["after"]["wire_bytes"]),
        78_359_390
    );
    let (code, stderr) = failure_of(&[
        "calc",
        "--before",
        "1GB",
        "--before-image",
        JAVA11,
        "--after",
        "1MB",
    ]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn the_same_image_in_every_container_format_has_the_same_disk_bytes() {
    let disk = expected("V2_DISK_BYTES");
    for source in [
        format!("{IMAGES}/layout:v2"),
        format!("{IMAGES}/zstd-layout:v2"),
        format!("{IMAGES}/v2.oci.tar"),
        format!("{IMAGES}/v2.docker.tar"),
    ] {
        let json = json_of(&["inspect", &source, "--format", "json"]);
        assert_eq!(
            int(&json["images"][0]["disk_bytes"]),
            i128::from(disk),
            "{source}"
        );
    }
    let layout = json_of(&[
        "inspect",
        &format!("{IMAGES}/layout:v2"),
        "--format",
        "json",
    ]);
    assert_eq!(
        int(&layout["images"][0]["wire_bytes"]),
        i128::from(expected("V2_WIRE_BYTES"))
    );
}

#[test]
fn inventory_image_columns_are_relative_to_the_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let images = project_file(IMAGES);
    let csv = format!(
        "service,runtime,before_image,after_image,nodes\n\
         app,go,{0}/layout:v2,{0}/layout:v1,5\n\
         java,java,{1},{2},2\n",
        images.display(),
        project_file(JAVA17).display(),
        project_file(JAVA11).display(),
    );
    let path = write_file(dir.path(), "fleet.csv", &csv);
    let json = json_of(&["report", path.to_str().unwrap(), "--format", "json"]);
    let app = json["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "app")
        .unwrap();
    assert_eq!(
        int(&app["saved_per_pull"]["disk_bytes"]),
        i128::from(expected("V2_DISK_BYTES")) - i128::from(expected("V1_DISK_BYTES"))
    );
    assert_eq!(
        int(&app["saved_per_pull"]["wire_bytes"]),
        i128::from(expected("V2_WIRE_BYTES")) - i128::from(expected("V1_WIRE_BYTES"))
    );
    // relative paths resolve against the inventory's directory
    std::fs::copy(project_file(JAVA11), dir.path().join("j11.json")).unwrap();
    let relative = write_file(
        dir.path(),
        "rel.csv",
        "service,before,after_image\nj,100MB,j11.json\n",
    );
    let json = json_of(&["report", relative.to_str().unwrap(), "--format", "json"]);
    assert_eq!(int(&json["services"][0]["after"]["wire_bytes"]), 78_359_390);
    let missing = write_file(
        dir.path(),
        "missing.csv",
        "service,before,after_image\nj,100MB,nope.json\n",
    );
    let (code, stderr) = failure_of(&["report", missing.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("nope.json"), "{stderr}");
}

#[test]
fn check_reads_an_image_source_and_a_baseline_source() {
    let (code, stderr) = {
        let output = fleetsave()
            .args([
                "check",
                JAVA17,
                "--baseline",
                JAVA11,
                "--max-growth",
                "5%,5MB",
                "--basis",
                "wire",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        (
            output.status.code().unwrap(),
            String::from_utf8(output.stdout).unwrap(),
        )
    };
    assert_eq!(code, 1, "java17 grew 9.7% and 7.6 MB on the wire: {stderr}");
    let json: serde_json::Value = serde_json::from_str(&stderr).unwrap();
    assert_eq!(int(&json["rules"][0]["actual_bytes"]), 85_970_285);
    assert_eq!(
        int(&json["rules"][0]["limit_bytes"]),
        78_359_390 + 5_000_000
    );
    let output = fleetsave()
        .args([
            "check",
            JAVA17,
            "--baseline",
            JAVA11,
            "--max-growth",
            "10%",
            "--basis",
            "wire",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn corrupt_sources_exit_2_naming_the_file_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let garbage = write_file(
        dir.path(),
        "garbage.json",
        "{\"schemaVersion\": 2, \"layers\": [",
    );
    let not_layout = dir.path().join("empty-dir");
    std::fs::create_dir(&not_layout).unwrap();
    let index =
        project_file("tests/fixtures/manifests/distroless-static_latest_2023-02-14.index.json");
    for (source, needle) in [
        (garbage.to_str().unwrap().to_string(), "garbage.json"),
        (not_layout.to_str().unwrap().to_string(), "empty-dir"),
        (index.to_str().unwrap().to_string(), "linux/amd64"),
    ] {
        let (code, stderr) = failure_of(&["inspect", &source, "-o", out.to_str().unwrap()]);
        assert_eq!(code, 2, "{source}: {stderr}");
        assert!(stderr.contains(needle), "{source}: {stderr}");
        assert!(!stderr.contains("panicked"));
        assert!(!out.exists(), "nothing written for {source}");
    }
    let (code, stderr) = failure_of(&["inspect", JAVA11, "--platform", "linux"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--platform: 'linux' is not a platform"),
        "{stderr}"
    );
}

#[test]
fn snapshots_of_inspect_and_compare() {
    insta::assert_snapshot!("inspect_java17_text", stdout_of(&["inspect", JAVA17]));
    insta::assert_snapshot!(
        "compare_java_json",
        stdout_of(&[
            "compare", JAVA11, JAVA17, "--nodes", "10", "--format", "json"
        ])
    );
}

/// The `compare` comment leads with its signed verdict (and the gate's result), names what a
/// node pulls within its first ten lines, and shows both images in its overview table; a broken
/// fail-level rule makes the exit code 1.
#[test]
fn the_compare_comment_leads_with_the_verdict() {
    let before = "tests/fixtures/images/v1.oci.tar";
    let after = "tests/fixtures/images/v2.oci.tar";
    let md = stdout_of(&[
        "compare", before, after, "--nodes", "12", "--format", "markdown",
    ]);
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(lines[0], "<!-- fleetsave:compare -->");
    assert_eq!(
        lines[1],
        "**+13.3 kB wire (+20.2%)** · +160 kB a day across 12 nodes (upper bound) · +$0.00 a year"
    );
    let pulls = lines
        .iter()
        .position(|l| l.contains("pulls **13.8 kB** to run"))
        .unwrap();
    assert!(pulls < 10, "line {pulls}");
    let overview = lines.iter().find(|l| l.starts_with("| image |")).unwrap();
    assert!(
        overview.contains(before) && overview.contains(after),
        "{overview}"
    );
    assert!(md.contains("| added | `sha256:"), "{md}");
    // No prose inside a code block, no worked example of another fleet.
    assert!(!md.contains("500 MB → 80 MB"), "{md}");

    let output = fleetsave()
        .args([
            "compare", before, after, "--budget", "100kB", "--format", "markdown", "--name", "api",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let md = String::from_utf8(output.stdout).unwrap();
    let verdict = md.lines().nth(1).unwrap();
    assert!(verdict.starts_with("❌ **fail**: budget · "), "{verdict}");
    assert!(
        md.contains("| image | tests/fixtures/images/v1.oci.tar | api | |"),
        "{md}"
    );
    assert!(
        md.contains("| ❌ fail | budget | 109 kB unpacked | 100 kB |"),
        "{md}"
    );
    let passing = fleetsave()
        .args([
            "compare", before, after, "--budget", "1MB", "--format", "json",
        ])
        .output()
        .unwrap();
    assert_eq!(passing.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&passing.stdout).unwrap();
    assert_eq!(json["gate"]["status"], "pass");
    assert_eq!(json["compare"]["added_layers"].as_array().unwrap().len(), 1);
    assert_eq!(json["compare"]["after_image"]["layers"], 3);
}
