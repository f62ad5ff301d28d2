//! The expected figure with layer caches (SPEC §7), end to end.

use crate::common::*;

const JAVA11: &str = "tests/fixtures/manifests/distroless-java11_latest_2023-02-14.json";
const JAVA17: &str = "tests/fixtures/manifests/distroless-java17_latest_2023-02-14.json";
const JAVA_BASE: &str = "tests/fixtures/manifests/distroless-java-base_latest_2023-02-14.json";
const SHARED: &str = "tests/fixtures/shared-base";

fn figure(env: &str, key: &str) -> u64 {
    env.lines()
        .find_map(|line| line.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("{key} missing"))
        .parse()
        .unwrap()
}

#[test]
fn switching_ten_nodes_from_java11_to_java17_moves_only_the_new_layer() {
    let json = json_of(&[
        "compare", JAVA11, JAVA17, "--nodes", "10", "--format", "json",
    ]);
    let pool = &json["totals"]["expected"]["pools"][0];
    assert_eq!(
        int(&pool["switch_wire_bytes_per_node"]),
        67_433_783,
        "not the full 85,970,285"
    );
    assert_eq!(
        int(&json["compare"]["pull_wire_bytes_all_nodes"]),
        674_337_830
    );
}

#[test]
fn three_services_on_one_base_layer_pull_it_once_on_a_new_node() {
    let env = std::fs::read_to_string(project_file(&format!("{SHARED}/expected.env"))).unwrap();
    let base = figure(&env, "BASE_LAYER_BYTES");
    let wire: u64 = ["SVC_A", "SVC_B", "SVC_C"]
        .iter()
        .map(|svc| figure(&env, &format!("{svc}_WIRE_BYTES")))
        .sum();
    let dir = tempfile::tempdir().unwrap();
    let layout = project_file(&format!("{SHARED}/layout"));
    let csv = format!(
        "service,before_image,after_image,nodes,deploys_per_day\n\
         a,{0}:svc-a,{0}:svc-a,10,2\n\
         b,{0}:svc-b,{0}:svc-b,10,2\n\
         c,{0}:svc-c,{0}:svc-c,10,2\n",
        layout.display()
    );
    let inventory = write_file(dir.path(), "fleet.csv", &csv);
    let json = json_of(&[
        "report",
        inventory.to_str().unwrap(),
        "--new-nodes-per-day",
        "1",
        "--format",
        "json",
    ]);
    let expected = &json["totals"]["expected"];
    assert_eq!(expected["layer_aware"], true);
    let pool = &expected["pools"][0];
    // the base layer once, not three times
    assert_eq!(
        int(&pool["union_wire_bytes_before"]),
        i128::from(wire - 2 * base)
    );
    assert_eq!(
        int(&expected["per_day"]["before"]["new_nodes"]),
        i128::from(wire - 2 * base)
    );
    // routine deploys move each service's own layer and config: 20 pulls each
    assert_eq!(
        int(&expected["per_day"]["before"]["routine_deploys"]),
        20 * i128::from(wire - 3 * base)
    );
    // a refresh moves 70% of the one base on each of the 10 nodes every 7 days
    let refreshes = (10.0 * 0.7 * base as f64 / 7.0).round() as i128;
    assert_eq!(
        int(&expected["per_day"]["before"]["base_refreshes"]),
        refreshes
    );
    assert_eq!(expected["changed_from"][0]["before"], "shared-layers");
}

#[test]
#[ignore = "needs umoci, skopeo, jq"]
fn the_shared_base_fixture_rebuilds_with_the_tools() {
    require_tools(&["umoci", "skopeo", "jq"]);
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("bash")
        .arg(project_file(&format!("{SHARED}/build.sh")))
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let env = std::fs::read_to_string(out.path().join("expected.env")).unwrap();
    let layout = out.path().join("layout");
    let json = json_of(&[
        "inspect",
        &format!("{}:svc-a", layout.display()),
        &format!("{}:svc-b", layout.display()),
        &format!("{}:svc-c", layout.display()),
        "--format",
        "json",
    ]);
    let base_digest = env
        .lines()
        .find_map(|l| l.strip_prefix("BASE_LAYER_DIGEST="))
        .unwrap();
    for image in json["images"].as_array().unwrap() {
        assert_eq!(
            image["layers"][0]["digest"], base_digest,
            "every service starts with the base"
        );
    }
}

#[test]
fn every_layer_changing_and_no_new_nodes_is_the_full_pull_exactly() {
    let json = json_of(&reference_with(&[
        "--changed-per-deploy",
        "100%",
        "--new-nodes-per-day",
        "0",
        "--format",
        "json",
    ]));
    let totals = &json["totals"];
    let expected = &totals["expected"];
    assert_eq!(
        int(&expected["per_day"]["before"]["total"]),
        int(&totals["per_day"]["before"]["wire_bytes"])
    );
    assert_eq!(
        int(&expected["per_day"]["after"]["total"]),
        int(&totals["per_day"]["after"]["wire_bytes"])
    );
    assert_eq!(int(&expected["per_day"]["saved"]["total"]), 310_800_000_000);
    assert_eq!(int(&expected["per_year"]["saved"]), 113_442_000_000_000);
}

#[test]
fn a_declared_base_makes_deploys_move_only_the_app_layer() {
    let json = json_of(&[
        "compare",
        JAVA11,
        JAVA17,
        "--base-image",
        JAVA_BASE,
        "--nodes",
        "10",
        "--deploys-per-day",
        "5",
        "--new-nodes-per-day",
        "0",
        "--format",
        "json",
    ]);
    let expected = &json["totals"]["expected"];
    assert_eq!(expected["layer_aware"], true);
    // java17's own layer (67,432,618) and config (1,165), 50 pulls a day.
    assert_eq!(
        int(&expected["per_day"]["after"]["routine_deploys"]),
        50 * 67_433_783
    );
    // 10 nodes × 0.7 × java-base's 4 layers (18,536,502) ÷ 7 days
    assert_eq!(
        int(&expected["per_day"]["after"]["base_refreshes"]),
        18_536_502
    );
    let text = stdout_of(&[
        "compare",
        JAVA11,
        JAVA17,
        "--base-image",
        JAVA_BASE,
        "--nodes",
        "10",
    ])
    .replace('\n', " ");
    assert!(
        text.contains("expected with layer caches (full pulls:"),
        "{text}"
    );
    assert!(
        text.contains("a deploy moves only the layers that change"),
        "{text}"
    );
}

#[test]
fn bad_layer_model_input_is_exit_2() {
    for (args, needle) in [
        (
            &["--changed-per-deploy", "lots"][..],
            "--changed-per-deploy: 'lots'",
        ),
        (
            &["--new-nodes-per-day", "-1"][..],
            "--new-nodes-per-day: '-1'",
        ),
        (
            &["--base-refresh-fraction", "1.5"][..],
            "--base-refresh-fraction: '1.5'",
        ),
        (
            &["--base-refresh-days", "0"][..],
            "--base-refresh-days: '0'",
        ),
    ] {
        let mut all = vec!["calc", "--before", "1GB", "--after", "1MB"];
        all.extend_from_slice(args);
        let (code, stderr) = failure_of(&all);
        assert_eq!(code, 2, "{all:?}");
        assert!(stderr.contains(needle), "{stderr}");
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = write_file(
        dir.path(),
        "f.csv",
        "service,before,after,changed_per_deploy\na,1GB,1MB,most\n",
    );
    let (code, stderr) = failure_of(&["report", csv.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("f.csv line 2, changed_per_deploy: 'most'"),
        "{stderr}"
    );
}
