//! `fleetsave forecast`: the planner's question in one command, its figures against the hand
//! computation, scenarios from TOML and flags, and every output format.

use crate::common::*;

const GROWTH: &str = "data/examples/growth.toml";

/// Issue 18's acceptance: 30 services of 900 → 250 MB on every node, the cluster 40 → 120 nodes
/// linear over 12 months, deploys 4 → 8 a day after month 6.
///
/// By hand: month m runs on 40 + 80 × (m − 0.5) ÷ 12 nodes, so months 1–6 sum to 360 node-months
/// at 4 deploys and months 7–12 to 600 at 8: 6,240. × 30 services × 365/12 days = 5,694,000
/// pulls; × 900 MB = 5.1246 PB as is, × 250 MB = 1.4235 PB slimmed. The 80 added nodes each pull
/// the 30 images once: 2.16 TB as is, 0.6 TB slimmed.
#[test]
fn the_planners_question_is_one_command_and_matches_the_hand_computation() {
    let json = json_of(&["forecast", GROWTH, "--format", "json"]);
    let forecast = &json["forecast"];
    assert_eq!(forecast["months"], 12);
    let scenario = &forecast["scenarios"][0];
    assert_eq!(scenario["name"], "growth");
    let totals = &scenario["totals"];
    assert_eq!(totals["pulls"], 5_694_000);
    assert_eq!(
        int(&totals["as_is"]["full_pull"]["disk_bytes"]),
        5_124_600_000_000_000
    );
    assert_eq!(
        int(&totals["slimmed"]["full_pull"]["disk_bytes"]),
        1_423_500_000_000_000
    );
    assert_eq!(
        int(&totals["saved"]["full_pull"]["disk_bytes"]),
        5_124_600_000_000_000 - 1_423_500_000_000_000
    );
    assert_eq!(
        int(&totals["as_is"]["new_nodes"]["disk_bytes"]),
        2_160_000_000_000
    );
    assert_eq!(
        int(&totals["slimmed"]["new_nodes"]["disk_bytes"]),
        600_000_000_000
    );
    assert_eq!(totals["new_node_pulls"], 2_400);
    // Month by month: month 1 on 43⅓ nodes at 4 deploys, month 7 on 83⅓ at 8.
    let months = scenario["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    // 30 × 130/3 × 4 × 365/12 = 158,166.67 pulls; × 900 MB.
    assert_eq!(
        int(&months[0]["as_is"]["full_pull"]["disk_bytes"]),
        142_350_000_000_000
    );
    // 30 × 250/3 × 8 × 365/12 = 608,333.3 pulls × 900 MB = 547.5 TB.
    assert_eq!(
        int(&months[6]["as_is"]["full_pull"]["disk_bytes"]),
        547_500_000_000_000
    );
    // Each month adds 80/12 nodes, each pulling 30 images of 900 MB: 180 GB.
    assert_eq!(
        int(&months[0]["as_is"]["new_nodes"]["disk_bytes"]),
        180_000_000_000
    );
    assert_eq!(forecast["states"], serde_json::json!(["as_is", "slimmed"]));
    let headline = forecast["headline"].as_str().unwrap();
    assert!(
        headline.starts_with("Next year (growth) the fleet moves 5.13 PB of images unpacked"),
        "{headline}"
    );
    assert!(headline.contains("slimming saves 3.70 PB"), "{headline}");
    // The same scenario as a flag gives the same figures.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(project_file(GROWTH)).unwrap();
    let without = text.split("[[scenario]]").next().unwrap().to_string()
        + &text[text.find("[[service]]").unwrap()..];
    let plain = write_file(dir.path(), "fleet.toml", &without);
    let flagged = json_of(&[
        "forecast",
        plain.to_str().unwrap(),
        "--scenario",
        "growth: cluster=40..120 linear, deploys=x2 step@6",
        "--format",
        "json",
    ]);
    assert_eq!(
        flagged["forecast"]["scenarios"],
        json["forecast"]["scenarios"]
    );
}

#[test]
fn plans_add_the_planned_state_and_no_scenario_is_todays_fleet() {
    let json = json_of(&[
        "forecast",
        "data/examples/fleet.csv",
        "--months",
        "3",
        "--format",
        "json",
    ]);
    let forecast = &json["forecast"];
    assert_eq!(
        forecast["states"],
        serde_json::json!(["as_is", "slimmed", "planned"])
    );
    let scenario = &forecast["scenarios"][0];
    assert_eq!(scenario["name"], "today's fleet");
    assert_eq!(scenario["months"].as_array().unwrap().len(), 3);
    // An unchanged fleet: every month the same, and no new nodes.
    assert_eq!(
        scenario["months"][0]["as_is"],
        scenario["months"][2]["as_is"]
    );
    assert_eq!(
        int(&scenario["totals"]["as_is"]["new_nodes"]["disk_bytes"]),
        0
    );
    let planned = int(&scenario["totals"]["planned"]["full_pull"]["disk_bytes"]);
    let slimmed = int(&scenario["totals"]["slimmed"]["full_pull"]["disk_bytes"]);
    assert!(planned < slimmed, "{planned} {slimmed}");
}

#[test]
fn scenarios_that_cannot_be_computed_say_what_to_give() {
    let (code, stderr) = failure_of(&[
        "forecast",
        "data/examples/fleet.csv",
        "--scenario",
        "grow: cluster=x3",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--scenario: the cluster change has no start"),
        "{stderr}"
    );
    let (code, stderr) = failure_of(&["forecast", "data/examples/fleet.csv", "--scenario", "grow"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("e.g. --scenario"), "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    let bad = write_file(
        dir.path(),
        "fleet.toml",
        "[[scenario]]\nname = \"x\"\ndeploys_per_day = { factor = 2, ramp = \"sideways\" }\n\n\
         [[service]]\nservice = \"a\"\nbefore = \"1GB\"\nafter = \"1GB\"\n",
    );
    let (code, stderr) = failure_of(&["forecast", bad.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("fleet.toml line 3, deploys_per_day: has the ramp 'sideways'"),
        "{stderr}"
    );
}

#[test]
fn csv_cells_that_look_like_formulas_are_neutralised() {
    let csv = stdout_of(&[
        "forecast",
        GROWTH,
        "--scenario",
        "=HYPERLINK(\"x\"): deploys=x2",
        "--scenario",
        "@SUM(A1): new_services=1",
        "--format",
        "csv",
    ]);
    let mut reader = ::csv::Reader::from_reader(csv.as_bytes());
    let names: Vec<String> = reader
        .records()
        .map(|record| record.unwrap()[0].to_string())
        .collect();
    assert!(
        names.contains(&"'=HYPERLINK(\"x\")".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"'@SUM(A1)".to_string()), "{names:?}");
    assert!(names.iter().all(|name| !name.starts_with(['=', '@', '+'])));
    // 3 scenarios × 12 months, and the header names every state's figures.
    assert_eq!(names.len(), 36);
    assert!(csv.starts_with("scenario,month,cluster_nodes,"));
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .contains("saved_full_pull_disk_bytes")
    );
}

#[test]
fn snapshots_of_the_growth_forecast() {
    insta::assert_snapshot!("forecast_growth_text", stdout_of(&["forecast", GROWTH]));
    insta::assert_snapshot!(
        "forecast_growth_json",
        stdout_of(&["forecast", GROWTH, "--months", "3", "--format", "json"])
    );
    insta::assert_snapshot!(
        "forecast_growth_markdown",
        stdout_of(&[
            "forecast",
            GROWTH,
            "--egress-limit",
            "10Gbit/s",
            "--window",
            "15m",
            "--format",
            "markdown"
        ])
    );
    insta::assert_snapshot!(
        "forecast_growth_csv",
        stdout_of(&["forecast", GROWTH, "--months", "3", "--format", "csv"])
    );
}

#[test]
fn the_html_page_has_three_charts_and_escapes_names() {
    let html = stdout_of(&[
        "forecast",
        GROWTH,
        "--scenario",
        "<script>alert(1)</script>: deploys=x2",
        "--window",
        "15m",
        "--format",
        "html",
    ]);
    for id in ["chart-monthly", "chart-money", "chart-burst"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(!html.contains("<script>alert"), "unescaped name");
    assert!(html.contains("against a 900 s window"));
    crate::harness::escaping::assert_markup_safe(&html, "forecast page");
    insta::assert_snapshot!(
        "forecast_growth_html",
        stdout_of(&["forecast", GROWTH, "--months", "3", "--format", "html"])
    );
}
