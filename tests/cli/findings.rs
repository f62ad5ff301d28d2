//! Where the bytes are in the fleet reports: every service whose image's layer entries are read
//! gets its waste, leftovers and recoverable bytes, priced with that service's own fleet, in the
//! JSON, the text, the pull-request comment and the HTML page.

use crate::common::*;

const FLEET: &str = "tests/fixtures/findings/fleet.csv";

/// `layers --format json` of the same image with the same fleet: the findings must agree.
fn layers_json(source: &str, nodes: &str, deploys: &str) -> serde_json::Value {
    json_of(&[
        "layers",
        source,
        "--nodes",
        nodes,
        "--deploys-per-day",
        deploys,
        "--format",
        "json",
    ])
}

#[test]
fn report_lists_each_services_recoverable_bytes_priced_with_its_own_fleet() {
    let json = json_of(&["report", FLEET, "--format", "json"]);
    let findings = json["findings"].as_array().unwrap();
    let services: Vec<&str> = findings
        .iter()
        .map(|f| f["service"].as_str().unwrap())
        .collect();
    // typed-only names no image: it has no findings.
    assert_eq!(services, vec!["apt-app", "waste-app", "dive-app"]);
    for (entry, source, nodes, deploys, pulls) in [
        (
            &findings[0],
            "tests/fixtures/leftovers/layout:leftovers",
            "10",
            "5",
            50,
        ),
        (
            &findings[1],
            "tests/fixtures/waste/layout:waste",
            "20",
            "4",
            80,
        ),
        (
            &findings[2],
            "tests/fixtures/dive/test-docker-image.tar",
            "5",
            "2",
            10,
        ),
    ] {
        assert_eq!(entry["image"], "after");
        assert_eq!(int(&entry["fleet"]["pulls_per_day"]), pulls);
        let alone = layers_json(source, nodes, deploys);
        assert_eq!(entry["findings"], alone["findings"], "{source}");
        assert_eq!(entry["layers"], alone["layers"], "{source}");
        let recoverable = &entry["findings"]["recoverable"];
        let value = &recoverable["fleet_value"];
        assert_eq!(
            int(&value["full_pull_transfer_per_day_bytes"]),
            int(&value["wire_bytes_estimated"]) * pulls
        );
    }
    // The hand-worked figures of tests/fixtures/leftovers/README.md and dive's own.
    let apt = &findings[0]["findings"];
    assert_eq!(int(&apt["leftovers"]["bytes"]), 18_540);
    assert_eq!(
        int(&findings[2]["findings"]["waste"]["wasted_bytes"]),
        32_025
    );
    assert_eq!(
        int(&apt["recoverable"]["bytes"]),
        int(&apt["waste"]["wasted_bytes"]) + 18_540
            - int(&apt["recoverable"]["counted_in_both_bytes"])
    );
}

#[test]
fn the_text_comment_and_page_show_where_the_bytes_are() {
    let text = stdout_of(&["report", FLEET]);
    assert!(text.contains("Where the bytes are"), "{text}");
    assert!(
        text.contains(
            "apt-app (after image: tests/fixtures/findings/../leftovers/layout:leftovers)"
        ),
        "{text}"
    );
    assert!(text.contains("18.9 kB recoverable"), "{text}");

    let comment = stdout_of(&["report", FLEET, "--format", "markdown"]);
    let block = comment
        .split("#### Where the bytes are: apt-app")
        .nth(1)
        .expect("apt-app's findings in the comment");
    let block = block.split("#### ").next().unwrap();
    let rows = block
        .lines()
        .filter(|line| line.starts_with("| ") && !line.starts_with("| finding"))
        .count();
    assert_eq!(rows, 5, "{block}");
    assert!(block.contains("… 2 findings more"), "{block}");
    assert!(block.contains("apt-get update"), "{block}");
    // The largest recoverable first: dive-app (32 kB) before apt-app (18.9 kB).
    let dive = comment.find("#### Where the bytes are: dive-app").unwrap();
    let apt = comment.find("#### Where the bytes are: apt-app").unwrap();
    assert!(dive < apt);

    let page = stdout_of(&["report", FLEET, "--format", "html"]);
    assert!(page.contains("<h2>Where the bytes are</h2>"), "{page}");
    for id in ["chart-bytes-0", "chart-bytes-1", "chart-bytes-2"] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(!page.contains("chart-bytes-3"));
}

#[test]
fn a_fleet_without_image_entries_has_no_findings_section() {
    let json = json_of(&["report", "data/examples/fleet.csv", "--format", "json"]);
    assert_eq!(json["findings"], serde_json::json!([]));
    let page = stdout_of(&["report", "data/examples/fleet.csv", "--format", "html"]);
    assert!(!page.contains("Where the bytes are"));
}

#[test]
fn compare_puts_the_new_images_findings_in_the_comment() {
    let comment = stdout_of(&[
        "compare",
        "tests/fixtures/images/v1.oci.tar",
        "tests/fixtures/leftovers/layout:leftovers",
        "--nodes",
        "300",
        "--format",
        "markdown",
    ]);
    assert!(comment.contains("#### Where the bytes are: "), "{comment}");
    assert!(comment.contains("apt package lists"), "{comment}");
}
