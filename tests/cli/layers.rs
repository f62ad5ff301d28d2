//! `layers`: per-layer bytes, history and fleet cost, and dive's waste figures on dive's own test
//! image (tests/fixtures/dive/README.md says where dive's expected figures are).

use crate::common::*;

const DIVE: &str = "tests/fixtures/dive/test-docker-image.tar";

#[test]
fn layers_gives_dives_figures_on_dives_test_image() {
    let json = json_of(&["layers", DIVE, "--format", "json"]);
    let waste = &json["findings"]["waste"];
    // dive/image/docker/image_archive_analysis_test.go
    assert_eq!(waste["efficiency"].as_f64(), Some(0.9844212134184309));
    assert_eq!(int(&waste["size_bytes"]), 1_220_598);
    assert_eq!(int(&waste["user_size_bytes"]), 66_237);
    assert_eq!(int(&waste["wasted_bytes"]), 32_025);
    assert_eq!(
        waste["user_wasted_percent"].as_f64(),
        Some(0.4834911001404049)
    );
    assert!(
        waste["basis"]
            .as_str()
            .unwrap()
            .contains("file content bytes"),
        "{waste}"
    );
    // cmd/dive/cli/internal/command/export/testdata/snapshots/export_test.snap
    let files: Vec<(String, i128, i128)> = waste["inefficient_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                int(&f["count"]),
                int(&f["cumulative_bytes"]),
            )
        })
        .collect();
    assert_eq!(
        files,
        vec![
            ("/root/saved.txt".to_string(), 2, 12_810),
            ("/root/example/somefile1.txt".to_string(), 2, 12_810),
            ("/root/example/somefile3.txt".to_string(), 2, 6_405),
        ]
    );
    let layers = json["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 14);
    assert_eq!(layers[9]["created_by"], "/bin/sh -c rm -rf /root/example/");
    assert!(json["history"].as_str().unwrap().starts_with("lines up"));
    let text = stdout_of(&["layers", DIVE]);
    for line in [
        "efficiency           0.9844212134184309",
        "wasted               32,025 bytes",
        "user wasted percent  0.4834911001404049",
        "2         12,810 /root/saved.txt",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
}

#[test]
fn layers_prices_each_layer_under_full_pulls() {
    let json = json_of(&[
        "layers",
        "tests/fixtures/images/v1.oci.tar",
        "--nodes",
        "10",
        "--services",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(
        json["fleet"]["basis"],
        "upper bound: every pull a full pull"
    );
    assert_eq!(int(&json["fleet"]["pulls_per_day"]), 30);
    for layer in json["layers"].as_array().unwrap() {
        assert_eq!(
            int(&layer["full_pull_transfer_per_day_bytes"]),
            int(&layer["wire_bytes"]) * 30
        );
        let money = layer["full_pull_cost_per_year"].as_f64().unwrap();
        let expected = (int(&layer["wire_bytes"]) * 30) as f64 / 1e9 * 0.045 * 365.0;
        assert!((money - expected).abs() < 1e-9, "{money} {expected}");
        assert_eq!(layer["created_by"], "umoci insert");
    }
    let text = stdout_of(&["layers", "tests/fixtures/images/v1.oci.tar", "--nodes", "2"]);
    assert!(
        text.contains("upper bound: every pull a full pull"),
        "{text}"
    );
}

#[test]
fn layers_refuses_bad_input_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = write_file(dir.path(), "garbage.tar", "not a tar at all");
    let (code, message) = failure_of(&["layers", garbage.to_str().unwrap()]);
    assert_eq!(code, 2, "{message}");
    // A docker save archive cut short.
    let bytes = std::fs::read(project_file(DIVE)).unwrap();
    let cut = dir.path().join("cut.tar");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let (code, message) = failure_of(&["layers", cut.to_str().unwrap()]);
    assert_eq!(code, 2, "{message}");
}

#[test]
fn layers_counts_deletions_opaque_dirs_and_hard_links_as_dive_would() {
    // tests/fixtures/waste/README.md works these figures by hand.
    let json = json_of(&[
        "layers",
        "tests/fixtures/waste/layout:waste",
        "--format",
        "json",
    ]);
    let waste = &json["findings"]["waste"];
    assert_eq!(waste["efficiency"].as_f64(), Some(15_910.0 / 17_310.0));
    assert_eq!(int(&waste["size_bytes"]), 12_310);
    assert_eq!(int(&waste["user_size_bytes"]), 5_210);
    assert_eq!(int(&waste["wasted_bytes"]), 2_400);
    assert_eq!(
        waste["user_wasted_percent"].as_f64(),
        Some(2_400.0 / 5_210.0)
    );
    let files: Vec<(&str, i128)> = waste["inefficient_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), int(&f["cumulative_bytes"])))
        .collect();
    assert_eq!(files, vec![("/etc/config", 2_200), ("/etc/hosts", 200)]);
    let layers = json["layers"].as_array().unwrap();
    assert_eq!(
        layers[2]["created_by"],
        "cleanup: delete etc/hosts and opt, opaque lists"
    );
    // The two bases differ: the tar streams are far larger than the file contents.
    let unpacked: i128 = layers.iter().map(|l| int(&l["unpacked_bytes"])).sum();
    assert!(unpacked > 12_310, "{unpacked}");
}

#[test]
fn layers_says_when_history_or_entries_are_missing() {
    let json = json_of(&[
        "layers",
        "tests/fixtures/manifests/distroless-java17_latest_2023-02-14.json",
        "--format",
        "json",
    ]);
    assert!(
        json["history"].as_str().unwrap().starts_with("missing"),
        "{}",
        json["history"]
    );
    assert!(json["findings"]["waste"].is_null());
    let notes = json["notes"].to_string();
    assert!(notes.contains("no waste figures"), "{notes}");
}

#[test]
fn layers_marks_the_layers_shared_with_the_base_image() {
    let json = json_of(&[
        "layers",
        "tests/fixtures/images/v2.oci.tar",
        "--base-image",
        "tests/fixtures/images/v1.oci.tar",
        "--format",
        "json",
    ]);
    let marks: Vec<bool> = json["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["in_base"].as_bool().unwrap())
        .collect();
    assert_eq!(marks, vec![true, true, false]);
    let plain = json_of(&[
        "layers",
        "tests/fixtures/images/v2.oci.tar",
        "--format",
        "json",
    ]);
    assert!(plain["layers"][0]["in_base"].is_null());
    let (code, message) = failure_of(&[
        "layers",
        "tests/fixtures/images/v2.oci.tar",
        "--base-image",
        "/nonexistent/base.tar",
    ]);
    assert_eq!(code, 2, "{message}");
}

#[test]
fn layers_finds_the_apt_lists_an_apt_get_layer_left_with_its_fleet_value() {
    // tests/fixtures/leftovers/README.md works these figures by hand.
    let image = "tests/fixtures/leftovers/layout:leftovers";
    let json = json_of(&[
        "layers",
        image,
        "--nodes",
        "10",
        "--deploys-per-day",
        "5",
        "--format",
        "json",
    ]);
    let findings = &json["findings"];
    let leftovers = &findings["leftovers"];
    let items = leftovers["items"].as_array().unwrap();
    let summary: Vec<(&str, i128, i128, i128)> = items
        .iter()
        .map(|l| {
            (
                l["rule"].as_str().unwrap(),
                int(&l["layer"]["index"]),
                int(&l["path_count"]),
                int(&l["bytes"]),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("apt-lists", 1, 3, 15_000),
            ("apt-archives", 1, 1, 2_000),
            ("documentation", 0, 1, 700),
            ("documentation", 1, 2, 440),
            ("static-libraries", 0, 1, 250),
            ("headers", 1, 1, 150),
        ]
    );
    let lists = &items[0];
    assert_eq!(
        lists["created_by"],
        "/bin/sh -c apt-get update && apt-get install -y curl"
    );
    assert_eq!(lists["layer"]["digest"], json["layers"][1]["digest"]);
    assert_eq!(
        lists["paths"][0]["path"],
        "/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4"
    );
    assert_eq!(int(&lists["paths"][0]["bytes"]), 9_000);
    assert_eq!(int(&lists["technique"]["priority"]), 3);
    assert_eq!(
        lists["technique"]["technique"],
        "Chain RUN instructions so cleanup happens in the same layer"
    );
    let value = &lists["fleet_value"];
    assert_eq!(value["estimated"], true);
    assert_eq!(int(&value["wire_bytes_estimated"]), 5_550);
    assert_eq!(int(&value["full_pull_transfer_per_day_bytes"]), 277_500);
    let money = value["full_pull_cost_per_year"].as_f64().unwrap();
    assert!(
        (money - 277_500.0 / 1e9 * 0.045 * 365.0).abs() < 1e-12,
        "{money}"
    );
    assert!(
        leftovers["value_basis"]
            .as_str()
            .unwrap()
            .contains("compression ratio 0.37"),
        "{leftovers}"
    );
    assert_eq!(int(&leftovers["bytes"]), 18_540);
    assert_eq!(int(&leftovers["files"]), 9);
    // The deleted file and directory of the first layer, as dive counts them.
    let waste = &findings["waste"];
    assert_eq!(int(&waste["size_bytes"]), 21_090);
    assert_eq!(int(&waste["user_size_bytes"]), 18_390);
    assert_eq!(int(&waste["wasted_bytes"]), 670);
    assert_eq!(waste["efficiency"].as_f64(), Some(21_120.0 / 21_490.0));
    assert_eq!(
        waste["user_wasted_percent"].as_f64(),
        Some(670.0 / 18_390.0)
    );
    // The surviving copyright is wasted (dive) and a leftover: counted once.
    let recoverable = &findings["recoverable"];
    assert_eq!(int(&recoverable["counted_in_both_bytes"]), 320);
    assert_eq!(int(&recoverable["bytes"]), 670 + 18_540 - 320);
    assert_eq!(
        int(&recoverable["fleet_value"]["full_pull_transfer_per_day_bytes"]),
        6_989 * 50
    );
    // Without fleet flags: no value.
    let plain = json_of(&["layers", image, "--format", "json"]);
    assert!(plain["findings"]["leftovers"]["items"][0]["fleet_value"].is_null());
    assert!(plain["findings"]["recoverable"]["fleet_value"].is_null());
    let text = stdout_of(&["layers", image]);
    for line in [
        "15,000      3     1 apt-lists",
        "250      1     0 static-libraries",
        "… 1 more",
        "total 18,540 bytes in 9 files",
        "recoverable          18,890 bytes (wasted 670 + leftovers 18,540 − 320 counted in both)",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    assert!(!text.contains(" 1 headers "), "{text}");
    assert!(
        text.find("wasted               670 bytes").unwrap()
            < text.find("leftovers in the final filesystem").unwrap(),
        "{text}"
    );
}

#[test]
fn layers_leftovers_see_through_no_opaque_directory() {
    // The waste image's apt lists (4,000 bytes, layer 1) are hidden by layer 2's opaque
    // directory: only its new 10-byte file is left.
    let json = json_of(&[
        "layers",
        "tests/fixtures/waste/layout:waste",
        "--format",
        "json",
    ]);
    let items = json["findings"]["leftovers"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["paths"][0]["path"], "/var/lib/apt/lists/new");
    assert_eq!(int(&items[0]["bytes"]), 10);
    assert_eq!(int(&items[0]["layer"]["index"]), 2);
    assert_eq!(int(&json["findings"]["recoverable"]["bytes"]), 2_410);
}

/// The text and JSON of `layers`, with fleet figures, on the hand-built image (reviewed).
#[test]
fn snapshots_of_the_layers_outputs() {
    let args = [
        "layers",
        "tests/fixtures/waste/layout",
        "--nodes",
        "10",
        "--deploys-per-day",
        "5",
    ];
    insta::assert_snapshot!("layers_text", stdout_of(&args));
    let json: Vec<&str> = args.iter().copied().chain(["--format", "json"]).collect();
    insta::assert_snapshot!("layers_json", stdout_of(&json));
    let html: Vec<&str> = args.iter().copied().chain(["--format", "html"]).collect();
    insta::assert_snapshot!("layers_html", stdout_of(&html));
    insta::assert_snapshot!(
        "layers_markdown",
        stdout_of(&[
            "layers",
            "tests/fixtures/leftovers/layout:leftovers",
            "--nodes",
            "300",
            "--deploys-per-day",
            "4",
            "--format",
            "markdown",
        ])
    );
}

#[test]
fn layers_prices_each_layer_under_the_expected_model_with_the_base_on_refreshes() {
    // v2 = v1's two layers + one of its own. 10 nodes × 4 deploys a day; defaults: base refresh
    // every 7 days moving 0.7 of the base, new nodes 5% of the nodes a day (0.5).
    let json = json_of(&[
        "layers",
        "tests/fixtures/images/v2.oci.tar",
        "--base-image",
        "tests/fixtures/images/v1.oci.tar",
        "--nodes",
        "10",
        "--deploys-per-day",
        "4",
        "--format",
        "json",
    ]);
    let layers = json["layers"].as_array().unwrap();
    let wire: Vec<i128> = layers.iter().map(|l| int(&l["wire_bytes"])).collect();
    assert_eq!(wire, vec![48_670, 16_788, 13_191]);
    let expected: Vec<i128> = layers
        .iter()
        .map(|l| int(&l["expected_transfer_per_day_bytes"]))
        .collect();
    // Base layers: 10 × 0.7 ÷ 7 = 1 refresh pull a day + 0.5 new-node pulls.
    // Own layer: 40 deploy pulls + 0.5 new-node pulls (534,235.5, rounded per pool).
    assert_eq!(expected, vec![73_005, 25_182, 534_235]);
    let full: Vec<i128> = layers
        .iter()
        .map(|l| int(&l["full_pull_transfer_per_day_bytes"]))
        .collect();
    assert_eq!(full, vec![48_670 * 40, 16_788 * 40, 13_191 * 40]);
    let money = layers[2]["expected_cost_per_year"].as_f64().unwrap();
    assert!(
        (money - 534_235.0 / 1e9 * 0.045 * 365.0).abs() < 1e-9,
        "{money}"
    );
    assert!(
        json["fleet"]["expected_basis"]
            .as_str()
            .unwrap()
            .contains("--base-image holds move only on base refreshes"),
        "{json}"
    );
    // Assumption flags apply: no new nodes and no refreshes leave only the deploys.
    let json = json_of(&[
        "layers",
        "tests/fixtures/images/v2.oci.tar",
        "--base-image",
        "tests/fixtures/images/v1.oci.tar",
        "--nodes",
        "10",
        "--deploys-per-day",
        "4",
        "--new-nodes-per-day",
        "0",
        "--base-refresh-fraction",
        "0",
        "--format",
        "json",
    ]);
    let expected: Vec<i128> = json["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| int(&l["expected_transfer_per_day_bytes"]))
        .collect();
    assert_eq!(expected, vec![0, 0, 13_191 * 40]);
}
